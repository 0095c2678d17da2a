//! The operator's Kafka admin client, on `kafka-protocol` and tokio. Why not rdkafka's
//! AdminClient: it has no IncrementalAlterConfigs and does not expose topic ids, both of which
//! the Topic controller needs, and librdkafka's threads per client do not fit an operator that
//! must stay under 50 MB. One [`KafkaAdmin`] per cluster; its methods map onto one request each.
//!
//! Files: `client` (the handle: one connection, timeouts, reconnects), `connection` (framing,
//! ApiVersions), `versions` (which request version to send), `topics`, `configs`, `error`.

mod client;
mod configs;
mod connection;
mod error;
mod topics;
mod versions;

pub use client::KafkaAdmin;
pub use error::{error_name, AdminError};
pub use kafka_protocol::error::ResponseError;
pub use topics::TopicInfo;
