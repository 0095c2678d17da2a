//! Kaskade's Kafka-compatible broker: a single node that speaks the Kafka wire protocol over a
//! durable, segment-based log. Layers, top to bottom: `connection` (frames, ordered responses)
//! → `protocol` (one handler per API) → `state` (broker-wide operations) → `metadata` and
//! `storage` (which know nothing of sockets).

pub mod config;
pub mod connection;
pub mod connection_limits;
pub mod group;
pub mod meta_properties;
pub mod metadata;
pub mod protocol;
pub mod replication;
pub mod server;
pub mod state;
pub mod storage;
pub mod topic_configs;
pub mod util;

pub use config::BrokerConfig;
pub use server::{start, RunningBroker, StartError};
pub use state::admin;
