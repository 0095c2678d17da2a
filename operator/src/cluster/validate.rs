//! The pure check between a `KafkaCluster` as written and the objects built from it. It turns the
//! spec into a [`ValidCluster`] the builders can trust (quantities checked, config rendered to
//! text, names known to fit), or into one [`SpecProblem`] that names every field that is wrong, so
//! the user fixes them all in one edit and nothing half-built is ever applied.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

pub use super::connect_spec::ValidConnect;
use super::{names, quantity};
use crate::conditions::Reason;
use crate::crd::{KafkaCluster, StorageType};

/// Broker keys the operator writes itself, per cluster or per pod; a user value would contradict
/// the Services, the quorum or the volumes.
pub const OWNED_KEYS: &[&str] = &[
    "node.id",
    "broker.id",
    "process.roles",
    "listeners",
    "advertised.listeners",
    "controller.quorum.voters",
    "controller.listener.names",
    "listener.security.protocol.map",
    "log.dirs",
    "log.dir",
];

/// Why the [`OWNED_KEYS`] are the operator's.
const OWNED_WHY: &str = "listeners, quorum, node ids and log directories follow the cluster's objects";

/// Longest cluster name whose objects all have valid names: the StatefulSet `NAME-broker` gives its
/// pods a `controller-revision-hash` label `NAME-broker-<hash up to 10 characters>`, and a label
/// value holds at most 63 characters.
pub const MAX_NAME_LEN: usize = 45;

/// What is wrong with a spec: a condition reason and a message naming each offending field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct SpecProblem {
    pub reason: Reason,
    pub message: String,
}

/// A `KafkaCluster` the builders can build from: every field checked, defaults not yet applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidCluster {
    pub name: String,
    pub namespace: String,
    /// Controller reference to the `KafkaCluster`, put on every object built.
    pub owner: OwnerReference,
    pub replicas: i32,
    /// `spec.image`; the operator's configured image when `None`.
    pub image: Option<String>,
    pub storage: Storage,
    /// `spec.resources`, passed through to the broker container.
    pub resources: Option<ResourceRequirements>,
    /// `spec.config` rendered as property text (numbers and booleans as Kafka writes them).
    pub config: BTreeMap<String, String>,
    /// `spec.connect`, checked: the cluster's Connect workers, if any.
    pub connect: Option<ValidConnect>,
}

/// Where the brokers keep their logs.
#[derive(Clone, Debug, PartialEq)]
pub enum Storage {
    /// A claim per broker from the StatefulSet's `volumeClaimTemplates`.
    Persistent {
        size: Quantity,
        storage_class_name: Option<String>,
        /// Delete the claims with the StatefulSet (`persistentVolumeClaimRetentionPolicy`).
        delete_claim: bool,
    },
    /// An `emptyDir`, optionally size-limited.
    Ephemeral { size_limit: Option<Quantity> },
}

/// Checks everything: the spec is well-formed and Kaskade can run it. A spec with several problems
/// gets one [`SpecProblem`] listing them all; its reason is `InvalidSpec` when any is a mistake,
/// `NotSupported` when the only problems are features Kaskade lacks.
pub fn validate(cluster: &KafkaCluster) -> Result<ValidCluster, SpecProblem> {
    let unsupported = unsupported(cluster);
    match well_formed(cluster) {
        Err(mut invalid) => {
            invalid.extend(unsupported);
            Err(problem(Reason::InvalidSpec, invalid))
        }
        Ok(_) if !unsupported.is_empty() => Err(problem(Reason::NotSupported, unsupported)),
        Ok(valid) => Ok(valid),
    }
}

/// Checks that the spec is well-formed, but not that Kaskade supports it (more than one broker):
/// the builders are written and tested for N brokers, ready for when brokers replicate.
pub fn validate_well_formed(cluster: &KafkaCluster) -> Result<ValidCluster, SpecProblem> {
    well_formed(cluster).map_err(|invalid| problem(Reason::InvalidSpec, invalid))
}

fn problem(reason: Reason, messages: Vec<String>) -> SpecProblem {
    SpecProblem {
        reason,
        message: messages.join("; "),
    }
}

fn unsupported(cluster: &KafkaCluster) -> Vec<String> {
    let replicas = cluster.spec.replicas;
    if replicas > 1 {
        vec![format!(
            "spec.replicas: {replicas}: Kaskade brokers do not replicate yet; only 1 broker is supported"
        )]
    } else {
        Vec::new()
    }
}

