//! `Cast$Key` / `Cast$Value`: changes the type of top-level fields (`spec=f1:int32,f2:string`)
//! or of the whole key or value (`spec=int64`), so a sink gets the column types it expects
//! (e.g. a DECIMAL or a timestamp written as a string, or a wide integer narrowed).

use std::collections::BTreeMap;

use base64::Engine;

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator};
use crate::data::{DataError, Schema, SchemaBuilder, SchemaRef, Struct, Type, Value, DATE_NAME, MILLIS_PER_DAY, TIMESTAMP_NAME, TIME_NAME};
use crate::record::ConnectRecord;

use super::date_format::iso_format;
use super::util::{
    class_of, copy_schema_basics, field_value, java_list, java_split, java_to_string, map_get, map_put, parse_config,
    replace_null_with_default_key, require_map, require_struct, SchemaCache, Side,
};
use super::values::{big_decimal_double_value, big_decimal_float_value, big_decimal_long_value};
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.Cast";
const PURPOSE: &str = "cast types";

/// Java's `SUPPORTED_CAST_INPUT_TYPES`: the primitive types, which `Type::ALL` lists first, in
/// Java's enum order (as the messages print them).
const INPUT_TYPES: &[Type] = Type::ALL.split_at(9).0;
/// `SUPPORTED_CAST_OUTPUT_TYPES`: the primitives but BYTES.
const OUTPUT_TYPES: &[Type] = Type::ALL.split_at(8).0;

fn type_list(types: &[Type]) -> String {
    java_list(&types.iter().map(|t| t.name().to_string()).collect::<Vec<_>>())
}

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "spec",
                ConfigType::List,
                Default::Required,
                Importance::High,
                "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.",
            )
            .validator(Validator::Lambda(|_, v| match v {
                ConfigValue::List(items) if !items.is_empty() => parse_field_types(items).map(|_| ()),
                _ => Err("Must specify at least one field to cast.".into()),
            })),
        )
        .define(replace_null_with_default_key())
}

/// The parsed spec: per-field casts, or one cast of the whole value.
type Spec = (Vec<(String, Type)>, Option<Type>);

/// `parseFieldTypes`, with Kafka's messages (its "rename mapping" wording included).
fn parse_field_types(mappings: &[String]) -> Result<Spec, String> {
    let mut fields: Vec<(String, Type)> = Vec::new();
    let mut whole = None;
    let output = |name: &str| -> Result<Type, String> {
        // Kafka passes the enum's exception as the ConfigException's value.
        let ty = Type::parse(name).ok_or_else(|| {
            format!(
                "Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type.{} for configuration Invalid type found in casting spec: {name}",
                name.to_uppercase()
            )
        })?;
        if !OUTPUT_TYPES.contains(&ty) {
            return Err(format!(
                "Cast transformation does not support casting to {}; supported types are {}",
                ty.name(),
                type_list(OUTPUT_TYPES)
            ));
        }
        Ok(ty)
    };
    for mapping in mappings {
        let parts = java_split(mapping, ':');
        match parts.as_slice() {
            [ty] => whole = Some(output(ty.trim())?),
            [field, ty] => {
                let ty = output(ty.trim())?;
                let field = field.trim().to_string();
                match fields.iter_mut().find(|(f, _)| *f == field) {
                    Some(slot) => slot.1 = ty,
                    None => fields.push((field, ty)),
                }
            }
            [] => {}
            _ => {
                return Err(format!(
                    "Invalid value {} for configuration renames: Invalid rename mapping: {mapping}",
                    java_list(mappings)
                ))
            }
        }
    }
    if whole.is_some() && mappings.len() > 1 {
        return Err(
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec".into(),
        );
    }
    Ok((fields, whole))
}

pub(crate) struct Cast {
    side: Side,
    casts: Vec<(String, Type)>,
    whole: Option<Type>,
    replace_null_with_default: bool,
    cache: SchemaCache,
}

impl Cast {
    pub(crate) fn configure(side: Side, props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let (casts, whole) = parse_field_types(&c.list("spec")).map_err(TransformError::Config)?;
        Ok(Cast {
            side,
            casts,
            whole,
            replace_null_with_default: c.boolean("replace.null.with.default"),
            cache: SchemaCache::default(),
        })
    }

