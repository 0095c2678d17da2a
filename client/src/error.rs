//! Why an admin call failed, in the terms a reconciler acts on: the broker could not be reached
//! (retry with back-off), it did not answer in time, Kafka refused the request with an error code
//! (named as Kafka names it, e.g. `TOPIC_ALREADY_EXISTS`), or the bytes made no sense.

use kafka_protocol::error::ResponseError;
use kafka_protocol::protocol::StrBytes;

/// An admin call's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// No connection to the bootstrap address, or it broke mid-request.
    #[error("cannot reach Kafka at {address}: {reason}")]
    Unreachable { address: String, reason: String },
    /// Connected, but the broker did not answer within the request timeout.
    #[error("{api}: no answer from Kafka within the request timeout")]
    Timeout { api: &'static str },
    /// The broker answered with an error code.
    #[error("{api} failed: {name} (error code {code}){}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Kafka {
        api: &'static str,
        code: i16,
        name: String,
        message: Option<String>,
    },
    /// The broker's answer could not be decoded, or it serves none of the versions this client speaks.
    #[error("Kafka protocol error: {0}")]
    Protocol(String),
}

impl AdminError {
    /// The Kafka error code, when the broker answered with one.
    pub fn kafka_code(&self) -> Option<i16> {
        match self {
            AdminError::Kafka { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// True when the broker answered with this error.
    pub fn is(&self, error: ResponseError) -> bool {
        self.kafka_code() == Some(error.code())
    }

    /// True when trying again later may succeed: the broker is unreachable or slow, or Kafka
    /// marks the error code retriable.
    pub fn is_retriable(&self) -> bool {
        match self {
            AdminError::Unreachable { .. } | AdminError::Timeout { .. } => true,
            AdminError::Kafka { code, .. } => ResponseError::try_from_code(*code).is_some_and(|e| e.is_retriable()),
            AdminError::Protocol(_) => false,
        }
    }
}

/// Kafka's name of an error code (`Errors.java`): `UNKNOWN_TOPIC_OR_PARTITION` for 3.
pub fn error_name(code: i16) -> String {
    match ResponseError::try_from_code(code) {
        None => "NONE".to_string(),
        Some(ResponseError::Unknown(code)) => format!("UNKNOWN_ERROR_CODE_{code}"),
        Some(e) => screaming_snake(&e.to_string()),
    }
}

/// `UnknownTopicOrPartition` → `UNKNOWN_TOPIC_OR_PARTITION`.
fn screaming_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 8);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// `Ok(())` for error code 0, else the [`AdminError::Kafka`] for it.
pub(crate) fn check(api: &'static str, code: i16, message: Option<&StrBytes>) -> Result<(), AdminError> {
    if code == 0 {
        return Ok(());
    }
    Err(AdminError::Kafka {
        api,
        code,
        name: error_name(code),
        message: message.map(|m| m.to_string()).filter(|m| !m.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kafkas() {
        assert_eq!(error_name(0), "NONE");
        assert_eq!(error_name(-1), "UNKNOWN_SERVER_ERROR");
        assert_eq!(error_name(3), "UNKNOWN_TOPIC_OR_PARTITION");
        assert_eq!(error_name(36), "TOPIC_ALREADY_EXISTS");
        assert_eq!(error_name(37), "INVALID_PARTITIONS");
        assert_eq!(error_name(38), "INVALID_REPLICATION_FACTOR");
        assert_eq!(error_name(56), "KAFKA_STORAGE_ERROR");
        assert_eq!(error_name(9999), "UNKNOWN_ERROR_CODE_9999");
    }

    #[test]
    fn check_keeps_the_message() {
        let e = check("CreateTopics", 36, Some(&StrBytes::from_static_str("Topic 't' already exists."))).unwrap_err();
        assert!(e.is(ResponseError::TopicAlreadyExists));
        assert_eq!(
            e.to_string(),
            "CreateTopics failed: TOPIC_ALREADY_EXISTS (error code 36): Topic 't' already exists."
        );
        let e = check("DeleteTopics", 7, Some(&StrBytes::from_static_str(""))).unwrap_err();
        assert_eq!(e.to_string(), "DeleteTopics failed: REQUEST_TIMED_OUT (error code 7)");
        assert!(e.is_retriable());
        assert!(check("Metadata", 0, None).is_ok());
    }
}
