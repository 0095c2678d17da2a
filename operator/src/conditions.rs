//! Status conditions in the `metav1.Condition` shape, set so that `lastTransitionTime` moves
//! only when a condition's status changes (so an unchanged resource gets an identical status).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// One condition to set: type, status, CamelCase reason and a human message.
pub struct Desired<'a> {
    pub type_: &'a str,
    pub status: bool,
    pub reason: &'a str,
    pub message: String,
}

/// Builds the condition list from `desired`, keeping the previous transition times.
pub fn build(desired: Vec<Desired<'_>>, previous: &[Condition], generation: Option<i64>, now: &Time) -> Vec<Condition> {
    desired
        .into_iter()
        .map(|d| {
            let status = if d.status { "True" } else { "False" }.to_string();
            let last_transition_time = previous
                .iter()
                .find(|c| c.type_ == d.type_ && c.status == status)
                .map(|c| c.last_transition_time.clone())
                .unwrap_or_else(|| now.clone());
            Condition {
                type_: d.type_.to_string(),
                status,
                reason: d.reason.to_string(),
                message: d.message,
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect()
}

/// The condition of `type_`, if present.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

#[cfg(test)]
mod tests {
    use super::{build, Desired};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use k8s_openapi::jiff::Timestamp;

    fn at(secs: i64) -> Time {
        Time(Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    fn ready(status: bool) -> Vec<Desired<'static>> {
        vec![Desired {
            type_: "Ready",
            status,
            reason: "R",
            message: "m".into(),
        }]
    }

    #[test]
    fn transition_time_moves_only_with_status() {
        let first = build(ready(false), &[], Some(1), &at(10));
        let same = build(ready(false), &first, Some(2), &at(20));
        assert_eq!(same[0].last_transition_time, at(10));
        assert_eq!(same[0].observed_generation, Some(2));
        let flipped = build(ready(true), &same, Some(2), &at(30));
        assert_eq!(flipped[0].last_transition_time, at(30));
        assert_eq!(flipped[0].status, "True");
    }
}