    fn cast_of(&self, field: &str) -> Option<Type> {
        self.casts.iter().find(|(f, _)| f == field).map(|(_, t)| *t)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<SchemaRef, DataError> {
        let mut b = match self.whole {
            Some(ty) => copy_schema_basics(schema, SchemaBuilder::new(ty)),
            None => {
                let mut b = copy_schema_basics(schema, SchemaBuilder::struct_());
                for f in &schema.fields {
                    let field_schema = match self.cast_of(&f.name) {
                        Some(ty) => {
                            let mut fb = SchemaBuilder::new(ty).set_optional(f.schema.optional);
                            if let Some(default) = &f.schema.default {
                                fb = fb.default_value(cast_value(Some(&f.schema), default, ty)?)?;
                            }
                            fb.build()
                        }
                        None => f.schema.clone(),
                    };
                    b = b.field(f.name.clone(), field_schema)?;
                }
                b
            }
        };
        if schema.optional {
            b = b.optional();
        }
        if let Some(default) = &schema.default {
            let ty = b.ty();
            b = b.default_value(cast_value(Some(schema), default, ty)?)?;
        }
        Ok(b.build())
    }
}

impl Transformation for Cast {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        match self.side.schema(&record).cloned() {
            None => {
                let updated = match self.whole {
                    Some(ty) => cast_value(None, value, ty)?,
                    None => {
                        let map = require_map(value, PURPOSE)?;
                        let mut updated = map.clone();
                        for (field, ty) in &self.casts {
                            let v = cast_value(None, map_get(map, field).unwrap_or(&Value::Null), *ty)?;
                            map_put(&mut updated, field, v);
                        }
                        Value::Map(updated)
                    }
                };
                self.side.set(&mut record, None, updated);
            }
            Some(schema) => {
                let updated_schema = self.cache.get_or_try_insert(&schema, || self.updated_schema(&schema))?;
                let updated = match self.whole {
                    Some(ty) => cast_value(Some(&schema), value, ty)?,
                    None => {
                        let value = require_struct(value, PURPOSE)?;
                        let mut updated = Struct::new(updated_schema.clone())?;
                        for f in &value.schema().fields {
                            let orig = field_value(value, f.index, self.replace_null_with_default);
                            let v = match self.cast_of(&f.name) {
                                Some(ty) => cast_value(Some(&f.schema), &orig, ty)?,
                                None => orig,
                            };
                            updated.put(&f.name, v)?;
                        }
                        Value::Struct(updated)
                    }
                };
                self.side.set(&mut record, Some(updated_schema), updated);
            }
        }
        Ok(Some(record))
    }
}

/// `Date/Time/Timestamp.fromLogical`: a logical value as the number Connect stores.
fn encode_logical(schema: &Schema, value: &Value) -> Result<Value, DataError> {
    let Value::Date(ms) = value else {
        return Ok(value.clone());
    };
    Ok(match schema.name.as_deref() {
        Some(DATE_NAME) => {
            if ms % MILLIS_PER_DAY != 0 {
                return Err(DataError::new(
                    "Kafka Connect Date type should not have any time fields set to non-zero values.",
                ));
            }
            Value::Int32((ms / MILLIS_PER_DAY) as i32)
        }
        Some(TIME_NAME) => {
            if *ms < 0 || *ms > MILLIS_PER_DAY {
                return Err(DataError::new(
                    "Kafka Connect Time type should not have any date fields set to non-zero values.",
                ));
            }
            Value::Int32(*ms as i32)
        }
        Some(TIMESTAMP_NAME) => Value::Int64(*ms),
        _ => value.clone(),
    })
}

