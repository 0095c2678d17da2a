//! Broker-wide admin operations behind the admin API: adding partitions, changing topic and
//! dynamic broker configs (applied to the open logs at once), and deleting records. Each one
//! validates, records the change in the metadata store, then applies it to storage.

pub mod broker_configs;
pub mod config_ops;
pub mod configs;
pub mod partitions;
pub mod records;

/// Kafka's `ConfigResource.Type` codes.
pub const RESOURCE_TOPIC: i8 = 2;
pub const RESOURCE_BROKER: i8 = 4;
pub const RESOURCE_BROKER_LOGGER: i8 = 8;

/// Serialises admin changes, so a read-modify-write (an incremental config change, adding
/// partitions) never loses a concurrent one. Admin requests are rare; one lock is enough.
pub async fn lock() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}
