//! The leader-epoch check Fetch and ListOffsets share: a client that names a leader epoch other
//! than the partition's current one is told whether it is behind or ahead. With one replica the
//! epoch is always 0.

use kafka_protocol::error::ResponseError;

pub use crate::metadata::LEADER_EPOCH;

/// `Some(error code)` when the client's view of the leader epoch is wrong (-1 = not checked).
pub fn check(current_leader_epoch: i32) -> Option<i16> {
    if current_leader_epoch < 0 || current_leader_epoch == LEADER_EPOCH {
        None
    } else if current_leader_epoch < LEADER_EPOCH {
        Some(ResponseError::FencedLeaderEpoch.code())
    } else {
        Some(ResponseError::UnknownLeaderEpoch.code())
    }
}