fn well_formed(cluster: &KafkaCluster) -> Result<ValidCluster, Vec<String>> {
    let mut problems = Vec::new();
    let name = cluster.metadata.name.clone().unwrap_or_default();
    if let Err(why) = check_name(&name) {
        problems.push(format!("metadata.name {name:?}: {why}"));
    }
    let namespace = cluster.metadata.namespace.clone().unwrap_or_default();
    if namespace.is_empty() {
        problems.push("metadata.namespace: missing".into());
    }
    let owner = names::owner_reference(cluster);
    if owner.is_none() {
        problems.push("metadata.uid: missing (the object did not come from the API server)".into());
    }
    let spec = &cluster.spec;
    if spec.replicas < 1 {
        problems.push(format!("spec.replicas: {}: must be at least 1", spec.replicas));
    }
    if spec.image.as_deref().is_some_and(|i| i.trim().is_empty()) {
        problems.push("spec.image: must not be empty (leave it out for the operator's image)".into());
    }
    let storage = check_storage(cluster, &mut problems);
    let config = render_config(&spec.config, "spec.config", (OWNED_KEYS, OWNED_WHY), &mut problems);
    let connect = spec.connect.as_ref().map(|c| super::connect_spec::check(c, &mut problems));
    match (owner, storage) {
        (Some(owner), Some(storage)) if problems.is_empty() => Ok(ValidCluster {
            name,
            namespace,
            owner,
            replicas: spec.replicas,
            image: spec.image.clone(),
            storage,
            resources: spec.resources.clone(),
            config,
            connect,
        }),
        _ => Err(problems),
    }
}

/// The cluster's name prefixes Service names, which are DNS-1035 labels.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("missing".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "longer than {MAX_NAME_LEN} characters (the StatefulSet {} must leave room for its pods' revision label)",
            names::statefulset(name)
        ));
    }
    let bytes = name.as_bytes();
    let ok = bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    if ok {
        Ok(())
    } else {
        Err("must be lowercase letters, digits and '-', start with a letter and end with a letter or digit (it names Services)".into())
    }
}

fn check_storage(cluster: &KafkaCluster, problems: &mut Vec<String>) -> Option<Storage> {
    let storage = &cluster.spec.storage;
    let size = match &storage.size {
        Some(size) => match quantity::check_positive(size) {
            Ok(()) => Some(Quantity(size.clone())),
            Err(why) => {
                problems.push(format!("spec.storage.size: {size:?}: {why}"));
                return None;
            }
        },
        None => None,
    };
    match storage.type_ {
        StorageType::Persistent => match size {
            Some(size) => Some(Storage::Persistent {
                size,
                storage_class_name: storage.storage_class_name.clone(),
                delete_claim: storage.delete_claim,
            }),
            None => {
                problems.push("spec.storage.size: persistent storage needs a size, such as 10Gi".into());
                None
            }
        },
        StorageType::Ephemeral => Some(Storage::Ephemeral { size_limit: size }),
    }
}

