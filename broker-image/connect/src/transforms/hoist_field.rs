//! `HoistField$Key` / `HoistField$Value`: wraps the whole key or value in a one-field struct
//! (or map), so a primitive key can feed a sink that expects a struct with a named column.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::data::{DataError, SchemaBuilder, Struct, Value};
use crate::record::ConnectRecord;

use super::util::{parse_config, SchemaCache, Side};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.HoistField";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new().define(ConfigKey::new(
        "field",
        ConfigType::String,
        Default::Required,
        Importance::Medium,
        "Field name for the single field that will be created in the resulting Struct or Map.",
    ))
}

pub(crate) struct HoistField {
    side: Side,
    field: String,
    cache: SchemaCache,
}

impl HoistField {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(HoistField {
            side,
            field: c.string("field").unwrap_or_default(),
            cache: SchemaCache::default(),
        })
    }
}

impl Transformation for HoistField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record).clone();
        match self.side.schema(&record).cloned() {
            None => {
                let map = Value::Map(vec![(Value::String(self.field.clone()), value)]);
                self.side.set(&mut record, None, map);
            }
            Some(schema) => {
                let updated = self.cache.get_or_try_insert(&schema, || {
                    Ok(SchemaBuilder::struct_().field(self.field.clone(), schema.clone())?.build())
                })?;
                let mut s = Struct::new(updated.clone())?;
                s.put(&self.field, value)?;
                self.side.set(&mut record, Some(updated), Value::Struct(s));
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
    fn hoists_with_and_without_schema() {
        let t = HoistField::configure(Side::Key, &props(&[("field", "id")])).unwrap();
        let mut rec = source_record("t", None, Value::Null);
        rec.key_schema = Some(Schema::int64());
        rec.key = Value::Int64(5);
        let out = t.apply(rec).unwrap().unwrap();
        let ks = out.key_schema.unwrap();
        assert_eq!(ks.field("id").unwrap().schema, Schema::int64());
        assert_eq!(out.key.as_struct().unwrap().get("id").unwrap(), &Value::Int64(5));

        let t = HoistField::configure(Side::Value, &props(&[("field", "line")])).unwrap();
        let out = t.apply(source_record("t", None, Value::from("x"))).unwrap().unwrap();
        assert_eq!(out.value, Value::Map(vec![(Value::from("line"), Value::from("x"))]));
        // A null with a required schema fails when put into the struct.
        let e = t.apply(source_record("t", Some(Schema::string()), Value::Null)).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"line\", schema type: STRING"
        );
        assert_eq!(
            HoistField::configure(Side::Value, &props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"field\" which has no default value."
        );
    }
}
