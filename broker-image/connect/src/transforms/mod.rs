//! Single message transforms and predicates (`org.apache.kafka.connect.transforms`), by Apache's
//! class names, built from a connector's `transforms` and `predicates` keys.
//!
//! Every transform and predicate of Kafka Connect 4.3 is built in, with its config keys,
//! defaults and error messages, on both the schema (Struct) and schemaless (Map) paths. A class
//! is named by its full Java name (`org.apache.kafka.connect.transforms.InsertField$Value`) or,
//! as Connect's plugin aliases allow, by the simple name of a class that is not a `$Key`/`$Value`
//! variant (`Filter`, `RegexRouter`, `TopicNameMatches`, …). [`Chain`] builds a connector's
//! chain as Kafka's `ConnectorConfig` does and applies it as `TransformationChain` does.
//!
//! `differential` checks every transform against Kafka Connect 4.3.1's own over a table of
//! cases (`testdata/`). Where we differ from Kafka, and why:
//! - Regular expressions (RegexRouter, TopicNameMatches) are the `regex` crate's: Java-only
//!   constructs (look-around, back-references, possessive quantifiers) are refused as invalid,
//!   and the text after "Invalid regex: " is the crate's, not Java's.
//! - `SimpleDateFormat` patterns: the letters `Y w W F` are refused as unsupported, dates
//!   before 1582-10-15 use the Gregorian calendar (Java's is Julian there), and parsed zone
//!   names are limited to UTC/GMT/UT/Z and numeric offsets (see `date_format`).
//! - Schemaless maps keep their entries' order where Java iterates a `HashMap`; it shows only
//!   when ReplaceField renames two fields to one name (the later entry wins).
//! - Configuration errors are Kafka's `ConfigException` messages without the Java exception
//!   names Kafka's `ConnectException` wrapping adds; where Kafka fails with a
//!   `NullPointerException`, the message is Java's text for it.
//! - The deprecated ReplaceField `whitelist`/`blacklist` keys were removed in Kafka 4.0; as
//!   there, they are ignored.

use std::collections::BTreeMap;

use crate::config_def::ConfigDef;
use crate::data::DataError;
use crate::record::ConnectRecord;

mod cast;
mod chain;
mod date_format;
#[cfg(test)]
mod differential;
mod drop_headers;
mod extract_field;
mod field_path;
mod filter;
mod flatten;
mod header_from;
mod hoist_field;
mod insert_field;
mod insert_header;
mod mask_field;
mod predicates;
mod regex_router;
mod replace_field;
mod set_schema_metadata;
mod timestamp_converter;
mod timestamp_router;
mod util;
mod value_to_key;
mod values;

pub use chain::{chain_config_def, validate_chain, Chain, StageError};

use util::Side;

/// A configured transformation. `Ok(None)` drops the record (Filter).
pub trait Transformation: Send + Sync {
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError>;
}

/// A configured predicate (`org.apache.kafka.connect.transforms.predicates.Predicate`).
pub trait Predicate: Send + Sync {
    fn test(&self, record: &ConnectRecord) -> bool;
}

/// A transform or predicate class that is not built in, or a config it refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    #[error("Class {0} could not be found.")]
    UnknownClass(String),
    #[error("{0}")]
    Config(String),
}

/// The version the built-in transforms and predicates report (`AppInfoParser.getVersion()` of
/// the Kafka release whose behaviour they follow).
pub const PLUGIN_VERSION: &str = "4.3.1";

/// The transformation classes built in, sorted as Connect lists plugins.
pub const TRANSFORM_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.transforms.Cast$Key",
    "org.apache.kafka.connect.transforms.Cast$Value",
    "org.apache.kafka.connect.transforms.DropHeaders",
    "org.apache.kafka.connect.transforms.ExtractField$Key",
    "org.apache.kafka.connect.transforms.ExtractField$Value",
    "org.apache.kafka.connect.transforms.Filter",
    "org.apache.kafka.connect.transforms.Flatten$Key",
    "org.apache.kafka.connect.transforms.Flatten$Value",
    "org.apache.kafka.connect.transforms.HeaderFrom$Key",
    "org.apache.kafka.connect.transforms.HeaderFrom$Value",
    "org.apache.kafka.connect.transforms.HoistField$Key",
    "org.apache.kafka.connect.transforms.HoistField$Value",
    "org.apache.kafka.connect.transforms.InsertField$Key",
    "org.apache.kafka.connect.transforms.InsertField$Value",
    "org.apache.kafka.connect.transforms.InsertHeader",
    "org.apache.kafka.connect.transforms.MaskField$Key",
    "org.apache.kafka.connect.transforms.MaskField$Value",
    "org.apache.kafka.connect.transforms.RegexRouter",
    "org.apache.kafka.connect.transforms.ReplaceField$Key",
    "org.apache.kafka.connect.transforms.ReplaceField$Value",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
    "org.apache.kafka.connect.transforms.TimestampConverter$Key",
    "org.apache.kafka.connect.transforms.TimestampConverter$Value",
    "org.apache.kafka.connect.transforms.TimestampRouter",
    "org.apache.kafka.connect.transforms.ValueToKey",
];

