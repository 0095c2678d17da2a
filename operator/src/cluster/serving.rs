//! Whether a `KafkaCluster` can serve the resources that use it, read from its status alone: the
//! Topic controller calls the brokers, and the Connector controller the Connect workers, only
//! when this says they serve. A cluster that starts, rolls out new pods, or has an invalid spec
//! is waited for (a planned outage is not a failure to report), and the watch on clusters
//! brings the waiting resources back once its status changes.
//!
//! | the cluster's status | brokers serve (Topics) | Connect serves (Connectors) |
//! |---|---|---|
//! | none yet, or `observedGeneration` behind `metadata.generation` | no | no |
//! | `Ready=True`, not `Progressing` with `RollingUpdate` | yes | yes |
//! | `Ready=True` while rolling out new pods | no | no |
//! | `Ready=False`, `ConnectStarting` or `ConnectUnavailable` (every broker ready) | yes | no |
//! | `Ready=False`, any other reason | no | no |

use kube::ResourceExt;

use super::status::PROGRESSING;
use crate::conditions::{self, Reason, READY};
use crate::crd::KafkaCluster;

/// Why a cluster does not serve now, for a waiting resource's status and log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotServing {
    /// The cluster's name.
    pub cluster: String,
    /// What its status says, short and stable (a reason, not the changing counts).
    pub why: String,
    /// Its `Ready` message, for the log.
    pub detail: String,
}

/// Whether the brokers of `kc` serve: a Topic may call them.
pub fn brokers_serving(kc: &KafkaCluster) -> Result<(), NotServing> {
    serving(kc, true)
}

/// Whether the Connect workers of `kc` (and so its brokers) serve: a Connector may call them.
pub fn connect_serving(kc: &KafkaCluster) -> Result<(), NotServing> {
    serving(kc, false)
}

fn serving(kc: &KafkaCluster, brokers_only: bool) -> Result<(), NotServing> {
    let not = |why: String, detail: &str| NotServing {
        cluster: kc.name_any(),
        why,
        detail: detail.to_string(),
    };
    let status = kc.status.as_ref();
    let find = |type_: &str| status.and_then(|s| conditions::find(&s.conditions, type_));
    let Some(ready) = find(READY) else {
        return Err(not("it has no status yet".into(), ""));
    };
    let observed = status.and_then(|s| s.observed_generation);
    if observed != kc.metadata.generation {
        let why = "its latest spec is not reconciled yet".to_string();
        return Err(not(why, &ready.message));
    }
    let rolling = find(PROGRESSING).is_some_and(|p| p.status == "True" && p.reason == Reason::RollingUpdate.as_str());
    let connect_only = [Reason::ConnectStarting, Reason::ConnectUnavailable].map(Reason::as_str);
    let serves = match ready.status.as_str() {
        "True" => !rolling,
        _ => brokers_only && connect_only.contains(&ready.reason.as_str()),
    };
    if serves {
        return Ok(());
    }
    let why = if ready.status == "True" {
        "it rolls out new pods (Progressing=True, RollingUpdate)".to_string()
    } else {
        format!("Ready=False, {}", ready.reason)
    };
    Err(not(why, &ready.message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::cluster;
    use crate::crd::KafkaClusterStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
    use k8s_openapi::jiff::Timestamp;
    use serde_json::json;

    fn condition(type_: &str, status: &str, reason: Reason) -> Condition {
        Condition {
            type_: type_.into(),
            status: status.into(),
            reason: reason.as_str().into(),
            message: format!("{type_} message"),
            observed_generation: Some(1),
            last_transition_time: Time(Timestamp::UNIX_EPOCH),
        }
    }

    /// Cluster `k` at generation 1 with a status observing `observed`, `Ready` and `Progressing`.
    fn with(observed: i64, ready: (&str, Reason), progressing: (&str, Reason)) -> KafkaCluster {
        let mut kc = cluster("k", json!({"replicas": 1, "connect": {}}));
        kc.status = Some(KafkaClusterStatus {
            conditions: vec![
                condition(READY, ready.0, ready.1),
                condition(PROGRESSING, progressing.0, progressing.1),
            ],
            observed_generation: Some(observed),
            ..KafkaClusterStatus::default()
        });
        kc
    }

    fn both(kc: &KafkaCluster) -> (bool, bool) {
        (brokers_serving(kc).is_ok(), connect_serving(kc).is_ok())
    }

    #[test]
    fn a_ready_cluster_serves_both() {
        let kc = with(1, ("True", Reason::BrokersReady), ("False", Reason::BrokersReady));
        assert_eq!(both(&kc), (true, true));
    }

    #[test]
    fn a_cluster_without_status_or_behind_its_spec_serves_nothing() {
        let kc = cluster("k", json!({"replicas": 1}));
        assert_eq!(both(&kc), (false, false));
        assert_eq!(brokers_serving(&kc).unwrap_err().why, "it has no status yet");
        let mut kc = with(1, ("True", Reason::BrokersReady), ("False", Reason::BrokersReady));
        kc.metadata.generation = Some(2);
        assert_eq!(both(&kc), (false, false));
        assert_eq!(brokers_serving(&kc).unwrap_err().why, "its latest spec is not reconciled yet");
    }

    #[test]
    fn a_rolling_or_starting_cluster_is_waited_for() {
        let rolling = with(1, ("True", Reason::RollingUpdate), ("True", Reason::RollingUpdate));
        assert_eq!(both(&rolling), (false, false));
        let why = brokers_serving(&rolling).unwrap_err();
        assert_eq!(why.why, "it rolls out new pods (Progressing=True, RollingUpdate)");
        assert_eq!((why.cluster.as_str(), why.detail.as_str()), ("k", "Ready message"));
        let down = with(1, ("False", Reason::RollingUpdate), ("True", Reason::RollingUpdate));
        assert_eq!(both(&down), (false, false));
        let starting = with(1, ("False", Reason::BrokersStarting), ("True", Reason::BrokersStarting));
        assert_eq!(brokers_serving(&starting).unwrap_err().why, "Ready=False, BrokersStarting");
        let lost = with(1, ("False", Reason::BrokersUnavailable), ("False", Reason::BrokersUnavailable));
        assert_eq!(both(&lost), (false, false));
    }

    #[test]
    fn brokers_serve_topics_while_only_connect_is_not_ready() {
        for reason in [Reason::ConnectStarting, Reason::ConnectUnavailable] {
            let kc = with(1, ("False", reason), ("True", reason));
            assert_eq!(both(&kc), (true, false), "{reason}");
        }
    }

    #[test]
    fn an_invalid_spec_is_waited_for() {
        for reason in [Reason::InvalidSpec, Reason::NotSupported] {
            let kc = with(1, ("False", reason), ("False", reason));
            assert_eq!(both(&kc), (false, false), "{reason}");
            assert_eq!(brokers_serving(&kc).unwrap_err().why, format!("Ready=False, {reason}"));
        }
    }
}
