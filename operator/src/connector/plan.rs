//! The pure decisions of the Connector controller: what to do with the worker's copy of a
//! connector (create it in its asked-for state, put a changed config, nothing), which state
//! transition to ask for, what the restart annotations mean, and when `autoRestart` restarts a
//! failure. The controller makes the REST calls these name; everything here is tested without a
//! worker.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kaskade_connect_api::ConnectorStateInfo;

use super::desired::Desired;
use crate::crd::{AutoRestart, AutoRestartStatus, ConnectorTargetState};

/// Restart the connector (and maybe its tasks): `kaskade.dev/restart`.
pub const RESTART_ANNOTATION: &str = "kaskade.dev/restart";
/// Restart one task: `kaskade.dev/restart-task: "N"`.
pub const RESTART_TASK_ANNOTATION: &str = "kaskade.dev/restart-task";
/// Restarts in a row are forgotten once the connector has run this long without failing.
pub const AUTO_RESTART_RESET: Duration = Duration::from_secs(600);

/// What to do with the worker's configuration of a connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigStep {
    /// No such connector: validate, then create it directly in this state (`initial_state`), so a
    /// paused or stopped connector never runs first.
    Create { initial_state: &'static str },
    /// The worker holds another configuration: validate, then `PUT` it.
    Update,
    /// The worker holds exactly the desired configuration: no write.
    Keep,
}

pub fn config_step(desired: &Desired, live: Option<&BTreeMap<String, String>>) -> ConfigStep {
    match live {
        None => ConfigStep::Create {
            initial_state: desired.state.connect_name(),
        },
        Some(live) if *live == desired.config => ConfigStep::Keep,
        Some(_) => ConfigStep::Update,
    }
}

/// The REST action (`PUT /connectors/NAME/ACTION`) that moves a connector in `live` state to the
/// asked-for one. Only settled states are moved: a connector that is failed, unassigned or
/// restarting is left to its worker (and to `autoRestart`), so no call repeats on every reconcile.
pub fn state_step(desired: ConnectorTargetState, live: &str) -> Option<&'static str> {
    match (desired, live) {
        (ConnectorTargetState::Running, "PAUSED" | "STOPPED") => Some("resume"),
        (ConnectorTargetState::Paused, "RUNNING" | "STOPPED") => Some("pause"),
        (ConnectorTargetState::Stopped, "RUNNING" | "PAUSED") => Some("stop"),
        _ => None,
    }
}

/// `POST /connectors/NAME/restart`'s parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Restart {
    pub include_tasks: bool,
    pub only_failed: bool,
}

/// Reads `kaskade.dev/restart`: `true`, or the flags `includeTasks` and `onlyFailed` (comma- or
/// space-separated, each optionally `=true`/`=false`).
pub fn parse_restart(value: &str) -> Result<Restart, String> {
    let mut restart = Restart::default();
    for token in value.split([',', ' ', '&', ';']).map(str::trim).filter(|t| !t.is_empty()) {
        let (key, on) = match token.split_once('=') {
            Some((k, v)) => (k.trim(), parse_bool(v.trim()).ok_or_else(|| bad_restart(value))?),
            None => (token, true),
        };
        match (key, token == "true") {
            (_, true) => {}
            ("includeTasks", _) => restart.include_tasks = on,
            ("onlyFailed", _) => restart.only_failed = on,
            _ => return Err(bad_restart(value)),
        }
    }
    Ok(restart)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn bad_restart(value: &str) -> String {
    format!("{RESTART_ANNOTATION}: {value:?}: expected \"true\", or the flags includeTasks and onlyFailed (\"includeTasks,onlyFailed\")")
}

/// Reads `kaskade.dev/restart-task`: a task number.
pub fn parse_restart_task(value: &str) -> Result<u32, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{RESTART_TASK_ANNOTATION}: {value:?}: expected a task number such as \"0\""))
}

/// What `autoRestart` decided at one reconcile.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoRestartDecision {
    /// Ask the worker to restart the failed connector and tasks now.
    pub restart: bool,
    /// The status to record.
    pub status: Option<AutoRestartStatus>,
    /// When a restart is due but backing off: how long until it is allowed.
    pub wait: Option<Duration>,
    /// `maxRestarts` reached: the operator stopped restarting.
    pub gave_up: bool,
}

/// The back-off before restart number `count + 1`: none for the first, then 10 s doubling up to
/// 10 minutes.
pub fn auto_restart_backoff(count: i32) -> Duration {
    if count <= 0 {
        return Duration::ZERO;
    }
    let exp = u32::try_from(count - 1).unwrap_or(0).min(6);
    Duration::from_secs(10u64 << exp).min(Duration::from_secs(600))
}

/// Whether the connector or a task is FAILED.
pub fn has_failure(info: &ConnectorStateInfo) -> bool {
    info.connector.state == "FAILED" || info.tasks.iter().any(|t| t.state == "FAILED")
}