/// `castValueToType`.
pub(crate) fn cast_value(schema: Option<&Schema>, value: &Value, target: Type) -> Result<Value, DataError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(s) => s.ty,
        None => value.inferred_type().ok_or_else(|| {
            DataError::new(format!(
                "Cast transformation was passed a value of type {} which is not supported by Connect's data API",
                class_of(value)
            ))
        })?,
    };
    if !INPUT_TYPES.contains(&inferred) {
        return Err(DataError::new(format!(
            "Cast transformation does not support casting from {}; supported types are {}",
            inferred.name(),
            type_list(INPUT_TYPES)
        )));
    }
    let value = match schema {
        Some(s) if s.name.is_some() && target != Type::String => encode_logical(s, value)?,
        _ => value.clone(),
    };
    let out_of_range = || {
        DataError::new(format!(
            "Value ({}) was out of range for requested data type",
            java_to_string(&value)
        ))
    };
    let unexpected = || DataError::new(format!("Unexpected type in Cast transformation: {}", class_of(&value)));
    let from_bool = |b: bool| i64::from(b);
    Ok(match target {
        Type::Int8 => Value::Int8(match &value {
            Value::String(s) => s.parse::<i8>().map_err(|_| out_of_range())?,
            Value::Boolean(b) => from_bool(*b) as i8,
            Value::Float32(f) => (*f as i32) as i8,
            Value::Float64(f) => (*f as i32) as i8,
            v => long_value(v).ok_or_else(unexpected)? as i8,
        }),
        Type::Int16 => Value::Int16(match &value {
            Value::String(s) => s.parse::<i16>().map_err(|_| out_of_range())?,
            Value::Boolean(b) => from_bool(*b) as i16,
            Value::Float32(f) => (*f as i32) as i16,
            Value::Float64(f) => (*f as i32) as i16,
            v => long_value(v).ok_or_else(unexpected)? as i16,
        }),
        Type::Int32 => Value::Int32(match &value {
            Value::String(s) => s.parse::<i32>().map_err(|_| out_of_range())?,
            Value::Boolean(b) => from_bool(*b) as i32,
            Value::Float32(f) => *f as i32,
            Value::Float64(f) => *f as i32,
            v => long_value(v).ok_or_else(unexpected)? as i32,
        }),
        Type::Int64 => Value::Int64(match &value {
            Value::String(s) => s.parse::<i64>().map_err(|_| out_of_range())?,
            Value::Boolean(b) => from_bool(*b),
            v => long_value(v).ok_or_else(unexpected)?,
        }),
        Type::Float32 => Value::Float32(match &value {
            Value::String(s) => java_parse_double(s).ok_or_else(out_of_range)? as f32,
            Value::Boolean(b) => from_bool(*b) as f32,
            Value::Decimal(d) => big_decimal_float_value(d),
            Value::Float64(f) => *f as f32,
            v => double_value(v).ok_or_else(unexpected)? as f32,
        }),
        Type::Float64 => Value::Float64(match &value {
            Value::String(s) => java_parse_double(s).ok_or_else(out_of_range)?,
            Value::Boolean(b) => from_bool(*b) as f64,
            v => double_value(v).ok_or_else(unexpected)?,
        }),
        Type::Boolean => Value::Boolean(match &value {
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            Value::Boolean(b) => *b,
            v => long_value(v).ok_or_else(unexpected)? != 0,
        }),
        Type::String => Value::String(match &value {
            Value::Date(ms) => iso_format(*ms),
            Value::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
            v => java_to_string(v),
        }),
        other => {
            return Err(DataError::new(format!(
                "{} is not supported in the Cast transformation.",
                other.name()
            )))
        }
    })
}

/// `Number.longValue()`; `None` for a value that is not a `Number`.
fn long_value(v: &Value) -> Option<i64> {
    Some(match v {
        Value::Int8(n) => i64::from(*n),
        Value::Int16(n) => i64::from(*n),
        Value::Int32(n) => i64::from(*n),
        Value::Int64(n) => *n,
        Value::Float32(f) => *f as i64,
        Value::Float64(f) => *f as i64,
        Value::Decimal(d) => big_decimal_long_value(d),
        _ => return None,
    })
}

/// `Number.doubleValue()`.
fn double_value(v: &Value) -> Option<f64> {
    Some(match v {
        Value::Float32(f) => f64::from(*f),
        Value::Float64(f) => *f,
        Value::Decimal(d) => big_decimal_double_value(d),
        Value::Int64(n) => *n as f64,
        other => long_value(other)? as f64,
    })
}

