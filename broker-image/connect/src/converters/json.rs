//! `org.apache.kafka.connect.json.JsonConverter`: Connect data as JSON, with the schema beside
//! the payload (`{"schema":…,"payload":…}`, `schemas.enable=true`, the default) or the bare
//! payload. It is the format of the story's topics and of most Connect deployments, so its bytes
//! are Kafka's byte for byte (field order of the schema objects, Java's number texts, Jackson's
//! escapes, HashMap order of maps read back) and its errors carry Kafka's messages. The JSON text
//! itself is read and written by [`super::json_text`].

use std::collections::BTreeMap;

use bigdecimal::num_bigint::BigInt;

use super::java::{self, class_of};
use super::json_text::{self, Node};
use super::{Converter, ConverterError};
use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator, Width};
use crate::data::{
    DataError, Schema, SchemaAndValue, SchemaBuilder, SchemaRef, Struct, Type, Value, DATE_NAME, DECIMAL_NAME, DECIMAL_SCALE,
    MILLIS_PER_DAY, TIMESTAMP_NAME, TIME_NAME,
};

pub const CLASS: &str = "org.apache.kafka.connect.json.JsonConverter";

pub const SCHEMAS_ENABLE: &str = "schemas.enable";
pub const SCHEMAS_CACHE_SIZE: &str = "schemas.cache.size";
pub const SCHEMA_CONTENT: &str = "schema.content";
pub const DECIMAL_FORMAT: &str = "decimal.format";
pub const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";

const ENVELOPE_REQUIRED: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// `JsonConverterConfig.configDef()`.
pub fn config_def() -> ConfigDef {
    fn decimal_format(v: &ConfigValue) -> Result<(), String> {
        match v {
            ConfigValue::String(s) if s.eq_ignore_ascii_case("BASE64") || s.eq_ignore_ascii_case("NUMERIC") => Ok(()),
            _ => Err("String must be one of (case insensitive): BASE64, NUMERIC".into()),
        }
    }
    super::converter_config_def()
        .define(
            ConfigKey::new(
                SCHEMAS_ENABLE,
                ConfigType::Boolean,
                Default::Value("true".into()),
                Importance::High,
                "Include schemas within each of the serialized values and keys.",
            )
            .group("Schemas", 0, Width::Medium, "Enable Schemas"),
        )
        .define(
            ConfigKey::new(
                SCHEMAS_CACHE_SIZE,
                ConfigType::Int,
                Default::Value("1000".into()),
                Importance::High,
                "The maximum number of schemas that can be cached in this converter instance.",
            )
            .group("Schemas", 1, Width::Medium, "Schema Cache Size"),
        )
        .define(
            ConfigKey::new(
                SCHEMA_CONTENT,
                ConfigType::String,
                Default::Null,
                Importance::High,
                "When set, this is used as the schema for all messages, and the schemas within each of the message will be ignored.Otherwise, the schema will be included in the content of each message. This configuration applies only 'schemas.enable' is true, and it exclusively affects the sink connector.",
            )
            .group("Schemas", 2, Width::Medium, "Schema Content"),
        )
        .define(
            ConfigKey::new(
                DECIMAL_FORMAT,
                ConfigType::String,
                Default::Value("BASE64".into()),
                Importance::Low,
                "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
            )
            .validator(Validator::Custom(decimal_format))
            .group("Serialization", 0, Width::Medium, "Decimal Format"),
        )
        .define(
            ConfigKey::new(
                REPLACE_NULL_WITH_DEFAULT,
                ConfigType::Boolean,
                Default::Value("true".into()),
                Importance::Low,
                "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
            )
            .group("Serialization", 1, Width::Medium, "Replace null with default"),
        )
}

/// A configured JsonConverter.
#[derive(Debug, Clone)]
pub struct JsonConverter {
    schemas_enable: bool,
    numeric_decimals: bool,
    replace_null_with_default: bool,
    /// `schema.content`: the schema of every message read, whose bytes are then the bare payload.
    schema: Option<SchemaRef>,
    /// The last schema written and its JSON text, and the last schema read and what it became
    /// (Kafka's `schemas.cache.size` caches, for the common case of one schema per stream).
    cache: std::sync::Arc<std::sync::Mutex<SchemaCache>>,
}

