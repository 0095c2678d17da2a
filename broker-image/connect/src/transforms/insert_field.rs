//! `InsertField$Key` / `InsertField$Value`: adds the record's topic, partition, offset,
//! timestamp or a static string as fields, so sinks can store where a row came from (a common
//! first transform in JDBC sink configs).

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::data::{timestamp_schema, DataError, Schema, SchemaBuilder, SchemaRef, Struct, Value};
use crate::record::ConnectRecord;

use super::util::{
    copy_schema_basics, field_value, map_put, parse_config, replace_null_with_default_key, require_map, require_sink_offset,
    require_struct, SchemaCache, Side,
};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.InsertField";
const PURPOSE: &str = "field insertion";
const OPTIONALITY_DOC: &str =
    "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

pub(crate) fn config_def() -> ConfigDef {
    let field = |name: &str, doc: String| ConfigKey::new(name, ConfigType::String, Default::Null, Importance::Medium, doc);
    ConfigDef::new()
        .define(field("topic.field", format!("Field name for Kafka topic. {OPTIONALITY_DOC}")))
        .define(field(
            "partition.field",
            format!("Field name for Kafka partition. {OPTIONALITY_DOC}"),
        ))
        .define(field(
            "offset.field",
            format!("Field name for Kafka offset - only applicable to sink connectors.<br/>{OPTIONALITY_DOC}"),
        ))
        .define(field(
            "timestamp.field",
            format!("Field name for record timestamp. {OPTIONALITY_DOC}"),
        ))
        .define(field(
            "static.field",
            format!("Field name for static data field. {OPTIONALITY_DOC}"),
        ))
        .define(field("static.value", "Static field value, if field name configured.".into()))
        .define(replace_null_with_default_key())
}

/// `InsertionSpec`: a field name with `?` (optional, the default) or `!` (required).
#[derive(Debug, Clone)]
struct Spec {
    name: String,
    optional: bool,
}

impl Spec {
    fn parse(spec: Option<String>) -> Option<Spec> {
        let spec = spec?;
        Some(if let Some(name) = spec.strip_suffix('?') {
            Spec {
                name: name.to_string(),
                optional: true,
            }
        } else if let Some(name) = spec.strip_suffix('!') {
            Spec {
                name: name.to_string(),
                optional: false,
            }
        } else {
            Spec {
                name: spec,
                optional: true,
            }
        })
    }
}

pub(crate) struct InsertField {
    side: Side,
    topic: Option<Spec>,
    partition: Option<Spec>,
    offset: Option<Spec>,
    timestamp: Option<Spec>,
    static_field: Option<Spec>,
    static_value: Option<String>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl InsertField {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let t = InsertField {
            side,
            topic: Spec::parse(c.string("topic.field")),
            partition: Spec::parse(c.string("partition.field")),
            offset: Spec::parse(c.string("offset.field")),
            timestamp: Spec::parse(c.string("timestamp.field")),
            static_field: Spec::parse(c.string("static.field")),
            static_value: c.string("static.value"),
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        };
        if t.topic.is_none() && t.partition.is_none() && t.offset.is_none() && t.timestamp.is_none() && t.static_field.is_none() {
            return Err(TransformError::Config("No field insertion configured".into()));
        }
        if let (Some(_), None) = (&t.static_field, &t.static_value) {
            // Java prints the InsertionSpec object here; its default toString names the class.
            return Err(TransformError::Config(
                "Invalid value null for configuration static.value: No value specified for static field: org.apache.kafka.connect.transforms.InsertField$InsertionSpec"
                    .into(),
            ));
        }
        Ok(t)
    }

    /// The values to insert, in Kafka's order, each with the spec it fills.
    fn insertions(&self, record: &ConnectRecord, with_schema: bool) -> Result<Vec<(&Spec, Value)>, DataError> {
        let mut out = Vec::new();
        if let Some(spec) = &self.topic {
            out.push((spec, Value::String(record.topic.clone())));
        }
        if let (Some(spec), Some(p)) = (&self.partition, record.kafka_partition) {
            out.push((spec, Value::Int32(p)));
        }
        if let Some(spec) = &self.offset {
            out.push((spec, Value::Int64(require_sink_offset(record, PURPOSE)?)));
        }
        if let (Some(spec), Some(ts)) = (&self.timestamp, record.timestamp) {
            out.push((spec, if with_schema { Value::Date(ts) } else { Value::Int64(ts) }));
        }
        if let (Some(spec), Some(v)) = (&self.static_field, &self.static_value) {
            out.push((spec, Value::String(v.clone())));
        }
        Ok(out)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<SchemaRef, DataError> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in &schema.fields {
            b = b.field(f.name.clone(), f.schema.clone())?;
        }
        let string = |s: &Spec| Schema::of(crate::data::Type::String, s.optional);
        if let Some(s) = &self.topic {
            b = b.field(s.name.clone(), string(s))?;
        }
        if let Some(s) = &self.partition {
            b = b.field(s.name.clone(), Schema::of(crate::data::Type::Int32, s.optional))?;
        }
        if let Some(s) = &self.offset {
            b = b.field(s.name.clone(), Schema::of(crate::data::Type::Int64, s.optional))?;
        }
        if let Some(s) = &self.timestamp {
            b = b.field(s.name.clone(), timestamp_schema(s.optional))?;
        }
        if let Some(s) = &self.static_field {
            b = b.field(s.name.clone(), string(s))?;
        }
        Ok(b.build())
    }
}

