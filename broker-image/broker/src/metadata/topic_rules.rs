//! Kafka's rules for topic names and topic-level configs, as pure functions: the same checks
//! and the same messages a client gets from Apache Kafka.

use std::collections::BTreeMap;

/// Longest legal topic name.
pub const MAX_NAME_LENGTH: usize = 249;

/// `Err(message)` when `name` is not a legal topic name (Kafka's `Topic.validate`), with the
/// message Kafka 4.4's controller sends for CreateTopics.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Topic name is invalid: the empty string is not allowed".into());
    }
    if name == "." || name == ".." {
        return Err(format!("Topic name is invalid: '{name}' is not allowed"));
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!(
            "Topic name is invalid: the length of '{name}' is longer than the max allowed length {MAX_NAME_LENGTH}"
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        return Err(format!(
            "Topic name is invalid: '{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Topics whose names differ only by '.' vs '_' collide in metric names; Kafka refuses them.
pub fn collision_key(name: &str) -> String {
    name.replace('.', "_")
}

#[derive(Clone, Copy)]
enum Kind {
    Long { min: i64 },
    Int { min: i64 },
    Bool,
    Double { min: f64, max: f64 },
    Choice(&'static [&'static str]),
    List(&'static [&'static str]),
    Text,
}

/// Every topic-level config Kafka 4.4 defines, with the type Kafka validates it as.
const TOPIC_CONFIGS: &[(&str, Kind)] = &[
    ("cleanup.policy", Kind::List(&["compact", "delete"])),
    (
        "compression.type",
        Kind::Choice(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
    ),
    ("compression.gzip.level", Kind::Int { min: -1 }),
    ("compression.lz4.level", Kind::Int { min: 1 }),
    ("compression.zstd.level", Kind::Int { min: -131072 }),
    ("delete.retention.ms", Kind::Long { min: 0 }),
    ("errors.deadletterqueue.group.enable", Kind::Bool),
    ("file.delete.delay.ms", Kind::Long { min: 0 }),
    ("flush.messages", Kind::Long { min: 1 }),
    ("flush.ms", Kind::Long { min: 0 }),
    ("follower.replication.throttled.replicas", Kind::Text),
    ("index.interval.bytes", Kind::Int { min: 0 }),
    ("leader.replication.throttled.replicas", Kind::Text),
    ("local.retention.bytes", Kind::Long { min: -2 }),
    ("local.retention.ms", Kind::Long { min: -2 }),
    ("max.compaction.lag.ms", Kind::Long { min: 1 }),
    ("max.decompressed.message.bytes", Kind::Int { min: 1 }),
    ("max.message.bytes", Kind::Int { min: 0 }),
    ("message.timestamp.after.max.ms", Kind::Long { min: 0 }),
    ("message.timestamp.before.max.ms", Kind::Long { min: 0 }),
    ("message.timestamp.type", Kind::Choice(&["CreateTime", "LogAppendTime"])),
    ("min.cleanable.dirty.ratio", Kind::Double { min: 0.0, max: 1.0 }),
    ("min.compaction.lag.ms", Kind::Long { min: 0 }),
    ("min.insync.replicas", Kind::Int { min: 1 }),
    ("preallocate", Kind::Bool),
    ("remote.copy.lag.bytes", Kind::Long { min: -1 }),
    ("remote.copy.lag.ms", Kind::Long { min: -1 }),
    ("remote.storage.enable", Kind::Bool),
    ("remote.log.copy.disable", Kind::Bool),
    ("remote.log.delete.on.disable", Kind::Bool),
    ("retention.bytes", Kind::Long { min: i64::MIN }),
    ("retention.ms", Kind::Long { min: -1 }),
    ("segment.bytes", Kind::Int { min: 1024 * 1024 }),
    ("segment.index.bytes", Kind::Int { min: 4 }),
    ("segment.jitter.ms", Kind::Long { min: 0 }),
    ("segment.ms", Kind::Long { min: 1 }),
    ("unclean.leader.election.enable", Kind::Bool),
];

/// Validates topic configs as Kafka does; `Err(message)` maps to INVALID_CONFIG.
pub fn validate_configs(configs: &BTreeMap<String, String>) -> Result<(), String> {
    for (key, value) in configs {
        let Some((_, kind)) = TOPIC_CONFIGS.iter().find(|(k, _)| k == key) else {
            return Err(format!("Unknown topic config name: {key}"));
        };
        check(key, value, *kind)?;
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

/// Whether `key` is a topic-level config Kafka knows.
pub fn is_topic_config(key: &str) -> bool {
    TOPIC_CONFIGS.iter().any(|(k, _)| *k == key)
}

fn check(key: &str, value: &str, kind: Kind) -> Result<(), String> {
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
        Kind::Text => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kafka() {
        assert!(validate_name("orders.v1_x-y").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("..").is_err());
        assert!(validate_name("a b")
            .unwrap_err()
            .contains("characters other than ASCII alphanumerics"));
        assert!(validate_name(&"x".repeat(250)).is_err());
        assert_eq!(collision_key("a.b"), collision_key("a_b"));
    }

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
