//! Broker-wide admin operations behind the admin API: adding partitions, changing topic and
//! dynamic broker configs (applied to the open logs at once), and deleting records. Each one
//! validates, records the change in the metadata store, then applies it to storage, under the
//! broker's admin lock.

pub mod broker_configs;
pub mod config_ops;
pub mod configs;
pub mod partitions;
pub mod records;

/// Kafka's `ConfigResource.Type` codes.
pub const RESOURCE_TOPIC: i8 = 2;
pub const RESOURCE_BROKER: i8 = 4;
pub const RESOURCE_BROKER_LOGGER: i8 = 8;
