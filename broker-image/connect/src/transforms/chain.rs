//! A connector's transformation chain, built from its config as Kafka's `ConnectorConfig` does
//! (`transforms`, `transforms.NAME.type|predicate|negate|…`, `predicates`,
//! `predicates.NAME.type|…`) and applied as `TransformationChain` does: in order, each stage
//! guarded by its predicate, stopping when a stage drops the record.
//!
//! Errors carry Kafka's message for the first problem in Kafka's order: class names of every
//! transform, then of every predicate; then each alias's keys (type, then its keys sorted as
//! `ConfigDef.embed` sorts them); then the transforms' and predicates' own configuration.
//! Kafka wraps configuration failures in `ConnectException`s; the messages here are theirs
//! without the Java exception class names.

use std::collections::BTreeMap;

use crate::config_def::{
    display, invalid_value, missing_required, parse_list, parse_type, ConfigDef, ConfigKey, ConfigType, Default, Importance, KeyValidation,
    Width,
};
use crate::data::DataError;
use crate::record::ConnectRecord;

use super::util::java_list;
use super::{
    new_predicate, new_transformation, predicate_config_def, resolve_class, transformation_config_def, PluginKind, Predicate,
    TransformError, Transformation, PLUGIN_VERSION,
};

/// One alias kind: `transforms` or `predicates`.
#[derive(Clone, Copy)]
struct AliasKind {
    config: &'static str,
    kind: PluginKind,
    /// `Transformation` / `Predicate` (the interface's simple name).
    interface: &'static str,
    /// `Transforms` / `Predicates` (the group).
    group: &'static str,
}

const TRANSFORMS: AliasKind = AliasKind {
    config: "transforms",
    kind: PluginKind::Transformation,
    interface: "Transformation",
    group: "Transforms",
};
const PREDICATES: AliasKind = AliasKind {
    config: "predicates",
    kind: PluginKind::Predicate,
    interface: "Predicate",
    group: "Predicates",
};

impl AliasKind {
    fn prefix(self, alias: &str) -> String {
        format!("{}.{alias}.", self.config)
    }

    fn config_def(self, class: &str) -> Option<ConfigDef> {
        match self.kind {
            PluginKind::Transformation => transformation_config_def(class),
            PluginKind::Predicate => predicate_config_def(class),
        }
    }

    /// The aliases listed under `transforms`/`predicates`, with Kafka's duplicate check.
    fn aliases(self, props: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
        let aliases = parse_list(props.get(self.config).map(String::as_str).unwrap_or(""));
        if aliases.iter().enumerate().any(|(i, a)| aliases[..i].contains(a)) {
            return Err(invalid_value(self.config, &java_list(&aliases), "Duplicate alias provided."));
        }
        Ok(aliases)
    }

    /// The class `prefix + "type"` names, with Kafka's messages for a missing, unknown or
    /// wrong-kind class.
    fn resolve_type(self, props: &BTreeMap<String, String>, alias: &str) -> Result<String, String> {
        let key = format!("{}type", self.prefix(alias));
        let Some(raw) = props.get(&key) else {
            return Err(invalid_value(&key, "null", &format!("Not a {}", self.interface)));
        };
        resolve_kind(self, raw.trim()).map_err(|e| {
            if e.starts_with("Class class ") {
                e
            } else {
                invalid_value(&key, raw.trim(), &e)
            }
        })
    }

    /// The implicit keys Connect gives every alias of this kind (before the class's own).
    fn implicit_keys(self) -> Vec<ConfigKey> {
        match self.kind {
            PluginKind::Transformation => vec![
                ConfigKey::new(
                    "predicate",
                    ConfigType::String,
                    Default::Null,
                    Importance::Medium,
                    "The alias of a predicate used to determine whether to apply this transformation.",
                ),
                ConfigKey::new(
                    "negate",
                    ConfigType::Boolean,
                    Default::Value("false".into()),
                    Importance::Medium,
                    "Whether the configured predicate should be negated.",
                ),
            ],
            PluginKind::Predicate => Vec::new(),
        }
    }

