//! `org.apache.kafka.connect.data.Struct`: the values of a struct schema's fields, in field
//! order, each checked against its field's schema when it is put.

use super::schema::{SchemaRef, Type};
use super::validate::validate_value;
use super::value::Value;
use super::DataError;

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    schema: SchemaRef,
    values: Vec<Value>,
}

impl Struct {
    /// An empty struct (every field null) of a struct schema.
    pub fn new(schema: SchemaRef) -> Result<Self, DataError> {
        if schema.ty != Type::Struct {
            return Err(DataError::new("Not a struct schema: ".to_string() + schema.ty.name()));
        }
        let values = vec![Value::Null; schema.fields.len()];
        Ok(Struct { schema, values })
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Values in field order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// `get(name)`: the value, or the field's default when it is null (as Java's `get` does).
    pub fn get(&self, name: &str) -> Result<&Value, DataError> {
        let field = self
            .schema
            .field(name)
            .ok_or_else(|| DataError::new(format!("{name} is not a valid field name")))?;
        Ok(self.get_index(field.index))
    }

    /// The value at a field index, or the field's default when it is null.
    pub fn get_index(&self, index: usize) -> &Value {
        let v = &self.values[index];
        if v.is_null() {
            if let Some(d) = &self.schema.fields[index].schema.default {
                return d;
            }
        }
        v
    }

    /// `getWithoutDefault(name)`.
    pub fn get_without_default(&self, name: &str) -> Option<&Value> {
        let field = self.schema.field(name)?;
        Some(&self.values[field.index])
    }

    /// `put(name, value)`, validated against the field's schema.
    pub fn put(&mut self, name: &str, value: Value) -> Result<&mut Self, DataError> {
        let field = self
            .schema
            .field(name)
            .ok_or_else(|| DataError::new(format!("{name} is not a valid field name")))?;
        validate_value(&field.schema, &value).map_err(|e| e.in_field(name))?;
        self.values[field.index] = value;
        Ok(self)
    }

    /// Puts by index without validation (converters that built the value from its schema).
    pub fn put_index_unchecked(&mut self, index: usize, value: Value) {
        self.values[index] = value;
    }

    /// `validate()`: every field's value (or default) fits its schema.
    pub fn validate(&self) -> Result<(), DataError> {
        for field in &self.schema.fields {
            validate_value(&field.schema, self.get_index(field.index)).map_err(|e| e.in_field(&field.name))?;
        }
        Ok(())
    }
}