/// `Double.parseDouble` / `Float.parseFloat`: surrounding whitespace, an `f`/`d` suffix,
/// `NaN` and `Infinity` as Java spells them.
pub(crate) fn java_parse_double(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c <= ' ');
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    match body {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(sign * f64::INFINITY),
        _ => {}
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
        return None;
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{decimal, timestamp_schema, BigDecimal};
    use crate::transforms::test_support::{props, source_record};
    use std::str::FromStr;

    fn cast(spec: &str) -> Cast {
        Cast::configure(Side::Value, &props(&[("spec", spec)])).unwrap()
    }

    #[test]
    fn casts_struct_fields() {
        let schema = SchemaBuilder::struct_()
            .name("row")
            .field("a", Schema::int64())
            .unwrap()
            .field("b", Schema::optional_string())
            .unwrap()
            .field("c", decimal(2).build())
            .unwrap()
            .field("d", timestamp_schema(false))
            .unwrap()
            .field("e", SchemaBuilder::new(Type::Int32).default_value(Value::Int32(7)).unwrap().build())
            .unwrap()
            .build();
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", Value::Int64(300)).unwrap();
        s.put("b", Value::from("12")).unwrap();
        s.put("c", Value::Decimal(BigDecimal::from_str("12.345").unwrap())).unwrap();
        s.put("d", Value::Date(1_709_211_909_007)).unwrap();
        let t = cast("a:int8,b:int32,c:string,d:int64,e:string");
        let out = t.apply(source_record("t", Some(schema), Value::Struct(s))).unwrap().unwrap();
        let os = out.value_schema.unwrap();
        assert_eq!(os.name.as_deref(), Some("row"));
        assert_eq!(os.field("a").unwrap().schema, Schema::int8());
        assert_eq!(os.field("b").unwrap().schema, Schema::optional_int32());
        assert_eq!(os.field("e").unwrap().schema.default, Some(Value::from("7")));
        let v = out.value.as_struct().unwrap();
        assert_eq!(v.get("a").unwrap(), &Value::Int8(44));
        assert_eq!(v.get("b").unwrap(), &Value::Int32(12));
        assert_eq!(v.get("c").unwrap(), &Value::from("12.345"));
        assert_eq!(v.get("d").unwrap(), &Value::Int64(1_709_211_909_007));
        assert_eq!(v.get("e").unwrap(), &Value::from("7"));
    }

    #[test]
    fn casts_whole_values() {
        let t = cast("string");
        let rec = source_record("t", Some(timestamp_schema(true)), Value::Date(1_709_211_909_007));
        let out = t.apply(rec).unwrap().unwrap();
        assert_eq!(out.value, Value::from("2024-02-29T13:05:09.007Z"));
        let os = out.value_schema.unwrap();
        assert_eq!((os.ty, os.optional), (Type::String, true));
        // The schema basics are copied, as in Kafka (the name of the logical type included).
        assert_eq!(os.name.as_deref(), Some(TIMESTAMP_NAME));

        let t = cast("float64");
        assert_eq!(
            t.apply(source_record("t", None, Value::from("1.5e3"))).unwrap().unwrap().value,
            Value::Float64(1500.0)
        );
        let t = cast("boolean");
        assert_eq!(
            t.apply(source_record("t", None, Value::Float64(0.5))).unwrap().unwrap().value,
            Value::Boolean(false)
        );
        let t = cast("string");
        assert_eq!(
            t.apply(source_record("t", None, Value::Float32(1e10))).unwrap().unwrap().value,
            Value::from("1.0E10")
        );
        assert_eq!(
            t.apply(source_record("t", None, Value::Bytes(b"hi".to_vec())))
                .unwrap()
                .unwrap()
                .value,
            Value::from("aGk=")
        );
    }

    #[test]
    fn schemaless_fields() {
        let t = cast("a:int16,missing:string");
        let out = t
            .apply(source_record("t", None, Value::Map(vec![(Value::from("a"), Value::from("-5"))])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.map_get("a"), Some(&Value::Int16(-5)));
        assert_eq!(out.value.map_get("missing"), Some(&Value::Null));
    }

    #[test]
    fn data_errors() {
        let t = cast("int8");
        assert_eq!(
            t.apply(source_record("t", None, Value::from("300"))).unwrap_err().message,
            "Value (300) was out of range for requested data type"
        );
        assert_eq!(
            t.apply(source_record("t", None, Value::Decimal(BigDecimal::from(1))))
                .unwrap_err()
                .message,
            "Cast transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"
        );
        assert_eq!(
            t.apply(source_record("t", None, Value::Array(vec![]))).unwrap_err().message,
            "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
        assert_eq!(
            t.apply(source_record("t", None, Value::Bytes(vec![1]))).unwrap_err().message,
            "Unexpected type in Cast transformation: class [B"
        );
        let t = cast("a:int32");
        assert_eq!(
            t.apply(source_record("t", Some(Schema::int32()), Value::Int32(1)))
                .unwrap_err()
                .message,
            "Only Struct objects supported for [cast types], found: java.lang.Integer"
        );
    }

    #[test]
    fn config_errors() {
        let err = |spec: &str| Cast::configure(Side::Value, &props(&[("spec", spec)])).err().unwrap().to_string();
        assert_eq!(err(""), "Must specify at least one field to cast.");
        assert_eq!(
            err("a:b:c"),
            "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c"
        );
        assert_eq!(
            err("a:int99"),
            "Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type.INT99 for configuration Invalid type found in casting spec: int99"
        );
        assert_eq!(
            err("a:bytes"),
            "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
        );
        assert_eq!(
            err("int8,a:int16"),
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
        );
        assert_eq!(
            Cast::configure(Side::Key, &props(&[])).err().unwrap().to_string(),
            "Missing required configuration \"spec\" which has no default value."
        );
    }

    #[test]
    fn parses_java_doubles() {
        assert_eq!(java_parse_double(" 1.5f "), Some(1.5));
        assert_eq!(java_parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(java_parse_double("inf"), None);
        assert!(java_parse_double("NaN").unwrap().is_nan());
        assert_eq!(java_parse_double("1e3"), Some(1000.0));
        assert_eq!(java_parse_double("abc"), None);
    }
}
