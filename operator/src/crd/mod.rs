//! The custom resources the operator serves (`kaskade.dev/v1alpha1`), and the CRD YAML generated
//! from them. The types are the contract of DESIGN.md; `kaskade-operator crd` writes `crds/`.

pub mod connector;
pub mod generate;
pub mod kafka_cluster;
pub mod topic;

pub use connector::{
    AutoRestart, AutoRestartStatus, Connector, ConnectorSpec, ConnectorStatus, ConnectorStatusReport, ConnectorTargetState, StateReport,
    TaskReport,
};
pub use kafka_cluster::{ConnectSpec, KafkaCluster, KafkaClusterSpec, KafkaClusterStatus, StorageSpec, StorageType};
pub use topic::{DeletionPolicy, Topic, TopicSpec, TopicStatus};

/// The API group of every Kaskade resource.
pub const GROUP: &str = "kaskade.dev";
