//! Connector config validation as Kafka Connect does it (`AbstractHerder.validateConnectorConfig`):
//! the connector type's common keys, every transform and predicate with its own keys embedded
//! under `transforms.ALIAS.` / `predicates.ALIAS.`, the connector's keys, and the sink rules on
//! `topics`/`topics.regex`. The answer is Kafka's `ConfigInfos`, for
//! `PUT /connector-plugins/{p}/config/validate` and for the 400 of an invalid create.

use std::collections::BTreeMap;

use serde::Serialize;

use super::connector_config;
use crate::config::WorkerConfig;
use crate::config_def::{display, ConfigDef, ConfigKey, ConfigType, Default, Importance, KeyValidation, Width};
use crate::connectors::{self, ConnectorType, Plugin, Props};

/// `ConfigKeyInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub required: bool,
    pub default_value: Option<String>,
    pub importance: &'static str,
    pub documentation: String,
    pub group: Option<String>,
    pub order_in_group: i32,
    pub width: &'static str,
    pub display_name: String,
    pub dependents: Vec<String>,
}

impl KeyInfo {
    pub fn of(k: &ConfigKey) -> KeyInfo {
        KeyInfo {
            name: k.name.clone(),
            ty: k.ty.name(),
            required: k.required(),
            default_value: match &k.default {
                Default::Value(s) => Some(s.clone()),
                _ => None,
            },
            importance: k.importance.name(),
            documentation: k.documentation.clone(),
            group: k.group.clone(),
            order_in_group: k.order,
            width: k.width.name(),
            display_name: k.display_name.clone(),
            dependents: k.dependents.clone(),
        }
    }
}

/// `ConfigValueInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct ValueInfo {
    pub name: String,
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigInfo {
    pub definition: KeyInfo,
    pub value: ValueInfo,
}