    /// The alias's keys as `ConfigDef.embed` adds them: implicit and class keys together,
    /// sorted (required first, then by importance, then by name), unprefixed.
    fn embedded_keys(self, class: Option<&str>) -> Vec<ConfigKey> {
        let mut keys = self.implicit_keys();
        if let Some(def) = class.and_then(|c| self.config_def(c)) {
            for k in def.keys {
                // The implicit keys mask a class's keys of the same name.
                if !keys.iter().any(|i| i.name == k.name) {
                    keys.push(k);
                }
            }
        }
        let rank = |i: Importance| match i {
            Importance::High => 0,
            Importance::Medium => 1,
            Importance::Low => 2,
        };
        keys.sort_by(|a, b| (!a.required(), rank(a.importance), &a.name).cmp(&(!b.required(), rank(b.importance), &b.name)));
        keys
    }
}

/// Resolves `name` as a class of `kind`, with Kafka's messages.
fn resolve_kind(kind: AliasKind, name: &str) -> Result<String, String> {
    match resolve_class(name) {
        Some((class, k)) if k == kind.kind => Ok(class),
        Some((class, _)) => Err(format!("Class class {class} does not implement the {} interface", kind.interface)),
        None => Err(format!("Class {name} could not be found.")),
    }
}

/// The keys under `prefix`, unprefixed (`originalsWithPrefix`).
fn with_prefix(props: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    props
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest.to_string(), v.clone())))
        .collect()
}

/// Parses one embedded key as the connector's enriched ConfigDef does: missing and
/// unparsable values are reported under the prefixed name, validator failures under the
/// class's own key name.
fn check_embedded_key(prefix: &str, key: &ConfigKey, props: &BTreeMap<String, String>) -> Result<(), String> {
    let full = format!("{prefix}{}", key.name);
    let value = match props.get(&full) {
        Some(raw) => parse_type(&full, raw, key.ty)?,
        None => key.default_value().ok_or_else(|| missing_required(&full))?,
    };
    if let Some(validator) = &key.validator {
        let value = validator.normalize(value);
        let shown = props.get(&full).map(|s| s.trim().to_string()).unwrap_or_else(|| display(&value));
        validator.ensure_valid(&key.name, &shown, &value)?;
    }
    Ok(())
}

/// `validateProps`: `negate` only with a `predicate`.
fn check_negate(props: &BTreeMap<String, String>, prefix: &str) -> Result<(), String> {
    let negate = format!("{prefix}negate");
    let predicate = format!("{prefix}predicate");
    if props.contains_key(&negate) && !props.contains_key(&predicate) {
        return Err(format!(
            "Config '{negate}' was provided but there is no config '{predicate}' defining a predicate to be negated."
        ));
    }
    Ok(())
}

struct Stage {
    alias: String,
    class: String,
    transformation: Box<dyn Transformation>,
    predicate: Option<Box<dyn Predicate>>,
    negate: bool,
}

/// A connector's transformation chain.
#[derive(Default)]
pub struct Chain {
    stages: Vec<Stage>,
}

/// A record a stage failed on: the stage's alias and class (Connect's error context reports
/// the class) and the error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}")]
pub struct StageError {
    pub alias: String,
    pub class: String,
    pub error: DataError,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.stages.iter().map(|s| (&s.alias, &s.class))).finish()
    }
}

