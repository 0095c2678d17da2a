//! Broker configuration the Kafka way: a `server.properties` file and `key=value` overrides,
//! with Kafka's key names and defaults. Keys Kafka has but Kaskade does not act on are accepted
//! quietly; keys nobody knows are a warning, not a crash.

use std::collections::BTreeMap;
use std::path::PathBuf;

use thiserror::Error;

use crate::connection_limits::{self, ConnectionLimitsConfig};
use crate::storage::{CleanerConfig, LogConfig};

pub mod check;
pub mod docs;
pub mod topic;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("invalid value {value:?} for {key}: {reason}")]
    Invalid { key: String, value: String, reason: String },
    #[error("override {0:?} is not of the form key=value")]
    Override(String),
}

/// One `NAME://host:port` listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub name: String,
    pub host: String,
    pub port: u16,
}

impl Listener {
    pub fn parse_list(key: &str, value: &str) -> Result<Vec<Listener>, ConfigError> {
        let mut out = Vec::new();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let invalid = |reason: &str| ConfigError::Invalid {
                key: key.into(),
                value: value.into(),
                reason: reason.into(),
            };
            let (name, rest) = item.split_once("://").ok_or_else(|| invalid("expected NAME://host:port"))?;
            let (host, port) = rest.rsplit_once(':').ok_or_else(|| invalid("expected NAME://host:port"))?;
            let port = port.parse::<u16>().map_err(|_| invalid("port is not a number in 0..65535"))?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            out.push(Listener {
                name: name.to_string(),
                host: host.to_string(),
                port,
            });
        }
        Ok(out)
    }
}

