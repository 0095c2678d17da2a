//! One classic consumer group's state machine, as Kafka's coordinator runs it: Empty →
//! PreparingRebalance (members (re)join; the first rebalance of an empty group waits
//! `group.initial.rebalance.delay.ms` for more) → CompletingRebalance (the leader computes the
//! assignment) → Stable. Pure apart from answering parked requests: the caller holds the lock,
//! passes the time in, and persists the group when `dirty` is set.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::error::ResponseError;
use tokio::sync::oneshot;

use super::config::GroupConfig;
use super::member::{JoinOutcome, JoinedMember, Member, SyncOutcome};
use super::records::{GroupValue, OffsetValue, StoredMember};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    /// The name Kafka reports (DescribeGroups, ListGroups).
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

fn code(e: ResponseError) -> i16 {
    e.code()
}

/// A JoinGroup as the state machine needs it.
#[derive(Debug, Clone)]
pub struct JoinParams {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub session_timeout_ms: i32,
    pub rebalance_timeout_ms: i32,
    pub protocol_type: String,
    pub protocols: Vec<(String, Bytes)>,
    /// v4+: a new dynamic member first gets MEMBER_ID_REQUIRED and must rejoin with the id.
    pub require_known_member_id: bool,
    /// v9+: a static leader that rejoins can be told to skip computing an assignment.
    pub supports_skip_assignment: bool,
}

/// An answer now, or a parked request answered when the rebalance gets far enough.
pub enum Reply<T> {
    Now(T),
    Wait(oneshot::Receiver<T>),
}

pub type JoinReply = Reply<JoinOutcome>;
pub type SyncReply = Reply<SyncOutcome>;

impl<T> Reply<T> {
    /// The answer, waiting for it if parked; `gone` when the member was dropped meanwhile.
    pub async fn answer(self, gone: impl FnOnce() -> T) -> T {
        match self {
            Reply::Now(t) => t,
            Reply::Wait(rx) => rx.await.unwrap_or_else(|_| gone()),
        }
    }
}

/// The first rebalance of an empty group: wait for more members, extending while they come.
#[derive(Debug, Clone, Copy)]
struct InitialDelay {
    remaining_ms: i64,
    new_member_added: bool,
}

#[derive(Debug)]
pub struct Group {
    pub id: String,
    pub state: GroupState,
    /// Wall-clock ms of the last state change (Kafka's currentStateTimestamp).
    pub state_since_ms: i64,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// Members in join order (the first to rejoin leads when the leader is gone).
    pub members: Vec<Member>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, until they rejoin or time out.
    pub pending: Vec<(String, Instant)>,
    join_deadline: Option<Instant>,
    initial: Option<InitialDelay>,
    sync_deadline: Option<Instant>,
    pub offsets: BTreeMap<(String, i32), OffsetValue>,
    /// The group's metadata changed in a way that must be written to `__consumer_offsets`.
    pub dirty: bool,
}

impl Group {
    pub fn new(id: &str, now_ms: i64) -> Self {
        Group {
            id: id.to_string(),
            state: GroupState::Empty,
            state_since_ms: now_ms,
            generation: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: Vec::new(),
            pending: Vec::new(),
            join_deadline: None,
            initial: None,
            sync_deadline: None,
            offsets: BTreeMap::new(),
            dirty: false,
        }
    }

    fn set_state(&mut self, state: GroupState, now_ms: i64) {
        self.state = state;
        self.state_since_ms = now_ms;
    }

    fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    fn member_mut(&mut self, id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    pub fn static_member_id(&self, instance_id: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.instance_id.as_deref() == Some(instance_id))
            .map(|m| m.id.as_str())
    }

    pub fn is_leader(&self, member_id: &str) -> bool {
        self.leader.as_deref() == Some(member_id)
    }

    fn max_rebalance_timeout(&self) -> i64 {
        self.members.iter().map(|m| m.rebalance_timeout_ms as i64).max().unwrap_or(0)
    }

