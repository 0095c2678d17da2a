//! Small helpers shared across layers: wall-clock time and Kafka's textual ids.

use base64::Engine;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Kafka prints UUIDs (cluster ids, topic ids) as URL-safe base64 without padding: 22 chars.
pub fn topic_id_string(id: uuid::Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// Parses Kafka's 22-character base64 form of a UUID.
pub fn parse_kafka_uuid(s: &str) -> Option<uuid::Uuid> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
    uuid::Uuid::from_slice(&bytes).ok()
}

/// A new random id the way Kafka makes them (`kafka-storage random-uuid`): never all zeros and
/// never starting with '-' when printed.
pub fn random_kafka_uuid() -> uuid::Uuid {
    loop {
        let id = uuid::Uuid::new_v4();
        if !topic_id_string(id).starts_with('-') {
            return id;
        }
    }
}

/// Java's `String.hashCode` (over UTF-16 units): Kafka places groups on `__consumer_offsets`
/// partitions with it, and its tools print `HashMap`s in an order that follows it.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}
