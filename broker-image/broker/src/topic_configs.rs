//! The effective configuration of a topic or the broker, as CreateTopics (v5+) and
//! DescribeConfigs report it: every key with its value, its type, and where the value comes
//! from — the topic's own override, a dynamic broker config (this broker's, or the cluster-wide
//! default), the broker's static setting, or Kafka's default — with the synonyms Kafka lists
//! beside it.

use std::collections::BTreeMap;

use crate::config::topic::{topic_config_of_broker_key, TopicConfigDef, TOPIC_CONFIGS};
use crate::state::Broker;

/// Kafka's `ConfigSource` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    TopicOverride = 1,
    DynamicBroker = 2,
    DynamicDefaultBroker = 3,
    StaticBroker = 4,
    Default = 5,
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
    pub sensitive: bool,
    pub source: ConfigSource,
    pub config_type: i8,
    /// Where the value could come from, most specific first (topic, broker, default).
    pub synonyms: Vec<Synonym>,
}

/// The value the broker configuration gives a topic key, if it sets one.
fn broker_value(broker: &Broker, topic_key: &str, broker_key: Option<&str>) -> Option<String> {
    let raw = &broker.config().raw;
    let log = &broker.config().log;
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
    let node = broker.metadata().broker_configs(&broker.node_id().to_string());
    let cluster = broker.metadata().broker_configs("");
    TOPIC_CONFIGS
        .iter()
        .map(|def| {
            let TopicConfigDef { key, kind, default, .. } = def;
            let broker_key = def.broker_synonym();
            let mut synonyms = Vec::new();
            if let Some(v) = overrides.get(*key) {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: Some(v.clone()),
                    source: ConfigSource::TopicOverride,
                });
            }
            if let Some(bk) = broker_key {
                for (dynamic, source) in [(&node, ConfigSource::DynamicBroker), (&cluster, ConfigSource::DynamicDefaultBroker)] {
                    if let Some(v) = dynamic.get(bk) {
                        synonyms.push(Synonym {
                            name: bk.to_string(),
                            value: Some(v.clone()),
                            source,
                        });
                    }
                }
                if let Some(v) = broker_value(broker, key, Some(bk)) {
                    synonyms.push(Synonym {
                        name: bk.to_string(),
                        value: Some(v),
                        source: ConfigSource::StaticBroker,
                    });
                }
                if def.broker_default_listed {
                    synonyms.push(Synonym {
                        name: bk.to_string(),
                        value: Some(default.to_string()),
                        source: ConfigSource::Default,
                    });
                }
            }
            let (value, source) = match synonyms.first() {
                Some(s) => (s.value.clone(), s.source),
                None => (Some(default.to_string()), ConfigSource::Default),
            };
            ConfigEntry {
                name: key.to_string(),
                config_type: kind.config_type(),
                value,
                read_only: false,
                is_default: source == ConfigSource::Default,
                sensitive: false,
                source,
                synonyms,
            }
        })
        .collect()
}

/// Kafka's `ConfigType` codes used by the broker keys below.
const BOOLEAN: i8 = 1;
const STRING: i8 = 2;
const INT: i8 = 3;
const LONG: i8 = 5;
const LIST: i8 = 7;

/// Broker keys Kaskade acts on, with their type and Kafka's defaults.
const BROKER_DEFAULTS: &[(&str, i8, &str)] = &[
    ("advertised.listeners", LIST, ""),
    ("auto.create.topics.enable", BOOLEAN, "true"),
    ("controller.listener.names", LIST, "CONTROLLER"),
    ("controller.quorum.voters", LIST, ""),
    ("default.replication.factor", INT, "1"),
    ("listeners", LIST, "PLAINTEXT://:9092"),
    ("log.dirs", LIST, "/tmp/kaskade-logs"),
    ("log.flush.interval.messages", LONG, "9223372036854775807"),
    ("log.flush.interval.ms", LONG, ""),
    ("log.index.interval.bytes", INT, "4096"),
    ("log.message.timestamp.after.max.ms", LONG, "3600000"),
    ("log.message.timestamp.before.max.ms", LONG, "9223372036854775807"),
    ("log.retention.bytes", LONG, "-1"),
    ("log.retention.check.interval.ms", LONG, "300000"),
    ("log.retention.hours", INT, "168"),
    ("log.retention.minutes", INT, ""),
    ("log.retention.ms", LONG, ""),
    ("log.roll.hours", INT, "168"),
    ("log.roll.ms", LONG, ""),
    ("log.segment.bytes", INT, "1073741824"),
    ("message.max.bytes", INT, "1048588"),
    ("node.id", INT, "-1"),
    ("num.partitions", INT, "1"),
    ("socket.request.max.bytes", INT, "104857600"),
];

