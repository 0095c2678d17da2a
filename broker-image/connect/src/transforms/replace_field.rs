//! `ReplaceField$Key` / `ReplaceField$Value`: keeps (`include`), drops (`exclude`) and renames
//! (`renames`) top-level fields, so a sink's table need not mirror every source column (drop a
//! password, rename `id` to `user_id`). Kafka 4.0 removed the old `whitelist`/`blacklist`
//! names; as in Kafka 4.3, they are unknown keys and ignored.

use std::collections::BTreeMap;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator};
use crate::data::{DataError, Schema, SchemaBuilder, SchemaRef, Struct, Value};
use crate::record::ConnectRecord;

use super::util::{
    copy_schema_basics, field_value, java_list, java_split, map_key, parse_config, replace_null_with_default_key, require_map,
    require_struct, SchemaCache, Side,
};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.ReplaceField";
const PURPOSE: &str = "field replacement";

pub(crate) fn config_def() -> ConfigDef {
    let list_of_names = Validator::ValidList {
        values: &[],
        empty_allowed: true,
        null_allowed: false,
    };
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "exclude",
                ConfigType::List,
                Default::Value(String::new()),
                Importance::Medium,
                "Fields to exclude. This takes precedence over the fields to include.",
            )
            .validator(list_of_names.clone()),
        )
        .define(
            ConfigKey::new(
                "include",
                ConfigType::List,
                Default::Value(String::new()),
                Importance::Medium,
                "Fields to include. If specified, only these fields will be used.",
            )
            .validator(list_of_names),
        )
        .define(
            ConfigKey::new(
                "renames",
                ConfigType::List,
                Default::Value(String::new()),
                Importance::Medium,
                "Field rename mappings.",
            )
            .validator(Validator::Lambda(|_, v| match v {
                ConfigValue::List(items) => parse_renames(items).map(|_| ()),
                _ => Ok(()),
            })),
        )
        .define(replace_null_with_default_key())
}

/// `parseRenameMappings`: `old:new` pairs.
fn parse_renames(mappings: &[String]) -> Result<Vec<(String, String)>, String> {
    mappings
        .iter()
        .map(|m| {
            let parts = java_split(m, ':');
            match parts.as_slice() {
                [from, to] => Ok((from.clone(), to.clone())),
                _ => Err(format!(
                    "Invalid value {} for configuration renames: Invalid rename mapping: {m}",
                    java_list(mappings)
                )),
            }
        })
        .collect()
}

pub(crate) struct ReplaceField {
    side: Side,
    exclude: Vec<String>,
    include: Vec<String>,
    /// old → new; a later mapping of the same old name wins (a Java `HashMap`).
    renames: Vec<(String, String)>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl ReplaceField {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let renames = parse_renames(&c.list("renames")).map_err(TransformError::Config)?;
        Ok(ReplaceField {
            side,
            exclude: c.list("exclude"),
            include: c.list("include"),
            renames,
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        })
    }

