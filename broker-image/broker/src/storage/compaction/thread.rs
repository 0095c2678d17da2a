//! The background log cleaner: one thread that, like Kafka's cleaner thread, repeatedly picks
//! the dirtiest compacted log (dirty ratio at least `min.cleanable.dirty.ratio`, or due because
//! of `max.compaction.lag.ms` or expired tombstones), cleans it, logs the pass's metrics, and
//! sleeps `log.cleaner.backoff.ms` when no log needs cleaning. Each log's config is read afresh
//! on every pass, so topic config changes apply without a restart. Works on any log, internal
//! topics such as `__consumer_offsets` included.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use super::config::CleanerConfig;
use super::pass::{self, Assessment};
use crate::storage::log::PartitionLog;
use crate::storage::log_manager::LogManager;

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
    /// Logs a pass failed on: left alone until the broker restarts (Kafka's "uncleanable
    /// partitions"), so one bad log neither stops the others nor is retried in a loop.
    /// (Held weakly: a deleted and re-created topic's new log is cleaned again.)
    uncleanable: Vec<Weak<PartitionLog>>,
}

impl State {
    /// The log that most needs cleaning now, if any.
    fn pick(&self, logs: &[Arc<PartitionLog>], now_ms: i64) -> Option<(Arc<PartitionLog>, Assessment)> {
        let mut best: Option<(Arc<PartitionLog>, Assessment)> = None;
        let marked = |log: &Arc<PartitionLog>| {
            self.uncleanable
                .iter()
                .any(|w| w.strong_count() > 0 && std::ptr::eq(w.as_ptr(), Arc::as_ptr(log)))
        };
        for log in logs.iter().filter(|l| !marked(l)) {
            let due = self.tombstone_horizons.get(log.dir()).is_some_and(|h| *h <= now_ms);
            let Some(a) = pass::assess(log, now_ms, due) else { continue };
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
        let pass = std::panic::catch_unwind(AssertUnwindSafe(|| pass::clean_unless_stopped(&log, cfg, now_ms, None, stop)));
        let result = match pass {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(panic) => Err(panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into())),
        };
        match result {
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
                tracing::error!(
                    topic = %log.topic,
                    partition = log.partition,
                    error = %e,
                    "log cleaner pass failed; the partition is not cleaned again until the broker restarts"
                );
                self.uncleanable.retain(|w| w.strong_count() > 0);
                self.uncleanable.push(Arc::downgrade(&log));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::batch::validate_produce;
    use crate::storage::log_config::LogConfig;
    use crate::storage::records::tests::keyed_batch;
    use std::collections::BTreeMap;

    fn now() -> i64 {
        10_000
    }

    #[test]
    fn the_thread_cleans_compacted_logs_only_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let defaults = LogConfig {
            segment_bytes: 300,
            ..LogConfig::default()
        };
        let logs = Arc::new(LogManager::new(dir.path(), defaults).unwrap());
        let compact: BTreeMap<String, String> = [
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("min.cleanable.dirty.ratio".to_string(), "0.01".to_string()),
        ]
        .into();
        logs.open_topic("c", uuid::Uuid::new_v4(), &[0], &compact, 0).unwrap();
        logs.open_topic("d", uuid::Uuid::new_v4(), &[0], &BTreeMap::new(), 0).unwrap();
        for topic in ["c", "d"] {
            let log = logs.get(topic, 0).unwrap();
            for _ in 0..20 {
                let b = keyed_batch(&[(Some(b"k"), Some(b"value-value-value"))], 1_000, 0);
                let h = validate_produce(&b, 1 << 20).unwrap();
                log.append(&b, &h, 0, 1_000).unwrap();
            }
        }
        let sizes = |t: &str| logs.get(t, 0).unwrap().size_bytes();
        let (c_before, d_before) = (sizes("c"), sizes("d"));
        let cfg = CleanerConfig {
            backoff_ms: 10,
            ..CleanerConfig::default()
        };
        let cleaner = LogCleaner::start(Arc::clone(&logs), cfg, now).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while sizes("c") >= c_before && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        cleaner.stop();
        assert!(sizes("c") < c_before, "the compacted log was cleaned");
        assert_eq!(sizes("d"), d_before, "a delete-policy log is left alone");
    }
}
