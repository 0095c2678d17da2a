//! Consumer groups, the classic protocol: the coordinator that runs each group's rebalances
//! (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and keeps committed offsets, both persisted in
//! the internal compacted topic `__consumer_offsets` in Kafka's own record format. Any protocol
//! type works (`consumer` for clients, `connect` for Connect workers): the coordinator only
//! picks the protocol; members compute assignments themselves.

pub mod config;
pub mod coordinator;
pub mod member;
pub mod records;
pub mod state_machine;
pub mod store;
pub mod subscription;

pub use config::GroupConfig;
pub use coordinator::{FetchedOffset, GroupCoordinator, GroupListing, GroupSummary, MemberSummary};
pub use records::OffsetValue;
pub use state_machine::{GroupState, JoinParams};
pub use store::{OffsetsStore, OFFSETS_TOPIC};

#[cfg(test)]
mod state_machine_tests;

#[cfg(test)]
mod coordinator_tests;
