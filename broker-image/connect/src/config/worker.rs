//! The worker's configuration: Kafka Connect's `connect-distributed.properties` keys with
//! Kafka's defaults (`WorkerConfig`, `DistributedConfig`), parsed once at start, after the
//! config providers have resolved their variables. Client overrides (`producer.*`,
//! `consumer.*`, `admin.*`) are kept as Java client properties for librdkafka's mapping.

use std::collections::BTreeMap;

use kaskade_common::properties::Props;

use super::providers::{ProviderError, Providers};
use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};

pub const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
pub const SIMPLE_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Where the REST server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Empty for every interface.
    pub host: String,
    pub port: u16,
}

/// A converter class and its configs (the keys after its prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConverterConfig {
    pub class: String,
    pub configs: BTreeMap<String, String>,
}

/// The parsed worker configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Every key as given (variables resolved), for client overrides and diagnostics.
    pub props: Props,
    pub bootstrap_servers: String,
    pub group_id: String,
    pub listener: Listener,
    /// The URL other workers and `worker_id` use: `http://HOST:PORT`.
    pub advertised_url: String,
    /// `HOST:PORT`, as Kafka Connect reports `worker_id`.
    pub worker_id: String,
    pub config_topic: String,
    pub config_replication_factor: i16,
    pub offset_topic: String,
    pub offset_partitions: i32,
    pub offset_replication_factor: i16,
    pub status_topic: String,
    pub status_partitions: i32,
    pub status_replication_factor: i16,
    pub key_converter: ConverterConfig,
    pub value_converter: ConverterConfig,
    pub header_converter: ConverterConfig,
    pub offset_flush_interval_ms: i64,
    pub offset_flush_timeout_ms: i64,
    pub task_shutdown_graceful_timeout_ms: i64,
    pub session_timeout_ms: i32,
    pub heartbeat_interval_ms: i32,
    pub rebalance_timeout_ms: i32,
    pub scheduled_rebalance_max_delay_ms: i32,
    pub connect_protocol: String,
    pub client_config_override_policy: String,
    pub topic_tracking_enable: bool,
    pub topic_tracking_allow_reset: bool,
    pub providers: Providers,
}

/// A worker config Kafka Connect would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkerConfigError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

fn key(name: &str, ty: ConfigType, default: Default, doc: &str) -> ConfigKey {
    ConfigKey::new(name, ty, default, Importance::High, doc)
}

fn value(s: &str) -> Default {
    Default::Value(s.to_string())
}

