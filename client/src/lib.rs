//! Kaskade's Kafka admin client, on `kafka-protocol` and tokio, shared by the operator and the
//! `kaskade` command-line tools. Why not rdkafka's AdminClient: it has no IncrementalAlterConfigs
//! and does not expose topic ids, both of which the Topic controller and `kaskade topics
//! --describe` need, and librdkafka's threads per client do not fit an operator that must stay
//! under 50 MB. One [`KafkaAdmin`] per cluster; its methods map onto one request each.
//!
//! Files: `client` (the handle: one connection, timeouts, reconnects), `connection` (framing,
//! ApiVersions), `versions` (which request version to send), `metadata` (the cluster's topics
//! and brokers), `topics`, `configs`, `error`; for consumer groups `groups` (coordinator, list,
//! describe, delete), `group_offsets` (committed offsets) and `offsets` (partition leaders,
//! ListOffsets); for members of a classic group with their own protocol type (Kafka Connect's
//! workers) `membership` (JoinGroup, SyncGroup, Heartbeat, LeaveGroup).

mod client;
mod configs;
mod connection;
mod error;
mod group_offsets;
mod groups;
mod membership;
mod metadata;
mod offsets;
mod strings;
mod topics;
mod versions;

pub use client::KafkaAdmin;
pub use configs::{AlterConfigOp, ConfigEntry, ConfigResourceType, ConfigSource, ConfigSynonym};
pub use error::{error_name, AdminError};
pub use group_offsets::CommittedOffset;
pub use groups::{decode_assignment, GroupDescription, GroupMember, GroupProtocol, ListedGroup};
pub use kafka_protocol::error::ResponseError;
pub use membership::{JoinGroup, JoinedGroup, JoinedMember, MembershipError, SyncGroup, SyncedGroup, NO_GENERATION, UNKNOWN_MEMBER_ID};
pub use metadata::{BrokerNode, ClusterMetadata, PartitionMetadata, TopicMetadata};
pub use offsets::{OffsetSpec, PartitionLeaders, TopicLeaders, TopicPartition};
pub use topics::{NewTopic, PartitionIncrease, TopicInfo};

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::KafkaAdmin;

    fn is_send<T: Send>(_: &T) {}

    /// Reconcile functions run on a multi-threaded runtime: every call's future must be `Send`.
    #[test]
    fn futures_are_send() {
        let admin = KafkaAdmin::new("localhost:9092", Duration::from_secs(1));
        let configs = BTreeMap::new();
        is_send(&admin.cluster_id());
        is_send(&admin.describe_topic("t"));
        is_send(&admin.create_topic("t", 1, 1, &configs));
        is_send(&admin.create_partitions("t", 2));
        is_send(&admin.topic_configs("t"));
        is_send(&admin.alter_topic_configs("t", &configs, &[]));
        is_send(&admin.delete_topic("t"));
        let join = super::JoinGroup {
            group_id: "g".into(),
            member_id: String::new(),
            group_instance_id: None,
            protocol_type: "connect".into(),
            protocols: vec![],
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(10),
            reason: None,
        };
        is_send(&admin.join_group(&join));
        let sync = super::SyncGroup {
            group_id: "g".into(),
            generation_id: 1,
            member_id: "m".into(),
            group_instance_id: None,
            protocol_type: "connect".into(),
            protocol_name: "sessioned".into(),
            assignments: vec![],
        };
        is_send(&admin.sync_group(&sync));
        is_send(&admin.heartbeat("g", 1, "m", None));
        is_send(&admin.leave_group("g", "m", None, None));
        is_send(&admin.group_coordinator("g"));
    }
}
