//! Which version of each request to send. kafka-protocol's `Request` trait needs the crate's
//! `broker` feature too, so the client side declares its own: the API key, the versions this
//! client can use (capped at what the tests ran against Apache Kafka 4.x and Kaskade), and the
//! response type. ApiVersions is asked once per connection; each call then uses the highest
//! version both sides serve.

use std::collections::HashMap;

use kafka_protocol::messages::api_versions_response::ApiVersionsResponse;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, CreatePartitionsRequest,
    CreatePartitionsResponse, CreateTopicsRequest, CreateTopicsResponse, DeleteGroupsRequest, DeleteGroupsResponse, DeleteTopicsRequest,
    DeleteTopicsResponse, DescribeConfigsRequest, DescribeConfigsResponse, DescribeGroupsRequest, DescribeGroupsResponse,
    DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, FindCoordinatorRequest, FindCoordinatorResponse, HeartbeatRequest,
    HeartbeatResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, JoinGroupRequest, JoinGroupResponse,
    LeaveGroupRequest, LeaveGroupResponse, ListGroupsRequest, ListGroupsResponse, ListOffsetsRequest, ListOffsetsResponse, MetadataRequest,
    MetadataResponse, OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest, OffsetDeleteResponse, OffsetFetchRequest,
    OffsetFetchResponse, SyncGroupRequest, SyncGroupResponse,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Message};

use super::error::AdminError;

/// A request this client sends.
pub(crate) trait AdminRequest: Message + Encodable + HeaderVersion {
    const KEY: ApiKey;
    /// Kafka's name of the API, for errors and logs.
    const NAME: &'static str;
    /// The lowest version this client can use (Metadata: v10, the first with topic ids).
    const MIN: i16;
    /// The highest version this client uses: tested against Apache Kafka 4.x and Kaskade.
    const MAX: i16;
    type Response: Decodable + HeaderVersion;
}

macro_rules! admin_request {
    ($req:ty, $resp:ty, $key:ident, $min:expr, $max:expr) => {
        impl AdminRequest for $req {
            const KEY: ApiKey = ApiKey::$key;
            const NAME: &'static str = stringify!($key);
            const MIN: i16 = $min;
            const MAX: i16 = $max;
            type Response = $resp;
        }
    };
}

admin_request!(ApiVersionsRequest, ApiVersionsResponse, ApiVersions, 3, 3);
admin_request!(MetadataRequest, MetadataResponse, Metadata, 10, 13);
admin_request!(CreateTopicsRequest, CreateTopicsResponse, CreateTopics, 2, 7);
admin_request!(CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitions, 0, 3);
admin_request!(DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopics, 1, 6);
admin_request!(DescribeConfigsRequest, DescribeConfigsResponse, DescribeConfigs, 1, 4);
admin_request!(
    DescribeTopicPartitionsRequest,
    DescribeTopicPartitionsResponse,
    DescribeTopicPartitions,
    0,
    0
);
admin_request!(
    IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse,
    IncrementalAlterConfigs,
    0,
    1
);

// Consumer groups and offsets (`kaskade consumer-groups`). Each file handles every version in
// its range: FindCoordinator v0-3 (one key) and v4+ (a batch), OffsetFetch v1-7 (one group)
// and v8+ (a batch of groups), ListGroups v4+ (states filter) and v5+ (types filter).
admin_request!(FindCoordinatorRequest, FindCoordinatorResponse, FindCoordinator, 0, 6);
admin_request!(ListGroupsRequest, ListGroupsResponse, ListGroups, 0, 5);
admin_request!(DescribeGroupsRequest, DescribeGroupsResponse, DescribeGroups, 0, 6);
admin_request!(
    ConsumerGroupDescribeRequest,
    ConsumerGroupDescribeResponse,
    ConsumerGroupDescribe,
    0,
    1
);
admin_request!(OffsetFetchRequest, OffsetFetchResponse, OffsetFetch, 1, 9);
admin_request!(OffsetCommitRequest, OffsetCommitResponse, OffsetCommit, 2, 9);
admin_request!(OffsetDeleteRequest, OffsetDeleteResponse, OffsetDelete, 0, 0);
admin_request!(DeleteGroupsRequest, DeleteGroupsResponse, DeleteGroups, 0, 2);
admin_request!(ListOffsetsRequest, ListOffsetsResponse, ListOffsets, 1, 10);

