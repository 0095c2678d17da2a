//! The settings one partition log runs with: the broker's `log.*` defaults overlaid with the
//! topic's own configs (Kafka's names: `segment.bytes`, `retention.ms`, …).

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    pub segment_bytes: u64,
    /// Roll the active segment after this long (`segment.ms`).
    pub segment_ms: i64,
    /// -1: keep forever.
    pub retention_ms: i64,
    /// -1: no size limit.
    pub retention_bytes: i64,
    pub max_message_bytes: usize,
    pub index_interval_bytes: u64,
    /// Flush after this many unflushed messages (`flush.messages`); `i64::MAX` = never by count.
    pub flush_messages: i64,
    /// Flush when the oldest unflushed data is this old (`flush.ms`); `i64::MAX` = never by time.
    pub flush_ms: i64,
    /// Whether an acks=all produce waits for fsync (Kaskade's `log.flush.on.acks.all`).
    pub flush_on_acks_all: bool,
    /// `cleanup.policy` contains `delete`: retention deletes old segments.
    pub cleanup_delete: bool,
    /// `cleanup.policy` contains `compact`: the log cleaner keeps the newest record per key.
    pub cleanup_compact: bool,
    /// How long tombstones stay readable after the cleaner first passes them (`delete.retention.ms`).
    pub delete_retention_ms: i64,
    /// Clean once dirty bytes are at least this share of the cleanable log (`min.cleanable.dirty.ratio`).
    pub min_cleanable_dirty_ratio: f64,
    /// Records younger than this stay uncompacted (`min.compaction.lag.ms`).
    pub min_compaction_lag_ms: i64,
    /// Dirty records older than this are compacted whatever the dirty ratio (`max.compaction.lag.ms`).
    pub max_compaction_lag_ms: i64,
}

// The ratio is validated to lie in [0, 1] (never NaN), so equality is total.
impl Eq for LogConfig {}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            retention_ms: 7 * 24 * 3600 * 1000,
            retention_bytes: -1,
            max_message_bytes: 1_048_588,
            index_interval_bytes: 4096,
            flush_messages: i64::MAX,
            flush_ms: i64::MAX,
            flush_on_acks_all: true,
            cleanup_delete: true,
            cleanup_compact: false,
            delete_retention_ms: 86_400_000,
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
        }
    }
}

impl LogConfig {
    /// This config with a topic's overrides applied (keys already validated by the caller).
    pub fn with_topic_overrides(&self, topic: &BTreeMap<String, String>) -> LogConfig {
        let mut c = self.clone();
        for (k, v) in topic {
            let n = v.trim().parse::<i64>().ok();
            match (k.as_str(), n) {
                ("segment.bytes", Some(n)) if n > 0 => c.segment_bytes = n as u64,
                ("segment.ms", Some(n)) if n > 0 => c.segment_ms = n,
                ("retention.ms", Some(n)) => c.retention_ms = n,
                ("retention.bytes", Some(n)) => c.retention_bytes = n,
                ("max.message.bytes", Some(n)) if n >= 0 => c.max_message_bytes = n as usize,
                ("index.interval.bytes", Some(n)) if n >= 0 => c.index_interval_bytes = n as u64,
                ("flush.messages", Some(n)) if n > 0 => c.flush_messages = n,
                ("flush.ms", Some(n)) if n >= 0 => c.flush_ms = n,
                ("cleanup.policy", _) => (c.cleanup_delete, c.cleanup_compact) = parse_cleanup_policy(v),
                ("delete.retention.ms", Some(n)) if n >= 0 => c.delete_retention_ms = n,
                ("min.compaction.lag.ms", Some(n)) if n >= 0 => c.min_compaction_lag_ms = n,
                ("max.compaction.lag.ms", Some(n)) if n > 0 => c.max_compaction_lag_ms = n,
                ("min.cleanable.dirty.ratio", _) => {
                    if let Some(r) = v.trim().parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r)) {
                        c.min_cleanable_dirty_ratio = r;
                    }
                }
                _ => {}
            }
        }
        c
    }
}

/// `(delete, compact)` from a `cleanup.policy` list such as `compact,delete`.
pub fn parse_cleanup_policy(v: &str) -> (bool, bool) {
    let items: Vec<&str> = v.split(',').map(str::trim).collect();
    (items.contains(&"delete"), items.contains(&"compact"))
}
