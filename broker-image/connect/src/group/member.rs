//! A sketch of a worker's membership loop as a pure state machine (Kafka's `WorkerCoordinator`
//! with the rebalance handling of `DistributedHerder`): the loop feeds it what happened — a
//! join's, sync's or heartbeat's answer, the clock — and it says what to do next: which request
//! to send (with `kaskade_client`'s request types), what to stop and start, when to wake up. No
//! sockets and no clock of its own, so every path is a unit test.
//!
//! The cycle: find the coordinator → JoinGroup with the worker's metadata in every protocol its
//! `connect.protocol` offers → the leader decodes everyone's metadata and runs the assignor; all
//! SyncGroup → stop what is revoked, start what is assigned → heartbeat every interval until
//! a heartbeat says the group rebalances, the assignment asked for a rejoin (something was
//! revoked: rejoin at once; a delay: rejoin when it ends), or the worker asks for one.
//! Errors steer it as Kafka's clients: `REBALANCE_IN_PROGRESS` rejoins, `UNKNOWN_MEMBER_ID` and
//! `ILLEGAL_GENERATION` rejoin as a new member, `NOT_COORDINATOR` and
//! `COORDINATOR_NOT_AVAILABLE` look for the coordinator again, anything else retriable retries
//! after a back-off, the rest is fatal.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use kaskade_client::{JoinGroup, JoinedGroup, MembershipError, SyncGroup, SyncedGroup, NO_GENERATION, UNKNOWN_MEMBER_ID};

use super::assignor::{leader_assignments, AssignorState, LeaderInput};
use super::protocol::{
    decode_assignment, decode_metadata, encode_assignment, metadata_protocols, Assignment, ConnectProtocol, ConnectorTaskId, WorkerState,
    CONNECT_PROTOCOL_TYPE,
};

/// A worker's group settings (`group.id`, `connect.protocol`, the timeouts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberConfig {
    pub group_id: String,
    /// The worker's advertised REST URL.
    pub url: String,
    /// `connect.protocol`: the newest protocol offered (Kafka's default: `sessioned`).
    pub mode: ConnectProtocol,
    pub session_timeout: Duration,
    pub rebalance_timeout: Duration,
    pub heartbeat_interval: Duration,
    /// `scheduled.rebalance.max.delay.ms`.
    pub max_delay_ms: i32,
    /// How long to wait before retrying after a retriable error (`retry.backoff.ms`).
    pub retry_backoff: Duration,
}

/// Where the member is in the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No coordinator yet (or it moved).
    Unjoined,
    /// A JoinGroup is out.
    Joining,
    /// A SyncGroup is out.
    Syncing,
    /// In a generation, heartbeating.
    Stable,
    /// Waiting to rejoin after a retriable error.
    Waiting,
    /// Left the group (or failed); nothing more to do.
    Done,
}

/// What happened, as the loop tells it.
#[derive(Debug, Clone)]
pub enum Event {
    /// The loop has a client for the coordinator (after [`Action::FindCoordinator`], or at start).
    CoordinatorFound,
    Joined(Result<JoinedGroup, MembershipError>),
    Synced(Result<SyncedGroup, MembershipError>),
    HeartbeatDone(Result<(), MembershipError>),
    /// The timer fired (or anything else woke the loop): heartbeat or rejoin when due.
    Tick,
    /// The worker wants a rebalance (a connector was added, it has read up the config topic).
    RejoinRequested,
    /// The worker stops: leave the group.
    Stop,
}

/// What the loop does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    FindCoordinator,
    Join(JoinGroup),
    Sync(SyncGroup),
    Heartbeat {
        group_id: String,
        generation_id: i32,
        member_id: String,
    },
    Leave {
        group_id: String,
        member_id: String,
    },
    /// Stop these connectors and tasks (before the next request is sent).
    Revoke {
        connectors: Vec<String>,
        tasks: Vec<ConnectorTaskId>,
    },
    /// The generation's assignment is in: this is everything the worker should run now (start
    /// what it does not run yet), with the leader and the config offset it was computed at.
    Assigned {
        generation_id: i32,
        assignment: Assignment,
    },
    /// The leader was behind the config topic: read it up to this offset, then
    /// [`Event::RejoinRequested`].
    ReadConfigTo(i64),
    /// Nothing to do before this time (epoch ms); then [`Event::Tick`].
    WaitUntil(i64),
    /// A non-retriable error: the worker cannot be a member (e.g. INCONSISTENT_GROUP_PROTOCOL).
    Failed(MembershipError),
}

