//! One cleaning pass over one compacted log, as Kafka's `Cleaner.doClean` does it:
//!
//! 1. the cleanable part of the log is its sealed segments before the first one still inside
//!    `min.compaction.lag.ms` (the active segment is never touched); the part from the cleaner's
//!    checkpoint (the first dirty offset) on is dirty;
//! 2. the dirty records' keys go into a bounded offset map (key → latest offset); when the map
//!    fills, this pass stops there and the next one carries on;
//! 3. every segment before the end of the map is rewritten, in groups that fit one segment
//!    (`segment.bytes`), keeping what `batch_filter` keeps;
//! 4. each group's cleaned file replaces its segments through the crash-safe swap
//!    (`swap`), and the checkpoint moves to the end of the map.
//!
//! Whether a pass is due (`min.cleanable.dirty.ratio`, `max.compaction.lag.ms`, tombstones whose
//! horizon passed) is decided by `assess`; the background thread in `thread` picks the
//! dirtiest log and calls `clean`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use thiserror::Error;

use super::batch_filter::{filter_batch, FilterContext, Filtered};
use super::config::CleanerConfig;
use super::offset_map::OffsetMap;
use super::swap::{self, SwapStep};
use crate::storage::batch::{BatchHeader, BatchIter, HEADER_SIZE};
use crate::storage::log::{CleanableView, LogError, PartitionLog, SealedSegment};
use crate::storage::records::{self, RecordsError};
use crate::storage::segment::SegmentFile;

/// Per-partition file holding the first dirty offset (Kafka keeps one
/// `cleaner-offset-checkpoint` per log directory).
pub const CHECKPOINT_FILE: &str = "cleaner-offset-checkpoint";

#[cfg(not(test))]
const READ_CHUNK: usize = 1 << 20;
#[cfg(test)]
const READ_CHUNK: usize = 300;

#[derive(Debug, Error)]
pub enum CleanError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("I/O error while cleaning: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Records(#[from] RecordsError),
    #[error("segment {base} of {dir} stops at byte {at} of {size}: not cleaned")]
    Unreadable { dir: String, base: i64, at: u64, size: u64 },
}

/// What one pass did (logged as the pass's metrics).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CleanStats {
    pub segments_cleaned: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub records_removed: u64,
    pub batches_rewritten: u64,
    pub map_entries: usize,
    /// Offsets below this have been cleaned (the new checkpoint).
    pub cleaned_up_to: i64,
    /// The earliest time a tombstone left in the log may be removed by another pass.
    pub next_tombstone_horizon: Option<i64>,
    pub duration_ms: u64,
}

/// How dirty a log is and whether it must be cleaned now.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub dirty_ratio: f64,
    pub dirty_bytes: u64,
    /// Due regardless of the dirty ratio: `max.compaction.lag.ms` passed, or tombstones expired.
    pub forced: bool,
}

/// Reads the first dirty offset of a partition directory.
pub fn read_checkpoint(dir: &Path) -> Option<i64> {
    fs::read_to_string(dir.join(CHECKPOINT_FILE)).ok()?.trim().parse().ok()
}

fn write_checkpoint(dir: &Path, offset: i64) -> io::Result<()> {
    let tmp = dir.join(format!("{CHECKPOINT_FILE}.tmp"));
    fs::write(&tmp, format!("{offset}\n"))?;
    fs::rename(tmp, dir.join(CHECKPOINT_FILE))
}

/// Moves the first dirty offset back to `end` when the log was truncated below it: the
/// records written after the truncation are not cleaned yet.
pub fn clamp_checkpoint(dir: &Path, end: i64) -> io::Result<()> {
    match read_checkpoint(dir) {
        Some(at) if at > end => write_checkpoint(dir, end),
        _ => Ok(()),
    }
}

/// The sealed segments a pass may read: those before the first inside `min.compaction.lag.ms`.
fn cleanable_segments(view: &CleanableView, now_ms: i64) -> &[SealedSegment] {
    let lag = view.config.min_compaction_lag_ms;
    let n = view
        .sealed
        .iter()
        .position(|s| lag > 0 && s.max_timestamp > now_ms.saturating_sub(lag))
        .unwrap_or(view.sealed.len());
    &view.sealed[..n]
}

/// The first offset not yet cleaned: the checkpoint, within the log (a recovery that cut the log
/// short, or records deleted from its start, may have left it outside).
fn first_dirty(view: &CleanableView, dir: &Path) -> i64 {
    read_checkpoint(dir).unwrap_or(0).min(view.active_base).max(view.log_start_offset)
}

/// Timestamp of a segment's first batch (for `max.compaction.lag.ms`).
fn first_batch_timestamp(s: &SealedSegment) -> Option<i64> {
    let mut h = [0u8; HEADER_SIZE];
    let n = s.file.read_at(&mut h, 0).ok()?;
    BatchHeader::parse(&h[..n]).ok().map(|h| h.base_timestamp)
}

