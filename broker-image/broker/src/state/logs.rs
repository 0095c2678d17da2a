//! The partition-log operations request handlers call: find a partition, append a validated
//! batch (asking the flusher for an early flush when one is due), wait until an offset is on
//! disk (acks=all), wait until the in-sync replicas have it (acks=all), describe the log
//! directory, and the periodic maintenance (flush.ms, segment.ms rolls, retention).

use std::path::PathBuf;

use kafka_protocol::error::ResponseError;
use std::sync::Arc;
use std::time::Duration;

use super::{ApiError, Broker};
use crate::replication::Replica;
use crate::storage::batch::BatchHeader;
use crate::storage::disk_space::disk_space;
use crate::storage::{AppendInfo, FlushError, LogError, LogManager, PartitionLog};

/// The log directory as DescribeLogDirs reports it.
#[derive(Debug)]
pub struct LogDirReport {
    /// The directory, canonical when it can be resolved.
    pub dir: PathBuf,
    /// (topic, partition, bytes on disk) of each partition asked for.
    pub partitions: Vec<(String, i32, u64)>,
    /// The file system's total and usable bytes, when known.
    pub space: Option<(u64, u64)>,
}

impl Broker {
    /// The log of one partition this broker leads and its leader epoch (as the metadata image
    /// holds it), checked against the client's `current_leader_epoch` (-1: not checked); else
    /// Kafka's error code: unknown partition, a fenced or unknown epoch, or not the leader.
    pub fn leader_partition(&self, topic: &str, partition: i32, current_leader_epoch: i32) -> Result<(Arc<PartitionLog>, i32), i16> {
        let replica = self
            .replicas
            .get(topic, partition)
            .ok_or(ResponseError::UnknownTopicOrPartition.code())?;
        let epoch = replica.check_leader(current_leader_epoch)?;
        Ok((Arc::clone(&replica.log), epoch))
    }

    /// Appends one validated batch as the bytes the client sent. The batch is durable once
    /// [`Broker::wait_durable`] returns for its end offset (or when the flusher gets to it).
    pub fn append(
        &self,
        log: &Arc<PartitionLog>,
        records: &[u8],
        header: &BatchHeader,
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let info = log.append(records, header, leader_epoch, now_ms)?;
        if info.flush_due {
            self.flusher.request(Arc::clone(log));
        }
        Ok(info)
    }

    /// Waits until everything before `end_offset` of `log` is fsynced (grouped with other
    /// waiters by the flusher).
    pub async fn wait_durable(&self, log: &Arc<PartitionLog>, end_offset: i64) -> Result<(), FlushError> {
        self.flusher.wait_durable(Arc::clone(log), end_offset).await
    }

    /// Waits until the in-sync replicas have everything before `end_offset` of `replica`'s log
    /// (its high watermark reached it; at once for a partition with one replica), within
    /// `timeout`; fails early when this broker stops leading the partition. Then checks the ISR
    /// is still at least `min.insync.replicas`.
    pub async fn wait_replicated(&self, replica: &Replica, end_offset: i64, timeout: Duration) -> Result<(), ApiError> {
        let log = &replica.log;
        let mut hw = log.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if *hw.borrow_and_update() >= end_offset {
                break;
            }
            if !replica.is_leader() {
                return Err(ApiError::new(
                    ResponseError::NotLeaderOrFollower,
                    format!("this broker no longer leads {}-{}", log.topic, log.partition),
                ));
            }
            // A leadership change wakes this too (`Replica::update`).
            match tokio::time::timeout_at(deadline, hw.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    return Err(ApiError::new(
                        ResponseError::NotLeaderOrFollower,
                        format!("{}-{} was removed", log.topic, log.partition),
                    ))
                }
                Err(_) => {
                    return Err(ApiError::new(
                        ResponseError::RequestTimedOut,
                        format!(
                            "the in-sync replicas did not reach offset {end_offset} within {} ms",
                            timeout.as_millis()
                        ),
                    ))
                }
            }
        }
        match replica.isr_below_min(&log.topic) {
            Some(message) => Err(ApiError::new(ResponseError::NotEnoughReplicasAfterAppend, message)),
            None => Ok(()),
        }
    }

    /// The log directory and the size of each partition for which `wanted` is true.
    pub fn log_dir_report(&self, wanted: impl Fn(&str, i32) -> bool) -> LogDirReport {
        let partitions = self
            .logs
            .all()
            .into_iter()
            .filter(|log| wanted(&log.topic, log.partition))
            .map(|log| (log.topic.clone(), log.partition, log.size_bytes()))
            .collect();
        let root = self.logs.root();
        LogDirReport {
            dir: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            partitions,
            space: disk_space(root),
        }
    }

    /// How many partition logs are open.
    pub fn partition_count(&self) -> usize {
        self.logs.all().len()
    }

    /// `flush.ms` and `segment.ms` for every log (a roll lets an idle partition's data expire on
    /// time), and with `retention` the retention limits; returns the segments retention deleted.
    pub async fn maintain_logs(&self, now_ms: i64, retention: bool) -> usize {
        for log in self.logs.all() {
            if log.flush_overdue(now_ms) {
                self.flusher.request(Arc::clone(&log));
            }
            if let Err(e) = log.roll_if_due(now_ms) {
                tracing::warn!(topic = %log.topic, partition = log.partition, error = %e, "segment roll failed");
            }
        }
        if !retention {
            return 0;
        }
        let logs = Arc::clone(&self.logs);
        tokio::task::spawn_blocking(move || logs.run_retention(now_ms)).await.unwrap_or(0)
    }

    /// The log manager, for the server's wiring (the cleaner thread, the shutdown flush).
    pub(crate) fn log_manager(&self) -> &Arc<LogManager> {
        &self.logs
    }
}
