//! `MaskField$Key` / `MaskField$Value`: replaces sensitive fields with their type's empty value
//! (0, false, "", an empty list or map) or with a configured `replacement`, so secrets such as
//! passwords never reach the sink.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{BigDecimal, DataError, Struct, Value};
use crate::record::ConnectRecord;

use super::util::{
    class_of, field_value, map_get, map_put, parse_config, replace_null_with_default_key, require_map, require_struct, Side,
};
use super::values::big_decimal_long_value;
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.MaskField";
const PURPOSE: &str = "mask fields";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "fields",
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Names of fields to mask.",
            )
            .validator(Validator::ValidList {
                values: &[],
                empty_allowed: false,
                null_allowed: false,
            }),
        )
        .define(
            ConfigKey::new(
                "replacement",
                ConfigType::String,
                Default::Null,
                Importance::Low,
                "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
            )
            .validator(Validator::NonEmptyString),
        )
        .define(replace_null_with_default_key())
}

pub(crate) struct MaskField {
    side: Side,
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
}

impl MaskField {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        Ok(MaskField {
            side,
            fields: c.list("fields"),
            replacement: c.string("replacement"),
            replace_null_with_default: c.boolean("replace.null.with.default"),
        })
    }

    fn masked(&self, value: &Value) -> Result<Value, DataError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &self.replacement {
            None => mask_with_null_value(value),
            Some(r) => mask_with_replacement(value, r),
        }
    }
}

fn mask_with_null_value(value: &Value) -> Result<Value, DataError> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::Decimal(_) => Value::Decimal(BigDecimal::from(0)),
        Value::Date(_) => Value::Date(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => return Err(DataError::new(format!("Cannot mask value of type: {}", class_of(other)))),
    })
}

fn mask_with_replacement(value: &Value, replacement: &str) -> Result<Value, DataError> {
    // Values.convertToXxx(null, string): `new BigDecimal(string)` narrowed to the type.
    let number = || {
        BigDecimal::from_str(replacement)
            .map_err(|_| DataError::new(format!("Unable to convert {replacement} (class java.lang.String) to a number")))
    };
    Ok(match value {
        Value::Int8(_) => Value::Int8(big_decimal_long_value(&number()?) as i8),
        Value::Int16(_) => Value::Int16(big_decimal_long_value(&number()?) as i16),
        Value::Int32(_) => Value::Int32(big_decimal_long_value(&number()?) as i32),
        Value::Int64(_) => Value::Int64(big_decimal_long_value(&number()?)),
        Value::Float32(_) => Value::Float32(super::values::big_decimal_double_value(&number()?) as f32),
        Value::Float64(_) => Value::Float64(super::values::big_decimal_double_value(&number()?)),
        Value::String(_) => Value::String(replacement.to_string()),
        Value::Decimal(_) => Value::Decimal(
            BigDecimal::from_str(replacement)
                .map_err(|_| DataError::new(format!("Unable to convert {replacement} (class java.lang.String) to number")))?,
        ),
        other => {
            return Err(DataError::new(format!(
                "Cannot mask value of type {} with custom replacement.",
                class_of(other)
            )))
        }
    })
}