/// How dirty `log` is; `tombstones_due`: a tombstone horizon seen by an earlier pass has passed.
pub fn assess(log: &PartitionLog, now_ms: i64, tombstones_due: bool) -> Option<Assessment> {
    if !log.config().cleanup_compact {
        return None;
    }
    let view = log.cleanable_view()?;
    let segs = cleanable_segments(&view, now_ms);
    let dirty_from = first_dirty(&view, log.dir());
    let (mut clean, mut dirty) = (0u64, 0u64);
    let mut first_dirty_seg = None;
    for s in segs {
        if s.next_offset <= dirty_from {
            clean += s.size;
        } else {
            dirty += s.size;
            first_dirty_seg.get_or_insert(s);
        }
    }
    let total = clean + dirty;
    let ratio = if total == 0 { 0.0 } else { dirty as f64 / total as f64 };
    let max_lag = view.config.max_compaction_lag_ms;
    let overdue = first_dirty_seg
        .and_then(first_batch_timestamp)
        .is_some_and(|ts| ts >= 0 && ts < now_ms.saturating_sub(max_lag));
    Some(Assessment {
        dirty_ratio: ratio,
        dirty_bytes: dirty,
        forced: (overdue && dirty > 0) || (tombstones_due && total > 0),
    })
}

/// Calls `f` with each whole batch of a sealed segment, in order. Fails when the segment does
/// not end on a batch boundary (nothing after the damage could be kept).
fn for_each_batch(
    dir: &Path,
    s: &SealedSegment,
    mut f: impl FnMut(&[u8], &BatchHeader) -> Result<(), CleanError>,
) -> Result<(), CleanError> {
    let file: &SegmentFile = &s.file;
    let mut buf = Vec::new();
    let mut pos = 0u64;
    while pos < s.size {
        let want = READ_CHUNK.min((s.size - pos) as usize);
        buf.resize(want, 0);
        let n = file.read_at(&mut buf, pos)?;
        buf.truncate(n);
        let mut it = BatchIter::new(&buf);
        for (at, h) in it.by_ref() {
            f(&buf[at..at + h.size], &h)?;
        }
        let mut consumed = it.position() as u64;
        if consumed == 0 {
            // A batch larger than the chunk: read it whole.
            let header = BatchHeader::parse(&buf).ok().filter(|h| pos + h.size as u64 <= s.size);
            let Some(h) = header else {
                return Err(CleanError::Unreadable {
                    dir: dir.display().to_string(),
                    base: s.base_offset,
                    at: pos,
                    size: s.size,
                });
            };
            let mut whole = vec![0u8; h.size];
            if file.read_at(&mut whole, pos)? != h.size {
                return Err(CleanError::Unreadable {
                    dir: dir.display().to_string(),
                    base: s.base_offset,
                    at: pos,
                    size: s.size,
                });
            }
            f(&whole, &h)?;
            consumed = h.size as u64;
        }
        pos += consumed;
    }
    Ok(())
}

/// Fills `map` with the keys of the segments' records from offset `from` on; stops when the map is full. Returns whether it
/// stopped early.
fn build_offset_map(dir: &Path, segs: &[SealedSegment], from: i64, map: &mut OffsetMap) -> Result<bool, CleanError> {
    let mut full = false;
    for s in segs.iter().filter(|s| s.next_offset > from) {
        for_each_batch(dir, s, |bytes, h| {
            if full || h.last_offset() < from {
                return Ok(());
            }
            if !h.is_control() && h.records_count > 0 {
                let payload = records::payload(bytes, h)?;
                for r in records::parse(&payload, h.records_count, h.base_offset)? {
                    let offset = h.base_offset + r.offset_delta as i64;
                    if let (Some(k), true) = (r.key, offset >= from) {
                        if !map.put(k, offset) {
                            full = true;
                            return Ok(());
                        }
                    }
                }
            }
            // Offsets up to the batch's end are covered (keyless records and empty batches too).
            map.update_latest_offset(h.last_offset());
            Ok(())
        })?;
        if full {
            break;
        }
    }
    Ok(full)
}

/// Groups consecutive segments so each group's total size fits one segment.
fn group_by_size(segs: &[SealedSegment], max_bytes: u64) -> Vec<&[SealedSegment]> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < segs.len() {
        let mut end = start + 1;
        let mut size = segs[start].size;
        while end < segs.len() && size + segs[end].size <= max_bytes && segs[end].next_offset - segs[start].base_offset <= i32::MAX as i64 {
            size += segs[end].size;
            end += 1;
        }
        groups.push(&segs[start..end]);
        start = end;
    }
    groups
}

/// Cleans `log` once. `Ok(None)`: nothing to clean. `stop_after` simulates a crash during the
/// first group's swap (tests).
pub fn clean(log: &PartitionLog, cfg: &CleanerConfig, now_ms: i64, stop_after: Option<SwapStep>) -> Result<Option<CleanStats>, CleanError> {
    clean_unless_stopped(log, cfg, now_ms, stop_after, &AtomicBool::new(false))
}

