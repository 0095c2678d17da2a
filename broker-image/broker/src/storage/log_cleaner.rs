//! The background log cleaner: one thread that, like Kafka's cleaner thread, repeatedly picks
//! the dirtiest compacted log (dirty ratio at least `min.cleanable.dirty.ratio`, or due because
//! of `max.compaction.lag.ms` or expired tombstones), cleans it, logs the pass's metrics, and
//! sleeps `log.cleaner.backoff.ms` when no log needs cleaning. Each log's config is read afresh
//! on every pass, so topic config changes apply without a restart. Works on any log, internal
//! topics such as `__consumer_offsets` included.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::cleaner::{self, Assessment};
use super::cleaner_config::CleanerConfig;
use super::log::PartitionLog;
use super::log_manager::LogManager;

/// Handle of the running cleaner thread; `stop` ends it between passes.
pub struct LogCleaner {
    stop_tx: mpsc::Sender<()>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What the cleaner remembers between passes (in memory, as Kafka does).
#[derive(Default)]
struct State {
    /// Per partition directory: the earliest delete horizon of the tombstones it still holds.
    tombstone_horizons: HashMap<PathBuf, i64>,
}

impl State {
    /// The log that most needs cleaning now, if any.
    fn pick(&self, logs: &[Arc<PartitionLog>], now_ms: i64) -> Option<(Arc<PartitionLog>, Assessment)> {
        let mut best: Option<(Arc<PartitionLog>, Assessment)> = None;
        for log in logs {
            let due = self.tombstone_horizons.get(log.dir()).is_some_and(|h| *h <= now_ms);
            let Some(a) = cleaner::assess(log, now_ms, due) else { continue };
            let min_ratio = log.config().min_cleanable_dirty_ratio;
            let wanted = a.forced || (a.dirty_bytes > 0 && a.dirty_ratio >= min_ratio);
            if wanted && best.as_ref().is_none_or(|(_, b)| a.dirty_ratio > b.dirty_ratio) {
                best = Some((Arc::clone(log), a));
            }
        }
        best
    }

    /// Cleans the dirtiest log once; `true` when a log was cleaned.
    fn clean_one(&mut self, logs: &LogManager, cfg: &CleanerConfig, now_ms: i64, stop: &AtomicBool) -> bool {
        let Some((log, assessment)) = self.pick(&logs.all(), now_ms) else {
            return false;
        };
        match cleaner::clean_unless_stopped(&log, cfg, now_ms, None, stop) {
            Ok(Some(stats)) => {
                match stats.next_tombstone_horizon {
                    Some(h) => self.tombstone_horizons.insert(log.dir().to_path_buf(), h),
                    None => self.tombstone_horizons.remove(log.dir()),
                };
                tracing::info!(
                    topic = %log.topic,
                    partition = log.partition,
                    dirty_ratio = assessment.dirty_ratio,
                    segments = stats.segments_cleaned,
                    bytes_before = stats.bytes_before,
                    bytes_after = stats.bytes_after,
                    records_removed = stats.records_removed,
                    batches_rewritten = stats.batches_rewritten,
                    map_entries = stats.map_entries,
                    cleaned_up_to = stats.cleaned_up_to,
                    duration_ms = stats.duration_ms,
                    "log cleaner pass"
                );
                true
            }
            Ok(None) => {
                self.tombstone_horizons.remove(log.dir());
                false
            }
            Err(e) => {
                tracing::warn!(topic = %log.topic, partition = log.partition, error = %e, "log cleaner pass failed");
                false
            }
        }
    }
}

impl LogCleaner {
    /// Starts the cleaner thread over every log of `logs`.
    pub fn start(logs: Arc<LogManager>, cfg: CleanerConfig, now_ms: fn() -> i64) -> std::io::Result<LogCleaner> {
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let thread = std::thread::Builder::new().name("log-cleaner".into()).spawn(move || {
            let mut state = State::default();
            let backoff = Duration::from_millis(cfg.backoff_ms);
            // The first look comes one backoff after start-up, once the broker serves.
            let mut wait = backoff;
            loop {
                match stop_rx.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let cleaned = state.clean_one(&logs, &cfg, now_ms(), &stop);
                wait = if cleaned { Duration::ZERO } else { backoff };
            }
        })?;
        Ok(LogCleaner {
            stop_tx,
            stopping,
            thread: Some(thread),
        })
    }

    /// Stops the thread (a pass in progress gives up at the next segment) and waits for it.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        let _ = self.stop_tx.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
