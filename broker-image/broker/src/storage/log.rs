//! A partition's log: an ordered list of segments with one active segment at the end. Appends
//! write the producer's batch bytes with the broker's base offset; reads return stored bytes cut
//! at batch boundaries; the flusher fsyncs on behalf of acks=all producers; retention and
//! rolling drop and add whole segments. Knows nothing of sockets or the Kafka protocol's
//! request types.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use thiserror::Error;
use tokio::sync::watch;

use super::batch::{self, BatchHeader, BatchIter, HEADER_SIZE};
use super::leader_epoch_cache::LeaderEpochCache;
use super::log_config::LogConfig;
use super::producer_state::{self, ProducerStateMap, SequenceCheck};
use super::segment::{Segment, SegmentFile};

mod cleaning;
mod replica;
#[cfg(test)]
mod replica_tests;
pub use cleaning::{CleanableView, SealedSegment};
pub use replica::ReplicaAppend;

#[derive(Debug, Error)]
pub enum LogError {
    #[error("offset {offset} is out of range [{start}, {end}]")]
    OffsetOutOfRange { offset: i64, start: i64, end: i64 },
    #[error("out of order sequence number for producer {producer_id}: batch starts at {first_seq}")]
    OutOfOrderSequence { producer_id: i64, first_seq: i32 },
    #[error("producer {producer_id} epoch {epoch} is older than the current epoch")]
    InvalidProducerEpoch { producer_id: i64, epoch: i16 },
    #[error("unknown producer id {producer_id} (sequence {first_seq}, expected 0 for a new producer)")]
    UnknownProducerId { producer_id: i64, first_seq: i32 },
    #[error("the log of {0} was deleted")]
    Deleted(String),
    #[error("replicated batch at offset {base_offset} does not follow the log end offset {end_offset}")]
    UnexpectedAppendOffset { base_offset: i64, end_offset: i64 },
    #[error("replicated batch at position {position} is corrupt: {reason}")]
    CorruptReplicaBatch { position: usize, reason: String },
    #[error("I/O error in partition log: {0}")]
    Io(#[from] io::Error),
}

/// What an append assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendInfo {
    pub base_offset: i64,
    pub last_offset: i64,
    pub log_start_offset: i64,
    /// The unflushed data passed `flush.messages`: the caller should ask for a flush.
    pub flush_due: bool,
    /// An idempotent retry of a batch already in the log: nothing was written.
    pub duplicate: bool,
}

/// Stored batches read for a fetch.
#[derive(Debug, Clone)]
pub struct ReadResult {
    pub records: Bytes,
    pub high_watermark: i64,
    pub log_start_offset: i64,
}

/// The producer-state snapshot written at clean shutdown.
const PRODUCER_SNAPSHOT: &str = "producer-state.snapshot";

/// Suffix of the producer-state snapshots taken at each segment roll, named by the offset they
/// were taken at (`{offset:020}.producer.snapshot`), as Kafka names its `.snapshot` files.
const ROLL_SNAPSHOT_SUFFIX: &str = ".producer.snapshot";

/// How many roll snapshots a partition keeps (the newest; older ones are never needed).
const ROLL_SNAPSHOTS_KEPT: usize = 2;

fn roll_snapshot_path(dir: &Path, offset: i64) -> std::path::PathBuf {
    dir.join(format!("{offset:020}{ROLL_SNAPSHOT_SUFFIX}"))
}

/// The roll snapshots in `dir`, newest first.
fn roll_snapshots(dir: &Path) -> Vec<(i64, std::path::PathBuf)> {
    let mut found: Vec<(i64, std::path::PathBuf)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let offset = name.strip_suffix(ROLL_SNAPSHOT_SUFFIX)?.parse::<i64>().ok()?;
            Some((offset, e.path()))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found
}

/// Producer state after an unclean stop: the newest roll snapshot the recovered log still
/// reaches, plus a replay of the batch headers after it; the whole log when there is none.
/// Returns the state and the offset replay started from.
fn recover_producer_state(dir: &Path, segments: &[Segment], end_offset: i64) -> Result<(ProducerStateMap, i64), LogError> {
    for (offset, path) in roll_snapshots(dir) {
        if offset > end_offset {
            continue;
        }
        if let Some(map) = ProducerStateMap::read_snapshot(&path, offset) {
            let later: Vec<&Segment> = segments.iter().filter(|s| s.base_offset() >= offset).collect();
            return Ok((replay_producer_state(map, later)?, offset));
        }
    }
    Ok((replay_producer_state(ProducerStateMap::default(), segments.iter().collect())?, 0))
}

/// Replays the idempotent batch headers of `segments` onto `map`.
fn replay_producer_state(mut map: ProducerStateMap, segments: Vec<&Segment>) -> Result<ProducerStateMap, LogError> {
    for seg in segments {
        seg.for_each_header(|h| map.remember(h))?;
    }
    Ok(map)
}

