//! A `Connector`'s status, computed purely: the worker's `GET /status` as the status holds it
//! (traces shortened to what a resource should carry), and the `Ready` condition it means for the
//! state the spec asks for — running with every task running, paused, or stopped is ready; a
//! failed connector or task is `ConnectorFailed`/`TaskFailed` with the first line of its trace.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kaskade_connect_api::ConnectorStateInfo;

use crate::cluster::serving::NotServing;
use crate::conditions::{self, Desired, Reason, READY};
use crate::crd::{AutoRestartStatus, ConnectorStatus, ConnectorStatusReport, ConnectorTargetState, StateReport, TaskReport};

/// The most lines of a trace the status keeps.
pub const TRACE_LINES: usize = 12;
/// The most bytes of a trace the status keeps.
pub const TRACE_BYTES: usize = 2000;
/// The most bytes of a trace's first line a condition message quotes.
const MESSAGE_TRACE_BYTES: usize = 500;

/// The `Ready` condition's status, reason and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    pub ready: bool,
    pub reason: Reason,
    pub message: String,
}

impl Readiness {
    pub fn new(ready: bool, reason: Reason, message: impl Into<String>) -> Self {
        Readiness {
            ready,
            reason,
            message: message.into(),
        }
    }
}

/// The worker's report, as the status holds it.
pub fn report(info: &ConnectorStateInfo) -> ConnectorStatusReport {
    ConnectorStatusReport {
        name: info.name.clone(),
        kind: info.kind.clone(),
        connector: StateReport {
            state: info.connector.state.clone(),
            worker_id: info.connector.worker_id.clone(),
            trace: info.connector.trace.as_deref().map(shorten),
        },
        tasks: info
            .tasks
            .iter()
            .map(|t| TaskReport {
                id: i32::try_from(t.id).unwrap_or(i32::MAX),
                state: t.state.clone(),
                worker_id: t.worker_id.clone(),
                trace: t.trace.as_deref().map(shorten),
            })
            .collect(),
    }
}

