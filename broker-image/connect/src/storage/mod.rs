//! The worker's memory is three compacted topics, in Kafka Connect's formats: connector and
//! task configs (`config_topic`), source offsets (`offset_topic`), statuses (`status_topic`),
//! each read and written through a [`KafkaLog`]. [`Stores`] creates the topics when they are
//! missing and keeps what they say in shared state; every change wakes the herder.

pub mod config_topic;
pub mod kafka_log;
pub mod offset_topic;
pub mod status_topic;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kaskade_client::KafkaAdmin;
use kaskade_common::client_props::{RdConfig, Role};
use rdkafka::ClientConfig;
use tokio::sync::Notify;

pub use config_topic::{ClusterConfig, RestartRequest, TargetState};
pub use kafka_log::KafkaLog;
pub use offset_topic::SourceOffsets;
pub use status_topic::{ClusterStatus, State, Status};

use crate::config::WorkerConfig;

/// Reading or writing an internal topic failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{topic}: {reason}")]
    Kafka { topic: String, reason: String },
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    pub fn kafka(topic: &str, e: impl std::fmt::Display) -> Self {
        StoreError::Kafka {
            topic: topic.to_string(),
            reason: e.to_string(),
        }
    }
}

/// Kafka's `TOPIC_ALREADY_EXISTS`.
const TOPIC_ALREADY_EXISTS: i16 = 36;

/// The three internal topics, tailed, and what they say.
pub struct Stores {
    pub config_log: KafkaLog,
    pub offset_log: KafkaLog,
    pub status_log: KafkaLog,
    pub config: Arc<Mutex<ClusterConfig>>,
    pub offsets: Arc<Mutex<SourceOffsets>>,
    pub status: Arc<Mutex<ClusterStatus>>,
    /// Notified after every config record (the herder re-plans).
    pub config_changed: Arc<Notify>,
}

/// rdkafka settings for the worker's own clients, from the worker's base client properties.
fn client_config(worker: &WorkerConfig, role: Role) -> Result<ClientConfig, StoreError> {
    let mut java = BTreeMap::new();
    java.insert("bootstrap.servers".to_string(), worker.bootstrap_servers.clone());
    let mut rd = RdConfig::from_java(role, &java, &mut |w| tracing::warn!("{w}")).map_err(|e| StoreError::Other(e.to_string()))?;
    if role == Role::Producer {
        // Java's partitioner (murmur2 of the key): a key lands in the partition Apache Kafka
        // Connect writes it to, so the latest record for a key is the last one in one partition.
        rd.set("partitioner", "murmur2_random");
        rd.set("acks", "all");
        rd.set("enable.idempotence", "true");
        rd.set("max.in.flight.requests.per.connection", "1");
    }
    rd.client_config(&mut |w| tracing::warn!("{w}"))
        .map_err(|e| StoreError::Other(e.to_string()))
}

fn json(bytes: Option<&[u8]>) -> Option<serde_json::Value> {
    bytes.and_then(|b| serde_json::from_slice(b).ok())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Stores {
    /// Creates the internal topics that are missing (compacted, with the configured partitions
    /// and replication factors), starts tailing them and reads each to its end.
    pub async fn start(worker: &WorkerConfig) -> Result<Stores, StoreError> {
        let admin = KafkaAdmin::new(&worker.bootstrap_servers, Duration::from_secs(30)).with_client_id("connect-admin");
        let compact: BTreeMap<String, String> = [("cleanup.policy".to_string(), "compact".to_string())].into();
        for (topic, partitions, rf) in [
            (&worker.config_topic, 1, worker.config_replication_factor),
            (&worker.offset_topic, worker.offset_partitions, worker.offset_replication_factor),
            (&worker.status_topic, worker.status_partitions, worker.status_replication_factor),
        ] {
            match admin.create_topic(topic, partitions, rf, &compact).await {
                Ok(()) => tracing::info!(topic, partitions, replication_factor = rf, "created the internal topic"),
                Err(e) if e.kafka_code() == Some(TOPIC_ALREADY_EXISTS) => {}
                Err(e) => return Err(StoreError::kafka(topic, e)),
            }
        }
        tracing::debug!("internal topics present");
        let producer = client_config(worker, Role::Producer)?;
        let consumer = client_config(worker, Role::Consumer)?;

        let config = Arc::new(Mutex::new(ClusterConfig::default()));
        let config_changed = Arc::new(Notify::new());
        let config_log = {
            let (config, changed) = (config.clone(), config_changed.clone());
            KafkaLog::start(
                &worker.config_topic,
                &producer,
                &consumer,
                admin.clone(),
                Box::new(move |key, value, _| {
                    let Some(key) = key.and_then(|k| std::str::from_utf8(k).ok()) else {
                        return;
                    };
                    lock(&config).apply(key, json(value).as_ref());
                    changed.notify_one();
                }),
            )?
        };
        let offsets = Arc::new(Mutex::new(SourceOffsets::default()));
        let offset_log = {
            let offsets = offsets.clone();
            KafkaLog::start(
                &worker.offset_topic,
                &producer,
                &consumer,
                admin.clone(),
                Box::new(move |key, value, _| {
                    if let Some(key) = key {
                        lock(&offsets).apply(key, value);
                    }
                }),
            )?
        };
        let status = Arc::new(Mutex::new(ClusterStatus::default()));
        let status_log = {
            let status = status.clone();
            KafkaLog::start(
                &worker.status_topic,
                &producer,
                &consumer,
                admin.clone(),
                Box::new(move |key, value, _| {
                    let Some(key) = key.and_then(|k| std::str::from_utf8(k).ok()) else {
                        return;
                    };
                    lock(&status).apply(key, json(value).as_ref());
                }),
            )?
        };
        let stores = Stores {
            config_log,
            offset_log,
            status_log,
            config,
            offsets,
            status,
            config_changed,
        };
        let t0 = std::time::Instant::now();
        stores.config_log.read_to_end().await?;
        stores.offset_log.read_to_end().await?;
        stores.status_log.read_to_end().await?;
        tracing::debug!(elapsed = ?t0.elapsed(), "read the internal topics to their ends");
        Ok(stores)
    }

    /// How far this worker has read the config topic: the offset workers compare in the group.
    pub fn config_offset(&self) -> i64 {
        self.config_log.position(0)
    }

    pub fn config(&self) -> MutexGuard<'_, ClusterConfig> {
        lock(&self.config)
    }

    pub fn status(&self) -> MutexGuard<'_, ClusterStatus> {
        lock(&self.status)
    }

    pub fn offsets(&self) -> MutexGuard<'_, SourceOffsets> {
        lock(&self.offsets)
    }

    /// Writes a config record and waits until this worker has read it back.
    pub async fn write_config(&self, key: &str, value: Option<Vec<u8>>) -> Result<(), StoreError> {
        self.config_log.send(key.as_bytes(), value.as_deref(), Some(0)).await?;
        self.config_log.read_to_end().await
    }

    /// Writes a status record (the tail applies it shortly after).
    pub async fn write_status(&self, key: &str, value: Option<Vec<u8>>) -> Result<(), StoreError> {
        self.status_log.send(key.as_bytes(), value.as_deref(), None).await
    }

    /// Writes an offset record.
    pub async fn write_offset(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        self.offset_log.send(key, value, None).await
    }
}
