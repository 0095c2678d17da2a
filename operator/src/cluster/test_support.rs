//! Test fixtures: `KafkaCluster`s as the API server would hand them over (namespace `ns`, a uid).

use super::validate::{validate_well_formed, ValidCluster};
use super::ClusterDefaults;
use crate::crd::{KafkaCluster, KafkaClusterSpec};

/// A `KafkaCluster` named `name` in namespace `ns` with `spec` given as JSON.
pub fn cluster(name: &str, spec: serde_json::Value) -> KafkaCluster {
    let spec: KafkaClusterSpec = serde_json::from_value(spec).expect("a KafkaCluster spec");
    let mut kc = KafkaCluster::new(name, spec);
    kc.metadata.namespace = Some("ns".into());
    kc.metadata.uid = Some(format!("uid-{name}"));
    kc.metadata.generation = Some(1);
    kc
}

/// The well-formed (possibly multi-broker) cluster of `cluster`.
pub fn valid(name: &str, spec: serde_json::Value) -> ValidCluster {
    validate_well_formed(&cluster(name, spec)).expect("a well-formed spec")
}

pub fn defaults() -> ClusterDefaults {
    ClusterDefaults {
        broker_image: "example/kaskade:test".into(),
    }
}
