//! The config topic in Kafka Connect's own format (`KafkaConfigBackingStore`), so Apache Kafka
//! Connect reads what we write and we read what it wrote: `connector-NAME` →
//! `{"properties":{…}}`, `task-NAME-N` → `{"properties":{…}}` (applied only when
//! `commit-NAME` → `{"tasks":N}` follows), `target-state-NAME` → `{"state":…,"state.v2":…}`,
//! `restart-connector-NAME` → `{"include-tasks":…,"only-failed":…}`; a null value deletes.
//! [`ClusterConfig`] is the state those records add up to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const CONNECTOR_PREFIX: &str = "connector-";
pub const TASK_PREFIX: &str = "task-";
pub const COMMIT_PREFIX: &str = "commit-";
pub const TARGET_STATE_PREFIX: &str = "target-state-";
pub const RESTART_PREFIX: &str = "restart-connector-";

/// What a connector should be doing (`TargetState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TargetState {
    Started,
    Paused,
    Stopped,
}

impl TargetState {
    pub fn name(self) -> &'static str {
        match self {
            TargetState::Started => "STARTED",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    fn parse(s: &str) -> Option<TargetState> {
        match s {
            "STARTED" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}

/// A restart asked for through `POST /connectors/{c}/restart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartRequest {
    pub include_tasks: bool,
    pub only_failed: bool,
}

pub type Props = BTreeMap<String, String>;

/// One connector as the config topic describes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectorEntry {
    pub config: Option<Props>,
    pub target: Option<TargetState>,
    /// Committed task configs, task 0 first.
    pub tasks: Vec<Props>,
    /// Task configs written and not yet committed.
    pending: BTreeMap<u32, Props>,
}

/// The cluster's connector configs, task configs and target states.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterConfig {
    /// How many records have been applied (the config offset workers compare in the group).
    pub offset: i64,
    pub connectors: BTreeMap<String, ConnectorEntry>,
    /// Restart requests not yet handled, in order.
    pub restarts: Vec<(String, RestartRequest)>,
}

impl ClusterConfig {
    /// The connectors that have a config, by name.
    pub fn connector_names(&self) -> Vec<String> {
        self.connectors
            .iter()
            .filter(|(_, e)| e.config.is_some())
            .map(|(n, _)| n.clone())
            .collect()
    }

    pub fn config(&self, name: &str) -> Option<&Props> {
        self.connectors.get(name)?.config.as_ref()
    }

    /// The connector's target state (STARTED when none was written).
    pub fn target(&self, name: &str) -> TargetState {
        self.connectors.get(name).and_then(|e| e.target).unwrap_or(TargetState::Started)
    }

    /// Each connector with its number of committed tasks (what the group assigns).
    pub fn task_counts(&self) -> BTreeMap<String, u32> {
        self.connectors
            .iter()
            .filter(|(_, e)| e.config.is_some())
            .map(|(n, e)| (n.clone(), e.tasks.len() as u32))
            .collect()
    }

    pub fn tasks(&self, name: &str) -> &[Props] {
        self.connectors.get(name).map(|e| e.tasks.as_slice()).unwrap_or(&[])
    }

