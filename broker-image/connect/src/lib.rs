//! Kaskade's Kafka Connect worker: Connect's REST API and distributed mode on Kafka Connect's
//! own internal topics, with its converters, transforms and built-in connectors, so existing
//! connector configs and tools work unchanged. The `kaskade connect` subcommand is a thin
//! launcher around [`run`]; this crate never compiles the broker.
//!
//! Modules: `data` (Connect's schemas and values), `record` (source and sink records),
//! `config_def` (Kafka's ConfigDef), `converters`, `transforms`.

pub mod config;
pub mod config_def;
pub mod connectors;
pub mod converters;
pub mod data;
pub mod group;
pub mod record;
pub mod storage;
pub mod transforms;
pub mod worker;
