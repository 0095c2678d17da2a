//! Cluster metadata behind one narrow interface: brokers, the controller, topics and their
//! configs, partition states. Reads come from the local image (as Kafka's metadata cache serves
//! them); changes go through asynchronous calls to the Raft quorum that holds the metadata log
//! (`quorum/`), so request handlers never see how a change is agreed.

pub mod election;
pub mod image;
pub mod partition;
pub mod quorum;
pub mod records;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use partition::PartitionState;
pub use quorum::QuorumMetadata;

/// A topic as the metadata image knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMeta {
    pub name: String,
    pub id: uuid::Uuid,
    pub partitions: i32,
    pub replication_factor: i16,
    /// Topic-level config overrides (Kafka key names).
    #[serde(default)]
    pub configs: BTreeMap<String, String>,
    #[serde(default)]
    pub internal: bool,
    /// One per partition, in partition order. A topic being created may carry the manual
    /// assignment's (or none: the store places them); an image written before replication
    /// has none, and reads as every partition on the one broker.
    #[serde(default)]
    pub partition_states: Vec<PartitionState>,
}

impl TopicMeta {
    /// A topic of `partitions` partitions, replication factor 1, no configs, not placed yet.
    #[cfg(test)]
    pub fn for_test(name: &str, partitions: i32) -> TopicMeta {
        TopicMeta {
            name: name.into(),
            id: uuid::Uuid::new_v4(),
            partitions,
            replication_factor: 1,
            configs: BTreeMap::new(),
            internal: false,
            partition_states: Vec::new(),
        }
    }

    pub fn partition(&self, partition: i32) -> Option<&PartitionState> {
        usize::try_from(partition).ok().and_then(|p| self.partition_states.get(p))
    }

    /// The leader epoch of each partition, in order.
    pub fn leader_epochs(&self) -> Vec<i32> {
        self.partition_states.iter().map(|s| s.leader_epoch).collect()
    }

    /// Gives every partition without a state one placed on `brokers` (sorted).
    pub fn place_missing(&mut self, brokers: &[i32]) {
        let have = self.partition_states.len() as i32;
        if have < self.partitions {
            let rf = usize::try_from(self.replication_factor).unwrap_or(1).max(1);
            let placed = partition::place(have, self.partitions - have, rf, brokers);
            self.partition_states.extend(placed.into_iter().map(PartitionState::new));
        }
        self.partition_states.truncate(self.partitions.max(0) as usize);
    }
}

/// A broker's advertised client endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerEndpoint {
    pub node_id: i32,
    pub host: String,
    pub port: u16,
    pub rack: Option<String>,
}

/// The metadata quorum as its leader sees it (DescribeQuorum). Offsets are Raft log indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumStatus {
    pub leader_id: i32,
    /// The Raft term (one leader per term: KRaft's leader epoch).
    pub leader_epoch: i32,
    pub high_watermark: i64,
    pub voters: Vec<ReplicaStatus>,
    pub observers: Vec<ReplicaStatus>,
    /// Each voter's CONTROLLER endpoint: (id, host, port).
    pub endpoints: Vec<(i32, String, u16)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaStatus {
    pub id: i32,
    pub log_end_offset: i64,
    /// Wall-clock ms of the last answer from it (-1 never); the leader's own: now.
    pub last_fetch_timestamp: i64,
    pub last_caught_up_timestamp: i64,
}

#[derive(Debug, Error, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetadataError {
    #[error("Topic '{0}' already exists.")]
    TopicExists(String),
    #[error("Topic '{name}' collides with existing topic: {existing}")]
    TopicCollision { name: String, existing: String },
    #[error("This server does not host this topic-partition.")]
    UnknownTopic(String),
    #[error("metadata could not be persisted: {0}")]
    Storage(String),
    /// A change made against a partition state that is no longer current (Kafka's
    /// `INVALID_UPDATE_VERSION`, `FENCED_LEADER_EPOCH`, `INELIGIBLE_REPLICA`).
    #[error("the change does not apply: {0}")]
    Rejected(String),
    /// No quorum to commit the change (Kafka's clients see a retriable timeout).
    #[error("the metadata quorum is unavailable: {0}")]
    Unavailable(String),
}

/// The interface request handlers use for cluster metadata.
pub trait MetadataStore: Send + Sync + 'static {
    fn cluster_id(&self) -> &str;
    fn controller_id(&self) -> i32;
    fn brokers(&self) -> Vec<BrokerEndpoint>;
    fn topic(&self, name: &str) -> Option<Arc<TopicMeta>>;
    fn topic_by_id(&self, id: uuid::Uuid) -> Option<Arc<TopicMeta>>;
    fn topics(&self) -> Vec<Arc<TopicMeta>>;
    /// Records a new topic (validated by the caller). Fails if the name is taken.
    fn create_topic(&self, topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>>;
    /// A producer id never handed out before in this cluster (InitProducerId).
    fn allocate_producer_id(&self) -> BoxFuture<'_, Result<i64, MetadataError>>;
    /// Removes a topic; returns what was removed.
    fn delete_topic(&self, name: &str) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>>;
    /// Replaces an existing topic (same name and id) with a changed one: more partitions, new
    /// configs. Fails if the topic is gone.
    fn update_topic(&self, topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>>;
    /// Dynamic broker configs of one entity: `""` is the cluster-wide default, a node id (as a
    /// string) one broker.
    fn broker_configs(&self, entity: &str) -> BTreeMap<String, String>;
    /// Replaces the dynamic broker configs of one entity (validated by the caller).
    fn set_broker_configs(&self, entity: &str, configs: BTreeMap<String, String>) -> BoxFuture<'_, Result<(), MetadataError>>;
    /// A partition leader's new in-sync replicas (Kafka's AlterPartition), made against the
    /// partition state `change` names.
    fn alter_partition(&self, change: records::AlterPartition) -> BoxFuture<'_, Result<(), MetadataError>>;
    /// The quorum's state from its leader (DescribeQuorum).
    fn describe_quorum(&self) -> BoxFuture<'_, Result<QuorumStatus, MetadataError>>;
    /// Waits until this broker's image holds everything the quorum had committed when it was
    /// called (a broker's image may lag the leader's by what it has not applied yet).
    fn barrier(&self) -> BoxFuture<'_, Result<(), MetadataError>>;
    /// Changes whenever the image does (the index of the last metadata record applied).
    fn changes(&self) -> tokio::sync::watch::Receiver<u64>;
    /// Kafka's controlled shutdown: this broker stops heartbeating and fences its own run, so
    /// the partitions it leads get other leaders and it leaves the ISRs before it stops.
    fn controlled_shutdown(&self) -> BoxFuture<'_, Result<(), MetadataError>>;
    /// Stops what the store runs in the background (the quorum's tasks).
    fn shutdown(&self) -> BoxFuture<'_, ()>;
}
