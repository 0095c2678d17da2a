//! `org.apache.kafka.connect.converters.ByteArrayConverter`: the bytes pass through untouched,
//! for pipelines that copy records without looking inside them (MirrorMaker-style, or raw
//! payloads). Anything but bytes is refused with Kafka's message.

use super::{java, Converter};
use crate::data::{DataError, Schema, SchemaAndValue, SchemaRef, Type, Value};

pub const CLASS: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// ByteArrayConverter: it has no settings (its `configure` ignores them).
#[derive(Debug, Clone, Copy)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    pub fn from_connect_data(&self, schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        if let Some(schema) = schema.filter(|s| s.ty != Type::Bytes) {
            return Err(DataError::new(format!(
                "Invalid schema type for ByteArrayConverter: {}",
                schema.ty.name()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(DataError::new(format!(
                "ByteArrayConverter is not compatible with objects of type {}",
                java::class_of(other)
            ))),
        }
    }

    pub fn to_connect_data(&self, bytes: Option<&[u8]>) -> SchemaAndValue {
        SchemaAndValue {
            schema: Some(Schema::optional_bytes()),
            value: bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        }
    }
}

impl Converter for ByteArrayConverter {
    fn from_connect(&self, _topic: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        self.from_connect_data(schema.map(|s| s.as_ref()), value)
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        Ok(self.to_connect_data(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_bytes_and_refuses_the_rest() {
        let c = ByteArrayConverter;
        assert_eq!(c.from_connect_data(None, &Value::Bytes(vec![1, 2])).unwrap(), Some(vec![1, 2]));
        assert_eq!(c.from_connect_data(Some(&Schema::optional_bytes()), &Value::Null).unwrap(), None);
        assert_eq!(
            c.from_connect_data(Some(&Schema::string()), &"x".into()).unwrap_err().message,
            "Invalid schema type for ByteArrayConverter: STRING"
        );
        assert_eq!(
            c.from_connect_data(None, &"x".into()).unwrap_err().message,
            "ByteArrayConverter is not compatible with objects of type class java.lang.String"
        );
        let read = c.to_connect_data(Some(&[7]));
        assert_eq!((read.schema, read.value), (Some(Schema::optional_bytes()), Value::Bytes(vec![7])));
    }
}
