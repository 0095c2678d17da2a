//! `Flatten$Key` / `Flatten$Value`: turns nested structs (or maps) into one level of fields
//! named `outer.inner`, so a relational sink can store nested data as columns.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::data::{DataError, Schema, SchemaBuilder, SchemaRef, Struct, Type, Value};
use crate::record::ConnectRecord;

use super::util::{class_of, copy_schema_basics, map_key, map_put, parse_config, require_map, require_struct_or_null, SchemaCache, Side};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.Flatten";
const PURPOSE: &str = "flattening";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new().define(ConfigKey::new(
        "delimiter",
        ConfigType::String,
        Default::Value(".".into()),
        Importance::Medium,
        "Delimiter to insert between field names from the input record when generating field names for the output record",
    ))
}

pub(crate) struct Flatten {
    side: Side,
    delimiter: String,
    cache: SchemaCache,
}

impl Flatten {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(Flatten {
            side,
            delimiter: c.string("delimiter").unwrap_or_default(),
            cache: SchemaCache::default(),
        })
    }

    fn name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    fn flatten_map(&self, entries: &[(Value, Value)], prefix: &str, out: &mut Vec<(Value, Value)>) -> Result<(), DataError> {
        for (k, v) in entries {
            let name = self.name(prefix, &map_key(k));
            if v.is_null() {
                map_put(out, &name, Value::Null);
                continue;
            }
            let ty = v.inferred_type().ok_or_else(|| {
                DataError::new(format!(
                    "Flatten transformation was passed a value of type {} which is not supported by Connect's data API",
                    class_of(v)
                ))
            })?;
            match ty {
                Type::Map => self.flatten_map(require_map(v, PURPOSE)?, &name, out)?,
                Type::Struct => {
                    return Err(DataError::new(format!(
                        "Flatten transformation does not support {} for record without schemas (for field {name}).",
                        class_of(v)
                    )))
                }
                _ => map_put(out, &name, v.clone()),
            }
        }
        Ok(())
    }

    fn build_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        mut builder: SchemaBuilder,
        optional: bool,
        default_from_parent: Option<&Struct>,
    ) -> Result<SchemaBuilder, DataError> {
        for f in &schema.fields {
            let name = self.name(prefix, &f.name);
            let field_optional = optional || f.schema.optional;
            let default = match (&f.schema.default, default_from_parent) {
                (Some(d), _) => Some(d.clone()),
                (None, Some(parent)) => Some(parent.get_index(f.index).clone()).filter(|v| !v.is_null()),
                (None, None) => None,
            };
            match f.schema.ty {
                Type::Struct => {
                    let nested_default = match &default {
                        Some(Value::Struct(s)) => Some(s),
                        _ => None,
                    };
                    builder = self.build_schema(&f.schema, &name, builder, field_optional, nested_default)?;
                }
                Type::Map => {
                    return Err(DataError::new(format!(
                        "Flatten transformation does not support MAP for record with schemas (for field {name})."
                    )))
                }
                _ => {
                    let mut b = copy_schema_basics(&f.schema, base_builder(&f.schema));
                    if field_optional {
                        b = b.optional();
                    }
                    if let Some(d) = default {
                        b = b.default_value(d)?;
                    }
                    builder = builder.field(name, b.build())?;
                }
            }
        }
        Ok(builder)
    }

    fn flatten_struct(&self, value: &Struct, prefix: &str, out: &mut Struct) -> Result<(), DataError> {
        for f in &value.schema().fields {
            let name = self.name(prefix, &f.name);
            match f.schema.ty {
                Type::Struct => {
                    if let Value::Struct(nested) = value.get_index(f.index) {
                        self.flatten_struct(nested, &name, out)?;
                    }
                }
                Type::Map => {
                    return Err(DataError::new(format!(
                        "Flatten transformation does not support MAP for record with schemas (for field {name})."
                    )))
                }
                _ => {
                    out.put(&name, value.get_index(f.index).clone())?;
                }
            }
        }
        Ok(())
    }
}

/// `SchemaUtil.copySchemaBasics(orig)`'s starting builder: arrays keep their element schema.
fn base_builder(schema: &Schema) -> SchemaBuilder {
    match (schema.ty, &schema.value_schema) {
        (Type::Array, Some(elements)) => SchemaBuilder::array(elements.clone()),
        (ty, _) => SchemaBuilder::new(ty),
    }
}

