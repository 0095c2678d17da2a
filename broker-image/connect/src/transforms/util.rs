//! What every transform shares, after Kafka's `transforms.util` package: the key-or-value side a
//! `$Key`/`$Value` variant works on, `Requirements` with its messages, `SchemaUtil`, the small
//! schema cache Kafka keeps per transform, and the few Java `toString` spellings that reach
//! users through error messages (`class java.lang.String`, `[a, b]`, `1.0E10`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Parsed};
use crate::data::{DataError, Schema, SchemaBuilder, SchemaRef, Struct, Value};
use crate::record::{ConnectRecord, Origin};

use super::TransformError;

/// Which part of the record a `$Key` or `$Value` transform works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Key,
    Value,
}

impl Side {
    pub(crate) fn schema(self, record: &ConnectRecord) -> Option<&SchemaRef> {
        match self {
            Side::Key => record.key_schema.as_ref(),
            Side::Value => record.value_schema.as_ref(),
        }
    }

    pub(crate) fn value(self, record: &ConnectRecord) -> &Value {
        match self {
            Side::Key => &record.key,
            Side::Value => &record.value,
        }
    }

    /// `newRecord(record, updatedSchema, updatedValue)`.
    pub(crate) fn set(self, record: &mut ConnectRecord, schema: Option<SchemaRef>, value: Value) {
        match self {
            Side::Key => {
                record.key_schema = schema;
                record.key = value;
            }
            Side::Value => {
                record.value_schema = schema;
                record.value = value;
            }
        }
    }

    /// Replaces the value only, keeping the schema.
    pub(crate) fn set_value(self, record: &mut ConnectRecord, value: Value) {
        match self {
            Side::Key => record.key = value,
            Side::Value => record.value = value,
        }
    }

    /// The Java nested class suffix: `Key` or `Value`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Side::Key => "Key",
            Side::Value => "Value",
        }
    }
}

/// `Requirements.requireSchema`.
pub(crate) fn require_schema<'a>(schema: Option<&'a SchemaRef>, purpose: &str) -> Result<&'a SchemaRef, DataError> {
    schema.ok_or_else(|| DataError::new(format!("Schema required for [{purpose}]")))
}

/// `Requirements.requireMap`: the entries of a schemaless map.
pub(crate) fn require_map<'a>(value: &'a Value, purpose: &str) -> Result<&'a Vec<(Value, Value)>, DataError> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(DataError::new(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            other.java_class()
        ))),
    }
}

/// `Requirements.requireMapOrNull`.
pub(crate) fn require_map_or_null<'a>(value: &'a Value, purpose: &str) -> Result<Option<&'a Vec<(Value, Value)>>, DataError> {
    if value.is_null() {
        return Ok(None);
    }
    require_map(value, purpose).map(Some)
}

/// `Requirements.requireStruct`.
pub(crate) fn require_struct<'a>(value: &'a Value, purpose: &str) -> Result<&'a Struct, DataError> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(DataError::new(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            other.java_class()
        ))),
    }
}

/// `Requirements.requireStructOrNull`.
pub(crate) fn require_struct_or_null<'a>(value: &'a Value, purpose: &str) -> Result<Option<&'a Struct>, DataError> {
    if value.is_null() {
        return Ok(None);
    }
    require_struct(value, purpose).map(Some)
}

/// `Requirements.requireSinkRecord(record, purpose).kafkaOffset()`.
pub(crate) fn require_sink_offset(record: &ConnectRecord, purpose: &str) -> Result<i64, DataError> {
    match &record.origin {
        Origin::Sink { kafka_offset, .. } => Ok(*kafka_offset),
        Origin::Source { .. } => Err(DataError::new(format!(
            "Only SinkRecord supported for [{purpose}], found: org.apache.kafka.connect.source.SourceRecord"
        ))),
    }
}

/// A struct field's value: `get(field)` (the default for a null) or `getWithoutDefault`.
pub(crate) fn field_value(value: &Struct, index: usize, replace_null_with_default: bool) -> Value {
    if replace_null_with_default {
        value.get_index(index).clone()
    } else {
        value.values()[index].clone()
    }
}

/// `SchemaUtil.copySchemaBasics(source, builder)`: name, version, doc and parameters.
pub(crate) fn copy_schema_basics(source: &Schema, builder: SchemaBuilder) -> SchemaBuilder {
    let mut b = builder
        .set_name(source.name.clone())
        .set_version(source.version)
        .set_doc(source.doc.clone());
    if let Some(params) = &source.parameters {
        for (k, v) in params {
            b = b.parameter(k.clone(), v.clone());
        }
    }
    b
}

/// A string-keyed lookup in a schemaless map (`Map<String, Object>.get`).
pub(crate) fn map_get<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

/// `Map.put`: replaces the entry in place or appends it.
pub(crate) fn map_put(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        Some(slot) => slot.1 = value,
        None => entries.push((Value::String(key.to_string()), value)),
    }
}

/// `Map.remove`.
pub(crate) fn map_remove(entries: &mut Vec<(Value, Value)>, key: &str) {
    entries.retain(|(k, _)| k.as_str() != Some(key));
}