impl Transformation for InsertField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        match self.side.schema(&record) {
            None => {
                let mut updated = require_map(value, PURPOSE)?.clone();
                for (spec, v) in self.insertions(&record, false)? {
                    map_put(&mut updated, &spec.name, v);
                }
                self.side.set(&mut record, None, Value::Map(updated));
            }
            Some(_) => {
                let value = require_struct(value, PURPOSE)?;
                let schema = self
                    .cache
                    .get_or_try_insert(value.schema(), || self.updated_schema(value.schema()))?;
                let mut updated = Struct::new(schema.clone())?;
                for f in &value.schema().fields {
                    updated.put(&f.name, field_value(value, f.index, self.replace_null_with_default))?;
                }
                for (spec, v) in self.insertions(&record, true)? {
                    updated.put(&spec.name, v)?;
                }
                self.side.set(&mut record, Some(schema), Value::Struct(updated));
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{timestamp_schema, SchemaBuilder};
    use crate::transforms::test_support::{props, sink_record, source_record};

    fn value_schema() -> SchemaRef {
        SchemaBuilder::struct_().name("users").field("id", Schema::int32()).unwrap().build()
    }

    #[test]
    fn inserts_into_a_struct() {
        let t = InsertField::configure(
            Side::Value,
            &props(&[
                ("topic.field", "topic!"),
                ("partition.field", "part"),
                ("offset.field", "off"),
                ("timestamp.field", "ts"),
                ("static.field", "src"),
                ("static.value", "db1"),
            ]),
        )
        .unwrap();
        let mut s = Struct::new(value_schema()).unwrap();
        s.put("id", Value::Int32(7)).unwrap();
        let mut rec = sink_record("orders", Some(value_schema()), Value::Struct(s));
        rec.kafka_partition = Some(3);
        rec.timestamp = Some(1000);
        let out = t.apply(rec).unwrap().unwrap();
        let schema = out.value_schema.clone().unwrap();
        assert_eq!(schema.name.as_deref(), Some("users"));
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "topic", "part", "off", "ts", "src"]);
        assert!(!schema.field("topic").unwrap().schema.optional);
        assert!(schema.field("part").unwrap().schema.optional);
        assert_eq!(schema.field("ts").unwrap().schema, timestamp_schema(true));
        let v = out.value.as_struct().unwrap();
        assert_eq!(v.get("topic").unwrap(), &Value::from("orders"));
        assert_eq!(v.get("part").unwrap(), &Value::Int32(3));
        assert_eq!(v.get("off").unwrap(), &Value::Int64(42));
        assert_eq!(v.get("ts").unwrap(), &Value::Date(1000));
        assert_eq!(v.get("src").unwrap(), &Value::from("db1"));
    }

    #[test]
    fn inserts_into_a_map() {
        let t = InsertField::configure(Side::Value, &props(&[("topic.field", "t"), ("timestamp.field", "ts")])).unwrap();
        let mut rec = source_record("orders", None, Value::Map(vec![(Value::from("a"), Value::Int32(1))]));
        rec.timestamp = Some(5);
        let out = t.apply(rec).unwrap().unwrap();
        assert_eq!(out.value.map_get("t"), Some(&Value::from("orders")));
        assert_eq!(out.value.map_get("ts"), Some(&Value::Int64(5)));
        assert_eq!(out.value.map_get("a"), Some(&Value::Int32(1)));
    }

    #[test]
    fn kafka_errors() {
        let err = |p: &[(&str, &str)]| InsertField::configure(Side::Value, &props(p)).err().unwrap().to_string();
        assert_eq!(err(&[]), "No field insertion configured");
        assert!(err(&[("static.field", "s")])
            .starts_with("Invalid value null for configuration static.value: No value specified for static field"));
        let t = InsertField::configure(Side::Value, &props(&[("offset.field", "o")])).unwrap();
        let e = t.apply(source_record("t", None, Value::Map(vec![]))).unwrap_err();
        assert_eq!(
            e.message,
            "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        );
        let e = t.apply(source_record("t", None, Value::Int32(1))).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Integer"
        );
        let e = t.apply(source_record("t", Some(Schema::int32()), Value::Int32(1))).unwrap_err();
        assert_eq!(
            e.message,
            "Only Struct objects supported for [field insertion], found: java.lang.Integer"
        );
        // Tombstones pass through.
        let rec = source_record("t", None, Value::Null);
        assert_eq!(t.apply(rec.clone()).unwrap(), Some(rec));
    }

    #[test]
    fn key_side_and_defaults() {
        let t = InsertField::configure(Side::Key, &props(&[("topic.field", "t"), ("replace.null.with.default", "false")])).unwrap();
        let schema = SchemaBuilder::struct_()
            .field(
                "d",
                SchemaBuilder::new(crate::data::Type::Int32)
                    .optional()
                    .default_value(Value::Int32(5))
                    .unwrap()
                    .build(),
            )
            .unwrap()
            .build();
        let mut rec = source_record("t", None, Value::Null);
        rec.key_schema = Some(schema.clone());
        rec.key = Value::Struct(Struct::new(schema).unwrap());
        let out = t.apply(rec).unwrap().unwrap();
        let k = out.key.as_struct().unwrap();
        assert_eq!(k.get_without_default("d"), Some(&Value::Null));
        assert_eq!(k.get("t").unwrap(), &Value::from("t"));
    }
}