/// The predicate classes built in, sorted.
pub const PREDICATE_CLASSES: &[&str] = &[
    predicates::HAS_HEADER_KEY,
    predicates::RECORD_IS_TOMBSTONE,
    predicates::TOPIC_NAME_MATCHES,
];

type BuildTransformation = fn(&BTreeMap<String, String>) -> Result<Box<dyn Transformation>, TransformError>;
type BuildPredicate = fn(&BTreeMap<String, String>) -> Result<Box<dyn Predicate>, TransformError>;

fn boxed<T: Transformation + 'static>(t: T) -> Box<dyn Transformation> {
    Box::new(t)
}

/// One built-in transformation: its base class name, `$Key`/`$Value` variants or none, its
/// ConfigDef and its constructor.
struct TransformPlugin {
    base: &'static str,
    /// `None` for a class without variants.
    variant: Option<Side>,
    config_def: fn() -> ConfigDef,
    build: BuildTransformation,
}

macro_rules! keyed {
    ($module:ident, $ty:ident) => {
        [
            TransformPlugin {
                base: $module::CLASS,
                variant: Some(Side::Key),
                config_def: $module::config_def,
                build: |p| $module::$ty::configure(Side::Key, p).map(boxed),
            },
            TransformPlugin {
                base: $module::CLASS,
                variant: Some(Side::Value),
                config_def: $module::config_def,
                build: |p| $module::$ty::configure(Side::Value, p).map(boxed),
            },
        ]
    };
}

macro_rules! plain {
    ($module:ident, $ty:ident) => {
        TransformPlugin {
            base: $module::CLASS,
            variant: None,
            config_def: $module::config_def,
            build: |p| $module::$ty::configure(p).map(boxed),
        }
    };
}

fn transform_plugins() -> Vec<TransformPlugin> {
    let mut v = Vec::with_capacity(TRANSFORM_CLASSES.len());
    v.extend(keyed!(cast, Cast));
    v.push(plain!(drop_headers, DropHeaders));
    v.extend(keyed!(extract_field, ExtractField));
    v.push(plain!(filter, Filter));
    v.extend(keyed!(flatten, Flatten));
    v.extend(keyed!(header_from, HeaderFrom));
    v.extend(keyed!(hoist_field, HoistField));
    v.extend(keyed!(insert_field, InsertField));
    v.push(plain!(insert_header, InsertHeader));
    v.extend(keyed!(mask_field, MaskField));
    v.push(plain!(regex_router, RegexRouter));
    v.extend(keyed!(replace_field, ReplaceField));
    v.extend(keyed!(set_schema_metadata, SetSchemaMetadata));
    v.extend(keyed!(timestamp_converter, TimestampConverter));
    v.push(plain!(timestamp_router, TimestampRouter));
    v.push(plain!(value_to_key, ValueToKey));
    v
}

impl TransformPlugin {
    fn class(&self) -> String {
        match self.variant {
            Some(side) => format!("{}${}", self.base, side.name()),
            None => self.base.to_string(),
        }
    }
}

struct PredicatePlugin {
    class: &'static str,
    config_def: fn() -> ConfigDef,
    build: BuildPredicate,
}

fn predicate_plugins() -> [PredicatePlugin; 3] {
    [
        PredicatePlugin {
            class: predicates::HAS_HEADER_KEY,
            config_def: predicates::has_header_key_config_def,
            build: |p| Ok(Box::new(predicates::HasHeaderKey::configure(p)?)),
        },
        PredicatePlugin {
            class: predicates::RECORD_IS_TOMBSTONE,
            config_def: predicates::record_is_tombstone_config_def,
            build: |_| Ok(Box::new(predicates::RecordIsTombstone)),
        },
        PredicatePlugin {
            class: predicates::TOPIC_NAME_MATCHES,
            config_def: predicates::topic_name_matches_config_def,
            build: |p| Ok(Box::new(predicates::TopicNameMatches::configure(p)?)),
        },
    ]
}

/// Which kind of plugin a name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginKind {
    Transformation,
    Predicate,
}

/// `PluginUtils.computeAliases`: a plugin's simple class name is an alias for it when no other
/// plugin shares it (`$Key`/`$Value` classes are all called `Key` or `Value`, so they have none).
fn simple_name(class: &str) -> &str {
    let simple = class.rsplit('.').next().unwrap_or(class);
    simple.rsplit('$').next().unwrap_or(simple)
}

/// The full class name `name` (a class name or a unique alias) refers to, and its kind.
pub fn resolve_class(name: &str) -> Option<(String, PluginKind)> {
    let name = name.trim();
    let all = TRANSFORM_CLASSES
        .iter()
        .map(|c| (*c, PluginKind::Transformation))
        .chain(PREDICATE_CLASSES.iter().map(|c| (*c, PluginKind::Predicate)));
    let mut by_alias = Vec::new();
    for (class, kind) in all {
        if class == name {
            return Some((class.to_string(), kind));
        }
        if simple_name(class) == name {
            by_alias.push((class, kind));
        }
    }
    match by_alias.as_slice() {
        [(class, kind)] => Some((class.to_string(), *kind)),
        _ => None,
    }
}

