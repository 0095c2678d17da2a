//! A `Topic`'s status: one `Ready` condition, the observed generation and the topic id; and
//! [`counted`], for the numbers in its messages and events.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

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
    use super::counted;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(1, "partition"), "1 partition");
        assert_eq!(counted(3, "partition"), "3 partitions");
        assert_eq!(counted(0, "config"), "0 configs");
        assert_eq!(counted(-1, "partition"), "-1 partitions");
    }
}