    fn keep(&self, name: &str) -> bool {
        !self.exclude.iter().any(|e| e == name) && (self.include.is_empty() || self.include.iter().any(|i| i == name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames
            .iter()
            .rev()
            .find(|(from, _)| from == name)
            .map_or(name, |(_, to)| to.as_str())
    }

    /// `reverseRenamed`: the original name of an output field.
    fn reverse_renamed<'a>(&'a self, name: &'a str) -> &'a str {
        // Java inverts the old→new HashMap into another HashMap; with distinct targets this is
        // the one old name mapped to `name`.
        let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
        for (from, to) in &self.renames {
            latest.insert(from, to);
        }
        latest.iter().find(|(_, to)| **to == name).map_or(name, |(from, _)| from)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<SchemaRef, DataError> {
        let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
        for f in &schema.fields {
            if self.keep(&f.name) {
                b = b.field(self.renamed(&f.name).to_string(), f.schema.clone())?;
            }
        }
        Ok(b.build())
    }
}

impl Transformation for ReplaceField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        match self.side.schema(&record) {
            None => {
                let entries = require_map(value, PURPOSE)?;
                let mut updated: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let name = map_key(k);
                    if self.keep(&name) {
                        super::util::map_put(&mut updated, self.renamed(&name), v.clone());
                    }
                }
                self.side.set(&mut record, None, Value::Map(updated));
            }
            Some(_) => {
                let value = require_struct(value, PURPOSE)?;
                let schema = self
                    .cache
                    .get_or_try_insert(value.schema(), || self.updated_schema(value.schema()))?;
                let mut updated = Struct::new(schema.clone())?;
                for f in &schema.fields {
                    let original = self.reverse_renamed(&f.name);
                    let index = value
                        .schema()
                        .field(original)
                        .ok_or_else(|| DataError::new(format!("{original} is not a valid field name")))?
                        .index;
                    updated.put(&f.name, field_value(value, index, self.replace_null_with_default))?;
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
    use crate::transforms::test_support::{props, source_record};

    fn user() -> (SchemaRef, Value) {
        let schema = SchemaBuilder::struct_()
            .name("users")
            .version(3)
            .field("id", Schema::int32())
            .unwrap()
            .field("pwd", Schema::optional_string())
            .unwrap()
            .field("name", Schema::optional_string())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", Value::Int32(1)).unwrap();
        s.put("pwd", Value::from("secret")).unwrap();
        s.put("name", Value::from("Ann")).unwrap();
        (schema, Value::Struct(s))
    }

    #[test]
    fn excludes_and_renames_struct_fields() {
        let t = ReplaceField::configure(Side::Value, &props(&[("exclude", "pwd"), ("renames", "id:user_id")])).unwrap();
        let (schema, value) = user();
        let out = t.apply(source_record("t", Some(schema), value)).unwrap().unwrap();
        let s = out.value_schema.unwrap();
        assert_eq!(s.name.as_deref(), Some("users"));
        assert_eq!(s.version, Some(3));
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["user_id", "name"]);
        assert_eq!(out.value.as_struct().unwrap().get("user_id").unwrap(), &Value::Int32(1));
    }

    #[test]
    fn include_wins_only_where_not_excluded() {
        let t = ReplaceField::configure(Side::Value, &props(&[("include", "id,pwd"), ("exclude", "pwd")])).unwrap();
        let (schema, value) = user();
        let out = t.apply(source_record("t", Some(schema), value)).unwrap().unwrap();
        assert_eq!(out.value_schema.unwrap().fields.len(), 1);
    }

    #[test]
    fn schemaless_maps() {
        let t = ReplaceField::configure(Side::Value, &props(&[("exclude", "b"), ("renames", "a:x")])).unwrap();
        let map = Value::Map(vec![
            (Value::from("a"), Value::Int32(1)),
            (Value::from("b"), Value::Int32(2)),
            (Value::from("c"), Value::Int32(3)),
        ]);
        let out = t.apply(source_record("t", None, map)).unwrap().unwrap();
        assert_eq!(
            out.value,
            Value::Map(vec![(Value::from("x"), Value::Int32(1)), (Value::from("c"), Value::Int32(3))])
        );
        let e = t.apply(source_record("t", None, Value::from("s"))).unwrap_err();
        assert_eq!(
            e.message,
            "Only Map objects supported in absence of schema for [field replacement], found: java.lang.String"
        );
    }

    #[test]
    fn bad_renames() {
        let e = ReplaceField::configure(Side::Value, &props(&[("renames", "a:b,c")])).err().unwrap();
        assert_eq!(
            e.to_string(),
            "Invalid value [a:b, c] for configuration renames: Invalid rename mapping: c"
        );
        let e = ReplaceField::configure(Side::Key, &props(&[("exclude", "a,,b")])).err().unwrap();
        assert_eq!(e.to_string(), "Configuration 'exclude' values must not be empty.");
        // The removed whitelist/blacklist keys are ignored, as in Kafka 4.x.
        let t = ReplaceField::configure(Side::Value, &props(&[("blacklist", "pwd")])).unwrap();
        let (schema, value) = user();
        let out = t.apply(source_record("t", Some(schema), value)).unwrap().unwrap();
        assert_eq!(out.value_schema.unwrap().fields.len(), 3);
    }
}
