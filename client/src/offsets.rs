//! Where partitions live and what offsets they hold: Metadata for the brokers and each
//! partition's leader, then ListOffsets (earliest, latest, or the first offset at or after a
//! timestamp) sent to each partition's leader — a follower answers NOT_LEADER_OR_FOLLOWER.
//! `kaskade consumer-groups` needs both for lag (log-end offsets) and for offset resets.

use std::collections::{BTreeMap, BTreeSet};

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{BrokerId, ListOffsetsRequest, MetadataRequest};

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::metadata::BrokerNode;
use super::versions::AdminRequest;
use crate::strings::topic_name;

/// One partition of one topic, ordered by topic then partition. Displays as Java's
/// `TopicPartition.toString()`: `topic-partition`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl std::fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// One topic in a Metadata answer: its error (0 when it exists) and each partition's leader
/// (`None` while it has none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicLeaders {
    pub error_code: i16,
    pub partitions: BTreeMap<i32, Option<i32>>,
}

/// The cluster's brokers and, for the topics asked about, their partitions' leaders.
#[derive(Debug, Clone, Default)]
pub struct PartitionLeaders {
    pub brokers: BTreeMap<i32, BrokerNode>,
    pub topics: BTreeMap<String, TopicLeaders>,
}

/// Which offset ListOffsets looks up (Kafka's `OffsetSpec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The log start offset.
    Earliest,
    /// The log end offset (high watermark; read-uncommitted, as the admin client asks).
    Latest,
    /// The first offset whose timestamp is at or after this one (epoch ms); the answer is
    /// offset -1 when there is none.
    Timestamp(i64),
}

impl OffsetSpec {
    fn timestamp(self) -> i64 {
        match self {
            OffsetSpec::Earliest => -2,
            OffsetSpec::Latest => -1,
            OffsetSpec::Timestamp(ts) => ts,
        }
    }
}

impl KafkaAdmin {
    /// The brokers and, for `topics`, the partitions and their leaders. An empty `topics` asks
    /// for brokers only. Topics that do not exist are there with `UNKNOWN_TOPIC_OR_PARTITION`.
    pub async fn partition_leaders(&self, topics: &[String]) -> Result<PartitionLeaders, AdminError> {
        let wanted: Vec<MetadataRequestTopic> = topics
            .iter()
            .map(|t| MetadataRequestTopic::default().with_name(Some(topic_name(t))))
            .collect();
        let req = MetadataRequest::default()
            .with_topics(Some(wanted))
            .with_allow_auto_topic_creation(false);
        let resp = self.call(|_| req.clone()).await?;
        check(MetadataRequest::NAME, resp.error_code, None)?;
        let brokers = resp.brokers.iter().map(|b| (b.node_id.0, BrokerNode::from(b))).collect();
        let topics = resp
            .topics
            .iter()
            .filter_map(|t| {
                let name = t.name.as_ref()?.0.to_string();
                let partitions = t
                    .partitions
                    .iter()
                    .map(|p| (p.partition_index, (p.leader_id.0 >= 0).then_some(p.leader_id.0)))
                    .collect();
                Some((
                    name,
                    TopicLeaders {
                        error_code: t.error_code,
                        partitions,
                    },
                ))
            })
            .collect();
        Ok(PartitionLeaders { brokers, topics })
    }

