//! Kafka refuses records without a key on a compacted topic (`LogValidator.validateKey`): the
//! partition answers INVALID_RECORD with one record error per keyless record and Kafka's
//! summary message. Only batches for compacted topics are looked into (decompressed if need
//! be); every other topic's batches are stored without reading their records.

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::produce_response::{BatchIndexAndErrorMessage, PartitionProduceResponse};
use kafka_protocol::protocol::StrBytes;

use crate::storage::batch::BatchHeader;
use crate::storage::records;

/// `None` when every record has a key; otherwise the partition's error answer (which, as
/// Kafka's, carries the log start offset).
pub fn reject_keyless(
    topic: &str,
    partition: i32,
    log_start_offset: i64,
    batch: &[u8],
    header: &BatchHeader,
) -> Option<PartitionProduceResponse> {
    let mut r = PartitionProduceResponse::default();
    r.index = partition;
    r.base_offset = -1;
    r.log_append_time_ms = -1;
    r.log_start_offset = log_start_offset;
    let keyless = match records::keyless_records(batch, header) {
        Ok(k) if k.is_empty() => return None,
        Ok(k) => k,
        Err(e) => {
            tracing::debug!(topic, partition, error = %e, "undecodable batch for a compacted topic");
            r.error_code = ResponseError::CorruptMessage.code();
            return Some(r);
        }
    };
    let message = format!("Compacted topic cannot accept message without key in topic partition {topic}-{partition}");
    let shown: Vec<String> = keyless
        .iter()
        .take(3)
        .map(|i| format!("RecordError(batchIndex={i}, message='{message}')"))
        .collect();
    r.error_code = ResponseError::InvalidRecord.code();
    r.error_message = Some(StrBytes::from_string(format!(
        "One or more records have been rejected due to {} record errors in total, and only showing the first three errors at most: [{}]",
        keyless.len(),
        shown.join(", ")
    )));
    r.record_errors = keyless
        .iter()
        .map(|i| {
            let mut e = BatchIndexAndErrorMessage::default();
            e.batch_index = *i as i32;
            e.batch_index_error_message = Some(StrBytes::from_string(message.clone()));
            e
        })
        .collect();
    Some(r)
}
