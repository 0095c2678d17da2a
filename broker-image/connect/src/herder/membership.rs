//! The worker's group membership loop (`WorkerGroupMember`): drives the pure [`Member`] state
//! machine with `kaskade_client`'s JoinGroup, SyncGroup, Heartbeat and LeaveGroup, and hands
//! what it decides — revocations and assignments — to the herder. Every worker with one
//! `group.id` joins with protocol type `connect`; the leader assigns connectors and tasks with
//! Kafka Connect's incremental cooperative assignor.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use kaskade_client::KafkaAdmin;
use tokio::sync::watch;

use super::Herder;
use crate::group::{Action, ConnectProtocol, Context, Event, Member, MemberConfig};

/// What the group decided for this worker, as the REST layer and reconciliation need it.
#[derive(Debug, Clone, Default)]
pub struct GroupState {
    pub member_id: String,
    pub generation: i32,
    /// The leader's REST URL; `None` while a rebalance is under way or before the first join.
    pub leader_url: Option<String>,
    pub is_leader: bool,
    /// What this worker runs: `None` until the first assignment.
    pub connectors: Option<Vec<String>>,
    pub tasks: Vec<(String, u32)>,
    /// The connectors and task counts the last assignment was made for (the leader rebalances
    /// when they change).
    pub assigned_for: BTreeMap<String, u32>,
}

fn member_config(h: &Herder) -> MemberConfig {
    let c = &h.config;
    MemberConfig {
        group_id: c.group_id.clone(),
        url: c.advertised_url.clone(),
        mode: ConnectProtocol::from_mode(&c.connect_protocol).unwrap_or(ConnectProtocol::Sessioned),
        session_timeout: Duration::from_millis(c.session_timeout_ms.max(1) as u64),
        rebalance_timeout: Duration::from_millis(c.rebalance_timeout_ms.max(1) as u64),
        heartbeat_interval: Duration::from_millis(c.heartbeat_interval_ms.max(1) as u64),
        max_delay_ms: c.scheduled_rebalance_max_delay_ms,
        retry_backoff: Duration::from_millis(100),
    }
}

/// Runs the membership until `shutdown`; then leaves the group.
pub async fn run(herder: Herder, mut shutdown: watch::Receiver<bool>) {
    let group = herder.config.group_id.clone();
    let admin = KafkaAdmin::new(&herder.config.bootstrap_servers, Duration::from_secs(30))
        .with_client_id(&format!("connect-{}", herder.config.worker_id));
    let mut member = Member::new(member_config(&herder));
    let mut coordinator: Option<KafkaAdmin> = None;
    let mut actions: VecDeque<Action> = member.start().into();
    let mut stopping = false;
    while let Some(action) = actions.pop_front() {
        let event = match action {
            Action::FindCoordinator => match admin.group_coordinator(&group).await {
                Ok(c) => {
                    coordinator = Some(c);
                    Event::CoordinatorFound
                }
                Err(e) => {
                    tracing::warn!(group, "finding the group coordinator: {e}");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                        _ = shutdown.changed() => return,
                    }
                    actions.push_back(Action::FindCoordinator);
                    continue;
                }
            },
            Action::Join(join) => {
                herder.rebalance_started();
                let Some(c) = coordinator.as_ref() else {
                    actions.push_back(Action::FindCoordinator);
                    continue;
                };
                tokio::select! {
                    r = c.join_group(&join) => Event::Joined(r),
                    _ = shutdown.changed(), if !stopping => { stopping = true; Event::Stop }
                }
            }
            Action::Sync(sync) => {
                let Some(c) = coordinator.as_ref() else {
                    actions.push_back(Action::FindCoordinator);
                    continue;
                };
                Event::Synced(c.sync_group(&sync).await)
            }
            Action::Heartbeat {
                group_id,
                generation_id,
                member_id,
            } => {
                let Some(c) = coordinator.as_ref() else {
                    actions.push_back(Action::FindCoordinator);
                    continue;
                };
                Event::HeartbeatDone(c.heartbeat(&group_id, generation_id, &member_id, None).await)
            }
            Action::Leave { group_id, member_id } => {
                if let Some(c) = coordinator.as_ref() {
                    if let Err(e) = c.leave_group(&group_id, &member_id, None, Some("the worker is stopping")).await {
                        tracing::warn!(group, "leaving the group: {e}");
                    }
                }
                return;
            }
            Action::Revoke { connectors, tasks } => {
                herder.revoke(&connectors, &tasks).await;
                continue;
            }
            Action::Assigned { generation_id, assignment } => {
                herder.assigned(generation_id, member.member_id(), &assignment).await;
                continue;
            }
            Action::ReadConfigTo(offset) => {
                tracing::info!(offset, "the leader is ahead of this worker's view of the config topic: reading up");
                if let Err(e) = herder.stores.config_log.read_to_end().await {
                    tracing::warn!("reading the config topic: {e}");
                }
                Event::RejoinRequested
            }
            Action::WaitUntil(at) => {
                let wait = Duration::from_millis((at - crate::clock::now_ms()).clamp(0, 60_000) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => Event::Tick,
                    _ = herder.rejoin.notified() => Event::RejoinRequested,
                    _ = shutdown.changed(), if !stopping => { stopping = true; Event::Stop }
                }
            }
            Action::Failed(e) => {
                tracing::error!(group, "the worker cannot be a member of its group: {e}; retrying in 5 s");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = shutdown.changed() => return,
                }
                member = Member::new(member_config(&herder));
                actions = member.start().into();
                continue;
            }
        };
        let (config_offset, configured) = herder.group_context();
        let ctx = Context {
            now_ms: crate::clock::now_ms(),
            config_offset,
            configured: &configured,
        };
        actions.extend(member.handle(event, &ctx));
    }
}