#[derive(Debug, Default)]
struct SchemaCache {
    written: Option<(Schema, Vec<u8>)>,
    read: Option<(Node, Option<SchemaRef>)>,
}

impl JsonConverter {
    /// `configure(configs)` with `converter.type` set to `converter_type` (`key`, `value` or
    /// `header`).
    pub fn new(configs: &BTreeMap<String, String>, converter_type: &str) -> Result<Self, ConverterError> {
        let parsed = super::parse_config(&config_def(), configs, converter_type)?;
        let mut converter = JsonConverter {
            schemas_enable: parsed.boolean(SCHEMAS_ENABLE),
            numeric_decimals: parsed.string(DECIMAL_FORMAT).is_some_and(|f| f.eq_ignore_ascii_case("NUMERIC")),
            replace_null_with_default: parsed.boolean(REPLACE_NULL_WITH_DEFAULT),
            schema: None,
            cache: std::sync::Arc::default(),
        };
        if let Some(content) = parsed.string(SCHEMA_CONTENT).filter(|s| !s.is_empty()) {
            let node = json_text::parse(content.as_bytes())
                .map_err(|_| ConverterError::Config("Failed to parse schema in converter config due to serialization error: ".into()))?;
            converter.schema = converter.as_connect_schema(&node).map_err(|e| ConverterError::Config(e.message))?;
        }
        Ok(converter)
    }

    /// `fromConnectData`: `None` for a null schema and value (a tombstone).
    pub fn from_connect_data(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        let deep = super::value_depth(value) > super::DEEP;
        super::on_large_stack(deep, || self.encode(schema, value))
    }

