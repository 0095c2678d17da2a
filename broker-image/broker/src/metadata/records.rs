//! The changes the metadata log is made of. Each Raft entry carries one record; applying it is a
//! pure function of the image before it (no clock, no node-local config), so every voter and
//! observer that applies the same log holds the same image. Decisions (placement, validation
//! against the brokers there are) are made before proposing, on the leader.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::image::{BrokerRegistration, ImageFile};
use super::{MetadataError, TopicMeta};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    /// A broker (re)starting: its endpoint and this run's incarnation.
    RegisterBroker(BrokerRegistration),
    /// The leader stopped hearing from this run of the broker within its session.
    FenceBroker {
        id: i32,
        incarnation: uuid::Uuid,
    },
    /// The leader hears from this fenced run of the broker again.
    UnfenceBroker {
        id: i32,
        incarnation: uuid::Uuid,
    },
    /// A partition leader's new ISR (Kafka's AlterPartition).
    AlterPartition(AlterPartition),
    /// A new topic, its partitions placed. Fails if the name (or a colliding one) is taken.
    CreateTopic(TopicMeta),
    /// A changed topic (same name and id): more partitions, new configs, new partition states.
    UpdateTopic(TopicMeta),
    RemoveTopic {
        name: String,
    },
    /// Replaces the dynamic broker configs of one entity (`""` = cluster default).
    BrokerConfigs {
        entity: String,
        configs: BTreeMap<String, String>,
    },
    /// Reserves the next `size` producer ids for the proposer; the outcome names the first.
    ProducerIds {
        size: i64,
    },
    /// Changes nothing: a broker starting up proposes one and waits until it has applied it,
    /// so it serves nothing older than what the quorum had committed when it started.
    Barrier,
    /// The whole image of a single-node store from before the quorum, imported once into an
    /// empty log (ignored otherwise).
    Import(ImageFile),
}

/// A leader's ISR change, made against the partition as the leader saw it: applied only if the
/// leader, its epoch and the partition epoch are still those.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlterPartition {
    pub topic_id: uuid::Uuid,
    pub partition: i32,
    pub leader: i32,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    pub isr: Vec<i32>,
}

/// What applying a record answered (returned to the proposer, possibly over the network).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    #[default]
    Done,
    Topic(TopicMeta),
    /// The first producer id of a reserved block.
    ProducerIdBlock(i64),
    Failed(MetadataError),
}