    /// Applies one record of the topic.
    pub fn apply(&mut self, key: &str, value: Option<&serde_json::Value>) {
        self.offset += 1;
        if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            match value.and_then(properties) {
                Some(config) => self.connectors.entry(name.to_string()).or_default().config = Some(config),
                None => {
                    self.connectors.remove(name);
                }
            }
        } else if let Some(name) = key.strip_prefix(TARGET_STATE_PREFIX) {
            let state = value.and_then(|v| {
                let field = |f: &str| v.get(f).and_then(|s| s.as_str()).and_then(TargetState::parse);
                field("state.v2").or_else(|| field("state"))
            });
            match state {
                Some(s) => self.connectors.entry(name.to_string()).or_default().target = Some(s),
                None => {
                    if let Some(e) = self.connectors.get_mut(name) {
                        e.target = None;
                    }
                }
            }
        } else if let Some(rest) = key.strip_prefix(TASK_PREFIX) {
            let Some((name, index)) = rest.rsplit_once('-') else {
                tracing::warn!(key, "ignoring a task config record with a malformed key");
                return;
            };
            let (Ok(index), Some(config)) = (index.parse::<u32>(), value.and_then(properties)) else {
                tracing::warn!(key, "ignoring a task config record without properties");
                return;
            };
            self.connectors.entry(name.to_string()).or_default().pending.insert(index, config);
        } else if let Some(name) = key.strip_prefix(COMMIT_PREFIX) {
            let Some(count) = value.and_then(|v| v.get("tasks")).and_then(|t| t.as_u64()) else {
                tracing::warn!(key, "ignoring a task commit record without a task count");
                return;
            };
            let entry = self.connectors.entry(name.to_string()).or_default();
            let pending = std::mem::take(&mut entry.pending);
            if (0..count as u32).all(|i| pending.contains_key(&i)) {
                entry.tasks = (0..count as u32).filter_map(|i| pending.get(&i).cloned()).collect();
            } else {
                tracing::warn!(key, count, "a task commit without every task's config: keeping the previous tasks");
            }
        } else if let Some(name) = key.strip_prefix(RESTART_PREFIX) {
            if let Some(v) = value {
                let flag = |f: &str| v.get(f).and_then(|b| b.as_bool()).unwrap_or(false);
                self.restarts.push((
                    name.to_string(),
                    RestartRequest {
                        include_tasks: flag("include-tasks"),
                        only_failed: flag("only-failed"),
                    },
                ));
            }
        }
        // session-key, tasks-fencing-… and logger-cluster-… records need nothing here.
    }
}

fn properties(value: &serde_json::Value) -> Option<Props> {
    let map = value.get("properties")?.as_object()?;
    Some(
        map.iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
    )
}

/// `{"properties":{…}}` for a connector or task config.
pub fn properties_value(config: &Props) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "properties": config })).unwrap_or_default()
}

/// `{"tasks":N}`.
pub fn commit_value(tasks: usize) -> Vec<u8> {
    format!("{{\"tasks\":{tasks}}}").into_bytes()
}

/// `{"state":…,"state.v2":…}`: older workers know no STOPPED, so `state` says PAUSED for it.
pub fn target_state_value(state: TargetState) -> Vec<u8> {
    let v1 = if state == TargetState::Stopped {
        TargetState::Paused
    } else {
        state
    };
    format!("{{\"state\":\"{}\",\"state.v2\":\"{}\"}}", v1.name(), state.name()).into_bytes()
}

/// `{"include-tasks":…,"only-failed":…}`.
pub fn restart_value(r: RestartRequest) -> Vec<u8> {
    format!("{{\"include-tasks\":{},\"only-failed\":{}}}", r.include_tasks, r.only_failed).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_add_up_as_in_kafka_connect() {
        let mut c = ClusterConfig::default();
        c.apply("target-state-a", Some(&json!({"state":"PAUSED","state.v2":"STOPPED"})));
        c.apply("connector-a", Some(&json!({"properties":{"name":"a","tasks.max":"2"}})));
        assert_eq!(c.target("a"), TargetState::Stopped);
        c.apply("task-a-0", Some(&json!({"properties":{"t":"0"}})));
        assert!(c.tasks("a").is_empty(), "tasks are applied on commit only");
        c.apply("task-a-1", Some(&json!({"properties":{"t":"1"}})));
        c.apply("commit-a", Some(&json!({"tasks":2})));
        assert_eq!(c.tasks("a").len(), 2);
        assert_eq!(c.tasks("a")[1]["t"], "1");
        c.apply("restart-connector-a", Some(&json!({"include-tasks":true,"only-failed":false})));
        assert_eq!(c.restarts.len(), 1);
        c.apply("connector-a", None);
        assert!(c.connector_names().is_empty());
        assert_eq!(c.offset, 7);
        assert_eq!(
            String::from_utf8(target_state_value(TargetState::Stopped)).unwrap(),
            r#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        );
    }
}
