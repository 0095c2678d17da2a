//! Consumer groups through the admin API: find a group's coordinator (FindCoordinator), list the
//! groups a broker coordinates (ListGroups, with Kafka's state and type filters), describe
//! groups (ConsumerGroupDescribe for KIP-848 groups, DescribeGroups for classic ones, whose
//! members' assignments are ConsumerProtocol bytes decoded here), delete groups (DeleteGroups).
//! Group requests other than ListGroups must go to the group's coordinator: use
//! [`KafkaAdmin::at`] with the address [`KafkaAdmin::find_coordinator`] returns.

use std::sync::atomic::{AtomicI16, Ordering};

use bytes::Buf;
use kafka_protocol::messages::consumer_group_describe_response::Assignment;
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerProtocolAssignment, DeleteGroupsRequest, DescribeGroupsRequest, FindCoordinatorRequest,
    ListGroupsRequest,
};
use kafka_protocol::protocol::{Decodable, Message};

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::metadata::BrokerNode;
use super::offsets::TopicPartition;
use super::versions::AdminRequest;
use crate::strings::{group_id, str_bytes};

/// `FindCoordinatorRequest.CoordinatorType.GROUP`.
const COORDINATOR_GROUP: i8 = 0;

/// One group in a ListGroups answer. `state` (v4+) and `group_type` (v5+) are `None` when the
/// broker's version does not carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedGroup {
    pub group_id: String,
    pub protocol_type: String,
    pub state: Option<String>,
    pub group_type: Option<String>,
}

/// Which protocol a described group speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupProtocol {
    /// JoinGroup/SyncGroup (DescribeGroups).
    Classic,
    /// KIP-848 (ConsumerGroupDescribe).
    Consumer,
}

/// One member of a described group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    /// The partitions it owns now.
    pub assignment: Vec<TopicPartition>,
    /// KIP-848 only: the partitions the coordinator wants it to own.
    pub target_assignment: Option<Vec<TopicPartition>>,
    /// KIP-848 only.
    pub member_epoch: Option<i32>,
    /// KIP-848 only: whether a classic member was upgraded to the new protocol.
    pub upgraded: Option<bool>,
}

/// One group of a describe answer; `error_code` is non-zero when the broker could not describe
/// it (e.g. `GROUP_ID_NOT_FOUND`), and then the rest is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDescription {
    pub group_id: String,
    pub error_code: i16,
    pub error_message: Option<String>,
    pub protocol: GroupProtocol,
    /// As the broker spells it: `Stable`, `Empty`, `PreparingRebalance`, …
    pub state: String,
    /// Classic groups: `consumer` for consumer groups, empty for groups that only commit.
    pub protocol_type: String,
    /// The assignor (`range`, `uniform`, …); empty when none was chosen.
    pub assignor: String,
    pub members: Vec<GroupMember>,
    pub group_epoch: Option<i32>,
    pub assignment_epoch: Option<i32>,
}

impl KafkaAdmin {
    /// The coordinator of `group` (FindCoordinator). Kafka answers `COORDINATOR_NOT_AVAILABLE`
    /// while its offsets topic is being created; callers retry that.
    pub async fn find_coordinator(&self, group: &str) -> Result<BrokerNode, AdminError> {
        let resp = self
            .call(|version| {
                let req = FindCoordinatorRequest::default().with_key_type(COORDINATOR_GROUP);
                if version >= 4 {
                    req.with_coordinator_keys(vec![str_bytes(group)])
                } else {
                    req.with_key(str_bytes(group))
                }
            })
            .await?;
        if resp.coordinators.is_empty() {
            // v0-3: the answer is at the top level.
            check(FindCoordinatorRequest::NAME, resp.error_code, resp.error_message.as_ref())?;
            return Ok(BrokerNode {
                node_id: resp.node_id.0,
                host: resp.host.to_string(),
                port: resp.port,
                rack: None,
            });
        }
        let c = resp
            .coordinators
            .iter()
            .find(|c| &*c.key == group)
            .ok_or_else(|| AdminError::Protocol(format!("FindCoordinator answer has no coordinator for group {group:?}")))?;
        check(FindCoordinatorRequest::NAME, c.error_code, c.error_message.as_ref())?;
        Ok(BrokerNode {
            node_id: c.node_id.0,
            host: c.host.to_string(),
            port: c.port,
            rack: None,
        })
    }

