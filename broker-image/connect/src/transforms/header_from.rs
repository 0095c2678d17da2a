//! `HeaderFrom$Key` / `HeaderFrom$Value`: copies or moves fields into headers (`fields`,
//! `headers`, `operation=move|copy`), e.g. to carry a tenant id as a header for routing while
//! keeping (or removing) it in the payload.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator};
use crate::data::{DataError, Schema, SchemaBuilder, SchemaRef, Struct, Value};
use crate::record::{ConnectRecord, Header};

use super::util::{
    copy_schema_basics, field_value, map_get, map_remove, parse_config, replace_null_with_default_key, require_map, require_struct,
    schema_to_string, SchemaCache, Side,
};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.HeaderFrom";

/// `NonEmptyListValidator`.
pub(crate) fn non_empty_list() -> Validator {
    Validator::Lambda(|name, v| match v {
        ConfigValue::List(items) if !items.is_empty() => Ok(()),
        ConfigValue::List(_) => Err(format!("Invalid value [] for configuration {name}: Empty list")),
        _ => Err(format!("Invalid value null for configuration {name}: Empty list")),
    })
}

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "fields",
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Field names in the record whose values are to be copied or moved to headers.",
            )
            .validator(non_empty_list()),
        )
        .define(
            ConfigKey::new(
                "headers",
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Header names, in the same order as the field names listed in the fields configuration property.",
            )
            .validator(non_empty_list()),
        )
        .define(
            ConfigKey::new(
                "operation",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).",
            )
            .validator(Validator::OneOf {
                values: &["move", "copy"],
                case_insensitive: false,
            }),
        )
        .define(replace_null_with_default_key())
}

pub(crate) struct HeaderFrom {
    side: Side,
    fields: Vec<String>,
    headers: Vec<String>,
    moving: bool,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl HeaderFrom {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let (fields, headers) = (c.list("fields"), c.list("headers"));
        if fields.len() != headers.len() {
            return Err(TransformError::Config(
                "'fields' config must have the same number of elements as 'headers' config.".into(),
            ));
        }
        Ok(HeaderFrom {
            side,
            fields,
            headers,
            moving: c.string("operation").as_deref() == Some("move"),
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        })
    }

    fn purpose(&self) -> &'static str {
        if self.moving {
            "header move"
        } else {
            "header copy"
        }
    }

    fn move_schema(&self, schema: &Schema) -> Result<SchemaRef, DataError> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in &schema.fields {
            if !self.fields.contains(&f.name) {
                b = b.field(f.name.clone(), f.schema.clone())?;
            }
        }
        Ok(b.build())
    }
}

/// `ConnectHeaders.add(key, value, schema)`'s check of a null against its schema.
fn header(key: &str, schema: Option<SchemaRef>, value: Value) -> Result<Header, DataError> {
    if let Some(s) = &schema {
        if value.is_null() && !s.optional {
            return Err(DataError::new(format!(
                "A null value requires an optional schema but was {}",
                schema_to_string(s)
            )));
        }
    }
    Ok(Header {
        key: key.to_string(),
        schema,
        value,
    })
}

