//! Produce: each partition's batch is validated (magic, CRC, size, count) and appended as the
//! bytes the client sent; acks=all waits for the group-commit flusher; acks=0 gets no answer.

use std::sync::Arc;

use futures_util::future::join_all;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};
use kafka_protocol::protocol::StrBytes;

use crate::replication::Replica;
use crate::state::Broker;
use crate::storage::batch::{self, BatchError, MAGIC_OFFSET};
use crate::storage::LogError;
use crate::util;

fn partition_error(index: i32, e: ResponseError, message: Option<String>) -> PartitionProduceResponse {
    let mut r = PartitionProduceResponse::default();
    r.index = index;
    r.error_code = e.code();
    r.base_offset = -1;
    r.log_append_time_ms = -1;
    r.log_start_offset = -1;
    r.error_message = message.map(StrBytes::from_string);
    r
}

/// The error code for a failed append (the message goes along with it).
fn append_error_code(e: &LogError) -> ResponseError {
    match e {
        LogError::OutOfOrderSequence { .. } => ResponseError::OutOfOrderSequenceNumber,
        LogError::InvalidProducerEpoch { .. } => ResponseError::InvalidProducerEpoch,
        LogError::UnknownProducerId { .. } => ResponseError::UnknownProducerId,
        LogError::OffsetOutOfRange { .. } | LogError::Deleted(_) | LogError::Io(_) => ResponseError::KafkaStorageError,
        // Follower appends only; a client's batch never takes these paths.
        LogError::UnexpectedAppendOffset { .. } | LogError::CorruptReplicaBatch { .. } => ResponseError::CorruptMessage,
    }
}

fn batch_error_code(e: &BatchError) -> ResponseError {
    match e {
        BatchError::Crc { .. } | BatchError::Truncated | BatchError::Count { .. } => ResponseError::CorruptMessage,
        BatchError::TooLarge { .. } => ResponseError::MessageTooLarge,
        BatchError::Magic(_) | BatchError::NotOneBatch => ResponseError::InvalidRecord,
    }
}

/// A partition appended with acks=all, waiting for fsync (when the topic asks for it) and for
/// the in-sync replicas.
struct Appended {
    topic: usize,
    slot: usize,
    replica: Arc<Replica>,
    end_offset: i64,
    fsync: bool,
}

/// A produce request whose batches are appended, waiting to be answered.
pub struct Appending {
    acks: i16,
    timeout_ms: i32,
    resp: ProduceResponse,
    waiting: Vec<Appended>,
}

/// Validates and appends every partition's batch, synchronously. The connection calls this for
/// its requests in arrival order, so pipelined batches of one producer are appended in the
/// order they were sent (an idempotent producer's sequences depend on it); only the wait for
/// durability runs concurrently.
pub fn append(broker: &Arc<Broker>, req: ProduceRequest, version: i16) -> Appending {
    let acks = req.acks;
    let timeout_ms = req.timeout_ms;
    let mut resp = ProduceResponse::default();
    let mut waiting: Vec<Appended> = Vec::new();
    let now = util::now_ms();
    for (ti, topic_data) in req.topic_data.into_iter().enumerate() {
        let mut topic_resp = TopicProduceResponse::default();
        topic_resp.name = topic_data.name.clone();
        topic_resp.topic_id = topic_data.topic_id;
        let meta = if version >= 13 {
            broker.metadata().topic_by_id(topic_data.topic_id)
        } else {
            broker.metadata().topic(topic_data.name.0.as_str())
        };
        let unknown = if version >= 13 {
            ResponseError::UnknownTopicId
        } else {
            ResponseError::UnknownTopicOrPartition
        };
        for part in topic_data.partition_data {
            let slot = topic_resp.partition_responses.len();
            // Kafka's order: unknown partitions, then the magic, then acks, then the batch.
            let Some(replica) = meta.as_ref().and_then(|m| broker.replicas().get(&m.name, part.index)) else {
                topic_resp.partition_responses.push(partition_error(part.index, unknown, None));
                continue;
            };
            let Ok(leader_epoch) = replica.check_leader(-1) else {
                topic_resp
                    .partition_responses
                    .push(partition_error(part.index, ResponseError::NotLeaderOrFollower, None));
                continue;
            };
            let log = &replica.log;
            if meta.as_ref().is_some_and(|m| m.internal) {
                // Only the broker writes its internal topics (`__consumer_offsets`); Kafka sends
                // the code without a message.
                tracing::debug!(topic = %log.topic, "refused a client's append to an internal topic");
                topic_resp
                    .partition_responses
                    .push(partition_error(part.index, ResponseError::InvalidTopicException, None));
                continue;
            }
            let records = part.records.unwrap_or_default();
            let config = log.config();
            if records.len() > MAGIC_OFFSET && records[MAGIC_OFFSET] != 2 {
                topic_resp
                    .partition_responses
                    .push(partition_error(part.index, ResponseError::InvalidRecord, None));
                continue;
            }
            if !matches!(acks, -1..=1) {
                topic_resp
                    .partition_responses
                    .push(partition_error(part.index, ResponseError::InvalidRequiredAcks, None));
                continue;
            }
            if acks == -1 {
                if let Some(message) = replica.isr_below_min(&log.topic) {
                    topic_resp
                        .partition_responses
                        .push(partition_error(part.index, ResponseError::NotEnoughReplicas, Some(message)));
                    continue;
                }
            }
            let header = match batch::validate_produce(&records, config.max_message_bytes) {
                Ok(h) => h,
                Err(e) => {
                    // Kafka sends these codes without an error message; the reason is logged.
                    tracing::debug!(topic = %log.topic, partition = part.index, error = %e, "rejected batch");
                    topic_resp
                        .partition_responses
                        .push(partition_error(part.index, batch_error_code(&e), None));
                    continue;
                }
            };
            if let Some(msg) = timestamp_out_of_range(broker, &header, now) {
                topic_resp
                    .partition_responses
                    .push(partition_error(part.index, ResponseError::InvalidTimestamp, Some(msg)));
                continue;
            }
            if config.cleanup_compact {
                if let Some(r) = super::compacted_keys::reject_keyless(&log.topic, part.index, log.log_start_offset(), &records, &header) {
                    topic_resp.partition_responses.push(r);
                    continue;
                }
            }
            match broker.append(log, &records, &header, leader_epoch, now) {
                Ok(info) => {
                    let mut r = PartitionProduceResponse::default();
                    r.index = part.index;
                    r.base_offset = info.base_offset;
                    r.log_append_time_ms = -1;
                    r.log_start_offset = info.log_start_offset;
                    topic_resp.partition_responses.push(r);
                    if acks == -1 {
                        waiting.push(Appended {
                            topic: ti,
                            slot,
                            replica: Arc::clone(&replica),
                            end_offset: info.last_offset + 1,
                            fsync: config.flush_on_acks_all,
                        });
                    }
                }
                Err(e) => {
                    let code = append_error_code(&e);
                    if code == ResponseError::KafkaStorageError {
                        tracing::error!(topic = %log.topic, partition = part.index, error = %e, "append failed");
                    }
                    topic_resp
                        .partition_responses
                        .push(partition_error(part.index, code, Some(e.to_string())));
                }
            }
        }
        resp.responses.push(topic_resp);
    }
    Appending {
        acks,
        timeout_ms,
        resp,
        waiting,
    }
}

