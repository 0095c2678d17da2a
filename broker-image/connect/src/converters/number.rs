//! The primitive converters of `org.apache.kafka.connect.converters`: `IntegerConverter`,
//! `LongConverter`, `FloatConverter`, `DoubleConverter`, `ShortConverter` (Kafka's
//! `NumberConverter`s) and `BooleanConverter`. Each writes what the matching Kafka serializer
//! writes (big-endian, IEEE 754 bits, one byte 0 or 1), so records from a producer using
//! `IntegerSerializer` and the like read back as Connect data, with Kafka's messages when they
//! do not.

use std::collections::BTreeMap;

use super::{java, Converter, ConverterError};
use crate::data::{DataError, Schema, SchemaAndValue, SchemaRef, Type, Value};

pub const INTEGER_CLASS: &str = "org.apache.kafka.connect.converters.IntegerConverter";
pub const LONG_CLASS: &str = "org.apache.kafka.connect.converters.LongConverter";
pub const FLOAT_CLASS: &str = "org.apache.kafka.connect.converters.FloatConverter";
pub const DOUBLE_CLASS: &str = "org.apache.kafka.connect.converters.DoubleConverter";
pub const SHORT_CLASS: &str = "org.apache.kafka.connect.converters.ShortConverter";
pub const BOOLEAN_CLASS: &str = "org.apache.kafka.connect.converters.BooleanConverter";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Long,
    Float,
    Double,
    Short,
    Boolean,
}

impl Kind {
    /// The name Kafka's messages use (`Failed to deserialize integer: `).
    fn type_name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Short => "short",
            Kind::Boolean => "boolean",
        }
    }

    fn size(self) -> usize {
        match self {
            Kind::Integer | Kind::Float => 4,
            Kind::Long | Kind::Double => 8,
            Kind::Short => 2,
            Kind::Boolean => 1,
        }
    }

    fn schema(self) -> SchemaRef {
        match self {
            Kind::Integer => Schema::optional_int32(),
            Kind::Long => Schema::optional_int64(),
            Kind::Float => Schema::optional_float32(),
            Kind::Double => Schema::optional_float64(),
            Kind::Short => Schema::optional_int16(),
            Kind::Boolean => Schema::optional_boolean(),
        }
    }
}

/// A configured number or boolean converter.
#[derive(Debug, Clone, Copy)]
pub struct NumberConverter {
    kind: Kind,
}