    /// Kafka's member check: a static member must be the one registered for its instance id,
    /// a dynamic one must be known.
    pub fn validate_member(&self, member_id: &str, instance_id: Option<&str>) -> Result<(), i16> {
        match instance_id {
            Some(instance) => match self.static_member_id(instance) {
                None => Err(code(ResponseError::UnknownMemberId)),
                Some(existing) if existing != member_id => Err(code(ResponseError::FencedInstanceId)),
                Some(_) => Ok(()),
            },
            None if self.member(member_id).is_none() => Err(code(ResponseError::UnknownMemberId)),
            None => Ok(()),
        }
    }

    /// Whether a member with these protocols may join.
    fn supports(&self, protocol_type: &str, protocols: &[(String, Bytes)]) -> bool {
        if self.members.is_empty() {
            return !protocol_type.is_empty() && !protocols.is_empty();
        }
        self.protocol_type.as_deref() == Some(protocol_type)
            && protocols.iter().any(|(name, _)| self.members.iter().all(|m| m.supports(name)))
    }

    /// Kafka's choice: among the protocols every member supports, the one most members prefer.
    fn select_protocol(&self) -> Option<String> {
        let first = self.members.first()?;
        let candidates: Vec<&str> = first
            .protocols
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| self.members.iter().all(|m| m.supports(n)))
            .collect();
        let mut votes: Vec<(&str, usize)> = candidates.iter().map(|c| (*c, 0)).collect();
        for m in &self.members {
            if let Some((name, _)) = m.protocols.iter().find(|(n, _)| candidates.contains(&n.as_str())) {
                if let Some(v) = votes.iter_mut().find(|(c, _)| *c == name) {
                    v.1 += 1;
                }
            }
        }
        let best = votes.iter().map(|(_, n)| *n).max()?;
        votes.iter().find(|(_, n)| *n == best).map(|(c, _)| c.to_string())
    }

    /// What a member is told about the current generation (when it rejoins without a change).
    fn current_join_outcome(&self, member_id: &str) -> JoinOutcome {
        let protocol = self.protocol.clone().unwrap_or_default();
        let members = if self.is_leader(member_id) {
            self.members
                .iter()
                .map(|m| JoinedMember {
                    member_id: m.id.clone(),
                    instance_id: m.instance_id.clone(),
                    metadata: m.metadata_for(&protocol),
                })
                .collect()
        } else {
            Vec::new()
        };
        JoinOutcome {
            error: 0,
            generation: self.generation,
            protocol_type: self.protocol_type.clone(),
            protocol_name: self.protocol.clone(),
            leader: self.leader.clone().unwrap_or_default(),
            member_id: member_id.to_string(),
            skip_assignment: false,
            members,
        }
    }

    pub fn join(&mut self, p: JoinParams, cfg: &GroupConfig, now: Instant, now_ms: i64) -> JoinReply {
        if self.state == GroupState::Dead {
            return Reply::Now(JoinOutcome::error(code(ResponseError::CoordinatorNotAvailable), &p.member_id));
        }
        if !self.supports(&p.protocol_type, &p.protocols) {
            return Reply::Now(JoinOutcome::error(code(ResponseError::InconsistentGroupProtocol), &p.member_id));
        }
        if p.member_id.is_empty() {
            if self.members.len() + self.pending.len() >= cfg.max_size {
                return Reply::Now(JoinOutcome::error(code(ResponseError::GroupMaxSizeReached), ""));
            }
            let prefix = p.instance_id.as_deref().unwrap_or(&p.client_id);
            let new_id = format!("{prefix}-{}", uuid::Uuid::new_v4());
            if let Some(instance) = p.instance_id.clone() {
                if let Some(old) = self.static_member_id(&instance).map(str::to_string) {
                    return self.replace_static_member(&old, new_id, p, cfg, now, now_ms);
                }
                return self.add_member_and_rebalance(new_id, p, cfg, now, now_ms);
            }
            if p.require_known_member_id {
                let deadline = now + Duration::from_millis(p.session_timeout_ms.max(0) as u64);
                self.pending.push((new_id.clone(), deadline));
                return Reply::Now(JoinOutcome::error(code(ResponseError::MemberIdRequired), &new_id));
            }
            return self.add_member_and_rebalance(new_id, p, cfg, now, now_ms);
        }
        if let Some(i) = self.pending.iter().position(|(id, _)| *id == p.member_id) {
            self.pending.remove(i);
            let id = p.member_id.clone();
            return self.add_member_and_rebalance(id, p, cfg, now, now_ms);
        }
        if let Err(e) = self.validate_member(&p.member_id, p.instance_id.as_deref()) {
            return Reply::Now(JoinOutcome::error(e, &p.member_id));
        }
        let id = p.member_id.clone();
        match self.state {
            GroupState::PreparingRebalance => self.update_member_and_rebalance(p, cfg, now, now_ms),
            GroupState::CompletingRebalance => {
                if self.member(&id).is_some_and(|m| m.same_protocols(&p.protocols)) {
                    if let Some(m) = self.member_mut(&id) {
                        m.touch(now);
                    }
                    Reply::Now(self.current_join_outcome(&id))
                } else {
                    self.update_member_and_rebalance(p, cfg, now, now_ms)
                }
            }
            GroupState::Stable => {
                let unchanged = self.member(&id).is_some_and(|m| m.same_protocols(&p.protocols));
                if self.is_leader(&id) || !unchanged {
                    self.update_member_and_rebalance(p, cfg, now, now_ms)
                } else {
                    if let Some(m) = self.member_mut(&id) {
                        m.touch(now);
                    }
                    Reply::Now(self.current_join_outcome(&id))
                }
            }
            GroupState::Empty | GroupState::Dead => Reply::Now(JoinOutcome::error(code(ResponseError::UnknownMemberId), &id)),
        }
    }

    fn add_member_and_rebalance(&mut self, id: String, p: JoinParams, cfg: &GroupConfig, now: Instant, now_ms: i64) -> JoinReply {
        let (tx, rx) = oneshot::channel();
        let mut member = Member {
            id,
            instance_id: p.instance_id,
            client_id: p.client_id,
            client_host: p.client_host,
            session_timeout_ms: p.session_timeout_ms,
            rebalance_timeout_ms: p.rebalance_timeout_ms,
            protocol_type: p.protocol_type.clone(),
            protocols: p.protocols,
            assignment: Bytes::new(),
            join_waiter: Some(tx),
            sync_waiter: None,
            session_deadline: now,
            synced: false,
        };
        member.touch(now);
        if self.members.is_empty() {
            self.protocol_type = Some(p.protocol_type);
        }
        self.members.push(member);
        if let Some(initial) = self.initial.as_mut() {
            initial.new_member_added = true;
        }
        self.maybe_prepare_rebalance(cfg, now, now_ms);
        self.maybe_complete_join(now, now_ms);
        Reply::Wait(rx)
    }

    fn update_member_and_rebalance(&mut self, p: JoinParams, cfg: &GroupConfig, now: Instant, now_ms: i64) -> JoinReply {
        let (tx, rx) = oneshot::channel();
        if let Some(m) = self.member_mut(&p.member_id) {
            m.answer_join(JoinOutcome::error(code(ResponseError::RebalanceInProgress), &p.member_id));
            m.protocols = p.protocols;
            m.session_timeout_ms = p.session_timeout_ms;
            m.rebalance_timeout_ms = p.rebalance_timeout_ms;
            m.client_id = p.client_id;
            m.client_host = p.client_host;
            m.join_waiter = Some(tx);
            m.touch(now);
        }
        self.maybe_prepare_rebalance(cfg, now, now_ms);
        self.maybe_complete_join(now, now_ms);
        Reply::Wait(rx)
    }

    /// A static member came back with a new member id: it takes the old member's place, with the
    /// protocols it sent now. In a stable group whose selected protocol stays the same there is
    /// no rebalance and it gets its assignment back, as in Kafka's
    /// `updateStaticMemberThenRebalanceOrCompleteJoin`: only the protocol *name* counts, not its
    /// metadata bytes (a restarted Java consumer's subscription carries generation -1 and no
    /// owned partitions, unlike the one its previous incarnation sent).
    fn replace_static_member(
        &mut self,
        old: &str,
        new_id: String,
        p: JoinParams,
        cfg: &GroupConfig,
        now: Instant,
        now_ms: i64,
    ) -> JoinReply {
        let was_leader = self.is_leader(old);
        let Some(m) = self.member_mut(old) else {
            return Reply::Now(JoinOutcome::error(code(ResponseError::UnknownMemberId), ""));
        };
        // The old incarnation's parked requests are fenced.
        m.answer_join(JoinOutcome::error(code(ResponseError::FencedInstanceId), old));
        m.answer_sync(SyncOutcome::error(code(ResponseError::FencedInstanceId)));
        m.protocols = p.protocols.clone();
        m.id = new_id.clone();
        m.client_id = p.client_id.clone();
        m.client_host = p.client_host.clone();
        m.session_timeout_ms = p.session_timeout_ms;
        m.rebalance_timeout_ms = p.rebalance_timeout_ms;
        m.touch(now);
        if was_leader {
            self.leader = Some(new_id.clone());
        }
        let unchanged = self.protocol.is_some() && self.select_protocol() == self.protocol;
        match self.state {
            GroupState::Stable if unchanged => {
                // No rebalance: the member gets the current generation back. A leader that
                // can skip assigning (v9+) sees the members and is told to skip. An older one is
                // told the old leader id, as Kafka does, so it takes itself for a follower and
                // does not compute an assignment a stable group would not pass on.
                self.dirty = true;
                let mut outcome = self.current_join_outcome(&new_id);
                if was_leader && !p.supports_skip_assignment {
                    outcome.leader = old.to_string();
                    outcome.members.clear();
                }
                outcome.skip_assignment = was_leader && p.supports_skip_assignment;
                Reply::Now(outcome)
            }
            _ => {
                let p = JoinParams { member_id: new_id, ..p };
                self.update_member_and_rebalance(p, cfg, now, now_ms)
            }
        }
    }

    fn maybe_prepare_rebalance(&mut self, cfg: &GroupConfig, now: Instant, now_ms: i64) {
        if matches!(self.state, GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty) {
            self.prepare_rebalance(cfg, now, now_ms);
        }
    }

    fn prepare_rebalance(&mut self, cfg: &GroupConfig, now: Instant, now_ms: i64) {
        if self.state == GroupState::CompletingRebalance {
            for m in &mut self.members {
                m.assignment = Bytes::new();
                m.answer_sync(SyncOutcome::error(code(ResponseError::RebalanceInProgress)));
            }
        }
        if self.state == GroupState::Empty {
            let delay = cfg.initial_rebalance_delay_ms;
            self.initial = Some(InitialDelay {
                remaining_ms: (self.max_rebalance_timeout() - delay).max(0),
                new_member_added: false,
            });
            self.join_deadline = Some(now + Duration::from_millis(delay.max(0) as u64));
        } else {
            self.initial = None;
            self.join_deadline = Some(now + Duration::from_millis(self.max_rebalance_timeout().max(0) as u64));
        }
        self.sync_deadline = None;
        self.set_state(GroupState::PreparingRebalance, now_ms);
    }

    fn all_joined(&self) -> bool {
        self.pending.is_empty() && self.members.iter().all(|m| m.join_waiter.is_some())
    }

    fn maybe_complete_join(&mut self, now: Instant, now_ms: i64) {
        if self.state == GroupState::PreparingRebalance && self.initial.is_none() && self.all_joined() {
            self.complete_join(now, now_ms);
        }
    }

    fn complete_join(&mut self, now: Instant, now_ms: i64) {
        // Dynamic members that did not rejoin in time are gone; static ones stay until their
        // session times out.
        self.members.retain(|m| m.join_waiter.is_some() || m.instance_id.is_some());
        let leader_joined = self
            .leader
            .as_deref()
            .and_then(|l| self.member(l))
            .is_some_and(|m| m.join_waiter.is_some());
        if !leader_joined {
            self.leader = self.members.iter().find(|m| m.join_waiter.is_some()).map(|m| m.id.clone());
        }
        if self.leader.is_none() && !self.members.is_empty() {
            // Only static members that have not rejoined: wait for them (or their session).
            self.join_deadline = Some(now + Duration::from_millis(self.max_rebalance_timeout().max(0) as u64));
            return;
        }
        self.join_deadline = None;
        self.initial = None;
        self.generation += 1;
        if self.members.is_empty() {
            self.protocol = None;
            self.leader = None;
            self.set_state(GroupState::Empty, now_ms);
            self.dirty = true;
            return;
        }
        self.protocol = self.select_protocol();
        self.set_state(GroupState::CompletingRebalance, now_ms);
        self.sync_deadline = Some(now + Duration::from_millis(self.max_rebalance_timeout().max(0) as u64));
        let leader = self.leader.clone().unwrap_or_default();
        let leader_view = self.current_join_outcome(&leader).members;
        let (generation, protocol_type, protocol) = (self.generation, self.protocol_type.clone(), self.protocol.clone());
        for m in &mut self.members {
            m.synced = false;
            m.touch(now);
            let outcome = JoinOutcome {
                error: 0,
                generation,
                protocol_type: protocol_type.clone(),
                protocol_name: protocol.clone(),
                leader: leader.clone(),
                member_id: m.id.clone(),
                skip_assignment: false,
                members: if m.id == leader { leader_view.clone() } else { Vec::new() },
            };
            m.answer_join(outcome);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn sync(
        &mut self,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        protocol_type: Option<&str>,
        protocol_name: Option<&str>,
        assignments: Vec<(String, Bytes)>,
        now: Instant,
        now_ms: i64,
    ) -> SyncReply {
        let fail = |e: ResponseError| Reply::Now(SyncOutcome::error(code(e)));
        if self.state == GroupState::Dead {
            return fail(ResponseError::CoordinatorNotAvailable);
        }
        if let Err(e) = self.validate_member(member_id, instance_id) {
            return Reply::Now(SyncOutcome::error(e));
        }
        if generation != self.generation {
            return fail(ResponseError::IllegalGeneration);
        }
        if protocol_type.is_some_and(|t| Some(t) != self.protocol_type.as_deref())
            || protocol_name.is_some_and(|n| Some(n) != self.protocol.as_deref())
        {
            return fail(ResponseError::InconsistentGroupProtocol);
        }
        match self.state {
            GroupState::Empty | GroupState::Dead => fail(ResponseError::UnknownMemberId),
            GroupState::PreparingRebalance => fail(ResponseError::RebalanceInProgress),
            GroupState::Stable => {
                let (pt, pn) = (self.protocol_type.clone(), self.protocol.clone());
                let Some(m) = self.member_mut(member_id) else {
                    return fail(ResponseError::UnknownMemberId);
                };
                m.synced = true;
                m.touch(now);
                let outcome = SyncOutcome {
                    error: 0,
                    protocol_type: pt,
                    protocol_name: pn,
                    assignment: m.assignment.clone(),
                };
                self.clear_sync_deadline_if_done();
                Reply::Now(outcome)
            }
            GroupState::CompletingRebalance => {
                let (tx, rx) = oneshot::channel();
                if let Some(m) = self.member_mut(member_id) {
                    m.sync_waiter = Some(tx);
                    m.touch(now);
                }
                if self.is_leader(member_id) {
                    let mut given: BTreeMap<String, Bytes> = assignments.into_iter().collect();
                    let (pt, pn) = (self.protocol_type.clone(), self.protocol.clone());
                    for m in &mut self.members {
                        m.assignment = given.remove(&m.id).unwrap_or_default();
                        if m.sync_waiter.is_some() {
                            m.synced = true;
                            let outcome = SyncOutcome {
                                error: 0,
                                protocol_type: pt.clone(),
                                protocol_name: pn.clone(),
                                assignment: m.assignment.clone(),
                            };
                            m.answer_sync(outcome);
                        }
                    }
                    self.set_state(GroupState::Stable, now_ms);
                    self.dirty = true;
                    self.clear_sync_deadline_if_done();
                }
                Reply::Wait(rx)
            }
        }
    }

    fn clear_sync_deadline_if_done(&mut self) {
        if self.members.iter().all(|m| m.synced) {
            self.sync_deadline = None;
        }
    }

    pub fn heartbeat(&mut self, member_id: &str, instance_id: Option<&str>, generation: i32, now: Instant) -> i16 {
        if self.state == GroupState::Dead {
            return code(ResponseError::CoordinatorNotAvailable);
        }
        if let Err(e) = self.validate_member(member_id, instance_id) {
            return e;
        }
        if generation != self.generation {
            return code(ResponseError::IllegalGeneration);
        }
        if self.state == GroupState::Empty {
            return code(ResponseError::UnknownMemberId);
        }
        if let Some(m) = self.member_mut(member_id) {
            m.touch(now);
        }
        if self.state == GroupState::PreparingRebalance {
            code(ResponseError::RebalanceInProgress)
        } else {
            0
        }
    }

    /// One member of a LeaveGroup; the rebalance it causes is started by [`Group::after_removal`].
    pub fn leave(&mut self, member_id: &str, instance_id: Option<&str>) -> i16 {
        if self.state == GroupState::Dead {
            return code(ResponseError::CoordinatorNotAvailable);
        }
        let target = match instance_id {
            Some(instance) => match self.static_member_id(instance) {
                None => return code(ResponseError::UnknownMemberId),
                Some(existing) if !member_id.is_empty() && existing != member_id => return code(ResponseError::FencedInstanceId),
                Some(existing) => existing.to_string(),
            },
            None => {
                if let Some(i) = self.pending.iter().position(|(id, _)| id == member_id) {
                    self.pending.remove(i);
                    return 0;
                }
                if self.member(member_id).is_none() {
                    return code(ResponseError::UnknownMemberId);
                }
                member_id.to_string()
            }
        };
        self.remove_member(&target);
        0
    }

    fn remove_member(&mut self, id: &str) {
        let Some(i) = self.members.iter().position(|m| m.id == id) else {
            return;
        };
        let mut m = self.members.remove(i);
        m.answer_join(JoinOutcome::error(code(ResponseError::UnknownMemberId), id));
        m.answer_sync(SyncOutcome::error(code(ResponseError::UnknownMemberId)));
        if self.is_leader(id) {
            self.leader = self.members.first().map(|m| m.id.clone());
        }
    }

    /// After members left or died: a rebalance for the rest (or completion of the one running).
    pub fn after_removal(&mut self, cfg: &GroupConfig, now: Instant, now_ms: i64) {
        match self.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.prepare_rebalance(cfg, now, now_ms);
                self.maybe_complete_join(now, now_ms);
            }
            GroupState::PreparingRebalance => self.maybe_complete_join(now, now_ms),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    /// Kafka's OffsetCommit checks for this group.
    pub fn validate_commit(&mut self, member_id: &str, instance_id: Option<&str>, generation: i32, now: Instant) -> Result<(), i16> {
        if self.state == GroupState::Dead {
            return Err(code(ResponseError::CoordinatorNotAvailable));
        }
        if generation < 0 && self.state == GroupState::Empty {
            return Ok(());
        }
        if generation >= 0 || !member_id.is_empty() || instance_id.is_some() {
            self.validate_member(member_id, instance_id)?;
            if generation != self.generation {
                return Err(code(ResponseError::IllegalGeneration));
            }
        } else if self.state != GroupState::Empty {
            return Err(code(ResponseError::UnknownMemberId));
        }
        if self.state == GroupState::CompletingRebalance {
            return Err(code(ResponseError::RebalanceInProgress));
        }
        if let Some(m) = self.member_mut(member_id) {
            m.touch(now);
        }
        Ok(())
    }

    /// Handles every deadline that has passed: pending members and sessions expire, the join
    /// phase ends, members that never synced are dropped.
    pub fn tick(&mut self, cfg: &GroupConfig, now: Instant, now_ms: i64) {
        let pending_before = self.pending.len();
        self.pending.retain(|(_, deadline)| *deadline > now);
        let expired: Vec<String> = self
            .members
            .iter()
            .filter(|m| !m.is_waiting() && m.session_deadline <= now)
            .map(|m| m.id.clone())
            .collect();
        for id in &expired {
            tracing::info!(group = %self.id, member = %id, "member session expired");
            self.remove_member(id);
        }
        if !expired.is_empty() || self.pending.len() != pending_before {
            self.after_removal(cfg, now, now_ms);
        }
        if self.state == GroupState::PreparingRebalance && self.join_deadline.is_some_and(|d| d <= now) {
            match self.initial {
                Some(mut initial) if initial.new_member_added && initial.remaining_ms > 0 => {
                    let delay = cfg.initial_rebalance_delay_ms.min(initial.remaining_ms);
                    initial.remaining_ms -= delay;
                    initial.new_member_added = false;
                    self.initial = Some(initial);
                    self.join_deadline = Some(now + Duration::from_millis(delay.max(0) as u64));
                }
                _ => {
                    self.initial = None;
                    self.complete_join(now, now_ms);
                }
            }
        }
        if matches!(self.state, GroupState::CompletingRebalance | GroupState::Stable) && self.sync_deadline.is_some_and(|d| d <= now) {
            self.sync_deadline = None;
            let unsynced: Vec<String> = self
                .members
                .iter()
                .filter(|m| !m.synced && m.sync_waiter.is_none())
                .map(|m| m.id.clone())
                .collect();
            if !unsynced.is_empty() || self.state == GroupState::CompletingRebalance {
                for id in &unsynced {
                    tracing::info!(group = %self.id, member = %id, "member did not sync in time");
                    self.remove_member(id);
                }
                self.prepare_rebalance(cfg, now, now_ms);
                self.maybe_complete_join(now, now_ms);
            }
        }
    }

    /// The earliest deadline this group waits for, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        let sessions = self.members.iter().filter(|m| !m.is_waiting()).map(|m| m.session_deadline);
        let pending = self.pending.iter().map(|(_, d)| *d);
        let join = self.join_deadline.filter(|_| self.state == GroupState::PreparingRebalance);
        let sync = self
            .sync_deadline
            .filter(|_| matches!(self.state, GroupState::CompletingRebalance | GroupState::Stable));
        sessions.chain(pending).chain(join).chain(sync).min()
    }

    /// The group metadata record Kafka writes (members with their metadata for the chosen
    /// protocol and their assignment).
    pub fn to_stored(&self) -> GroupValue {
        let protocol = self.protocol.clone().unwrap_or_default();
        GroupValue {
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            generation: self.generation,
            protocol: self.protocol.clone(),
            leader: self.leader.clone(),
            state_timestamp: self.state_since_ms,
            members: self
                .members
                .iter()
                .map(|m| StoredMember {
                    member_id: m.id.clone(),
                    instance_id: m.instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout_ms: m.rebalance_timeout_ms,
                    session_timeout_ms: m.session_timeout_ms,
                    subscription: m.metadata_for(&protocol),
                    assignment: m.assignment.clone(),
                })
                .collect(),
        }
    }

    /// A group as read back from its record: Stable with its members (each must heartbeat
    /// within its session timeout), or Empty.
    pub fn restore(&mut self, v: GroupValue, now: Instant) {
        self.generation = v.generation;
        self.protocol_type = (!v.protocol_type.is_empty()).then_some(v.protocol_type);
        self.protocol = v.protocol.clone();
        self.leader = v.leader;
        self.state_since_ms = v.state_timestamp;
        let protocol = v.protocol.unwrap_or_default();
        self.members = v
            .members
            .into_iter()
            .map(|s| {
                let mut m = Member {
                    id: s.member_id,
                    instance_id: s.instance_id,
                    client_id: s.client_id,
                    client_host: s.client_host,
                    session_timeout_ms: s.session_timeout_ms,
                    rebalance_timeout_ms: s.rebalance_timeout_ms,
                    protocol_type: self.protocol_type.clone().unwrap_or_default(),
                    protocols: vec![(protocol.clone(), s.subscription)],
                    assignment: s.assignment,
                    join_waiter: None,
                    sync_waiter: None,
                    session_deadline: now,
                    synced: true,
                };
                m.touch(now);
                m
            })
            .collect();
        self.state = if self.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
    }
}