/// Whether Kafka defines this broker key and Kaskade describes it.
pub fn is_known_broker_key(key: &str) -> bool {
    BROKER_DEFAULTS.iter().any(|(k, _, _)| *k == key)
}

/// One broker key with its synonyms, most specific first.
fn broker_entry(key: &str, config_type: i8, synonyms: Vec<Synonym>, dynamic: bool, custom: bool) -> ConfigEntry {
    let (value, source) = match synonyms.first() {
        Some(s) => (s.value.clone(), s.source),
        None => (None, ConfigSource::Default),
    };
    ConfigEntry {
        name: key.to_string(),
        // Kafka neither types nor shows keys it does not know (they may be secrets).
        config_type: if custom { 0 } else { config_type },
        value: if custom { None } else { value },
        read_only: !dynamic,
        is_default: source == ConfigSource::Default,
        sensitive: custom,
        source,
        synonyms: if custom {
            synonyms.into_iter().map(|s| Synonym { value: None, ..s }).collect()
        } else {
            synonyms
        },
    }
}

/// The cluster-wide dynamic broker defaults (the broker resource named ""), as Kafka describes
/// them: only the keys that are set.
pub fn describe_broker_defaults(broker: &Broker) -> Vec<ConfigEntry> {
    broker
        .metadata()
        .broker_configs("")
        .into_iter()
        .map(|(key, value)| {
            let custom = crate::admin::broker_configs::is_custom(&key);
            let syn = vec![Synonym {
                name: key.clone(),
                value: Some(value),
                source: ConfigSource::DynamicDefaultBroker,
            }];
            let dynamic = topic_config_of_broker_key(&key).is_some();
            broker_entry(&key, broker_key_type(&key), syn, dynamic, custom)
        })
        .collect()
}

/// Kafka's `ConfigType` of a broker key.
fn broker_key_type(key: &str) -> i8 {
    if let Some((_, t, _)) = BROKER_DEFAULTS.iter().find(|(k, _, _)| *k == key) {
        return *t;
    }
    match topic_config_of_broker_key(key) {
        Some(def) => def.kind.config_type(),
        None => STRING,
    }
}

/// The broker's configuration: every key it acts on (dynamic, static or default) plus any other
/// key it was given. Only dynamic keys can be changed at run time; the others are read-only.
pub fn describe_broker(broker: &Broker) -> Vec<ConfigEntry> {
    let raw = &broker.config().raw;
    let node = broker.metadata().broker_configs(&broker.node_id().to_string());
    let cluster = broker.metadata().broker_configs("");
    // Keys given that Kaskade does not act on are reported as they were given, as strings.
    let mut keys: BTreeMap<&str, (i8, &str)> = BROKER_DEFAULTS.iter().map(|(k, t, d)| (*k, (*t, *d))).collect();
    for k in raw.keys().chain(node.keys()).chain(cluster.keys()) {
        let default = topic_config_of_broker_key(k).map(|d| d.default).unwrap_or("");
        keys.entry(k.as_str()).or_insert((broker_key_type(k), default));
    }
    keys.into_iter()
        .map(|(key, (config_type, default))| {
            let default = if key == "node.id" {
                broker.node_id().to_string()
            } else {
                default.to_string()
            };
            let mut synonyms = Vec::new();
            for (dynamic, source) in [(&node, ConfigSource::DynamicBroker), (&cluster, ConfigSource::DynamicDefaultBroker)] {
                if let Some(v) = dynamic.get(key) {
                    synonyms.push(Synonym {
                        name: key.to_string(),
                        value: Some(v.clone()),
                        source,
                    });
                }
            }
            if let Some(v) = raw.get(key) {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: Some(v.clone()),
                    source: ConfigSource::StaticBroker,
                });
            }
            if !default.is_empty() {
                synonyms.push(Synonym {
                    name: key.to_string(),
                    value: Some(default),
                    source: ConfigSource::Default,
                });
            }
            // A key only set dynamically that Kafka does not know: a custom (maybe secret) config.
            let custom = crate::admin::broker_configs::is_custom(key) && !raw.contains_key(key);
            let dynamic = topic_config_of_broker_key(key).is_some();
            broker_entry(key, config_type, synonyms, dynamic, custom)
        })
        .collect()
}
