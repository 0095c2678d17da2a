//! The librdkafka client context of the console tools. librdkafka reports trouble (a refused
//! connection, all brokers down) as log lines and error events from its own threads; a tool
//! wants one clear line at the right moment instead, so this context keeps what it saw — the
//! latest failure text and whether every broker is down — for the tool to read, and prints
//! nothing itself (`KASKADE_LOG=librdkafka=debug` shows librdkafka's log lines).

use std::sync::Mutex;

use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::ClientContext;

#[derive(Debug, Default)]
struct Seen {
    all_brokers_down: bool,
    last_failure: Option<String>,
}

#[derive(Debug, Default)]
pub struct ToolContext {
    seen: Mutex<Seen>,
}

impl ToolContext {
    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an error librdkafka reported (from the error callback, or a consumer's poll).
    pub fn note_error(&self, code: Option<RDKafkaErrorCode>, reason: &str) {
        let mut seen = self.seen();
        match code {
            Some(RDKafkaErrorCode::AllBrokersDown) => seen.all_brokers_down = true,
            _ if !reason.is_empty() => seen.last_failure = Some(reason.to_string()),
            _ => {}
        }
    }

    /// Forgets "all brokers down" (after a broker answered).
    pub fn clear_brokers_down(&self) {
        self.seen().all_brokers_down = false;
    }

    pub fn all_brokers_down(&self) -> bool {
        self.seen().all_brokers_down
    }

    /// The text of the latest connection failure or error, e.g.
    /// `127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused ...`.
    pub fn last_failure(&self) -> Option<String> {
        self.seen().last_failure.clone()
    }
}

impl ClientContext for ToolContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        tracing::debug!(target: "librdkafka", "{fac} {log_message}");
        if fac == "FAIL" || (level as i32) <= (RDKafkaLogLevel::Error as i32) {
            self.seen().last_failure = Some(log_message.to_string());
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", "error {error}: {reason}");
        self.note_error(error.rdkafka_error_code(), reason);
    }
}

impl ConsumerContext for ToolContext {}
