//! A group's committed offsets through the admin API: read them (OffsetFetch), set them as an
//! admin does (OffsetCommit with no member and generation -1, which the coordinator accepts only
//! while the group has no members), and delete them (OffsetDelete). Send these to the group's
//! coordinator.

use std::collections::BTreeMap;

use kafka_protocol::messages::offset_commit_request::{OffsetCommitRequestPartition, OffsetCommitRequestTopic};
use kafka_protocol::messages::offset_delete_request::{OffsetDeleteRequestPartition, OffsetDeleteRequestTopic};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::{OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::offsets::TopicPartition;
use super::versions::AdminRequest;
use crate::strings::{group_id, topic_name};

/// One committed offset. `offset` is -1 when the broker lists the partition without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedOffset {
    pub offset: i64,
    /// The leader epoch the committer saw, when it said.
    pub leader_epoch: Option<i32>,
}

/// Groups partitions by topic, in topic order, for the requests that nest them so.
fn by_topic<'a, T>(entries: impl IntoIterator<Item = (&'a TopicPartition, T)>) -> BTreeMap<&'a str, Vec<(i32, T)>> {
    let mut topics: BTreeMap<&str, Vec<(i32, T)>> = BTreeMap::new();
    for (tp, v) in entries {
        topics.entry(&tp.topic).or_default().push((tp.partition, v));
    }
    topics
}

impl KafkaAdmin {
    /// Every offset `group` has committed (OffsetFetch for all partitions, not requiring stable
    /// offsets, as Kafka's admin client asks). A group-level error (`GROUP_ID_NOT_FOUND` from
    /// some brokers, `NOT_COORDINATOR`, …) is an error; partitions the broker answers with an
    /// error are left out, as Kafka's admin client leaves them out.
    pub async fn committed_offsets(&self, group: &str) -> Result<BTreeMap<TopicPartition, CommittedOffset>, AdminError> {
        let resp = self
            .call(|version| {
                if version >= 8 {
                    OffsetFetchRequest::default().with_groups(vec![OffsetFetchRequestGroup::default()
                        .with_group_id(group_id(group))
                        .with_topics(None)])
                } else {
                    OffsetFetchRequest::default().with_group_id(group_id(group)).with_topics(None)
                }
            })
            .await?;
        let mut out = BTreeMap::new();
        let mut add = |topic: &TopicName, partition: i32, offset: i64, epoch: i32, error: i16| {
            if error != 0 {
                tracing::warn!(group, topic = %topic.0, partition, error, "skipping a committed offset the broker answered with an error");
                return;
            }
            out.insert(
                TopicPartition::new(topic.0.to_string(), partition),
                CommittedOffset {
                    offset,
                    leader_epoch: (epoch >= 0).then_some(epoch),
                },
            );
        };
        if let Some(g) = resp.groups.iter().find(|g| &*g.group_id.0 == group) {
            check(OffsetFetchRequest::NAME, g.error_code, None)?;
            for t in &g.topics {
                for p in &t.partitions {
                    add(
                        &t.name,
                        p.partition_index,
                        p.committed_offset,
                        p.committed_leader_epoch,
                        p.error_code,
                    );
                }
            }
        } else if !resp.groups.is_empty() {
            return Err(AdminError::Protocol(format!(
                "OffsetFetch answer has no result for group {group:?}"
            )));
        } else {
            check(OffsetFetchRequest::NAME, resp.error_code, None)?;
            for t in &resp.topics {
                for p in &t.partitions {
                    add(
                        &t.name,
                        p.partition_index,
                        p.committed_offset,
                        p.committed_leader_epoch,
                        p.error_code,
                    );
                }
            }
        }
        Ok(out)
    }

    /// Commits `offsets` for `group` as an admin: no member id, generation -1, no leader epoch,
    /// empty metadata (Kafka's `alterConsumerGroupOffsets`). The coordinator refuses it while
    /// the group has members (`UNKNOWN_MEMBER_ID`). Each partition's error code, 0 when set.
    pub async fn commit_offsets(
        &self,
        group: &str,
        offsets: &BTreeMap<TopicPartition, i64>,
    ) -> Result<Vec<(TopicPartition, i16)>, AdminError> {
        let topics: Vec<OffsetCommitRequestTopic> = by_topic(offsets.iter().map(|(tp, o)| (tp, *o)))
            .into_iter()
            .map(|(name, parts)| {
                OffsetCommitRequestTopic::default().with_name(topic_name(name)).with_partitions(
                    parts
                        .into_iter()
                        .map(|(p, o)| {
                            OffsetCommitRequestPartition::default()
                                .with_partition_index(p)
                                .with_committed_offset(o)
                                .with_committed_leader_epoch(-1)
                                .with_committed_metadata(Some(StrBytes::default()))
                        })
                        .collect(),
                )
            })
            .collect();
        let req = OffsetCommitRequest::default()
            .with_group_id(group_id(group))
            .with_generation_id_or_member_epoch(-1)
            .with_member_id(StrBytes::default())
            .with_topics(topics);
        let resp = self.call(|_| req.clone()).await?;
        Ok(resp
            .topics
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| (TopicPartition::new(t.name.0.to_string(), p.partition_index), p.error_code))
            })
            .collect())
    }

    /// Deletes `group`'s committed offsets for `partitions` (OffsetDelete). The group-level
    /// error code (`GROUP_ID_NOT_FOUND`, `NON_EMPTY_GROUP`, …) and each partition's
    /// (`GROUP_SUBSCRIBED_TO_TOPIC` while members read the topic, …).
    pub async fn delete_committed_offsets(
        &self,
        group: &str,
        partitions: &[TopicPartition],
    ) -> Result<(i16, Vec<(TopicPartition, i16)>), AdminError> {
        let topics: Vec<OffsetDeleteRequestTopic> = by_topic(partitions.iter().map(|tp| (tp, ())))
            .into_iter()
            .map(|(name, parts)| {
                OffsetDeleteRequestTopic::default().with_name(topic_name(name)).with_partitions(
                    parts
                        .into_iter()
                        .map(|(p, ())| OffsetDeleteRequestPartition::default().with_partition_index(p))
                        .collect(),
                )
            })
            .collect();
        let req = OffsetDeleteRequest::default().with_group_id(group_id(group)).with_topics(topics);
        let resp = self.call(|_| req.clone()).await?;
        let results = resp
            .topics
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| (TopicPartition::new(t.name.0.to_string(), p.partition_index), p.error_code))
            })
            .collect();
        Ok((resp.error_code, results))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_nest_under_their_topics_in_order() {
        let a0 = TopicPartition::new("a", 0);
        let b1 = TopicPartition::new("b", 1);
        let a2 = TopicPartition::new("a", 2);
        let topics = by_topic([(&b1, 'x'), (&a0, 'y'), (&a2, 'z')]);
        assert_eq!(topics.keys().copied().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(topics["a"], vec![(0, 'y'), (2, 'z')]);
        assert_eq!(topics["b"], vec![(1, 'x')]);
    }
}