    fn encode(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        if !self.schemas_enable {
            return Ok(Some(json_text::write(&self.to_json(schema, value)?)));
        }
        // {"schema":…,"payload":…}, the schema's text written once per schema.
        let payload = self.to_json(schema, value)?;
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"schema\":");
        match schema {
            None => out.extend_from_slice(b"null"),
            Some(s) => {
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                match &cache.written {
                    Some((cached, text)) if cached == s => out.extend_from_slice(text),
                    _ => {
                        let text = json_text::write(&self.as_json_schema(s)?);
                        out.extend_from_slice(&text);
                        cache.written = Some((s.clone(), text));
                    }
                }
            }
        }
        out.extend_from_slice(b",\"payload\":");
        json_text::write_into(&payload, &mut out);
        out.push(b'}');
        Ok(Some(out))
    }

    /// `toConnectData`: a null (tombstone) is `SchemaAndValue::NULL`.
    pub fn to_connect_data(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let deep = super::text_depth(bytes) > super::DEEP;
        super::on_large_stack(deep, || self.decode(bytes))
    }

    fn decode(&self, bytes: &[u8]) -> Result<SchemaAndValue, DataError> {
        let node = json_text::parse(bytes)
            .map_err(|_| DataError::new("Converting byte[] to Kafka Connect data failed due to serialization error: "))?;
        let (schema_node, payload) = if self.schemas_enable {
            if let Some(schema) = &self.schema {
                let value = self.to_connect(Some(schema), Some(&node))?;
                return Ok(SchemaAndValue {
                    schema: Some(schema.clone()),
                    value,
                });
            }
            match node {
                Node::Object(mut entries) if entries.len() == 2 => {
                    let (Some(s), Some(p)) = (
                        entries.iter().position(|(k, _)| k == "schema"),
                        entries.iter().position(|(k, _)| k == "payload"),
                    ) else {
                        return Err(DataError::new(ENVELOPE_REQUIRED));
                    };
                    // Taken out by value, the later index first.
                    let (first, second) = if s > p { (s, p) } else { (p, s) };
                    let a = entries.swap_remove(first).1;
                    let b = entries.swap_remove(second).1;
                    if s > p {
                        (a, b)
                    } else {
                        (b, a)
                    }
                }
                _ => return Err(DataError::new(ENVELOPE_REQUIRED)),
            }
        } else {
            (Node::Null, node)
        };
        let schema = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match &cache.read {
                Some((cached, schema)) if *cached == schema_node => schema.clone(),
                _ => {
                    let schema = self.as_connect_schema(&schema_node)?;
                    cache.read = Some((schema_node, schema.clone()));
                    schema
                }
            }
        };
        let value = self.to_connect(schema.as_ref(), Some(&payload))?;
        Ok(SchemaAndValue { schema, value })
    }

    /// `asJsonSchema`: Kafka's field order is `type`, the nested schemas (`items`, `keys` and
    /// `values`, or `fields`), `optional`, `name`, `version`, `doc`, `parameters`, `default`; a
    /// struct field's object ends with `field`.
    pub fn as_json_schema(&self, schema: &Schema) -> Result<Node, DataError> {
        let nested = |s: &Option<SchemaRef>| -> Result<Node, DataError> {
            match s {
                Some(s) => self.as_json_schema(s),
                None => Ok(Node::Null),
            }
        };
        let mut obj = Node::Object(vec![("type".into(), Node::Text(json_type_name(schema.ty).into()))]);
        match schema.ty {
            Type::Array => obj.set("items", nested(&schema.value_schema)?),
            Type::Map => {
                obj.set("keys", nested(&schema.key_schema)?);
                obj.set("values", nested(&schema.value_schema)?);
            }
            Type::Struct => {
                let mut fields = Vec::with_capacity(schema.fields.len());
                for field in &schema.fields {
                    let mut f = self.as_json_schema(&field.schema)?;
                    f.set("field", Node::Text(field.name.clone()));
                    fields.push(f);
                }
                obj.set("fields", Node::Array(fields));
            }
            _ => {}
        }
        obj.set("optional", Node::Bool(schema.optional));
        if let Some(name) = &schema.name {
            obj.set("name", Node::Text(name.clone()));
        }
        if let Some(version) = schema.version {
            obj.set("version", Node::Int(version));
        }
        if let Some(doc) = &schema.doc {
            obj.set("doc", Node::Text(doc.clone()));
        }
        if let Some(params) = &schema.parameters {
            let mut p = Node::Object(Vec::new());
            for (k, v) in params {
                p.set(k, Node::Text(v.clone()));
            }
            obj.set("parameters", p);
        }
        if let Some(default) = &schema.default {
            obj.set("default", self.to_json(Some(schema), default)?);
        }
        Ok(obj)
    }

    /// `asConnectSchema`: a JSON null is no schema.
    pub fn as_connect_schema(&self, node: &Node) -> Result<Option<SchemaRef>, DataError> {
        if matches!(node, Node::Null) {
            return Ok(None);
        }
        let type_name = node
            .get("type")
            .and_then(Node::text_value)
            .ok_or_else(|| DataError::new("Schema must contain 'type' field"))?;
        let mut builder = match type_name {
            "boolean" => SchemaBuilder::new(Type::Boolean),
            "int8" => SchemaBuilder::new(Type::Int8),
            "int16" => SchemaBuilder::new(Type::Int16),
            "int32" => SchemaBuilder::new(Type::Int32),
            "int64" => SchemaBuilder::new(Type::Int64),
            "float" => SchemaBuilder::new(Type::Float32),
            "double" => SchemaBuilder::new(Type::Float64),
            "bytes" => SchemaBuilder::new(Type::Bytes),
            "string" => SchemaBuilder::new(Type::String),
            "array" => {
                let items = node
                    .get("items")
                    .filter(|n| !matches!(n, Node::Null))
                    .ok_or_else(|| DataError::new("Array schema did not specify the element type"))?;
                let items = self
                    .as_connect_schema(items)?
                    .ok_or_else(|| DataError::new("valueSchema cannot be null."))?;
                SchemaBuilder::array(items)
            }
            "map" => {
                let keys = node
                    .get("keys")
                    .ok_or_else(|| DataError::new("Map schema did not specify the key type"))?;
                let values = node
                    .get("values")
                    .ok_or_else(|| DataError::new("Map schema did not specify the value type"))?;
                let keys = self
                    .as_connect_schema(keys)?
                    .ok_or_else(|| DataError::new("keySchema cannot be null."))?;
                let values = self
                    .as_connect_schema(values)?
                    .ok_or_else(|| DataError::new("valueSchema cannot be null."))?;
                SchemaBuilder::map(keys, values)
            }
            "struct" => {
                let mut builder = SchemaBuilder::struct_();
                let Some(Node::Array(fields)) = node.get("fields") else {
                    return Err(DataError::new("Struct schema's \"fields\" argument is not an array."));
                };
                for field in fields {
                    let name = field
                        .get("field")
                        .and_then(Node::text_value)
                        .ok_or_else(|| DataError::new("Struct schema's field name not specified properly"))?;
                    if name.is_empty() {
                        return Err(DataError::new("fieldName cannot be null."));
                    }
                    let field_schema = self
                        .as_connect_schema(field)?
                        .ok_or_else(|| DataError::new(format!("fieldSchema for field {name} cannot be null.")))?;
                    builder = builder.field(name, field_schema)?;
                }
                builder
            }
            other => return Err(DataError::new(format!("Unknown schema type: {other}"))),
        };
        builder = builder.set_optional(matches!(node.get("optional"), Some(Node::Bool(true))));
        if let Some(name) = node.get("name").and_then(Node::text_value) {
            builder = builder.name(name);
        }
        if let Some(version) = node.get("version").filter(|n| n.is_integral()) {
            builder = builder.version(version.int_value());
        }
        if let Some(doc) = node.get("doc").and_then(Node::text_value) {
            builder = builder.doc(doc);
        }
        if let Some(Node::Object(params)) = node.get("parameters") {
            for (k, v) in params {
                let v = v
                    .text_value()
                    .ok_or_else(|| DataError::new("Schema parameters must have string values."))?;
                builder = builder.parameter(k.clone(), v);
            }
        }
        if let Some(default) = node.get("default") {
            let so_far = builder.clone().build();
            let value = self.to_connect(Some(&so_far), Some(default))?;
            // Java checks a struct default against the builder, which no struct schema equals.
            if matches!(value, Value::Struct(_)) {
                return Err(DataError::new("Invalid default value"));
            }
            if !value.is_null() {
                builder = builder.default_value(value).map_err(|_| DataError::new("Invalid default value"))?;
            }
        }
        Ok(Some(builder.build()))
    }

    /// `convertToJson`: Connect data to a JSON tree.
    fn to_json(&self, schema: Option<&Schema>, value: &Value) -> Result<Node, DataError> {
        if value.is_null() {
            let Some(schema) = schema else {
                return Ok(Node::Null);
            };
            if let (Some(default), true) = (&schema.default, self.replace_null_with_default) {
                return self.to_json(Some(schema), default);
            }
            if schema.optional {
                return Ok(Node::Null);
            }
            return Err(DataError::new(
                "Conversion error: null value for field that is required and has no default value",
            ));
        }
        if let Some(schema) = schema {
            if let Some(node) = self.logical_to_json(schema, value)? {
                return Ok(node);
            }
        }
        let ty = match schema {
            Some(s) => s.ty,
            None => value
                .inferred_type()
                .ok_or_else(|| DataError::new(format!("Java class {} does not have corresponding schema type.", class_of(value))))?,
        };
        let wrong = || {
            DataError::new(format!(
                "Invalid type for {}: {}",
                schema.map_or("unknown schema", |s| s.ty.name()),
                class_of(value)
            ))
        };
        Ok(match (ty, value) {
            (Type::Int8, Value::Int8(v)) => Node::Int(i32::from(*v)),
            (Type::Int16, Value::Int16(v)) => Node::Int(i32::from(*v)),
            (Type::Int32, Value::Int32(v)) => Node::Int(*v),
            (Type::Int64, Value::Int64(v)) => Node::Long(*v),
            (Type::Float32, Value::Float32(v)) => Node::Float(*v),
            (Type::Float64, Value::Float64(v)) => Node::Double(*v),
            (Type::Boolean, Value::Boolean(v)) => Node::Bool(*v),
            (Type::String, Value::String(s)) => Node::Text(s.clone()),
            (Type::Bytes, Value::Bytes(b)) => Node::Binary(b.clone()),
            (Type::Bytes, other) => return Err(DataError::new(format!("Invalid type for bytes type: {}", class_of(other)))),
            (Type::Array, Value::Array(items)) => {
                let elem = schema.and_then(|s| s.value_schema.as_deref());
                Node::Array(items.iter().map(|v| self.to_json(elem, v)).collect::<Result<_, _>>()?)
            }
            (Type::Map, Value::Map(entries)) => {
                let (key_schema, value_schema) = match schema {
                    Some(s) => (s.key_schema.as_deref(), s.value_schema.as_deref()),
                    None => (None, None),
                };
                let object_mode = match schema {
                    None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
                    Some(_) => {
                        let ks = key_schema.ok_or_else(|| {
                            DataError::new("Cannot invoke \"org.apache.kafka.connect.data.Schema.type()\" because the return value of \"org.apache.kafka.connect.data.Schema.keySchema()\" is null")
                        })?;
                        ks.ty == Type::String
                    }
                };
                if object_mode {
                    let mut obj = Node::Object(Vec::with_capacity(entries.len()));
                    for (k, v) in entries {
                        let key = self.to_json(key_schema, k)?;
                        let value = self.to_json(value_schema, v)?;
                        obj.set(&key.as_text(), value);
                    }
                    obj
                } else {
                    let mut list = Vec::with_capacity(entries.len());
                    for (k, v) in entries {
                        list.push(Node::Array(vec![self.to_json(key_schema, k)?, self.to_json(value_schema, v)?]));
                    }
                    Node::Array(list)
                }
            }
            (Type::Struct, Value::Struct(s)) => {
                let schema = schema.filter(|schema| s.schema().as_ref() == *schema);
                let Some(schema) = schema else {
                    return Err(DataError::new("Mismatching schema."));
                };
                let mut obj = Vec::with_capacity(schema.fields.len());
                for (field, v) in schema.fields.iter().zip(s.values()) {
                    obj.push((field.name.clone(), self.to_json(Some(&field.schema), v)?));
                }
                Node::Object(obj)
            }
            _ => return Err(wrong()),
        })
    }

    /// The logical types' `toJson`, chosen by schema name as Kafka does.
    fn logical_to_json(&self, schema: &Schema, value: &Value) -> Result<Option<Node>, DataError> {
        let expected_date = |what: &str| DataError::new(format!("Invalid type for {what}, expected Date but was {}", class_of(value)));
        Ok(Some(match schema.name.as_deref() {
            Some(DECIMAL_NAME) => {
                let Value::Decimal(d) = value else {
                    return Err(DataError::new(format!(
                        "Invalid type for Decimal, expected BigDecimal but was {}",
                        class_of(value)
                    )));
                };
                if self.numeric_decimals {
                    Node::Decimal(d.clone())
                } else {
                    let scale = decimal_scale(schema)?;
                    let (unscaled, value_scale) = d.as_bigint_and_exponent();
                    if value_scale != i64::from(scale) {
                        return Err(DataError::new(format!(
                            "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {value_scale}."
                        )));
                    }
                    Node::Binary(unscaled.to_signed_bytes_be())
                }
            }
            Some(DATE_NAME) => {
                let Value::Date(ms) = value else {
                    return Err(expected_date("Date"));
                };
                if ms.rem_euclid(MILLIS_PER_DAY) != 0 {
                    return Err(DataError::new(
                        "Kafka Connect Date type should not have any time fields set to non-zero values.",
                    ));
                }
                Node::Int((ms / MILLIS_PER_DAY) as i32)
            }
            Some(TIME_NAME) => {
                let Value::Date(ms) = value else {
                    return Err(expected_date("Time"));
                };
                if *ms < 0 || *ms > MILLIS_PER_DAY {
                    return Err(DataError::new(
                        "Kafka Connect Time type should not have any date fields set to non-zero values.",
                    ));
                }
                Node::Int(*ms as i32)
            }
            Some(TIMESTAMP_NAME) => {
                let Value::Date(ms) = value else {
                    return Err(expected_date("Timestamp"));
                };
                Node::Long(*ms)
            }
            _ => return Ok(None),
        }))
    }

    /// `convertToConnect`: a JSON tree to Connect data; `None` is a missing node (Java's `null`).
    fn to_connect(&self, schema: Option<&SchemaRef>, node: Option<&Node>) -> Result<Value, DataError> {
        let ty = match schema {
            Some(schema) => {
                if node.is_none_or(|n| matches!(n, Node::Null)) {
                    if let (Some(default), true) = (&schema.default, self.replace_null_with_default) {
                        return Ok(default.clone());
                    }
                    if schema.optional {
                        return Ok(Value::Null);
                    }
                    return Err(DataError::new(format!(
                        "Invalid null value for required {} field",
                        schema.ty.name()
                    )));
                }
                schema.ty
            }
            None => match node {
                None | Some(Node::Null | Node::Missing) => return Ok(Value::Null),
                Some(Node::Bool(_)) => Type::Boolean,
                Some(n) if n.is_integral() => Type::Int64,
                Some(n) if n.is_number() => Type::Float64,
                Some(Node::Array(_)) => Type::Array,
                Some(Node::Object(_)) => Type::Map,
                Some(Node::Text(_)) => Type::String,
                Some(_) => return Err(DataError::new("Unknown schema type: null")),
            },
        };
        let node = node.expect("null nodes were handled above");
        if let Some(schema) = schema {
            if let Some(v) = logical_to_connect(schema, node)? {
                return Ok(v);
            }
        }
        Ok(match ty {
            Type::Boolean => Value::Boolean(node.boolean_value()),
            Type::Int8 => Value::Int8(node.int_value() as i8),
            Type::Int16 => Value::Int16(node.int_value() as i16),
            Type::Int32 => Value::Int32(node.int_value()),
            Type::Int64 => Value::Int64(node.long_value()),
            Type::Float32 => Value::Float32(node.float_value()),
            Type::Float64 => Value::Float64(node.double_value()),
            Type::Bytes => match node.binary_value() {
                None => Value::Null,
                Some(Ok(b)) => Value::Bytes(b),
                Some(Err(_)) => return Err(DataError::new("Invalid bytes field")),
            },
            Type::String => node.text_value().map_or(Value::Null, |s| Value::String(s.to_string())),
            Type::Array => {
                let elem = schema.and_then(|s| s.value_schema.as_ref());
                // Java iterates any node: an object's values, nothing for a scalar.
                let items: Vec<&Node> = match node {
                    Node::Array(items) => items.iter().collect(),
                    Node::Object(entries) => entries.iter().map(|(_, v)| v).collect(),
                    _ => Vec::new(),
                };
                Value::Array(
                    items
                        .into_iter()
                        .map(|n| self.to_connect(elem, Some(n)))
                        .collect::<Result<_, _>>()?,
                )
            }
            Type::Map => {
                let key_schema = schema.and_then(|s| s.key_schema.as_ref());
                let value_schema = schema.and_then(|s| s.value_schema.as_ref());
                let mut entries = Vec::new();
                if schema.is_none() || key_schema.is_none_or(|k| k.ty == Type::String) {
                    let Node::Object(fields) = node else {
                        return Err(DataError::new(format!(
                            "Maps with string fields should be encoded as JSON objects, but found {}",
                            node.node_type()
                        )));
                    };
                    for (k, v) in fields {
                        entries.push((Value::String(k.clone()), self.to_connect(value_schema, Some(v))?));
                    }
                } else {
                    let Node::Array(pairs) = node else {
                        return Err(DataError::new(format!(
                            "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                            node.node_type()
                        )));
                    };
                    for pair in pairs {
                        let Node::Array(kv) = pair else {
                            return Err(DataError::new(format!(
                                "Found invalid map entry instead of array tuple: {}",
                                pair.node_type()
                            )));
                        };
                        if kv.len() != 2 {
                            return Err(DataError::new(format!(
                                "Found invalid map entry, expected length 2 but found :{}",
                                kv.len()
                            )));
                        }
                        entries.push((
                            self.to_connect(key_schema, Some(&kv[0]))?,
                            self.to_connect(value_schema, Some(&kv[1]))?,
                        ));
                    }
                }
                Value::Map(java::hash_map(entries))
            }
            Type::Struct => {
                let schema = schema.expect("a struct type comes from a schema");
                if !matches!(node, Node::Object(_)) {
                    return Err(DataError::new(format!(
                        "Structs should be encoded as JSON objects, but found {}",
                        node.node_type()
                    )));
                }
                let mut result = Struct::new(schema.clone())?;
                for field in &schema.fields {
                    let v = self.to_connect(Some(&field.schema), node.get(&field.name))?;
                    result.put(&field.name, v)?;
                }
                Value::Struct(result)
            }
        })
    }
}

