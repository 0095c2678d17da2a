//! Kafka Connect's data model (`org.apache.kafka.connect.data`): schemas, values, structs and
//! the logical types, the common language of converters, transforms and connectors.

mod logical;
mod schema;
mod struct_value;
mod validate;
mod value;

pub use logical::{
    date, decimal, time, timestamp, timestamp_schema, Logical, DATE_NAME, DECIMAL_NAME, DECIMAL_SCALE, MILLIS_PER_DAY, TIMESTAMP_NAME,
    TIME_NAME,
};
pub use schema::{Field, Schema, SchemaBuilder, SchemaRef, Type};
pub use struct_value::Struct;
pub use validate::validate_value;
pub use value::Value;

pub use bigdecimal::BigDecimal;

/// `org.apache.kafka.connect.errors.DataException`: a value that does not fit, or bytes that
/// do not convert. The message is Java's, as users see it in traces.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DataError {
    pub message: String,
}

impl DataError {
    pub fn new(message: impl Into<String>) -> Self {
        DataError { message: message.into() }
    }

    /// Names the field a nested validation failed in, where Java's message says `"null"`.
    pub(crate) fn in_field(mut self, field: &str) -> Self {
        self.message = self.message.replacen("field: \"null\"", &format!("field: \"{field}\""), 1);
        self
    }
}

/// `SchemaAndValue`: what a converter reads from bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    pub schema: Option<SchemaRef>,
    pub value: Value,
}

impl SchemaAndValue {
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };
}
