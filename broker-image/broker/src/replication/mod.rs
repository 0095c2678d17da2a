//! Partition replication, Kafka's model: the partition logs on this broker follow the metadata
//! image (a log is opened where this broker holds a replica and removed where it no longer
//! does); the leader of a partition tracks how far each follower has fetched and advances the
//! high watermark as the in-sync replicas catch up; a follower fetches from its leader with
//! replica Fetch requests, appends what it gets with the leader's offsets and epochs, makes it
//! durable, and takes the leader's high watermark.

pub mod fetch_conn;
pub mod fetcher;
pub mod high_watermark;
pub mod manager;
pub mod replica;

pub use manager::{ReplicaManager, ReplicationConfig};
pub use replica::Replica;
