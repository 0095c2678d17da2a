//! One partition replica this broker holds: its log and what the metadata image says about
//! the partition (leader, leader epoch, in-sync replicas). As leader it also remembers how far
//! each follower has fetched, which moves the high watermark.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::metadata::PartitionState;
use crate::storage::{LogError, PartitionLog};

#[derive(Debug)]
pub struct Replica {
    pub topic_id: uuid::Uuid,
    pub log: Arc<PartitionLog>,
    node_id: i32,
    state: Mutex<RoleState>,
}

#[derive(Debug, Clone, Default)]
struct RoleState {
    leader: i32,
    leader_epoch: i32,
    isr: Vec<i32>,
    /// As leader: each follower's log end offset, as its last fetch under this epoch said.
    follower_ends: HashMap<i32, i64>,
}

impl Replica {
    /// A replica of a partition in `state`, on `log`.
    pub fn new(node_id: i32, topic_id: uuid::Uuid, log: Arc<PartitionLog>, state: &PartitionState) -> Result<Replica, LogError> {
        let replica = Replica {
            topic_id,
            log,
            node_id,
            state: Mutex::new(RoleState {
                leader: -2,
                leader_epoch: -1,
                ..RoleState::default()
            }),
        };
        replica.update(state)?;
        Ok(replica)
    }

    fn lock(&self) -> MutexGuard<'_, RoleState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the partition's new state from the image. A new leader or epoch starts over: as
    /// leader the epoch begins at the log end and the followers' progress is unknown.
    pub fn update(&self, state: &PartitionState) -> Result<(), LogError> {
        let mut s = self.lock();
        let new_term = s.leader != state.leader || s.leader_epoch != state.leader_epoch;
        s.isr = state.isr.clone();
        if new_term {
            s.leader = state.leader;
            s.leader_epoch = state.leader_epoch;
            s.follower_ends.clear();
            if state.leader == self.node_id {
                self.log.assign_leader_epoch(state.leader_epoch)?;
            }
        }
        // Alone in the ISR, the leader's high watermark is its log end.
        self.log.set_hw_tracks_end(s.leader == self.node_id && s.isr == [self.node_id]);
        Ok(())
    }

    /// (leader, leader epoch) as the image last said.
    pub fn leader(&self) -> (i32, i32) {
        let s = self.lock();
        (s.leader, s.leader_epoch)
    }

    pub fn is_leader(&self) -> bool {
        self.lock().leader == self.node_id
    }

    /// As leader: follower `replica` fetched from `offset`, so it has everything before it
    /// (followers ask for more only once what they have is durable). Advances the high
    /// watermark when the in-sync replicas allow it; returns the high watermark.
    pub fn follower_fetched(&self, replica: i32, offset: i64) -> i64 {
        let mut s = self.lock();
        s.follower_ends.insert(replica, offset);
        let end = self.log.end_offset();
        let hw = super::high_watermark::from_isr(self.node_id, end, &s.isr, &s.follower_ends);
        drop(s);
        match hw {
            Some(hw) if hw > self.log.high_watermark() => self.log.set_high_watermark(hw),
            _ => self.log.high_watermark(),
        }
    }
}