impl Chain {
    /// The chain a connector config describes (empty without `transforms`).
    pub fn from_config(props: &BTreeMap<String, String>) -> Result<Chain, TransformError> {
        let err = TransformError::Config;
        let transforms = TRANSFORMS.aliases(props).map_err(err)?;
        let predicates = PREDICATES.aliases(props).map_err(err)?;
        // ConnectorConfig.enrich: every class must resolve.
        let mut transform_classes = Vec::with_capacity(transforms.len());
        for alias in &transforms {
            transform_classes.push(TRANSFORMS.resolve_type(props, alias).map_err(err)?);
        }
        let mut predicate_classes = BTreeMap::new();
        for alias in &predicates {
            predicate_classes.insert(alias.clone(), PREDICATES.resolve_type(props, alias).map_err(err)?);
        }
        // Parsing the enriched config: each alias's keys.
        for (alias, class) in transforms.iter().zip(&transform_classes) {
            let prefix = TRANSFORMS.prefix(alias);
            check_negate(props, &prefix).map_err(err)?;
            for key in TRANSFORMS.embedded_keys(Some(class)) {
                check_embedded_key(&prefix, &key, props).map_err(err)?;
            }
        }
        for alias in &predicates {
            let prefix = PREDICATES.prefix(alias);
            for key in PREDICATES.embedded_keys(predicate_classes.get(alias).map(String::as_str)) {
                check_embedded_key(&prefix, &key, props).map_err(err)?;
            }
        }
        // ConnectorConfig.transformationStages.
        let mut stages = Vec::with_capacity(transforms.len());
        for (alias, class) in transforms.iter().zip(transform_classes) {
            let mut configs = with_prefix(props, &TRANSFORMS.prefix(alias));
            let predicate_alias = configs.remove("predicate");
            let negate = configs.remove("negate");
            let transformation = new_transformation(&class, &configs)?;
            let predicate = match predicate_alias {
                None => None,
                Some(p) => {
                    let Some(predicate_class) = predicate_classes.get(&p) else {
                        return Err(TransformError::Config(format!(
                            "Unknown configuration 'predicates.{p}.plugin.version'"
                        )));
                    };
                    Some(new_predicate(predicate_class, &with_prefix(props, &PREDICATES.prefix(&p)))?)
                }
            };
            stages.push(Stage {
                alias: alias.clone(),
                class,
                transformation,
                negate: predicate.is_some() && negate.is_some_and(|n| n.trim().eq_ignore_ascii_case("true")),
                predicate,
            });
        }
        Ok(Chain { stages })
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// (alias, class) of each stage, in order.
    pub fn stages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.stages.iter().map(|s| (s.alias.as_str(), s.class.as_str()))
    }

    /// Applies the chain; `Ok(None)` when a stage dropped the record.
    pub fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        self.apply_staged(record).map_err(|e| e.error)
    }

    /// Applies the chain, naming the stage that failed.
    pub fn apply_staged(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, StageError> {
        for stage in &self.stages {
            let applies = match &stage.predicate {
                None => true,
                Some(p) => stage.negate ^ p.test(&record),
            };
            if !applies {
                continue;
            }
            match stage.transformation.apply(record) {
                Ok(Some(r)) => record = r,
                Ok(None) => return Ok(None),
                Err(error) => {
                    return Err(StageError {
                        alias: stage.alias.clone(),
                        class: stage.class.clone(),
                        error,
                    })
                }
            }
        }
        Ok(Some(record))
    }
}

/// What a key of the enriched ConfigDef is.
enum ChainKey {
    /// `transforms.NAME.type` / `predicates.NAME.type`.
    Type(AliasKind),
    /// `….plugin.version`.
    Version,
    /// An implicit or class key; `short` is its name without the alias prefix.
    Embedded { short: String },
}

