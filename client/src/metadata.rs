//! The cluster as the admin tools see it: every topic with its id, internal flag and partitions
//! (leader, replicas, ISR) and the live brokers, from one Metadata request; and the same per
//! topic from DescribeTopicPartitions where the broker serves it, which adds the eligible leader
//! replicas (ELR) `kafka-topics --describe` prints.

use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
use kafka_protocol::messages::describe_topic_partitions_response::DescribeTopicPartitionsResponsePartition;
use kafka_protocol::messages::metadata_response::{MetadataResponseBroker, MetadataResponsePartition};
use kafka_protocol::messages::{BrokerId, DescribeTopicPartitionsRequest, MetadataRequest};
use uuid::Uuid;

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::versions::AdminRequest;
use crate::strings::topic_name;

/// What Metadata says of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMetadata {
    pub cluster_id: Option<String>,
    pub controller_id: i32,
    /// The live brokers, in the order the broker listed them.
    pub brokers: Vec<BrokerNode>,
    /// Every topic, in the order the broker listed them (internal ones included).
    pub topics: Vec<TopicMetadata>,
}

/// A live broker and the address it advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerNode {
    pub node_id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
}

impl BrokerNode {
    /// `host:port`, as a bootstrap address (what [`KafkaAdmin::at`] takes); an IPv6 host in
    /// brackets.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl From<&MetadataResponseBroker> for BrokerNode {
    fn from(b: &MetadataResponseBroker) -> Self {
        BrokerNode {
            node_id: b.node_id.0,
            host: b.host.to_string(),
            port: b.port,
            rack: b.rack.as_ref().map(|r| r.to_string()),
        }
    }
}

/// One topic's metadata. `error_code` is the topic's own error (0 when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMetadata {
    pub name: String,
    pub topic_id: Uuid,
    pub is_internal: bool,
    pub error_code: i16,
    pub partitions: Vec<PartitionMetadata>,
}

/// One partition's replicas. `leader` is -1 when it has none. The ELR lists are `None` when the
/// answer came from Metadata, which does not carry them (Kafka's tools print `N/A`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionMetadata {
    pub partition: i32,
    pub error_code: i16,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub offline: Vec<i32>,
    pub elr: Option<Vec<i32>>,
    pub last_known_elr: Option<Vec<i32>>,
}

fn ids(brokers: &[BrokerId]) -> Vec<i32> {
    brokers.iter().map(|b| b.0).collect()
}

impl From<&MetadataResponsePartition> for PartitionMetadata {
    fn from(p: &MetadataResponsePartition) -> Self {
        PartitionMetadata {
            partition: p.partition_index,
            error_code: p.error_code,
            leader: p.leader_id.0,
            replicas: ids(&p.replica_nodes),
            isr: ids(&p.isr_nodes),
            offline: ids(&p.offline_replicas),
            elr: None,
            last_known_elr: None,
        }
    }
}

impl From<&DescribeTopicPartitionsResponsePartition> for PartitionMetadata {
    fn from(p: &DescribeTopicPartitionsResponsePartition) -> Self {
        PartitionMetadata {
            partition: p.partition_index,
            error_code: p.error_code,
            leader: p.leader_id.0,
            replicas: ids(&p.replica_nodes),
            isr: ids(&p.isr_nodes),
            offline: ids(&p.offline_replicas),
            elr: p.eligible_leader_replicas.as_deref().map(ids),
            last_known_elr: p.last_known_elr.as_deref().map(ids),
        }
    }
}

impl KafkaAdmin {
    /// Every topic (internal ones included) with its partitions, and the live brokers: one
    /// Metadata request.
    pub async fn metadata(&self) -> Result<ClusterMetadata, AdminError> {
        let req = MetadataRequest::default().with_topics(None).with_allow_auto_topic_creation(false);
        let resp = self.call(|_| req.clone()).await?;
        check(MetadataRequest::NAME, resp.error_code, None)?;
        Ok(ClusterMetadata {
            cluster_id: resp.cluster_id.as_ref().map(|c| c.to_string()),
            controller_id: resp.controller_id.0,
            brokers: resp.brokers.iter().map(BrokerNode::from).collect(),
            topics: resp
                .topics
                .iter()
                .filter_map(|t| {
                    Some(TopicMetadata {
                        name: t.name.as_ref()?.to_string(),
                        topic_id: t.topic_id,
                        is_internal: t.is_internal,
                        error_code: t.error_code,
                        partitions: t.partitions.iter().map(PartitionMetadata::from).collect(),
                    })
                })
                .collect(),
        })
    }

    /// The named topics' partitions through DescribeTopicPartitions (Kafka 3.8+), following
    /// the broker's cursor until every partition is in, at most `partition_limit` per answer.
    /// `None` when the broker does not serve it: [`KafkaAdmin::metadata`] has the same but ELR.
    pub async fn describe_topic_partitions(
        &self,
        names: &[String],
        partition_limit: i32,
    ) -> Result<Option<Vec<TopicMetadata>>, AdminError> {
        if !self.serves::<DescribeTopicPartitionsRequest>().await? {
            return Ok(None);
        }
        let topics: Vec<TopicRequest> = names.iter().map(|n| TopicRequest::default().with_name(topic_name(n))).collect();
        let mut out: Vec<TopicMetadata> = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let req = DescribeTopicPartitionsRequest::default()
                .with_topics(topics.clone())
                .with_response_partition_limit(partition_limit)
                .with_cursor(cursor.clone());
            let resp = self.call(|_| req.clone()).await?;
            for t in &resp.topics {
                let Some(name) = t.name.as_ref().map(|n| n.to_string()) else {
                    continue;
                };
                let partitions = t.partitions.iter().map(PartitionMetadata::from);
                match out.iter_mut().find(|o| o.name == name) {
                    Some(known) => known.partitions.extend(partitions),
                    None => out.push(TopicMetadata {
                        name,
                        topic_id: t.topic_id,
                        is_internal: t.is_internal,
                        error_code: t.error_code,
                        partitions: partitions.collect(),
                    }),
                }
            }
            let next = resp.next_cursor.map(|c| {
                Cursor::default()
                    .with_topic_name(c.topic_name)
                    .with_partition_index(c.partition_index)
            });
            match next {
                // A cursor that does not move would loop forever: stop there.
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => return Ok(Some(out)),
            }
        }
    }
}
