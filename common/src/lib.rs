//! Kafka's and Java's small conventions, in one crate that depends on nothing heavy, so the
//! broker, the `kaskade` tools and the Connect worker agree on them without depending on each
//! other: Java `.properties` files, Java client properties carried over to librdkafka, Java's
//! `String.hashCode` and `HashMap` iteration order, Kafka's base64 UUID text and topic-name rules.

pub mod client_props;
pub mod java;
pub mod kafka_uuid;
pub mod properties;
pub mod topic_name;
