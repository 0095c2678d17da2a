//! Connector config validation as Kafka Connect does it (`AbstractHerder.validateConnectorConfig`):
//! the connector type's common keys, every transform and predicate with its own keys embedded
//! under `transforms.ALIAS.` / `predicates.ALIAS.`, the connector's keys, and the sink rules on
//! `topics`/`topics.regex`. The answer is Kafka's `ConfigInfos`, for
//! `PUT /connector-plugins/{p}/config/validate` and for the 400 of an invalid create. The
//! `ConfigInfos` types live in the shared `kaskade-connect-api` crate (re-exported here); what
//! needs the worker's config definitions and plugin registry stays here.

pub use kaskade_connect_api::{ConfigInfo, ConfigInfos, KeyInfo, ValueInfo};

use super::connector_config;
use crate::config::WorkerConfig;
use crate::config_def::{display, ConfigDef, ConfigKey, Default, KeyValidation};
use crate::connectors::{self, ConnectorType, Plugin, Props};

/// `ConfigKeyInfo` of a worker config key.
pub fn key_info(k: &ConfigKey) -> KeyInfo {
    KeyInfo {
        name: k.name.clone(),
        ty: k.ty.name().to_string(),
        required: k.required(),
        default_value: match &k.default {
            Default::Value(s) => Some(s.clone()),
            _ => None,
        },
        importance: k.importance.name().to_string(),
        documentation: k.documentation.clone(),
        group: k.group.clone(),
        order_in_group: k.order,
        width: k.width.name().to_string(),
        display_name: k.display_name.clone(),
        dependents: k.dependents.clone(),
    }
}

/// `Failed to find any class that implements Connector and which name matches …`.
pub fn unknown_class_message(class: &str) -> String {
    let available: Vec<String> = connectors::plugins()
        .iter()
        .map(|p| {
            format!(
                "PluginDesc{{klass=class {c}, name='{c}', version='{v}', encodedVersion={v}, type={t}, typeName='{t}', location='classpath'}}",
                c = p.class,
                v = p.version,
                t = p.kind().name()
            )
        })
        .collect();
    format!(
        "Failed to find any class that implements Connector and which name matches {class}, available connectors are: {}",
        available.join(", ")
    )
}

/// The connector's plugin, or Kafka's 400 message.
pub fn plugin_of(config: &Props) -> Result<&'static Plugin, String> {
    let class = config.get("connector.class").map(String::as_str).unwrap_or("");
    connectors::find(class).ok_or_else(|| unknown_class_message(class))
}

fn recommended(key: &str, worker: &WorkerConfig) -> (Option<String>, Vec<String>) {
    let classes = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match key {
        "key.converter" => (Some(worker.key_converter.class.clone()), classes(crate::converters::CLASSES)),
        "value.converter" => (Some(worker.value_converter.class.clone()), classes(crate::converters::CLASSES)),
        "header.converter" => (
            Some(worker.header_converter.class.clone()),
            classes(crate::converters::HEADER_CLASSES),
        ),
        k if k.ends_with("plugin.version") => (Some(connectors::APACHE_VERSION.into()), vec![connectors::APACHE_VERSION.into()]),
        k if k.starts_with("transforms.") && k.ends_with(".type") => (None, classes(crate::transforms::TRANSFORM_CLASSES)),
        k if k.starts_with("predicates.") && k.ends_with(".type") => (None, classes(crate::transforms::PREDICATE_CLASSES)),
        _ => (None, Vec::new()),
    }
}

