//! The leader-epoch check Fetch, ListOffsets and OffsetForLeaderEpoch share: a client that
//! names a leader epoch other than the partition's current one is told whether it is behind
//! (`FENCED_LEADER_EPOCH`) or ahead (`UNKNOWN_LEADER_EPOCH`).

use kafka_protocol::error::ResponseError;

/// `Some(error code)` when the client's view (`current`, -1 = not checked) of the partition's
/// leader epoch (`leader_epoch`) is wrong.
pub fn check(current: i32, leader_epoch: i32) -> Option<i16> {
    if current < 0 || current == leader_epoch {
        None
    } else if current < leader_epoch {
        Some(ResponseError::FencedLeaderEpoch.code())
    } else {
        Some(ResponseError::UnknownLeaderEpoch.code())
    }
}
