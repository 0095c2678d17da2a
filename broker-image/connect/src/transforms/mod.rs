//! Single message transforms and predicates (`org.apache.kafka.connect.transforms`), by Apache's
//! class names, built from a connector's `transforms` and `predicates` keys.

use std::collections::BTreeMap;

use crate::data::DataError;
use crate::record::ConnectRecord;

/// A configured transformation. `Ok(None)` drops the record (Filter).
pub trait Transformation: Send + Sync {
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError>;
}

/// A configured predicate (`org.apache.kafka.connect.transforms.predicates.Predicate`).
pub trait Predicate: Send + Sync {
    fn test(&self, record: &ConnectRecord) -> bool;
}

/// A transform or predicate class that is not built in, or a config it refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    #[error("Class {0} could not be found.")]
    UnknownClass(String),
    #[error("{0}")]
    Config(String),
}

/// The transformation classes built in.
pub const TRANSFORM_CLASSES: &[&str] = &[];
/// The predicate classes built in.
pub const PREDICATE_CLASSES: &[&str] = &[];

/// Builds the transformation `class` from its configs (the keys after `transforms.NAME.`).
pub fn new_transformation(class: &str, _configs: &BTreeMap<String, String>) -> Result<Box<dyn Transformation>, TransformError> {
    Err(TransformError::UnknownClass(class.to_string()))
}

/// Builds the predicate `class` from its configs (the keys after `predicates.NAME.`).
pub fn new_predicate(class: &str, _configs: &BTreeMap<String, String>) -> Result<Box<dyn Predicate>, TransformError> {
    Err(TransformError::UnknownClass(class.to_string()))
}