/// Validates `config` for `plugin` as the worker would at create time: the type's runtime keys,
/// then the transforms' and predicates' keys (validated by the transforms module, as Kafka's
/// `ConnectorConfig.enrich` lays them out), then the connector's own keys.
pub fn validate(plugin: &Plugin, config: &Props, worker: &WorkerConfig) -> ConfigInfos {
    let mut base = connector_config::for_type(plugin.kind());
    for k in base.keys.iter_mut() {
        if let (Some(d), _) = recommended(&k.name, worker) {
            k.default = Default::Value(d);
        }
    }
    let own = (plugin.config_def)();
    let mut base_results = checked(&base, config, worker);
    if plugin.kind() == ConnectorType::Sink {
        sink_rules(config, &base, &mut base_results);
    }
    let chain = crate::transforms::chain_config_def(config);
    let mut chain_results = crate::transforms::validate_chain(config);
    // A transform's or predicate's `plugin.version`, when its class is known, recommends the
    // one version there is (as the connector's own does).
    for (key, result) in chain.keys.iter().zip(chain_results.iter_mut()) {
        if key.name.ends_with(".plugin.version") && matches!(key.default, Default::Value(_)) {
            result.recommended_values = vec![connectors::APACHE_VERSION.into()];
        }
    }
    let mut own_results = checked(&own, config, worker);
    if let Some(extra) = plugin.validate {
        for (key, message) in extra(config) {
            if let Some(r) = own_results.iter_mut().find(|r| r.name == key) {
                r.errors.push(message);
            }
        }
    }

    let keys: Vec<&ConfigKey> = base.keys.iter().chain(chain.keys.iter()).chain(own.keys.iter()).collect();
    let results = base_results.into_iter().chain(chain_results).chain(own_results);
    let mut groups: Vec<String> = Vec::new();
    for k in &keys {
        if let Some(g) = &k.group {
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
    }
    let configs: Vec<ConfigInfo> = keys
        .iter()
        .zip(results)
        .map(|(k, r)| ConfigInfo {
            definition: key_info(k),
            value: ValueInfo {
                name: r.name,
                value: r.value,
                recommended_values: r.recommended_values,
                errors: r.errors,
                visible: r.visible,
            },
        })
        .collect();
    ConfigInfos {
        name: config.get("connector.class").cloned().unwrap_or_default(),
        error_count: configs.iter().map(|c| c.value.errors.len()).sum(),
        groups,
        configs,
    }
}

/// `validate_all` with Kafka's presentation: the value in its parsed text form (null when it did
/// not parse), and the recommended values of converter and version keys.
fn checked(def: &ConfigDef, config: &Props, worker: &WorkerConfig) -> Vec<KeyValidation> {
    let mut results = def.validate_all(config);
    for (key, result) in def.keys.iter().zip(results.iter_mut()) {
        result.recommended_values = recommended(&key.name, worker).1;
        result.value = match config.get(&key.name) {
            Some(raw) => key.parse(raw).ok().map(|v| display(&v)),
            None => key.default_value().and_then(|v| match v {
                crate::config_def::ConfigValue::Null => None,
                v => Some(display(&v)),
            }),
        };
    }
    results
}

/// `SinkConnectorConfig.validate`: exactly one of `topics` and `topics.regex`, and never the
/// dead-letter queue among the topics.
fn sink_rules(config: &Props, def: &ConfigDef, results: &mut [KeyValidation]) {
    let topics = crate::config_def::parse_list(config.get("topics").map(String::as_str).unwrap_or(""));
    let regex = config.get("topics.regex").map(|s| s.trim()).unwrap_or("");
    let mut add = |key: &str, msg: &str| {
        if let Some(i) = def.keys.iter().position(|k| k.name == key) {
            results[i].errors.push(msg.to_string());
        }
    };
    if !topics.is_empty() && !regex.is_empty() {
        let msg = "topics and topics.regex are mutually exclusive options, but both are set.";
        add("topics", msg);
        add("topics.regex", msg);
    } else if topics.is_empty() && regex.is_empty() {
        let msg = "Must configure one of topics or topics.regex";
        add("topics", msg);
        add("topics.regex", msg);
    }
    if !regex.is_empty() && regex::Regex::new(regex).is_err() {
        add(
            "topics.regex",
            &format!("Invalid value {regex} for configuration topics.regex: Must be a valid regular expression"),
        );
    }
    let dlq = config.get("errors.deadletterqueue.topic.name").map(|s| s.trim()).unwrap_or("");
    if !dlq.is_empty() && topics.iter().any(|t| t == dlq) {
        add(
            "topics",
            &format!(
                "The DLQ topic '{dlq}' may not be included in the list of topics ('topics={}') consumed by the connector",
                config.get("topics").map(String::as_str).unwrap_or("")
            ),
        );
    }
}

/// `GET /connector-plugins/{p}/config`: the plugin's keys, then its type's runtime keys.
pub fn plugin_keys(plugin: &Plugin) -> Vec<KeyInfo> {
    (plugin.config_def)()
        .keys
        .iter()
        .chain(connector_config::for_type(plugin.kind()).keys.iter())
        .map(key_info)
        .collect()
}
