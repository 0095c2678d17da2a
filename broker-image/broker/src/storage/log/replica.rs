//! What replication needs from a partition log, kept beside it: a follower appends the leader's
//! batches as they are (offsets and epochs kept), truncates a tail that diverged from a new
//! leader's log, or starts over at the leader's start offset; a leader records its epoch and
//! moves the high watermark as its followers catch up.

use std::fs;

use super::{recover_producer_state, roll_snapshots, LogError, LogInner, PartitionLog};
use crate::storage::batch::{self, BatchHeader, BatchIter};
use crate::storage::leader_epoch_cache::EpochEntry;
use crate::storage::producer_state::ProducerStateMap;
use crate::storage::segment::Segment;

/// What a follower append wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaAppend {
    /// Batches written (the trailing partial batch a fetch may end with is not one).
    pub batches: usize,
    /// Bytes of whole batches consumed from the input.
    pub bytes: usize,
    /// The log end offset afterwards.
    pub end_offset: i64,
    /// The unflushed data passed `flush.messages`: the caller should ask for a flush.
    pub flush_due: bool,
}

impl PartitionLog {
    /// Appends batches fetched from the leader exactly as it stored them: offsets, leader epochs
    /// and producer ids kept. Every whole batch is checked (magic, CRC, offsets increasing from
    /// the log end) before any is written, so a bad response writes nothing; a trailing partial
    /// batch is ignored, as Kafka's fetcher does.
    pub fn append_as_follower(&self, records: &[u8], now_ms: i64) -> Result<ReplicaAppend, LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Err(self.deleted());
        }
        let mut next = inner.end_offset();
        let mut batches: Vec<(usize, BatchHeader)> = Vec::new();
        let mut it = BatchIter::new(records);
        for (at, h) in it.by_ref() {
            let corrupt = |reason: String| LogError::CorruptReplicaBatch { position: at, reason };
            if h.magic != 2 {
                return Err(corrupt(format!("magic {}", h.magic)));
            }
            if h.last_offset_delta < 0 || h.records_count < 0 {
                return Err(corrupt(format!("last offset delta {}", h.last_offset_delta)));
            }
            let crc = batch::compute_crc(&records[at..at + h.size]);
            if crc != h.crc {
                return Err(corrupt(format!("CRC {:#010x}, computed {crc:#010x}", h.crc)));
            }
            // A compacted leader log has gaps between batches, never overlaps.
            if h.base_offset < next {
                return Err(LogError::UnexpectedAppendOffset {
                    base_offset: h.base_offset,
                    end_offset: next,
                });
            }
            next = h.last_offset() + 1;
            batches.push((at, h));
        }
        let bytes = it.position();
        let mut records_count = 0i64;
        for (at, h) in &batches {
            let stored = &records[*at..*at + h.size];
            self.roll_for(&mut inner, h.size, now_ms)?;
            inner.assign_epoch(&self.dir, h.partition_leader_epoch, h.base_offset)?;
            let head: &[u8; 12] = stored[..12].try_into().expect("a whole batch is longer than its header");
            let epoch: &[u8; 4] = stored[12..16].try_into().expect("a whole batch is longer than its header");
            inner.active_mut().append(head, epoch, stored, h)?;
            // Replicated sequences are the leader's to check; the follower only remembers them,
            // so it answers retries correctly once it leads.
            inner.producers.remember(h);
            records_count += i64::from(h.records_count);
        }
        inner.unflushed_messages += records_count;
        let flush_due = inner.unflushed_messages >= inner.config.flush_messages;
        let end_offset = inner.end_offset();
        if !batches.is_empty() {
            self.publish_end(inner, end_offset);
        }
        Ok(ReplicaAppend {
            batches: batches.len(),
            bytes,
            end_offset,
            flush_due,
        })
    }

    /// Removes everything from `offset` on (a follower's tail that diverged from the leader's
    /// log). The batch holding `offset` goes whole, so the log ends at a batch boundary at or
    /// below it. Below the first segment the log starts over at `offset`. Returns whether
    /// anything was removed.
    pub fn truncate_to(&self, offset: i64, now_ms: i64) -> Result<bool, LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Err(self.deleted());
        }
        let end = inner.end_offset();
        if offset >= end {
            // Nothing to remove, but an epoch this replica assigned at its log end as a leader
            // that wrote nothing in it conflicts with the new leader's log: it goes (as in
            // Kafka's `truncateTo`), else the next fetch would name it and diverge again.
            if inner.epochs.truncate_from_end(end) {
                inner.epochs.write(&self.dir)?;
            }
            return Ok(false);
        }
        if offset < inner.segments[0].base_offset() {
            self.start_over(&mut inner, offset, now_ms)?;
            return Ok(true);
        }
        let keep = inner.segments.partition_point(|s| s.base_offset() <= offset);
        let sealed_before = keep < inner.segments.len();
        for seg in inner.segments.drain(keep..) {
            seg.delete_files(&self.dir);
        }
        let active = inner.active_mut();
        let size = active.size;
        if let Some(position) = active.position_of(offset, size)? {
            active.truncate_to(position)?;
        }
        if sealed_before {
            // The segment is the active one again: its written indexes are stale.
            let base = inner.active().base_offset();
            for ext in ["index", "timeindex"] {
                let _ = fs::remove_file(crate::storage::segment::file_name(&self.dir, base, ext));
            }
        }
        let live: Vec<i64> = inner.segments.iter().map(|s| s.base_offset()).collect();
        inner.unsynced.retain(|f| live.contains(&f.base_offset));
        let end = inner.end_offset();
        if inner.log_start_offset > end {
            inner.log_start_offset = end;
            crate::storage::log_start_checkpoint::write(&self.dir, end)?;
        }
        self.after_truncation(&mut inner, end)?;
        inner.producers = recover_producer_state(&self.dir, &inner.segments, end)?.0;
        tracing::info!(topic = %self.topic, partition = self.partition, offset, end_offset = end, "truncated log");
        self.publish_truncation(inner);
        Ok(true)
    }

    /// Deletes every segment and starts the log empty at `offset` (a follower too far behind the
    /// leader's log start, or one whose whole log diverged).
    pub fn truncate_fully_and_start_at(&self, offset: i64, now_ms: i64) -> Result<(), LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Err(self.deleted());
        }
        self.start_over(&mut inner, offset, now_ms)?;
        tracing::info!(topic = %self.topic, partition = self.partition, offset, "log truncated fully");
        self.publish_truncation(inner);
        Ok(())
    }

    fn start_over(&self, inner: &mut LogInner, offset: i64, now_ms: i64) -> Result<(), LogError> {
        for seg in inner.segments.drain(..) {
            seg.delete_files(&self.dir);
        }
        inner.unsynced.clear();
        inner
            .segments
            .push(Segment::create(&self.dir, offset, inner.config.index_interval_bytes, now_ms)?);
        inner.log_start_offset = offset;
        crate::storage::log_start_checkpoint::write(&self.dir, offset)?;
        inner.producers = ProducerStateMap::default();
        inner.epochs.clear();
        inner.epochs.write(&self.dir)?;
        self.after_truncation(inner, offset)
    }

    /// What every truncation to `end` does besides the segments: offsets above it forgotten,
    /// epochs after it dropped, roll snapshots after it deleted, the cleaner's progress clamped.
    fn after_truncation(&self, inner: &mut LogInner, end: i64) -> Result<(), LogError> {
        inner.flushed_offset = inner.flushed_offset.min(end);
        inner.high_watermark = inner.high_watermark.min(end).max(inner.log_start_offset);
        if inner.epochs.truncate_from_end(end) {
            inner.epochs.write(&self.dir)?;
        }
        for (offset, path) in roll_snapshots(&self.dir) {
            if offset > end {
                let _ = fs::remove_file(path);
            }
        }
        crate::storage::compaction::clamp_checkpoint(&self.dir, end)?;
        inner.generation += 1;
        inner.dir_dirty = true;
        Ok(())
    }

    fn publish_truncation(&self, inner: std::sync::MutexGuard<'_, LogInner>) {
        let hw = inner.high_watermark;
        drop(inner);
        self.high_watermark_tx.send_replace(hw);
    }

    /// Becoming leader at `epoch`: it starts at the log end offset (Kafka assigns it then, so
    /// OffsetForLeaderEpoch answers for an epoch with no batches yet).
    pub fn assign_leader_epoch(&self, epoch: i32) -> Result<(), LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Ok(());
        }
        let end = inner.end_offset();
        inner.assign_epoch(&self.dir, epoch, end)
    }

    /// Kafka's `endOffsetFor`: `(epoch, end offset)` of `epoch` in this log (OffsetForLeaderEpoch,
    /// a follower's divergence check); `(-1, -1)` when unknown.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        let inner = self.lock();
        inner.epochs.end_offset_for(epoch, inner.end_offset())
    }

    /// The epoch `offset` was (or, at the end, is being) written in.
    pub fn epoch_for_offset(&self, offset: i64) -> Option<i32> {
        self.lock().epochs.epoch_for_offset(offset)
    }

    /// The newest leader epoch with data or a leader in this log.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.lock().epochs.latest_epoch()
    }

    pub fn epoch_entries(&self) -> Vec<EpochEntry> {
        self.lock().epochs.entries().to_vec()
    }

    /// With `true` (one replica) the high watermark follows the log end; with `false` it moves
    /// only by [`PartitionLog::set_high_watermark`] (the leader, as the in-sync replicas catch
    /// up; a follower, from the leader's answers).
    pub fn set_hw_tracks_end(&self, tracks: bool) {
        let mut inner = self.lock();
        inner.hw_tracks_end = tracks;
        if tracks {
            let end = inner.end_offset();
            self.publish_end(inner, end);
        }
    }

    /// Sets the high watermark, bounded by the log start and end offsets. Returns the value set.
    pub fn set_high_watermark(&self, hw: i64) -> i64 {
        let mut inner = self.lock();
        let hw = hw.min(inner.end_offset()).max(inner.log_start_offset);
        if hw == inner.high_watermark {
            return hw;
        }
        inner.high_watermark = hw;
        drop(inner);
        self.high_watermark_tx.send_replace(hw);
        hw
    }
}
