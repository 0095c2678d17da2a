//! Kafka's `ConfigDef` as Connect uses it: typed keys with defaults, validators, documentation
//! and UI hints. Connectors, converters, transforms and predicates declare their keys here; the
//! same definition parses a config (with Kafka's error messages), answers
//! `GET /connector-plugins/{p}/config`, and collects per-key errors for
//! `PUT /connector-plugins/{p}/config/validate`.

use std::collections::BTreeMap;

/// `ConfigDef.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl ConfigType {
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

/// `ConfigDef.Importance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    High,
    Medium,
    Low,
}

impl Importance {
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

/// `ConfigDef.Width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    None,
    Short,
    Medium,
    Long,
}

impl Width {
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

/// A key's default: none (the key is required), `null`, or a value in its string form (what
/// Kafka's REST API shows as `default_value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Default {
    Required,
    Null,
    Value(String),
}

/// A parsed config value.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Null,
    Boolean(bool),
    String(String),
    Int(i32),
    Short(i16),
    Long(i64),
    Double(f64),
    List(Vec<String>),
    /// A class name (the class itself is looked up by whoever uses it).
    Class(String),
    Password(String),
}

/// Checks a parsed value; the message follows Kafka's validators.
#[derive(Clone)]
pub enum Validator {
    /// `Range.atLeast(n)`.
    AtLeast(i64),
    /// `Range.between(lo, hi)`.
    Between(i64, i64),
    /// `ValidString.in(...)` (case-sensitive) or `CaseInsensitiveValidString.in(...)`.
    OneOf {
        values: &'static [&'static str],
        case_insensitive: bool,
    },
    /// `NonEmptyString`.
    NonEmptyString,
    /// `ConfigDef.NonNullValidator`.
    NonNull,
    /// Anything else: `Err(message)` becomes "Invalid value V for configuration K: message".
    Custom(fn(&ConfigValue) -> Result<(), String>),
    /// `ValidList.anyNonDuplicateValues(emptyAllowed, nullAllowed)` (`values` empty) or
    /// `ValidList.in(...)`. Kafka drops duplicate entries of such a list (with a warning) before
    /// validating it, and its messages name the key without the "Invalid value" preamble.
    ValidList {
        values: &'static [&'static str],
        empty_allowed: bool,
        null_allowed: bool,
    },
    /// A validator that writes its whole message (a `LambdaValidator` throwing
    /// `new ConfigException(message)` or naming another key): given the key's name and value,
    /// `Err` is the complete text.
    Lambda(fn(&str, &ConfigValue) -> Result<(), String>),
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Validator::AtLeast(n) => write!(f, "AtLeast({n})"),
            Validator::Between(a, b) => write!(f, "Between({a}, {b})"),
            Validator::OneOf { values, .. } => write!(f, "OneOf({values:?})"),
            Validator::NonEmptyString => write!(f, "NonEmptyString"),
            Validator::NonNull => write!(f, "NonNull"),
            Validator::Custom(_) => write!(f, "Custom"),
            Validator::ValidList { values, .. } => write!(f, "ValidList({values:?})"),
            Validator::Lambda(_) => write!(f, "Lambda"),
        }
    }
}

impl Validator {
    /// Kafka's message for a value that fails; `None` when it passes.
    pub fn check(&self, value: &ConfigValue) -> Option<String> {
        let number = || match value {
            ConfigValue::Int(v) => Some(i64::from(*v)),
            ConfigValue::Short(v) => Some(i64::from(*v)),
            ConfigValue::Long(v) => Some(*v),
            _ => None,
        };
        match self {
            Validator::AtLeast(min) => match (value, number()) {
                (ConfigValue::Null, _) => Some("Value must be non-null".into()),
                (_, Some(n)) if n < *min => Some(format!("Value must be at least {min}")),
                _ => None,
            },
            Validator::Between(min, max) => match (value, number()) {
                (ConfigValue::Null, _) => Some("Value must be non-null".into()),
                (_, Some(n)) if n < *min => Some(format!("Value must be at least {min}")),
                (_, Some(n)) if n > *max => Some(format!("Value must be no more than {max}")),
                _ => None,
            },
            Validator::OneOf { values, case_insensitive } => {
                let s = match value {
                    ConfigValue::String(s) => s.as_str(),
                    _ => "null",
                };
                let ok = values
                    .iter()
                    .any(|v| if *case_insensitive { v.eq_ignore_ascii_case(s) } else { *v == s });
                // `CaseInsensitiveValidString` lists its values upper-cased, from a HashSet.
                let (kind, listed) = if *case_insensitive {
                    let upper = values.iter().map(|v| v.to_ascii_uppercase());
                    (" (case insensitive)", kaskade_common::java::hash_map_order(upper, None))
                } else {
                    ("", values.iter().map(|v| v.to_string()).collect())
                };
                (!ok).then(|| format!("String must be one of{kind}: {}", listed.join(", ")))
            }
            // Kafka's NonEmptyString lets null through (a key whose default is null).
            Validator::NonEmptyString => match value {
                ConfigValue::String(s) if s.is_empty() => Some("String must be non-empty".into()),
                _ => None,
            },
            Validator::NonNull => matches!(value, ConfigValue::Null).then(|| "entry must be non null".into()),
            Validator::Custom(f) => f(value).err(),
            Validator::ValidList { .. } | Validator::Lambda(_) => self.ensure_valid("", "", value).err(),
        }
    }

