//! The effective configuration of a topic, as CreateTopics (v5+) and later DescribeConfigs
//! report it: every topic-level key with its value and where that value comes from — the
//! topic's own override, the broker's `log.*` setting, or Kafka's default.

use std::collections::BTreeMap;

use crate::state::Broker;

/// Kafka's `ConfigSource` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    TopicOverride = 1,
    StaticBroker = 4,
    Default = 5,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    pub value: Option<String>,
    pub read_only: bool,
    pub is_default: bool,
    pub source: ConfigSource,
}

/// Topic key, the broker key that supplies its default (if any), and Kafka's default value.
const TOPIC_DEFAULTS: &[(&str, Option<&str>, &str)] = &[
    ("cleanup.policy", Some("log.cleanup.policy"), "delete"),
    ("compression.gzip.level", None, "-1"),
    ("compression.lz4.level", None, "9"),
    ("compression.type", Some("compression.type"), "producer"),
    ("compression.zstd.level", None, "3"),
    ("delete.retention.ms", Some("log.cleaner.delete.retention.ms"), "86400000"),
    ("file.delete.delay.ms", None, "60000"),
    ("flush.messages", Some("log.flush.interval.messages"), "9223372036854775807"),
    ("flush.ms", Some("log.flush.interval.ms"), "9223372036854775807"),
    ("follower.replication.throttled.replicas", None, ""),
    ("index.interval.bytes", Some("log.index.interval.bytes"), "4096"),
    ("leader.replication.throttled.replicas", None, ""),
    ("local.retention.bytes", None, "-2"),
    ("local.retention.ms", None, "-2"),
    ("max.compaction.lag.ms", None, "9223372036854775807"),
    ("max.message.bytes", Some("message.max.bytes"), "1048588"),
    (
        "message.timestamp.after.max.ms",
        Some("log.message.timestamp.after.max.ms"),
        "3600000",
    ),
    (
        "message.timestamp.before.max.ms",
        Some("log.message.timestamp.before.max.ms"),
        "9223372036854775807",
    ),
    ("message.timestamp.type", Some("log.message.timestamp.type"), "CreateTime"),
    ("min.cleanable.dirty.ratio", None, "0.5"),
    ("min.compaction.lag.ms", None, "0"),
    ("min.insync.replicas", Some("min.insync.replicas"), "1"),
    ("preallocate", Some("log.preallocate"), "false"),
    ("remote.log.copy.disable", None, "false"),
    ("remote.log.delete.on.disable", None, "false"),
    ("remote.storage.enable", None, "false"),
    ("retention.bytes", Some("log.retention.bytes"), "-1"),
    ("retention.ms", Some("log.retention.ms"), "604800000"),
    ("segment.bytes", Some("log.segment.bytes"), "1073741824"),
    ("segment.index.bytes", None, "10485760"),
    ("segment.jitter.ms", None, "0"),
    ("segment.ms", Some("log.roll.ms"), "604800000"),
    ("unclean.leader.election.enable", Some("unclean.leader.election.enable"), "false"),
];

/// The value the broker configuration gives a topic key, if it sets one.
fn broker_value(broker: &Broker, topic_key: &str, broker_key: Option<&str>) -> Option<String> {
    let raw = &broker.config.raw;
    let log = &broker.config.log;
    match topic_key {
        "retention.ms"
            if raw.contains_key("log.retention.ms")
                || raw.contains_key("log.retention.minutes")
                || raw.contains_key("log.retention.hours") =>
        {
            Some(log.retention_ms.to_string())
        }
        "segment.ms" if raw.contains_key("log.roll.ms") || raw.contains_key("log.roll.hours") => Some(log.segment_ms.to_string()),
        _ => broker_key.and_then(|k| raw.get(k).cloned()),
    }
}

pub fn describe(broker: &Broker, overrides: &BTreeMap<String, String>) -> Vec<ConfigEntry> {
    TOPIC_DEFAULTS
        .iter()
        .map(|(key, broker_key, default)| {
            let (value, source) = if let Some(v) = overrides.get(*key) {
                (v.clone(), ConfigSource::TopicOverride)
            } else if let Some(v) = broker_value(broker, key, *broker_key) {
                (v, ConfigSource::StaticBroker)
            } else {
                (default.to_string(), ConfigSource::Default)
            };
            ConfigEntry {
                name: key.to_string(),
                value: Some(value),
                read_only: false,
                is_default: source == ConfigSource::Default,
                source,
            }
        })
        .collect()
}