#[derive(Debug)]
struct LogInner {
    segments: Vec<Segment>,
    /// Sealed segments whose data has not been fsynced yet.
    unsynced: Vec<Arc<SegmentFile>>,
    dir_dirty: bool,
    config: LogConfig,
    log_start_offset: i64,
    flushed_offset: i64,
    unflushed_messages: i64,
    last_flush_ms: i64,
    deleted: bool,
    producers: ProducerStateMap,
    epochs: LeaderEpochCache,
    /// Offsets below it are replicated as far as the partition requires: consumers read up to it.
    high_watermark: i64,
    /// One replica: the high watermark is the log end offset, moved by every append.
    hw_tracks_end: bool,
    /// Bumped by every truncation, so a cleaning pass begun before one installs nothing.
    generation: u64,
}

impl LogInner {
    fn active(&self) -> &Segment {
        self.segments.last().expect("a log always has an active segment")
    }
    fn active_mut(&mut self) -> &mut Segment {
        self.segments.last_mut().expect("a log always has an active segment")
    }
    fn end_offset(&self) -> i64 {
        self.active().next_offset
    }
    fn size(&self) -> u64 {
        self.segments.iter().map(|s| s.size).sum()
    }
    /// Records that `epoch` starts at `offset` when that is new, checkpointing the cache (rare:
    /// once per leader epoch). The directory fsync of the next flush makes the rename durable.
    fn assign_epoch(&mut self, dir: &Path, epoch: i32, offset: i64) -> Result<(), LogError> {
        if self.epochs.assign(epoch, offset) {
            self.epochs.write(dir)?;
            self.dir_dirty = true;
        }
        Ok(())
    }

    /// The log now starts at `offset` (retention, DeleteRecords): the epochs before it go.
    fn epochs_start_at(&mut self, dir: &Path, offset: i64) -> Result<(), LogError> {
        if self.epochs.truncate_from_start(offset) {
            self.epochs.write(dir)?;
        }
        Ok(())
    }
}

/// The epoch cache of a log being opened: the checkpoint when there is one, else rebuilt from
/// the stored batch headers (logs written before the cache existed); then cut to the log's
/// bounds (a crash may leave an epoch assigned whose batches were lost with a torn tail).
fn load_epochs(dir: &Path, segments: &[Segment], log_start_offset: i64, end_offset: i64) -> Result<LeaderEpochCache, LogError> {
    let (mut epochs, mut changed) = match LeaderEpochCache::read(dir) {
        Some(c) => (c, false),
        None => {
            let mut c = LeaderEpochCache::default();
            for seg in segments {
                seg.for_each_header(|h| {
                    c.assign(h.partition_leader_epoch, h.base_offset);
                })?;
            }
            let rebuilt = !c.entries().is_empty();
            (c, rebuilt)
        }
    };
    // Strictly above the end: an epoch assigned at the end with nothing written yet is what a
    // leader assigns again anyway (and an empty log's checkpoint is not rewritten each start).
    changed |= epochs.truncate_from_end(end_offset + 1);
    changed |= epochs.truncate_from_start(log_start_offset);
    if changed {
        epochs.write(dir)?;
    }
    Ok(epochs)
}

/// One partition's log. Shared by handlers through an `Arc`.
#[derive(Debug)]
pub struct PartitionLog {
    pub topic: String,
    pub partition: i32,
    dir: PathBuf,
    inner: Mutex<LogInner>,
    high_watermark_tx: watch::Sender<i64>,
    /// The log end offset, for followers' long-polls on a leader; sent to only while one waits.
    end_offset_tx: watch::Sender<i64>,
    /// fsyncs done so far (group commit keeps this far below the number of acks=all requests).
    fsyncs: std::sync::atomic::AtomicU64,
}

/// Outcome of recovering a log at start-up.
#[derive(Debug, Default, Clone, Copy)]
pub struct RecoveryReport {
    pub truncated: bool,
    pub segments: usize,
    /// After an unclean stop: the offset producer state was replayed from (the roll snapshot
    /// used, or 0 for the whole log).
    pub producer_state_replayed_from: i64,
}

