//! The `KafkaCluster` status, computed purely from what the reconciler saw: the validation outcome,
//! the observed StatefulSet and the previous status. Conditions follow the Kubernetes conventions
//! (metav1.Condition: CamelCase reasons, `observedGeneration`, `lastTransitionTime` moving only when
//! a condition's status flips) in the `Ready` / `Progressing` / `Degraded` triad:
//!
//! | situation                             | Ready          | Progressing | Degraded | reason                       |
//! |---------------------------------------|----------------|-------------|----------|------------------------------|
//! | spec invalid or not supported         | False          | False       | True     | `InvalidSpec`/`NotSupported` |
//! | StatefulSet absent or not yet started | False          | True        | False    | `BrokersStarting`            |
//! | brokers starting, never all ready     | False          | True        | False    | `BrokersStarting`            |
//! | a new pod template rolling out        | all ready?     | True        | False    | `RollingUpdate`              |
//! | every broker ready                    | True           | False       | False    | `BrokersReady`               |
//! | brokers lost after being ready        | False          | False       | True     | `BrokersUnavailable`         |
//!
//! With `spec.connect`, the brokers come first; once they are all ready the Connect workers
//! decide: fewer ready workers than asked for is `ConnectStarting` (Progressing), or
//! `ConnectUnavailable` (Degraded) when they were all ready before; a Deployment rolling out a new
//! template is `RollingUpdate`.
//!
//! A bad spec is `Degraded=True` and `Progressing=False` rather than "still progressing": the
//! operator will not make progress on its own, so it is a stalled state that needs a person (what
//! kstatus calls Stalled and OpenShift's cluster operators report as Degraded), and tools waiting
//! on `Progressing` stop waiting. Losing brokers that were ready is likewise `Degraded`; a broker
//! that has not yet been ready since creation or since a rollout is still starting. There is no
//! progress deadline yet: a pod that never becomes ready keeps the cluster `BrokersStarting`.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet, StatefulSetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::names;
use super::validate::{SpecProblem, ValidCluster};
use crate::conditions::{self, Desired, Reason, READY};
use crate::crd::KafkaClusterStatus;

pub const PROGRESSING: &str = "Progressing";
pub const DEGRADED: &str = "Degraded";

/// The status for `generation` of a cluster. `outcome` is what `validate` said; `statefulset` the
/// observed `NAME-broker`, if any, and `deployment` the observed `NAME-connect`; `previous` the current status (for transition times, and to
/// tell brokers starting from brokers lost); `cluster_id` the id the brokers report, `None`
/// keeping the previous one. `bootstrapServers` is set for a valid spec, and kept from `previous`
/// for an invalid one while the brokers of the last valid spec still run.
pub fn cluster_status(
    generation: Option<i64>,
    outcome: Result<&ValidCluster, &SpecProblem>,
    statefulset: Option<&StatefulSet>,
    deployment: Option<&Deployment>,
    previous: Option<&KafkaClusterStatus>,
    now: &Time,
    cluster_id: Option<String>,
) -> KafkaClusterStatus {
    let observed = statefulset.and_then(|s| s.status.as_ref().map(|st| (s, st)));
    let ready = observed.and_then(|(_, st)| st.ready_replicas).unwrap_or(0);
    let connect_ready = deployment
        .and_then(|d| d.status.as_ref())
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let (connect_url, connect_ready_replicas) = match outcome {
        Ok(cluster) if cluster.connect.is_some() => (Some(names::connect_url(&cluster.name, &cluster.namespace)), Some(connect_ready)),
        Ok(_) => (None, None),
        // An invalid edit keeps reporting the workers of the last valid spec while they run.
        Err(_) => (
            deployment.and(previous.and_then(|p| p.connect_url.clone())),
            deployment.map(|_| connect_ready),
        ),
    };
    let (triad, bootstrap) = match outcome {
        Err(problem) => {
            let reason = problem.reason;
            let waiting = "nothing is rolled out until the spec is fixed";
            let triad = [
                (false, reason, problem.message.clone()),
                (false, reason, waiting.into()),
                (true, reason, problem.message.clone()),
            ];
            (triad, statefulset.and(previous.and_then(|p| p.bootstrap_servers.clone())))
        }
        Ok(cluster) => {
            let brokers = healthy_triad(cluster, observed, ready, previous);
            let triad = match &cluster.connect {
                Some(connect) if brokers[0].0 => connect_triad(cluster, connect.replicas, deployment, connect_ready, brokers, previous),
                _ => brokers,
            };
            (triad, Some(names::bootstrap_address(&cluster.name, &cluster.namespace)))
        }
    };
    let desired = [READY, PROGRESSING, DEGRADED]
        .into_iter()
        .zip(triad)
        .map(|(type_, (status, reason, message))| Desired {
            type_,
            status,
            reason,
            message,
        })
        .collect();
    KafkaClusterStatus {
        conditions: conditions::build(desired, previous.map_or(&[][..], |p| &p.conditions), generation, now),
        observed_generation: generation,
        bootstrap_servers: bootstrap,
        ready_replicas: Some(ready),
        connect_url,
        connect_ready_replicas,
        cluster_id: cluster_id.or_else(|| previous.and_then(|p| p.cluster_id.clone())),
    }
}

