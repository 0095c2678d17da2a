//! The effective configuration of a topic or the broker, as CreateTopics (v5+) and
//! DescribeConfigs report it: every key with its value, its type, and where the value comes
//! from — the topic's own override, the broker's static setting, or Kafka's default — with the
//! synonyms Kafka lists beside it.

use std::collections::BTreeMap;

use crate::state::Broker;

/// Kafka's `ConfigSource` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    TopicOverride = 1,
    StaticBroker = 4,
    Default = 5,
}

/// Kafka's `ConfigType` values.
pub mod config_type {
    pub const BOOLEAN: i8 = 1;
    pub const STRING: i8 = 2;
    pub const INT: i8 = 3;
    pub const LONG: i8 = 5;
    pub const DOUBLE: i8 = 6;
    pub const LIST: i8 = 7;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    pub name: String,
    pub value: Option<String>,
    pub source: ConfigSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    pub value: Option<String>,
    pub read_only: bool,
    pub is_default: bool,
    pub source: ConfigSource,
    pub config_type: i8,
    /// Where the value could come from, most specific first (topic, broker, default).
    pub synonyms: Vec<Synonym>,
}

fn type_of(value: &str, key: &str) -> i8 {
    use config_type::*;
    if key == "cleanup.policy"
        || key.ends_with("throttled.replicas")
        || key == "listeners"
        || key == "advertised.listeners"
        || key == "log.dirs"
    {
        LIST
    } else if value == "true" || value == "false" {
        BOOLEAN
    } else if key.contains("ratio") {
        DOUBLE
    } else if value.parse::<i64>().is_ok() {
        if key.ends_with(".ms")
            || key.ends_with("retention.bytes")
            || key.ends_with("messages")
            || key.ends_with(".hours")
            || key.ends_with(".minutes")
        {
            LONG
        } else {
            INT
        }
    } else {
        STRING
    }
}

/// Topic key, the broker key that supplies its default (if any), and Kafka's default value.
const TOPIC_DEFAULTS: &[(&str, Option<&str>, &str)] = &[
    ("cleanup.policy", Some("log.cleanup.policy"), "delete"),
    ("compression.gzip.level", None, "-1"),
    ("compression.lz4.level", None, "9"),
    ("compression.type", Some("compression.type"), "producer"),
    ("compression.zstd.level", None, "3"),
    ("delete.retention.ms", Some("log.cleaner.delete.retention.ms"), "86400000"),
    ("errors.deadletterqueue.group.enable", None, "false"),
    ("file.delete.delay.ms", None, "60000"),
    ("flush.messages", Some("log.flush.interval.messages"), "9223372036854775807"),
    ("flush.ms", Some("log.flush.interval.ms"), "9223372036854775807"),
    ("follower.replication.throttled.replicas", None, ""),
    ("index.interval.bytes", Some("log.index.interval.bytes"), "4096"),
    ("leader.replication.throttled.replicas", None, ""),
    ("local.retention.bytes", None, "-2"),
    ("local.retention.ms", None, "-2"),
    ("max.compaction.lag.ms", None, "9223372036854775807"),
    ("max.decompressed.message.bytes", None, "2147483639"),
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
    ("remote.copy.lag.bytes", None, "-1"),
    ("remote.copy.lag.ms", None, "0"),
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

/// Every topic-level config of a topic with the given overrides.
pub fn describe(broker: &Broker, overrides: &BTreeMap<String, String>) -> Vec<ConfigEntry> {
    TOPIC_DEFAULTS
        .iter()
        .map(|(key, broker_key, default)| {
            let mut synonyms = Vec::new();
            if let Some(v) = overrides.get(*key) {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: Some(v.clone()),
                    source: ConfigSource::TopicOverride,
                });
            }
            if let (Some(bk), Some(v)) = (broker_key, broker_value(broker, key, *broker_key)) {
                synonyms.push(Synonym {
                    name: bk.to_string(),
                    value: Some(v),
                    source: ConfigSource::StaticBroker,
                });
            }
            synonyms.push(Synonym {
                name: broker_key.unwrap_or(key).to_string(),
                value: Some(default.to_string()),
                source: ConfigSource::Default,
            });
            let first = synonyms[0].clone();
            ConfigEntry {
                name: key.to_string(),
                config_type: type_of(default, key),
                value: first.value,
                read_only: false,
                is_default: first.source == ConfigSource::Default,
                source: first.source,
                synonyms,
            }
        })
        .collect()
}

/// Broker keys Kaskade acts on, with Kafka's defaults.
const BROKER_DEFAULTS: &[(&str, &str)] = &[
    ("advertised.listeners", ""),
    ("auto.create.topics.enable", "true"),
    ("controller.listener.names", "CONTROLLER"),
    ("controller.quorum.voters", ""),
    ("default.replication.factor", "1"),
    ("listeners", "PLAINTEXT://:9092"),
    ("log.dirs", "/tmp/kaskade-logs"),
    ("log.flush.interval.messages", "9223372036854775807"),
    ("log.flush.interval.ms", ""),
    ("log.index.interval.bytes", "4096"),
    ("log.message.timestamp.after.max.ms", "3600000"),
    ("log.message.timestamp.before.max.ms", "9223372036854775807"),
    ("log.retention.bytes", "-1"),
    ("log.retention.check.interval.ms", "300000"),
    ("log.retention.hours", "168"),
    ("log.retention.minutes", ""),
    ("log.retention.ms", ""),
    ("log.roll.hours", "168"),
    ("log.roll.ms", ""),
    ("log.segment.bytes", "1073741824"),
    ("message.max.bytes", "1048588"),
    ("node.id", "-1"),
    ("num.partitions", "1"),
    ("socket.request.max.bytes", "104857600"),
];

/// The broker's configuration: every key it acts on (static or default) plus any other key it
/// was given. Static broker configs cannot be changed at run time (read-only).
pub fn describe_broker(broker: &Broker) -> Vec<ConfigEntry> {
    let raw = &broker.config.raw;
    let mut keys: BTreeMap<&str, &str> = BROKER_DEFAULTS.iter().copied().collect();
    for k in raw.keys() {
        keys.entry(k.as_str()).or_insert("");
    }
    keys.into_iter()
        .map(|(key, default)| {
            let default = if key == "node.id" {
                broker.node_id.to_string()
            } else {
                default.to_string()
            };
            let default_value = (!default.is_empty()).then_some(default.clone());
            let mut synonyms = Vec::new();
            if let Some(v) = raw.get(key) {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: Some(v.clone()),
                    source: ConfigSource::StaticBroker,
                });
            }
            if default_value.is_some() {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: default_value.clone(),
                    source: ConfigSource::Default,
                });
            }
            let (value, source) = match synonyms.first() {
                Some(s) => (s.value.clone(), s.source),
                None => (None, ConfigSource::Default),
            };
            ConfigEntry {
                name: key.to_string(),
                config_type: type_of(value.as_deref().unwrap_or(&default), key),
                value,
                read_only: true,
                is_default: source == ConfigSource::Default,
                source,
                synonyms,
            }
        })
        .collect()
}
