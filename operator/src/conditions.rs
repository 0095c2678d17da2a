//! Status conditions in the `metav1.Condition` shape, set so that `lastTransitionTime` moves
//! only when a condition's status changes (so an unchanged resource gets an identical status),
//! and every reason a condition of any resource can carry, in one enum.

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// The condition type every resource has: whether it is what its spec asks for.
pub const READY: &str = "Ready";

/// Why a condition has its status: the CamelCase `reason` of every condition the operator sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The spec is wrong: the user must change it.
    InvalidSpec,
    /// The spec is well-formed but asks for something Kaskade cannot run yet.
    NotSupported,
    /// KafkaCluster: every broker is ready.
    BrokersReady,
    /// KafkaCluster: brokers are being created or started.
    BrokersStarting,
    /// KafkaCluster: pods are being replaced with the new spec.
    RollingUpdate,
    /// KafkaCluster: brokers that were ready are not.
    BrokersUnavailable,
    /// KafkaCluster: the brokers are ready, the Connect workers are being created or started.
    ConnectStarting,
    /// KafkaCluster: Connect workers that were ready are not.
    ConnectUnavailable,
    /// Connector: running with every task running, as asked.
    ConnectorRunning,
    /// Connector: paused, as asked.
    ConnectorPaused,
    /// Connector: stopped, as asked.
    ConnectorStopped,
    /// Connector: created or changing state; tasks not all running yet.
    ConnectorStarting,
    /// Connector: the connector itself failed on its worker.
    ConnectorFailed,
    /// Connector: a task failed on its worker.
    TaskFailed,
    /// Connector: the cluster's Connect REST API did not answer.
    ConnectUnreachable,
    /// Connector: the KafkaCluster it names has no `spec.connect`.
    ConnectNotEnabled,
    /// Topic: the Kafka topic matches the spec.
    TopicReady,
    /// Topic: another Topic resource already manages this Kafka topic.
    Conflict,
    /// Topic, Connector: the KafkaCluster it names does not exist.
    ClusterNotFound,
    /// Topic, Connector: never reconciled yet, waiting for its KafkaCluster to serve (see
    /// `cluster::serving`).
    ClusterNotReady,
    /// Topic: created, not yet visible in the cluster's metadata.
    Creating,
    /// Topic: the cluster's brokers did not answer.
    BrokerUnreachable,
    /// Topic: Kafka refused the topic's configs (INVALID_CONFIG); Connector: the worker's
    /// validation refused the connector's config.
    InvalidConfig,
    /// Topic: INVALID_REPLICATION_FACTOR.
    InvalidReplicationFactor,
    /// Topic: INVALID_PARTITIONS.
    InvalidPartitions,
    /// Topic: INVALID_TOPIC_EXCEPTION.
    InvalidTopic,
    /// Topic: POLICY_VIOLATION.
    PolicyViolation,
    /// Topic: any other Kafka error (retried).
    KafkaError,
}

impl Reason {
    /// The reason as it appears in a condition (and in the Event about it).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidSpec => "InvalidSpec",
            Reason::NotSupported => "NotSupported",
            Reason::BrokersReady => "BrokersReady",
            Reason::BrokersStarting => "BrokersStarting",
            Reason::RollingUpdate => "RollingUpdate",
            Reason::BrokersUnavailable => "BrokersUnavailable",
            Reason::ConnectStarting => "ConnectStarting",
            Reason::ConnectUnavailable => "ConnectUnavailable",
            Reason::ConnectorRunning => "ConnectorRunning",
            Reason::ConnectorPaused => "ConnectorPaused",
            Reason::ConnectorStopped => "ConnectorStopped",
            Reason::ConnectorStarting => "ConnectorStarting",
            Reason::ConnectorFailed => "ConnectorFailed",
            Reason::TaskFailed => "TaskFailed",
            Reason::ConnectUnreachable => "ConnectUnreachable",
            Reason::ConnectNotEnabled => "ConnectNotEnabled",
            Reason::TopicReady => "TopicReady",
            Reason::Conflict => "Conflict",
            Reason::ClusterNotFound => "ClusterNotFound",
            Reason::ClusterNotReady => "ClusterNotReady",
            Reason::Creating => "Creating",
            Reason::BrokerUnreachable => "BrokerUnreachable",
            Reason::InvalidConfig => "InvalidConfig",
            Reason::InvalidReplicationFactor => "InvalidReplicationFactor",
            Reason::InvalidPartitions => "InvalidPartitions",
            Reason::InvalidTopic => "InvalidTopic",
            Reason::PolicyViolation => "PolicyViolation",
            Reason::KafkaError => "KafkaError",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One condition to set: type, status, reason and a human message.
pub struct Desired<'a> {
    pub type_: &'a str,
    pub status: bool,
    pub reason: Reason,
    pub message: String,
}

/// Builds the condition list from `desired`, keeping the previous transition times.
pub fn build(desired: Vec<Desired<'_>>, previous: &[Condition], generation: Option<i64>, now: &Time) -> Vec<Condition> {
    desired
        .into_iter()
        .map(|d| {
            let status = if d.status { "True" } else { "False" }.to_string();
            let last_transition_time = previous
                .iter()
                .find(|c| c.type_ == d.type_ && c.status == status)
                .map(|c| c.last_transition_time.clone())
                .unwrap_or_else(|| now.clone());
            Condition {
                type_: d.type_.to_string(),
                status,
                reason: d.reason.as_str().to_string(),
                message: d.message,
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect()
}

/// The condition of `type_`, if present.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

#[cfg(test)]
mod tests {
    use super::{build, Desired, Reason, READY};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use k8s_openapi::jiff::Timestamp;

    fn at(secs: i64) -> Time {
        Time(Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    fn ready(status: bool) -> Vec<Desired<'static>> {
        vec![Desired {
            type_: READY,
            status,
            reason: Reason::BrokersReady,
            message: "m".into(),
        }]
    }

    #[test]
    fn transition_time_moves_only_with_status() {
        let first = build(ready(false), &[], Some(1), &at(10));
        let same = build(ready(false), &first, Some(2), &at(20));
        assert_eq!(same[0].last_transition_time, at(10));
        assert_eq!(same[0].observed_generation, Some(2));
        let flipped = build(ready(true), &same, Some(2), &at(30));
        assert_eq!(flipped[0].last_transition_time, at(30));
        assert_eq!(flipped[0].status, "True");
    }
}