impl Transformation for HeaderFrom {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        let mut new_headers = Vec::with_capacity(self.fields.len());
        match self.side.schema(&record).cloned() {
            None => {
                let map = require_map(value, self.purpose())?;
                let mut updated = map.clone();
                for (field, name) in self.fields.iter().zip(&self.headers) {
                    let v = map_get(map, field).cloned().unwrap_or(Value::Null);
                    if self.moving {
                        map_remove(&mut updated, field);
                    }
                    new_headers.push(header(name, None, v)?);
                }
                self.side.set_value(&mut record, Value::Map(updated));
            }
            Some(schema) => {
                let value = require_struct(value, self.purpose())?;
                for (field, name) in self.fields.iter().zip(&self.headers) {
                    let f = schema.field(field).ok_or_else(|| {
                        DataError::new(
                            "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" because the return value of \"org.apache.kafka.connect.data.Schema.field(String)\" is null",
                        )
                    })?;
                    let v = match value.schema().field(field) {
                        Some(vf) => field_value(value, vf.index, self.replace_null_with_default),
                        None => Value::Null,
                    };
                    new_headers.push(header(name, Some(f.schema.clone()), v)?);
                }
                if self.moving {
                    let updated_schema = self.cache.get_or_try_insert(&schema, || self.move_schema(&schema))?;
                    let mut updated = Struct::new(updated_schema.clone())?;
                    for f in &updated_schema.fields {
                        let index = value
                            .schema()
                            .field(&f.name)
                            .ok_or_else(|| DataError::new(format!("{} is not a valid field name", f.name)))?
                            .index;
                        updated.put(&f.name, field_value(value, index, self.replace_null_with_default))?;
                    }
                    self.side.set(&mut record, Some(updated_schema), Value::Struct(updated));
                }
            }
        }
        record.headers.extend(new_headers);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::{props, source_record};

    fn schema() -> SchemaRef {
        SchemaBuilder::struct_()
            .name("row")
            .field("id", Schema::int32())
            .unwrap()
            .field("tenant", Schema::optional_string())
            .unwrap()
            .build()
    }

    fn value() -> Value {
        let mut s = Struct::new(schema()).unwrap();
        s.put("id", Value::Int32(1)).unwrap();
        s.put("tenant", Value::from("acme")).unwrap();
        Value::Struct(s)
    }

    #[test]
    fn moves_and_copies_struct_fields() {
        let t = HeaderFrom::configure(
            Side::Value,
            &props(&[("fields", "tenant"), ("headers", "t"), ("operation", "move")]),
        )
        .unwrap();
        let out = t.apply(source_record("x", Some(schema()), value())).unwrap().unwrap();
        let s = out.value_schema.unwrap();
        assert_eq!(s.fields.len(), 1);
        assert_eq!(s.name.as_deref(), Some("row"));
        assert_eq!(out.headers[0].key, "t");
        assert_eq!(out.headers[0].value, Value::from("acme"));
        assert_eq!(out.headers[0].schema, Some(Schema::optional_string()));

        let t = HeaderFrom::configure(
            Side::Value,
            &props(&[("fields", "id,tenant"), ("headers", "a,b"), ("operation", "copy")]),
        )
        .unwrap();
        let out = t.apply(source_record("x", Some(schema()), value())).unwrap().unwrap();
        assert_eq!(out.value_schema, Some(schema()));
        assert_eq!(out.headers.len(), 2);
        assert_eq!(out.headers[0].value, Value::Int32(1));
    }

    #[test]
    fn schemaless_and_errors() {
        let t = HeaderFrom::configure(Side::Value, &props(&[("fields", "a"), ("headers", "h"), ("operation", "move")])).unwrap();
        let map = Value::Map(vec![(Value::from("a"), Value::Int32(1)), (Value::from("b"), Value::Int32(2))]);
        let out = t.apply(source_record("x", None, map)).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![(Value::from("b"), Value::Int32(2))]));
        assert_eq!(out.headers[0].value, Value::Int32(1));
        assert_eq!(out.headers[0].schema, None);
        assert_eq!(
            t.apply(source_record("x", None, Value::Null)).unwrap_err().message,
            "Only Map objects supported in absence of schema for [header move], found: null"
        );
        let err = |p: &[(&str, &str)]| HeaderFrom::configure(Side::Key, &props(p)).err().unwrap().to_string();
        assert_eq!(
            err(&[("fields", "a,b"), ("headers", "h"), ("operation", "copy")]),
            "'fields' config must have the same number of elements as 'headers' config."
        );
        assert_eq!(
            err(&[("fields", ""), ("headers", "h"), ("operation", "copy")]),
            "Invalid value [] for configuration fields: Empty list"
        );
        assert_eq!(
            err(&[("fields", "a"), ("headers", "h"), ("operation", "steal")]),
            "Invalid value steal for configuration operation: String must be one of: move, copy"
        );
    }
}