// Classic group membership (`membership`): from the versions with static membership
// (group.instance.id, Kafka 2.3) on, so a member's identity means the same on every broker.
// JoinGroup v4+ answers a new member MEMBER_ID_REQUIRED first; v7+ names the protocol type;
// SyncGroup v5+ carries protocol type and name; LeaveGroup v3+ is a batch of members.
admin_request!(JoinGroupRequest, JoinGroupResponse, JoinGroup, 5, 9);
admin_request!(SyncGroupRequest, SyncGroupResponse, SyncGroup, 3, 5);
admin_request!(HeartbeatRequest, HeartbeatResponse, Heartbeat, 3, 4);
admin_request!(LeaveGroupRequest, LeaveGroupResponse, LeaveGroup, 3, 5);

/// The version ApiVersions itself is sent with: v3 (flexible, with the client's software name)
/// is served by Kafka since 2.4 and by Kaskade.
pub(crate) const API_VERSIONS_VERSION: i16 = 3;

/// The version ranges one broker serves, from its ApiVersions answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Versions {
    served: HashMap<i16, (i16, i16)>,
}

impl Versions {
    pub(crate) fn from_response(resp: &ApiVersionsResponse) -> Versions {
        Versions {
            served: resp.api_keys.iter().map(|k| (k.api_key, (k.min_version, k.max_version))).collect(),
        }
    }

    /// The highest version of `R` both this client and the broker serve.
    pub(crate) fn pick<R: AdminRequest>(&self) -> Result<i16, AdminError> {
        let Some(&(broker_min, broker_max)) = self.served.get(&(R::KEY as i16)) else {
            return Err(AdminError::Protocol(format!("the broker does not serve {}", R::NAME)));
        };
        let low = broker_min.max(R::MIN).max(R::VERSIONS.min);
        let high = broker_max.min(R::MAX).min(R::VERSIONS.max);
        if low > high {
            return Err(AdminError::Protocol(format!(
                "the broker serves {} v{broker_min}..v{broker_max}, this client speaks v{}..v{}",
                R::NAME,
                R::MIN,
                R::MAX
            )));
        }
        Ok(high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::api_versions_response::ApiVersion;

    fn versions(entries: &[(ApiKey, i16, i16)]) -> Versions {
        let mut resp = ApiVersionsResponse::default();
        resp.api_keys = entries
            .iter()
            .map(|&(key, min, max)| {
                ApiVersion::default()
                    .with_api_key(key as i16)
                    .with_min_version(min)
                    .with_max_version(max)
            })
            .collect();
        Versions::from_response(&resp)
    }

    #[test]
    fn picks_the_highest_common_version() {
        let v = versions(&[
            (ApiKey::Metadata, 0, 13),
            (ApiKey::CreateTopics, 2, 5),
            (ApiKey::DeleteTopics, 1, 99),
        ]);
        assert_eq!(v.pick::<MetadataRequest>(), Ok(13));
        assert_eq!(v.pick::<CreateTopicsRequest>(), Ok(5));
        assert_eq!(v.pick::<DeleteTopicsRequest>(), Ok(6), "capped at what was tested");
    }

    #[test]
    fn metadata_without_topic_ids_is_refused() {
        let v = versions(&[(ApiKey::Metadata, 0, 9)]);
        let err = v.pick::<MetadataRequest>().unwrap_err();
        assert_eq!(
            err,
            AdminError::Protocol("the broker serves Metadata v0..v9, this client speaks v10..v13".into())
        );
    }

    #[test]
    fn group_membership_starts_at_static_membership() {
        let v = versions(&[
            (ApiKey::JoinGroup, 0, 4),
            (ApiKey::SyncGroup, 0, 5),
            (ApiKey::Heartbeat, 0, 4),
            (ApiKey::LeaveGroup, 0, 5),
        ]);
        assert!(matches!(v.pick::<JoinGroupRequest>(), Err(AdminError::Protocol(m)) if m.contains("v5..v9")));
        assert_eq!(v.pick::<SyncGroupRequest>(), Ok(5));
        assert_eq!(v.pick::<HeartbeatRequest>(), Ok(4));
        assert_eq!(v.pick::<LeaveGroupRequest>(), Ok(5));
    }

    #[test]
    fn an_api_not_served_is_an_error() {
        let v = versions(&[(ApiKey::Metadata, 0, 13)]);
        assert!(matches!(v.pick::<IncrementalAlterConfigsRequest>(), Err(AdminError::Protocol(m)) if m.contains("does not serve")));
    }
}
