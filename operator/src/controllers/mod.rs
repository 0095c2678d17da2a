//! The controllers: watch a kind, reconcile each object, report through status and events.

pub mod connector;
pub mod kafka_cluster;
pub mod topic;
