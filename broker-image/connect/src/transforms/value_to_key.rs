//! `ValueToKey`: builds the record key from fields of the value, so a source connector that
//! emits null keys (as the JDBC source does) can still key its records for compaction or for an
//! upserting sink.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{DataError, SchemaBuilder, SchemaRef, Struct, Value};
use crate::record::ConnectRecord;

use super::util::{field_value, map_get, parse_config, replace_null_with_default_key, require_map, require_struct, SchemaCache};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.ValueToKey";
const PURPOSE: &str = "copying fields from value to key";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "fields",
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Field names on the record value to extract as the record key.",
            )
            .validator(Validator::ValidList {
                values: &[],
                empty_allowed: false,
                null_allowed: false,
            }),
        )
        .define(replace_null_with_default_key())
}

pub(crate) struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl ValueToKey {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(ValueToKey {
            fields: c.list("fields"),
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        })
    }
}

impl Transformation for ValueToKey {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        match &record.value_schema {
            None => {
                let value = require_map(&record.value, PURPOSE)?;
                let key = self
                    .fields
                    .iter()
                    .map(|f| (Value::String(f.clone()), map_get(value, f).cloned().unwrap_or(Value::Null)))
                    .collect();
                record.key_schema = None;
                record.key = Value::Map(key);
            }
            Some(_) => {
                let value = require_struct(&record.value, PURPOSE)?;
                let key_schema: SchemaRef = self.cache.get_or_try_insert(value.schema(), || {
                    let mut b = SchemaBuilder::struct_();
                    for f in &self.fields {
                        let field = value
                            .schema()
                            .field(f)
                            .ok_or_else(|| DataError::new(format!("Field does not exist: {f}")))?;
                        b = b.field(f.clone(), field.schema.clone())?;
                    }
                    Ok(b.build())
                })?;
                let mut key = Struct::new(key_schema.clone())?;
                for f in &self.fields {
                    let index = value
                        .schema()
                        .field(f)
                        .ok_or_else(|| DataError::new(format!("{f} is not a valid field name")))?
                        .index;
                    key.put(f, field_value(value, index, self.replace_null_with_default))?;
                }
                record.key_schema = Some(key_schema);
                record.key = Value::Struct(key);
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Schema;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn struct_value_to_key() {
        let t = ValueToKey::configure(&props(&[("fields", "id")])).unwrap();
        let schema = SchemaBuilder::struct_()
            .field("id", Schema::int32())
            .unwrap()
            .field("name", Schema::optional_string())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", Value::Int32(7)).unwrap();
        let out = t
            .apply(source_record("t", Some(schema.clone()), Value::Struct(s)))
            .unwrap()
            .unwrap();
        let ks = out.key_schema.unwrap();
        assert_eq!(ks.fields.len(), 1);
        assert_eq!(ks.name, None);
        assert_eq!(out.key.as_struct().unwrap().get("id").unwrap(), &Value::Int32(7));
        let t = ValueToKey::configure(&props(&[("fields", "nope")])).unwrap();
        let e = t
            .apply(source_record(
                "t",
                Some(schema.clone()),
                Value::Struct(Struct::new(schema).unwrap()),
            ))
            .unwrap_err();
        assert_eq!(e.message, "Field does not exist: nope");
    }

    #[test]
    fn map_value_to_key() {
        let t = ValueToKey::configure(&props(&[("fields", "a,b")])).unwrap();
        let out = t
            .apply(source_record("t", None, Value::Map(vec![(Value::from("a"), Value::Int32(1))])))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.key,
            Value::Map(vec![(Value::from("a"), Value::Int32(1)), (Value::from("b"), Value::Null)])
        );
        let e = t.apply(source_record("t", None, Value::Null)).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        );
        assert_eq!(
            ValueToKey::configure(&props(&[("fields", "")])).err().unwrap().to_string(),
            "Configuration 'fields' must not be empty. Valid values include: any non-empty value"
        );
    }
}