/// A voter of the metadata quorum (`id@host:port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumVoter {
    pub id: i32,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct BrokerConfig {
    pub node_id: i32,
    pub listeners: Vec<Listener>,
    pub advertised_listeners: Vec<Listener>,
    pub log_dirs: Vec<PathBuf>,
    pub num_partitions: i32,
    pub default_replication_factor: i16,
    pub auto_create_topics_enable: bool,
    pub socket_request_max_bytes: usize,
    pub log_retention_check_interval_ms: u64,
    pub controller_quorum_voters: Vec<QuorumVoter>,
    pub controller_listener_names: Vec<String>,
    /// `broker.heartbeat.interval.ms`: how often a broker tells the metadata leader it lives.
    pub broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms`: a broker not heard from for this long is fenced.
    pub broker_session_timeout_ms: u64,
    /// Expected cluster id (`cluster.id`, a Kaskade extension used when formatting/checking).
    pub cluster_id: Option<String>,
    pub message_timestamp_after_max_ms: i64,
    pub message_timestamp_before_max_ms: i64,
    pub log: LogConfig,
    /// `log.cleaner.*`: the background log cleaner.
    pub cleaner: CleanerConfig,
    /// `max.connections*`, `connections.max.idle.ms`, `queued.max.request.bytes`.
    pub connection_limits: ConnectionLimitsConfig,
    /// Every key as given, for describing configs later.
    pub raw: BTreeMap<String, String>,
    /// Keys nobody knows (reported as warnings at start-up).
    pub unknown_keys: Vec<String>,
}

/// Keys Kafka defines that Kaskade accepts without acting on them (single node, no security).
const ACCEPTED_KEYS: &[&str] = &[
    "process.roles",
    "inter.broker.listener.name",
    "listener.security.protocol.map",
    "controller.quorum.bootstrap.servers",
    "num.network.threads",
    "num.io.threads",
    "num.recovery.threads.per.data.dir",
    "num.replica.fetchers",
    "socket.send.buffer.bytes",
    "socket.receive.buffer.bytes",
    "offsets.topic.replication.factor",
    "offsets.topic.num.partitions",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "share.coordinator.state.topic.replication.factor",
    "share.coordinator.state.topic.min.isr",
    "group.initial.rebalance.delay.ms",
    "min.insync.replicas",
    "replica.lag.time.max.ms",
    "log.cleaner.enable",
    "log.cleanup.policy",
    "log.index.size.max.bytes",
    "delete.topic.enable",
    "broker.rack",
    "unclean.leader.election.enable",
    "compression.type",
    "log.message.timestamp.type",
    "log.preallocate",
    "metadata.log.dir",
    "broker.id",
    "queued.max.requests",
    "max.connection.creation.rate",
];

impl BrokerConfig {
    /// Builds the configuration from an optional properties file and ordered overrides.
    pub fn load(file: Option<&std::path::Path>, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut props = BTreeMap::new();
        if let Some(path) = file {
            let file = kaskade_common::properties::load_file(path).map_err(|e| ConfigError::Read {
                path: e.path.display().to_string(),
                cause: e.source,
            })?;
            props.extend(file);
        }
        for o in overrides {
            let (k, v) = o.split_once('=').ok_or_else(|| ConfigError::Override(o.clone()))?;
            props.insert(k.trim().to_string(), v.trim().to_string());
        }
        Self::from_properties(props)
    }

    pub fn from_properties(props: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let p = Props(&props);
        let listeners = Listener::parse_list("listeners", p.str("listeners").unwrap_or("PLAINTEXT://:9092"))?;
        let advertised = match p.str("advertised.listeners") {
            Some(v) => Listener::parse_list("advertised.listeners", v)?,
            None => Vec::new(),
        };
        let log_dirs: Vec<PathBuf> = p
            .str("log.dirs")
            .or(p.str("log.dir"))
            .unwrap_or("/tmp/kaskade-logs")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
        let node_id = match p.str("node.id") {
            Some(_) => p.int("node.id", 1)? as i32,
            None => p.int("broker.id", 1)? as i32,
        };
        let retention_ms = if p.has("log.retention.ms") {
            p.int("log.retention.ms", 0)?
        } else if p.has("log.retention.minutes") {
            p.int("log.retention.minutes", 0)? * 60_000
        } else {
            p.int("log.retention.hours", 168)? * 3_600_000
        };
        let segment_ms = if p.has("log.roll.ms") {
            p.int("log.roll.ms", 0)?
        } else {
            p.int("log.roll.hours", 168)? * 3_600_000
        };
        let mut log = LogConfig {
            segment_bytes: p.positive("log.segment.bytes", 1 << 30)? as u64,
            segment_ms,
            retention_ms: if retention_ms < 0 { -1 } else { retention_ms },
            retention_bytes: p.int("log.retention.bytes", -1)?,
            max_message_bytes: p.positive("message.max.bytes", 1_048_588)? as usize,
            index_interval_bytes: p.int("log.index.interval.bytes", 4096)?.max(0) as u64,
            flush_messages: p.positive("log.flush.interval.messages", i64::MAX)?,
            flush_ms: match p.str("log.flush.interval.ms") {
                Some(_) => p.int("log.flush.interval.ms", i64::MAX)?,
                None => p.int("log.flush.scheduler.interval.ms", i64::MAX)?,
            },
            flush_on_acks_all: p.bool("log.flush.on.acks.all", true)?,
            ..LogConfig::default()
        };
        let cleaner =
            CleanerConfig::from_properties(&props, &mut log).map_err(|(key, value, reason)| ConfigError::Invalid { key, value, reason })?;
        let voters = match p.str("controller.quorum.voters") {
            Some(v) if !v.trim().is_empty() => parse_voters(v)?,
            _ => Vec::new(),
        };
        let unknown_keys = props.keys().filter(|k| !is_accepted_key(k)).cloned().collect();
        Ok(BrokerConfig {
            node_id,
            listeners,
            advertised_listeners: advertised,
            log_dirs,
            num_partitions: p.positive("num.partitions", 1)? as i32,
            default_replication_factor: p.positive("default.replication.factor", 1)? as i16,
            auto_create_topics_enable: p.bool("auto.create.topics.enable", true)?,
            socket_request_max_bytes: p.positive("socket.request.max.bytes", 104_857_600)? as usize,
            log_retention_check_interval_ms: p.positive("log.retention.check.interval.ms", 300_000)? as u64,
            controller_quorum_voters: voters,
            broker_heartbeat_interval_ms: p.positive("broker.heartbeat.interval.ms", 2_000)? as u64,
            broker_session_timeout_ms: p.positive("broker.session.timeout.ms", 9_000)? as u64,
            controller_listener_names: p
                .str("controller.listener.names")
                .unwrap_or("CONTROLLER")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            cluster_id: p.str("cluster.id").map(str::to_string),
            message_timestamp_after_max_ms: p.int("log.message.timestamp.after.max.ms", 3_600_000)?,
            message_timestamp_before_max_ms: p.int("log.message.timestamp.before.max.ms", i64::MAX)?,
            log,
            cleaner,
            connection_limits: ConnectionLimitsConfig::from_properties(&props)?,
            raw: props.clone(),
            unknown_keys,
        })
    }

    /// The listener clients connect to: the first one that is not a controller listener.
    pub fn client_listener(&self) -> Option<&Listener> {
        self.listeners.iter().find(|l| !self.controller_listener_names.contains(&l.name))
    }

    /// The listener the metadata quorum's voters talk on (the first named in
    /// `controller.listener.names`), if this broker has one.
    pub fn controller_listener(&self) -> Option<&Listener> {
        self.listeners.iter().find(|l| self.controller_listener_names.contains(&l.name))
    }

    /// Host and port advertised to clients for the client listener.
    pub fn advertised_client_endpoint(&self) -> Option<(String, u16)> {
        let l = self.client_listener()?;
        if let Some(a) = self.advertised_listeners.iter().find(|a| a.name == l.name) {
            return Some((a.host.clone(), a.port));
        }
        let host = if l.host.is_empty() || l.host == "0.0.0.0" || l.host == "::" {
            "localhost".to_string()
        } else {
            l.host.clone()
        };
        Some((host, l.port))
    }
}

/// Whether a broker key is one Kaskade knows (acted on, or Kafka's and accepted quietly).
pub fn is_accepted_key(k: &str) -> bool {
    KNOWN_KEYS.contains(&k)
        || ACCEPTED_KEYS.contains(&k)
        || crate::group::config::KEYS.contains(&k)
        || connection_limits::KEYS.contains(&k)
        || k.starts_with("listener.name.")
        || k.starts_with("log.cleaner.")
}

const KNOWN_KEYS: &[&str] = &[
    "node.id",
    "listeners",
    "advertised.listeners",
    "log.dirs",
    "log.dir",
    "num.partitions",
    "default.replication.factor",
    "auto.create.topics.enable",
    "log.retention.ms",
    "log.retention.minutes",
    "log.retention.hours",
    "log.retention.bytes",
    "log.retention.check.interval.ms",
    "log.segment.bytes",
    "log.roll.ms",
    "log.roll.hours",
    "log.index.interval.bytes",
    "message.max.bytes",
    "socket.request.max.bytes",
    "log.flush.interval.messages",
    "log.flush.interval.ms",
    "log.flush.scheduler.interval.ms",
    "log.flush.on.acks.all",
    "controller.quorum.voters",
    "controller.listener.names",
    "broker.heartbeat.interval.ms",
    "broker.session.timeout.ms",
    "cluster.id",
    "log.message.timestamp.after.max.ms",
    "log.message.timestamp.before.max.ms",
];

/// Typed reads of a properties map, with Kafka-style errors naming the key.
pub(crate) struct Props<'a>(pub(crate) &'a BTreeMap<String, String>);

impl Props<'_> {
    fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }
    fn str(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(|s| s.as_str())
    }
    pub(crate) fn int(&self, k: &str, default: i64) -> Result<i64, ConfigError> {
        match self.0.get(k) {
            None => Ok(default),
            Some(v) => v.trim().parse::<i64>().map_err(|_| ConfigError::Invalid {
                key: k.into(),
                value: v.clone(),
                reason: "not an integer".into(),
            }),
        }
    }
    fn positive(&self, k: &str, default: i64) -> Result<i64, ConfigError> {
        let v = self.int(k, default)?;
        if v <= 0 {
            return Err(ConfigError::Invalid {
                key: k.into(),
                value: v.to_string(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(v)
    }
    fn bool(&self, k: &str, default: bool) -> Result<bool, ConfigError> {
        match self.0.get(k).map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(v) => Err(ConfigError::Invalid {
                key: k.into(),
                value: v,
                reason: "expected true or false".into(),
            }),
        }
    }
}

fn parse_voters(v: &str) -> Result<Vec<QuorumVoter>, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        key: "controller.quorum.voters".into(),
        value: v.into(),
        reason: reason.into(),
    };
    let mut out = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (id, addr) = item.split_once('@').ok_or_else(|| invalid("expected id@host:port"))?;
        let id = id.parse::<i32>().map_err(|_| invalid("voter id is not an integer"))?;
        let (host, port) = addr.rsplit_once(':').ok_or_else(|| invalid("expected id@host:port"))?;
        let port = port.parse::<u16>().map_err(|_| invalid("voter port is not a number"))?;
        out.push(QuorumVoter {
            id,
            host: host.trim_matches(['[', ']']).to_string(),
            port,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_kafka_and_overrides_win() {
        let c = BrokerConfig::load(
            None,
            &["num.partitions=3".into(), "log.retention.hours=1".into(), "bogus.key=1".into()],
        )
        .unwrap();
        assert_eq!(c.num_partitions, 3);
        assert_eq!(c.log.retention_ms, 3_600_000);
        assert_eq!(c.log.max_message_bytes, 1_048_588);
        assert_eq!(c.socket_request_max_bytes, 104_857_600);
        assert!(c.auto_create_topics_enable);
        assert_eq!(c.unknown_keys, vec!["bogus.key".to_string()]);
        assert_eq!(c.client_listener().unwrap().port, 9092);
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let e = BrokerConfig::load(None, &["num.partitions=zero".into()]).unwrap_err();
        assert!(e.to_string().contains("num.partitions"), "{e}");
        let e = BrokerConfig::load(None, &["listeners=nonsense".into()]).unwrap_err();
        assert!(e.to_string().contains("listeners"), "{e}");
        let v = BrokerConfig::load(None, &["controller.quorum.voters=1@a:9093,2@b:9093".into()]).unwrap();
        assert_eq!(v.controller_quorum_voters.len(), 2);
    }
}
