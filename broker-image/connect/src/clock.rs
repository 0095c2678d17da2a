//! The wall clock as Kafka Connect reads it (`System.currentTimeMillis()`): record timestamps,
//! status and logger timestamps, the group's deadlines.

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