impl Transformation for MaskField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        match self.side.schema(&record) {
            None => {
                let entries = require_map(value, PURPOSE)?;
                let mut updated = entries.clone();
                for f in &self.fields {
                    let masked = self.masked(map_get(entries, f).unwrap_or(&Value::Null))?;
                    map_put(&mut updated, f, masked);
                }
                self.side.set_value(&mut record, Value::Map(updated));
            }
            Some(_) => {
                let value = require_struct(value, PURPOSE)?;
                let mut updated = Struct::new(value.schema().clone())?;
                for f in &value.schema().fields {
                    let orig = field_value(value, f.index, self.replace_null_with_default);
                    let v = if self.fields.contains(&f.name) { self.masked(&orig)? } else { orig };
                    updated.put(&f.name, v)?;
                }
                self.side.set_value(&mut record, Value::Struct(updated));
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{decimal, Schema, SchemaBuilder, SchemaRef};
    use crate::transforms::test_support::{props, source_record};

    fn schema() -> SchemaRef {
        SchemaBuilder::struct_()
            .field("id", Schema::int32())
            .unwrap()
            .field("pwd", Schema::optional_string())
            .unwrap()
            .field("amount", decimal(2).optional().build())
            .unwrap()
            .field("flag", Schema::boolean())
            .unwrap()
            .build()
    }

    fn value() -> Value {
        let mut s = Struct::new(schema()).unwrap();
        s.put("id", Value::Int32(7)).unwrap();
        s.put("pwd", Value::from("secret")).unwrap();
        s.put("amount", Value::Decimal(BigDecimal::from_str("12.34").unwrap())).unwrap();
        s.put("flag", Value::Boolean(true)).unwrap();
        Value::Struct(s)
    }

    #[test]
    fn masks_with_empty_values() {
        let t = MaskField::configure(Side::Value, &props(&[("fields", "id,pwd,amount,flag")])).unwrap();
        let out = t.apply(source_record("t", Some(schema()), value())).unwrap().unwrap();
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("id").unwrap(), &Value::Int32(0));
        assert_eq!(s.get("pwd").unwrap(), &Value::from(""));
        assert_eq!(s.get("amount").unwrap(), &Value::Decimal(BigDecimal::from(0)));
        assert_eq!(s.get("flag").unwrap(), &Value::Boolean(false));
    }

    #[test]
    fn masks_with_a_replacement() {
        let t = MaskField::configure(Side::Value, &props(&[("fields", "id,pwd"), ("replacement", "9.9")])).unwrap();
        let out = t.apply(source_record("t", Some(schema()), value())).unwrap().unwrap();
        let s = out.value.as_struct().unwrap();
        assert_eq!(s.get("id").unwrap(), &Value::Int32(9));
        assert_eq!(s.get("pwd").unwrap(), &Value::from("9.9"));
        let t = MaskField::configure(Side::Value, &props(&[("fields", "flag"), ("replacement", "x")])).unwrap();
        let e = t.apply(source_record("t", Some(schema()), value())).unwrap_err();
        assert_eq!(
            e.message,
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        let t = MaskField::configure(Side::Value, &props(&[("fields", "id"), ("replacement", "x")])).unwrap();
        let e = t.apply(source_record("t", Some(schema()), value())).unwrap_err();
        assert_eq!(e.message, "Unable to convert x (class java.lang.String) to a number");
        let t = MaskField::configure(Side::Value, &props(&[("fields", "amount"), ("replacement", "x")])).unwrap();
        let e = t.apply(source_record("t", Some(schema()), value())).unwrap_err();
        assert_eq!(e.message, "Unable to convert x (class java.lang.String) to number");
    }

    #[test]
    fn schemaless() {
        let t = MaskField::configure(Side::Value, &props(&[("fields", "a,b,missing")])).unwrap();
        let map = Value::Map(vec![
            (Value::from("a"), Value::Int64(5)),
            (Value::from("b"), Value::Array(vec![Value::Int32(1)])),
        ]);
        let out = t.apply(source_record("t", None, map)).unwrap().unwrap();
        assert_eq!(out.value.map_get("a"), Some(&Value::Int64(0)));
        assert_eq!(out.value.map_get("b"), Some(&Value::Array(vec![])));
        assert_eq!(out.value.map_get("missing"), Some(&Value::Null));
        let bytes = Value::Map(vec![(Value::from("a"), Value::Bytes(vec![1]))]);
        let e = t.apply(source_record("t", None, bytes)).unwrap_err();
        assert_eq!(e.message, "Cannot mask value of type: class [B");
        // Unlike most transforms, MaskField does not pass tombstones through.
        let e = t.apply(source_record("t", None, Value::Null)).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [mask fields], found: null"
        );
    }

    #[test]
    fn config_errors() {
        let err = |p: &[(&str, &str)]| MaskField::configure(Side::Value, &props(p)).err().unwrap().to_string();
        assert_eq!(err(&[]), "Missing required configuration \"fields\" which has no default value.");
        assert_eq!(
            err(&[("fields", "")]),
            "Configuration 'fields' must not be empty. Valid values include: any non-empty value"
        );
        assert_eq!(
            err(&[("fields", "a"), ("replacement", "")]),
            "Invalid value  for configuration replacement: String must be non-empty"
        );
    }
}