/// What the worker knows when an event is handled.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now_ms: i64,
    /// The offset the worker has read the config topic to, and what it configures there.
    pub config_offset: i64,
    pub configured: &'a BTreeMap<String, u32>,
}

/// One worker's membership.
#[derive(Debug, Clone)]
pub struct Member {
    config: MemberConfig,
    phase: Phase,
    member_id: String,
    generation: i32,
    last_completed_generation: i32,
    protocol: Option<ConnectProtocol>,
    /// What the worker runs (its assignments added up).
    assignment: Option<Assignment>,
    assignor: AssignorState,
    next_heartbeat_ms: i64,
    rejoin_at_ms: Option<i64>,
}

impl Member {
    pub fn new(config: MemberConfig) -> Member {
        Member {
            config,
            phase: Phase::Unjoined,
            member_id: UNKNOWN_MEMBER_ID.to_string(),
            generation: NO_GENERATION,
            last_completed_generation: NO_GENERATION,
            protocol: None,
            assignment: None,
            assignor: AssignorState::default(),
            next_heartbeat_ms: 0,
            rejoin_at_ms: None,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    pub fn generation(&self) -> i32 {
        self.generation
    }

    /// The protocol of the current generation.
    pub fn protocol(&self) -> Option<ConnectProtocol> {
        self.protocol
    }

    /// What the worker runs, as far as the group is concerned.
    pub fn assignment(&self) -> Option<&Assignment> {
        self.assignment.as_ref()
    }

    /// The start: find the coordinator.
    pub fn start(&mut self) -> Vec<Action> {
        self.phase = Phase::Unjoined;
        vec![Action::FindCoordinator]
    }

    /// Handles one event; the actions in the order to take them.
    pub fn handle(&mut self, event: Event, ctx: &Context<'_>) -> Vec<Action> {
        if self.phase == Phase::Done {
            return Vec::new();
        }
        match event {
            Event::CoordinatorFound => self.join(ctx),
            Event::RejoinRequested => match self.phase {
                Phase::Unjoined | Phase::Stable | Phase::Waiting => self.join(ctx),
                // A join or sync is out: its answer leads to a rejoin soon enough.
                Phase::Joining | Phase::Syncing | Phase::Done => Vec::new(),
            },
            Event::Joined(Ok(joined)) => self.on_joined(joined, ctx),
            Event::Synced(Ok(synced)) => self.on_synced(synced, ctx),
            Event::HeartbeatDone(Ok(())) => {
                self.next_heartbeat_ms = ctx.now_ms + millis(self.config.heartbeat_interval);
                self.wait()
            }
            Event::Joined(Err(e)) | Event::Synced(Err(e)) | Event::HeartbeatDone(Err(e)) => self.on_error(e, ctx),
            Event::Tick => self.tick(ctx),
            Event::Stop => {
                self.phase = Phase::Done;
                if self.member_id.is_empty() {
                    Vec::new()
                } else {
                    vec![Action::Leave {
                        group_id: self.config.group_id.clone(),
                        member_id: self.member_id.clone(),
                    }]
                }
            }
        }
    }

    fn join(&mut self, ctx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        // Eager: everything stops before the worker rejoins (onJoinPrepare).
        if self.protocol == Some(ConnectProtocol::Eager) {
            if let Some(a) = self.assignment.take() {
                if !a.connectors.is_empty() || !a.tasks.is_empty() {
                    actions.push(Action::Revoke {
                        connectors: a.connectors,
                        tasks: a.tasks,
                    });
                }
            }
        }
        let state = WorkerState {
            url: self.config.url.clone(),
            config_offset: ctx.config_offset,
            assignment: self.assignment.clone(),
        };
        self.phase = Phase::Joining;
        self.rejoin_at_ms = None;
        actions.push(Action::Join(JoinGroup {
            group_id: self.config.group_id.clone(),
            member_id: self.member_id.clone(),
            group_instance_id: None,
            protocol_type: CONNECT_PROTOCOL_TYPE.to_string(),
            protocols: metadata_protocols(&state, self.config.mode)
                .into_iter()
                .map(|(name, bytes)| (name, Bytes::from(bytes)))
                .collect(),
            session_timeout: self.config.session_timeout,
            rebalance_timeout: self.config.rebalance_timeout,
            reason: None,
        }));
        actions
    }

    fn on_joined(&mut self, joined: JoinedGroup, ctx: &Context<'_>) -> Vec<Action> {
        self.member_id = joined.member_id.clone();
        self.generation = joined.generation_id;
        let Some(protocol) = ConnectProtocol::from_name(&joined.protocol_name) else {
            self.phase = Phase::Done;
            return vec![Action::Failed(MembershipError::Client(kaskade_client::AdminError::Protocol(
                format!("the coordinator chose protocol {:?}, which is not Connect's", joined.protocol_name),
            )))];
        };
        self.protocol = Some(protocol);
        let mut assignments = Vec::new();
        if joined.is_leader() {
            let mut workers = BTreeMap::new();
            for m in &joined.members {
                match decode_metadata(&m.metadata) {
                    Ok(w) => {
                        workers.insert(m.member_id.clone(), w);
                    }
                    Err(e) => {
                        // Kafka's leader fails the round; the group tries again.
                        tracing::warn!(member = %m.member_id, error = %e, "cannot read a member's metadata; rejoining");
                        return self.retry_join(ctx);
                    }
                }
            }
            let out = leader_assignments(
                &self.assignor,
                &LeaderInput {
                    leader_id: &joined.member_id,
                    protocol,
                    workers: &workers,
                    config_offset: ctx.config_offset,
                    configured: ctx.configured,
                    last_completed_generation: self.last_completed_generation,
                    generation: joined.generation_id,
                    now_ms: ctx.now_ms,
                    max_delay_ms: self.config.max_delay_ms,
                },
            );
            self.assignor = out.state;
            assignments = out
                .assignments
                .iter()
                .map(|(m, a)| (m.clone(), Bytes::from(encode_assignment(a))))
                .collect();
        }
        self.phase = Phase::Syncing;
        vec![Action::Sync(SyncGroup {
            group_id: self.config.group_id.clone(),
            generation_id: joined.generation_id,
            member_id: joined.member_id,
            group_instance_id: None,
            protocol_type: CONNECT_PROTOCOL_TYPE.to_string(),
            protocol_name: joined.protocol_name,
            assignments,
        })]
    }

    fn on_synced(&mut self, synced: SyncedGroup, ctx: &Context<'_>) -> Vec<Action> {
        let got = match decode_assignment(&synced.assignment) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the assignment; rejoining");
                return self.retry_join(ctx);
            }
        };
        if got.failed() {
            // The leader is behind the config topic; so may this worker be.
            self.phase = Phase::Unjoined;
            return vec![Action::ReadConfigTo(got.config_offset)];
        }
        let mut actions = Vec::new();
        let revoked = !got.revoked_connectors.is_empty() || !got.revoked_tasks.is_empty();
        if revoked {
            actions.push(Action::Revoke {
                connectors: got.revoked_connectors.clone(),
                tasks: got.revoked_tasks.clone(),
            });
        }
        let running = got.accumulated(self.assignment.as_ref());
        self.assignment = Some(running.clone());
        self.last_completed_generation = self.generation;
        self.phase = Phase::Stable;
        actions.push(Action::Assigned {
            generation_id: self.generation,
            assignment: running,
        });
        self.next_heartbeat_ms = ctx.now_ms + millis(self.config.heartbeat_interval);
        if revoked {
            // What was revoked goes to others in the next round: rejoin at once.
            actions.extend(self.join(ctx));
            return actions;
        }
        if got.delay > 0 {
            self.rejoin_at_ms = Some(ctx.now_ms + i64::from(got.delay));
        }
        actions.extend(self.wait());
        actions
    }