/// `clean`, giving up between segments once `stop` is set (the broker is shutting down): what
/// was swapped in stays, the checkpoint does not move, and the next pass starts over.
pub fn clean_unless_stopped(
    log: &PartitionLog,
    cfg: &CleanerConfig,
    now_ms: i64,
    stop_after: Option<SwapStep>,
    stop: &AtomicBool,
) -> Result<Option<CleanStats>, CleanError> {
    let started = Instant::now();
    let Some(view) = log.cleanable_view() else { return Ok(None) };
    let dir = log.dir().to_path_buf();
    let segs = cleanable_segments(&view, now_ms).to_vec();
    if segs.is_empty() {
        return Ok(None);
    }
    let from = first_dirty(&view, &dir);
    let dirty_bytes: u64 = segs.iter().filter(|s| s.next_offset > from).map(|s| s.size).sum();
    let mut map = OffsetMap::new(cfg.dedupe_buffer_size, cfg.load_factor, (dirty_bytes / 8) as usize);
    build_offset_map(&dir, &segs, from, &mut map)?;
    // Offsets below `end` are cleaned: up to the map's end, and at least the clean part (whose
    // expired tombstones may go).
    let end = (map.latest_offset() + 1).max(from);
    // Records below `end` whose key is not in the map are the newest for their key.
    map.update_latest_offset(end - 1);
    let to_clean: Vec<SealedSegment> = segs.into_iter().filter(|s| s.base_offset < end).collect();
    if to_clean.is_empty() {
        return Ok(None);
    }
    let ctx = FilterContext {
        map: &map,
        now_ms,
        delete_retention_ms: view.config.delete_retention_ms,
    };
    let max_group = view.config.segment_bytes.min(i32::MAX as u64);
    let mut stats = CleanStats {
        map_entries: map.len(),
        ..CleanStats::default()
    };
    for group in group_by_size(&to_clean, max_group) {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let base = group[0].base_offset;
        let last = group.len() - 1;
        let next_base = view
            .sealed
            .iter()
            .map(|s| s.base_offset)
            .chain([view.active_base])
            .find(|b| *b > group[last].base_offset)
            .unwrap_or(view.active_base);
        let path = swap::cleaned_path(&dir, base, next_base);
        let mut out = OpenOptions::new().create(true).write(true).truncate(true).open(&path)?;
        let written = write_group(&dir, group, &ctx, &view, &mut out, &mut stats);
        let written = written.and_then(|n| {
            out.sync_all()?;
            Ok(n)
        });
        drop(out);
        let bytes_after = match written {
            Ok(n) => n,
            Err(e) => {
                let _ = fs::remove_file(&path);
                return Err(e);
            }
        };
        let replaced: Vec<i64> = group.iter().map(|s| s.base_offset).collect();
        if !log.install_cleaned(view.generation, base, next_base, &replaced, stop_after, now_ms)? {
            // The log changed under us (retention, deletion) or a crash was simulated.
            return Ok(None);
        }
        stats.segments_cleaned += group.len();
        stats.bytes_before += group.iter().map(|s| s.size).sum::<u64>();
        stats.bytes_after += bytes_after;
    }
    write_checkpoint(&dir, end)?;
    stats.cleaned_up_to = end;
    stats.duration_ms = started.elapsed().as_millis() as u64;
    Ok(Some(stats))
}

/// Writes the kept batches of a group into `out`; returns the bytes written.
fn write_group(
    dir: &Path,
    group: &[SealedSegment],
    ctx: &FilterContext<'_>,
    view: &CleanableView,
    out: &mut File,
    stats: &mut CleanStats,
) -> Result<u64, CleanError> {
    let mut written = 0u64;
    let mut pending: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    for s in group {
        for_each_batch(dir, s, |bytes, h| {
            let keep_empty = h.producer_id >= 0 && view.producer_last_offsets.get(&h.producer_id) == Some(&h.last_offset());
            let outcome = match filter_batch(bytes, h, ctx, keep_empty) {
                Ok(o) => o,
                Err(e) => {
                    // A batch the cleaner cannot read is kept as it is: never lose data.
                    tracing::warn!(dir = %dir.display(), offset = h.base_offset, error = %e, "log cleaner keeps an unreadable batch");
                    super::batch_filter::FilterOutcome {
                        result: Filtered::Keep,
                        records_removed: 0,
                        tombstone_horizon: None,
                    }
                }
            };
            stats.records_removed += outcome.records_removed;
            if let Some(hz) = outcome.tombstone_horizon {
                stats.next_tombstone_horizon = Some(stats.next_tombstone_horizon.map_or(hz, |t| t.min(hz)));
            }
            match outcome.result {
                Filtered::Keep => pending.extend_from_slice(bytes),
                Filtered::Rewritten(b) => {
                    stats.batches_rewritten += 1;
                    pending.extend_from_slice(&b);
                }
                Filtered::Drop => stats.batches_rewritten += 1,
            }
            if pending.len() >= READ_CHUNK {
                out.write_all(&pending)?;
                written += pending.len() as u64;
                pending.clear();
            }
            Ok(())
        })?;
    }
    out.write_all(&pending)?;
    written += pending.len() as u64;
    Ok(written)
}

#[cfg(test)]
mod tests;
