//! One partition replica this broker holds: its log and what the metadata image says about
//! the partition (leader, epochs, replicas, in-sync replicas, `min.insync.replicas`). As leader
//! it also remembers how far each follower has fetched and when it was last caught up, which
//! moves the high watermark and tells when a follower joins or leaves the ISR (Kafka's
//! `replica.lag.time.max.ms`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::metadata::records::AlterPartition;
use crate::metadata::PartitionState;
use crate::storage::{LogError, PartitionLog};

#[derive(Debug)]
pub struct Replica {
    pub topic_id: uuid::Uuid,
    pub partition: i32,
    pub log: Arc<PartitionLog>,
    node_id: i32,
    state: Mutex<RoleState>,
}

#[derive(Debug, Clone, Default)]
struct RoleState {
    leader: i32,
    leader_epoch: i32,
    partition_epoch: i32,
    replicas: Vec<i32>,
    isr: Vec<i32>,
    /// `min.insync.replicas` of the topic (or the broker's default).
    min_isr: usize,
    /// As leader: where this epoch began in the log (a follower joins the ISR only past it).
    epoch_start: i64,
    /// As leader: each follower's log end offset, as its last fetch under this epoch said.
    follower_ends: HashMap<i32, i64>,
    /// As leader: when each follower last fetched up to the log end (ms).
    caught_up_ms: HashMap<i32, i64>,
    /// As leader: an ISR change is being proposed (one at a time, as Kafka's leader does).
    isr_change_pending: bool,
}

impl Replica {
    /// A replica of a partition in `state`, on `log`.
    pub fn new(
        node_id: i32,
        topic_id: uuid::Uuid,
        partition: i32,
        log: Arc<PartitionLog>,
        state: &PartitionState,
        min_isr: usize,
        now_ms: i64,
    ) -> Result<Replica, LogError> {
        let replica = Replica {
            topic_id,
            partition,
            log,
            node_id,
            state: Mutex::new(RoleState {
                leader: -2,
                leader_epoch: -1,
                ..RoleState::default()
            }),
        };
        replica.update(state, min_isr, now_ms)?;
        Ok(replica)
    }

