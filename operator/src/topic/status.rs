//! A `Topic`'s status: one `Ready` condition, the observed generation and the topic id; what it
//! says while its cluster does not serve ([`waiting_for_cluster`]); and [`counted`], for the
//! numbers in its messages and events.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::cluster::serving::NotServing;
use crate::conditions::{self, Desired, Reason, READY};
use crate::crd::TopicStatus;

/// The status after a reconcile that ended `ready` (or not) for `reason`/`message`.
pub fn topic_status(
    generation: Option<i64>,
    previous: Option<&TopicStatus>,
    ready: bool,
    reason: Reason,
    message: String,
    topic_id: Option<String>,
    now: &Time,
) -> TopicStatus {
    let prev_conditions = previous.map(|p| p.conditions.as_slice()).unwrap_or(&[]);
    TopicStatus {
        conditions: conditions::build(
            vec![Desired {
                type_: READY,
                status: ready,
                reason,
                message,
            }],
            prev_conditions,
            generation,
            now,
        ),
        observed_generation: generation,
        topic_id: topic_id.or_else(|| previous.and_then(|p| p.topic_id.clone())),
    }
}

/// The status of a Topic whose cluster does not serve (starting, rolling, invalid): `None` keeps
/// the status it has, since what the last reconcile found in Kafka stays true while the brokers
/// roll (and no write, no event); a Topic that never reached its brokers (no `Ready` yet, or
/// `ClusterNotFound`/`ClusterNotReady`) says `Ready=False`, `ClusterNotReady`.
pub fn waiting_for_cluster(generation: Option<i64>, previous: Option<&TopicStatus>, why: &NotServing, now: &Time) -> Option<TopicStatus> {
    let was = previous.and_then(|p| conditions::find(&p.conditions, READY));
    let never_reached = [Reason::ClusterNotFound, Reason::ClusterNotReady].map(Reason::as_str);
    if was.is_some_and(|c| !never_reached.contains(&c.reason.as_str())) {
        return None;
    }
    let message = format!("waiting for KafkaCluster {} to serve: {}", why.cluster, why.why);
    Some(topic_status(
        generation,
        previous,
        false,
        Reason::ClusterNotReady,
        message,
        None,
        now,
    ))
}

/// `n` and `noun`, the noun in the plural unless `n` is 1: `1 partition`, `3 partitions`.
pub fn counted(n: impl Into<i64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    fn why() -> NotServing {
        NotServing {
            cluster: "dev".into(),
            why: "Ready=False, RollingUpdate".into(),
            detail: "0/1 brokers ready".into(),
        }
    }

    #[test]
    fn a_topic_that_reached_its_brokers_keeps_its_status_while_they_roll() {
        let ready = topic_status(Some(1), None, true, Reason::TopicReady, "ok".into(), Some("id".into()), &at(1));
        assert_eq!(waiting_for_cluster(Some(2), Some(&ready), &why(), &at(2)), None);
        let refused = topic_status(Some(1), None, false, Reason::InvalidConfig, "no".into(), None, &at(1));
        assert_eq!(waiting_for_cluster(Some(1), Some(&refused), &why(), &at(2)), None);
    }

    #[test]
    fn a_topic_that_never_reached_them_says_it_waits() {
        let s = waiting_for_cluster(Some(1), None, &why(), &at(5)).unwrap();
        let ready = &s.conditions[0];
        assert_eq!((ready.status.as_str(), ready.reason.as_str()), ("False", "ClusterNotReady"));
        assert_eq!(ready.message, "waiting for KafkaCluster dev to serve: Ready=False, RollingUpdate");
        assert_eq!((s.observed_generation, s.topic_id.clone()), (Some(1), None));
        // Once said, the same words again: no change, so no write.
        assert_eq!(waiting_for_cluster(Some(1), Some(&s), &why(), &at(9)), Some(s.clone()));
        let missing = topic_status(Some(1), None, false, Reason::ClusterNotFound, "gone".into(), None, &at(1));
        let s = waiting_for_cluster(Some(1), Some(&missing), &why(), &at(2)).unwrap();
        assert_eq!(s.conditions[0].reason, "ClusterNotReady");
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(1, "partition"), "1 partition");
        assert_eq!(counted(3, "partition"), "3 partitions");
        assert_eq!(counted(0, "config"), "0 configs");
        assert_eq!(counted(-1, "partition"), "-1 partitions");
    }
}
