//! `kaskade configs --describe [--all]`: for each entity a header, then its configs sorted by
//! name as `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`. Without `--all`
//! only what was set on the entity itself is shown (a topic's own configs, a broker's dynamic
//! ones, the cluster's dynamic defaults), and a topic or broker that does not exist is said so.
//! Every topic without `--entity-name` comes in the order Kafka's tool lists them (a Java
//! `HashMap` of the names), asked in one DescribeConfigs; a broker's configs are asked of it.

use std::fmt::Write as _;

use kaskade_client::{ConfigEntry, ConfigResourceType, ConfigSource, KafkaAdmin};

use super::{broker_client, validate_topic, EntityType, Failure};
use kaskade_common::java;

pub async fn describe(admin: &KafkaAdmin, kind: EntityType, name: Option<&str>, all: bool, out: &mut String) -> Result<(), Failure> {
    // Kafka checks a topic's name before it asks anything.
    if let (EntityType::Topics, Some(name)) = (kind, name) {
        validate_topic(name)?;
    }
    // Topics need the list only to check a name or to list them all; brokers always (a broker's
    // configs are asked of that broker).
    let metadata = match (kind, name, all) {
        (EntityType::Topics, Some(_), true) => None,
        _ => Some(admin.metadata().await?),
    };
    if let (Some(name), false, Some(meta)) = (name, all, metadata.as_ref()) {
        let exists = match kind {
            EntityType::Topics => meta.topics.iter().any(|t| t.name == name),
            EntityType::Brokers => name.is_empty() || meta.brokers.iter().any(|b| b.node_id.to_string() == name),
        };
        if !exists {
            let _ = writeln!(
                out,
                "The {} '{name}' doesn't exist and doesn't have dynamic config.",
                kind.singular()
            );
            return Ok(());
        }
    }
    let entities: Vec<String> = match (name, metadata.as_ref()) {
        (Some(name), _) => vec![name.to_string()],
        (None, Some(meta)) => match kind {
            EntityType::Topics => java::hash_map_order(meta.topics.iter().map(|t| t.name.clone()), None),
            EntityType::Brokers => meta.brokers.iter().map(|b| b.node_id.to_string()).chain([String::new()]).collect(),
        },
        (None, None) => Vec::new(),
    };
    match kind {
        EntityType::Topics => {
            for entity in entities.iter().filter(|e| !e.is_empty()) {
                validate_topic(entity)?;
            }
            let resources: Vec<(ConfigResourceType, String)> = entities.iter().map(|e| (ConfigResourceType::Topic, e.clone())).collect();
            let results = if resources.is_empty() {
                Vec::new()
            } else {
                admin.describe_configs(&resources, true).await?
            };
            for (entity, configs) in entities.iter().zip(results) {
                header(out, kind, entity, all);
                print_configs(out, configs?, (!all).then_some(ConfigSource::DynamicTopic));
            }
        }
        EntityType::Brokers => {
            let meta = match metadata {
                Some(meta) => meta,
                None => admin.metadata().await?,
            };
            for entity in &entities {
                header(out, kind, entity, all);
                let (source, target) = if entity.is_empty() {
                    (ConfigSource::DynamicDefaultBroker, admin.clone())
                } else {
                    // (`args::check` refused ids that are not integers.)
                    (ConfigSource::DynamicBroker, broker_client(admin, &meta, entity)?)
                };
                let mut results = target
                    .describe_configs(&[(ConfigResourceType::Broker, entity.clone())], true)
                    .await?;
                let configs = results
                    .pop()
                    .ok_or_else(|| Failure::Command(format!("no configs for broker '{entity}'")))??;
                print_configs(out, configs, (!all).then_some(source));
            }
        }
    }
    Ok(())
}

fn header(out: &mut String, kind: EntityType, entity: &str, all: bool) {
    if entity.is_empty() {
        let _ = writeln!(out, "Default configs for {} in the cluster are:", kind.plural());
    } else {
        let source = if all { "All" } else { "Dynamic" };
        let _ = writeln!(out, "{source} configs for {} {entity} are:", kind.singular());
    }
}

/// The entries (those from `only` when given) sorted by name, one line each.
fn print_configs(out: &mut String, mut configs: Vec<ConfigEntry>, only: Option<ConfigSource>) {
    configs.retain(|c| only.is_none_or(|s| c.source == s));
    configs.sort_by(|a, b| a.name.cmp(&b.name));
    for c in configs {
        let synonyms: Vec<String> = c
            .synonyms
            .iter()
            .map(|s| format!("{}:{}={}", s.source, s.name, s.value.as_deref().unwrap_or("null")))
            .collect();
        let _ = writeln!(
            out,
            "  {}={} sensitive={} synonyms={{{}}}",
            c.name,
            c.value.as_deref().unwrap_or("null"),
            c.sensitive,
            synonyms.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaskade_client::ConfigSynonym;

    #[test]
    fn kafkas_config_lines() {
        let configs = vec![
            ConfigEntry {
                name: "retention.ms".into(),
                value: Some("1000".into()),
                source: ConfigSource::DynamicTopic,
                sensitive: false,
                read_only: false,
                synonyms: vec![ConfigSynonym {
                    name: "retention.ms".into(),
                    value: Some("1000".into()),
                    source: ConfigSource::DynamicTopic,
                }],
            },
            ConfigEntry {
                name: "cleanup.policy".into(),
                value: Some("compact,delete".into()),
                source: ConfigSource::DynamicTopic,
                sensitive: false,
                read_only: false,
                synonyms: vec![
                    ConfigSynonym {
                        name: "cleanup.policy".into(),
                        value: Some("compact,delete".into()),
                        source: ConfigSource::DynamicTopic,
                    },
                    ConfigSynonym {
                        name: "log.cleanup.policy".into(),
                        value: Some("delete".into()),
                        source: ConfigSource::Default,
                    },
                ],
            },
            ConfigEntry {
                name: "segment.ms".into(),
                value: None,
                source: ConfigSource::Default,
                sensitive: true,
                read_only: false,
                synonyms: Vec::new(),
            },
        ];
        let mut out = String::new();
        print_configs(&mut out, configs.clone(), Some(ConfigSource::DynamicTopic));
        assert_eq!(
            out,
            "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n  \
             retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n"
        );
        let mut out = String::new();
        print_configs(&mut out, configs, None);
        assert!(out.ends_with("  segment.ms=null sensitive=true synonyms={}\n"), "{out}");
    }
}
