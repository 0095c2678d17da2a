//! A `Topic`'s status: one `Ready` condition, the observed generation and the topic id.

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
