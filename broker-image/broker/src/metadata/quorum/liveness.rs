//! Which brokers are alive, as Kafka's controller decides it: every broker heartbeats to the
//! quorum's leader every `broker.heartbeat.interval.ms`; the leader fences a registered broker
//! not heard from within `broker.session.timeout.ms` (a `FenceBroker` record) and unfences a
//! fenced one that heartbeats again in the same run. Fenced brokers leave Metadata's broker list
//! and are not given new replicas. A new leader gives every broker a full session first, as
//! Kafka's newly active controller does. Heartbeats are not metadata records: the times live in
//! the leader's memory only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::network::{leader_address, PeerClient};
use super::rpc;
use super::state_machine::SharedImage;
use super::types::{NodeId, Raft};
use crate::metadata::records::Record;

/// Heartbeat and session timing (Kafka's keys and defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// `broker.heartbeat.interval.ms`
    pub heartbeat_interval: Duration,
    /// `broker.session.timeout.ms`
    pub session_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            heartbeat_interval: Duration::from_millis(2_000),
            session_timeout: Duration::from_millis(9_000),
        }
    }
}

/// What the leader last heard from each broker: the run (incarnation) and when.
#[derive(Debug, Default)]
pub struct Liveness {
    heard: Mutex<HashMap<i32, (uuid::Uuid, Instant)>>,
}

impl Liveness {
    pub fn heard(&self, id: i32, incarnation: uuid::Uuid) {
        self.lock().insert(id, (incarnation, Instant::now()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, (uuid::Uuid, Instant)>> {
        self.heard.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The leader's side: while this node leads, fences brokers whose session expired and
/// unfences fenced ones heard from again, checking twice per heartbeat interval.
pub async fn run_controller(raft: Raft, image: Arc<SharedImage>, liveness: Arc<Liveness>, timing: Timing, mut stop: watch::Receiver<bool>) {
    let mut leading_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(timing.heartbeat_interval / 2) => {}
            _ = stop.changed() => return,
        }
        let leads = {
            let metrics = raft.metrics();
            let m = metrics.borrow();
            m.current_leader == Some(m.id)
        };
        if !leads {
            leading_since = None;
            continue;
        }
        let now = Instant::now();
        let since = *leading_since.get_or_insert(now);
        for b in image.get().brokers() {
            let heard = liveness.lock().get(&b.id).copied();
            let this_run = heard.filter(|(run, _)| *run == b.incarnation).map(|(_, at)| at);
            // A new leader counts its first moment as news from everyone.
            let last = this_run.map_or(since, |at| at.max(since));
            let alive = now.duration_since(last) < timing.session_timeout;
            let record = match (b.fenced, alive) {
                (false, false) => Record::FenceBroker {
                    id: b.id,
                    incarnation: b.incarnation,
                },
                (true, true) if this_run.is_some() => Record::UnfenceBroker {
                    id: b.id,
                    incarnation: b.incarnation,
                },
                _ => continue,
            };
            tracing::info!(broker = b.id, ?record, "broker liveness changed");
            let _ = rpc::propose_here(&raft, record, timing.session_timeout).await;
        }
    }
}

/// Every broker's side: tells the leader it is alive, every heartbeat interval (the leader
/// hears itself directly).
pub async fn run_heartbeats(
    raft: Raft,
    liveness: Arc<Liveness>,
    id: i32,
    incarnation: uuid::Uuid,
    timing: Timing,
    mut stop: watch::Receiver<bool>,
) {
    let me = id as NodeId;
    // One connection to the leader, kept while it leads.
    let mut client: Option<(NodeId, PeerClient)> = None;
    loop {
        match leader_address(&raft) {
            Some((leader, _)) if leader == me => liveness.heard(id, incarnation),
            Some((leader, addr)) => {
                if client.as_ref().is_none_or(|(to, _)| *to != leader) {
                    client = Some((leader, PeerClient::to(leader, addr)));
                }
                if let Some((_, c)) = client.as_mut() {
                    if c.heartbeat(id, incarnation, timing.heartbeat_interval).await.is_err() {
                        tracing::debug!(leader, "heartbeat to the metadata leader failed");
                    }
                }
            }
            None => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(timing.heartbeat_interval) => {}
            _ = stop.changed() => return,
        }
    }
}