impl PartitionLog {
    /// Opens (or creates) the log in `dir`. After an unclean shutdown (`clean == false`) the last
    /// segment is fully validated and any torn tail truncated; sealed segments keep their indexes.
    pub fn open(
        dir: &Path,
        topic: &str,
        partition: i32,
        config: LogConfig,
        clean: bool,
        now_ms: i64,
    ) -> Result<(Self, RecoveryReport), LogError> {
        fs::create_dir_all(dir)?;
        super::compaction::swap::recover(dir)?;
        let mut bases: Vec<i64> = Vec::new();
        for entry in fs::read_dir(dir)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if let Some(stem) = name.strip_suffix(".log") {
                if let Ok(b) = stem.parse::<i64>() {
                    bases.push(b);
                }
            } else if name.ends_with(".deleted") || name.ends_with(".swap") || name.ends_with(".cleaned") {
                let _ = fs::remove_file(dir.join(name.as_ref()));
            }
        }
        bases.sort_unstable();
        let mut segments: Vec<Segment> = Vec::new();
        let mut report = RecoveryReport::default();
        let last = bases.len().saturating_sub(1);
        for (i, base) in bases.iter().copied().enumerate() {
            if let Some(prev) = segments.last() {
                if prev.next_offset > base || report.truncated {
                    // An overlap or an earlier truncation: nothing after it can be trusted in order.
                    // (Gaps are fine: the log cleaner leaves them.)
                    let (seg, _) = Segment::open(dir, base, config.index_interval_bytes, false, false, now_ms)?;
                    seg.delete_files(dir);
                    report.truncated = true;
                    continue;
                }
            }
            let is_last = i == last;
            let trust = !is_last || clean;
            let validate = is_last && !clean;
            let (seg, truncated) = Segment::open(dir, base, config.index_interval_bytes, trust, validate, now_ms)?;
            report.truncated |= truncated;
            segments.push(seg);
        }
        if segments.is_empty() {
            segments.push(Segment::create(dir, 0, config.index_interval_bytes, now_ms)?);
        }
        // Index files of the active segment are rebuilt in memory; stale copies must not be
        // trusted after the next unclean stop.
        let active_base = segments.last().map(|s| s.base_offset()).unwrap_or(0);
        for ext in ["index", "timeindex"] {
            let _ = fs::remove_file(super::segment::file_name(dir, active_base, ext));
        }
        report.segments = segments.len();
        let end_offset = segments.last().map(|s| s.next_offset).unwrap_or(0);
        let snapshot_path = dir.join(PRODUCER_SNAPSHOT);
        let snapshot = if clean {
            ProducerStateMap::read_snapshot(&snapshot_path, end_offset)
        } else {
            None
        };
        let _ = fs::remove_file(&snapshot_path);
        let producers = match snapshot {
            Some(p) => p,
            None => {
                let (p, from) = recover_producer_state(dir, &segments, end_offset)?;
                report.producer_state_replayed_from = from;
                p
            }
        };
        let end = segments.last().map(|s| s.next_offset).unwrap_or(0);
        // DeleteRecords may have moved the start inside the first segment.
        let log_start_offset = segments[0]
            .base_offset()
            .max(super::log_start_checkpoint::read(dir).unwrap_or(0).min(end));
        let epochs = load_epochs(dir, &segments, log_start_offset, end)?;
        let inner = LogInner {
            segments,
            unsynced: Vec::new(),
            dir_dirty: true,
            config,
            log_start_offset,
            flushed_offset: end,
            unflushed_messages: 0,
            last_flush_ms: now_ms,
            deleted: false,
            producers,
            epochs,
            high_watermark: end,
            hw_tracks_end: true,
            generation: 0,
        };
        let (high_watermark_tx, _) = watch::channel(end);
        let (end_offset_tx, _) = watch::channel(end);
        Ok((
            PartitionLog {
                topic: topic.to_string(),
                partition,
                dir: dir.to_path_buf(),
                inner: Mutex::new(inner),
                high_watermark_tx,
                end_offset_tx,
                fsyncs: Default::default(),
            },
            report,
        ))
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // A panic while holding the lock cannot leave a half-applied append visible (size and
        // indexes are updated after the write), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one validated batch (as the producer sent it) and assigns its offsets.
    pub fn append(&self, records: &[u8], header: &BatchHeader, leader_epoch: i32, now_ms: i64) -> Result<AppendInfo, LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Err(self.deleted());
        }
        let mut remember = false;
        if header.is_idempotent() {
            let (id, epoch) = (header.producer_id, header.producer_epoch);
            let first_seq = header.base_sequence;
            let last_seq = producer_state::last_sequence(first_seq, header.last_offset_delta);
            match inner.producers.check(id, epoch, first_seq, last_seq) {
                SequenceCheck::Append => remember = true,
                SequenceCheck::Duplicate { base_offset } => {
                    tracing::debug!(
                        topic = %self.topic,
                        partition = self.partition,
                        producer_id = id,
                        first_seq,
                        base_offset,
                        "duplicate idempotent batch answered with its first offset"
                    );
                    return Ok(AppendInfo {
                        base_offset,
                        last_offset: base_offset + header.last_offset_delta as i64,
                        log_start_offset: inner.log_start_offset,
                        flush_due: false,
                        duplicate: true,
                    });
                }
                SequenceCheck::OutOfOrder => {
                    return Err(LogError::OutOfOrderSequence {
                        producer_id: id,
                        first_seq,
                    })
                }
                SequenceCheck::InvalidEpoch => return Err(LogError::InvalidProducerEpoch { producer_id: id, epoch }),
                SequenceCheck::UnknownProducer => {
                    return Err(LogError::UnknownProducerId {
                        producer_id: id,
                        first_seq,
                    })
                }
            }
        }
        self.roll_for(&mut inner, header.size, now_ms)?;
        let base_offset = inner.end_offset();
        inner.assign_epoch(&self.dir, leader_epoch, base_offset)?;
        let (head, epoch) = batch::assigned_header(base_offset, header.size, leader_epoch);
        let mut stored_header = *header;
        stored_header.base_offset = base_offset;
        inner.active_mut().append(&head, &epoch, records, &stored_header)?;
        if remember {
            inner.producers.remember(&stored_header);
        }
        inner.unflushed_messages += header.records_count as i64;
        let flush_due = inner.unflushed_messages >= inner.config.flush_messages;
        let end = inner.end_offset();
        let info = AppendInfo {
            base_offset,
            last_offset: end - 1,
            log_start_offset: inner.log_start_offset,
            flush_due,
            duplicate: false,
        };
        self.publish_end(inner, end);
        Ok(info)
    }

    /// Rolls the active segment when a batch of `size` bytes would not fit in it (or it is old).
    fn roll_for(&self, inner: &mut LogInner, size: usize, now_ms: i64) -> Result<(), LogError> {
        let active = inner.active();
        let must_roll = active.size > 0
            && (active.size + size as u64 > inner.config.segment_bytes
                || now_ms - active.created_ms >= inner.config.segment_ms
                || active.size + size as u64 > u32::MAX as u64);
        if must_roll {
            self.roll(inner, now_ms)?;
        }
        Ok(())
    }

    /// The log end moved to `end`: with one replica the high watermark moves with it, and its
    /// waiters (and followers waiting for the end) are told after the lock is released.
    fn publish_end(&self, mut inner: MutexGuard<'_, LogInner>, end: i64) {
        let tracks = inner.hw_tracks_end;
        if tracks {
            inner.high_watermark = end;
        }
        drop(inner);
        if tracks {
            self.high_watermark_tx.send_replace(end);
        }
        if self.end_offset_tx.receiver_count() > 0 {
            self.end_offset_tx.send_replace(end);
        }
    }

    fn deleted(&self) -> LogError {
        LogError::Deleted(format!("{}-{}", self.topic, self.partition))
    }

    fn roll(&self, inner: &mut LogInner, now_ms: i64) -> Result<(), LogError> {
        let base = inner.end_offset();
        let interval = inner.config.index_interval_bytes;
        let old = inner.active();
        old.write_indexes(&self.dir)?;
        let old_file = Arc::clone(&old.file);
        let seg = Segment::create(&self.dir, base, interval, now_ms)?;
        inner.unsynced.push(old_file);
        inner.segments.push(seg);
        inner.dir_dirty = true;
        self.snapshot_producers(inner, base);
        tracing::debug!(topic = %self.topic, partition = self.partition, base, "rolled segment");
        Ok(())
    }

    /// Writes the producer state as of `offset` (a roll), so recovery after a crash replays
    /// only what came after; keeps the newest few. Idle logs without producers write nothing.
    fn snapshot_producers(&self, inner: &LogInner, offset: i64) {
        if inner.producers.is_empty() {
            return;
        }
        if let Err(e) = inner.producers.write_snapshot(&roll_snapshot_path(&self.dir, offset), offset) {
            tracing::warn!(topic = %self.topic, partition = self.partition, error = %e, "producer-state snapshot failed");
            return;
        }
        for (_, old) in roll_snapshots(&self.dir).into_iter().skip(ROLL_SNAPSHOTS_KEPT) {
            let _ = fs::remove_file(old);
        }
    }

    /// Offset of the next record to be written (log end offset).
    pub fn end_offset(&self) -> i64 {
        self.lock().end_offset()
    }

    /// The high watermark: what consumers may read (with one replica, the log end offset).
    pub fn high_watermark(&self) -> i64 {
        self.lock().high_watermark
    }

    pub fn log_start_offset(&self) -> i64 {
        self.lock().log_start_offset
    }

    pub fn flushed_offset(&self) -> i64 {
        self.lock().flushed_offset
    }

    pub fn size_bytes(&self) -> u64 {
        self.lock().size()
    }

    pub fn config(&self) -> LogConfig {
        self.lock().config.clone()
    }

    pub fn set_config(&self, config: LogConfig) {
        self.lock().config = config;
    }

    /// A receiver that changes whenever the high watermark moves (consumers' long-polls).
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.high_watermark_tx.subscribe()
    }

    /// Wakes whoever waits on the high watermark without moving it (leadership changed: an
    /// acks=all wait must end).
    pub fn wake_high_watermark_waiters(&self) {
        self.high_watermark_tx.send_modify(|_| {});
    }

    /// A receiver that changes whenever the log end offset moves (followers' long-polls).
    pub fn subscribe_end(&self) -> watch::Receiver<i64> {
        let rx = self.end_offset_tx.subscribe();
        // Appends made while nobody listened were not sent: bring the value up to date
        // without waking anyone.
        let end = self.end_offset();
        self.end_offset_tx.send_if_modified(|v| {
            *v = end;
            false
        });
        rx
    }

    /// Reads stored batches from the one holding `offset`, at most `max_bytes` of whole batches
    /// below the high watermark; with `min_one` the first batch is returned even when it is
    /// larger. An offset between the high watermark and the log end reads nothing.
    pub fn read(&self, offset: i64, max_bytes: usize, min_one: bool) -> Result<ReadResult, LogError> {
        self.read_below(offset, max_bytes, min_one, false)
    }

    /// As [`PartitionLog::read`], up to the log end offset: what a leader sends a follower.
    pub fn read_to_end(&self, offset: i64, max_bytes: usize, min_one: bool) -> Result<ReadResult, LogError> {
        self.read_below(offset, max_bytes, min_one, true)
    }

    fn read_below(&self, offset: i64, max_bytes: usize, min_one: bool, to_end: bool) -> Result<ReadResult, LogError> {
        let inner = self.lock();
        let end = inner.end_offset();
        let start = inner.log_start_offset;
        if offset < start || offset > end {
            return Err(LogError::OffsetOutOfRange { offset, start, end });
        }
        let hw = inner.high_watermark;
        let limit = if to_end { end } else { hw };
        let empty = ReadResult {
            records: Bytes::new(),
            high_watermark: hw,
            log_start_offset: start,
        };
        if offset >= limit {
            return Ok(empty);
        }
        let mut i = inner.segments.partition_point(|s| s.base_offset() <= offset).saturating_sub(1);
        // Past this segment's batches, or an empty segment the cleaner left: the next one.
        while i + 1 < inner.segments.len() && (offset >= inner.segments[i].next_offset || inner.segments[i].size == 0) {
            i += 1;
        }
        let seg = &inner.segments[i];
        let size = seg.size;
        let position = seg.position_of(offset, size)?;
        let file = Arc::clone(&seg.file);
        drop(inner);
        let Some(position) = position else { return Ok(empty) };
        let available = (size - position) as usize;
        let want = max_bytes.min(available);
        let mut buf = vec![0u8; want.max(if min_one { HEADER_SIZE.min(available) } else { 0 })];
        let n = file.read_at(&mut buf, position)?;
        buf.truncate(n);
        // Whole batches only, and none that reaches the limit (the high watermark falls on a
        // batch boundary: every replica's log end does).
        let mut whole = 0;
        for (at, h) in BatchIter::new(&buf) {
            if h.last_offset() >= limit {
                break;
            }
            whole = at + h.size;
        }
        if whole == 0 {
            if !min_one {
                return Ok(empty);
            }
            let Ok(h) = BatchHeader::parse(&buf) else { return Ok(empty) };
            let mut first = vec![0u8; h.size.min(available)];
            let n = file.read_at(&mut first, position)?;
            first.truncate(n);
            return Ok(ReadResult {
                records: Bytes::from(first),
                high_watermark: hw,
                log_start_offset: start,
            });
        }
        buf.truncate(whole);
        Ok(ReadResult {
            records: Bytes::from(buf),
            high_watermark: hw,
            log_start_offset: start,
        })
    }

    /// Fsyncs everything appended so far; returns the offset up to which the log is durable.
    pub fn flush(&self, now_ms: i64) -> Result<i64, LogError> {
        self.fsyncs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (files, dir_dirty, end) = {
            let mut inner = self.lock();
            if inner.deleted {
                return Ok(inner.flushed_offset);
            }
            let mut files = std::mem::take(&mut inner.unsynced);
            files.push(Arc::clone(&inner.active().file));
            let dir_dirty = std::mem::replace(&mut inner.dir_dirty, false);
            inner.unflushed_messages = 0;
            inner.last_flush_ms = now_ms;
            (files, dir_dirty, inner.end_offset())
        };
        for f in &files {
            f.sync()?;
        }
        if dir_dirty {
            fs::File::open(&self.dir)?.sync_all()?;
        }
        let mut inner = self.lock();
        inner.flushed_offset = inner.flushed_offset.max(end);
        Ok(inner.flushed_offset)
    }

    /// How many times this log has been fsynced.
    pub fn fsync_count(&self) -> u64 {
        self.fsyncs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `flush.ms` says unflushed data has waited long enough.
    pub fn flush_overdue(&self, now_ms: i64) -> bool {
        let inner = self.lock();
        inner.flushed_offset < inner.end_offset() && now_ms - inner.last_flush_ms >= inner.config.flush_ms
    }

    /// The first record with timestamp ≥ `target`: `(timestamp, offset)`.
    pub fn offset_for_timestamp(&self, target: i64) -> Result<Option<(i64, i64)>, LogError> {
        let (file, start, size) = {
            let inner = self.lock();
            let Some(seg) = inner.segments.iter().find(|s| s.max_timestamp >= target) else {
                return Ok(None);
            };
            (Arc::clone(&seg.file), seg.time_index.lookup(target) as u64, seg.size)
        };
        self.scan_for(&file, start, size, |h| h.max_timestamp >= target, |ts| ts >= target)
    }

    /// The record with the largest timestamp (the first of them): `(timestamp, offset)`.
    pub fn max_timestamp_offset(&self) -> Result<Option<(i64, i64)>, LogError> {
        let (file, start, size, max) = {
            let inner = self.lock();
            let mut best: Option<&Segment> = None;
            for s in &inner.segments {
                if s.size > 0 && best.is_none_or(|b| s.max_timestamp > b.max_timestamp) {
                    best = Some(s);
                }
            }
            let Some(seg) = best else { return Ok(None) };
            let start = if seg.max_timestamp_position == u64::MAX {
                0
            } else {
                seg.max_timestamp_position
            };
            (Arc::clone(&seg.file), start, seg.size, seg.max_timestamp)
        };
        self.scan_for(&file, start, size, |h| h.max_timestamp >= max, |ts| ts >= max)
    }

    /// Reads batch headers from `position`; in the first batch matching `batch_pred`, decodes the
    /// records (decompressing if needed) and returns the first whose timestamp matches.
    fn scan_for(
        &self,
        file: &SegmentFile,
        mut position: u64,
        size: u64,
        batch_pred: impl Fn(&BatchHeader) -> bool,
        record_pred: impl Fn(i64) -> bool,
    ) -> Result<Option<(i64, i64)>, LogError> {
        let mut h = [0u8; HEADER_SIZE];
        while position < size {
            let n = file.read_at(&mut h, position)?;
            let Ok(header) = BatchHeader::parse(&h[..n]) else { break };
            if batch_pred(&header) && !header.is_control() {
                let mut body = vec![0u8; header.size];
                file.read_at(&mut body, position)?;
                // Read through the bounded decompression: a stored compression bomb is an
                // undecodable batch here, not an allocation.
                if let Ok(payload) = super::records::payload(&body, &header) {
                    if let Ok(records) = super::records::parse(&payload, header.records_count, header.base_offset) {
                        let found = records.iter().find_map(|r| {
                            let ts = if header.is_log_append_time() {
                                header.max_timestamp
                            } else {
                                header.base_timestamp + r.timestamp_delta
                            };
                            record_pred(ts).then_some((ts, header.base_offset + i64::from(r.offset_delta)))
                        });
                        if found.is_some() {
                            return Ok(found);
                        }
                    }
                }
                // Undecodable: answer with the batch's own bounds.
                return Ok(Some((header.max_timestamp, header.base_offset)));
            }
            position += header.size as u64;
        }
        Ok(None)
    }

    /// Applies `retention.ms` / `retention.bytes` by deleting whole segments from the start,
    /// rolling the active segment first when it alone has expired. Returns segments deleted.
    pub fn apply_retention(&self, now_ms: i64) -> Result<usize, LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Ok(0);
        }
        let cfg = inner.config.clone();
        if !cfg.cleanup_delete {
            return Ok(0);
        }
        let expired = |s: &Segment| cfg.retention_ms >= 0 && s.size > 0 && now_ms - s.max_timestamp.max(0) > cfg.retention_ms;
        if inner.segments.iter().all(expired) {
            self.roll(&mut inner, now_ms)?;
        }
        let mut deleted = 0;
        let mut total = inner.size() as i64;
        while inner.segments.len() > 1 {
            let first = &inner.segments[0];
            let by_time = expired(first);
            let by_size = cfg.retention_bytes >= 0 && total - first.size as i64 >= cfg.retention_bytes;
            if !(by_time || by_size) {
                break;
            }
            let seg = inner.segments.remove(0);
            total -= seg.size as i64;
            seg.delete_files(&self.dir);
            inner.dir_dirty = true;
            deleted += 1;
        }
        inner.log_start_offset = inner.log_start_offset.max(inner.segments[0].base_offset());
        let start = inner.log_start_offset;
        inner.epochs_start_at(&self.dir, start)?;
        Ok(deleted)
    }

    /// DeleteRecords: moves the log start offset up to `offset` (never down, never past the high
    /// watermark), checkpoints it and deletes the whole segments below it. Returns the new log
    /// start offset (the low watermark).
    pub fn delete_records_before(&self, offset: i64) -> Result<i64, LogError> {
        let mut inner = self.lock();
        if inner.deleted {
            return Err(self.deleted());
        }
        let end = inner.end_offset();
        if offset < 0 || offset > inner.high_watermark {
            return Err(LogError::OffsetOutOfRange {
                offset,
                start: inner.log_start_offset,
                end,
            });
        }
        if offset <= inner.log_start_offset {
            return Ok(inner.log_start_offset);
        }
        super::log_start_checkpoint::write(&self.dir, offset)?;
        inner.log_start_offset = offset;
        while inner.segments.len() > 1 && inner.segments[0].next_offset <= offset {
            let seg = inner.segments.remove(0);
            seg.delete_files(&self.dir);
            inner.dir_dirty = true;
        }
        inner.epochs_start_at(&self.dir, offset)?;
        Ok(offset)
    }

    /// Rolls the active segment when `segment.ms` has passed (checked by the background task too,
    /// so an idle partition still rolls).
    pub fn roll_if_due(&self, now_ms: i64) -> Result<(), LogError> {
        let mut inner = self.lock();
        let a = inner.active();
        if !inner.deleted && a.size > 0 && now_ms - a.created_ms >= inner.config.segment_ms {
            self.roll(&mut inner, now_ms)?;
        }
        Ok(())
    }

    /// Writes the active segment's indexes and the producer-state snapshot (clean shutdown).
    pub fn checkpoint_indexes(&self) -> Result<(), LogError> {
        let inner = self.lock();
        if !inner.deleted {
            inner.active().write_indexes(&self.dir)?;
            inner
                .producers
                .write_snapshot(&self.dir.join(PRODUCER_SNAPSHOT), inner.end_offset())?;
        }
        Ok(())
    }

    /// Marks the log deleted and removes its directory (renamed first, as Kafka does, so a
    /// crash mid-delete leaves a `*-delete` directory that start-up removes). Later appends fail.
    pub fn delete(&self) -> Result<(), LogError> {
        self.lock().deleted = true;
        let name = self.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tomb = self.dir.with_file_name(format!("{name}.{}-delete", uuid::Uuid::new_v4().simple()));
        fs::rename(&self.dir, &tomb)?;
        fs::remove_dir_all(&tomb)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::batch::{tests::make_batch, validate_produce};
    use proptest::prelude::*;

    fn config(segment_bytes: u64, index_interval: u64) -> LogConfig {
        LogConfig {
            segment_bytes,
            index_interval_bytes: index_interval,
            ..LogConfig::default()
        }
    }

    /// Appends batches of (count, timestamp) and returns (base offset, count, timestamp) each.
    fn fill(log: &PartitionLog, batches: &[(i32, i64)]) -> Vec<(i64, i32, i64)> {
        batches
            .iter()
            .map(|&(count, ts)| {
                let b = make_batch(count, ts, b"payload-bytes");
                let h = validate_produce(&b, 1 << 20).unwrap();
                let info = log.append(&b, &h, 0, 1_000).unwrap();
                (info.base_offset, count, ts)
            })
            .collect()
    }

    fn check_reads(log: &PartitionLog, written: &[(i64, i32, i64)]) {
        let end = written.last().map(|(b, c, _)| b + *c as i64).unwrap_or(0);
        assert_eq!(log.end_offset(), end);
        for &(base, count, _) in written {
            for o in base..base + count as i64 {
                let r = log.read(o, 1, true).unwrap();
                let h = crate::storage::batch::BatchHeader::parse(&r.records).unwrap();
                assert_eq!(h.base_offset, base, "offset {o} is read from the batch that holds it");
                assert_eq!(h.size, r.records.len(), "min_one returns exactly one whole batch");
            }
        }
        assert!(matches!(log.read(end + 1, 100, true), Err(LogError::OffsetOutOfRange { .. })));
        assert!(log.read(end, 100, true).unwrap().records.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn append_roll_lookup_recover(
            batches in proptest::collection::vec((1i32..20, 0i64..5_000), 1..60),
            segment_bytes in 200u64..3_000,
            index_interval in 0u64..600,
            tear in 0usize..80,
            target_ts in 0i64..5_200,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t-0");
            let (log, _) = PartitionLog::open(&path, "t", 0, config(segment_bytes, index_interval), false, 0).unwrap();
            let written = fill(&log, &batches);
            check_reads(&log, &written);

            // By timestamp: the first record with timestamp >= target (records in a batch have
            // timestamps ts, ts+1, …).
            let expected = written.iter().flat_map(|&(b, c, ts)| (0..c as i64).map(move |i| (ts + i, b + i))).find(|(t, _)| *t >= target_ts);
            prop_assert_eq!(log.offset_for_timestamp(target_ts).unwrap(), expected);
            let max = written.iter().flat_map(|&(b, c, ts)| (0..c as i64).map(move |i| (ts + i, b + i))).fold(None, |m: Option<(i64, i64)>, x| match m { Some(m) if m.0 >= x.0 => Some(m), _ => Some(x) });
            prop_assert_eq!(log.max_timestamp_offset().unwrap(), max);

            // Clean restart: same state from the written indexes.
            log.flush(0).unwrap();
            log.checkpoint_indexes().unwrap();
            drop(log);
            let (log, report) = PartitionLog::open(&path, "t", 0, config(segment_bytes, index_interval), true, 0).unwrap();
            prop_assert!(!report.truncated);
            check_reads(&log, &written);
            drop(log);

            // Torn tail: cut `tear` bytes off the active segment, restart uncleanly: the log is a
            // prefix of what was written, ending at a whole batch.
            let mut logs: Vec<_> = std::fs::read_dir(&path).unwrap().filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "log")).collect();
            logs.sort();
            let active = logs.last().unwrap();
            let len = std::fs::metadata(active).unwrap().len();
            let f = std::fs::OpenOptions::new().write(true).open(active).unwrap();
            f.set_len(len.saturating_sub(tear as u64)).unwrap();
            drop(f);
            let (log, _) = PartitionLog::open(&path, "t", 0, config(segment_bytes, index_interval), false, 0).unwrap();
            let end = log.end_offset();
            let kept: Vec<_> = written.iter().copied().filter(|(b, c, _)| b + *c as i64 <= end).collect();
            prop_assert_eq!(kept.last().map(|(b, c, _)| b + *c as i64).unwrap_or(written[0].0.min(end)), end);
            check_reads(&log, &kept);
            // And it carries on at the right offset.
            let more = fill(&log, &[(3, 9_999)]);
            prop_assert_eq!(more[0].0, end);
        }
    }

    #[test]
    fn producer_state_is_rebuilt_from_the_log_after_a_crash() {
        use crate::storage::batch::tests::make_idempotent_batch;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t-0");
        let (log, _) = PartitionLog::open(&path, "t", 0, config(300, 100), false, 0).unwrap();
        let mut sent = Vec::new();
        for pid in 0..3i64 {
            let mut seq = 0;
            for n in 1..6 {
                let b = make_idempotent_batch(n, pid, 0, seq);
                let h = validate_produce(&b, 1 << 20).unwrap();
                let info = log.append(&b, &h, 0, 0).unwrap();
                assert!(!info.duplicate);
                sent.push((b, info.base_offset));
                seq += n;
            }
        }
        drop(log);
        // Unclean: the newest roll snapshot plus the headers after it (in small chunks in tests).
        let (log, report) = PartitionLog::open(&path, "t", 0, config(300, 100), false, 0).unwrap();
        let snapshots = roll_snapshots(&path);
        assert_eq!(
            snapshots.len(),
            ROLL_SNAPSHOTS_KEPT,
            "rolls snapshot the producer state; the newest are kept"
        );
        assert_eq!(
            report.producer_state_replayed_from, snapshots[0].0,
            "replayed from the newest snapshot"
        );
        assert!(report.producer_state_replayed_from > 0);
        let end = log.end_offset();
        // Each producer sent five batches: all are within the cached window, so every retry is
        // answered with its original offset and nothing new is written.
        for (b, offset) in &sent {
            let h = validate_produce(b, 1 << 20).unwrap();
            let info = log.append(b, &h, 0, 0).unwrap();
            assert!(info.duplicate, "batch at {offset} recognised as a duplicate");
            assert_eq!(info.base_offset, *offset);
        }
        assert_eq!(log.end_offset(), end, "duplicates write nothing");
        let gap = make_idempotent_batch(1, 0, 0, 100);
        let h = validate_produce(&gap, 1 << 20).unwrap();
        assert!(matches!(log.append(&gap, &h, 0, 0), Err(LogError::OutOfOrderSequence { .. })));
    }

    #[test]
    fn retention_deletes_whole_old_segments() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config(500, 4096);
        cfg.retention_bytes = 1_000;
        let (log, _) = PartitionLog::open(&dir.path().join("t-0"), "t", 0, cfg, false, 0).unwrap();
        let written = fill(&log, &vec![(5, 100); 40]);
        let before = log.size_bytes();
        let deleted = log.apply_retention(1_000).unwrap();
        assert!(deleted > 0);
        assert!(log.size_bytes() < before);
        assert!(
            log.size_bytes() >= 1_000 - 500,
            "never deletes below retention.bytes by more than a segment"
        );
        let start = log.log_start_offset();
        assert!(start > 0);
        assert!(matches!(log.read(0, 100, true), Err(LogError::OffsetOutOfRange { .. })));
        assert!(!log.read(start, 100, true).unwrap().records.is_empty());
        assert_eq!(log.end_offset(), written.last().map(|(b, c, _)| b + *c as i64).unwrap());

        // Time: everything older than retention.ms goes, the active segment is rolled first.
        let mut cfg = config(1 << 20, 4096);
        cfg.retention_ms = 1_000;
        log.set_config(cfg);
        log.apply_retention(100_000).unwrap();
        assert_eq!(log.log_start_offset(), log.end_offset(), "all expired data deleted");
        assert!(log.read(log.end_offset(), 100, true).unwrap().records.is_empty());
    }
}
