//! The coordinator's settings, read from the broker's properties under Kafka's key names and
//! with Kafka's defaults.

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct GroupConfig {
    /// `group.initial.rebalance.delay.ms`: how long a new group waits for more members.
    pub initial_rebalance_delay_ms: i64,
    pub min_session_timeout_ms: i32,
    pub max_session_timeout_ms: i32,
    /// `group.max.size`.
    pub max_size: usize,
    /// `offsets.topic.num.partitions`.
    pub offsets_partitions: i32,
    /// `offsets.topic.replication.factor` (capped by the brokers there are).
    pub offsets_replication_factor: i16,
    /// `offsets.topic.segment.bytes`.
    pub offsets_segment_bytes: i64,
    /// `offsets.retention.minutes`, in ms.
    pub offsets_retention_ms: i64,
    pub offsets_retention_check_interval_ms: i64,
    /// `offset.metadata.max.bytes`.
    pub offset_metadata_max_bytes: usize,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            initial_rebalance_delay_ms: 3000,
            min_session_timeout_ms: 6000,
            max_session_timeout_ms: 1_800_000,
            max_size: i32::MAX as usize,
            offsets_partitions: 50,
            offsets_replication_factor: 3,
            offsets_segment_bytes: 104_857_600,
            offsets_retention_ms: 10_080 * 60_000,
            offsets_retention_check_interval_ms: 600_000,
            offset_metadata_max_bytes: 4096,
        }
    }
}

/// The broker keys this module reads.
pub const KEYS: &[&str] = &[
    "group.initial.rebalance.delay.ms",
    "group.min.session.timeout.ms",
    "group.max.session.timeout.ms",
    "group.max.size",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "offsets.topic.segment.bytes",
    "offsets.retention.minutes",
    "offsets.retention.check.interval.ms",
    "offset.metadata.max.bytes",
];

impl GroupConfig {
    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<Self, String> {
        let d = GroupConfig::default();
        let int = |key: &str, default: i64, min: i64| -> Result<i64, String> {
            match props.get(key) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<i64>() {
                    Ok(n) if n >= min => Ok(n),
                    _ => Err(format!(
                        "Invalid value {v} for configuration {key}: must be an integer of at least {min}"
                    )),
                },
            }
        };
        let i32_max = i32::MAX as i64;
        Ok(GroupConfig {
            initial_rebalance_delay_ms: int("group.initial.rebalance.delay.ms", d.initial_rebalance_delay_ms, 0)?,
            min_session_timeout_ms: int("group.min.session.timeout.ms", d.min_session_timeout_ms as i64, 0)?.min(i32_max) as i32,
            max_session_timeout_ms: int("group.max.session.timeout.ms", d.max_session_timeout_ms as i64, 0)?.min(i32_max) as i32,
            max_size: int("group.max.size", d.max_size as i64, 1)? as usize,
            offsets_partitions: int("offsets.topic.num.partitions", d.offsets_partitions as i64, 1)?.min(10_000) as i32,
            offsets_replication_factor: int("offsets.topic.replication.factor", d.offsets_replication_factor as i64, 1)?
                .min(i16::MAX as i64) as i16,
            offsets_segment_bytes: int("offsets.topic.segment.bytes", d.offsets_segment_bytes, 1)?,
            offsets_retention_ms: int("offsets.retention.minutes", d.offsets_retention_ms / 60_000, 1)?.saturating_mul(60_000),
            offsets_retention_check_interval_ms: int("offsets.retention.check.interval.ms", d.offsets_retention_check_interval_ms, 1)?,
            offset_metadata_max_bytes: int("offset.metadata.max.bytes", d.offset_metadata_max_bytes as i64, 0)? as usize,
        })
    }
}
