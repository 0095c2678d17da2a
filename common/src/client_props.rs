//! Kafka's Java client properties, as users put them in a tool's `--command-property k=v` or
//! `--command-config` file (and a Connect worker's `producer.*`/`consumer.*` keys), carried over
//! onto librdkafka's configuration.
//!
//! Most names are the same in both clients (librdkafka accepts Java's spellings as aliases:
//! `acks`, `linger.ms`, `delivery.timeout.ms`, `sasl.mechanism`, ...). The rest fall in three
//! groups: renamed (`send.buffer.bytes` → `socket.send.buffer.bytes`, `buffer.memory` →
//! `queue.buffering.max.kbytes`, `fetch.max.wait.ms` → `fetch.wait.max.ms`, ...), handled by the
//! tool itself (serializers, `max.block.ms`, `exclude.internal.topics`,
//! `default.api.timeout.ms`), and Java-only (JKS trust stores, interceptor classes, ...), which
//! are ignored with a warning, as is any name librdkafka does not know — the way Java's clients
//! warn that a configuration "was supplied but isn't a known config".

use std::collections::BTreeMap;

use crate::properties::Props;

/// A Java client property whose value cannot be carried over, in Java's words
/// (`Invalid value X for configuration K: ...`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidProperty(pub String);

/// Which Java client the properties were written for (a few names mean different things).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Producer,
    Consumer,
}

/// A librdkafka configuration and, for each of its keys, the Java property it came from (for
/// error messages in the user's own words).
#[derive(Debug, Default)]
pub struct RdConfig {
    values: BTreeMap<String, String>,
    origin: BTreeMap<String, String>,
}

/// Keys the console tools read themselves, or which Kafka's console tools override anyway.
const HANDLED_BY_TOOL: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "max.block.ms",
    "exclude.internal.topics",
    "default.api.timeout.ms",
];

/// Java-only keys: accepted and ignored, with the reason.
const JAVA_ONLY: &[(&str, &str)] = &[
    ("max.poll.records", "librdkafka hands records over one at a time"),
    ("interceptor.classes", "Java classes cannot be loaded"),
    ("metric.reporters", "Java classes cannot be loaded"),
    ("auto.include.jmx.reporter", "there is no JMX"),
    ("enable.metrics.push", "client metrics are not pushed"),
    ("metadata.max.idle.ms", "librdkafka keeps metadata of the topics in use"),
    ("ssl.truststore.location", "set ssl.ca.location to a PEM file instead"),
    ("ssl.truststore.password", "set ssl.ca.location to a PEM file instead"),
    ("ssl.truststore.type", "set ssl.ca.location to a PEM file instead"),
    ("ssl.keystore.type", "librdkafka reads PKCS#12 keystores (ssl.keystore.location)"),
    ("transactional.id", "the console producer does not use transactions"),
    ("partitioner.ignore.keys", "librdkafka's murmur2_random partitioner is used"),
    (
        "partitioner.adaptive.partitioning.enable",
        "librdkafka's murmur2_random partitioner is used",
    ),
    (
        "partitioner.availability.timeout.ms",
        "librdkafka's murmur2_random partitioner is used",
    ),
];

impl RdConfig {
    /// Translates Java client properties into librdkafka's; `warn` receives one line per
    /// property that is not carried over.
    pub fn from_java(role: Role, java: &Props, warn: &mut dyn FnMut(String)) -> Result<RdConfig, InvalidProperty> {
        let mut config = RdConfig::default();
        for (key, value) in java {
            if HANDLED_BY_TOOL.contains(&key.as_str()) {
                continue;
            }
            if let Some((_, why)) = JAVA_ONLY.iter().find(|(k, _)| k == key) {
                warn(format!("Warning: property {key} is ignored: {why}"));
                continue;
            }
            if key.starts_with("metrics.") {
                warn(format!("Warning: property {key} is ignored: there are no client metrics"));
                continue;
            }
            for (rd_key, rd_value) in translate(role, key, value, java, warn)? {
                config.origin.insert(rd_key.clone(), key.clone());
                config.values.insert(rd_key, rd_value);
            }
        }
        Ok(config)
    }

    /// Sets a librdkafka property unless the user's properties already set it.
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        if !self.values.contains_key(key) {
            self.values.insert(key.to_string(), value.into());
        }
    }

    /// Sets a librdkafka property, whatever the user's properties said.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_string(), value.into());
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// The rdkafka configuration. Keys librdkafka does not know are dropped with a warning;
    /// an invalid value is an error in Java's words (`Invalid value X for configuration K: ...`).
    #[cfg(feature = "rdkafka")]
    pub fn client_config(mut self, warn: &mut dyn FnMut(String)) -> Result<rdkafka::config::ClientConfig, InvalidProperty> {
        use rdkafka::config::ClientConfig;
        use rdkafka::error::KafkaError;
        use rdkafka::types::RDKafkaConfRes;
        loop {
            let mut cfg = ClientConfig::new();
            for (k, v) in &self.values {
                cfg.set(k, v);
            }
            match cfg.create_native_config() {
                Ok(_) => return Ok(cfg),
                Err(KafkaError::ClientConfig(RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN, _, key, _)) => {
                    let java = self.origin.get(&key).cloned().unwrap_or_else(|| key.clone());
                    warn(format!("Warning: property {java} is ignored: librdkafka does not know it"));
                    if self.values.remove(&key).is_none() {
                        return Err(InvalidProperty(format!("Unknown configuration {key}")));
                    }
                }
                Err(KafkaError::ClientConfig(_, desc, key, value)) => {
                    let java = self.origin.get(&key).cloned().unwrap_or(key);
                    return Err(InvalidProperty(format!("Invalid value {value} for configuration {java}: {desc}")));
                }
                Err(e) => return Err(InvalidProperty(format!("Invalid client configuration: {e}"))),
            }
        }
    }
}