    /// The offset `spec` names for each partition, asked of each partition's leader (found with
    /// Metadata). Each partition's answer is its offset or Kafka's error code for it: a partition
    /// with no leader is `LEADER_NOT_AVAILABLE`, one that does not exist
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    pub async fn list_offsets(
        &self,
        partitions: &BTreeSet<TopicPartition>,
        spec: OffsetSpec,
    ) -> Result<BTreeMap<TopicPartition, Result<i64, i16>>, AdminError> {
        let mut out = BTreeMap::new();
        if partitions.is_empty() {
            return Ok(out);
        }
        let topics: BTreeSet<String> = partitions.iter().map(|tp| tp.topic.clone()).collect();
        let meta = self.partition_leaders(&topics.into_iter().collect::<Vec<_>>()).await?;
        let mut by_leader: BTreeMap<i32, Vec<&TopicPartition>> = BTreeMap::new();
        for tp in partitions {
            let leader = match meta.topics.get(&tp.topic) {
                Some(t) if t.error_code != 0 => Err(t.error_code),
                Some(t) => match t.partitions.get(&tp.partition) {
                    Some(Some(leader)) => Ok(*leader),
                    Some(None) => Err(ResponseError::LeaderNotAvailable.code()),
                    None => Err(ResponseError::UnknownTopicOrPartition.code()),
                },
                None => Err(ResponseError::UnknownTopicOrPartition.code()),
            };
            match leader {
                Ok(leader) => by_leader.entry(leader).or_default().push(tp),
                Err(code) => {
                    out.insert(tp.clone(), Err(code));
                }
            }
        }
        for (leader, tps) in by_leader {
            let Some(node) = meta.brokers.get(&leader) else {
                for tp in tps {
                    out.insert(tp.clone(), Err(ResponseError::LeaderNotAvailable.code()));
                }
                continue;
            };
            out.extend(self.at(&node.address()).list_offsets_here(&tps, spec).await?);
        }
        Ok(out)
    }

    /// ListOffsets for partitions this broker leads.
    async fn list_offsets_here(
        &self,
        partitions: &[&TopicPartition],
        spec: OffsetSpec,
    ) -> Result<BTreeMap<TopicPartition, Result<i64, i16>>, AdminError> {
        let mut topics: BTreeMap<&str, Vec<ListOffsetsPartition>> = BTreeMap::new();
        for tp in partitions {
            topics.entry(&tp.topic).or_default().push(
                ListOffsetsPartition::default()
                    .with_partition_index(tp.partition)
                    .with_timestamp(spec.timestamp()),
            );
        }
        let topics: Vec<ListOffsetsTopic> = topics
            .into_iter()
            .map(|(name, parts)| ListOffsetsTopic::default().with_name(topic_name(name)).with_partitions(parts))
            .collect();
        let req = ListOffsetsRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_isolation_level(0)
            .with_topics(topics)
            .with_timeout_ms(self.timeout_ms());
        let resp = self.call(|_| req.clone()).await?;
        let mut out = BTreeMap::new();
        for t in &resp.topics {
            for p in &t.partitions {
                let tp = TopicPartition::new(t.name.0.to_string(), p.partition_index);
                let answer = if p.error_code == 0 { Ok(p.offset) } else { Err(p.error_code) };
                out.insert(tp, answer);
            }
        }
        for tp in partitions {
            if !out.contains_key(*tp) {
                return Err(AdminError::Protocol(format!("ListOffsets answer has no result for {tp}")));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_print_and_sort_as_kafka_names_them() {
        let mut v = [
            TopicPartition::new("b", 0),
            TopicPartition::new("a", 10),
            TopicPartition::new("a", 2),
        ];
        v.sort();
        assert_eq!(v.iter().map(ToString::to_string).collect::<Vec<_>>(), ["a-2", "a-10", "b-0"]);
    }

    #[test]
    fn broker_addresses_bracket_ipv6_hosts() {
        let v4 = BrokerNode {
            node_id: 1,
            host: "127.0.0.1".into(),
            port: 9092,
            rack: None,
        };
        let v6 = BrokerNode {
            node_id: 1,
            host: "::1".into(),
            port: 9092,
            rack: None,
        };
        assert_eq!(v4.address(), "127.0.0.1:9092");
        assert_eq!(v6.address(), "[::1]:9092");
    }

    #[test]
    fn specs_are_kafkas_magic_timestamps() {
        assert_eq!(OffsetSpec::Earliest.timestamp(), -2);
        assert_eq!(OffsetSpec::Latest.timestamp(), -1);
        assert_eq!(OffsetSpec::Timestamp(1_700_000_000_000).timestamp(), 1_700_000_000_000);
    }
}