/// The keys this worker reads, with Kafka's types and defaults.
pub fn definition() -> ConfigDef {
    use ConfigType::*;
    let rf = || {
        Validator::Custom(|v| {
            match v {
        crate::config_def::ConfigValue::Short(n) if *n == -1 || *n > 0 => Ok(()),
        _ => Err("Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default".into()),
    }
        })
    };
    let partitions = || {
        Validator::Custom(|v| match v {
            crate::config_def::ConfigValue::Int(n) if *n == -1 || *n > 0 => Ok(()),
            _ => Err("Number of partitions must be positive, or -1 to use the broker's default".into()),
        })
    };
    ConfigDef::new()
        .define(key(
            "bootstrap.servers",
            List,
            value("localhost:9092"),
            "The Kafka brokers to connect to.",
        ))
        .define(key(
            "group.id",
            String,
            Default::Required,
            "The Connect cluster this worker belongs to.",
        ))
        .define(key("listeners", List, value("http://:8083"), "The REST API's listeners."))
        .define(key(
            "rest.advertised.host.name",
            String,
            Default::Null,
            "The host name other workers reach this one at.",
        ))
        .define(key(
            "rest.advertised.port",
            Int,
            Default::Null,
            "The port other workers reach this one at.",
        ))
        .define(key("rest.advertised.listener", String, Default::Null, "http or https."))
        .define(key(
            "config.storage.topic",
            String,
            value("connect-configs"),
            "The topic of connector and task configs.",
        ))
        .define(key("config.storage.replication.factor", Short, value("3"), "").validator(rf()))
        .define(key(
            "offset.storage.topic",
            String,
            value("connect-offsets"),
            "The topic of source offsets.",
        ))
        .define(key("offset.storage.partitions", Int, value("25"), "").validator(partitions()))
        .define(key("offset.storage.replication.factor", Short, value("3"), "").validator(rf()))
        .define(key(
            "status.storage.topic",
            String,
            value("connect-status"),
            "The topic of connector and task statuses.",
        ))
        .define(key("status.storage.partitions", Int, value("5"), "").validator(partitions()))
        .define(key("status.storage.replication.factor", Short, value("3"), "").validator(rf()))
        .define(key("key.converter", Class, value(JSON_CONVERTER), "The converter of record keys."))
        .define(key(
            "value.converter",
            Class,
            value(JSON_CONVERTER),
            "The converter of record values.",
        ))
        .define(key(
            "header.converter",
            Class,
            value(SIMPLE_HEADER_CONVERTER),
            "The converter of record headers.",
        ))
        .define(key(
            "offset.flush.interval.ms",
            Long,
            value("60000"),
            "How often source offsets are committed.",
        ))
        .define(key(
            "offset.flush.timeout.ms",
            Long,
            value("5000"),
            "How long an offset commit may take.",
        ))
        .define(key(
            "task.shutdown.graceful.timeout.ms",
            Long,
            value("5000"),
            "How long tasks get to stop.",
        ))
        .define(key("session.timeout.ms", Int, value("10000"), "The group session timeout."))
        .define(key("heartbeat.interval.ms", Int, value("3000"), "The group heartbeat interval."))
        .define(key("rebalance.timeout.ms", Int, value("60000"), "The group rebalance timeout."))
        .define(
            key(
                "scheduled.rebalance.max.delay.ms",
                Int,
                value("300000"),
                "How long a departed worker's work waits for it.",
            )
            .validator(Validator::AtLeast(0)),
        )
        .define(
            key("connect.protocol", String, value("sessioned"), "The group sub-protocol.").validator(Validator::OneOf {
                values: &["eager", "compatible", "sessioned"],
                case_insensitive: true,
            }),
        )
        .define(key(
            "connector.client.config.override.policy",
            String,
            value("All"),
            "Which client overrides connectors may set.",
        ))
        .define(key(
            "topic.tracking.enable",
            Boolean,
            value("true"),
            "Track the topics connectors use.",
        ))
        .define(key(
            "topic.tracking.allow.reset",
            Boolean,
            value("true"),
            "Allow resetting tracked topics.",
        ))
        .define(key(
            "plugin.path",
            List,
            Default::Null,
            "Ignored: Kaskade's connectors are built in.",
        ))
        .define(key("config.providers", List, value(""), "Config providers."))
}

/// `http://host:port` (or `https://`, refused: TLS is not served).
fn parse_listener(text: &str) -> Result<Listener, String> {
    let rest = text
        .strip_prefix("http://")
        .ok_or_else(|| format!("Invalid value {text} for configuration listeners: only http:// listeners are served"))?;
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| format!("Invalid value {text} for configuration listeners: expected http://HOST:PORT"))?;
    let port = port
        .trim_end_matches('/')
        .parse()
        .map_err(|_| format!("Invalid value {text} for configuration listeners: bad port"))?;
    Ok(Listener {
        host: host.trim_matches(|c| c == '[' || c == ']').to_string(),
        port,
    })
}

/// The keys after `prefix`.
pub fn with_prefix(props: &Props, prefix: &str) -> BTreeMap<String, String> {
    props
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest.to_string(), v.clone())))
        .collect()
}