/// Decides an automatic restart from the worker's status, the previous record and the time.
pub fn auto_restart(
    spec: Option<&AutoRestart>,
    info: &ConnectorStateInfo,
    previous: Option<&AutoRestartStatus>,
    now: &Time,
) -> AutoRestartDecision {
    let keep = |status: Option<&AutoRestartStatus>| AutoRestartDecision {
        restart: false,
        status: status.cloned(),
        wait: None,
        gave_up: false,
    };
    let Some(spec) = spec.filter(|s| s.enabled) else {
        return keep(None);
    };
    let count = previous.map_or(0, |p| p.count);
    let since_last = previous
        .and_then(|p| p.last_restart_time.as_ref())
        .map(|t| Duration::from_secs(now.0.as_second().saturating_sub(t.0.as_second()).max(0) as u64));
    if !has_failure(info) {
        // Running again: the count is forgotten once it has stayed healthy for a while.
        return match since_last {
            Some(elapsed) if elapsed < AUTO_RESTART_RESET => keep(previous),
            _ => keep(None),
        };
    }
    if spec.max_restarts.is_some_and(|max| count >= max) {
        return AutoRestartDecision {
            gave_up: true,
            ..keep(previous)
        };
    }
    let backoff = auto_restart_backoff(count);
    if let Some(elapsed) = since_last.filter(|e| *e < backoff) {
        return AutoRestartDecision {
            wait: Some(backoff - elapsed),
            ..keep(previous)
        };
    }
    AutoRestartDecision {
        restart: true,
        status: Some(AutoRestartStatus {
            count: count + 1,
            last_restart_time: Some(now.clone()),
        }),
        wait: None,
        gave_up: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;
    use kaskade_connect_api::{ConnectorState, TaskState};

    fn desired(config: &[(&str, &str)], state: ConnectorTargetState) -> Desired {
        Desired {
            name: "c".into(),
            class: "C".into(),
            config: config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            state,
        }
    }

    fn info(connector: &str, tasks: &[&str]) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: "c".into(),
            connector: ConnectorState {
                state: connector.into(),
                worker_id: "w:8083".into(),
                version: String::new(),
                trace: None,
            },
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, s)| TaskState {
                    id: i as u32,
                    state: s.to_string(),
                    worker_id: "w:8083".into(),
                    version: String::new(),
                    trace: None,
                })
                .collect(),
            kind: "source".into(),
        }
    }

    fn at(s: i64) -> Time {
        Time(Timestamp::from_second(s).unwrap())
    }

    #[test]
    fn create_in_the_asked_state_update_only_when_different() {
        let d = desired(&[("a", "1")], ConnectorTargetState::Paused);
        assert_eq!(config_step(&d, None), ConfigStep::Create { initial_state: "PAUSED" });
        let same: BTreeMap<String, String> = d.config.clone();
        assert_eq!(config_step(&d, Some(&same)), ConfigStep::Keep);
        let other = BTreeMap::from([("a".to_string(), "2".to_string())]);
        assert_eq!(config_step(&d, Some(&other)), ConfigStep::Update);
    }

    #[test]
    fn only_settled_states_move() {
        use ConnectorTargetState::*;
        assert_eq!(state_step(Running, "PAUSED"), Some("resume"));
        assert_eq!(state_step(Running, "STOPPED"), Some("resume"));
        assert_eq!(state_step(Paused, "RUNNING"), Some("pause"));
        assert_eq!(state_step(Stopped, "PAUSED"), Some("stop"));
        for live in ["FAILED", "UNASSIGNED", "RESTARTING"] {
            assert_eq!(state_step(Paused, live), None);
        }
        assert_eq!(state_step(Running, "RUNNING"), None);
    }

    #[test]
    fn restart_annotations() {
        assert_eq!(parse_restart("true"), Ok(Restart::default()));
        assert_eq!(
            parse_restart("includeTasks,onlyFailed"),
            Ok(Restart {
                include_tasks: true,
                only_failed: true
            })
        );
        assert_eq!(
            parse_restart("includeTasks=true&onlyFailed=false"),
            Ok(Restart {
                include_tasks: true,
                only_failed: false
            })
        );
        assert!(parse_restart("yes please")
            .unwrap_err()
            .starts_with("kaskade.dev/restart: \"yes please\""));
        assert_eq!(parse_restart_task(" 2 "), Ok(2));
        assert!(parse_restart_task("-1").is_err());
    }

    #[test]
    fn auto_restart_backs_off_counts_and_gives_up() {
        let spec = AutoRestart {
            enabled: true,
            max_restarts: Some(2),
        };
        let failed = info("RUNNING", &["FAILED"]);
        let first = auto_restart(Some(&spec), &failed, None, &at(1000));
        assert!(first.restart);
        assert_eq!(first.status.as_ref().map(|s| s.count), Some(1));
        let early = auto_restart(Some(&spec), &failed, first.status.as_ref(), &at(1004));
        assert!(!early.restart);
        assert_eq!(early.wait, Some(Duration::from_secs(6)));
        let second = auto_restart(Some(&spec), &failed, first.status.as_ref(), &at(1010));
        assert!(second.restart);
        assert_eq!(second.status.as_ref().map(|s| s.count), Some(2));
        let done = auto_restart(Some(&spec), &failed, second.status.as_ref(), &at(5000));
        assert!(!done.restart && done.gave_up);
        assert_eq!(done.status, second.status);
        // Healthy again: kept for a while, then forgotten.
        let running = info("RUNNING", &["RUNNING"]);
        assert_eq!(
            auto_restart(Some(&spec), &running, second.status.as_ref(), &at(1100)).status,
            second.status
        );
        assert_eq!(auto_restart(Some(&spec), &running, second.status.as_ref(), &at(2000)).status, None);
        // Disabled: nothing.
        let off = AutoRestart::default();
        let d = auto_restart(Some(&off), &failed, None, &at(1));
        assert!(!d.restart && d.status.is_none());
    }

    #[test]
    fn backoff_grows_to_ten_minutes() {
        let secs: Vec<u64> = (0..10).map(|n| auto_restart_backoff(n).as_secs()).collect();
        assert_eq!(secs, [0, 10, 20, 40, 80, 160, 320, 600, 600, 600]);
    }
}