    fn on_error(&mut self, e: MembershipError, ctx: &Context<'_>) -> Vec<Action> {
        if e.is_rebalance() {
            return self.join(ctx);
        }
        if e.resets_member() {
            self.member_id = UNKNOWN_MEMBER_ID.to_string();
            self.generation = NO_GENERATION;
            return self.join(ctx);
        }
        if e.coordinator_lost() {
            self.phase = Phase::Unjoined;
            return vec![Action::FindCoordinator];
        }
        if e.is_retriable() {
            return self.retry_join(ctx);
        }
        self.phase = Phase::Done;
        vec![Action::Failed(e)]
    }

    /// Rejoin after the back-off: wait, then the next tick joins.
    fn retry_join(&mut self, ctx: &Context<'_>) -> Vec<Action> {
        self.phase = Phase::Waiting;
        let at = ctx.now_ms + millis(self.config.retry_backoff);
        self.rejoin_at_ms = Some(at);
        vec![Action::WaitUntil(at)]
    }

    fn tick(&mut self, ctx: &Context<'_>) -> Vec<Action> {
        if !matches!(self.phase, Phase::Stable | Phase::Waiting) {
            return Vec::new();
        }
        if self.rejoin_at_ms.is_some_and(|at| ctx.now_ms >= at) {
            return self.join(ctx);
        }
        if self.phase == Phase::Stable && ctx.now_ms >= self.next_heartbeat_ms {
            // The next is scheduled when this one is answered.
            self.next_heartbeat_ms = i64::MAX;
            return vec![Action::Heartbeat {
                group_id: self.config.group_id.clone(),
                generation_id: self.generation,
                member_id: self.member_id.clone(),
            }];
        }
        self.wait()
    }

