//! Classic group membership for a custom protocol type (Kafka Connect's `connect`, or anything
//! else that rebalances through a group coordinator): JoinGroup, SyncGroup, Heartbeat and
//! LeaveGroup, one call each, as Kafka's `AbstractCoordinator` sends them. The calls go to the
//! group's coordinator: [`KafkaAdmin::group_coordinator`] finds it (FindCoordinator) and gives a
//! client for it. A member holds its own client (one connection): JoinGroup and a follower's
//! SyncGroup are held by the broker until the rebalance moves on, and calls on one client go one
//! at a time.
//!
//! What is left to the caller is the loop around them (when to heartbeat, when to rejoin): the
//! coordinator's answer comes back as a [`MembershipError::Kafka`] carrying Kafka's error
//! ([`ResponseError`]), so the loop matches on `REBALANCE_IN_PROGRESS` (rejoin), `UNKNOWN_MEMBER_ID`
//! and `ILLEGAL_GENERATION` (rejoin as a new member), `NOT_COORDINATOR` and
//! `COORDINATOR_NOT_AVAILABLE` (find the coordinator again), … — the helpers on
//! [`MembershipError`] say which is which. Only `MEMBER_ID_REQUIRED` is handled here: JoinGroup
//! v4+ first answers a member without an id with one, and [`KafkaAdmin::join_group`] rejoins with
//! it at once, as Kafka's clients do.
//!
//! Versions: JoinGroup v5-9, SyncGroup v3-5, Heartbeat v3-4 and LeaveGroup v3-5 (Kafka 2.3+, the
//! versions with `group.instance.id`); the highest both sides serve is sent.

use std::sync::atomic::{AtomicI16, Ordering};
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, SyncGroupRequest};
use kafka_protocol::protocol::StrBytes;

use super::client::KafkaAdmin;
use super::error::{error_name, AdminError};
use super::versions::AdminRequest;
use crate::strings::{group_id, str_bytes};

/// The member id of a member that has not joined yet (`JoinGroupRequest.UNKNOWN_MEMBER_ID`).
pub const UNKNOWN_MEMBER_ID: &str = "";

/// The generation of a member outside any generation (`OffsetCommitRequest.DEFAULT_GENERATION_ID`).
pub const NO_GENERATION: i32 = -1;

/// How much longer than the rebalance timeout a JoinGroup may take to be answered, as Kafka's
/// `AbstractCoordinator` allows (`JOIN_GROUP_TIMEOUT_LAPSE`).
const JOIN_GROUP_TIMEOUT_LAPSE: Duration = Duration::from_secs(5);

/// A JoinGroup: who joins, with which protocols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinGroup {
    pub group_id: String,
    /// [`UNKNOWN_MEMBER_ID`] for a new member, else the id its last join got.
    pub member_id: String,
    /// A static member's `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// `connect` for Kafka Connect, `consumer` for consumers; every member of a group must agree.
    pub protocol_type: String,
    /// The protocols this member speaks, most preferred first: name and metadata (Connect:
    /// `sessioned`, `compatible`, `default` with the worker's state).
    pub protocols: Vec<(String, Bytes)>,
    /// Without a heartbeat for this long the coordinator drops the member.
    pub session_timeout: Duration,
    /// How long the coordinator waits for every member to rejoin; the call is given this long
    /// plus 5 s to be answered (at least the client's request timeout).
    pub rebalance_timeout: Duration,
    /// Why the member (re)joins (JoinGroup v8+; for the broker's log).
    pub reason: Option<String>,
}

/// A completed join: the new generation, and for the leader every member's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedGroup {
    pub generation_id: i32,
    /// This member's id (assigned by the coordinator for a new member).
    pub member_id: String,
    /// The leader's member id.
    pub leader: String,
    /// The protocol type the coordinator chose (JoinGroup v7+; `None` before).
    pub protocol_type: Option<String>,
    /// The protocol the coordinator chose: the one every member speaks that most prefer.
    pub protocol_name: String,
    /// v9+: the leader must not compute an assignment (a static leader rejoined a stable group);
    /// it syncs with no assignments.
    pub skip_assignment: bool,
    /// Every member with its metadata for the chosen protocol; empty except for the leader.
    pub members: Vec<JoinedMember>,
}

