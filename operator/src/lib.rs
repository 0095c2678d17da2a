//! The Kaskade operator: `KafkaCluster` and `Topic` reconcilers built the Stackable way —
//! read, validate (pure), build (pure), apply in order, patch status.

pub mod cluster;
pub mod conditions;
pub mod controllers;
pub mod crd;
pub mod runtime;
pub mod topic;
