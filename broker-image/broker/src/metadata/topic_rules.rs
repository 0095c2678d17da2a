//! Kafka's rules for topic-level configs, as pure functions: the same checks and the same
//! messages a client gets from Apache Kafka (topic names: `kaskade_common::topic_name`).

use std::collections::BTreeMap;

/// How Kafka validates (and reports the type of) a topic config.
#[derive(Clone, Copy)]
pub enum Kind {
    Long {
        min: i64,
    },
    Int {
        min: i64,
    },
    Bool,
    Double {
        min: f64,
        max: f64,
    },
    Choice(&'static [&'static str]),
    List(&'static [&'static str]),
    /// A list Kafka checks with its own validator (throttled replicas); accepted as given.
    FreeList,
}

impl Kind {
    /// Kafka's `ConfigType` code for DescribeConfigs.
    pub fn config_type(&self) -> i8 {
        match self {
            Kind::Bool => 1,
            Kind::Choice(_) => 2,
            Kind::Int { .. } => 3,
            Kind::Long { .. } => 5,
            Kind::Double { .. } => 6,
            Kind::List(_) | Kind::FreeList => 7,
        }
    }
}

/// One topic-level config: how it is validated, the broker key that supplies its default (if
/// any), and Kafka's own default.
pub struct TopicConfigDef {
    pub key: &'static str,
    pub kind: Kind,
    pub broker_key: Option<&'static str>,
    pub default: &'static str,
}

const fn def(key: &'static str, kind: Kind, broker_key: Option<&'static str>, default: &'static str) -> TopicConfigDef {
    TopicConfigDef {
        key,
        kind,
        broker_key,
        default,
    }
}