/// The triad once every broker is ready (`brokers`): the Connect workers decide.
fn connect_triad(
    cluster: &ValidCluster,
    desired: i32,
    deployment: Option<&Deployment>,
    ready: i32,
    brokers: Triad,
    previous: Option<&KafkaClusterStatus>,
) -> Triad {
    let counts = format!("{}; {ready}/{desired} Connect workers ready", brokers[0].2);
    let name = names::connect_deployment(&cluster.name);
    let Some(deployment) = deployment else {
        let m = format!("{counts}: the Deployment {name} is not created yet");
        return [
            (desired == 0, Reason::ConnectStarting, m.clone()),
            (true, Reason::ConnectStarting, m),
            (false, Reason::ConnectStarting, String::new()),
        ];
    };
    let status = deployment.status.clone().unwrap_or_default();
    // A Deployment its controller has not looked at yet is starting, not rolling.
    let first_look = status.observed_generation.is_none();
    let stale = matches!((status.observed_generation, deployment.metadata.generation), (Some(seen), Some(current)) if seen < current);
    let updated = status.updated_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    if !first_look && (stale || updated < desired || total > desired) {
        let m = format!("{counts}; rolling out a new worker pod template: {updated}/{desired} workers updated");
        return [
            (ready >= desired, Reason::RollingUpdate, m.clone()),
            (true, Reason::RollingUpdate, m),
            (false, Reason::RollingUpdate, String::new()),
        ];
    }
    if ready >= desired {
        return [(true, Reason::BrokersReady, counts), brokers[1].clone(), brokers[2].clone()];
    }
    let find = |type_: &str| previous.and_then(|p| conditions::find(&p.conditions, type_));
    let was_ready = previous.and_then(|p| p.connect_ready_replicas).is_some_and(|n| n >= desired)
        && find(READY).is_some_and(|c| c.status == "True")
        || find(DEGRADED).is_some_and(|c| c.status == "True" && c.reason == Reason::ConnectUnavailable.as_str());
    if was_ready {
        let m = format!("{counts}: {} worker(s) that were ready are not", desired - ready);
        return [
            (false, Reason::ConnectUnavailable, m.clone()),
            (false, Reason::ConnectUnavailable, m.clone()),
            (true, Reason::ConnectUnavailable, m),
        ];
    }
    [
        (false, Reason::ConnectStarting, counts.clone()),
        (true, Reason::ConnectStarting, counts),
        (false, Reason::ConnectStarting, String::new()),
    ]
}

/// Status, reason and message of `Ready`, `Progressing` and `Degraded`.
type Triad = [(bool, Reason, String); 3];

