//! How failures read, in Kafka's words. Kafka's tool reports a broker's error code as the Java
//! exception the admin client throws for it (`org.apache.kafka.common.errors.GroupNotEmptyException:
//! The group is not empty.`), sometimes bare, sometimes wrapped; it prints runtime failures on
//! stdout as `Error: Executing consumer group command failed due to …` and usage errors on
//! stderr. [`Failure`] carries which of the two a failure is, and [`KafkaException`] the text.

use kaskade_client::{error_name, AdminError};

use crate::kafka_errors;

/// A Kafka error as the Java admin client raises it: the exception class and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaException {
    /// Fully qualified class name; empty for failures of our own (an unreachable broker), which
    /// have no Java counterpart and print as their message alone.
    pub class: String,
    pub message: String,
}

impl KafkaException {
    /// The exception for error `code`, with the broker's message when it sent one.
    pub fn from_code(code: i16, message: Option<&str>) -> KafkaException {
        let class = format!("org.apache.kafka.common.errors.{}", kafka_errors::class(code));
        let message = match message.filter(|m| !m.is_empty()) {
            Some(m) => m.to_string(),
            None => kafka_errors::default_message(code).map_or_else(|| error_name(code), str::to_string),
        };
        KafkaException { class, message }
    }

    /// A failure of our own (no Java class).
    pub fn plain(message: impl Into<String>) -> KafkaException {
        KafkaException {
            class: String::new(),
            message: message.into(),
        }
    }

    /// `Throwable.toString()`: `class: message` — what a wrapping exception's message shows.
    pub fn wrapped(&self) -> String {
        if self.class.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.class, self.message)
        }
    }

    /// The message of a `RuntimeException` wrapping an `ExecutionException` wrapping this one,
    /// as Kafka shows failures of calls it made through `KafkaFuture.get()` inside a lambda.
    /// Failures of our own stay their message alone.
    pub fn in_execution_exception(&self) -> String {
        if self.class.is_empty() {
            self.message.clone()
        } else {
            format!("java.util.concurrent.ExecutionException: {}", self.wrapped())
        }
    }

    /// `Errors.message()` / `Throwable.getMessage()`: the message alone.
    pub fn bare(&self) -> String {
        self.message.clone()
    }

    /// True when this is Kafka error `code`.
    pub fn is(&self, code: i16) -> bool {
        !self.class.is_empty() && self.class.ends_with(&format!(".{}", kafka_errors::class(code)))
    }
}

impl From<AdminError> for KafkaException {
    fn from(e: AdminError) -> KafkaException {
        match e {
            AdminError::Kafka { code, message, .. } => KafkaException::from_code(code, message.as_deref()),
            other => KafkaException::plain(other.to_string()),
        }
    }
}

/// Why the command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Invalid flags: Kafka prints the message (and its usage) on stderr and exits 1.
    Usage(String),
    /// Anything after the flags were accepted: Kafka prints
    /// `Error: Executing consumer group command failed due to {0}` on stdout.
    Runtime(String),
}

impl Failure {
    /// A failure whose text is the exception wrapped (`class: message`), as Kafka shows
    /// exceptions that reach it inside an `ExecutionException`.
    pub fn wrapped(e: impl Into<KafkaException>) -> Failure {
        Failure::Runtime(e.into().wrapped())
    }

    /// A failure whose text is the exception inside an `ExecutionException`, as Kafka shows
    /// what a future it waited on threw.
    pub fn in_execution(e: impl Into<KafkaException>) -> Failure {
        Failure::Runtime(e.into().in_execution_exception())
    }

    /// A failure whose text is the exception's message alone, as Kafka shows exceptions it
    /// unwrapped.
    pub fn bare(e: impl Into<KafkaException>) -> Failure {
        Failure::Runtime(e.into().bare())
    }
}

impl From<AdminError> for Failure {
    /// Admin calls reach Kafka's tool wrapped in an `ExecutionException`.
    fn from(e: AdminError) -> Failure {
        Failure::wrapped(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_kafkas_exceptions() {
        let e = KafkaException::from_code(68, None);
        assert_eq!(
            e.wrapped(),
            "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty."
        );
        let e = KafkaException::from_code(69, Some("Group g not found."));
        assert_eq!(
            e.wrapped(),
            "org.apache.kafka.common.errors.GroupIdNotFoundException: Group g not found."
        );
        assert_eq!(e.bare(), "Group g not found.");
        assert!(e.is(69));
        assert!(!e.is(68));
        // Java's `Errors.forCode` reads a code it does not know as UNKNOWN_SERVER_ERROR.
        let e = KafkaException::from_code(9999, None);
        assert_eq!(
            e.wrapped(),
            "org.apache.kafka.common.errors.UnknownServerException: UNKNOWN_ERROR_CODE_9999"
        );
    }

    #[test]
    fn our_own_failures_have_no_class() {
        let e: KafkaException = AdminError::Unreachable {
            address: "127.0.0.1:1".into(),
            reason: "Connection refused".into(),
        }
        .into();
        assert_eq!(e.wrapped(), "cannot reach Kafka at 127.0.0.1:1: Connection refused");
    }
}
