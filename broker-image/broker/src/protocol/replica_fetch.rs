//! The leader's side of a follower's Fetch that Kafka's consumers never see: whether the
//! follower's log diverged from this one (Fetch v12+'s `DivergingEpoch`), judged by the epoch of
//! the last batch it fetched.

use kafka_protocol::messages::fetch_response::EpochEndOffset;

use crate::storage::PartitionLog;

/// The epoch and end offset the follower must truncate to, when its last fetched epoch ends
/// before its fetch offset in this log (or this log does not know that epoch); `None` when its
/// log is a prefix of this one (or it has fetched nothing yet).
pub fn diverging(log: &PartitionLog, last_fetched_epoch: i32, fetch_offset: i64) -> Option<EpochEndOffset> {
    if last_fetched_epoch < 0 {
        return None;
    }
    let (epoch, end) = log.end_offset_for_epoch(last_fetched_epoch);
    if epoch == last_fetched_epoch && end >= fetch_offset {
        return None;
    }
    let mut d = EpochEndOffset::default();
    d.epoch = epoch;
    d.end_offset = end;
    Some(d)
}