fn healthy_triad(
    cluster: &ValidCluster,
    observed: Option<(&StatefulSet, &StatefulSetStatus)>,
    ready: i32,
    previous: Option<&KafkaClusterStatus>,
) -> Triad {
    let desired = cluster.replicas;
    let sts_name = names::statefulset(&cluster.name);
    let Some((sts, st)) = observed else {
        let m = format!("0/{desired} brokers ready: the StatefulSet {sts_name} has not started its pods yet");
        return [
            (false, Reason::BrokersStarting, m.clone()),
            (true, Reason::BrokersStarting, m),
            (false, Reason::BrokersStarting, String::new()),
        ];
    };
    let counts = format!("{ready}/{desired} brokers ready");
    let stale = matches!((st.observed_generation, sts.metadata.generation), (Some(seen), Some(current)) if seen < current);
    let revisions_differ = st.update_revision.is_some() && st.current_revision != st.update_revision;
    if stale || revisions_differ {
        let updated = st.updated_replicas.unwrap_or(0);
        let m = format!("{counts}; rolling out a new pod template: {updated}/{desired} brokers updated");
        return [
            (ready >= desired, Reason::RollingUpdate, m.clone()),
            (true, Reason::RollingUpdate, m),
            (false, Reason::RollingUpdate, String::new()),
        ];
    }
    if ready >= desired {
        let done = format!("the StatefulSet {sts_name} is rolled out");
        return [
            (true, Reason::BrokersReady, counts),
            (false, Reason::BrokersReady, done),
            (false, Reason::BrokersReady, String::new()),
        ];
    }
    if was_ready(previous) {
        let m = format!("{counts}: {} broker(s) that were ready are not", desired - ready);
        return [
            (false, Reason::BrokersUnavailable, m.clone()),
            (false, Reason::BrokersUnavailable, m.clone()),
            (true, Reason::BrokersUnavailable, m),
        ];
    }
    [
        (false, Reason::BrokersStarting, counts.clone()),
        (true, Reason::BrokersStarting, counts),
        (false, Reason::BrokersStarting, String::new()),
    ]
}