impl JoinedGroup {
    /// Whether this member leads the generation (computes the assignment).
    pub fn is_leader(&self) -> bool {
        self.leader == self.member_id
    }
}

/// One member in the leader's JoinGroup answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// Its metadata for the chosen protocol.
    pub metadata: Bytes,
}

/// A SyncGroup: the leader hands in every member's assignment, followers send none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// As the join answered (SyncGroup v5+ lets the coordinator check them).
    pub protocol_type: String,
    pub protocol_name: String,
    /// The leader's assignment: member id and its bytes; empty for a follower.
    pub assignments: Vec<(String, Bytes)>,
}

/// This member's share of the generation's assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedGroup {
    /// The bytes the leader assigned to this member (empty when it assigned none).
    pub assignment: Bytes,
    /// SyncGroup v5+: the protocol type and name the coordinator holds.
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
}

/// Why a membership call failed: the coordinator's answer (Kafka's error, to match on), or no
/// usable answer at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// The coordinator answered with an error code.
    #[error("{api} failed: {} (error code {}){}", error_name(error.code()), error.code(), message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Kafka {
        api: &'static str,
        error: ResponseError,
        message: Option<String>,
    },
    /// No answer: unreachable, timed out, or a protocol error.
    #[error(transparent)]
    Client(AdminError),
}

impl From<AdminError> for MembershipError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Kafka { api, code, message, .. } => MembershipError::Kafka {
                api,
                error: ResponseError::try_from_code(code).unwrap_or(ResponseError::Unknown(code)),
                message,
            },
            other => MembershipError::Client(other),
        }
    }
}

impl MembershipError {
    /// Kafka's error, when the coordinator answered with one.
    pub fn error(&self) -> Option<ResponseError> {
        match self {
            MembershipError::Kafka { error, .. } => Some(*error),
            MembershipError::Client(_) => None,
        }
    }

    /// The Kafka error code, when the coordinator answered with one.
    pub fn code(&self) -> Option<i16> {
        self.error().map(|e| e.code())
    }

    /// True when the coordinator answered with this error.
    pub fn is(&self, error: ResponseError) -> bool {
        self.error() == Some(error)
    }

    /// The group is rebalancing: rejoin with the same member id (`REBALANCE_IN_PROGRESS`).
    pub fn is_rebalance(&self) -> bool {
        self.is(ResponseError::RebalanceInProgress)
    }

    /// The coordinator no longer knows this member in this generation: forget the member id and
    /// generation and join as a new member (`UNKNOWN_MEMBER_ID`, `ILLEGAL_GENERATION`).
    pub fn resets_member(&self) -> bool {
        self.is(ResponseError::UnknownMemberId) || self.is(ResponseError::IllegalGeneration)
    }

    /// The coordinator moved or is not up yet: find it again and retry (`NOT_COORDINATOR`,
    /// `COORDINATOR_NOT_AVAILABLE`), or the broker could not be reached.
    pub fn coordinator_lost(&self) -> bool {
        match self {
            MembershipError::Kafka { error, .. } => {
                matches!(error, ResponseError::NotCoordinator | ResponseError::CoordinatorNotAvailable)
            }
            MembershipError::Client(AdminError::Unreachable { .. } | AdminError::Timeout { .. }) => true,
            MembershipError::Client(_) => false,
        }
    }

    /// True when the same call may succeed later (Kafka marks the error retriable, e.g.
    /// `COORDINATOR_LOAD_IN_PROGRESS`, or the broker was unreachable or slow).
    pub fn is_retriable(&self) -> bool {
        match self {
            MembershipError::Kafka { error, .. } => error.is_retriable(),
            MembershipError::Client(e) => e.is_retriable(),
        }
    }
}

/// `Ok(())` for error code 0, else the [`MembershipError::Kafka`] for it.
fn check(api: &'static str, code: i16) -> Result<(), MembershipError> {
    match ResponseError::try_from_code(code) {
        None => Ok(()),
        Some(error) => Err(MembershipError::Kafka { api, error, message: None }),
    }
}

fn opt_str(s: Option<&str>) -> Option<StrBytes> {
    s.map(str_bytes)
}

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

