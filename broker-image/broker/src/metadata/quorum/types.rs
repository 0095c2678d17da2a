//! The Raft type configuration of the metadata quorum: entries carry one metadata [`Record`],
//! applying one answers an [`Outcome`]; nodes are `node.id`s with their CONTROLLER listener's
//! address.

use std::io::Cursor;

use crate::metadata::records::{Outcome, Record};

openraft::declare_raft_types!(
    /// The metadata quorum's Raft types.
    pub TypeConfig:
        D = Record,
        R = Outcome,
);

pub type NodeId = u64;
pub type Node = openraft::BasicNode;
pub type Raft = openraft::Raft<TypeConfig>;
pub type Entry = openraft::Entry<TypeConfig>;
pub type LogId = openraft::LogId<NodeId>;
pub type Vote = openraft::Vote<NodeId>;
pub type StorageError = openraft::StorageError<NodeId>;
pub type StoredMembership = openraft::StoredMembership<NodeId, Node>;
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, Node>;
