//! A partition as the metadata image holds it: its replicas (in preference order, the first
//! being the preferred leader), the in-sync replicas, the leader and its epoch, and the
//! partition epoch that every change bumps (Kafka's `PartitionRegistration`). Also the placer
//! that chooses replicas for new partitions.

use serde::{Deserialize, Serialize};

/// "No leader" in Metadata answers (Kafka's `NO_LEADER`).
pub const NO_LEADER: i32 = -1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionState {
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub leader: i32,
    pub leader_epoch: i32,
    pub partition_epoch: i32,
    /// Replicas being added by a reassignment (also in `replicas`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adding: Vec<i32>,
    /// Replicas being removed by a reassignment (also in `replicas`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removing: Vec<i32>,
}

impl PartitionState {
    /// A new partition: all replicas in sync, the first one leading, epochs at 0.
    pub fn new(replicas: Vec<i32>) -> Self {
        PartitionState {
            leader: replicas.first().copied().unwrap_or(NO_LEADER),
            isr: replicas.clone(),
            replicas,
            leader_epoch: 0,
            partition_epoch: 0,
            adding: Vec::new(),
            removing: Vec::new(),
        }
    }
}

/// Replicas for partitions `first..first + count` of a topic with replication factor `rf` on
/// `brokers` (sorted, at least `rf` of them): leaders striped across the brokers, each
/// partition's followers the brokers after its leader. Racks are not considered yet.
pub fn place(first: i32, count: i32, rf: usize, brokers: &[i32]) -> Vec<Vec<i32>> {
    let n = brokers.len().max(1);
    (first..first + count)
        .map(|p| (0..rf.min(brokers.len())).map(|i| brokers[(p as usize + i) % n]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_stripes_leaders_and_never_repeats_a_broker() {
        let placed = place(0, 6, 3, &[1, 2, 3]);
        let leaders: Vec<i32> = placed.iter().map(|r| r[0]).collect();
        assert_eq!(leaders, vec![1, 2, 3, 1, 2, 3]);
        for replicas in &placed {
            let mut sorted = replicas.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), 3);
        }
        assert_eq!(place(2, 1, 1, &[7]), vec![vec![7]]);
    }

    #[test]
    fn a_partition_from_before_replication_reads_as_led_by_its_one_replica() {
        let s = PartitionState::new(vec![4]);
        assert_eq!((s.leader, s.isr.clone(), s.leader_epoch), (4, vec![4], 0));
        let json = r#"{"replicas":[4],"isr":[4],"leader":4,"leader_epoch":0,"partition_epoch":0}"#;
        assert_eq!(serde_json::from_str::<PartitionState>(json).unwrap(), s);
    }
}