impl KafkaAdmin {
    /// A client for `group`'s coordinator (FindCoordinator, then [`KafkaAdmin::at`]). Kafka
    /// answers `COORDINATOR_NOT_AVAILABLE` while its offsets topic is being created: retry.
    pub async fn group_coordinator(&self, group: &str) -> Result<KafkaAdmin, MembershipError> {
        let node = self.find_coordinator(group).await?;
        Ok(self.at(&node.address()))
    }

    /// Joins (or rejoins) a group and waits for the rebalance's join phase to end (JoinGroup).
    /// A new member's first answer, `MEMBER_ID_REQUIRED` with its id, is followed by a rejoin
    /// with that id here.
    pub async fn join_group(&self, join: &JoinGroup) -> Result<JoinedGroup, MembershipError> {
        let mut member_id = join.member_id.clone();
        let limit = self.timeout().max(join.rebalance_timeout + JOIN_GROUP_TIMEOUT_LAPSE);
        // Twice at most: the second join carries the id the first was given.
        for attempt in 0..2 {
            let served = AtomicI16::new(0);
            let resp = self
                .call_within(limit, |version| {
                    served.store(version, Ordering::Relaxed);
                    JoinGroupRequest::default()
                        .with_group_id(group_id(&join.group_id))
                        .with_session_timeout_ms(millis(join.session_timeout))
                        .with_rebalance_timeout_ms(millis(join.rebalance_timeout))
                        .with_member_id(str_bytes(&member_id))
                        .with_group_instance_id(opt_str(join.group_instance_id.as_deref()))
                        .with_protocol_type(str_bytes(&join.protocol_type))
                        .with_protocols(
                            join.protocols
                                .iter()
                                .map(|(name, metadata)| {
                                    JoinGroupRequestProtocol::default()
                                        .with_name(str_bytes(name))
                                        .with_metadata(metadata.clone())
                                })
                                .collect(),
                        )
                        .with_reason(if version >= 8 { opt_str(join.reason.as_deref()) } else { None })
                })
                .await?;
            if resp.error_code == ResponseError::MemberIdRequired.code() && attempt == 0 && !resp.member_id.is_empty() {
                tracing::debug!(group = %join.group_id, member = %resp.member_id, "JoinGroup: MEMBER_ID_REQUIRED; rejoining with the given id");
                member_id = resp.member_id.to_string();
                continue;
            }
            check(JoinGroupRequest::NAME, resp.error_code)?;
            let version = served.load(Ordering::Relaxed);
            return Ok(JoinedGroup {
                generation_id: resp.generation_id,
                member_id: resp.member_id.to_string(),
                leader: resp.leader.to_string(),
                protocol_type: if version >= 7 {
                    resp.protocol_type.as_ref().map(|t| t.to_string())
                } else {
                    None
                },
                protocol_name: resp.protocol_name.as_ref().map(|n| n.to_string()).unwrap_or_default(),
                skip_assignment: resp.skip_assignment,
                members: resp
                    .members
                    .into_iter()
                    .map(|m| JoinedMember {
                        member_id: m.member_id.to_string(),
                        group_instance_id: m.group_instance_id.map(|i| i.to_string()),
                        metadata: m.metadata,
                    })
                    .collect(),
            });
        }
        unreachable!("the second JoinGroup answer is returned")
    }

    /// Hands in the leader's assignment, or as a follower waits for it, and returns this member's
    /// share (SyncGroup). Bounded by the client's request timeout, as in Kafka's clients.
    pub async fn sync_group(&self, sync: &SyncGroup) -> Result<SyncedGroup, MembershipError> {
        let resp = self
            .call(|_| {
                SyncGroupRequest::default()
                    .with_group_id(group_id(&sync.group_id))
                    .with_generation_id(sync.generation_id)
                    .with_member_id(str_bytes(&sync.member_id))
                    .with_group_instance_id(opt_str(sync.group_instance_id.as_deref()))
                    // Sent from v5 on only (the encoder leaves them out before).
                    .with_protocol_type(Some(str_bytes(&sync.protocol_type)))
                    .with_protocol_name(Some(str_bytes(&sync.protocol_name)))
                    .with_assignments(
                        sync.assignments
                            .iter()
                            .map(|(member, assignment)| {
                                SyncGroupRequestAssignment::default()
                                    .with_member_id(str_bytes(member))
                                    .with_assignment(assignment.clone())
                            })
                            .collect(),
                    )
            })
            .await?;
        check(SyncGroupRequest::NAME, resp.error_code)?;
        Ok(SyncedGroup {
            assignment: resp.assignment,
            protocol_type: resp.protocol_type.map(|t| t.to_string()),
            protocol_name: resp.protocol_name.map(|n| n.to_string()),
        })
    }