/// The enriched keys with what each is, in Kafka's order.
fn chain_keys(props: &BTreeMap<String, String>) -> Vec<(ConfigKey, ChainKey)> {
    let mut keys = Vec::new();
    for kind in [TRANSFORMS, PREDICATES] {
        let mut seen: Vec<String> = Vec::new();
        for alias in parse_list(props.get(kind.config).map(String::as_str).unwrap_or("")) {
            if seen.contains(&alias) {
                continue;
            }
            seen.push(alias.clone());
            let prefix = kind.prefix(&alias);
            let group = format!("{}: {alias}", kind.group);
            let lower = kind.interface.to_lowercase();
            let given = props.get(&format!("{prefix}type"));
            let class = given.and_then(|raw| resolve_kind(kind, raw.trim()).ok());
            // A class that cannot be loaded: Kafka lists only the type (its value null) and a
            // version with no default, and none of the class's or the implicit keys.
            let unloadable = given.is_some() && class.is_none();
            keys.push((
                ConfigKey::new(
                    format!("{prefix}type"),
                    ConfigType::Class,
                    Default::Required,
                    Importance::High,
                    format!("Class for the '{alias}' {lower}."),
                )
                .group(&group, 0, Width::Long, &format!("{} type for {alias}", kind.interface)),
                ChainKey::Type(kind),
            ));
            keys.push((
                ConfigKey::new(
                    format!("{prefix}plugin.version"),
                    ConfigType::String,
                    if unloadable {
                        Default::Null
                    } else {
                        Default::Value(PLUGIN_VERSION.into())
                    },
                    Importance::High,
                    format!("Version of the '{alias}' {lower}."),
                )
                .group(&group, 1, Width::Long, &format!("{} version for {alias}", kind.interface)),
                ChainKey::Version,
            ));
            if unloadable {
                continue;
            }
            for (i, key) in kind.embedded_keys(class.as_deref()).into_iter().enumerate() {
                let short = key.name.clone();
                let mut k = key;
                k.name = format!("{prefix}{short}");
                k.group = Some(group.clone());
                k.order = i as i32 + 2;
                keys.push((k, ChainKey::Embedded { short }));
            }
        }
    }
    keys
}

/// The keys a connector config's `transforms` and `predicates` add to its ConfigDef
/// (`ConnectorConfig.enrich`): for each alias, `type`, `plugin.version`, and the implicit and
/// class keys under the alias's prefix, grouped `Transforms: NAME` / `Predicates: NAME`. Use
/// [`validate_chain`] for their errors (Kafka's validators see the class's own key names).
pub fn chain_config_def(props: &BTreeMap<String, String>) -> ConfigDef {
    chain_keys(props).into_iter().fold(ConfigDef::new(), |def, (k, _)| def.define(k))
}