/// The plugin aliases Connect accepts for the built-in transforms and predicates.
pub fn aliases() -> Vec<(&'static str, &'static str)> {
    TRANSFORM_CLASSES
        .iter()
        .chain(PREDICATE_CLASSES)
        .filter_map(|c| {
            let alias = simple_name(c);
            (resolve_class(alias).is_some()).then_some((alias, *c))
        })
        .collect()
}

/// The ConfigDef of a transformation class (full name or alias), for the plugin endpoints
/// and config validation.
pub fn transformation_config_def(class: &str) -> Option<ConfigDef> {
    let (class, kind) = resolve_class(class)?;
    if kind != PluginKind::Transformation {
        return None;
    }
    transform_plugins()
        .into_iter()
        .find(|p| p.class() == class)
        .map(|p| (p.config_def)())
}

/// The ConfigDef of a predicate class (full name or alias).
pub fn predicate_config_def(class: &str) -> Option<ConfigDef> {
    let (class, kind) = resolve_class(class)?;
    if kind != PluginKind::Predicate {
        return None;
    }
    predicate_plugins().into_iter().find(|p| p.class == class).map(|p| (p.config_def)())
}

/// The ConfigDef of a built-in transformation or predicate class (full name or alias).
pub fn config_def(class: &str) -> Option<ConfigDef> {
    transformation_config_def(class).or_else(|| predicate_config_def(class))
}

/// Builds the transformation `class` from its configs (the keys after `transforms.NAME.`).
pub fn new_transformation(class: &str, configs: &BTreeMap<String, String>) -> Result<Box<dyn Transformation>, TransformError> {
    let resolved = match resolve_class(class) {
        Some((c, PluginKind::Transformation)) => c,
        _ => return Err(TransformError::UnknownClass(class.to_string())),
    };
    let plugin = transform_plugins()
        .into_iter()
        .find(|p| p.class() == resolved)
        .ok_or_else(|| TransformError::UnknownClass(class.to_string()))?;
    (plugin.build)(configs)
}

/// Builds the predicate `class` from its configs (the keys after `predicates.NAME.`).
pub fn new_predicate(class: &str, configs: &BTreeMap<String, String>) -> Result<Box<dyn Predicate>, TransformError> {
    let resolved = match resolve_class(class) {
        Some((c, PluginKind::Predicate)) => c,
        _ => return Err(TransformError::UnknownClass(class.to_string())),
    };
    let plugin = predicate_plugins()
        .into_iter()
        .find(|p| p.class == resolved)
        .ok_or_else(|| TransformError::UnknownClass(class.to_string()))?;
    (plugin.build)(configs)
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    use serde_json::json;

    use crate::data::{SchemaRef, Value};
    use crate::record::{ConnectRecord, Origin};

    pub(crate) fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    pub(crate) fn source_record(topic: &str, schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord::source(json!({"table": "t"}), json!({"id": 1}), topic, schema, value)
    }

    /// A sink record read at offset 42.
    pub(crate) fn sink_record(topic: &str, schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord {
            origin: Origin::Sink {
                kafka_offset: 42,
                timestamp_type: "CreateTime",
                original_topic: topic.to_string(),
                original_partition: 0,
            },
            ..source_record(topic, schema, value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::props;

    #[test]
    fn class_lists_are_complete_and_sorted() {
        let built: Vec<String> = transform_plugins().iter().map(TransformPlugin::class).collect();
        assert_eq!(built, TRANSFORM_CLASSES);
        let mut sorted = TRANSFORM_CLASSES.to_vec();
        sorted.sort();
        assert_eq!(sorted, TRANSFORM_CLASSES);
        let preds: Vec<&str> = predicate_plugins().iter().map(|p| p.class).collect();
        assert_eq!(preds, PREDICATE_CLASSES);
        for c in TRANSFORM_CLASSES {
            assert!(transformation_config_def(c).is_some(), "{c}");
        }
        for c in PREDICATE_CLASSES {
            assert!(predicate_config_def(c).is_some(), "{c}");
        }
    }

    #[test]
    fn aliases_like_connect() {
        let names: Vec<&str> = aliases().into_iter().map(|(a, _)| a).collect();
        assert_eq!(
            names,
            [
                "DropHeaders",
                "Filter",
                "InsertHeader",
                "RegexRouter",
                "TimestampRouter",
                "ValueToKey",
                "HasHeaderKey",
                "RecordIsTombstone",
                "TopicNameMatches"
            ]
        );
        assert!(new_transformation("Filter", &props(&[])).is_ok());
        assert!(new_predicate("RecordIsTombstone", &props(&[])).is_ok());
        assert_eq!(
            new_transformation("Value", &props(&[])).err().unwrap().to_string(),
            "Class Value could not be found."
        );
        assert_eq!(
            new_transformation("TopicNameMatches", &props(&[])).err().unwrap(),
            TransformError::UnknownClass("TopicNameMatches".into())
        );
        assert!(new_transformation(
            "org.apache.kafka.connect.transforms.InsertField$Value",
            &props(&[("topic.field", "t")])
        )
        .is_ok());
    }
}
