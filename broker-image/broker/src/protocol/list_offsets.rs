//! ListOffsets: the earliest, latest, max-timestamp, or first-at-or-after-a-timestamp offset of
//! each partition, as Kafka answers them.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::list_offsets_response::{ListOffsetsPartitionResponse, ListOffsetsTopicResponse};
use kafka_protocol::messages::{ListOffsetsRequest, ListOffsetsResponse};

use crate::state::Broker;
use crate::storage::PartitionLog;

/// Kafka's special timestamps.
pub const LATEST: i64 = -1;
pub const EARLIEST: i64 = -2;
pub const MAX_TIMESTAMP: i64 = -3;
pub const EARLIEST_LOCAL: i64 = -4;
pub const LATEST_TIERED: i64 = -5;
pub const EARLIEST_PENDING_UPLOAD: i64 = -6;

pub fn handle(broker: &Arc<Broker>, req: ListOffsetsRequest, version: i16) -> ListOffsetsResponse {
    let mut resp = ListOffsetsResponse::default();
    for topic in req.topics {
        let mut t = ListOffsetsTopicResponse::default();
        t.name = topic.name.clone();
        for p in topic.partitions {
            let mut r = ListOffsetsPartitionResponse::default();
            r.partition_index = p.partition_index;
            r.timestamp = -1;
            r.offset = -1;
            r.leader_epoch = -1;
            match broker.leader_partition(topic.name.0.as_str(), p.partition_index, p.current_leader_epoch) {
                Err(code) => r.error_code = code,
                Ok((log, _)) => lookup(&log, p.timestamp, &mut r),
            }
            if version < 4 {
                // The leader epoch only exists from v4 on.
                r.leader_epoch = -1;
            }
            t.partitions.push(r);
        }
        resp.topics.push(t);
    }
    resp
}

fn lookup(log: &PartitionLog, timestamp: i64, r: &mut ListOffsetsPartitionResponse) {
    let found = match timestamp {
        LATEST => Ok(Some((-1, log.high_watermark()))),
        EARLIEST | EARLIEST_LOCAL => Ok(Some((-1, log.log_start_offset()))),
        MAX_TIMESTAMP => log.max_timestamp_offset(),
        // Nothing is tiered: the "latest tiered" offset is -1 and nothing is pending upload.
        LATEST_TIERED | EARLIEST_PENDING_UPLOAD => Ok(Some((-1, -1))),
        t if t >= 0 => log.offset_for_timestamp(t),
        _ => {
            r.error_code = ResponseError::InvalidRequest.code();
            return;
        }
    };
    match found {
        Ok(Some((ts, offset))) => {
            r.timestamp = ts;
            r.offset = offset;
            // The epoch of the batch holding it (Kafka's `epochForOffset`), the latest for the end.
            r.leader_epoch = if offset >= 0 {
                log.epoch_for_offset(offset).unwrap_or(-1)
            } else {
                -1
            };
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(topic = %log.topic, partition = log.partition, error = %e, "offset lookup failed");
            r.error_code = ResponseError::KafkaStorageError.code();
        }
    }
}