/// `ConfigInfos`: the validate endpoint's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigInfos {
    pub name: String,
    pub error_count: usize,
    pub groups: Vec<String>,
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// Every error, in order, as the 400 of an invalid create lists them.
    pub fn errors(&self) -> Vec<String> {
        self.configs.iter().flat_map(|c| c.value.errors.iter().cloned()).collect()
    }

    /// Kafka's message for a create or update refused for these errors.
    pub fn invalid_message(&self) -> String {
        let errors = self.errors();
        format!(
            "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
            errors.len(),
            errors.join("\n")
        )
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

fn embedded(prefix: &str, group: &str, first: Vec<ConfigKey>, rest: ConfigDef) -> Vec<ConfigKey> {
    let mut keys = first;
    let mut sorted = rest.keys;
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    keys.extend(sorted);
    keys.into_iter()
        .enumerate()
        .map(|(i, mut k)| {
            k.name = format!("{prefix}{}", k.name);
            k.group = Some(group.to_string());
            k.order = i as i32;
            k
        })
        .collect()
}

/// The keys of transform (or predicate) `alias`, prefixed as Kafka's `ConnectorConfig.enrich` does.
fn alias_keys(kind: &str, alias: &str, class: Option<&str>, with_predicate_keys: bool) -> Vec<ConfigKey> {
    let (title, noun) = if kind == "transforms" {
        ("Transforms", "transformation")
    } else {
        ("Predicates", "predicate")
    };
    let group = format!("{title}: {alias}");
    let prefix = format!("{kind}.{alias}.");
    let type_key = ConfigKey::new(
        "type",
        ConfigType::Class,
        Default::Required,
        Importance::High,
        format!("Class for the '{alias}' {noun}."),
    )
    .group(&group, 0, Width::Long, &format!("{} type for {alias}", capitalized(noun)));
    let version_key = ConfigKey::new(
        "plugin.version",
        ConfigType::String,
        Default::Value(connectors::APACHE_VERSION.into()),
        Importance::High,
        format!("Version of the '{alias}' {noun}."),
    )
    .group(&group, 1, Width::Long, &format!("{} version for {alias}", capitalized(noun)));
    let mut rest = class.and_then(plugin_config_def).unwrap_or_default();
    if with_predicate_keys {
        rest = rest
            .define(ConfigKey::new(
                "negate",
                ConfigType::Boolean,
                Default::Value("false".into()),
                Importance::Medium,
                "Whether the configured predicate should be negated.",
            ))
            .define(ConfigKey::new(
                "predicate",
                ConfigType::String,
                Default::Null,
                Importance::Medium,
                "The alias of a predicate used to determine whether to apply this transformation.",
            ));
    }
    embedded(&prefix, &group, vec![type_key, version_key], rest)
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The ConfigDef of a transformation or predicate class, when it is built in.
fn plugin_config_def(class: &str) -> Option<ConfigDef> {
    crate::transforms::config_def(class)
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

/// Validates `config` for `plugin` as the worker would at create time.
pub fn validate(plugin: &Plugin, config: &Props, worker: &WorkerConfig) -> ConfigInfos {
    let kind = plugin.kind();
    let mut keys: Vec<ConfigKey> = connector_config::for_type(kind).keys;
    let list = |k: &str| crate::config_def::parse_list(config.get(k).map(String::as_str).unwrap_or(""));
    for alias in list("transforms") {
        let class = config.get(&format!("transforms.{alias}.type")).map(|s| s.trim());
        keys.extend(alias_keys("transforms", &alias, class, true));
    }
    for alias in list("predicates") {
        let class = config.get(&format!("predicates.{alias}.type")).map(|s| s.trim());
        keys.extend(alias_keys("predicates", &alias, class, false));
    }
    keys.extend((plugin.config_def)().keys);

    let mut def = ConfigDef { keys };
    for k in def.keys.iter_mut() {
        let (default, _) = recommended(&k.name, worker);
        if let Some(d) = default {
            k.default = Default::Value(d);
        }
    }
    let mut results: Vec<KeyValidation> = def.validate_all(config);
    for (key, result) in def.keys.iter().zip(results.iter_mut()) {
        result.recommended_values = recommended(&key.name, worker).1;
        // Kafka shows the parsed value in its text form, and null when it did not parse.
        result.value = match config.get(&key.name) {
            Some(raw) => key.parse(raw).ok().map(|v| display(&v)),
            None => key.default_value().and_then(|v| match v {
                crate::config_def::ConfigValue::Null => None,
                v => Some(display(&v)),
            }),
        };
        if key.ty == ConfigType::Class && key.name.ends_with(".type") {
            if let Some(class) = config.get(&key.name) {
                let known = if key.name.starts_with("transforms.") {
                    crate::transforms::TRANSFORM_CLASSES.iter().any(|c| c == &class.trim()) || plugin_config_def(class.trim()).is_some()
                } else {
                    crate::transforms::PREDICATE_CLASSES.iter().any(|c| c == &class.trim()) || plugin_config_def(class.trim()).is_some()
                };
                if !known {
                    result.errors.push(format!(
                        "Invalid value {} for configuration {}: Class {} could not be found.",
                        class.trim(),
                        key.name,
                        class.trim()
                    ));
                }
            }
        }
    }
    if kind == ConnectorType::Sink {
        sink_rules(config, &def, &mut results);
    }
    let mut groups: Vec<String> = Vec::new();
    for k in &def.keys {
        if let Some(g) = &k.group {
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
    }
    let configs: Vec<ConfigInfo> = def
        .keys
        .iter()
        .zip(results)
        .map(|(k, r)| ConfigInfo {
            definition: KeyInfo::of(k),
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
        .map(KeyInfo::of)
        .collect()
}

/// Keeps the values of a validation that a REST body may want by name.
pub fn by_name(infos: &ConfigInfos) -> BTreeMap<String, Option<String>> {
    infos
        .configs
        .iter()
        .map(|c| (c.value.name.clone(), c.value.value.clone()))
        .collect()
}
