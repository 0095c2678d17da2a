//! Connect's four logical types (`Decimal`, `Date`, `Time`, `Timestamp` in
//! `org.apache.kafka.connect.data`): a named schema over a primitive, whose values are held in
//! their own [`Value`](super::Value) variants as Java holds them in `BigDecimal` and
//! `java.util.Date`.

use super::schema::{Schema, SchemaBuilder, SchemaRef, Type};

pub const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
pub const DECIMAL_SCALE: &str = "scale";
pub const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
pub const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";

/// Milliseconds in a day (Date values are whole days since the epoch).
pub const MILLIS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logical {
    /// Scale from the schema's `scale` parameter (0 when unparsable, as Java would throw later).
    Decimal {
        scale: i32,
    },
    Date,
    Time,
    Timestamp,
}

impl Logical {
    /// The logical type of `schema`, when its name and physical type are one of the four.
    pub fn of(schema: &Schema) -> Option<Logical> {
        match (schema.name.as_deref()?, schema.ty) {
            (DECIMAL_NAME, Type::Bytes) => Some(Logical::Decimal {
                scale: schema.parameter(DECIMAL_SCALE).and_then(|s| s.parse().ok()).unwrap_or(0),
            }),
            (DATE_NAME, Type::Int32) => Some(Logical::Date),
            (TIME_NAME, Type::Int32) => Some(Logical::Time),
            (TIMESTAMP_NAME, Type::Int64) => Some(Logical::Timestamp),
            _ => None,
        }
    }
}

/// `Decimal.builder(scale)`: bytes named `…Decimal`, version 1, parameter `scale`.
pub fn decimal(scale: i32) -> SchemaBuilder {
    SchemaBuilder::new(Type::Bytes)
        .name(DECIMAL_NAME)
        .parameter(DECIMAL_SCALE, scale.to_string())
        .version(1)
}

/// `Date.builder()`.
pub fn date() -> SchemaBuilder {
    SchemaBuilder::new(Type::Int32).name(DATE_NAME).version(1)
}

/// `Time.builder()`.
pub fn time() -> SchemaBuilder {
    SchemaBuilder::new(Type::Int32).name(TIME_NAME).version(1)
}

/// `Timestamp.builder()`.
pub fn timestamp() -> SchemaBuilder {
    SchemaBuilder::new(Type::Int64).name(TIMESTAMP_NAME).version(1)
}

/// `Timestamp.SCHEMA` and its optional variant.
pub fn timestamp_schema(optional: bool) -> SchemaRef {
    timestamp().set_optional(optional).build()
}
