//! `ExtractField$Key` / `ExtractField$Value`: replaces the key or value with one of its
//! fields (nested ones with `field.syntax.version=V2`), e.g. to key records by a single id
//! after ValueToKey, or to unwrap an envelope.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance};
use crate::data::{DataError, Value};
use crate::record::ConnectRecord;

use super::field_path::{field_syntax_version_key, FieldSyntaxVersion, SingleFieldPath, FIELD_SYNTAX_VERSION_CONFIG};
use super::util::{parse_config, replace_null_with_default_key, require_map_or_null, require_struct_or_null, Side};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.ExtractField";
const PURPOSE: &str = "field extraction";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(ConfigKey::new(
            "field",
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "Field name to extract.",
        ))
        .define(replace_null_with_default_key())
        .define(field_syntax_version_key())
}

pub(crate) struct ExtractField {
    side: Side,
    original_path: String,
    path: SingleFieldPath,
    replace_null_with_default: bool,
}

impl ExtractField {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let original_path = c.string("field").unwrap_or_default();
        let version = FieldSyntaxVersion::parse(&c.string(FIELD_SYNTAX_VERSION_CONFIG).unwrap_or_default())?;
        Ok(ExtractField {
            side,
            path: SingleFieldPath::new(&original_path, version)?,
            original_path,
            replace_null_with_default: c.boolean("replace.null.with.default"),
        })
    }
}

impl Transformation for ExtractField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        match self.side.schema(&record) {
            None => {
                let extracted = match require_map_or_null(value, PURPOSE)? {
                    Some(map) => self.path.value_from_map(map)?,
                    None => Value::Null,
                };
                self.side.set(&mut record, None, extracted);
            }
            Some(schema) => {
                let value = require_struct_or_null(value, PURPOSE)?;
                let field = self
                    .path
                    .field_from(schema)?
                    .ok_or_else(|| DataError::new(format!("Unknown field: {}", self.original_path)))?;
                let field_schema = field.schema.clone();
                let extracted = match value {
                    Some(s) => self.path.value_from_struct(s, self.replace_null_with_default)?,
                    None => Value::Null,
                };
                self.side.set(&mut record, Some(field_schema), extracted);
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, SchemaBuilder, Struct, Type};
    use crate::transforms::test_support::{props, source_record};

    #[test]
    fn extracts_from_struct_and_map() {
        let inner = SchemaBuilder::struct_().field("b", Schema::int32()).unwrap().build();
        let outer = SchemaBuilder::struct_()
            .field("a", inner.clone())
            .unwrap()
            .field("a.b", Schema::string())
            .unwrap()
            .build();
        let mut i = Struct::new(inner).unwrap();
        i.put("b", Value::Int32(5)).unwrap();
        let mut o = Struct::new(outer.clone()).unwrap();
        o.put("a", Value::Struct(i)).unwrap();
        o.put("a.b", Value::from("dotted")).unwrap();
        let rec = source_record("t", Some(outer.clone()), Value::Struct(o));

        let v1 = ExtractField::configure(Side::Value, &props(&[("field", "a.b")])).unwrap();
        let out = v1.apply(rec.clone()).unwrap().unwrap();
        assert_eq!(out.value, Value::from("dotted"));
        assert_eq!(out.value_schema.unwrap().ty, Type::String);

        let v2 = ExtractField::configure(Side::Value, &props(&[("field", "a.b"), ("field.syntax.version", "v2")])).unwrap();
        let out = v2.apply(rec.clone()).unwrap().unwrap();
        assert_eq!(out.value, Value::Int32(5));

        let v2q = ExtractField::configure(Side::Value, &props(&[("field", "`a.b`"), ("field.syntax.version", "V2")])).unwrap();
        assert_eq!(v2q.apply(rec.clone()).unwrap().unwrap().value, Value::from("dotted"));

        let missing = ExtractField::configure(Side::Value, &props(&[("field", "zz")])).unwrap();
        assert_eq!(missing.apply(rec).unwrap_err().message, "Unknown field: zz");

        let map = Value::Map(vec![(Value::from("a"), Value::Map(vec![(Value::from("b"), Value::Int64(9))]))]);
        let out = v2.apply(source_record("t", None, map)).unwrap().unwrap();
        assert_eq!(out.value, Value::Int64(9));
        assert_eq!(out.value_schema, None);
    }

    #[test]
    fn nulls_and_errors() {
        let t = ExtractField::configure(Side::Value, &props(&[("field", "a")])).unwrap();
        let out = t.apply(source_record("t", None, Value::Null)).unwrap().unwrap();
        assert_eq!(out.value, Value::Null);
        let e = t.apply(source_record("t", None, Value::Int32(1))).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
        );
        let e = ExtractField::configure(Side::Value, &props(&[("field", "a"), ("field.syntax.version", "v3")]))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "Invalid value v3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
        );
    }
}