    fn wait(&self) -> Vec<Action> {
        let at = self.rejoin_at_ms.map_or(self.next_heartbeat_ms, |r| r.min(self.next_heartbeat_ms));
        vec![Action::WaitUntil(at)]
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaskade_client::{JoinedMember, ResponseError};

    fn config(url: &str) -> MemberConfig {
        MemberConfig {
            group_id: "connect-cluster".into(),
            url: url.into(),
            mode: ConnectProtocol::Sessioned,
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(3),
            max_delay_ms: 300_000,
            retry_backoff: Duration::from_millis(100),
        }
    }

    fn kafka_error(error: ResponseError) -> MembershipError {
        MembershipError::Kafka {
            api: "Heartbeat",
            error,
            message: None,
        }
    }

    /// The coordinator's answer to a join: the leader gets everyone's `sessioned` metadata.
    fn joined(member_id: &str, generation: i32, leader: bool, members: &[(&str, &JoinGroup)]) -> JoinedGroup {
        let protocol = "sessioned";
        JoinedGroup {
            generation_id: generation,
            member_id: member_id.into(),
            leader: if leader { member_id.into() } else { "someone-else".into() },
            protocol_type: Some("connect".into()),
            protocol_name: protocol.into(),
            skip_assignment: false,
            members: if leader {
                members
                    .iter()
                    .map(|(id, j)| JoinedMember {
                        member_id: id.to_string(),
                        group_instance_id: None,
                        metadata: j.protocols.iter().find(|(n, _)| n == protocol).unwrap().1.clone(),
                    })
                    .collect()
            } else {
                vec![]
            },
        }
    }

    fn the_join(actions: &[Action]) -> JoinGroup {
        actions
            .iter()
            .find_map(|a| match a {
                Action::Join(j) => Some(j.clone()),
                _ => None,
            })
            .expect("a join")
    }

    fn the_sync(actions: &[Action]) -> SyncGroup {
        actions
            .iter()
            .find_map(|a| match a {
                Action::Sync(s) => Some(s.clone()),
                _ => None,
            })
            .expect("a sync")
    }

    /// A context at time 0 with the config topic read to `config_offset`.
    fn at(config_offset: i64, configured: &BTreeMap<String, u32>) -> Context<'_> {
        Context {
            now_ms: 0,
            config_offset,
            configured,
        }
    }

