//! The log cleaner's broker settings, under Kafka's `log.cleaner.*` names: whether it runs, how
//! long it sleeps when nothing is dirty, how much memory its key map may use, and the broker
//! defaults of the per-topic compaction settings (`log.cleanup.policy`,
//! `log.cleaner.delete.retention.ms`, `log.cleaner.min.cleanable.ratio`, the compaction lags).

use std::collections::BTreeMap;

use crate::storage::log_config::{parse_cleanup_policy, LogConfig};

#[derive(Debug, Clone, PartialEq)]
pub struct CleanerConfig {
    /// `log.cleaner.enable` (default true).
    pub enable: bool,
    /// `log.cleaner.backoff.ms`: sleep when no log needs cleaning (default 15000).
    pub backoff_ms: u64,
    /// `log.cleaner.dedupe.buffer.size`: bytes of the key → offset map (default 128 MiB).
    pub dedupe_buffer_size: usize,
    /// `log.cleaner.io.buffer.load.factor`: how full the map may get (default 0.9).
    pub load_factor: f64,
}

impl Default for CleanerConfig {
    fn default() -> Self {
        CleanerConfig {
            enable: true,
            backoff_ms: 15_000,
            dedupe_buffer_size: 128 << 20,
            load_factor: 0.9,
        }
    }
}

/// A broker key with a value it cannot take: `(key, value, reason)`.
pub type InvalidKey = (String, String, String);

fn get<T: std::str::FromStr>(
    props: &BTreeMap<String, String>,
    key: &str,
    ok: impl Fn(&T) -> bool,
    why: &str,
) -> Result<Option<T>, InvalidKey> {
    let Some(v) = props.get(key) else { return Ok(None) };
    match v.trim().parse::<T>() {
        Ok(n) if ok(&n) => Ok(Some(n)),
        _ => Err((key.to_string(), v.clone(), why.to_string())),
    }
}

impl CleanerConfig {
    /// Reads the cleaner's keys; also applies the compaction defaults to `log`.
    pub fn from_properties(props: &BTreeMap<String, String>, log: &mut LogConfig) -> Result<Self, InvalidKey> {
        let mut c = CleanerConfig::default();
        if let Some(v) = props.get("log.cleaner.enable") {
            c.enable = match v.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(("log.cleaner.enable".into(), v.clone(), "expected true or false".into())),
            };
        }
        if let Some(n) = get::<u64>(props, "log.cleaner.backoff.ms", |n| *n > 0, "must be a positive number")? {
            c.backoff_ms = n;
        }
        let fits = |n: &usize| *n >= 2 * super::offset_map::ENTRY_BYTES;
        if let Some(n) = get::<usize>(
            props,
            "log.cleaner.dedupe.buffer.size",
            fits,
            "must be a number of at least 48 bytes",
        )? {
            c.dedupe_buffer_size = n;
        }
        if let Some(f) = get::<f64>(
            props,
            "log.cleaner.io.buffer.load.factor",
            |f| *f > 0.0 && *f < 1.0,
            "must be in (0, 1)",
        )? {
            c.load_factor = f;
        }
        if let Some(v) = props.get("log.cleanup.policy") {
            (log.cleanup_delete, log.cleanup_compact) = parse_cleanup_policy(v);
        }
        if let Some(n) = get::<i64>(props, "log.cleaner.delete.retention.ms", |n| *n >= 0, "must be at least 0")? {
            log.delete_retention_ms = n;
        }
        if let Some(r) = get::<f64>(
            props,
            "log.cleaner.min.cleanable.ratio",
            |r| (0.0..=1.0).contains(r),
            "must be in [0, 1]",
        )? {
            log.min_cleanable_dirty_ratio = r;
        }
        if let Some(n) = get::<i64>(props, "log.cleaner.min.compaction.lag.ms", |n| *n >= 0, "must be at least 0")? {
            log.min_compaction_lag_ms = n;
        }
        if let Some(n) = get::<i64>(props, "log.cleaner.max.compaction.lag.ms", |n| *n > 0, "must be at least 1")? {
            log.max_compaction_lag_ms = n;
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kafka_keys_and_topic_defaults() {
        let props: BTreeMap<String, String> = [
            ("log.cleaner.backoff.ms", "200"),
            ("log.cleaner.dedupe.buffer.size", "1048576"),
            ("log.cleanup.policy", "compact"),
            ("log.cleaner.min.cleanable.ratio", "0.1"),
            ("log.cleaner.delete.retention.ms", "5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut log = LogConfig::default();
        let c = CleanerConfig::from_properties(&props, &mut log).unwrap();
        assert_eq!(c.backoff_ms, 200);
        assert_eq!(c.dedupe_buffer_size, 1 << 20);
        assert!(log.cleanup_compact && !log.cleanup_delete);
        assert_eq!(log.min_cleanable_dirty_ratio, 0.1);
        assert_eq!(log.delete_retention_ms, 5);
        let bad: BTreeMap<String, String> = [("log.cleaner.min.cleanable.ratio".to_string(), "2".to_string())].into();
        assert!(CleanerConfig::from_properties(&bad, &mut log).is_err());
    }
}
