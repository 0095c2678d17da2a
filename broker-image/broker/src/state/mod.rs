//! The broker as request handlers see it: its configuration, the metadata store and the group
//! coordinator to read, and operations on the partition logs (`logs`: append, wait until
//! durable, describe the log directory, maintenance), topics (create, delete) and admin changes
//! (`admin`), which span metadata and storage. The fields are private: handlers never drive the
//! flusher or walk the log map themselves, so this is where replication plugs in. Handlers →
//! state → metadata, storage.

pub mod admin;
mod logs;

pub use logs::LogDirReport;

use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_protocol::error::ResponseError;

use crate::config::check::validate_configs;
use crate::config::BrokerConfig;
use crate::connection_limits::ConnectionQuotas;
use crate::group::GroupCoordinator;
use crate::metadata::{MetadataError, MetadataStore, TopicMeta};
use crate::replication::ReplicaManager;
use crate::storage::{Flusher, LogManager};
use kaskade_common::topic_name;

/// Upper bound on partitions per topic: a guard against a request that would create a million
/// directories, far above what one node serves.
pub const MAX_PARTITIONS_PER_TOPIC: i32 = 10_000;

pub struct Broker {
    config: Arc<BrokerConfig>,
    metadata: Arc<dyn MetadataStore>,
    logs: Arc<LogManager>,
    /// The partition replicas this broker holds, following the metadata image.
    replicas: Arc<ReplicaManager>,
    flusher: Flusher,
    groups: Arc<GroupCoordinator>,
    /// Connection limits and the broker-wide request-bytes budget.
    quotas: Arc<ConnectionQuotas>,
    /// Serialises admin changes, so a read-modify-write (an incremental config change, adding
    /// partitions) never loses a concurrent one. Admin requests are rare; one lock is enough.
    admin_lock: tokio::sync::Mutex<()>,
}

/// What a broker is made of (the server builds them at start-up).
pub struct BrokerParts {
    pub config: Arc<BrokerConfig>,
    pub metadata: Arc<dyn MetadataStore>,
    pub logs: Arc<LogManager>,
    pub replicas: Arc<ReplicaManager>,
    pub flusher: Flusher,
    pub groups: Arc<GroupCoordinator>,
    pub quotas: Arc<ConnectionQuotas>,
}

/// A topic to create, as CreateTopics or auto-creation asks for it (-1 = broker default).
#[derive(Debug, Clone)]
pub struct NewTopic {
    pub name: String,
    pub num_partitions: i32,
    pub replication_factor: i16,
    pub assignments: Vec<(i32, Vec<i32>)>,
    pub configs: BTreeMap<String, String>,
}

/// A Kafka error code with the message Kafka would send beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: i16,
    pub message: String,
}

impl ApiError {
    pub fn new(e: ResponseError, message: impl Into<String>) -> Self {
        ApiError {
            code: e.code(),
            message: message.into(),
        }
    }
}

impl From<MetadataError> for ApiError {
    fn from(e: MetadataError) -> Self {
        let code = match &e {
            MetadataError::TopicExists(_) => ResponseError::TopicAlreadyExists,
            MetadataError::TopicCollision { .. } => ResponseError::InvalidTopicException,
            MetadataError::UnknownTopic(_) => ResponseError::UnknownTopicOrPartition,
            MetadataError::Storage(_) => ResponseError::UnknownServerError,
            MetadataError::Unavailable(_) => ResponseError::RequestTimedOut,
            MetadataError::Rejected(_) => ResponseError::InvalidUpdateVersion,
        };
        ApiError::new(code, e.to_string())
    }
}

