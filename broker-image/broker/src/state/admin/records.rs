//! DeleteRecords: moving a partition's log start offset forward, as Kafka's leader does. Whole
//! segments below the new start are deleted; the start itself is checkpointed so it survives a
//! restart, and Fetch below it answers OFFSET_OUT_OF_RANGE.

use kafka_protocol::error::ResponseError;

use crate::state::Broker;
use crate::storage::LogError;

/// DeleteRecords' "up to the high watermark".
pub const HIGH_WATERMARK: i64 = -1;

impl Broker {
    /// Deletes the records of a partition below `offset` (-1: the high watermark). Returns the
    /// new low watermark (log start offset), or the Kafka error code.
    pub fn delete_records(&self, topic: &str, partition: i32, offset: i64) -> Result<i64, ResponseError> {
        let (log, _) = self
            .leader_partition(topic, partition, -1)
            .map_err(|code| ResponseError::try_from_code(code).unwrap_or(ResponseError::UnknownTopicOrPartition))?;
        let deletable = self.metadata.topic(topic).is_some_and(|t| {
            crate::topic_configs::describe(self, &t.configs)
                .iter()
                .find(|e| e.name == "cleanup.policy")
                .and_then(|e| e.value.as_deref())
                .is_none_or(|v| v.split(',').any(|p| p.trim() == "delete"))
        });
        if !deletable {
            return Err(ResponseError::PolicyViolation);
        }
        let offset = if offset == HIGH_WATERMARK { log.high_watermark() } else { offset };
        match log.delete_records_before(offset) {
            Ok(low) => {
                tracing::info!(topic, partition, low_watermark = low, "deleted records");
                Ok(low)
            }
            Err(LogError::OffsetOutOfRange { .. }) => Err(ResponseError::OffsetOutOfRange),
            Err(LogError::Deleted(_)) => Err(ResponseError::UnknownTopicOrPartition),
            Err(e) => {
                tracing::error!(topic, partition, error = %e, "delete records failed");
                Err(ResponseError::KafkaStorageError)
            }
        }
    }
}