/// The logical types' `toConnect`, chosen by schema name as Kafka does.
fn logical_to_connect(schema: &Schema, node: &Node) -> Result<Option<Value>, DataError> {
    let kind = node.node_type();
    Ok(Some(match schema.name.as_deref() {
        Some(DECIMAL_NAME) => {
            if node.is_number() {
                Value::Decimal(node.decimal_value())
            } else if let Some(bytes) = node.binary_value() {
                let invalid = || DataError::new("Invalid bytes for Decimal field");
                let bytes = bytes.map_err(|_| invalid())?;
                let scale = decimal_scale(schema).map_err(|_| invalid())?;
                if bytes.is_empty() {
                    return Err(invalid());
                }
                Value::Decimal(bigdecimal::BigDecimal::new(BigInt::from_signed_bytes_be(&bytes), i64::from(scale)))
            } else {
                return Err(DataError::new(format!(
                    "Invalid type for Decimal, underlying representation should be numeric or bytes but was {kind}"
                )));
            }
        }
        Some(DATE_NAME) => {
            let Node::Int(days) = node else {
                return Err(DataError::new(format!(
                    "Invalid type for Date, underlying representation should be integer but was {kind}"
                )));
            };
            Value::Date(i64::from(*days) * MILLIS_PER_DAY)
        }
        Some(TIME_NAME) => {
            let Node::Int(ms) = node else {
                return Err(DataError::new(format!(
                    "Invalid type for Time, underlying representation should be integer but was {kind}"
                )));
            };
            if *ms < 0 || i64::from(*ms) > MILLIS_PER_DAY {
                return Err(DataError::new(
                    "Time values must use number of milliseconds greater than 0 and less than 86400000",
                ));
            }
            Value::Date(i64::from(*ms))
        }
        Some(TIMESTAMP_NAME) => {
            if !node.is_integral() {
                return Err(DataError::new(format!(
                    "Invalid type for Timestamp, underlying representation should be integral but was {kind}"
                )));
            }
            Value::Date(node.long_value())
        }
        _ => return Ok(None),
    }))
}