impl Broker {
    pub fn new(parts: BrokerParts) -> Broker {
        let BrokerParts {
            config,
            metadata,
            logs,
            replicas,
            flusher,
            groups,
            quotas,
        } = parts;
        Broker {
            config,
            metadata,
            logs,
            replicas,
            flusher,
            groups,
            quotas,
            admin_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    pub fn node_id(&self) -> i32 {
        self.config.node_id
    }

    /// Topics, topic ids, brokers, configs and producer ids, as the metadata store holds them.
    pub fn metadata(&self) -> &dyn MetadataStore {
        self.metadata.as_ref()
    }

    pub fn groups(&self) -> &Arc<GroupCoordinator> {
        &self.groups
    }

    pub fn quotas(&self) -> &Arc<ConnectionQuotas> {
        &self.quotas
    }

    /// Held across an admin change's read-modify-write.
    pub async fn admin_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.admin_lock.lock().await
    }

    /// Checks a new topic the way Kafka's controller does; returns the resolved
    /// (partitions, replication factor) on success.
    pub fn validate_new_topic(&self, t: &NewTopic) -> Result<(i32, i16), ApiError> {
        topic_name::validate_name(&t.name).map_err(|m| ApiError::new(ResponseError::InvalidTopicException, m))?;
        if self.metadata.topic(&t.name).is_some() {
            return Err(ApiError::new(
                ResponseError::TopicAlreadyExists,
                format!("Topic '{}' already exists.", t.name),
            ));
        }
        let brokers = self.metadata.brokers().len() as i32;
        let (partitions, rf) = if !t.assignments.is_empty() {
            self.validate_assignments(t)?
        } else {
            let partitions = if t.num_partitions == -1 {
                self.config.num_partitions
            } else {
                t.num_partitions
            };
            if partitions <= 0 {
                return Err(ApiError::new(
                    ResponseError::InvalidPartitions,
                    "Number of partitions was set to an invalid non-positive value.",
                ));
            }
            let rf = if t.replication_factor == -1 {
                self.config.default_replication_factor
            } else {
                t.replication_factor
            };
            if rf <= 0 {
                return Err(ApiError::new(
                    ResponseError::InvalidReplicationFactor,
                    "Replication factor must be larger than 0, or -1 to use the default value.",
                ));
            }
            (partitions, rf)
        };
        if partitions > MAX_PARTITIONS_PER_TOPIC {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                format!("Kaskade serves at most {MAX_PARTITIONS_PER_TOPIC} partitions per topic."),
            ));
        }
        if rf as i32 > brokers {
            return Err(ApiError::new(
                ResponseError::InvalidReplicationFactor,
                format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {brokers} broker(s) are registered or some brokers have all their log directories cordoned."),
            ));
        }
        validate_configs(&t.configs).map_err(|m| ApiError::new(ResponseError::InvalidConfig, m))?;
        let canon = topic_name::collision_key(&t.name);
        if let Some(existing) = self.metadata.topics().iter().find(|e| topic_name::collision_key(&e.name) == canon) {
            return Err(ApiError::new(
                ResponseError::InvalidTopicException,
                format!("Topic '{}' collides with existing topic: {}", t.name, existing.name),
            ));
        }
        Ok((partitions, rf))
    }

    /// Checks a manual partition assignment in the order and with the messages of Kafka's
    /// controller; returns the resolved (partitions, replication factor).
    fn validate_assignments(&self, t: &NewTopic) -> Result<(i32, i16), ApiError> {
        let invalid = |m: String| ApiError::new(ResponseError::InvalidReplicaAssignment, m);
        if t.replication_factor != -1 {
            return Err(ApiError::new(
                ResponseError::InvalidRequest,
                "A manual partition assignment was specified, but replication factor was not set to -1.",
            ));
        }
        if t.num_partitions != -1 {
            return Err(ApiError::new(
                ResponseError::InvalidRequest,
                "A manual partition assignment was specified, but numPartitions was not set to -1.",
            ));
        }
        let registered: Vec<i32> = self.metadata.brokers().iter().map(|b| b.node_id).collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut rf: Option<usize> = None;
        for (p, replicas) in &t.assignments {
            if !seen.insert(*p) {
                return Err(invalid(format!("Found multiple manual partition assignments for partition {p}")));
            }
            check_replica_list(replicas, &registered).map_err(invalid)?;
            if let Some(rf) = rf.filter(|rf| *rf != replicas.len()) {
                return Err(invalid(format!(
                    "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                    replicas.len()
                )));
            }
            rf = Some(replicas.len());
        }
        if seen.iter().enumerate().any(|(i, p)| *p != i as i32) {
            return Err(invalid("partitions should be a consecutive 0-based integer sequence".into()));
        }
        Ok((t.assignments.len() as i32, rf.unwrap_or(0) as i16))
    }

    /// Creates a topic (or only validates it). Returns what was (or would be) created.
    pub async fn create_topic(&self, t: NewTopic, validate_only: bool) -> Result<Arc<TopicMeta>, ApiError> {
        let (partitions, rf) = match self.validate_new_topic(&t) {
            // This broker may not have applied the latest registrations yet: look again once it
            // has, before refusing.
            Err(e)
                if e.code == ResponseError::InvalidReplicationFactor.code() || e.code == ResponseError::InvalidReplicaAssignment.code() =>
            {
                self.metadata.barrier().await?;
                self.validate_new_topic(&t)?
            }
            other => other?,
        };
        let meta = TopicMeta {
            name: t.name.clone(),
            id: kaskade_common::kafka_uuid::random(),
            partitions,
            replication_factor: rf,
            configs: t.configs.clone(),
            internal: false,
            partition_states: manual_partition_states(&t),
        };
        if validate_only {
            return Ok(Arc::new(meta));
        }
        let created = self.metadata.create_topic(meta).await?;
        self.sync_replicas()?;
        tracing::info!(topic = %created.name, partitions = created.partitions, "created topic");
        Ok(created)
    }

    /// Auto-creation from Metadata requests, with the broker's defaults.
    pub async fn auto_create_topic(&self, name: &str) -> Result<Arc<TopicMeta>, ApiError> {
        let t = NewTopic {
            name: name.to_string(),
            num_partitions: -1,
            replication_factor: -1,
            assignments: vec![],
            configs: BTreeMap::new(),
        };
        match self.create_topic(t, false).await {
            Err(e) if e.code == ResponseError::TopicAlreadyExists.code() => self.metadata.topic(name).ok_or(e),
            other => other,
        }
    }

    pub async fn delete_topic(&self, name: &str) -> Result<Arc<TopicMeta>, ApiError> {
        let removed = self.metadata.delete_topic(name).await?;
        self.sync_replicas()?;
        tracing::info!(topic = %name, "deleted topic");
        Ok(removed)
    }

    /// Opens the logs of every partition the metadata places a replica of here (start-up).
    pub fn open_all_logs(&self) -> Result<(), crate::storage::LogError> {
        self.apply_dynamic_broker_configs();
        self.replicas.sync()
    }

    /// Brings this broker's logs in line with the metadata after a change made here (the
    /// background sync does it for changes made elsewhere), so the change is served at once.
    pub(crate) fn sync_replicas(&self) -> Result<(), ApiError> {
        self.replicas
            .sync()
            .map_err(|e| ApiError::new(ResponseError::KafkaStorageError, e.to_string()))
    }

    /// The partition replicas this broker holds.
    pub fn replicas(&self) -> &Arc<ReplicaManager> {
        &self.replicas
    }
}

