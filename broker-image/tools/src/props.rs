//! Client properties as Kafka's tools take them: `--command-config FILE`, `--producer.config FILE`
//! and `--consumer.config FILE` name Java `.properties` files; `--property k=v`,
//! `--producer-property k=v` and `--consumer-property k=v` give one pair each ([`key_value_args`]).
//! The format is `kaskade_common::properties`'; this module gives its failures the tools' shape.

use std::path::Path;

use super::exit::ToolError;

pub use kaskade_common::properties::{key_value_args, parse, Props};

/// Reads a `.properties` file; a missing or unreadable file is an error naming it.
pub fn load_file(path: &Path) -> Result<Props, ToolError> {
    kaskade_common::properties::load_file(path).map_err(|e| ToolError::new(e.to_string()))
}

/// Reads an optional `.properties` file (`--command-config`, `--producer.config`, …): none
/// given is no properties.
pub fn load_optional(path: Option<&Path>) -> Result<Props, ToolError> {
    path.map_or_else(|| Ok(Props::new()), load_file)
}
