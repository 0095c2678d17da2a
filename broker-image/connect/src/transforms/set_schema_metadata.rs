//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: sets the schema's name and/or
//! version, e.g. so a schema-registry-backed converter or a sink sees the record name it
//! expects.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance};
use crate::data::{DataError, Schema, Struct, Type, Value};
use crate::record::ConnectRecord;

use super::util::{field_value, parse_config, replace_null_with_default_key, require_schema, Side};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.SetSchemaMetadata";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(ConfigKey::new(
            "schema.name",
            ConfigType::String,
            Default::Null,
            Importance::High,
            "Schema name to set.",
        ))
        .define(ConfigKey::new(
            "schema.version",
            ConfigType::Int,
            Default::Null,
            Importance::High,
            "Schema version to set.",
        ))
        .define(replace_null_with_default_key())
}

pub(crate) struct SetSchemaMetadata {
    side: Side,
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

impl SetSchemaMetadata {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let version = match c.values.get("schema.version") {
            Some(ConfigValue::Int(v)) => Some(*v),
            _ => None,
        };
        let name = c.string("schema.name");
        if name.is_none() && version.is_none() {
            return Err(TransformError::Config("Neither schema name nor version configured".into()));
        }
        Ok(SetSchemaMetadata {
            side,
            name,
            version,
            replace_null_with_default: c.boolean("replace.null.with.default"),
        })
    }
}

impl Transformation for SetSchemaMetadata {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        let schema = self.side.schema(&record);
        if value.is_null() && schema.is_none() {
            return Ok(Some(record));
        }
        let schema = require_schema(schema, "updating schema metadata")?;
        if schema.ty != Type::Struct {
            // Kafka 4.3 copies `schema.fields()`, which throws for every other type.
            return Err(DataError::new("Cannot list fields on non-struct type"));
        }
        let updated = Arc::new(Schema {
            name: self.name.clone().or_else(|| schema.name.clone()),
            version: self.version.or(schema.version),
            ..(**schema).clone()
        });
        let new_value = match value {
            Value::Struct(orig) => {
                let mut s = Struct::new(updated.clone())?;
                for f in &updated.fields {
                    s.put(&f.name, field_value(orig, f.index, self.replace_null_with_default))?;
                }
                Value::Struct(s)
            }
            other => other.clone(),
        };
        self.side.set(&mut record, Some(updated), new_value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn renames_struct_schemas() {
        let schema = SchemaBuilder::struct_()
            .name("old")
            .version(1)
            .field("id", Schema::int32())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", Value::Int32(3)).unwrap();
        let t = SetSchemaMetadata::configure(Side::Value, &props(&[("schema.name", "com.example.User")])).unwrap();
        let out = t.apply(source_record("t", Some(schema), Value::Struct(s))).unwrap().unwrap();
        let os = out.value_schema.unwrap();
        assert_eq!(os.name.as_deref(), Some("com.example.User"));
        assert_eq!(os.version, Some(1));
        let v = out.value.as_struct().unwrap();
        assert_eq!(v.schema(), &os);
        assert_eq!(v.get("id").unwrap(), &Value::Int32(3));
    }

    #[test]
    fn errors() {
        assert_eq!(
            SetSchemaMetadata::configure(Side::Value, &props(&[])).err().unwrap().to_string(),
            "Neither schema name nor version configured"
        );
        assert_eq!(
            SetSchemaMetadata::configure(Side::Value, &props(&[("schema.version", "x")]))
                .err()
                .unwrap()
                .to_string(),
            "Invalid value x for configuration schema.version: Not a number of type INT"
        );
        let t = SetSchemaMetadata::configure(Side::Key, &props(&[("schema.version", "2")])).unwrap();
        let mut rec = source_record("t", None, Value::Null);
        assert_eq!(t.apply(rec.clone()).unwrap(), Some(rec.clone()));
        rec.key = Value::Int32(1);
        assert_eq!(
            t.apply(rec.clone()).unwrap_err().message,
            "Schema required for [updating schema metadata]"
        );
        rec.key_schema = Some(Schema::int32());
        assert_eq!(t.apply(rec).unwrap_err().message, "Cannot list fields on non-struct type");
    }
}