    /// `ensureValid(name, value)`: Kafka's complete message for a value that fails, where
    /// `shown` is the value as the message prints it.
    pub fn ensure_valid(&self, name: &str, shown: &str, value: &ConfigValue) -> Result<(), String> {
        match self {
            Validator::ValidList {
                values,
                empty_allowed,
                null_allowed,
            } => {
                let items = match value {
                    ConfigValue::Null if *null_allowed => return Ok(()),
                    ConfigValue::List(items) => items,
                    _ => return Err(format!("Configuration '{name}' values must not be null.")),
                };
                if !empty_allowed && items.is_empty() {
                    let valid = if values.is_empty() {
                        "any non-empty value".to_string()
                    } else {
                        format!("[{}]", values.join(", "))
                    };
                    return Err(format!("Configuration '{name}' must not be empty. Valid values include: {valid}"));
                }
                if items.iter().enumerate().any(|(i, v)| items[..i].contains(v)) {
                    return Err(format!("Configuration '{name}' values must not be duplicated."));
                }
                for item in items {
                    if item.is_empty() {
                        return Err(format!("Configuration '{name}' values must not be empty."));
                    }
                    if !values.is_empty() && !values.contains(&item.as_str()) {
                        return Err(invalid_value(name, item, &format!("String must be one of: {}", values.join(", "))));
                    }
                }
                Ok(())
            }
            Validator::Lambda(f) => f(name, value),
            other => match other.check(value) {
                Some(msg) => Err(invalid_value(name, shown, &msg)),
                None => Ok(()),
            },
        }
    }

    /// `ConfigDef.parseValue`'s treatment of a list under a `ValidList`: duplicates dropped,
    /// first occurrence kept.
    pub fn normalize(&self, value: ConfigValue) -> ConfigValue {
        match (self, value) {
            (Validator::ValidList { .. }, ConfigValue::List(items)) => {
                let mut out: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    if !out.contains(&item) {
                        out.push(item);
                    }
                }
                ConfigValue::List(out)
            }
            (_, value) => value,
        }
    }
}

/// `ConfigDef.ConfigKey`.
#[derive(Debug, Clone)]
pub struct ConfigKey {
    pub name: String,
    pub ty: ConfigType,
    pub default: Default,
    pub validator: Option<Validator>,
    pub importance: Importance,
    pub documentation: String,
    pub group: Option<String>,
    /// `orderInGroup`; -1 when none.
    pub order: i32,
    pub width: Width,
    pub display_name: String,
    pub dependents: Vec<String>,
}

impl ConfigKey {
    /// A key with no group and no validator; refine it with the builder methods.
    pub fn new(name: impl Into<String>, ty: ConfigType, default: Default, importance: Importance, doc: impl Into<String>) -> Self {
        let name = name.into();
        ConfigKey {
            display_name: name.clone(),
            name,
            ty,
            default,
            validator: None,
            importance,
            documentation: doc.into(),
            group: None,
            order: -1,
            width: Width::None,
            dependents: Vec::new(),
        }
    }

    pub fn validator(mut self, v: Validator) -> Self {
        self.validator = Some(v);
        self
    }

    pub fn group(mut self, group: &str, order: i32, width: Width, display_name: &str) -> Self {
        self.group = Some(group.to_string());
        self.order = order;
        self.width = width;
        self.display_name = display_name.to_string();
        self
    }