/// Every topic-level config Kafka 4.4 defines.
pub const TOPIC_CONFIGS: &[TopicConfigDef] = &[
    def(
        "cleanup.policy",
        Kind::List(&["compact", "delete"]),
        Some("log.cleanup.policy"),
        "delete",
    ),
    def(
        "compression.type",
        Kind::Choice(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        Some("compression.type"),
        "producer",
    ),
    def("compression.gzip.level", Kind::Int { min: -1 }, None, "-1"),
    def("compression.lz4.level", Kind::Int { min: 1 }, None, "9"),
    def("compression.zstd.level", Kind::Int { min: -131072 }, None, "3"),
    def(
        "delete.retention.ms",
        Kind::Long { min: 0 },
        Some("log.cleaner.delete.retention.ms"),
        "86400000",
    ),
    def("errors.deadletterqueue.group.enable", Kind::Bool, None, "false"),
    def("file.delete.delay.ms", Kind::Long { min: 0 }, None, "60000"),
    def(
        "flush.messages",
        Kind::Long { min: 1 },
        Some("log.flush.interval.messages"),
        "9223372036854775807",
    ),
    def(
        "flush.ms",
        Kind::Long { min: 0 },
        Some("log.flush.interval.ms"),
        "9223372036854775807",
    ),
    def("follower.replication.throttled.replicas", Kind::FreeList, None, ""),
    def(
        "index.interval.bytes",
        Kind::Int { min: 0 },
        Some("log.index.interval.bytes"),
        "4096",
    ),
    def("leader.replication.throttled.replicas", Kind::FreeList, None, ""),
    def("local.retention.bytes", Kind::Long { min: -2 }, None, "-2"),
    def("local.retention.ms", Kind::Long { min: -2 }, None, "-2"),
    def(
        "max.compaction.lag.ms",
        Kind::Long { min: 1 },
        Some("log.cleaner.max.compaction.lag.ms"),
        "9223372036854775807",
    ),
    def("max.decompressed.message.bytes", Kind::Int { min: 1 }, None, "2147483639"),
    def("max.message.bytes", Kind::Int { min: 0 }, Some("message.max.bytes"), "1048588"),
    def(
        "message.timestamp.after.max.ms",
        Kind::Long { min: 0 },
        Some("log.message.timestamp.after.max.ms"),
        "3600000",
    ),
    def(
        "message.timestamp.before.max.ms",
        Kind::Long { min: 0 },
        Some("log.message.timestamp.before.max.ms"),
        "9223372036854775807",
    ),
    def(
        "message.timestamp.type",
        Kind::Choice(&["CreateTime", "LogAppendTime"]),
        Some("log.message.timestamp.type"),
        "CreateTime",
    ),
    def(
        "min.cleanable.dirty.ratio",
        Kind::Double { min: 0.0, max: 1.0 },
        Some("log.cleaner.min.cleanable.ratio"),
        "0.5",
    ),
    def(
        "min.compaction.lag.ms",
        Kind::Long { min: 0 },
        Some("log.cleaner.min.compaction.lag.ms"),
        "0",
    ),
    def("min.insync.replicas", Kind::Int { min: 1 }, Some("min.insync.replicas"), "1"),
    def("preallocate", Kind::Bool, Some("log.preallocate"), "false"),
    def("remote.copy.lag.bytes", Kind::Long { min: -1 }, None, "-1"),
    def("remote.copy.lag.ms", Kind::Long { min: -1 }, None, "0"),
    def("remote.storage.enable", Kind::Bool, None, "false"),
    def("remote.log.copy.disable", Kind::Bool, None, "false"),
    def("remote.log.delete.on.disable", Kind::Bool, None, "false"),
    def("retention.bytes", Kind::Long { min: i64::MIN }, Some("log.retention.bytes"), "-1"),
    def("retention.ms", Kind::Long { min: -1 }, Some("log.retention.ms"), "604800000"),
    def(
        "segment.bytes",
        Kind::Int { min: 1024 * 1024 },
        Some("log.segment.bytes"),
        "1073741824",
    ),
    def("segment.index.bytes", Kind::Int { min: 4 }, None, "10485760"),
    def("segment.jitter.ms", Kind::Long { min: 0 }, None, "0"),
    def("segment.ms", Kind::Long { min: 1 }, Some("log.roll.ms"), "604800000"),
    def(
        "unclean.leader.election.enable",
        Kind::Bool,
        Some("unclean.leader.election.enable"),
        "false",
    ),
];

/// Validates topic configs as Kafka does; `Err(message)` maps to INVALID_CONFIG.
pub fn validate_configs(configs: &BTreeMap<String, String>) -> Result<(), String> {
    for (key, value) in configs {
        let Some(def) = TOPIC_CONFIGS.iter().find(|d| d.key == key) else {
            return Err(format!("Unknown topic config name: {key}"));
        };
        check(key, value, def.kind)?;
        unsupported_value(key, value)?;
    }
    Ok(())
}

/// Values Kafka accepts that Kaskade does not implement yet: refused clearly rather than
/// accepted and silently ignored.
pub fn unsupported_value(key: &str, value: &str) -> Result<(), String> {
    match (key, value.trim()) {
        ("compression.type", v) if v != "producer" => Err(format!(
            "compression.type={v} is not supported by Kaskade yet: batches are stored as the producer compressed them (compression.type=producer)"
        )),
        ("message.timestamp.type", "LogAppendTime") => {
            Err("message.timestamp.type=LogAppendTime is not supported by Kaskade yet: records keep their CreateTime".to_string())
        }
        _ => Ok(()),
    }
}

/// Checks one value against its kind with Kafka's messages (also used for broker keys).
pub fn check(key: &str, value: &str, kind: Kind) -> Result<(), String> {
    let v = value.trim();
    let invalid = |why: String| format!("Invalid value {value} for configuration {key}: {why}");
    match kind {
        Kind::Long { min } | Kind::Int { min } => {
            let type_name = if matches!(kind, Kind::Long { .. }) { "LONG" } else { "INT" };
            let n: i64 = v.parse().map_err(|_| invalid(format!("Not a number of type {type_name}")))?;
            if matches!(kind, Kind::Int { .. }) && i32::try_from(n).is_err() {
                return Err(invalid(format!("Not a number of type {type_name}")));
            }
            if n < min {
                return Err(format!(
                    "Invalid value {value} for configuration {key}: Value must be at least {min}"
                ));
            }
        }
        Kind::Bool => {
            if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                return Err(invalid("Expected value to be either true or false".into()));
            }
        }
        Kind::Double { min, max } => {
            let n: f64 = v.parse().map_err(|_| invalid("Not a number of type DOUBLE".into()))?;
            if n < min || n > max {
                return Err(format!(
                    "Invalid value {value} for configuration {key}: Value must be between {min} and {max}"
                ));
            }
        }
        Kind::Choice(options) => {
            if !options.contains(&v) {
                return Err(format!(
                    "Invalid value {value} for configuration {key}: String must be one of: {}",
                    options.join(", ")
                ));
            }
        }
        Kind::List(options) => {
            for item in v.split(',').map(str::trim) {
                if !options.contains(&item) {
                    return Err(format!(
                        "Invalid value {item} for configuration {key}: String must be one of: {}",
                        options.join(", ")
                    ));
                }
            }
        }
        Kind::FreeList => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_follow_kafka() {
        let mut c = BTreeMap::new();
        c.insert("retention.ms".to_string(), "1000".to_string());
        c.insert("cleanup.policy".to_string(), "compact,delete".to_string());
        assert!(validate_configs(&c).is_ok());
        c.insert("retention.ms".to_string(), "abc".to_string());
        assert!(validate_configs(&c).unwrap_err().contains("Not a number"));
        let mut u = BTreeMap::new();
        u.insert("no.such".to_string(), "1".to_string());
        assert_eq!(validate_configs(&u).unwrap_err(), "Unknown topic config name: no.such");
    }
}
