//! Kafka's rules for dynamic broker configs, as pure functions. Kafka lets a running cluster
//! change only its "dynamic" broker keys; of those, Kaskade takes the log defaults (the broker
//! synonyms of topic configs: `log.retention.ms`, `log.segment.bytes`, `message.max.bytes`, …),
//! which it applies to every open log at once. Keys Kafka does not know are accepted as custom
//! configs (Kafka reports them as sensitive); known static keys are refused as Kafka refuses them.

use std::collections::BTreeMap;

use crate::config::check;
use crate::config::topic::topic_config_of_broker_key;
use crate::storage::LogConfig;

/// Broker keys Kafka knows but does not let a running cluster change.
fn is_static(key: &str) -> bool {
    crate::topic_configs::is_known_broker_key(key) || crate::config::is_accepted_key(key)
}

/// Whether a key Kafka does not know (a custom config): stored and reported, not acted on.
pub fn is_custom(key: &str) -> bool {
    topic_config_of_broker_key(key).is_none() && !is_static(key)
}

/// `Err(message)` (INVALID_REQUEST, as Kafka answers) when the configs cannot be set dynamically.
pub fn validate(configs: &BTreeMap<String, String>) -> Result<(), String> {
    let fixed: Vec<&str> = configs
        .keys()
        .map(String::as_str)
        .filter(|k| topic_config_of_broker_key(k).is_none() && is_static(k))
        .collect();
    if !fixed.is_empty() {
        return Err(format!("Cannot update these configs dynamically: [{}]", fixed.join(", ")));
    }
    for (key, value) in configs {
        if let Some(def) = topic_config_of_broker_key(key) {
            check::check(key, value, def.kind)?;
            check::unsupported_value(def.key, value)?;
        }
    }
    Ok(())
}

/// The topic-key form of dynamic broker configs, to lay over a `LogConfig`.
fn as_topic_overrides(configs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    configs
        .iter()
        .filter_map(|(k, v)| topic_config_of_broker_key(k).map(|d| (d.key.to_string(), v.clone())))
        .collect()
}

/// The broker's log defaults: static settings, then the cluster-wide dynamic defaults, then
/// this broker's own dynamic configs.
pub fn effective_log_defaults(
    static_defaults: &LogConfig,
    cluster: &BTreeMap<String, String>,
    node: &BTreeMap<String, String>,
) -> LogConfig {
    static_defaults
        .with_topic_overrides(&as_topic_overrides(cluster))
        .with_topic_overrides(&as_topic_overrides(node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn dynamic_static_and_custom_keys() {
        assert!(validate(&map(&[("log.retention.ms", "1000"), ("my.custom", "x")])).is_ok());
        assert_eq!(
            validate(&map(&[("log.dirs", "/x")])).unwrap_err(),
            "Cannot update these configs dynamically: [log.dirs]"
        );
        assert_eq!(
            validate(&map(&[("log.retention.ms", "abc")])).unwrap_err(),
            "Invalid value abc for configuration log.retention.ms: Not a number of type LONG"
        );
        let base = LogConfig::default();
        let c = effective_log_defaults(&base, &map(&[("log.retention.ms", "5")]), &map(&[("log.segment.bytes", "2000000")]));
        assert_eq!((c.retention_ms, c.segment_bytes), (5, 2_000_000));
    }
}