    /// A lone worker: joins, leads, assigns itself everything, heartbeats, rejoins on a
    /// rebalance with what it runs in its metadata.
    #[test]
    fn a_lone_worker_runs_everything_and_heartbeats() {
        let configured: BTreeMap<String, u32> = [("jdbc".to_string(), 2)].into();
        let ctx = |now_ms| Context {
            now_ms,
            config_offset: 4,
            configured: &configured,
        };
        let mut m = Member::new(config("http://w1:8083/"));
        assert_eq!(m.start(), [Action::FindCoordinator]);
        let actions = m.handle(Event::CoordinatorFound, &ctx(0));
        let join = the_join(&actions);
        assert_eq!(
            join.protocols.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["sessioned", "compatible", "default"]
        );
        assert_eq!(join.member_id, "");
        let actions = m.handle(Event::Joined(Ok(joined("w1-1", 1, true, &[("w1-1", &join)]))), &ctx(10));
        let sync = the_sync(&actions);
        assert_eq!(sync.assignments.len(), 1);
        let (to, bytes) = &sync.assignments[0];
        assert_eq!(to, "w1-1");
        let actions = m.handle(
            Event::Synced(Ok(SyncedGroup {
                assignment: bytes.clone(),
                protocol_type: None,
                protocol_name: None,
            })),
            &ctx(20),
        );
        let Action::Assigned { generation_id, assignment } = &actions[0] else {
            panic!("{actions:?}")
        };
        assert_eq!(*generation_id, 1);
        assert_eq!(assignment.connectors, ["jdbc"]);
        assert_eq!(assignment.tasks.len(), 2);
        assert_eq!(actions[1], Action::WaitUntil(3_020));
        assert_eq!(m.phase(), Phase::Stable);

        assert_eq!(m.handle(Event::Tick, &ctx(1_000)), [Action::WaitUntil(3_020)]);
        let actions = m.handle(Event::Tick, &ctx(3_020));
        assert_eq!(
            actions,
            [Action::Heartbeat {
                group_id: "connect-cluster".into(),
                generation_id: 1,
                member_id: "w1-1".into()
            }]
        );
        assert_eq!(m.handle(Event::HeartbeatDone(Ok(())), &ctx(3_030)), [Action::WaitUntil(6_030)]);

        // A rebalance: the rejoin carries the member id and what the worker runs.
        let actions = m.handle(
            Event::HeartbeatDone(Err(kafka_error(ResponseError::RebalanceInProgress))),
            &ctx(6_100),
        );
        let join = the_join(&actions);
        assert_eq!(join.member_id, "w1-1");
        let meta = decode_metadata(&join.protocols[0].1).unwrap();
        assert_eq!(meta.assignment.map(|a| a.tasks.len()), Some(2));
    }

    #[test]
    fn errors_steer_the_member_as_kafkas_clients() {
        let configured = BTreeMap::new();
        let ctx = at(0, &configured);
        let mut m = Member::new(config("http://w1/"));
        m.start();
        m.handle(Event::CoordinatorFound, &ctx);
        m.member_id = "w1-1".into();
        m.generation = 3;

        let actions = m.handle(Event::Joined(Err(kafka_error(ResponseError::UnknownMemberId))), &ctx);
        assert_eq!(the_join(&actions).member_id, "", "a new member again");
        assert_eq!(m.generation(), NO_GENERATION);

        let actions = m.handle(Event::Joined(Err(kafka_error(ResponseError::NotCoordinator))), &ctx);
        assert_eq!(actions, [Action::FindCoordinator]);
        assert_eq!(m.phase(), Phase::Unjoined);

        m.handle(Event::CoordinatorFound, &ctx);
        let actions = m.handle(Event::Joined(Err(kafka_error(ResponseError::CoordinatorLoadInProgress))), &ctx);
        assert_eq!(actions, [Action::WaitUntil(100)], "retriable: back off, then rejoin");
        assert!(matches!(
            m.handle(Event::Tick, &Context { now_ms: 100, ..ctx }).as_slice(),
            [Action::Join(_)]
        ));

        let actions = m.handle(Event::Joined(Err(kafka_error(ResponseError::InconsistentGroupProtocol))), &ctx);
        assert!(matches!(actions.as_slice(), [Action::Failed(e)] if e.is(ResponseError::InconsistentGroupProtocol)));
        assert_eq!(m.phase(), Phase::Done);
        assert!(m.handle(Event::Tick, &ctx).is_empty());
    }