/// Whether the brokers were all ready at the last status, or already lost since.
fn was_ready(previous: Option<&KafkaClusterStatus>) -> bool {
    let find = |type_: &str| previous.and_then(|p| conditions::find(&p.conditions, type_));
    find(READY).is_some_and(|c| c.status == "True")
        || find(DEGRADED).is_some_and(|c| c.status == "True" && c.reason == Reason::BrokersUnavailable.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use crate::conditions::Reason;
    use k8s_openapi::api::apps::v1::StatefulSetStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use k8s_openapi::jiff::Timestamp;
    use serde_json::json;

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    fn sts(generation: i64, observed: i64, ready: i32, updated: i32, current: &str, update: &str) -> StatefulSet {
        StatefulSet {
            metadata: ObjectMeta {
                generation: Some(generation),
                ..ObjectMeta::default()
            },
            status: Some(StatefulSetStatus {
                observed_generation: Some(observed),
                ready_replicas: Some(ready),
                updated_replicas: Some(updated),
                current_revision: Some(current.into()),
                update_revision: Some(update.into()),
                replicas: 3,
                ..StatefulSetStatus::default()
            }),
            ..StatefulSet::default()
        }
    }

    /// (type, status, reason) of each condition.
    fn triad(s: &KafkaClusterStatus) -> Vec<(String, String, String)> {
        s.conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone()))
            .collect()
    }

    fn expect(s: &KafkaClusterStatus, want: [(&str, Reason); 3]) {
        let want: Vec<(String, String, String)> = [READY, PROGRESSING, DEGRADED]
            .iter()
            .zip(want)
            .map(|(t, (st, r))| (t.to_string(), st.to_string(), r.as_str().to_string()))
            .collect();
        assert_eq!(triad(s), want);
    }

    fn status_of(sts: Option<&StatefulSet>, previous: Option<&KafkaClusterStatus>) -> KafkaClusterStatus {
        let v = valid("k", json!({"replicas": 3}));
        cluster_status(Some(4), Ok(&v), sts, None, previous, &at(100), None)
    }

    #[test]
    fn an_invalid_spec_is_not_ready_not_progressing_and_degraded() {
        let p = SpecProblem {
            reason: Reason::NotSupported,
            message: "spec.replicas: 3: no".into(),
        };
        let s = cluster_status(Some(2), Err(&p), None, None, None, &at(100), None);
        expect(
            &s,
            [
                ("False", Reason::NotSupported),
                ("False", Reason::NotSupported),
                ("True", Reason::NotSupported),
            ],
        );
        assert_eq!(s.conditions[0].message, "spec.replicas: 3: no");
        assert_eq!(s.conditions[2].message, "spec.replicas: 3: no");
        assert!(s
            .conditions
            .iter()
            .all(|c| c.observed_generation == Some(2) && c.last_transition_time == at(100)));
        assert_eq!(
            (s.observed_generation, s.bootstrap_servers.as_deref(), s.ready_replicas),
            (Some(2), None, Some(0))
        );
    }

    #[test]
    fn an_invalid_edit_of_a_running_cluster_keeps_its_bootstrap_address() {
        let previous = status_of(Some(&sts(1, 1, 3, 3, "a", "a")), None);
        let p = SpecProblem {
            reason: Reason::InvalidSpec,
            message: "spec.config.\"node.id\": no".into(),
        };
        let s = cluster_status(
            Some(5),
            Err(&p),
            Some(&sts(1, 1, 3, 3, "a", "a")),
            None,
            Some(&previous),
            &at(200),
            None,
        );
        expect(
            &s,
            [
                ("False", Reason::InvalidSpec),
                ("False", Reason::InvalidSpec),
                ("True", Reason::InvalidSpec),
            ],
        );
        assert_eq!(s.bootstrap_servers, previous.bootstrap_servers);
        assert_eq!(s.ready_replicas, Some(3));
    }

    #[test]
    fn no_statefulset_yet_is_starting() {
        let s = status_of(None, None);
        expect(
            &s,
            [
                ("False", Reason::BrokersStarting),
                ("True", Reason::BrokersStarting),
                ("False", Reason::BrokersStarting),
            ],
        );
        assert_eq!(
            s.conditions[0].message,
            "0/3 brokers ready: the StatefulSet k-broker has not started its pods yet"
        );
        assert_eq!(s.bootstrap_servers.as_deref(), Some("k-bootstrap.ns.svc.cluster.local:9092"));
        assert_eq!((s.observed_generation, s.ready_replicas), (Some(4), Some(0)));
        let unobserved = StatefulSet::default();
        expect(
            &status_of(Some(&unobserved), None),
            [
                ("False", Reason::BrokersStarting),
                ("True", Reason::BrokersStarting),
                ("False", Reason::BrokersStarting),
            ],
        );
    }

    #[test]
    fn brokers_coming_up_are_starting() {
        let s = status_of(Some(&sts(1, 1, 1, 3, "a", "a")), None);
        expect(
            &s,
            [
                ("False", Reason::BrokersStarting),
                ("True", Reason::BrokersStarting),
                ("False", Reason::BrokersStarting),
            ],
        );
        assert_eq!(s.conditions[0].message, "1/3 brokers ready");
        assert_eq!(s.ready_replicas, Some(1));
    }

    #[test]
    fn all_brokers_ready_is_ready() {
        let s = status_of(Some(&sts(2, 2, 3, 3, "b", "b")), None);
        expect(
            &s,
            [
                ("True", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
            ],
        );
        assert_eq!(s.conditions[0].message, "3/3 brokers ready");
    }

    #[test]
    fn a_new_revision_or_an_unseen_spec_is_a_rolling_update() {
        let s = status_of(Some(&sts(2, 2, 2, 1, "a", "b")), None);
        expect(
            &s,
            [
                ("False", Reason::RollingUpdate),
                ("True", Reason::RollingUpdate),
                ("False", Reason::RollingUpdate),
            ],
        );
        assert_eq!(
            s.conditions[0].message,
            "2/3 brokers ready; rolling out a new pod template: 1/3 brokers updated"
        );
        let s = status_of(Some(&sts(3, 2, 3, 3, "a", "a")), None);
        expect(
            &s,
            [
                ("True", Reason::RollingUpdate),
                ("True", Reason::RollingUpdate),
                ("False", Reason::RollingUpdate),
            ],
        );
    }

    #[test]
    fn losing_ready_brokers_is_degraded_until_they_return() {
        let healthy = status_of(Some(&sts(1, 1, 3, 3, "a", "a")), None);
        let lost = status_of(Some(&sts(1, 1, 2, 3, "a", "a")), Some(&healthy));
        expect(
            &lost,
            [
                ("False", Reason::BrokersUnavailable),
                ("False", Reason::BrokersUnavailable),
                ("True", Reason::BrokersUnavailable),
            ],
        );
        assert_eq!(lost.conditions[2].message, "2/3 brokers ready: 1 broker(s) that were ready are not");
        let still = status_of(Some(&sts(1, 1, 1, 3, "a", "a")), Some(&lost));
        expect(
            &still,
            [
                ("False", Reason::BrokersUnavailable),
                ("False", Reason::BrokersUnavailable),
                ("True", Reason::BrokersUnavailable),
            ],
        );
        let back = status_of(Some(&sts(1, 1, 3, 3, "a", "a")), Some(&still));
        expect(
            &back,
            [
                ("True", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
            ],
        );
    }

    #[test]
    fn transition_times_move_only_when_a_status_flips() {
        let v = valid("k", json!({"replicas": 3}));
        let first = cluster_status(Some(1), Ok(&v), Some(&sts(1, 1, 1, 3, "a", "a")), None, None, &at(100), None);
        let second = cluster_status(
            Some(1),
            Ok(&v),
            Some(&sts(1, 1, 2, 3, "a", "a")),
            None,
            Some(&first),
            &at(200),
            None,
        );
        assert!(second.conditions.iter().all(|c| c.last_transition_time == at(100)));
        assert_eq!(second.conditions[0].message, "2/3 brokers ready");
        let third = cluster_status(
            Some(1),
            Ok(&v),
            Some(&sts(1, 1, 3, 3, "a", "a")),
            None,
            Some(&second),
            &at(300),
            None,
        );
        let times: Vec<Time> = third.conditions.iter().map(|c| c.last_transition_time.clone()).collect();
        assert_eq!(times, [at(300), at(300), at(100)]);
    }

    #[test]
    fn the_cluster_id_is_kept_until_a_new_one_is_reported() {
        let v = valid("k", json!({"replicas": 1}));
        let first = cluster_status(Some(1), Ok(&v), None, None, None, &at(1), Some("abc".into()));
        assert_eq!(first.cluster_id.as_deref(), Some("abc"));
        let second = cluster_status(Some(1), Ok(&v), None, None, Some(&first), &at(2), None);
        assert_eq!(second.cluster_id.as_deref(), Some("abc"));
        let third = cluster_status(Some(1), Ok(&v), None, None, Some(&second), &at(3), Some("def".into()));
        assert_eq!(third.cluster_id.as_deref(), Some("def"));
    }

    fn deployment(generation: i64, observed: i64, replicas: i32, updated: i32, ready: i32) -> Deployment {
        use k8s_openapi::api::apps::v1::DeploymentStatus;
        Deployment {
            metadata: ObjectMeta {
                generation: Some(generation),
                ..ObjectMeta::default()
            },
            status: Some(DeploymentStatus {
                observed_generation: Some(observed),
                replicas: Some(replicas),
                updated_replicas: Some(updated),
                ready_replicas: Some(ready),
                ..DeploymentStatus::default()
            }),
            ..Deployment::default()
        }
    }

    fn with_connect(d: Option<&Deployment>, previous: Option<&KafkaClusterStatus>) -> KafkaClusterStatus {
        let v = valid("k", json!({"replicas": 1, "connect": {"replicas": 2}}));
        cluster_status(Some(1), Ok(&v), Some(&sts(1, 1, 1, 1, "a", "a")), d, previous, &at(100), None)
    }

    #[test]
    fn connect_waits_for_the_brokers_then_its_workers() {
        let v = valid("k", json!({"replicas": 1, "connect": {"replicas": 2}}));
        let s = cluster_status(Some(1), Ok(&v), Some(&sts(1, 1, 0, 1, "a", "a")), None, None, &at(1), None);
        expect(
            &s,
            [
                ("False", Reason::BrokersStarting),
                ("True", Reason::BrokersStarting),
                ("False", Reason::BrokersStarting),
            ],
        );
        assert_eq!(s.connect_url.as_deref(), Some("http://k-connect.ns.svc.cluster.local:8083"));
        assert_eq!(s.connect_ready_replicas, Some(0));
        let s = with_connect(None, None);
        expect(
            &s,
            [
                ("False", Reason::ConnectStarting),
                ("True", Reason::ConnectStarting),
                ("False", Reason::ConnectStarting),
            ],
        );
        assert_eq!(
            s.conditions[0].message,
            "1/1 brokers ready; 0/2 Connect workers ready: the Deployment k-connect is not created yet"
        );
        let s = with_connect(Some(&Deployment::default()), None);
        assert_eq!(
            s.conditions[0].reason, "ConnectStarting",
            "a Deployment with no status yet is starting"
        );
        let s = with_connect(Some(&deployment(1, 1, 2, 2, 1)), None);
        expect(
            &s,
            [
                ("False", Reason::ConnectStarting),
                ("True", Reason::ConnectStarting),
                ("False", Reason::ConnectStarting),
            ],
        );
    }

    #[test]
    fn every_worker_ready_is_ready_and_losing_one_is_degraded() {
        let ready = with_connect(Some(&deployment(1, 1, 2, 2, 2)), None);
        expect(
            &ready,
            [
                ("True", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
                ("False", Reason::BrokersReady),
            ],
        );
        assert_eq!(ready.conditions[0].message, "1/1 brokers ready; 2/2 Connect workers ready");
        assert_eq!(ready.connect_ready_replicas, Some(2));
        let lost = with_connect(Some(&deployment(1, 1, 2, 2, 1)), Some(&ready));
        expect(
            &lost,
            [
                ("False", Reason::ConnectUnavailable),
                ("False", Reason::ConnectUnavailable),
                ("True", Reason::ConnectUnavailable),
            ],
        );
        let still = with_connect(Some(&deployment(1, 1, 2, 2, 0)), Some(&lost));
        assert_eq!(still.conditions[2].reason, "ConnectUnavailable");
    }

    #[test]
    fn a_new_worker_template_rolls_out() {
        let s = with_connect(Some(&deployment(2, 1, 2, 2, 2)), None);
        expect(
            &s,
            [
                ("True", Reason::RollingUpdate),
                ("True", Reason::RollingUpdate),
                ("False", Reason::RollingUpdate),
            ],
        );
        let s = with_connect(Some(&deployment(2, 2, 3, 1, 2)), None);
        assert_eq!(s.conditions[1].reason, "RollingUpdate");
    }

    #[test]
    fn without_connect_there_is_no_connect_status() {
        let s = status_of(Some(&sts(1, 1, 3, 3, "a", "a")), None);
        assert_eq!((s.connect_url, s.connect_ready_replicas), (None, None));
    }
}