/// The states of a manual assignment's partitions (validated: partitions 0..n, once each), in
/// partition order; none without one (the metadata store places them).
fn manual_partition_states(t: &NewTopic) -> Vec<crate::metadata::PartitionState> {
    let mut assigned: Vec<&(i32, Vec<i32>)> = t.assignments.iter().collect();
    assigned.sort_by_key(|(p, _)| *p);
    assigned
        .into_iter()
        .map(|(_, replicas)| crate::metadata::PartitionState::new(replicas.clone()))
        .collect()
}

/// Kafka's checks of one partition's manual replica list: not empty, only registered brokers,
/// none twice (CreateTopics and CreatePartitions share them, with the same messages).
pub(crate) fn check_replica_list(replicas: &[i32], registered: &[i32]) -> Result<(), String> {
    if replicas.is_empty() {
        return Err("The manual partition assignment includes an empty replica list.".into());
    }
    let mut sorted = replicas.to_vec();
    sorted.sort_unstable();
    for (i, b) in sorted.iter().enumerate() {
        if !registered.contains(b) {
            return Err(format!(
                "The manual partition assignment includes broker {b}, but no such broker is registered."
            ));
        }
        if i > 0 && sorted[i - 1] == *b {
            return Err(format!("The manual partition assignment includes the broker {b} more than once."));
        }
    }
    Ok(())
}