    /// Two workers through the state machines alone: the second's arrival makes the first
    /// revoke half (and rejoin at once); the next round hands it over.
    #[test]
    fn two_workers_share_the_work() {
        let configured: BTreeMap<String, u32> = [("a".to_string(), 2), ("b".to_string(), 2)].into();
        let ctx = at(1, &configured);
        let mut w1 = Member::new(config("http://w1/"));
        let mut w2 = Member::new(config("http://w2/"));
        // w1 alone first.
        let j1 = the_join(&w1.handle(Event::CoordinatorFound, &ctx));
        let s1 = the_sync(&w1.handle(Event::Joined(Ok(joined("w1", 1, true, &[("w1", &j1)]))), &ctx));
        let synced = |s: &SyncGroup, id: &str| SyncedGroup {
            assignment: s.assignments.iter().find(|(m, _)| m == id).unwrap().1.clone(),
            protocol_type: None,
            protocol_name: None,
        };
        w1.handle(Event::Synced(Ok(synced(&s1, "w1"))), &ctx);
        assert_eq!(w1.assignment().map(|a| (a.connectors.len(), a.tasks.len())), Some((2, 4)));

        // w2 joins; w1 learns of it from a heartbeat and rejoins.
        let j2 = the_join(&w2.handle(Event::CoordinatorFound, &ctx));
        let j1 = the_join(&w1.handle(Event::HeartbeatDone(Err(kafka_error(ResponseError::RebalanceInProgress))), &ctx));
        let all = [("w1", &j1), ("w2", &j2)];
        let s1 = the_sync(&w1.handle(Event::Joined(Ok(joined("w1", 2, true, &all))), &ctx));
        w2.handle(Event::Joined(Ok(joined("w2", 2, false, &all))), &ctx);
        let a1 = w1.handle(Event::Synced(Ok(synced(&s1, "w1"))), &ctx);
        assert!(
            matches!(&a1[0], Action::Revoke { connectors, tasks } if connectors.len() == 1 && tasks.len() == 2),
            "{a1:?}"
        );
        let j1 = the_join(&a1);
        w2.handle(Event::Synced(Ok(synced(&s1, "w2"))), &ctx);
        assert_eq!(
            w2.assignment().map(|a| a.tasks.len()),
            Some(0),
            "nothing moves in the revoking round"
        );

        // w1 rejoined at once; w2 hears of it from its heartbeat.
        let j2 = the_join(&w2.handle(Event::HeartbeatDone(Err(kafka_error(ResponseError::RebalanceInProgress))), &ctx));
        let all = [("w1", &j1), ("w2", &j2)];
        let s1 = the_sync(&w1.handle(Event::Joined(Ok(joined("w1", 3, true, &all))), &ctx));
        w2.handle(Event::Joined(Ok(joined("w2", 3, false, &all))), &ctx);
        w1.handle(Event::Synced(Ok(synced(&s1, "w1"))), &ctx);
        w2.handle(Event::Synced(Ok(synced(&s1, "w2"))), &ctx);
        for w in [&w1, &w2] {
            assert_eq!(
                w.assignment().map(|a| (a.connectors.len(), a.tasks.len())),
                Some((1, 2)),
                "{}",
                w.member_id()
            );
            assert_eq!(w.phase(), Phase::Stable);
        }
    }

    #[test]
    fn a_config_mismatch_reads_the_config_topic_first() {
        let configured = BTreeMap::new();
        let ctx = at(2, &configured);
        let mut m = Member::new(config("http://w1/"));
        m.handle(Event::CoordinatorFound, &ctx);
        let mismatch = Assignment {
            version: 2,
            error: super::super::CONFIG_MISMATCH,
            leader: "w0".into(),
            leader_url: "http://w0/".into(),
            config_offset: 9,
            ..Assignment::default()
        };
        let actions = m.handle(
            Event::Synced(Ok(SyncedGroup {
                assignment: Bytes::from(encode_assignment(&mismatch)),
                protocol_type: None,
                protocol_name: None,
            })),
            &ctx,
        );
        assert_eq!(actions, [Action::ReadConfigTo(9)]);
        assert!(matches!(m.handle(Event::RejoinRequested, &ctx).as_slice(), [Action::Join(_)]));
    }

    #[test]
    fn stopping_leaves_the_group() {
        let configured = BTreeMap::new();
        let ctx = at(0, &configured);
        let mut m = Member::new(config("http://w1/"));
        assert!(m.handle(Event::Stop, &ctx).is_empty(), "never joined: nothing to leave");
        let mut m = Member::new(config("http://w1/"));
        m.handle(Event::CoordinatorFound, &ctx);
        m.member_id = "w1-7".into();
        assert_eq!(
            m.handle(Event::Stop, &ctx),
            [Action::Leave {
                group_id: "connect-cluster".into(),
                member_id: "w1-7".into()
            }]
        );
    }
}
