//! DescribeQuorum's answer, built on the leader: its term, what it has applied (the high
//! watermark), and for each voter the end of its log as replication last matched it, with the
//! wall-clock times of its last answer and of the last answer showing it caught up (recorded by
//! the network, since openraft 0.9 keeps no such times).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::types::{NodeId, Raft};
use crate::metadata::{QuorumStatus, ReplicaStatus};

/// When each peer last answered an AppendEntries, and last answered one that reached the
/// leader's commit: wall-clock ms.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeerProgress {
    pub last_fetch_ms: i64,
    pub last_caught_up_ms: i64,
}

pub type Progress = Arc<Mutex<BTreeMap<NodeId, PeerProgress>>>;

/// The quorum's status when this node leads, else `None`.
pub fn local(raft: &Raft, progress: &Progress) -> Option<QuorumStatus> {
    let m = raft.metrics().borrow().clone();
    if m.current_leader != Some(m.id) {
        return None;
    }
    let now = crate::util::now_ms();
    // Log indexes start at 0 (the initial membership): entry i is offset i, the end is i + 1.
    let end = |index: Option<u64>| index.map_or(0, |i| i as i64 + 1);
    let progress = progress.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let membership = m.membership_config.membership();
    let matched = m.replication.clone().unwrap_or_default();
    let replica = |id: NodeId| {
        if id == m.id {
            return ReplicaStatus {
                id: id as i32,
                log_end_offset: end(m.last_log_index),
                last_fetch_timestamp: now,
                last_caught_up_timestamp: now,
            };
        }
        let p = progress.get(&id).copied();
        ReplicaStatus {
            id: id as i32,
            log_end_offset: end(matched.get(&id).copied().flatten().map(|l| l.index)),
            last_fetch_timestamp: p.map_or(-1, |p| p.last_fetch_ms),
            last_caught_up_timestamp: p.map_or(-1, |p| p.last_caught_up_ms),
        }
    };
    let voters: Vec<NodeId> = membership.voter_ids().collect();
    let observers: Vec<NodeId> = membership.learner_ids().collect();
    let endpoints = membership
        .nodes()
        .filter(|(id, _)| voters.contains(id))
        .filter_map(|(id, node)| {
            let (host, port) = node.addr.rsplit_once(':')?;
            Some((*id as i32, host.to_string(), port.parse().ok()?))
        })
        .collect();
    Some(QuorumStatus {
        leader_id: m.id as i32,
        leader_epoch: m.current_term as i32,
        high_watermark: end(m.last_applied.map(|l| l.index)),
        voters: voters.into_iter().map(replica).collect(),
        observers: observers.into_iter().map(replica).collect(),
        endpoints,
    })
}
