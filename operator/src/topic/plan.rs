//! From a `Topic` spec and the topic Kafka holds, the changes to make: create it, add partitions,
//! set and delete configs — or refuse what Kafka cannot do (fewer partitions, another
//! replication factor) without changing anything.

use std::collections::BTreeMap;

use crate::conditions::Reason;
use crate::crd::TopicSpec;
use kaskade_client::TopicInfo;

/// A change the operator refuses to make, reported as `Ready=False`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `InvalidSpec` or `NotSupported`.
    pub reason: Reason,
    pub message: String,
}

/// What to do about the partitions of an existing topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitions {
    Keep,
    GrowTo(i32),
}

/// The spec's configs as Kafka strings. Only scalars are allowed.
pub fn desired_configs(spec: &TopicSpec) -> Result<BTreeMap<String, String>, Refusal> {
    spec.config
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                other => {
                    return Err(Refusal {
                        reason: Reason::InvalidSpec,
                        message: format!("config {k}: expected a string, number or boolean, found {other}"),
                    })
                }
            };
            Ok((k.clone(), text))
        })
        .collect()
}

/// Partitions and replication factor of an existing topic against the spec.
pub fn partitions(spec: &TopicSpec, existing: &TopicInfo) -> Result<Partitions, Refusal> {
    if spec.partitions < existing.partitions {
        return Err(Refusal {
            reason: Reason::NotSupported,
            message: format!(
                "partitions cannot be lowered from {} to {}: Kafka topics only grow; nothing was changed",
                existing.partitions, spec.partitions
            ),
        });
    }
    if spec.replication_factor != existing.replication_factor {
        return Err(Refusal {
            reason: Reason::NotSupported,
            message: format!(
                "replicationFactor cannot change from {} to {} through the operator; nothing was changed",
                existing.replication_factor, spec.replication_factor
            ),
        });
    }
    Ok(if spec.partitions > existing.partitions {
        Partitions::GrowTo(spec.partitions)
    } else {
        Partitions::Keep
    })
}

/// Configs to set (new or different values) and to delete (set in Kafka, absent from the spec).
pub fn config_changes(desired: &BTreeMap<String, String>, current: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<String>) {
    let set = desired
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let delete = current.keys().filter(|k| !desired.contains_key(*k)).cloned().collect();
    (set, delete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::DeletionPolicy;
    use serde_json::json;

    fn spec(partitions: i32, rf: i32, config: serde_json::Value) -> TopicSpec {
        TopicSpec {
            cluster: "dev".into(),
            topic_name: None,
            partitions,
            replication_factor: rf,
            config: serde_json::from_value(config).unwrap(),
            deletion_policy: DeletionPolicy::Delete,
        }
    }

    fn info(partitions: i32) -> TopicInfo {
        TopicInfo {
            topic_id: uuid::Uuid::nil(),
            partitions,
            replication_factor: 1,
        }
    }

    #[test]
    fn configs_become_kafka_strings() {
        let s = spec(
            1,
            1,
            json!({"retention.ms": 1000, "cleanup.policy": "compact", "preallocate": true}),
        );
        let c = desired_configs(&s).unwrap();
        assert_eq!(c["retention.ms"], "1000");
        assert_eq!(c["preallocate"], "true");
        let bad = spec(1, 1, json!({"x": {"nested": 1}}));
        assert_eq!(desired_configs(&bad).unwrap_err().reason, Reason::InvalidSpec);
    }

    #[test]
    fn partitions_grow_never_shrink() {
        assert_eq!(partitions(&spec(3, 1, json!({})), &info(3)), Ok(Partitions::Keep));
        assert_eq!(partitions(&spec(6, 1, json!({})), &info(3)), Ok(Partitions::GrowTo(6)));
        let refused = partitions(&spec(2, 1, json!({})), &info(3)).unwrap_err();
        assert_eq!(refused.reason, Reason::NotSupported);
        assert!(refused.message.contains("from 3 to 2"), "{}", refused.message);
        assert_eq!(
            partitions(&spec(3, 2, json!({})), &info(3)).unwrap_err().reason,
            Reason::NotSupported
        );
    }

    #[test]
    fn config_changes_set_and_delete() {
        let desired = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
        let current = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "3".to_string()),
            ("c".to_string(), "x".to_string()),
        ]);
        let (set, delete) = config_changes(&desired, &current);
        assert_eq!(set, BTreeMap::from([("b".to_string(), "2".to_string())]));
        assert_eq!(delete, vec!["c".to_string()]);
        let (set, delete) = config_changes(&desired, &desired);
        assert!(set.is_empty() && delete.is_empty());
    }
}