    pub fn dependents(mut self, dependents: &[&str]) -> Self {
        self.dependents = dependents.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn required(&self) -> bool {
        self.default == Default::Required
    }

    /// `ConfigDef.parseType` for a value given as text.
    pub fn parse(&self, raw: &str) -> Result<ConfigValue, String> {
        parse_type(&self.name, raw, self.ty)
    }

    /// The default, parsed; `None` when the key is required.
    pub fn default_value(&self) -> Option<ConfigValue> {
        match &self.default {
            Default::Required => None,
            Default::Null => Some(ConfigValue::Null),
            Default::Value(s) => parse_type(&self.name, s, self.ty).ok(),
        }
    }
}

/// Kafka's `ConfigException(name, value, message)` text.
pub fn invalid_value(name: &str, value: &str, message: &str) -> String {
    format!("Invalid value {value} for configuration {name}: {message}")
}

/// Kafka's message for a required key that is missing.
pub fn missing_required(name: &str) -> String {
    format!("Missing required configuration \"{name}\" which has no default value.")
}

/// `ConfigDef.parseType`: text to a typed value, with Kafka's messages.
pub fn parse_type(name: &str, raw: &str, ty: ConfigType) -> Result<ConfigValue, String> {
    let trimmed = raw.trim();
    let number = |what: &str| invalid_value(name, trimmed, &format!("Not a number of type {what}"));
    Ok(match ty {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                ConfigValue::Boolean(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                ConfigValue::Boolean(false)
            } else {
                return Err(invalid_value(name, trimmed, "Expected value to be either true or false"));
            }
        }
        ConfigType::String => ConfigValue::String(trimmed.to_string()),
        ConfigType::Password => ConfigValue::Password(trimmed.to_string()),
        ConfigType::Class => ConfigValue::Class(trimmed.to_string()),
        ConfigType::Int => ConfigValue::Int(trimmed.parse().map_err(|_| number("INT"))?),
        ConfigType::Short => ConfigValue::Short(trimmed.parse().map_err(|_| number("SHORT"))?),
        ConfigType::Long => ConfigValue::Long(trimmed.parse().map_err(|_| number("LONG"))?),
        ConfigType::Double => ConfigValue::Double(trimmed.parse().map_err(|_| number("DOUBLE"))?),
        ConfigType::List => ConfigValue::List(parse_list(trimmed)),
    })
}

/// A LIST value: empty text is an empty list; otherwise split on commas with the whitespace
/// around them, Java's `split("\\s*,\\s*", -1)`.
pub fn parse_list(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(',').map(|s| s.trim().to_string()).collect()
}

/// A set of keys, in definition order.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    pub keys: Vec<ConfigKey>,
}

/// The outcome of validating one key: Kafka's `ConfigValue` in the validate response.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValidation {
    pub name: String,
    /// The value as given (or the default's string form), `None` for null.
    pub value: Option<String>,
    pub errors: Vec<String>,
    pub recommended_values: Vec<String>,
    pub visible: bool,
}

impl ConfigDef {
    pub fn new() -> Self {
        ConfigDef::default()
    }

    pub fn define(mut self, key: ConfigKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Every key of `other` after this one's, keeping the first definition of a name.
    pub fn merge(mut self, other: &ConfigDef) -> Self {
        for k in &other.keys {
            if self.key(&k.name).is_none() {
                self.keys.push(k.clone());
            }
        }
        self
    }

    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// `ConfigDef.parse`: every key parsed and validated; the first error ends it.
    pub fn parse(&self, props: &BTreeMap<String, String>) -> Result<Parsed, String> {
        let mut values = BTreeMap::new();
        for key in &self.keys {
            let mut value = match props.get(&key.name) {
                Some(raw) => key.parse(raw)?,
                None => key.default_value().ok_or_else(|| missing_required(&key.name))?,
            };
            if let Some(validator) = &key.validator {
                value = validator.normalize(value);
                let shown = props
                    .get(&key.name)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|| display(&value));
                validator.ensure_valid(&key.name, &shown, &value)?;
            }
            values.insert(key.name.clone(), value);
        }
        Ok(Parsed { values })
    }

