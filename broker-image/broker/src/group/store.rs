//! Where the coordinator's state lives: the internal compacted topic `__consumer_offsets`,
//! created on first use as Kafka creates it. Writes are ordinary record batches appended to the
//! group's partition (so they are recovered, compacted and, later, replicated like any log);
//! reading the topic back at start-up rebuilds every group.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use kafka_protocol::records::{Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType};
use thiserror::Error;

use super::config::GroupConfig;
use super::records::{self, RecordKey};
use crate::metadata::{MetadataError, MetadataStore, TopicMeta};
use crate::replication::{Replica, ReplicaManager};
use crate::storage::batch::{BatchHeader, BatchIter};
use crate::storage::{FlushError, Flusher, LogError, PartitionLog};
use crate::util;

/// The internal topic's name.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{OFFSETS_TOPIC} cannot be created: {0}")]
    Create(String),
    #[error("{OFFSETS_TOPIC} partition {0} is not available")]
    NoPartition(i32),
    #[error("cannot encode a {OFFSETS_TOPIC} batch: {0}")]
    Encode(String),
    #[error("cannot append to {OFFSETS_TOPIC}: {0}")]
    Log(#[from] LogError),
    #[error(transparent)]
    Flush(#[from] FlushError),
    /// This broker does not lead the group's partition (any more).
    #[error("this broker does not lead {OFFSETS_TOPIC} partition {0}")]
    NotLeader(i32),
    /// The in-sync replicas did not get the write in time.
    #[error("{OFFSETS_TOPIC} partition {0}: the in-sync replicas did not get the write within {COMMIT_TIMEOUT:?}")]
    NotReplicated(i32),
}

/// Kafka's `offsets.commit.timeout.ms`: how long a write waits for the in-sync replicas.
const COMMIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A record to write: key and value (`None` = tombstone).
pub type Write = (RecordKey, Option<Bytes>);

/// A write appended but maybe not durable yet.
pub struct Appended {
    replica: Arc<Replica>,
    end_offset: i64,
}

pub struct OffsetsStore {
    metadata: Arc<dyn MetadataStore>,
    replicas: Arc<ReplicaManager>,
    flusher: Flusher,
    partitions: i32,
    replication_factor: i16,
    segment_bytes: i64,
}

impl OffsetsStore {
    pub fn new(metadata: Arc<dyn MetadataStore>, replicas: Arc<ReplicaManager>, flusher: Flusher, cfg: &GroupConfig) -> Self {
        OffsetsStore {
            metadata,
            replicas,
            flusher,
            partitions: cfg.offsets_partitions,
            replication_factor: cfg.offsets_replication_factor,
            segment_bytes: cfg.offsets_segment_bytes,
        }
    }

    /// The partition count of the topic as it exists (or will be created).
    pub fn partitions(&self) -> i32 {
        self.metadata.topic(OFFSETS_TOPIC).map(|t| t.partitions).unwrap_or(self.partitions)
    }

    pub fn topic_exists(&self) -> bool {
        self.metadata.topic(OFFSETS_TOPIC).is_some()
    }

    pub fn partition_for(&self, group: &str) -> i32 {
        records::partition_for(group, self.partitions())
    }

    /// Creates the topic when it does not exist yet (Kafka does this on the first
    /// FindCoordinator). The replication factor is capped by the brokers there are.
    pub async fn ensure_topic(&self) -> Result<(), StoreError> {
        if self.metadata.topic(OFFSETS_TOPIC).is_some() {
            return Ok(());
        }
        // Every registration committed so far counts (this broker's image may lag).
        self.metadata.barrier().await.map_err(|e| StoreError::Create(e.to_string()))?;
        let brokers = self.metadata.brokers().len().max(1) as i16;
        let configs = BTreeMap::from([
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("compression.type".to_string(), "producer".to_string()),
            ("segment.bytes".to_string(), self.segment_bytes.to_string()),
        ]);
        let meta = TopicMeta {
            name: OFFSETS_TOPIC.to_string(),
            id: kaskade_common::kafka_uuid::random(),
            partitions: self.partitions,
            replication_factor: self.replication_factor.min(brokers),
            configs,
            internal: true,
            partition_states: Vec::new(),
        };
        let created = match self.metadata.create_topic(meta).await {
            Ok(t) => t,
            Err(MetadataError::TopicExists(_)) => return Ok(()),
            Err(e) => return Err(StoreError::Create(e.to_string())),
        };
        self.replicas.sync().map_err(|e| StoreError::Create(e.to_string()))?;
        tracing::info!(partitions = created.partitions, "created {OFFSETS_TOPIC}");
        Ok(())
    }

    /// Appends records for one group as one batch on its partition (page cache only; see
    /// [`OffsetsStore::wait_durable`]).
    pub fn append(&self, group: &str, writes: &[Write]) -> Result<Appended, StoreError> {
        let partition = self.partition_for(group);
        let replica = self
            .replicas
            .get(OFFSETS_TOPIC, partition)
            .ok_or(StoreError::NoPartition(partition))?;
        let epoch = replica.leading_epoch().ok_or(StoreError::NotLeader(partition))?;
        let now = util::now_ms();
        let batch = encode_batch(writes, now)?;
        let header = BatchHeader::parse(&batch).map_err(|e| StoreError::Encode(e.to_string()))?;
        let info = replica.log.append(&batch, &header, epoch, now)?;
        Ok(Appended {
            replica,
            end_offset: info.last_offset + 1,
        })
    }

    /// The leader epoch of `partition` when this broker leads it (it coordinates the groups
    /// there), else `None`.
    pub fn leader_epoch(&self, partition: i32) -> Option<i32> {
        self.replicas.get(OFFSETS_TOPIC, partition)?.leading_epoch()
    }

    /// Waits until an append is on disk (when the broker waits for fsync on acks=all) and the
    /// in-sync replicas have it.
    pub async fn wait_durable(&self, appended: Appended) -> Result<(), StoreError> {
        let log = &appended.replica.log;
        if log.config().flush_on_acks_all {
            self.flusher.wait_durable(Arc::clone(log), appended.end_offset).await?;
        }
        let mut hw = log.subscribe();
        let reached = tokio::time::timeout(COMMIT_TIMEOUT, hw.wait_for(|hw| *hw >= appended.end_offset)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            _ if !appended.replica.is_leader() => Err(StoreError::NotLeader(appended.replica.partition)),
            _ => Err(StoreError::NotReplicated(appended.replica.partition)),
        }
    }

    /// The records of one partition, in log order (this broker became its leader).
    pub fn load_partition(&self, partition: i32) -> Vec<(RecordKey, Option<Bytes>)> {
        let mut out = Vec::new();
        if let Some(log) = self.replicas.logs().get(OFFSETS_TOPIC, partition) {
            if let Err(e) = read_partition(&log, &mut out) {
                tracing::warn!(partition, error = %e, "could not read all of {OFFSETS_TOPIC}");
            }
        }
        out
    }
}

fn encode_batch(writes: &[Write], now: i64) -> Result<Bytes, StoreError> {
    let recs: Vec<Record> = writes
        .iter()
        .enumerate()
        .map(|(i, (key, value))| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            // The encoder starts a new batch when offset - sequence changes; keep it constant.
            sequence: i as i32 - 1,
            timestamp: now,
            key: Some(records::encode_key(key)),
            value: value.clone(),
            headers: Default::default(),
        })
        .collect();
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &recs,
        &RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        },
    )
    .map_err(|e| StoreError::Encode(e.to_string()))?;
    Ok(buf.freeze())
}

fn read_partition(log: &PartitionLog, out: &mut Vec<(RecordKey, Option<Bytes>)>) -> Result<(), LogError> {
    let mut offset = log.log_start_offset();
    let end = log.end_offset();
    while offset < end {
        let read = log.read(offset, 1 << 20, true)?;
        if read.records.is_empty() {
            break;
        }
        let mut next = offset;
        for (at, header) in BatchIter::new(&read.records) {
            next = header.last_offset() + 1;
            let mut batch = read.records.slice(at..at + header.size);
            let set = match RecordBatchDecoder::decode(&mut batch) {
                Ok(set) => set,
                Err(e) => {
                    tracing::warn!(offset = header.base_offset, error = %e, "skipping an undecodable {OFFSETS_TOPIC} batch");
                    continue;
                }
            };
            for r in set.records {
                if r.offset < offset || r.control {
                    continue;
                }
                let Some(key) = r.key else { continue };
                match records::decode_key(key) {
                    Ok(k) => out.push((k, r.value)),
                    Err(e) => tracing::warn!(offset = r.offset, error = %e, "skipping an unknown {OFFSETS_TOPIC} record"),
                }
            }
        }
        if next <= offset {
            break;
        }
        offset = next;
    }
    Ok(())
}
