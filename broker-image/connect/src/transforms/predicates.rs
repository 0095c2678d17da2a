//! The predicates (`org.apache.kafka.connect.transforms.predicates`) that make a transform
//! conditional (`transforms.x.predicate`, `transforms.x.negate`): `TopicNameMatches`,
//! `HasHeaderKey` and `RecordIsTombstone`, e.g. to Filter out tombstones or to route only
//! some topics.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator};
use crate::record::ConnectRecord;

use super::regex_router::JavaPattern;
use super::util::parse_config;
use super::{Predicate, TransformError};

pub(crate) const TOPIC_NAME_MATCHES: &str = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches";
pub(crate) const HAS_HEADER_KEY: &str = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey";
pub(crate) const RECORD_IS_TOMBSTONE: &str = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone";

pub(crate) fn topic_name_matches_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            "pattern",
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "A Java regular expression for matching against the name of a record's topic.",
        )
        // CompositeValidator.of(NonEmptyString, RegexValidator)
        .validator(Validator::Lambda(|name, v| match v {
            ConfigValue::String(s) if s.is_empty() => Err(format!("Invalid value  for configuration {name}: String must be non-empty")),
            ConfigValue::String(s) => JavaPattern::new(s)
                .map(|_| ())
                .map_err(|e| format!("Invalid value {s} for configuration {name}: Invalid regex: {e}")),
            _ => Ok(()),
        })),
    )
}

pub(crate) fn has_header_key_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            "name",
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "The header name.",
        )
        .validator(Validator::NonEmptyString),
    )
}

pub(crate) fn record_is_tombstone_config_def() -> ConfigDef {
    ConfigDef::new()
}

/// True for records whose topic the whole `pattern` matches.
pub(crate) struct TopicNameMatches {
    pattern: JavaPattern,
}

impl TopicNameMatches {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&topic_name_matches_config_def(), props)?;
        let value = c.string("pattern").unwrap_or_default();
        let pattern = JavaPattern::new(&value).map_err(|e| {
            TransformError::Config(format!(
                "Invalid value {value} for configuration pattern: entry must be a Java-compatible regular expression: {e}"
            ))
        })?;
        Ok(TopicNameMatches { pattern })
    }
}

impl Predicate for TopicNameMatches {
    fn test(&self, record: &ConnectRecord) -> bool {
        self.pattern.matches(&record.topic)
    }
}

/// True for records with at least one header called `name`.
pub(crate) struct HasHeaderKey {
    name: String,
}

impl HasHeaderKey {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&has_header_key_config_def(), props)?;
        Ok(HasHeaderKey {
            name: c.string("name").unwrap_or_default(),
        })
    }
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &ConnectRecord) -> bool {
        record.headers.iter().any(|h| h.key == self.name)
    }
}

/// True for records with a null value.
pub(crate) struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn test(&self, record: &ConnectRecord) -> bool {
        record.value.is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::record::Header;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn predicates() {
        let p = TopicNameMatches::configure(&props(&[("pattern", "my_topic_.*")])).unwrap();
        assert!(p.test(&source_record("my_topic_users", None, Value::Null)));
        assert!(!p.test(&source_record("x_my_topic_users", None, Value::Null)));
        assert_eq!(
            TopicNameMatches::configure(&props(&[("pattern", "")])).err().unwrap().to_string(),
            "Invalid value  for configuration pattern: String must be non-empty"
        );
        assert!(TopicNameMatches::configure(&props(&[("pattern", "(")]))
            .err()
            .unwrap()
            .to_string()
            .starts_with("Invalid value ( for configuration pattern: Invalid regex: "));

        let h = HasHeaderKey::configure(&props(&[("name", "trace")])).unwrap();
        let mut rec = source_record("t", None, Value::Int32(1));
        assert!(!h.test(&rec));
        rec.headers.push(Header {
            key: "trace".into(),
            schema: None,
            value: Value::Null,
        });
        assert!(h.test(&rec));
        assert_eq!(
            HasHeaderKey::configure(&props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"name\" which has no default value."
        );

        assert!(!RecordIsTombstone.test(&rec));
        assert!(RecordIsTombstone.test(&source_record("t", None, Value::Null)));
    }
}