    /// `ConfigDef.validateAll`: one result per key, every error collected.
    pub fn validate_all(&self, props: &BTreeMap<String, String>) -> Vec<KeyValidation> {
        self.keys
            .iter()
            .map(|key| {
                let given = props.get(&key.name);
                let mut errors = Vec::new();
                let parsed = match given {
                    Some(raw) => match key.parse(raw) {
                        Ok(v) => Some(v),
                        Err(e) => {
                            errors.push(e);
                            None
                        }
                    },
                    None => match key.default_value() {
                        Some(v) => Some(v),
                        None => {
                            errors.push(missing_required(&key.name));
                            None
                        }
                    },
                };
                match (parsed, &key.validator) {
                    (Some(v), Some(validator)) => {
                        let v = validator.normalize(v);
                        let shown = given.map(|s| s.trim().to_string()).unwrap_or_else(|| display(&v));
                        if let Err(e) = validator.ensure_valid(&key.name, &shown, &v) {
                            errors.push(e);
                        }
                    }
                    // Kafka's `parseForValidation` runs the validator on null when the value did
                    // not parse or is missing: `Range` then adds "Value must be non-null",
                    // `ValidString` its list (`NonEmptyString` lets null through). Kafka's own
                    // validator kinds only: what a custom one does with null is its own affair.
                    (None, Some(validator)) if !matches!(validator, Validator::Custom(_) | Validator::Lambda(_)) => {
                        if let Err(e) = validator.ensure_valid(&key.name, "null", &ConfigValue::Null) {
                            errors.push(e);
                        }
                    }
                    _ => {}
                }
                let value = match given {
                    Some(raw) => Some(raw.clone()),
                    None => match &key.default {
                        Default::Value(s) => Some(s.clone()),
                        _ => None,
                    },
                };
                KeyValidation {
                    name: key.name.clone(),
                    value,
                    errors,
                    recommended_values: Vec::new(),
                    visible: true,
                }
            })
            .collect()
    }
}

/// A parsed value's text, as Kafka's `ConfigDef.convertToString` writes it.
pub fn display(value: &ConfigValue) -> String {
    match value {
        ConfigValue::Null => "null".into(),
        ConfigValue::Boolean(b) => b.to_string(),
        ConfigValue::String(s) | ConfigValue::Class(s) => s.clone(),
        ConfigValue::Password(_) => "[hidden]".into(),
        ConfigValue::Int(v) => v.to_string(),
        ConfigValue::Short(v) => v.to_string(),
        ConfigValue::Long(v) => v.to_string(),
        ConfigValue::Double(v) => v.to_string(),
        ConfigValue::List(l) => l.join(","),
    }
}

/// A parsed config: typed getters. A getter for a key the definition does not hold, or of the
/// wrong type, panics: that is a bug in the definition, never user input.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub values: BTreeMap<String, ConfigValue>,
}

impl Parsed {
    fn get(&self, name: &str) -> &ConfigValue {
        self.values.get(name).unwrap_or_else(|| panic!("config key {name} is not defined"))
    }

    pub fn string(&self, name: &str) -> Option<String> {
        match self.get(name) {
            ConfigValue::String(s) | ConfigValue::Class(s) | ConfigValue::Password(s) => Some(s.clone()),
            ConfigValue::Null => None,
            other => panic!("config key {name} is not a string: {other:?}"),
        }
    }

    pub fn int(&self, name: &str) -> i32 {
        match self.get(name) {
            ConfigValue::Int(v) => *v,
            other => panic!("config key {name} is not an int: {other:?}"),
        }
    }

    pub fn long(&self, name: &str) -> i64 {
        match self.get(name) {
            ConfigValue::Long(v) => *v,
            ConfigValue::Int(v) => i64::from(*v),
            other => panic!("config key {name} is not a long: {other:?}"),
        }
    }

    pub fn boolean(&self, name: &str) -> bool {
        match self.get(name) {
            ConfigValue::Boolean(v) => *v,
            other => panic!("config key {name} is not a boolean: {other:?}"),
        }
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            ConfigValue::List(v) => v.clone(),
            ConfigValue::Null => Vec::new(),
            other => panic!("config key {name} is not a list: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_kafkas_messages() {
        let def = ConfigDef::new()
            .define(ConfigKey::new("a", ConfigType::Int, Default::Required, Importance::High, "").validator(Validator::AtLeast(1)))
            .define(ConfigKey::new(
                "b",
                ConfigType::List,
                Default::Value(String::new()),
                Importance::Low,
                "",
            ));
        let mut props = BTreeMap::new();
        assert_eq!(
            def.parse(&props).unwrap_err(),
            "Missing required configuration \"a\" which has no default value."
        );
        props.insert("a".to_string(), "x".to_string());
        assert_eq!(
            def.parse(&props).unwrap_err(),
            "Invalid value x for configuration a: Not a number of type INT"
        );
        props.insert("a".to_string(), " 0 ".to_string());
        assert_eq!(
            def.parse(&props).unwrap_err(),
            "Invalid value 0 for configuration a: Value must be at least 1"
        );
        props.insert("a".to_string(), "3".to_string());
        props.insert("b".to_string(), " x , y,z ".to_string());
        let parsed = def.parse(&props).unwrap();
        assert_eq!(parsed.int("a"), 3);
        assert_eq!(parsed.list("b"), vec!["x", "y", "z"]);
    }
}
