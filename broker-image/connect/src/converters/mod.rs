//! Converters (`org.apache.kafka.connect.storage.Converter` and `HeaderConverter`): between
//! Connect data and the bytes in Kafka. Named by Apache's class names (and Connect's plugin
//! aliases: the simple class name, and the name without its `Converter` suffix) so worker and
//! connector configs work unchanged; built by [`new_converter`] and [`new_header_converter`],
//! each with Kafka's `ConfigDef` ([`config_def`]) for the REST API's plugin listing.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Parsed, Validator};
use crate::data::DataError;
use crate::data::{SchemaAndValue, SchemaRef, Value};

pub mod bytearray;
pub mod header;
pub mod java;
pub mod json;
pub mod json_text;
pub mod number;
pub mod string;

/// One configured converter, for keys or for values. (The method names are Kafka's
/// `fromConnectData` and `toConnectData`.)
#[allow(clippy::wrong_self_convention)]
pub trait Converter: Send + Sync {
    /// `fromConnectData`: `None` is a null Kafka key or value.
    fn from_connect(&self, topic: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError>;
    /// `toConnectData`: `None` is a null Kafka key or value.
    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError>;
}

/// One configured header converter (`header.converter`).
#[allow(clippy::wrong_self_convention)]
pub trait HeaderConverter: Send + Sync {
    /// `fromConnectHeader`: `None` is a null header value.
    fn from_connect_header(&self, topic: &str, key: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError>;
    /// `toConnectHeader`: `None` is a null header value.
    fn to_connect_header(&self, topic: &str, key: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError>;
}

/// Every built-in `Converter` is also a `HeaderConverter` that ignores the header's key, as in
/// Kafka (`fromConnectHeader` is `fromConnectData`).
impl<T: Converter> HeaderConverter for T {
    fn from_connect_header(
        &self,
        topic: &str,
        _key: &str,
        schema: Option<&SchemaRef>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        self.from_connect(topic, schema, value)
    }

    fn to_connect_header(&self, topic: &str, _key: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        self.to_connect(topic, bytes)
    }
}

/// A converter class name that is not built in, or a config it refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConverterError {
    #[error("Class {0} could not be found.")]
    UnknownClass(String),
    #[error("{0}")]
    Config(String),
}

/// The converter classes built in (plugin type `converter`), for
/// `GET /connector-plugins?connectorsOnly=false`, sorted by class name as Kafka lists them.
pub const CLASSES: &[&str] = &[
    number::BOOLEAN_CLASS,
    bytearray::CLASS,
    number::DOUBLE_CLASS,
    number::FLOAT_CLASS,
    number::INTEGER_CLASS,
    number::LONG_CLASS,
    number::SHORT_CLASS,
    json::CLASS,
    string::CLASS,
];

/// The header converter classes built in (plugin type `header_converter`): every converter
/// above is one too, and SimpleHeaderConverter, Connect's default, is only that.
pub const HEADER_CLASSES: &[&str] = &[
    number::BOOLEAN_CLASS,
    bytearray::CLASS,
    number::DOUBLE_CLASS,
    number::FLOAT_CLASS,
    number::INTEGER_CLASS,
    number::LONG_CLASS,
    number::SHORT_CLASS,
    json::CLASS,
    header::CLASS,
    string::CLASS,
];

/// The class a converter name means: a full class name, or one of Connect's aliases for it
/// (`JsonConverter` or `Json`; `SimpleHeaderConverter` or `Simple`).
pub fn resolve_class(name: &str) -> Option<&'static str> {
    let name = name.trim();
    HEADER_CLASSES.iter().copied().find(|class| {
        let simple = class.rsplit('.').next().unwrap_or(class);
        let pruned = |suffix: &str| match simple.rfind(suffix) {
            Some(pos) if pos > 0 => &simple[..pos],
            _ => simple,
        };
        *class == name || simple == name || pruned("Converter") == name || pruned("HeaderConverter") == name
    })
}

/// Builds the converter `class` with its `configs` (the keys after the `key.converter.` or
/// `value.converter.` prefix); `is_key` says which side it converts.
pub fn new_converter(class: &str, configs: &BTreeMap<String, String>, is_key: bool) -> Result<Box<dyn Converter>, ConverterError> {
    let ty = if is_key { "key" } else { "value" };
    let resolved = resolve_class(class).filter(|c| CLASSES.contains(c));
    Ok(match resolved {
        Some(json::CLASS) => Box::new(json::JsonConverter::new(configs, ty)?),
        Some(string::CLASS) => Box::new(string::StringConverter::new(configs, ty)?),
        Some(bytearray::CLASS) => Box::new(bytearray::ByteArrayConverter),
        Some(c) => Box::new(number::NumberConverter::new(c, configs, ty)?),
        None => return Err(ConverterError::UnknownClass(class.to_string())),
    })
}

/// Builds the header converter `class` with its `configs` (the keys after
/// `header.converter.`).
pub fn new_header_converter(class: &str, configs: &BTreeMap<String, String>) -> Result<Box<dyn HeaderConverter>, ConverterError> {
    Ok(match resolve_class(class) {
        Some(header::CLASS) => Box::new(header::SimpleHeaderConverter),
        Some(json::CLASS) => Box::new(json::JsonConverter::new(configs, "header")?),
        Some(string::CLASS) => Box::new(string::StringConverter::new(configs, "header")?),
        Some(bytearray::CLASS) => Box::new(bytearray::ByteArrayConverter),
        Some(c) => Box::new(number::NumberConverter::new(c, configs, "header")?),
        None => return Err(ConverterError::UnknownClass(class.to_string())),
    })
}

/// The `ConfigDef` a converter class (or alias) declares, as `config()` returns it.
pub fn config_def(class: &str) -> Option<ConfigDef> {
    Some(match resolve_class(class)? {
        json::CLASS => json::config_def(),
        string::CLASS => string::config_def(),
        header::CLASS => ConfigDef::new(),
        _ => converter_config_def(),
    })
}

/// `ConverterConfig.newConfigDef()`: the `converter.type` key every converter config has.
pub(crate) fn converter_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            "converter.type",
            ConfigType::String,
            Default::Required,
            Importance::Low,
            "How this converter will be used.",
        )
        .validator(Validator::OneOf {
            values: &["key", "value", "header"],
            case_insensitive: false,
        }),
    )
}