/// One Java property as librdkafka properties (none when it is dropped).
fn translate(
    role: Role,
    key: &str,
    value: &str,
    all: &Props,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<(String, String)>, InvalidProperty> {
    let one = |k: &str, v: &str| Ok(vec![(k.to_string(), v.to_string())]);
    match key {
        // Java: -1 is the OS default; librdkafka: 0.
        "send.buffer.bytes" | "receive.buffer.bytes" => {
            let n = parse_long(key, value)?;
            let rd = if key == "send.buffer.bytes" {
                "socket.send.buffer.bytes"
            } else {
                "socket.receive.buffer.bytes"
            };
            one(rd, &n.max(0).to_string())
        }
        "buffer.memory" => {
            let n = parse_long(key, value)?;
            one("queue.buffering.max.kbytes", &(n.max(1024) / 1024).to_string())
        }
        "fetch.max.wait.ms" => one("fetch.wait.max.ms", value),
        "max.request.size" => one("message.max.bytes", value),
        "request.timeout.ms" if role == Role::Consumer => one("socket.timeout.ms", value),
        "auto.offset.reset" if value.trim() == "none" => one("auto.offset.reset", "error"),
        "ssl.endpoint.identification.algorithm" if value.trim().is_empty() => one(key, "none"),
        "partition.assignment.strategy" => {
            let mut names = Vec::new();
            for class in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match class.rsplit('.').next().unwrap_or(class) {
                    "RangeAssignor" | "range" => names.push("range"),
                    "RoundRobinAssignor" | "roundrobin" => names.push("roundrobin"),
                    "CooperativeStickyAssignor" | "cooperative-sticky" => names.push("cooperative-sticky"),
                    _ => warn(format!(
                        "Warning: partition assignor {class} is ignored: librdkafka has range, roundrobin and cooperative-sticky"
                    )),
                }
            }
            if names.is_empty() {
                return Ok(vec![]);
            }
            one(key, &names.join(","))
        }
        "partitioner.class" => match value.rsplit('.').next().unwrap_or(value) {
            "DefaultPartitioner" | "BuiltInPartitioner" => one("partitioner", "murmur2_random"),
            _ => {
                warn(format!("Warning: property partitioner.class={value} is ignored: librdkafka's murmur2_random (Java's default for keyed records) is used"));
                Ok(vec![])
            }
        },
        "compression.gzip.level" | "compression.lz4.level" | "compression.zstd.level" => {
            let codec = key.split('.').nth(1).unwrap_or_default();
            if all.get("compression.type").map(|c| c.trim()) == Some(codec) {
                one("compression.level", value)
            } else {
                Ok(vec![])
            }
        }
        "sasl.jaas.config" => match jaas_credentials(value) {
            Some((user, password)) => Ok(vec![("sasl.username".into(), user), ("sasl.password".into(), password)]),
            None => {
                warn("Warning: property sasl.jaas.config is ignored: only a login module with username=\"...\" password=\"...\" carries over (to sasl.username and sasl.password)".into());
                Ok(vec![])
            }
        },
        _ => one(key, value),
    }
}

/// Java's `Invalid value X for configuration K: Not a number of type LONG`.
fn parse_long(key: &str, value: &str) -> Result<i64, InvalidProperty> {
    value
        .trim()
        .parse()
        .map_err(|_| InvalidProperty(format!("Invalid value {value} for configuration {key}: Not a number of type LONG")))
}

/// `... required username="u" password="p";` → (u, p).
fn jaas_credentials(jaas: &str) -> Option<(String, String)> {
    let field = |name: &str| {
        let start = jaas.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + jaas[start..].find('"')?;
        Some(jaas[start..end].to_string())
    };
    Some((field("username")?, field("password")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn java(pairs: &[(&str, &str)]) -> Props {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn java_names_carry_over() {
        let mut warnings = Vec::new();
        let props = java(&[
            ("acks", "all"),
            ("buffer.memory", "33554432"),
            ("send.buffer.bytes", "-1"),
            ("key.serializer", "x"),
            ("ssl.truststore.location", "/t.jks"),
            (
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p w\";",
            ),
            (
                "partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            ),
        ]);
        let c = RdConfig::from_java(Role::Producer, &props, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(c.get("acks"), Some("all"));
        assert_eq!(c.get("queue.buffering.max.kbytes"), Some("32768"));
        assert_eq!(c.get("socket.send.buffer.bytes"), Some("0"));
        assert_eq!(c.get("sasl.username"), Some("u"));
        assert_eq!(c.get("sasl.password"), Some("p w"));
        assert_eq!(c.get("partition.assignment.strategy"), Some("range,cooperative-sticky"));
        assert!(!c.contains("key.serializer"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("ssl.truststore.location"));
    }

    #[cfg(feature = "rdkafka")]
    #[test]
    fn unknown_names_warn_and_bad_values_fail() {
        let mut warnings = Vec::new();
        let props = java(&[("no.such.property", "1"), ("linger.ms", "5")]);
        let c = RdConfig::from_java(Role::Producer, &props, &mut |w| warnings.push(w)).unwrap();
        let cfg = c.client_config(&mut |w| warnings.push(w)).unwrap();
        assert_eq!(cfg.get("linger.ms"), Some("5"));
        assert!(warnings.iter().any(|w| w.contains("no.such.property")), "{warnings:?}");

        let props = java(&[("compression.type", "foo")]);
        let c = RdConfig::from_java(Role::Producer, &props, &mut |_| {}).unwrap();
        let err = c.client_config(&mut |_| {}).unwrap_err().to_string();
        assert!(err.starts_with("Invalid value foo for configuration compression.type"), "{err}");
    }
}