    /// The groups this broker coordinates, in its order. Empty filters list every group; a
    /// broker too old for a filter (ListGroups v3- for states, v4- for types) answers unfiltered.
    pub async fn list_groups(&self, states: &[String], types: &[String]) -> Result<Vec<ListedGroup>, AdminError> {
        let req = ListGroupsRequest::default()
            .with_states_filter(states.iter().map(|s| str_bytes(s)).collect())
            .with_types_filter(types.iter().map(|t| str_bytes(t)).collect());
        let served = AtomicI16::new(0);
        let resp = self
            .call(|version| {
                served.store(version, Ordering::Relaxed);
                let mut r = req.clone();
                if version < 4 {
                    r.states_filter.clear();
                }
                if version < 5 {
                    r.types_filter.clear();
                }
                r
            })
            .await?;
        check(ListGroupsRequest::NAME, resp.error_code, None)?;
        let served = served.load(Ordering::Relaxed);
        Ok(resp
            .groups
            .iter()
            .map(|g| ListedGroup {
                group_id: g.group_id.0.to_string(),
                protocol_type: g.protocol_type.to_string(),
                state: (served >= 4).then(|| g.group_state.to_string()),
                group_type: (served >= 5).then(|| g.group_type.to_string()),
            })
            .collect())
    }

    /// Describes classic groups (DescribeGroups); send it to their coordinator. Members of
    /// consumer groups (protocol type `consumer` or empty) carry their decoded assignments.
    pub async fn describe_groups(&self, groups: &[String]) -> Result<Vec<GroupDescription>, AdminError> {
        let req = DescribeGroupsRequest::default().with_groups(groups.iter().map(|g| group_id(g)).collect());
        let resp = self.call(|_| req.clone()).await?;
        let mut out = Vec::with_capacity(resp.groups.len());
        for g in &resp.groups {
            let is_consumer = g.protocol_type.is_empty() || &*g.protocol_type == "consumer";
            let mut members = Vec::with_capacity(g.members.len());
            for m in &g.members {
                let assignment = if is_consumer && !m.member_assignment.is_empty() {
                    decode_assignment(&m.member_assignment)
                        .map_err(|e| AdminError::Protocol(format!("member {} of group {}: {e}", m.member_id, g.group_id.0)))?
                } else {
                    Vec::new()
                };
                members.push(GroupMember {
                    member_id: m.member_id.to_string(),
                    instance_id: m.group_instance_id.as_ref().map(|i| i.to_string()),
                    client_id: m.client_id.to_string(),
                    client_host: m.client_host.to_string(),
                    assignment,
                    ..GroupMember::default()
                });
            }
            out.push(GroupDescription {
                group_id: g.group_id.0.to_string(),
                error_code: g.error_code,
                error_message: g.error_message.as_ref().map(|m| m.to_string()),
                protocol: GroupProtocol::Classic,
                state: g.group_state.to_string(),
                protocol_type: g.protocol_type.to_string(),
                assignor: g.protocol_data.to_string(),
                members,
                group_epoch: None,
                assignment_epoch: None,
            });
        }
        Ok(out)
    }

    /// Describes KIP-848 consumer groups (ConsumerGroupDescribe); send it to their coordinator.
    /// `None` when the broker serves no ConsumerGroupDescribe version this client speaks (use
    /// DescribeGroups). A classic
    /// group is answered with `GROUP_ID_NOT_FOUND`, as is a group that does not exist.
    pub async fn consumer_group_describe(&self, groups: &[String]) -> Result<Option<Vec<GroupDescription>>, AdminError> {
        if !self.serves::<ConsumerGroupDescribeRequest>().await? {
            return Ok(None);
        }
        let req = ConsumerGroupDescribeRequest::default().with_group_ids(groups.iter().map(|g| group_id(g)).collect());
        let resp = self.call(|_| req.clone()).await?;
        let partitions = |a: &Assignment| -> Vec<TopicPartition> {
            a.topic_partitions
                .iter()
                .flat_map(|t| t.partitions.iter().map(|p| TopicPartition::new(t.topic_name.0.to_string(), *p)))
                .collect()
        };
        Ok(Some(
            resp.groups
                .iter()
                .map(|g| GroupDescription {
                    group_id: g.group_id.0.to_string(),
                    error_code: g.error_code,
                    error_message: g.error_message.as_ref().map(|m| m.to_string()),
                    protocol: GroupProtocol::Consumer,
                    state: g.group_state.to_string(),
                    protocol_type: "consumer".to_string(),
                    assignor: g.assignor_name.to_string(),
                    members: g
                        .members
                        .iter()
                        .map(|m| GroupMember {
                            member_id: m.member_id.to_string(),
                            instance_id: m.instance_id.as_ref().map(|i| i.to_string()),
                            client_id: m.client_id.to_string(),
                            client_host: m.client_host.to_string(),
                            assignment: partitions(&m.assignment),
                            target_assignment: Some(partitions(&m.target_assignment)),
                            member_epoch: Some(m.member_epoch),
                            upgraded: (m.member_type >= 0).then_some(m.member_type == 1),
                        })
                        .collect(),
                    group_epoch: Some(g.group_epoch),
                    assignment_epoch: Some(g.assignment_epoch),
                })
                .collect(),
        ))
    }