/// Runs `f` on a thread with a large stack when `deep`: converting a document nested hundreds of
/// levels deep (Jackson accepts 1000) recurses further than a worker thread's stack allows, and
/// a stack overflow would end the process.
pub(crate) fn on_large_stack<T: Send>(deep: bool, f: impl FnOnce() -> T + Send) -> T {
    if !deep {
        return f();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("deep-converter".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, f)
            .expect("a converter thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// How deeply a value nests arrays, maps and structs (without recursing).
pub(crate) fn value_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [(k, depth + 1), (v, depth + 1)])),
            Value::Struct(s) => stack.extend(s.values().iter().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// How deeply JSON-like text nests `[` and `{`, strings aside (without parsing it).
pub(crate) fn text_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Depths above this are converted on a thread of their own ([`on_large_stack`]).
pub(crate) const DEEP: usize = 64;

/// Parses a converter's configs as its `configure(configs, isKey)` does: `converter.type` is
/// set by the worker, unknown keys are ignored.
pub(crate) fn parse_config(def: &ConfigDef, configs: &BTreeMap<String, String>, converter_type: &str) -> Result<Parsed, ConverterError> {
    let mut configs = configs.clone();
    configs.insert("converter.type".into(), converter_type.into());
    def.parse(&configs).map_err(ConverterError::Config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_aliases_resolve() {
        for (name, class) in [
            ("org.apache.kafka.connect.json.JsonConverter", json::CLASS),
            ("JsonConverter", json::CLASS),
            ("Json", json::CLASS),
            ("String", string::CLASS),
            ("ByteArray", bytearray::CLASS),
            ("IntegerConverter", number::INTEGER_CLASS),
            ("Boolean", number::BOOLEAN_CLASS),
            ("Simple", header::CLASS),
            ("SimpleHeaderConverter", header::CLASS),
        ] {
            assert_eq!(resolve_class(name), Some(class), "{name}");
        }
        assert_eq!(resolve_class("Avro"), None);
        let none = BTreeMap::new();
        assert!(new_converter("Json", &none, false).is_ok());
        assert!(new_header_converter("Simple", &none).is_ok());
        assert_eq!(
            new_converter("io.confluent.connect.avro.AvroConverter", &none, false).err(),
            Some(ConverterError::UnknownClass("io.confluent.connect.avro.AvroConverter".into()))
        );
        assert!(new_converter(header::CLASS, &none, false).is_err());
        for class in HEADER_CLASSES {
            assert!(config_def(class).is_some(), "{class}");
        }
        assert!(CLASSES.windows(2).all(|w| w[0] < w[1]) && HEADER_CLASSES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(config_def(json::CLASS).unwrap().keys.len(), 6);
    }
}
