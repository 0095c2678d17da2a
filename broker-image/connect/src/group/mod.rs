//! Kafka Connect's group membership, without I/O: the bytes workers exchange through the group
//! coordinator (`protocol`: JoinGroup metadata and SyncGroup assignments, equal on the wire to
//! Apache Kafka Connect's, so Kaskade and Java workers can read each other's) and the leader's
//! incremental cooperative assignor (`assignor`: KIP-415's balancing with revocations and the
//! `scheduled.rebalance.max.delay.ms` grace period for workers that vanished).
//!
//! The membership loop that drives them (JoinGroup, SyncGroup and Heartbeat through
//! `kaskade_client`) is the worker's: it joins with [`metadata_protocols`], and when it leads,
//! decodes every member's metadata with [`decode_metadata`], runs [`leader_assignments`] and
//! hands the encoded assignments to SyncGroup. `member` sketches that loop as a pure state
//! machine ([`Member`]: events in, requests and start/stop actions out).

pub mod assignor;
pub mod member;
pub mod protocol;

#[cfg(test)]
mod assignor_tests;

pub use assignor::{
    assign, eager_assign, leader_assignments, AssignorInput, AssignorState, ClusterAssignment, ConnectorsAndTasks, LeaderAssignments,
    LeaderInput, MemberAssignment,
};
pub use member::{Action, Context, Event, Member, MemberConfig, Phase};
pub use protocol::{
    decode_assignment, decode_metadata, encode_assignment, encode_metadata, metadata_protocols, Assignment, ConnectProtocol,
    ConnectorTaskId, ProtocolError, WorkerState, CONFIG_MISMATCH, CONNECTOR_TASK, CONNECT_PROTOCOL_TYPE, NO_ERROR,
};