/// Renders a free-form properties map found at `path` (`spec.config`) as property text, refusing
/// the `owned` keys (with `why` they are the operator's) and values that are not scalars.
pub(crate) fn render_config(
    config: &BTreeMap<String, serde_json::Value>,
    path: &str,
    owned: (&[&str], &str),
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let (owned, why) = owned;
    let mut out = BTreeMap::new();
    for (key, value) in config {
        if key.trim().is_empty() {
            problems.push(format!("{path}: {key:?} is not a property name"));
            continue;
        }
        if owned.contains(&key.as_str()) {
            problems.push(format!("{path}.{key:?}: set by the operator ({why}); remove it"));
            continue;
        }
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            other => {
                let kind = match other {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Array(_) => "a list",
                    _ => "an object",
                };
                problems.push(format!(
                    "{path}.{key:?}: {kind} is not a property value; use a string, number or boolean"
                ));
                continue;
            }
        };
        out.insert(key.clone(), text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::cluster;
    use serde_json::json;

    fn invalid(spec: serde_json::Value) -> SpecProblem {
        validate(&cluster("k", spec)).unwrap_err()
    }

    #[test]
    fn a_minimal_spec_is_one_ephemeral_broker() {
        let v = validate(&cluster("k", json!({"replicas": 1}))).unwrap();
        assert_eq!((v.name.as_str(), v.namespace.as_str(), v.replicas), ("k", "ns", 1));
        assert_eq!(v.storage, Storage::Ephemeral { size_limit: None });
        assert_eq!(v.owner.uid, "uid-k");
        assert!(v.config.is_empty() && v.image.is_none() && v.resources.is_none());
    }

    #[test]
    fn more_than_one_broker_is_not_supported_yet() {
        let p = invalid(json!({"replicas": 3}));
        assert_eq!(p.reason, Reason::NotSupported);
        assert_eq!(
            p.message,
            "spec.replicas: 3: Kaskade brokers do not replicate yet; only 1 broker is supported"
        );
        let v = validate_well_formed(&cluster("k", json!({"replicas": 3}))).unwrap();
        assert_eq!(v.replicas, 3);
    }

    #[test]
    fn zero_replicas_is_invalid() {
        let p = invalid(json!({"replicas": 0}));
        assert_eq!(p.reason, Reason::InvalidSpec);
        assert_eq!(p.message, "spec.replicas: 0: must be at least 1");
    }

    #[test]
    fn config_values_render_kafka_style() {
        let spec = json!({"replicas": 1, "config": {"log.retention.hours": 24, "auto.create.topics.enable": false,
            "compression.type": "zstd", "x.ratio": 0.5}});
        let v = validate(&cluster("k", spec)).unwrap();
        assert_eq!(v.config["log.retention.hours"], "24");
        assert_eq!(v.config["auto.create.topics.enable"], "false");
        assert_eq!(v.config["compression.type"], "zstd");
        assert_eq!(v.config["x.ratio"], "0.5");
    }

    #[test]
    fn config_values_must_be_scalars() {
        let p = invalid(json!({"replicas": 1, "config": {"a.list": [1], "a.map": {"x": 1}, "a.null": null}}));
        assert_eq!(p.reason, Reason::InvalidSpec);
        assert_eq!(
            p.message,
            "spec.config.\"a.list\": a list is not a property value; use a string, number or boolean; \
             spec.config.\"a.map\": an object is not a property value; use a string, number or boolean; \
             spec.config.\"a.null\": null is not a property value; use a string, number or boolean"
        );
    }

    #[test]
    fn keys_the_operator_owns_are_refused_by_name() {
        for key in OWNED_KEYS {
            let p = invalid(json!({"replicas": 1, "config": {*key: "x"}}));
            assert_eq!(p.reason, Reason::InvalidSpec);
            assert!(
                p.message.starts_with(&format!("spec.config.{key:?}: set by the operator")),
                "{}",
                p.message
            );
        }
        assert!(invalid(json!({"replicas": 1, "config": {" ": "x"}}))
            .message
            .contains("is not a property name"));
    }

    #[test]
    fn persistent_storage_needs_a_valid_size() {
        let p = invalid(json!({"replicas": 1, "storage": {"type": "persistent"}}));
        assert_eq!(p.message, "spec.storage.size: persistent storage needs a size, such as 10Gi");
        let p = invalid(json!({"replicas": 1, "storage": {"type": "persistent", "size": "10GB"}}));
        assert_eq!(p.reason, Reason::InvalidSpec);
        assert!(
            p.message.starts_with("spec.storage.size: \"10GB\": unknown unit \"GB\""),
            "{}",
            p.message
        );
        let p = invalid(json!({"replicas": 1, "storage": {"type": "ephemeral", "size": "0"}}));
        assert_eq!(p.message, "spec.storage.size: \"0\": must be greater than zero");
    }

    #[test]
    fn storage_is_carried_through() {
        let spec =
            json!({"replicas": 1, "storage": {"type": "persistent", "size": "10Gi", "storageClassName": "fast", "deleteClaim": true}});
        let v = validate(&cluster("k", spec)).unwrap();
        let want = Storage::Persistent {
            size: Quantity("10Gi".into()),
            storage_class_name: Some("fast".into()),
            delete_claim: true,
        };
        assert_eq!(v.storage, want);
        let v = validate(&cluster("k", json!({"replicas": 1, "storage": {"size": "1Gi"}}))).unwrap();
        assert_eq!(
            v.storage,
            Storage::Ephemeral {
                size_limit: Some(Quantity("1Gi".into()))
            }
        );
    }

    #[test]
    fn resources_and_image_pass_through() {
        let spec = json!({"replicas": 1, "image": "reg/kaskade:1", "resources": {"limits": {"memory": "1Gi"}}});
        let v = validate(&cluster("k", spec)).unwrap();
        assert_eq!(v.image.as_deref(), Some("reg/kaskade:1"));
        assert_eq!(v.resources.unwrap().limits.unwrap()["memory"], Quantity("1Gi".into()));
        assert_eq!(invalid(json!({"replicas": 1, "image": ""})).reason, Reason::InvalidSpec);
    }

    #[test]
    fn names_must_fit_the_objects() {
        let long = "a".repeat(MAX_NAME_LEN + 1);
        assert!(validate(&cluster(&"a".repeat(MAX_NAME_LEN), json!({"replicas": 1}))).is_ok());
        for bad in [long.as_str(), "My-Cluster", "1abc", "a.b", "abc-"] {
            let p = validate(&cluster(bad, json!({"replicas": 1}))).unwrap_err();
            assert!(p.message.starts_with(&format!("metadata.name {bad:?}: ")), "{}", p.message);
        }
    }

    #[test]
    fn objects_not_from_the_api_server_are_refused() {
        let mut kc = cluster("k", json!({"replicas": 1}));
        kc.metadata.uid = None;
        kc.metadata.namespace = None;
        let p = validate(&kc).unwrap_err();
        assert_eq!(
            p.message,
            "metadata.namespace: missing; metadata.uid: missing (the object did not come from the API server)"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_and_mistakes_win() {
        let p = invalid(json!({"replicas": 3, "config": {"node.id": 1}, "storage": {"type": "persistent"}}));
        assert_eq!(p.reason, Reason::InvalidSpec);
        assert_eq!(p.message.split("; spec.").count(), 3, "{}", p.message);
        assert!(p.message.ends_with("only 1 broker is supported"));
        assert_eq!(p.to_string(), format!("InvalidSpec: {}", p.message));
    }
}