impl WorkerConfig {
    /// Parses `props` (a properties file with `--override`s applied).
    pub fn parse(props: &Props) -> Result<WorkerConfig, WorkerConfigError> {
        let providers = Providers::from_worker_config(props)?;
        let props = providers.resolve(props)?;
        let parsed = definition().parse(&props).map_err(WorkerConfigError::Invalid)?;
        let listeners = parsed.list("listeners");
        let first = listeners.first().ok_or_else(|| {
            WorkerConfigError::Invalid("Invalid value for configuration listeners: at least one listener is required".into())
        })?;
        let listener = parse_listener(first).map_err(WorkerConfigError::Invalid)?;
        let host = parsed
            .string("rest.advertised.host.name")
            .or_else(|| (!listener.host.is_empty()).then(|| listener.host.clone()))
            .unwrap_or_else(local_host_name);
        let port = match props.get("rest.advertised.port") {
            Some(_) => parsed.int("rest.advertised.port") as u16,
            None => listener.port,
        };
        let converter = |key: &str| ConverterConfig {
            class: parsed.string(key).unwrap_or_default(),
            configs: with_prefix(&props, &format!("{key}.")),
        };
        let short = |key: &str| match parsed.values.get(key) {
            Some(crate::config_def::ConfigValue::Short(n)) => *n,
            _ => 3,
        };
        if parsed
            .values
            .get("plugin.path")
            .is_some_and(|v| *v != crate::config_def::ConfigValue::Null)
        {
            tracing::info!("plugin.path is ignored: Kaskade's connectors, converters and transforms are built in");
        }
        Ok(WorkerConfig {
            bootstrap_servers: parsed.list("bootstrap.servers").join(","),
            group_id: parsed.string("group.id").unwrap_or_default(),
            advertised_url: format!("http://{host}:{port}"),
            worker_id: format!("{host}:{port}"),
            listener,
            config_topic: parsed.string("config.storage.topic").unwrap_or_default(),
            config_replication_factor: short("config.storage.replication.factor"),
            offset_topic: parsed.string("offset.storage.topic").unwrap_or_default(),
            offset_partitions: parsed.int("offset.storage.partitions"),
            offset_replication_factor: short("offset.storage.replication.factor"),
            status_topic: parsed.string("status.storage.topic").unwrap_or_default(),
            status_partitions: parsed.int("status.storage.partitions"),
            status_replication_factor: short("status.storage.replication.factor"),
            key_converter: converter("key.converter"),
            value_converter: converter("value.converter"),
            header_converter: converter("header.converter"),
            offset_flush_interval_ms: parsed.long("offset.flush.interval.ms"),
            offset_flush_timeout_ms: parsed.long("offset.flush.timeout.ms"),
            task_shutdown_graceful_timeout_ms: parsed.long("task.shutdown.graceful.timeout.ms"),
            session_timeout_ms: parsed.int("session.timeout.ms"),
            heartbeat_interval_ms: parsed.int("heartbeat.interval.ms"),
            rebalance_timeout_ms: parsed.int("rebalance.timeout.ms"),
            scheduled_rebalance_max_delay_ms: parsed.int("scheduled.rebalance.max.delay.ms"),
            connect_protocol: parsed.string("connect.protocol").unwrap_or_default().to_ascii_lowercase(),
            client_config_override_policy: parsed.string("connector.client.config.override.policy").unwrap_or_default(),
            topic_tracking_enable: parsed.boolean("topic.tracking.enable"),
            topic_tracking_allow_reset: parsed.boolean("topic.tracking.allow.reset"),
            providers,
            props,
        })
    }

    /// Java client properties for one of the worker's clients: `bootstrap.servers`, then the
    /// worker-level `PREFIX.*` overrides (`producer.`, `consumer.`, `admin.`).
    pub fn client_props(&self, prefix: &str) -> Props {
        let mut props = Props::new();
        props.insert("bootstrap.servers".into(), self.bootstrap_servers.clone());
        props.extend(with_prefix(&self.props, prefix));
        props
    }
}

/// The host name Kafka Connect would advertise when none is configured.
fn local_host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn kafkas_defaults_and_overrides() {
        let c = WorkerConfig::parse(&props(&[
            ("group.id", "g"),
            ("listeners", "http://127.0.0.1:18083"),
            ("producer.linger.ms", "5"),
            ("offset.storage.replication.factor", "1"),
        ]))
        .unwrap();
        assert_eq!(c.bootstrap_servers, "localhost:9092");
        assert_eq!(c.worker_id, "127.0.0.1:18083");
        assert_eq!(c.advertised_url, "http://127.0.0.1:18083");
        assert_eq!(c.config_topic, "connect-configs");
        assert_eq!(c.offset_partitions, 25);
        assert_eq!(c.offset_replication_factor, 1);
        assert_eq!(c.status_replication_factor, 3);
        assert_eq!(c.value_converter.class, JSON_CONVERTER);
        assert_eq!(c.offset_flush_interval_ms, 60000);
        assert_eq!(c.client_props("producer.")["linger.ms"], "5");
    }

    #[test]
    fn refuses_what_kafka_refuses() {
        let err = WorkerConfig::parse(&props(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"group.id\" which has no default value."
        );
        let err = WorkerConfig::parse(&props(&[("group.id", "g"), ("status.storage.replication.factor", "0")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid value 0 for configuration status.storage.replication.factor"),
            "{err}"
        );
    }
}
