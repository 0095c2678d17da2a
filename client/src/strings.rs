//! The protocol's string types built from `&str`: every request names topics, groups or
//! configs, and `kafka-protocol` wants them as `StrBytes` newtypes.

use kafka_protocol::messages::{GroupId, TopicName};
use kafka_protocol::protocol::StrBytes;

pub(crate) fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

pub(crate) fn topic_name(name: &str) -> TopicName {
    TopicName(str_bytes(name))
}

pub(crate) fn group_id(id: &str) -> GroupId {
    GroupId(str_bytes(id))
}
