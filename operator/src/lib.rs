//! The Kaskade operator: `KafkaCluster`, `Topic` and `Connector` reconcilers built the Stackable way —
//! read, validate (pure), build (pure), apply in order, patch status.

pub mod cluster;
pub mod conditions;
pub mod connector;
pub mod controllers;
pub mod crd;
pub mod runtime;
pub mod topic;

/// The operator's one name: the field manager of its server-side applies, the
/// `app.kubernetes.io/managed-by` value of what it creates, its Event reporter, its Lease and the
/// client id of its Kafka admin connections.
pub const OPERATOR: &str = "kaskade-operator";
