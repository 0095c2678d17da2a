//! What the log cleaner needs from a partition log, kept beside it: a snapshot of the sealed
//! segments to read without holding the lock, and the installation of a cleaned segment in
//! place of the segments it replaces (the file swap and the in-memory list change happen under
//! the log's lock, so retention, appends and readers see either the old or the new segments).

use std::collections::HashMap;
use std::sync::Arc;

use super::{LogError, PartitionLog};
use crate::storage::compaction::swap::{self, SwapStep};
use crate::storage::log_config::LogConfig;
use crate::storage::segment::{Segment, SegmentFile};

/// A sealed segment as the cleaner sees it (its file stays readable while the `Arc` is held).
#[derive(Debug, Clone)]
pub struct SealedSegment {
    pub file: Arc<SegmentFile>,
    pub base_offset: i64,
    pub size: u64,
    /// Offset after the segment's last batch.
    pub next_offset: i64,
    pub max_timestamp: i64,
}

/// The state of a log at the start of a cleaning pass.
#[derive(Debug, Clone)]
pub struct CleanableView {
    /// Every segment but the active one, in offset order.
    pub sealed: Vec<SealedSegment>,
    pub active_base: i64,
    pub log_start_offset: i64,
    pub config: LogConfig,
    /// Each idempotent producer's last offset: its batch there is kept, even emptied.
    pub producer_last_offsets: HashMap<i64, i64>,
    /// The log's truncation count: a pass begun before a truncation installs nothing.
    pub generation: u64,
}

impl PartitionLog {
    /// The sealed segments and settings a cleaning pass starts from; `None` once deleted.
    pub fn cleanable_view(&self) -> Option<CleanableView> {
        let inner = self.lock();
        if inner.deleted {
            return None;
        }
        let n = inner.segments.len();
        let sealed = inner.segments[..n - 1]
            .iter()
            .map(|s| SealedSegment {
                file: Arc::clone(&s.file),
                base_offset: s.base_offset(),
                size: s.size,
                next_offset: s.next_offset,
                max_timestamp: s.max_timestamp,
            })
            .collect();
        Some(CleanableView {
            sealed,
            active_base: inner.active().base_offset(),
            log_start_offset: inner.log_start_offset,
            config: inner.config.clone(),
            producer_last_offsets: inner.producers.last_offsets(),
            generation: inner.generation,
        })
    }

    /// Replaces the sealed segments `replaced` (consecutive, the first being `base`) by the
    /// written and synced cleaned file for `[base, end)`, where `end` is the base offset of the
    /// segment that follows them. Returns `false` (and removes the cleaned file) when the log
    /// changed meanwhile (retention or deletion took one of them, or a truncation since the
    /// pass's view at `generation`); `stop_after` simulates a crash in the middle of the swap
    /// (tests), also answering `false`.
    pub fn install_cleaned(
        &self,
        generation: u64,
        base: i64,
        end: i64,
        replaced: &[i64],
        stop_after: Option<SwapStep>,
        now_ms: i64,
    ) -> Result<bool, LogError> {
        let cleaned = swap::cleaned_path(&self.dir, base, end);
        // Scanned before taking the lock: appends and reads never wait for it.
        let interval = self.config().index_interval_bytes;
        let seg = match Segment::open_at(&self.dir, &cleaned, base, interval, now_ms) {
            Ok(seg) => seg,
            Err(e) => {
                let _ = std::fs::remove_file(&cleaned);
                return Err(e.into());
            }
        };
        let mut inner = self.lock();
        let start = inner.segments.iter().position(|s| s.base_offset() == base);
        let still_there = !inner.deleted
            && inner.generation == generation
            && replaced.first() == Some(&base)
            && start.is_some_and(|i| {
                let bases: Vec<i64> = inner
                    .segments
                    .iter()
                    .skip(i)
                    .take(replaced.len())
                    .map(|s| s.base_offset())
                    .collect();
                bases == replaced && inner.segments.get(i + replaced.len()).is_some_and(|next| next.base_offset() == end)
            });
        let Some(i) = start.filter(|_| still_there) else {
            let _ = std::fs::remove_file(&cleaned);
            return Ok(false);
        };
        if !swap::commit(&self.dir, base, end, replaced, stop_after)? {
            return Ok(false);
        }
        // Only now: until the old segments' indexes were removed (step 3), these names were theirs.
        seg.write_indexes(&self.dir)?;
        inner.segments.splice(i..i + replaced.len(), [seg]);
        let first = inner.segments[0].base_offset();
        inner.log_start_offset = inner.log_start_offset.max(first);
        Ok(true)
    }
}