/// A map key as `Map<String, Object>` code sees it (non-string keys by their Java text).
pub(crate) fn map_key(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => java_to_string(other),
    }
}

pub(crate) use crate::converters::java::class_of;

/// `List.toString()`: `[a, b]`.
pub(crate) fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// `String.split(regex)` for a one-character literal separator: trailing empty strings go,
/// and a string of separators only splits to nothing (`"".split(":")` is `[""]`).
pub(crate) fn java_split(s: &str, sep: char) -> Vec<String> {
    if s.is_empty() {
        return vec![String::new()];
    }
    let mut parts: Vec<String> = s.split(sep).map(str::to_string).collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// `String.valueOf(value)` for the values that reach messages: one rendering, the converters'.
pub(crate) use crate::converters::java::to_java_string as java_to_string;

/// `SourceRecord.toString()` / `SinkRecord.toString()`, for "Timestamp missing on record".
pub(crate) fn record_to_string(record: &ConnectRecord) -> String {
    fn json(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Object(m) => format!(
                "{{{}}}",
                m.iter().map(|(k, v)| format!("{k}={}", json(v))).collect::<Vec<_>>().join(", ")
            ),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "null".into(),
            other => other.to_string(),
        }
    }
    let opt_schema = |s: &Option<SchemaRef>| s.as_deref().map_or("null".to_string(), schema_to_string);
    let headers = if record.headers.is_empty() {
        String::new()
    } else {
        java_list(
            &record
                .headers
                .iter()
                .map(|h| {
                    format!(
                        "ConnectHeader(key={}, value={}, schema={})",
                        h.key,
                        java_to_string(&h.value),
                        opt_schema(&h.schema)
                    )
                })
                .collect::<Vec<_>>(),
        )
    };
    let base = format!(
        "ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={}, headers=ConnectHeaders(headers={headers})}}",
        record.topic,
        record.kafka_partition.map_or("null".to_string(), |p| p.to_string()),
        java_to_string(&record.key),
        opt_schema(&record.key_schema),
        java_to_string(&record.value),
        opt_schema(&record.value_schema),
        record.timestamp.map_or("null".to_string(), |t| t.to_string()),
    );
    match &record.origin {
        Origin::Source { partition, offset } => {
            format!("SourceRecord{{sourcePartition={}, sourceOffset={}}} {base}", json(partition), json(offset))
        }
        Origin::Sink {
            kafka_offset,
            timestamp_type,
            original_topic,
            original_partition,
        } => format!(
            "SinkRecord{{kafkaOffset={kafka_offset}, timestampType={timestamp_type}, originalTopic={original_topic}, originalKafkaPartition={original_partition}, originalKafkaOffset={kafka_offset}}} {base}"
        ),
    }
}

/// `ConnectSchema.toString()`: `Schema{name:TYPE}` or `Schema{TYPE}`.
pub(crate) fn schema_to_string(schema: &Schema) -> String {
    match &schema.name {
        Some(name) => format!("Schema{{{name}:{}}}", schema.ty.name()),
        None => format!("Schema{{{}}}", schema.ty.name()),
    }
}

/// The `replace.null.with.default` key most transforms define.
pub(crate) fn replace_null_with_default_key() -> ConfigKey {
    ConfigKey::new(
        "replace.null.with.default",
        ConfigType::Boolean,
        Default::Value("true".into()),
        Importance::Medium,
        "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
    )
}

/// `new SimpleConfig(CONFIG_DEF, props)`.
pub(crate) fn parse_config(def: &ConfigDef, props: &BTreeMap<String, String>) -> Result<Parsed, TransformError> {
    def.parse(props).map_err(TransformError::Config)
}

/// Kafka's `SynchronizedCache<>(new LRUCache<>(16))` from a schema to the schema a transform
/// derives from it.
#[derive(Debug, Default)]
pub(crate) struct SchemaCache {
    entries: Mutex<Vec<(SchemaRef, SchemaRef)>>,
}

impl SchemaCache {
    const CAPACITY: usize = 16;

    pub(crate) fn get_or_try_insert(
        &self,
        key: &SchemaRef,
        build: impl FnOnce() -> Result<SchemaRef, DataError>,
    ) -> Result<SchemaRef, DataError> {
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pos) = entries.iter().position(|(k, _)| std::sync::Arc::ptr_eq(k, key) || **k == **key) {
                let entry = entries.remove(pos);
                let found = entry.1.clone();
                entries.push(entry);
                return Ok(found);
            }
        }
        let built = build()?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::CAPACITY {
            entries.remove(0);
        }
        entries.push((key.clone(), built.clone()));
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_java() {
        assert_eq!(java_split("a:b", ':'), vec!["a", "b"]);
        assert_eq!(java_split("a:", ':'), vec!["a"]);
        assert_eq!(java_split(":b", ':'), vec!["", "b"]);
        assert_eq!(java_split(":", ':'), Vec::<String>::new());
        assert_eq!(java_split("", ':'), vec![""]);
        assert_eq!(java_split("a::b", ':'), vec!["a", "", "b"]);
    }
}
