//! Converters (`org.apache.kafka.connect.storage.Converter` and `HeaderConverter`): between
//! Connect data and the bytes in Kafka. Named by Apache's class names so worker and connector
//! configs work unchanged; built by [`new_converter`].

use std::collections::BTreeMap;

use crate::data::DataError;
use crate::data::{SchemaAndValue, SchemaRef, Value};

/// One configured converter, for keys or for values.
pub trait Converter: Send + Sync {
    /// `fromConnectData`: `None` is a null Kafka key or value.
    fn from_connect(&self, topic: &str, schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError>;
    /// `toConnectData`: `None` is a null Kafka key or value.
    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError>;
}

/// A converter class name that is not built in, or a config it refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConverterError {
    #[error("Class {0} could not be found.")]
    UnknownClass(String),
    #[error("{0}")]
    Config(String),
}

/// The converter classes built in, for `GET /connector-plugins?connectorsOnly=false`.
pub const CLASSES: &[&str] = &[];

/// Builds the converter `class` with its `configs` (the keys after the `key.converter.` or
/// `value.converter.` prefix); `is_key` says which side it converts.
pub fn new_converter(class: &str, _configs: &BTreeMap<String, String>, _is_key: bool) -> Result<Box<dyn Converter>, ConverterError> {
    Err(ConverterError::UnknownClass(class.to_string()))
}