    /// Tells the coordinator this member is alive in `generation_id` (Heartbeat). A rebalance
    /// that has begun answers `REBALANCE_IN_PROGRESS`: rejoin.
    pub async fn heartbeat(
        &self,
        group: &str,
        generation_id: i32,
        member_id: &str,
        group_instance_id: Option<&str>,
    ) -> Result<(), MembershipError> {
        let resp = self
            .call(|_| {
                HeartbeatRequest::default()
                    .with_group_id(group_id(group))
                    .with_generation_id(generation_id)
                    .with_member_id(str_bytes(member_id))
                    .with_group_instance_id(opt_str(group_instance_id))
            })
            .await?;
        check(HeartbeatRequest::NAME, resp.error_code)
    }

    /// Leaves the group (LeaveGroup); the others rebalance without waiting for this member's
    /// session to expire. The member's own error (e.g. `UNKNOWN_MEMBER_ID`) is the call's.
    pub async fn leave_group(
        &self,
        group: &str,
        member_id: &str,
        group_instance_id: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), MembershipError> {
        let resp = self
            .call(|version| {
                LeaveGroupRequest::default()
                    .with_group_id(group_id(group))
                    .with_members(vec![MemberIdentity::default()
                        .with_member_id(str_bytes(member_id))
                        .with_group_instance_id(opt_str(group_instance_id))
                        .with_reason(if version >= 5 { opt_str(reason) } else { None })])
            })
            .await?;
        check(LeaveGroupRequest::NAME, resp.error_code)?;
        let member = resp
            .members
            .iter()
            .find(|m| &*m.member_id == member_id)
            .or(resp.members.first())
            .ok_or_else(|| AdminError::Protocol(format!("LeaveGroup answer has no result for member {member_id:?}")))?;
        check(LeaveGroupRequest::NAME, member.error_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_errors_become_typed_errors() {
        let e: MembershipError = AdminError::Kafka {
            api: "FindCoordinator",
            code: 15,
            name: error_name(15),
            message: Some("loading".into()),
        }
        .into();
        assert!(e.is(ResponseError::CoordinatorNotAvailable));
        assert!(e.coordinator_lost() && e.is_retriable() && !e.is_rebalance());
        assert_eq!(
            e.to_string(),
            "FindCoordinator failed: COORDINATOR_NOT_AVAILABLE (error code 15): loading"
        );
        let e: MembershipError = AdminError::Timeout { api: "JoinGroup" }.into();
        assert_eq!(e, MembershipError::Client(AdminError::Timeout { api: "JoinGroup" }));
        assert_eq!(e.code(), None);
        assert!(e.coordinator_lost());
    }

    #[test]
    fn codes_name_what_the_member_does_next() {
        let e = check("Heartbeat", 27).unwrap_err();
        assert!(matches!(
            e,
            MembershipError::Kafka {
                error: ResponseError::RebalanceInProgress,
                ..
            }
        ));
        assert!(e.is_rebalance() && !e.resets_member());
        assert_eq!(e.to_string(), "Heartbeat failed: REBALANCE_IN_PROGRESS (error code 27)");
        assert!(check("Heartbeat", 22).unwrap_err().resets_member());
        assert!(check("SyncGroup", 25).unwrap_err().resets_member());
        assert!(check("JoinGroup", 16).unwrap_err().coordinator_lost());
        assert_eq!(check("JoinGroup", 9999).unwrap_err().code(), Some(9999));
        assert!(check("JoinGroup", 0).is_ok());
    }

    #[test]
    fn joined_group_knows_its_leader() {
        let mut j = JoinedGroup {
            generation_id: 1,
            member_id: "a".into(),
            leader: "a".into(),
            protocol_type: Some("connect".into()),
            protocol_name: "sessioned".into(),
            skip_assignment: false,
            members: vec![],
        };
        assert!(j.is_leader());
        j.leader = "b".into();
        assert!(!j.is_leader());
    }
}
