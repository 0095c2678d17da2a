//! The leader's high watermark, as Kafka computes it: the smallest log end offset among the
//! in-sync replicas (the leader's own included). Until every in-sync follower has fetched once
//! under this leader, nothing is known about it and the high watermark does not move.

use std::collections::HashMap;

/// The high watermark the in-sync replicas `isr` allow, the leader `me` being at `leader_end`
/// and each follower having fetched from `follower_ends`; `None` while an in-sync follower has
/// not fetched yet.
pub fn from_isr(me: i32, leader_end: i64, isr: &[i32], follower_ends: &HashMap<i32, i64>) -> Option<i64> {
    isr.iter().try_fold(leader_end, |hw, id| {
        if *id == me {
            Some(hw)
        } else {
            follower_ends.get(id).map(|end| hw.min(*end))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slowest_in_sync_replica_sets_the_high_watermark() {
        let ends = HashMap::from([(2, 7), (3, 9)]);
        assert_eq!(from_isr(1, 10, &[1, 2, 3], &ends), Some(7));
        assert_eq!(
            from_isr(1, 10, &[1, 3], &ends),
            Some(9),
            "a replica out of the ISR does not hold it back"
        );
        assert_eq!(from_isr(1, 5, &[1, 2, 3], &ends), Some(5), "never past the leader's end");
        assert_eq!(from_isr(1, 10, &[1], &ends), Some(10), "alone, the leader's end");
    }

    #[test]
    fn a_follower_that_has_not_fetched_yet_holds_it() {
        let ends = HashMap::from([(2, 7)]);
        assert_eq!(from_isr(1, 10, &[1, 2, 3], &ends), None);
    }
}
