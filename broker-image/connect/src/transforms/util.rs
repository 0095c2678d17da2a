//! What every transform shares, after Kafka's `transforms.util` package: the key-or-value side a
//! `$Key`/`$Value` variant works on, `Requirements` with its messages, `SchemaUtil`, the small
//! schema cache Kafka keeps per transform, and the few Java `toString` spellings that reach
//! users through error messages (`class java.lang.String`, `[a, b]`, `1.0E10`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use bigdecimal::BigDecimal;

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

/// What Java prints for `"" + value.getClass()`: `class java.lang.String`.
pub(crate) fn class_of(value: &Value) -> String {
    format!("class {}", value.java_class())
}

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

/// `Double.toString(d)`.
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    java_float_text(d == 0.0, d.is_sign_negative(), &format!("{:e}", d.abs()))
}

/// `Float.toString(f)`.
pub(crate) fn java_float(f: f32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    java_float_text(f == 0.0, f.is_sign_negative(), &format!("{:e}", f.abs()))
}

/// Java's layout of the shortest digits Rust's `{:e}` gives: plain for 10^-3 <= |x| < 10^7,
/// otherwise `d.dddE±n`.
fn java_float_text(zero: bool, negative: bool, sci: &str) -> String {
    let sign = if negative { "-" } else { "" };
    if zero {
        return format!("{sign}0.0");
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let body = if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            let padded = format!("{digits:0<int_len$}");
            let (int, frac) = padded.split_at(int_len);
            format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        format!("{first}.{}E{exp}", if rest.is_empty() { "0" } else { rest })
    };
    format!("{sign}{body}")
}

/// `BigDecimal.toString()`: plain while the scale is not negative and the adjusted exponent
/// is at least -6, otherwise scientific with an explicit exponent sign.
pub(crate) fn java_big_decimal(d: &BigDecimal) -> String {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    let text = unscaled.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest.to_string()),
        None => ("", text),
    };
    let n = digits.len() as i64;
    let adjusted = -scale + (n - 1);
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    if scale > 0 && adjusted >= -6 {
        let point = n - scale;
        return if point > 0 {
            format!("{sign}{}.{}", &digits[..point as usize], &digits[point as usize..])
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        };
    }
    let (first, rest) = digits.split_at(1);
    let exp = if adjusted >= 0 {
        format!("+{adjusted}")
    } else {
        adjusted.to_string()
    };
    if rest.is_empty() {
        format!("{sign}{first}E{exp}")
    } else {
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// `String.valueOf(value)` for the values that reach messages.
pub(crate) fn java_to_string(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Int8(v) => v.to_string(),
        Value::Int16(v) => v.to_string(),
        Value::Int32(v) => v.to_string(),
        Value::Int64(v) => v.to_string(),
        Value::Float32(v) => java_float(*v),
        Value::Float64(v) => java_double(*v),
        Value::Boolean(v) => v.to_string(),
        Value::String(s) => s.clone(),
        Value::Decimal(d) => java_big_decimal(d),
        Value::Date(ms) => super::date_format::java_date_to_string(*ms),
        Value::Bytes(_) => "[B@0".into(),
        Value::Array(items) => java_list(&items.iter().map(java_to_string).collect::<Vec<_>>()),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", java_to_string(k), java_to_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Struct(s) => {
            let fields: Vec<String> = s
                .schema()
                .fields
                .iter()
                .zip(s.values())
                .map(|(f, v)| format!("{}={}", f.name, java_to_string(v)))
                .collect();
            format!("Struct{{{}}}", fields.join(","))
        }
    }
}

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
    use std::str::FromStr;

    #[test]
    fn java_number_text() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(-0.0), "-0.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(9999999.0), "9999999.0");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(123.456), "123.456");
        assert_eq!(java_double(1.5e300), "1.5E300");
        assert_eq!(java_float(1.1), "1.1");
        assert_eq!(java_float(3.0e10), "3.0E10");
        assert_eq!(java_double(f64::NAN), "NaN");
        assert_eq!(java_double(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn java_decimal_text() {
        let t = |s: &str| java_big_decimal(&BigDecimal::from_str(s).unwrap());
        assert_eq!(t("123.45"), "123.45");
        assert_eq!(t("-0.001"), "-0.001");
        assert_eq!(t("0.0000001"), "1E-7");
        assert_eq!(t("12"), "12");
        assert_eq!(t("1.20"), "1.20");
        assert_eq!(java_big_decimal(&BigDecimal::new(1.into(), -3)), "1E+3");
        assert_eq!(java_big_decimal(&BigDecimal::new(123.into(), -3)), "1.23E+5");
    }

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