impl Transformation for Flatten {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        match self.side.schema(&record).cloned() {
            None => {
                let entries = require_map(value, PURPOSE)?;
                let mut out = Vec::new();
                self.flatten_map(entries, "", &mut out)?;
                self.side.set(&mut record, None, Value::Map(out));
            }
            Some(schema) => {
                let value = require_struct_or_null(value, PURPOSE)?;
                let updated: SchemaRef = self.cache.get_or_try_insert(&schema, || {
                    let default = match &schema.default {
                        Some(Value::Struct(s)) => Some(s),
                        _ => None,
                    };
                    let b = copy_schema_basics(&schema, SchemaBuilder::struct_());
                    Ok(self.build_schema(&schema, "", b, schema.optional, default)?.build())
                })?;
                let out = match value {
                    Some(v) => {
                        let mut out = Struct::new(updated.clone())?;
                        self.flatten_struct(v, "", &mut out)?;
                        Value::Struct(out)
                    }
                    None => Value::Null,
                };
                self.side.set(&mut record, Some(updated), out);
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn flattens_structs() {
        let address = SchemaBuilder::struct_()
            .field("city", Schema::string())
            .unwrap()
            .field("zip", Schema::optional_int32())
            .unwrap()
            .build();
        let person = SchemaBuilder::struct_()
            .name("person")
            .field("name", Schema::string())
            .unwrap()
            .field("address", address.clone().to_builder().optional().build())
            .unwrap()
            .field("tags", SchemaBuilder::array(Schema::string()).build())
            .unwrap()
            .build();
        let mut a = Struct::new(person.field("address").unwrap().schema.clone()).unwrap();
        a.put("city", Value::from("Oslo")).unwrap();
        let mut p = Struct::new(person.clone()).unwrap();
        p.put("name", Value::from("Ann")).unwrap();
        p.put("address", Value::Struct(a)).unwrap();
        p.put("tags", Value::Array(vec![Value::from("x")])).unwrap();
        let t = Flatten::configure(Side::Value, &props(&[("delimiter", "_")])).unwrap();
        let out = t.apply(source_record("t", Some(person), Value::Struct(p))).unwrap().unwrap();
        let s = out.value_schema.unwrap();
        assert_eq!(s.name.as_deref(), Some("person"));
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["name", "address_city", "address_zip", "tags"]);
        // A field of an optional struct becomes optional.
        assert!(s.field("address_city").unwrap().schema.optional);
        let v = out.value.as_struct().unwrap();
        assert_eq!(v.get("address_city").unwrap(), &Value::from("Oslo"));
        assert_eq!(v.get("tags").unwrap(), &Value::Array(vec![Value::from("x")]));
    }

    #[test]
    fn flattens_maps() {
        let t = Flatten::configure(Side::Value, &props(&[])).unwrap();
        let map = Value::Map(vec![
            (
                Value::from("a"),
                Value::Map(vec![(Value::from("b"), Value::Int32(1)), (Value::from("c"), Value::Null)]),
            ),
            (Value::from("d"), Value::from("x")),
        ]);
        let out = t.apply(source_record("t", None, map)).unwrap().unwrap();
        assert_eq!(
            out.value,
            Value::Map(vec![
                (Value::from("a.b"), Value::Int32(1)),
                (Value::from("a.c"), Value::Null),
                (Value::from("d"), Value::from("x")),
            ])
        );
        let s = Struct::new(SchemaBuilder::struct_().build()).unwrap();
        let e = t
            .apply(source_record("t", None, Value::Map(vec![(Value::from("s"), Value::Struct(s))])))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field s)."
        );
    }

    #[test]
    fn refuses_maps_with_schema() {
        let schema = SchemaBuilder::struct_()
            .field("m", SchemaBuilder::map(Schema::string(), Schema::string()).build())
            .unwrap()
            .build();
        let t = Flatten::configure(Side::Value, &props(&[])).unwrap();
        let e = t
            .apply(source_record(
                "t",
                Some(schema.clone()),
                Value::Struct(Struct::new(schema).unwrap()),
            ))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
    }
}