    /// Deletes groups (DeleteGroups); send it to their coordinator. Each group's error code
    /// (0 when deleted; `NON_EMPTY_GROUP`, `GROUP_ID_NOT_FOUND`, …), in request order.
    pub async fn delete_groups(&self, groups: &[String]) -> Result<Vec<(String, i16)>, AdminError> {
        let req = DeleteGroupsRequest::default().with_groups_names(groups.iter().map(|g| group_id(g)).collect());
        let resp = self.call(|_| req.clone()).await?;
        groups
            .iter()
            .map(|g| {
                resp.results
                    .iter()
                    .find(|r| &*r.group_id.0 == g.as_str())
                    .map(|r| (g.clone(), r.error_code))
                    .ok_or_else(|| AdminError::Protocol(format!("DeleteGroups answer has no result for group {g:?}")))
            })
            .collect()
    }
}

/// The partitions in a ConsumerProtocol assignment (the bytes a classic consumer group's leader
/// hands each member): a version, then the versioned body. A version newer than this client
/// knows is read as the newest it knows, as Kafka's `ConsumerProtocol` does (fields are only
/// ever appended).
pub fn decode_assignment(bytes: &[u8]) -> Result<Vec<TopicPartition>, String> {
    let mut buf = bytes::Bytes::copy_from_slice(bytes);
    if buf.remaining() < 2 {
        return Err("assignment shorter than its version".to_string());
    }
    let version = buf.get_i16();
    if version < 0 {
        return Err(format!("assignment version {version}"));
    }
    let version = version.min(ConsumerProtocolAssignment::VERSIONS.max);
    let a = ConsumerProtocolAssignment::decode(&mut buf, version).map_err(|e| format!("assignment v{version}: {e}"))?;
    Ok(a.assigned_partitions
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| TopicPartition::new(t.topic.0.to_string(), *p)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;
    use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition as AssignedTopic;
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::Encodable;
    use kafka_protocol::protocol::StrBytes;

    fn encoded(version: i16) -> Vec<u8> {
        let a = ConsumerProtocolAssignment::default().with_assigned_partitions(vec![
            AssignedTopic::default()
                .with_topic(TopicName(StrBytes::from_static_str("orders")))
                .with_partitions(vec![0, 2]),
            AssignedTopic::default()
                .with_topic(TopicName(StrBytes::from_static_str("audit")))
                .with_partitions(vec![1]),
        ]);
        let mut buf = bytes::BytesMut::new();
        buf.put_i16(version);
        a.encode(&mut buf, version.min(3)).unwrap();
        buf.to_vec()
    }

    #[test]
    fn assignments_decode_in_every_version() {
        for v in 0..=3 {
            assert_eq!(
                decode_assignment(&encoded(v)).unwrap(),
                vec![
                    TopicPartition::new("orders", 0),
                    TopicPartition::new("orders", 2),
                    TopicPartition::new("audit", 1)
                ],
                "v{v}"
            );
        }
    }

    #[test]
    fn newer_assignment_versions_read_as_the_newest_known() {
        let mut bytes = encoded(3);
        bytes[..2].copy_from_slice(&7i16.to_be_bytes());
        assert_eq!(decode_assignment(&bytes).unwrap().len(), 3);
    }

    #[test]
    fn broken_assignments_are_errors_not_panics() {
        assert!(decode_assignment(&[]).is_err());
        assert!(decode_assignment(&[0]).is_err());
        assert!(decode_assignment(&[0, 0, 0, 0, 0, 9]).is_err());
        assert!(decode_assignment(&[0xff, 0xff]).is_err());
    }
}
