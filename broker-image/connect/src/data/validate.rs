//! `ConnectSchema.validateValue`: whether a value fits a schema, with Java's messages (they
//! reach users in task traces and dead-letter headers).

use super::logical::Logical;
use super::schema::{Schema, Type};
use super::value::Value;
use super::DataError;

/// Checks `value` against `schema` (recursively for arrays, maps and structs).
pub fn validate_value(schema: &Schema, value: &Value) -> Result<(), DataError> {
    if value.is_null() {
        if schema.optional || schema.default.is_some() {
            return Ok(());
        }
        return Err(DataError::new(format!(
            "Invalid value: null used for required field: \"{}\", schema type: {}",
            "null",
            schema.ty.name()
        )));
    }
    let fits = match (schema.logical(), value) {
        (Some(Logical::Decimal { .. }), v) => matches!(v, Value::Decimal(_)),
        (Some(Logical::Date | Logical::Time | Logical::Timestamp), v) => matches!(v, Value::Date(_)),
        (None, v) => v.inferred_type() == Some(schema.ty),
    };
    if !fits {
        return Err(DataError::new(format!(
            "Invalid Java object for schema{} with type {}: class {} for field: \"null\"",
            schema.name.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default(),
            schema.ty.name(),
            value.java_class()
        )));
    }
    match (schema.ty, value) {
        (Type::Struct, Value::Struct(s)) => {
            if s.schema().as_ref() != schema {
                return Err(DataError::new("Struct schemas do not match."));
            }
            s.validate()
        }
        (Type::Array, Value::Array(items)) => {
            let elem = schema
                .value_schema
                .as_deref()
                .ok_or_else(|| DataError::new("array schema without value schema"))?;
            items.iter().try_for_each(|v| validate_value(elem, v))
        }
        (Type::Map, Value::Map(entries)) => {
            let (ks, vs) = match (schema.key_schema.as_deref(), schema.value_schema.as_deref()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(DataError::new("map schema without key or value schema")),
            };
            entries.iter().try_for_each(|(k, v)| {
                validate_value(ks, k)?;
                validate_value(vs, v)
            })
        }
        _ => Ok(()),
    }
}
