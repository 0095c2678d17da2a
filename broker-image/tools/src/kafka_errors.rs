//! How Kafka's tools word a failed admin call: the message of the Java exception the admin
//! client throws (the broker's error message, or Kafka's default text for the error code when
//! the broker sent none), and the exception's class for the log line under it.

use kaskade_client::{AdminError, ResponseError};

/// The exception message Kafka's admin client would carry for this failure.
pub fn message(e: &AdminError) -> String {
    match e {
        AdminError::Kafka { code, message, .. } => match message {
            Some(m) => m.clone(),
            None => default_message(*code).map_or_else(|| e.to_string(), str::to_string),
        },
        other => other.to_string(),
    }
}

/// `org.apache.kafka.common.errors.TopicExistsException: Topic 'x' already exists.` for a Kafka
/// error; our own wording for a broker that cannot be reached or answers nonsense.
pub fn exception(e: &AdminError) -> String {
    match e {
        AdminError::Kafka { code, .. } => format!("org.apache.kafka.common.errors.{}: {}", class(*code), message(e)),
        other => other.to_string(),
    }
}

/// The simple name of the exception class Kafka's `Errors` maps a code to.
pub fn class(code: i16) -> String {
    let Some(error) = ResponseError::try_from_code(code) else {
        return "ApiException".to_string();
    };
    let special = match error {
        ResponseError::TopicAlreadyExists => "TopicExistsException",
        ResponseError::InvalidConfig => "InvalidConfigurationException",
        ResponseError::InvalidTopicException => "InvalidTopicException",
        ResponseError::RequestTimedOut => "TimeoutException",
        ResponseError::UnknownServerError => "UnknownServerException",
        ResponseError::TopicAuthorizationFailed => "TopicAuthorizationException",
        ResponseError::ClusterAuthorizationFailed => "ClusterAuthorizationException",
        ResponseError::GroupAuthorizationFailed => "GroupAuthorizationException",
        ResponseError::NonEmptyGroup => "GroupNotEmptyException",
        ResponseError::Unknown(_) => "UnknownServerException",
        _ => "",
    };
    if special.is_empty() {
        format!("{error}Exception")
    } else {
        special.to_string()
    }
}

/// Kafka's default message (`Errors.java`) for the codes the tools meet.
pub fn default_message(code: i16) -> Option<&'static str> {
    Some(match ResponseError::try_from_code(code)? {
        ResponseError::UnknownServerError => "The server experienced an unexpected error when processing the request.",
        ResponseError::UnknownTopicOrPartition => "This server does not host this topic-partition.",
        ResponseError::LeaderNotAvailable => {
            "There is no leader for this topic-partition as we are in the middle of a leadership election."
        }
        ResponseError::RequestTimedOut => "The request timed out.",
        ResponseError::InvalidTopicException => "The request attempted to perform an operation on an invalid topic.",
        ResponseError::TopicAuthorizationFailed => "Topic authorization failed.",
        ResponseError::ClusterAuthorizationFailed => "Cluster authorization failed.",
        ResponseError::UnsupportedVersion => "The version of API is not supported.",
        ResponseError::TopicAlreadyExists => "Topic with this name already exists.",
        ResponseError::InvalidPartitions => "Number of partitions is below 1.",
        ResponseError::InvalidReplicationFactor => "Replication factor is below 1 or larger than the number of available brokers.",
        ResponseError::InvalidReplicaAssignment => "Replica assignment is invalid.",
        ResponseError::InvalidConfig => "Configuration is invalid.",
        ResponseError::NotController => "This is not the correct controller for this cluster.",
        ResponseError::InvalidRequest => {
            "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details."
        }
        ResponseError::PolicyViolation => "Request parameters do not satisfy the configured policy.",
        ResponseError::TopicDeletionDisabled => "Topic deletion is disabled.",
        ResponseError::ThrottlingQuotaExceeded => "The throttling quota has been exceeded.",
        ResponseError::UnknownTopicId => "This server does not host this topic ID.",
        ResponseError::NotLeaderOrFollower => {
            "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."
        }
        ResponseError::CoordinatorLoadInProgress => "The coordinator is loading and hence can't process requests.",
        ResponseError::CoordinatorNotAvailable => "The coordinator is not available.",
        ResponseError::NotCoordinator => "This is not the correct coordinator.",
        ResponseError::IllegalGeneration => "Specified group generation id is not valid.",
        ResponseError::InvalidGroupId => "The configured groupId is invalid.",
        ResponseError::UnknownMemberId => "The coordinator is not aware of this member.",
        ResponseError::RebalanceInProgress => "The group is rebalancing, so a rejoin is needed.",
        ResponseError::GroupAuthorizationFailed => "Group authorization failed.",
        ResponseError::NonEmptyGroup => "The group is not empty.",
        ResponseError::GroupIdNotFound => "The group id does not exist.",
        ResponseError::GroupSubscribedToTopic => {
            "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it."
        }
        ResponseError::StaleMemberEpoch => "The member epoch is stale.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kafka(code: i16, message: Option<&str>) -> AdminError {
        AdminError::Kafka {
            api: "CreateTopics",
            code,
            name: kaskade_client::error_name(code),
            message: message.map(str::to_string),
        }
    }

    #[test]
    fn broker_message_or_kafkas_default() {
        let e = kafka(36, Some("Topic 'x' already exists."));
        assert_eq!(message(&e), "Topic 'x' already exists.");
        assert_eq!(
            exception(&e),
            "org.apache.kafka.common.errors.TopicExistsException: Topic 'x' already exists."
        );
        let e = kafka(3, None);
        assert_eq!(message(&e), "This server does not host this topic-partition.");
        assert_eq!(
            exception(&e),
            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition."
        );
        assert_eq!(class(37), "InvalidPartitionsException");
    }

    #[test]
    fn our_own_failures_keep_our_words() {
        let e = AdminError::Unreachable {
            address: "h:1".into(),
            reason: "refused".into(),
        };
        assert_eq!(message(&e), "cannot reach Kafka at h:1: refused");
    }
}