/// The first [`TRACE_LINES`] lines of a trace, at most [`TRACE_BYTES`] bytes, with a note when cut.
pub fn shorten(trace: &str) -> String {
    let lines: Vec<&str> = trace.lines().collect();
    let mut out = lines.iter().take(TRACE_LINES).copied().collect::<Vec<_>>().join("\n");
    let mut cut = lines.len() > TRACE_LINES;
    if out.len() > TRACE_BYTES {
        out.truncate(floor_char_boundary(&out, TRACE_BYTES));
        cut = true;
    }
    if cut {
        out.push_str("\n\t... (shortened; the worker's log and GET /connectors/NAME/status have the whole trace)");
    }
    out
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    (0..=max.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

fn first_line(trace: Option<&str>) -> String {
    let line = trace.and_then(|t| t.lines().next()).unwrap_or("no trace").trim();
    let mut line = line.to_string();
    if line.len() > MESSAGE_TRACE_BYTES {
        line.truncate(floor_char_boundary(&line, MESSAGE_TRACE_BYTES));
        line.push('…');
    }
    line
}

/// How long a connector must stay RUNNING with no tasks before that counts as ready.
pub const NO_TASKS_GRACE_SECS: i64 = 30;

/// What the worker's status means for a connector asked to be in `desired`. `previous` is the
/// status the resource held: a connector is RUNNING a while before its tasks exist (seconds, when
/// a worker starts a hundred connectors), so RUNNING with no tasks is ready only once it has been
/// so for [`NO_TASKS_GRACE_SECS`] (a connector with nothing to do, such as a JDBC source matching
/// no table), or was already accepted as ready.
pub fn readiness(desired: ConnectorTargetState, info: &ConnectorStateInfo, previous: Option<&ConnectorStatus>, now: &Time) -> Readiness {
    let name = &info.name;
    let c = &info.connector;
    if c.state == "FAILED" {
        return Readiness::new(
            false,
            Reason::ConnectorFailed,
            format!(
                "connector {name} failed on worker {}: {}",
                c.worker_id,
                first_line(c.trace.as_deref())
            ),
        );
    }
    let failed: Vec<String> = info
        .tasks
        .iter()
        .filter(|t| t.state == "FAILED")
        .map(|t| format!("task {} failed on worker {}: {}", t.id, t.worker_id, first_line(t.trace.as_deref())))
        .collect();
    if !failed.is_empty() {
        return Readiness::new(false, Reason::TaskFailed, format!("connector {name}: {}", failed.join("; ")));
    }
    let running = info.tasks.iter().filter(|t| t.state == "RUNNING").count();
    let tasks = info.tasks.len();
    let no_tasks_before = previous.is_some_and(|p| {
        let idle = p
            .connector_status
            .as_ref()
            .is_some_and(|r| r.connector.state == "RUNNING" && r.tasks.is_empty());
        let since = conditions::find(&p.conditions, READY).map(|c| (c.status == "True", c.last_transition_time.0.as_second()));
        idle && since.is_some_and(|(ready, at)| ready || now.0.as_second() - at >= NO_TASKS_GRACE_SECS)
    });
    match (desired, c.state.as_str()) {
        (ConnectorTargetState::Running, "RUNNING") if tasks == 0 && !no_tasks_before => Readiness::new(
            false,
            Reason::ConnectorStarting,
            format!("connector {name} is RUNNING with no tasks yet"),
        ),
        (ConnectorTargetState::Running, "RUNNING") if running == tasks => Readiness::new(
            true,
            Reason::ConnectorRunning,
            format!("connector {name} is RUNNING with {tasks} task(s) running"),
        ),
        (ConnectorTargetState::Paused, "PAUSED") => {
            Readiness::new(true, Reason::ConnectorPaused, format!("connector {name} is PAUSED, as asked"))
        }
        (ConnectorTargetState::Stopped, "STOPPED") => {
            Readiness::new(true, Reason::ConnectorStopped, format!("connector {name} is STOPPED, as asked"))
        }
        (_, state) => Readiness::new(
            false,
            Reason::ConnectorStarting,
            format!(
                "connector {name} is {state} with {running}/{tasks} task(s) running; asked for {}",
                desired.connect_name()
            ),
        ),
    }
}

/// The status after a reconcile: `readiness`, and what was observed (`report` and `topics`,
/// `None` keeping the previous ones when the worker could not be asked).
pub fn connector_status(
    generation: Option<i64>,
    previous: Option<&ConnectorStatus>,
    readiness: Readiness,
    report: Option<ConnectorStatusReport>,
    topics: Option<Vec<String>>,
    auto_restart: Option<AutoRestartStatus>,
    now: &Time,
) -> ConnectorStatus {
    let prev_conditions = previous.map(|p| p.conditions.as_slice()).unwrap_or(&[]);
    let report = report.or_else(|| previous.and_then(|p| p.connector_status.clone()));
    let running_tasks = report
        .as_ref()
        .map(|r| r.tasks.iter().filter(|t| t.state == "RUNNING").count() as i32);
    ConnectorStatus {
        conditions: conditions::build(
            vec![Desired {
                type_: READY,
                status: readiness.ready,
                reason: readiness.reason,
                message: readiness.message,
            }],
            prev_conditions,
            generation,
            now,
        ),
        observed_generation: generation,
        connector_status: report,
        running_tasks,
        topics: topics.unwrap_or_else(|| previous.map(|p| p.topics.clone()).unwrap_or_default()),
        auto_restart,
    }
}

/// The status of a connector whose cluster does not serve (starting, rolling, invalid): `None`
/// keeps the status it has (the worker's last report stays the best known while the cluster
/// rolls; no write, no event); a connector that never reached its workers (no `Ready` yet, or
/// `ClusterNotFound`, `ConnectNotEnabled`, `ClusterNotReady`) says `Ready=False`, `ClusterNotReady`.
pub fn waiting_for_cluster(
    generation: Option<i64>,
    previous: Option<&ConnectorStatus>,
    why: &NotServing,
    now: &Time,
) -> Option<ConnectorStatus> {
    let was = previous.and_then(|p| conditions::find(&p.conditions, READY));
    let never_reached = [Reason::ClusterNotFound, Reason::ConnectNotEnabled, Reason::ClusterNotReady].map(Reason::as_str);
    if was.is_some_and(|c| !never_reached.contains(&c.reason.as_str())) {
        return None;
    }
    let message = format!("waiting for KafkaCluster {} to serve: {}", why.cluster, why.why);
    let readiness = Readiness::new(false, Reason::ClusterNotReady, message);
    let auto_restart = previous.and_then(|p| p.auto_restart.clone());
    Some(connector_status(generation, previous, readiness, None, None, auto_restart, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;
    use kaskade_connect_api::{ConnectorState, TaskState};

    fn t(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    fn info(connector: &str, tasks: &[(&str, Option<&str>)]) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: "users".into(),
            connector: ConnectorState {
                state: connector.into(),
                worker_id: "10.0.0.5:8083".into(),
                version: "10.9.7".into(),
                trace: None,
            },
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, (s, trace))| TaskState {
                    id: i as u32,
                    state: s.to_string(),
                    worker_id: "10.0.0.6:8083".into(),
                    version: "10.9.7".into(),
                    trace: trace.map(str::to_string),
                })
                .collect(),
            kind: "source".into(),
        }
    }

    #[test]
    fn running_paused_and_stopped_as_asked_are_ready() {
        use ConnectorTargetState::*;
        let r = readiness(Running, &info("RUNNING", &[("RUNNING", None), ("RUNNING", None)]), None, &t(0));
        assert_eq!(
            r,
            Readiness::new(true, Reason::ConnectorRunning, "connector users is RUNNING with 2 task(s) running")
        );
        assert!(readiness(Paused, &info("PAUSED", &[("PAUSED", None)]), None, &t(0)).ready);
        assert!(readiness(Stopped, &info("STOPPED", &[]), None, &t(0)).ready);
        let r = readiness(Running, &info("RUNNING", &[("UNASSIGNED", None)]), None, &t(0));
        assert_eq!(r.reason, Reason::ConnectorStarting);
        assert_eq!(r.message, "connector users is RUNNING with 0/1 task(s) running; asked for RUNNING");
        assert_eq!(
            readiness(Paused, &info("RUNNING", &[]), None, &t(0)).reason,
            Reason::ConnectorStarting
        );
        // No tasks: starting, until it has stayed so for the grace period.
        let empty = info("RUNNING", &[]);
        let first = readiness(Running, &empty, None, &t(100));
        assert_eq!(
            (first.ready, first.message.as_str()),
            (false, "connector users is RUNNING with no tasks yet")
        );
        let seen = connector_status(Some(1), None, first, Some(report(&empty)), None, None, &t(100));
        assert!(!readiness(Running, &empty, Some(&seen), &t(110)).ready);
        let settled = readiness(Running, &empty, Some(&seen), &t(130));
        assert!(settled.ready);
        let accepted = connector_status(Some(1), Some(&seen), settled, Some(report(&empty)), None, None, &t(130));
        assert!(readiness(Running, &empty, Some(&accepted), &t(131)).ready);
    }

    #[test]
    fn failures_name_the_task_worker_and_first_trace_line() {
        let trace = "org.apache.kafka.connect.errors.ConnectException: table users: no such table\n\tat x\n\tat y";
        let r = readiness(
            ConnectorTargetState::Running,
            &info("RUNNING", &[("RUNNING", None), ("FAILED", Some(trace))]),
            None,
            &t(0),
        );
        assert_eq!(r.reason, Reason::TaskFailed);
        assert_eq!(
            r.message,
            "connector users: task 1 failed on worker 10.0.0.6:8083: org.apache.kafka.connect.errors.ConnectException: table users: no such table"
        );
        let mut failed = info("FAILED", &[]);
        failed.connector.trace = Some("boom".into());
        let r = readiness(ConnectorTargetState::Running, &failed, None, &t(0));
        assert_eq!(
            (r.reason, r.message.as_str()),
            (Reason::ConnectorFailed, "connector users failed on worker 10.0.0.5:8083: boom")
        );
    }

    #[test]
    fn traces_are_shortened_by_lines_and_bytes() {
        let long: Vec<String> = (0..40).map(|i| format!("\tat frame{i}")).collect();
        let s = shorten(&long.join("\n"));
        assert_eq!(s.lines().count(), TRACE_LINES + 1);
        assert!(s.ends_with("have the whole trace)"));
        let wide = "é".repeat(3000);
        let s = shorten(&wide);
        assert!(s.len() <= TRACE_BYTES + 100 && s.starts_with("éé"));
        assert_eq!(shorten("one line"), "one line");
    }

    #[test]
    fn status_keeps_the_previous_report_when_the_worker_was_not_asked() {
        let now = Time(Timestamp::from_second(100).unwrap());
        let rep = report(&info("RUNNING", &[("RUNNING", None)]));
        let first = connector_status(
            Some(1),
            None,
            Readiness::new(true, Reason::ConnectorRunning, "ok"),
            Some(rep.clone()),
            Some(vec!["t".into()]),
            None,
            &now,
        );
        assert_eq!(first.running_tasks, Some(1));
        let later = Time(Timestamp::from_second(200).unwrap());
        let second = connector_status(
            Some(1),
            Some(&first),
            Readiness::new(false, Reason::ConnectUnreachable, "down"),
            None,
            None,
            None,
            &later,
        );
        assert_eq!(second.connector_status, Some(rep));
        assert_eq!(second.topics, ["t"]);
        assert_eq!(second.conditions[0].last_transition_time, later);
    }

    fn why() -> NotServing {
        NotServing {
            cluster: "pipe".into(),
            why: "Ready=False, ConnectStarting".into(),
            detail: String::new(),
        }
    }

    #[test]
    fn a_connector_that_reached_its_workers_keeps_its_status_while_the_cluster_rolls() {
        let now = t(100);
        let running = connector_status(
            Some(1),
            None,
            Readiness::new(true, Reason::ConnectorRunning, "ok"),
            Some(report(&info("RUNNING", &[("RUNNING", None)]))),
            None,
            None,
            &now,
        );
        assert_eq!(waiting_for_cluster(Some(2), Some(&running), &why(), &t(200)), None);
        let unreachable = connector_status(
            Some(1),
            None,
            Readiness::new(false, Reason::ConnectUnreachable, "down"),
            None,
            None,
            None,
            &now,
        );
        assert_eq!(waiting_for_cluster(Some(1), Some(&unreachable), &why(), &t(200)), None);
    }

    #[test]
    fn a_connector_that_never_reached_them_says_it_waits() {
        for previous in [Reason::ClusterNotFound, Reason::ConnectNotEnabled] {
            let before = connector_status(Some(1), None, Readiness::new(false, previous, "x"), None, None, None, &t(1));
            let s = waiting_for_cluster(Some(2), Some(&before), &why(), &t(2)).unwrap();
            let ready = &s.conditions[0];
            assert_eq!((ready.status.as_str(), ready.reason.as_str()), ("False", "ClusterNotReady"));
            assert_eq!(
                ready.message,
                "waiting for KafkaCluster pipe to serve: Ready=False, ConnectStarting"
            );
            assert_eq!(s.observed_generation, Some(2));
        }
        let first = waiting_for_cluster(Some(1), None, &why(), &t(3)).unwrap();
        assert_eq!(waiting_for_cluster(Some(1), Some(&first), &why(), &t(4)), Some(first));
    }
}