/// Validates a connector config's transforms and predicates as `PUT
/// /connector-plugins/{plugin}/config/validate` reports them: one result per key of
/// [`chain_config_def`], every error collected; a class key recommends the built-in classes
/// of its kind.
pub fn validate_chain(props: &BTreeMap<String, String>) -> Vec<KeyValidation> {
    chain_keys(props)
        .into_iter()
        .map(|(key, what)| {
            let given = props.get(&key.name);
            let mut errors = Vec::new();
            let mut recommended_values = Vec::new();
            match &what {
                ChainKey::Type(kind) => {
                    recommended_values = match kind.kind {
                        PluginKind::Transformation => super::TRANSFORM_CLASSES,
                        PluginKind::Predicate => super::PREDICATE_CLASSES,
                    }
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                    match given {
                        None => errors.push(missing_required(&key.name)),
                        Some(raw) => match resolve_kind(*kind, raw.trim()) {
                            Ok(_) => {
                                let prefix = key.name.strip_suffix("type").unwrap_or_default();
                                if let (PluginKind::Transformation, Err(e)) = (kind.kind, check_negate(props, prefix)) {
                                    errors.push(e);
                                }
                            }
                            Err(e) if e.starts_with("Class class ") => errors.push(e),
                            Err(e) => errors.push(invalid_value(&key.name, raw.trim(), &e)),
                        },
                    }
                }
                ChainKey::Version => {}
                ChainKey::Embedded { short } => {
                    let value = match given {
                        Some(raw) => parse_type(&key.name, raw, key.ty).map_err(|e| errors.push(e)).ok(),
                        None => {
                            let d = key.default_value();
                            if d.is_none() {
                                errors.push(missing_required(&key.name));
                            }
                            d
                        }
                    };
                    if let (Some(value), Some(validator)) = (value, &key.validator) {
                        let value = validator.normalize(value);
                        let shown = given.map(|s| s.trim().to_string()).unwrap_or_else(|| display(&value));
                        if let Err(e) = validator.ensure_valid(short, &shown, &value) {
                            errors.push(e);
                        }
                    }
                }
            }
            let unloadable_type = matches!(what, ChainKey::Type(kind) if given.is_some_and(|raw| resolve_kind(kind, raw.trim()).is_err()));
            let value = match given {
                Some(_) if unloadable_type => None,
                Some(raw) => Some(raw.clone()),
                None => match &key.default {
                    Default::Value(s) => Some(s.clone()),
                    _ => None,
                },
            };
            KeyValidation {
                name: key.name,
                value,
                errors,
                recommended_values,
                visible: true,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaBuilder, Struct, Value};
    use crate::transforms::test_support::{props, source_record};

    fn err(kv: &[(&str, &str)]) -> String {
        Chain::from_config(&props(kv)).err().unwrap().to_string()
    }

    #[test]
    fn kafka_messages_for_bad_chains() {
        assert_eq!(
            err(&[("transforms", "a")]),
            "Invalid value null for configuration transforms.a.type: Not a Transformation"
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "Foo")]),
            "Invalid value Foo for configuration transforms.a.type: Class Foo could not be found."
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "Key")]),
            "Invalid value Key for configuration transforms.a.type: Class Key could not be found."
        );
        assert_eq!(
            err(&[("transforms", "a"), ("transforms.a.type", "TopicNameMatches")]),
            "Class class org.apache.kafka.connect.transforms.predicates.TopicNameMatches does not implement the Transformation interface"
        );
        assert_eq!(
            err(&[("transforms", "a,a"), ("transforms.a.type", "Filter")]),
            "Invalid value [a, a] for configuration transforms: Duplicate alias provided."
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p")
            ]),
            "Unknown configuration 'predicates.p.plugin.version'"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p"),
                ("predicates", "p")
            ]),
            "Invalid value null for configuration predicates.p.type: Not a Predicate"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p"),
                ("predicates", "p"),
                ("predicates.p.type", "org.apache.kafka.connect.transforms.Cast$Key")
            ]),
            "Class class org.apache.kafka.connect.transforms.Cast$Key does not implement the Predicate interface"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.negate", "true")
            ]),
            "Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a predicate to be negated."
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "org.apache.kafka.connect.transforms.Cast$Value")
            ]),
            "Missing required configuration \"transforms.a.spec\" which has no default value."
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "org.apache.kafka.connect.transforms.TimestampConverter$Value"),
                ("transforms.a.target.type", "foo")
            ]),
            "Invalid value foo for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value"),
                ("transforms.a.schema.version", "x")
            ]),
            "Invalid value x for configuration transforms.a.schema.version: Not a number of type INT"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p"),
                ("transforms.a.negate", "yes"),
                ("predicates", "p"),
                ("predicates.p.type", "RecordIsTombstone")
            ]),
            "Invalid value yes for configuration transforms.a.negate: Expected value to be either true or false"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "org.apache.kafka.connect.transforms.InsertField$Value")
            ]),
            "No field insertion configured"
        );
        assert_eq!(
            err(&[
                ("transforms", "a"),
                ("transforms.a.type", "Filter"),
                ("transforms.a.predicate", "p"),
                ("predicates", "p"),
                ("predicates.p.type", "TopicNameMatches")
            ]),
            "Missing required configuration \"predicates.p.pattern\" which has no default value."
        );
    }

    #[test]
    fn applies_stages_with_predicates() {
        let chain = Chain::from_config(&props(&[
            ("transforms", "dropTombstones,route,hoist"),
            ("transforms.dropTombstones.type", "Filter"),
            ("transforms.dropTombstones.predicate", "isTombstone"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "my_topic_(.*)"),
            ("transforms.route.replacement", "$1"),
            ("transforms.route.predicate", "mine"),
            ("transforms.route.negate", "false"),
            ("transforms.hoist.type", "org.apache.kafka.connect.transforms.HoistField$Value"),
            ("transforms.hoist.field", "v"),
            ("transforms.hoist.predicate", "mine"),
            ("transforms.hoist.negate", "true"),
            ("predicates", "isTombstone,mine"),
            (
                "predicates.isTombstone.type",
                "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
            ),
            ("predicates.mine.type", "TopicNameMatches"),
            ("predicates.mine.pattern", "my_topic_.*"),
        ]))
        .unwrap();
        assert_eq!(
            chain.stages().map(|(a, _)| a).collect::<Vec<_>>(),
            ["dropTombstones", "route", "hoist"]
        );
        assert_eq!(chain.apply(source_record("my_topic_users", None, Value::Null)).unwrap(), None);
        // Each predicate sees the record as the stages before it left it: once renamed,
        // the topic no longer matches `mine`, so the negated hoist applies.
        let out = chain
            .apply(source_record("my_topic_users", None, Value::Int32(1)))
            .unwrap()
            .unwrap();
        assert_eq!(out.topic, "users");
        assert_eq!(out.value, Value::Map(vec![(Value::from("v"), Value::Int32(1))]));
        let out = chain.apply(source_record("my_topic_x", None, Value::Int32(1))).unwrap().unwrap();
        assert_eq!(out.topic, "x");
        let chain = Chain::from_config(&props(&[
            ("transforms", "hoist"),
            ("transforms.hoist.type", "org.apache.kafka.connect.transforms.HoistField$Value"),
            ("transforms.hoist.field", "v"),
            ("transforms.hoist.predicate", "mine"),
            ("transforms.hoist.negate", "true"),
            ("predicates", "mine"),
            ("predicates.mine.type", "TopicNameMatches"),
            ("predicates.mine.pattern", "my_topic_.*"),
        ]))
        .unwrap();
        let out = chain
            .apply(source_record("my_topic_users", None, Value::Int32(1)))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, Value::Int32(1));
        let out = chain.apply(source_record("other", None, Value::Int32(1))).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![(Value::from("v"), Value::Int32(1))]));
    }

    #[test]
    fn names_the_failing_stage() {
        let chain = Chain::from_config(&props(&[
            ("transforms", "insert"),
            ("transforms.insert.type", "org.apache.kafka.connect.transforms.InsertField$Value"),
            ("transforms.insert.topic.field", "t"),
        ]))
        .unwrap();
        let schema = SchemaBuilder::struct_().field("id", Schema::int32()).unwrap().build();
        let ok = chain
            .apply(source_record(
                "x",
                Some(schema.clone()),
                Value::Struct(Struct::new(schema).unwrap()),
            ))
            .err()
            .unwrap();
        assert_eq!(
            ok.message,
            "Invalid value: null used for required field: \"id\", schema type: INT32"
        );
        let e = chain.apply_staged(source_record("x", None, Value::Int32(1))).unwrap_err();
        assert_eq!(e.alias, "insert");
        assert_eq!(e.class, "org.apache.kafka.connect.transforms.InsertField$Value");
        assert!(Chain::from_config(&props(&[])).unwrap().is_empty());
    }

    #[test]
    fn enriched_config_def_and_validation() {
        let p = props(&[
            ("transforms", "c"),
            ("transforms.c.type", "org.apache.kafka.connect.transforms.Cast$Value"),
            ("transforms.c.spec", ""),
            ("predicates", "p"),
            ("predicates.p.type", "TopicNameMatches"),
        ]);
        let def = chain_config_def(&p);
        let names: Vec<&str> = def.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "transforms.c.type",
                "transforms.c.plugin.version",
                "transforms.c.spec",
                "transforms.c.negate",
                "transforms.c.predicate",
                "transforms.c.replace.null.with.default",
                "predicates.p.type",
                "predicates.p.plugin.version",
                "predicates.p.pattern",
            ]
        );
        let spec = def.key("transforms.c.spec").unwrap();
        assert_eq!((spec.group.as_deref(), spec.order), (Some("Transforms: c"), 2));
        let results = validate_chain(&p);
        let errors = |n: &str| results.iter().find(|r| r.name == n).unwrap().errors.clone();
        assert_eq!(errors("transforms.c.spec"), ["Must specify at least one field to cast."]);
        assert_eq!(
            errors("predicates.p.pattern"),
            ["Missing required configuration \"predicates.p.pattern\" which has no default value."]
        );
        assert!(errors("transforms.c.type").is_empty());
        let bad = props(&[("transforms", "x"), ("transforms.x.type", "Nope")]);
        let results = validate_chain(&bad);
        assert_eq!(
            results[0].errors,
            ["Invalid value Nope for configuration transforms.x.type: Class Nope could not be found."]
        );
    }
}
