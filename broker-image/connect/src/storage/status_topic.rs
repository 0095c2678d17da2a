//! The status topic in Kafka Connect's format (`KafkaStatusBackingStore`):
//! `status-connector-NAME` and `status-task-NAME-N` → `{"state":…,"trace":…,"worker_id":…,
//! "generation":N}`, `status-topic-TOPIC:connector-NAME` → the topics a connector used. Any
//! worker answers `GET …/status` from what this topic says.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const CONNECTOR_STATUS_PREFIX: &str = "status-connector-";
pub const TASK_STATUS_PREFIX: &str = "status-task-";
pub const TOPIC_STATUS_PREFIX: &str = "status-topic-";

/// A connector's or task's state, Kafka's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Stopped,
    Failed,
    Restarting,
    Destroyed,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Stopped => "STOPPED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
            State::Destroyed => "DESTROYED",
        }
    }
}

/// One status record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub state: State,
    pub trace: Option<String>,
    pub worker_id: String,
    pub generation: i32,
}

/// What the status topic says.
#[derive(Debug, Clone, Default)]
pub struct ClusterStatus {
    pub connectors: BTreeMap<String, Status>,
    pub tasks: BTreeMap<(String, u32), Status>,
    /// Connector → topics it produced to or consumed from.
    pub topics: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl ClusterStatus {
    pub fn apply(&mut self, key: &str, value: Option<&serde_json::Value>) {
        let status = value.and_then(|v| Status::deserialize(v).ok());
        if let Some(name) = key.strip_prefix(CONNECTOR_STATUS_PREFIX) {
            match status {
                Some(s) => {
                    // A stale generation from a worker that lost the connector must not win.
                    if self
                        .connectors
                        .get(name)
                        .is_some_and(|old| old.generation > s.generation && old.worker_id != s.worker_id)
                    {
                        return;
                    }
                    self.connectors.insert(name.to_string(), s);
                }
                None => {
                    self.connectors.remove(name);
                }
            }
        } else if let Some(rest) = key.strip_prefix(TASK_STATUS_PREFIX) {
            let Some((name, id)) = rest.rsplit_once('-').and_then(|(n, i)| Some((n, i.parse::<u32>().ok()?))) else {
                return;
            };
            let id = (name.to_string(), id);
            match status {
                Some(s) => {
                    if self
                        .tasks
                        .get(&id)
                        .is_some_and(|old| old.generation > s.generation && old.worker_id != s.worker_id)
                    {
                        return;
                    }
                    self.tasks.insert(id, s);
                }
                None => {
                    self.tasks.remove(&id);
                }
            }
        } else if let Some(rest) = key.strip_prefix(TOPIC_STATUS_PREFIX) {
            let Some((topic, connector)) = rest.split_once(":connector-") else {
                return;
            };
            let set = self.topics.entry(connector.to_string()).or_default();
            if value.is_some() {
                set.insert(topic.to_string());
            } else {
                set.remove(topic);
            }
        }
    }

    /// Forgets a deleted connector's statuses.
    pub fn forget(&mut self, connector: &str) {
        self.connectors.remove(connector);
        self.tasks.retain(|(c, _), _| c != connector);
    }
}

pub fn connector_key(name: &str) -> String {
    format!("{CONNECTOR_STATUS_PREFIX}{name}")
}

pub fn task_key(name: &str, task: u32) -> String {
    format!("{TASK_STATUS_PREFIX}{name}-{task}")
}

pub fn topic_key(topic: &str, connector: &str) -> String {
    format!("{TOPIC_STATUS_PREFIX}{topic}:connector-{connector}")
}

/// `{"topic":{"name":…,"connector":…,"task":…,"discoverTimestamp":…}}`.
pub fn topic_value(topic: &str, connector: &str, task: u32, now_ms: i64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "topic": {"name": topic, "connector": connector, "task": task, "discoverTimestamp": now_ms}
    }))
    .unwrap_or_default()
}

pub fn status_value(s: &Status) -> Vec<u8> {
    serde_json::to_vec(s).unwrap_or_default()
}
