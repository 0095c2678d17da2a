//! Partition leadership when brokers come and go, applied with the records that fence and
//! register them (so it is part of the pure apply: every node elects the same leader). Kafka's
//! controller rules: a fenced broker leaves every ISR it is in, except as the last member (which
//! keeps the knowledge of who has the data); a partition it led gets the first live ISR member
//! in replica order as leader, or, with `unclean.leader.election.enable`, any live replica, or
//! no leader; a broker heard from again leads the leaderless partitions whose ISR it is in.
//! A leader change bumps the leader epoch; every change bumps the partition epoch. A partition
//! with one replica has nobody to move to and is left as it is.

use super::partition::{PartitionState, NO_LEADER};
use super::TopicMeta;

/// The topic config that allows electing a replica outside the ISR (data loss).
pub const UNCLEAN_KEY: &str = "unclean.leader.election.enable";

fn unclean_allowed(topic: &TopicMeta, cluster_default: Option<&str>) -> bool {
    topic.configs.get(UNCLEAN_KEY).map(String::as_str).or(cluster_default) == Some("true")
}

/// Broker `gone` is fenced (or its old run replaced): it leaves the ISRs and leadership moves
/// off it to brokers for which `live` holds. Returns whether the topic changed.
pub fn broker_lost(topic: &mut TopicMeta, gone: i32, live: &dyn Fn(i32) -> bool, cluster_unclean: Option<&str>) -> bool {
    let unclean = unclean_allowed(topic, cluster_unclean);
    let mut changed = false;
    for s in &mut topic.partition_states {
        if s.replicas.len() <= 1 || !s.replicas.contains(&gone) {
            continue;
        }
        let in_isr = s.isr.contains(&gone);
        if in_isr && s.isr.len() > 1 {
            s.isr.retain(|b| *b != gone);
        }
        if s.leader == gone {
            elect(s, live, unclean);
        } else if in_isr {
            s.partition_epoch += 1;
        } else {
            continue;
        }
        changed = true;
    }
    changed
}

/// Broker `back` is live again: leaderless partitions it can lead (in the ISR, or any replica
/// when unclean election is allowed) get it as leader. Returns whether the topic changed.
pub fn broker_back(topic: &mut TopicMeta, back: i32, live: &dyn Fn(i32) -> bool, cluster_unclean: Option<&str>) -> bool {
    let unclean = unclean_allowed(topic, cluster_unclean);
    let mut changed = false;
    for s in &mut topic.partition_states {
        if s.leader == NO_LEADER && s.replicas.contains(&back) {
            elect(s, live, unclean);
            changed |= s.leader != NO_LEADER;
        }
    }
    changed
}

/// Chooses a new leader among the live ISR members (in replica order), else with `unclean`
/// any live replica (which becomes the whole ISR), else none; bumps both epochs.
fn elect(s: &mut PartitionState, live: &dyn Fn(i32) -> bool, unclean: bool) {
    let from_isr = s.replicas.iter().copied().find(|b| s.isr.contains(b) && live(*b));
    let leader = match from_isr {
        Some(b) => b,
        None => match s.replicas.iter().copied().find(|b| live(*b)).filter(|_| unclean) {
            Some(b) => {
                s.isr = vec![b];
                b
            }
            None => NO_LEADER,
        },
    };
    if leader != s.leader {
        s.leader = leader;
        s.leader_epoch += 1;
    }
    s.partition_epoch += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(replicas: Vec<Vec<i32>>) -> TopicMeta {
        let mut t = TopicMeta::for_test("t", replicas.len() as i32);
        t.partition_states = replicas.into_iter().map(PartitionState::new).collect();
        t
    }

    #[test]
    fn a_lost_leader_is_replaced_by_the_next_live_isr_member() {
        let mut t = topic(vec![vec![1, 2, 3], vec![2, 3, 1]]);
        let live = |b: i32| b != 1;
        assert!(broker_lost(&mut t, 1, &live, None));
        let p0 = &t.partition_states[0];
        assert_eq!(
            (p0.leader, p0.leader_epoch, p0.partition_epoch, p0.isr.clone()),
            (2, 1, 1, vec![2, 3])
        );
        let p1 = &t.partition_states[1];
        assert_eq!(
            (p1.leader, p1.leader_epoch, p1.partition_epoch, p1.isr.clone()),
            (2, 0, 1, vec![2, 3]),
            "a follower leaving the ISR keeps the leader epoch"
        );
    }

    #[test]
    fn the_last_isr_member_stays_and_leads_again_when_back() {
        let mut t = topic(vec![vec![1, 2]]);
        t.partition_states[0].isr = vec![1];
        assert!(broker_lost(&mut t, 1, &|b| b == 2, None));
        let p = &t.partition_states[0];
        assert_eq!(
            (p.leader, p.isr.clone(), p.leader_epoch),
            (NO_LEADER, vec![1], 1),
            "no clean leader"
        );
        assert!(broker_back(&mut t, 1, &|_| true, None));
        let p = &t.partition_states[0];
        assert_eq!((p.leader, p.leader_epoch), (1, 2));
    }

    #[test]
    fn unclean_election_takes_any_live_replica_only_when_enabled() {
        let mut t = topic(vec![vec![1, 2]]);
        t.partition_states[0].isr = vec![1];
        t.configs.insert(UNCLEAN_KEY.into(), "true".into());
        broker_lost(&mut t, 1, &|b| b == 2, None);
        let p = &t.partition_states[0];
        assert_eq!((p.leader, p.isr.clone()), (2, vec![2]));
        let mut t = topic(vec![vec![1, 2]]);
        t.partition_states[0].isr = vec![1];
        broker_lost(&mut t, 1, &|b| b == 2, Some("true"));
        assert_eq!(t.partition_states[0].leader, 2, "the cluster-wide dynamic default");
    }

    #[test]
    fn single_replica_partitions_and_other_brokers_partitions_do_not_change() {
        let mut t = topic(vec![vec![1], vec![2, 3]]);
        assert!(!broker_lost(&mut t, 1, &|b| b != 1, None));
        assert_eq!(t.partition_states[0].leader_epoch, 0);
    }
}