impl NumberConverter {
    /// The converter of `class` (one of this module's); its only setting is `converter.type`.
    pub fn new(class: &str, configs: &BTreeMap<String, String>, converter_type: &str) -> Result<Self, ConverterError> {
        let kind = match class {
            INTEGER_CLASS => Kind::Integer,
            LONG_CLASS => Kind::Long,
            FLOAT_CLASS => Kind::Float,
            DOUBLE_CLASS => Kind::Double,
            SHORT_CLASS => Kind::Short,
            BOOLEAN_CLASS => Kind::Boolean,
            other => return Err(ConverterError::UnknownClass(other.to_string())),
        };
        super::parse_config(&super::converter_config_def(), configs, converter_type)?;
        Ok(NumberConverter { kind })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The serializer's bytes. The number converters ignore the schema; BooleanConverter checks
    /// it.
    pub fn from_connect_data(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        if self.kind == Kind::Boolean {
            if let Some(schema) = schema.filter(|s| s.ty != Type::Boolean) {
                return Err(DataError::new(format!(
                    "Invalid schema type for BooleanConverter: {}",
                    schema.ty.name()
                )));
            }
        }
        let bytes = match (self.kind, value) {
            (_, Value::Null) => return Ok(None),
            (Kind::Integer, Value::Int32(v)) => v.to_be_bytes().to_vec(),
            (Kind::Long, Value::Int64(v)) => v.to_be_bytes().to_vec(),
            // FloatSerializer keeps a NaN's bits (floatToRawIntBits); DoubleSerializer writes
            // the canonical NaN (doubleToLongBits).
            (Kind::Float, Value::Float32(v)) => v.to_bits().to_be_bytes().to_vec(),
            (Kind::Double, Value::Float64(v)) => {
                let bits = if v.is_nan() { 0x7ff8_0000_0000_0000 } else { v.to_bits() };
                bits.to_be_bytes().to_vec()
            }
            (Kind::Short, Value::Int16(v)) => v.to_be_bytes().to_vec(),
            (Kind::Boolean, Value::Boolean(v)) => vec![u8::from(*v)],
            (Kind::Boolean, other) => {
                return Err(DataError::new(format!(
                    "BooleanConverter is not compatible with objects of type {}",
                    java::class_of(other)
                )))
            }
            (kind, other) => {
                return Err(DataError::new(format!(
                    "Failed to serialize to {} (was {}): ",
                    kind.type_name(),
                    java::class_of(other)
                )))
            }
        };
        Ok(Some(bytes))
    }

    /// The deserializer's value, with the converter's optional schema.
    pub fn to_connect_data(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let schema = Some(self.kind.schema());
        let Some(b) = bytes else {
            return Ok(SchemaAndValue {
                schema,
                value: Value::Null,
            });
        };
        let failed = || DataError::new(format!("Failed to deserialize {}: ", self.kind.type_name()));
        if b.len() != self.kind.size() {
            return Err(failed());
        }
        let value = match self.kind {
            Kind::Integer => Value::Int32(i32::from_be_bytes(b.try_into().map_err(|_| failed())?)),
            Kind::Long => Value::Int64(i64::from_be_bytes(b.try_into().map_err(|_| failed())?)),
            Kind::Float => Value::Float32(f32::from_bits(u32::from_be_bytes(b.try_into().map_err(|_| failed())?))),
            Kind::Double => Value::Float64(f64::from_bits(u64::from_be_bytes(b.try_into().map_err(|_| failed())?))),
            Kind::Short => Value::Int16(i16::from_be_bytes(b.try_into().map_err(|_| failed())?)),
            Kind::Boolean => match b[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                _ => return Err(failed()),
            },
        };
        Ok(SchemaAndValue { schema, value })
    }
}

impl Converter for NumberConverter {
    fn from_connect(&self, _topic: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        self.from_connect_data(schema.map(|s| s.as_ref()), value)
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        self.to_connect_data(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(class: &str) -> NumberConverter {
        NumberConverter::new(class, &BTreeMap::new(), "value").unwrap()
    }

    #[test]
    fn serializers_bytes() {
        let i = converter(INTEGER_CLASS);
        assert_eq!(
            i.from_connect_data(None, &Value::Int32(-2)).unwrap(),
            Some(vec![0xff, 0xff, 0xff, 0xfe])
        );
        assert_eq!(i.to_connect_data(Some(&[0, 0, 1, 0])).unwrap().value, Value::Int32(256));
        let d = converter(DOUBLE_CLASS);
        assert_eq!(
            d.from_connect_data(None, &Value::Float64(1.0)).unwrap(),
            Some(vec![0x3f, 0xf0, 0, 0, 0, 0, 0, 0])
        );
        let s = converter(SHORT_CLASS);
        assert_eq!(s.to_connect_data(Some(&[0x80, 0])).unwrap().value, Value::Int16(i16::MIN));
        let b = converter(BOOLEAN_CLASS);
        assert_eq!(b.from_connect_data(None, &Value::Boolean(true)).unwrap(), Some(vec![1]));
        let null = b.to_connect_data(None).unwrap();
        assert_eq!((null.schema, null.value), (Some(Schema::optional_boolean()), Value::Null));
    }

    #[test]
    fn kafkas_messages() {
        let i = converter(INTEGER_CLASS);
        assert_eq!(
            i.from_connect_data(None, &Value::Int64(1)).unwrap_err().message,
            "Failed to serialize to integer (was class java.lang.Long): "
        );
        assert_eq!(
            i.to_connect_data(Some(&[1])).unwrap_err().message,
            "Failed to deserialize integer: "
        );
        let f = converter(FLOAT_CLASS);
        assert_eq!(f.to_connect_data(Some(&[1])).unwrap_err().message, "Failed to deserialize float: ");
        let b = converter(BOOLEAN_CLASS);
        assert_eq!(
            b.to_connect_data(Some(&[2])).unwrap_err().message,
            "Failed to deserialize boolean: "
        );
        assert_eq!(
            b.from_connect_data(Some(&Schema::int32()), &Value::Int32(1)).unwrap_err().message,
            "Invalid schema type for BooleanConverter: INT32"
        );
        assert_eq!(
            b.from_connect_data(None, &"x".into()).unwrap_err().message,
            "BooleanConverter is not compatible with objects of type class java.lang.String"
        );
    }
}