    fn lock(&self) -> MutexGuard<'_, RoleState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the partition's new state from the image. A new leader or epoch starts over: as
    /// leader the epoch begins at the log end and the followers' progress is unknown (each
    /// in-sync follower is taken as caught up now, as Kafka's new leader does).
    pub fn update(&self, state: &PartitionState, min_isr: usize, now_ms: i64) -> Result<(), LogError> {
        let mut s = self.lock();
        let new_term = s.leader != state.leader || s.leader_epoch != state.leader_epoch;
        if s.partition_epoch != state.partition_epoch || new_term {
            s.isr_change_pending = false;
        }
        s.isr = state.isr.clone();
        s.replicas = state.replicas.clone();
        s.partition_epoch = state.partition_epoch;
        s.min_isr = min_isr;
        if new_term {
            s.leader = state.leader;
            s.leader_epoch = state.leader_epoch;
            s.follower_ends.clear();
            s.caught_up_ms = state.isr.iter().map(|b| (*b, now_ms)).collect();
            if state.leader == self.node_id {
                self.log.assign_leader_epoch(state.leader_epoch)?;
                s.epoch_start = self.log.end_offset();
            }
            // acks=all waits for the high watermark; they look again at who leads.
            self.log.wake_high_watermark_waiters();
        }
        // Alone in the ISR (and allowed to be), the leader's high watermark is its log end.
        let alone = s.leader == self.node_id && s.isr == [self.node_id] && s.effective_min_isr() <= 1;
        self.log.set_hw_tracks_end(alone);
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

    /// The leader epoch while this broker leads the partition.
    pub fn leading_epoch(&self) -> Option<i32> {
        let s = self.lock();
        (s.leader == self.node_id).then_some(s.leader_epoch)
    }

    /// What a request that must reach the leader is answered: the leader epoch, or Kafka's
    /// error code for a client's `current_leader_epoch` (-1: not checked) that is fenced or
    /// unknown, then for a broker that does not lead.
    pub fn check_leader(&self, current_leader_epoch: i32) -> Result<i32, i16> {
        let s = self.lock();
        if let Some(code) = crate::protocol::leader_epoch::check(current_leader_epoch, s.leader_epoch) {
            return Err(code);
        }
        if s.leader != self.node_id {
            return Err(kafka_protocol::error::ResponseError::NotLeaderOrFollower.code());
        }
        Ok(s.leader_epoch)
    }

    /// Runs `change` on the log while this replica still follows `leader` at `epoch` (as when
    /// the fetch it applies was sent), so an answer from a leader this broker no longer follows
    /// (it leads now, or follows another) changes nothing; `None` then.
    pub fn while_following<R>(&self, leader: i32, epoch: i32, change: impl FnOnce(&PartitionLog) -> R) -> Option<R> {
        let s = self.lock();
        (s.leader == leader && s.leader_epoch == epoch && leader != self.node_id).then(|| change(&self.log))
    }

    /// Whether the partition has replicas besides this one.
    pub fn has_followers(&self) -> bool {
        self.lock().replicas.len() > 1
    }

    /// Kafka's `NOT_ENOUGH_REPLICAS` message when the ISR is smaller than
    /// `min.insync.replicas` (acks=all is refused then), else `None`.
    pub fn isr_below_min(&self, topic: &str) -> Option<String> {
        let s = self.lock();
        (s.isr.len() < s.min_isr).then(|| {
            format!(
                "The size of the current ISR Set({}) is insufficient to satisfy the min.isr requirement of {} for partition {topic}-{}",
                s.isr.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
                s.min_isr,
                self.partition
            )
        })
    }

    /// As leader: follower `replica` fetched from `offset` at `now_ms`, so it has everything
    /// before it (followers ask for more only once what they have is durable). Advances the
    /// high watermark when the in-sync replicas allow it; returns the ISR change to propose when
    /// the follower has caught up enough to join the ISR.
    pub fn follower_fetched(&self, replica: i32, offset: i64, now_ms: i64) -> Option<AlterPartition> {
        let mut s = self.lock();
        if !s.replicas.contains(&replica) {
            return None;
        }
        let end = self.log.end_offset();
        s.follower_ends.insert(replica, offset);
        if offset >= end {
            s.caught_up_ms.insert(replica, now_ms);
        }
        let hw = if s.isr.len() >= s.effective_min_isr() {
            super::high_watermark::from_isr(self.node_id, end, &s.isr, &s.follower_ends)
        } else {
            None
        };
        if let Some(hw) = hw.filter(|hw| *hw > self.log.high_watermark()) {
            self.log.set_high_watermark(hw);
        }
        let joins = !s.isr.contains(&replica) && offset >= self.log.high_watermark() && offset >= s.epoch_start;
        if joins && !s.isr_change_pending && s.leader == self.node_id {
            let mut isr = s.isr.clone();
            isr.push(replica);
            return Some(s.propose(self, isr));
        }
        None
    }

    /// As leader: the ISR change that drops followers not caught up within `lag_ms`, if any.
    pub fn lagging_followers(&self, now_ms: i64, lag_ms: i64) -> Option<AlterPartition> {
        let mut s = self.lock();
        if s.leader != self.node_id || s.isr_change_pending {
            return None;
        }
        let keep: Vec<i32> = s
            .isr
            .iter()
            .copied()
            .filter(|b| *b == self.node_id || s.caught_up_ms.get(b).is_some_and(|t| now_ms - t <= lag_ms))
            .collect();
        (keep.len() < s.isr.len()).then(|| s.propose(self, keep))
    }

    /// The proposal of an ISR change failed: another may be made.
    pub fn isr_change_done(&self) {
        self.lock().isr_change_pending = false;
    }
}

impl RoleState {
    /// Kafka's effective minimum ISR: `min.insync.replicas`, but never more than the replicas.
    fn effective_min_isr(&self) -> usize {
        self.min_isr.min(self.replicas.len()).max(1)
    }

    fn propose(&mut self, replica: &Replica, isr: Vec<i32>) -> AlterPartition {
        self.isr_change_pending = true;
        AlterPartition {
            topic_id: replica.topic_id,
            partition: replica.partition,
            leader: self.leader,
            leader_epoch: self.leader_epoch,
            partition_epoch: self.partition_epoch,
            isr,
        }
    }
}