/// `Decimal.scale(schema)`, with its messages.
fn decimal_scale(schema: &Schema) -> Result<i32, DataError> {
    let scale = schema
        .parameter(DECIMAL_SCALE)
        .ok_or_else(|| DataError::new("Invalid Decimal schema: scale parameter not found."))?;
    scale
        .parse()
        .map_err(|_| DataError::new("Invalid scale parameter found in Decimal schema: "))
}

/// JsonConverter's type names (`float` and `double`, not Connect's `float32` and `float64`).
fn json_type_name(ty: Type) -> &'static str {
    match ty {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.json_name(),
    }
}

impl Converter for JsonConverter {
    fn from_connect(&self, _topic: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        self.from_connect_data(schema.map(|s| s.as_ref()), value)
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        self.to_connect_data(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{decimal, timestamp};

    fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
        let configs = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        JsonConverter::new(&configs, "value").unwrap()
    }

    fn text(bytes: Option<Vec<u8>>) -> String {
        String::from_utf8(bytes.unwrap()).unwrap()
    }

    #[test]
    fn the_storys_message() {
        let schema = SchemaBuilder::struct_()
            .name("users")
            .field("id", Schema::int32())
            .unwrap()
            .field("name", Schema::optional_string())
            .unwrap()
            .field("created_at", timestamp().optional().build())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", Value::Int32(7)).unwrap();
        s.put("name", "User4 name".into()).unwrap();
        s.put("created_at", Value::Date(1680643371000)).unwrap();
        let c = converter(&[]);
        let bytes = c.from_connect_data(Some(&schema), &Value::Struct(s.clone())).unwrap();
        assert_eq!(
            text(bytes.clone()),
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"created_at"}],"optional":false,"name":"users"},"payload":{"id":7,"name":"User4 name","created_at":1680643371000}}"#
        );
        let back = c.to_connect_data(bytes.as_deref()).unwrap();
        assert_eq!(back.schema.as_ref(), Some(&schema));
        assert_eq!(back.value, Value::Struct(s));
    }

    #[test]
    fn kafkas_messages_for_bad_bytes() {
        let c = converter(&[]);
        assert_eq!(c.to_connect_data(Some(b"{\"a\":1}")).unwrap_err().message, ENVELOPE_REQUIRED);
        assert_eq!(
            c.to_connect_data(Some(b"{nope")).unwrap_err().message,
            "Converting byte[] to Kafka Connect data failed due to serialization error: "
        );
        assert_eq!(c.to_connect_data(None).unwrap(), SchemaAndValue::NULL);
        let msg = |json: &str| c.to_connect_data(Some(json.as_bytes())).unwrap_err().message;
        assert_eq!(
            msg(r#"{"schema":{"type":"int32"},"payload":null}"#),
            "Invalid null value for required INT32 field"
        );
        assert_eq!(msg(r#"{"schema":{"type":"nope"},"payload":1}"#), "Unknown schema type: nope");
        assert_eq!(msg(r#"{"schema":{},"payload":1}"#), "Schema must contain 'type' field");
        assert_eq!(
            msg(r#"{"schema":{"type":"struct","fields":[{"type":"int32"}]},"payload":{}}"#),
            "Struct schema's field name not specified properly"
        );
        assert_eq!(
            msg(r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":{}}"#),
            "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"
        );
        assert_eq!(
            msg(r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}"#),
            "Invalid type for Date, underlying representation should be integer but was STRING"
        );
        assert_eq!(
            msg(r#"{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{"b":1}}"#),
            "Invalid null value for required INT32 field"
        );
    }

    #[test]
    fn kafkas_messages_for_bad_data() {
        let c = converter(&[]);
        let err = |schema: SchemaRef, value: Value| c.from_connect_data(Some(&schema), &value).unwrap_err().message;
        assert_eq!(err(Schema::int32(), "x".into()), "Invalid type for INT32: class java.lang.String");
        assert_eq!(
            err(Schema::int32(), Value::Null),
            "Conversion error: null value for field that is required and has no default value"
        );
        assert_eq!(
            err(decimal(2).build(), Value::Decimal("1.5".parse().unwrap())),
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 1."
        );
        assert_eq!(
            err(crate::data::date().build(), Value::Date(1)),
            "Kafka Connect Date type should not have any time fields set to non-zero values."
        );
        assert_eq!(
            c.from_connect_data(None, &Value::Decimal("1".parse().unwrap()))
                .unwrap_err()
                .message,
            "Java class class java.math.BigDecimal does not have corresponding schema type."
        );
        let bad = BTreeMap::from([(DECIMAL_FORMAT.to_string(), "text".to_string())]);
        assert_eq!(
            JsonConverter::new(&bad, "value").unwrap_err(),
            ConverterError::Config(
                "Invalid value text for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC".into()
            )
        );
    }

    #[test]
    fn jacksons_deepest_documents_fit_a_default_thread_stack() {
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let back = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let c = converter(&[(SCHEMAS_ENABLE, "false")]);
                let v = c.to_connect_data(Some(deep.as_bytes())).unwrap();
                c.from_connect_data(None, &v.value).unwrap().unwrap()
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(back.len(), 2000);
        let deeper = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
        assert!(converter(&[(SCHEMAS_ENABLE, "false")])
            .to_connect_data(Some(deeper.as_bytes()))
            .is_err());
    }

    #[test]
    fn schemaless_numbers_are_longs_and_doubles() {
        let c = converter(&[(SCHEMAS_ENABLE, "false")]);
        let v = c.to_connect_data(Some(br#"{"i":1,"f":1.5,"big":1e400}"#)).unwrap();
        assert_eq!(v.schema, None);
        assert_eq!(v.value.map_get("i"), Some(&Value::Int64(1)));
        assert_eq!(v.value.map_get("f"), Some(&Value::Float64(1.5)));
        assert_eq!(v.value.map_get("big"), Some(&Value::Float64(f64::INFINITY)));
    }
}