/// Waits for acks=all durability and builds the answer. `Ok(None)`: acks=0 and all went well,
/// no answer. `Err`: acks=0 with an error: as Kafka does, the connection is closed so the client
/// notices and refreshes its metadata.
pub async fn finish(broker: &Arc<Broker>, appending: Appending) -> Result<Option<ProduceResponse>, String> {
    let Appending {
        acks,
        timeout_ms,
        mut resp,
        waiting,
    } = appending;
    if acks == 0 {
        let failed = resp
            .responses
            .iter()
            .flat_map(|t| &t.partition_responses)
            .find(|p| p.error_code != 0);
        if let Some(p) = failed {
            return Err(format!(
                "acks=0 produce failed with error code {} on partition {}",
                p.error_code, p.index
            ));
        }
        return Ok(None);
    }
    let timeout = std::time::Duration::from_millis(timeout_ms.max(0) as u64);
    let results = join_all(waiting.iter().map(|w| async move {
        if w.fsync {
            broker
                .wait_durable(&w.replica.log, w.end_offset)
                .await
                .map_err(|e| (ResponseError::KafkaStorageError, e.to_string()))?;
        }
        broker.wait_replicated(&w.replica, w.end_offset, timeout).await.map_err(|e| {
            (
                ResponseError::try_from_code(e.code).unwrap_or(ResponseError::RequestTimedOut),
                e.message,
            )
        })
    }))
    .await;
    for (w, result) in waiting.iter().zip(results) {
        if let Err((code, message)) = result {
            let r = &mut resp.responses[w.topic].partition_responses[w.slot];
            *r = partition_error(r.index, code, Some(message));
        }
    }
    Ok(Some(resp))
}

/// Kafka's `log.message.timestamp.{before,after}.max.ms` checks for CreateTime batches.
fn timestamp_out_of_range(broker: &Broker, h: &batch::BatchHeader, now: i64) -> Option<String> {
    let after = broker.config().message_timestamp_after_max_ms;
    let before = broker.config().message_timestamp_before_max_ms;
    if h.max_timestamp >= 0 && h.max_timestamp.saturating_sub(now) > after {
        return Some(format!(
            "Timestamp {} of message with offset 0 is out of range. The timestamp should be within [{}, {}]",
            h.max_timestamp,
            now.saturating_sub(before),
            now.saturating_add(after)
        ));
    }
    if h.base_timestamp >= 0 && now.saturating_sub(h.base_timestamp) > before {
        return Some(format!("Timestamp {} of message with offset 0 is out of range.", h.base_timestamp));
    }
    None
}
