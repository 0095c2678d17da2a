//! `ConnectorStateInfo`: `GET /connectors/{c}/status` and, for one task, `GET
//! /connectors/{c}/tasks/{t}/status`. Fields in Kafka's order, the trace last and only when there
//! is one. Older Kafka Connect (before KIP-891's plugin versions) writes no `version`: it reads as
//! empty.

use serde::{Deserialize, Serialize};

/// The connector part of `ConnectorStateInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorState {
    /// `UNASSIGNED`, `RUNNING`, `PAUSED`, `STOPPED`, `FAILED` or `RESTARTING`.
    pub state: String,
    pub worker_id: String,
    /// Always written by the worker; missing from older Kafka Connect bodies.
    #[serde(default)]
    pub version: String,
    /// Last, as Kafka writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `ConnectorStateInfo.TaskState`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    pub id: u32,
    pub state: String,
    pub worker_id: String,
    /// Always written by the worker; missing from older Kafka Connect bodies.
    #[serde(default)]
    pub version: String,
    /// Last, as Kafka writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `ConnectorStateInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    pub name: String,
    pub connector: ConnectorState,
    pub tasks: Vec<TaskState>,
    /// `source`, `sink` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(trace: Option<&str>) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: "s".into(),
            connector: ConnectorState {
                state: "RUNNING".into(),
                worker_id: "10.0.0.5:8083".into(),
                version: "4.1.0".into(),
                trace: None,
            },
            tasks: vec![TaskState {
                id: 0,
                state: if trace.is_some() { "FAILED" } else { "RUNNING" }.into(),
                worker_id: "10.0.0.5:8083".into(),
                version: "4.1.0".into(),
                trace: trace.map(String::from),
            }],
            kind: "source".into(),
        }
    }

    #[test]
    fn round_trips_without_a_trace() {
        let info = status(None);
        let text = serde_json::to_string(&info).unwrap();
        assert_eq!(
            text,
            r#"{"name":"s","connector":{"state":"RUNNING","worker_id":"10.0.0.5:8083","version":"4.1.0"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083","version":"4.1.0"}],"type":"source"}"#
        );
        assert_eq!(serde_json::from_str::<ConnectorStateInfo>(&text).unwrap(), info);
    }

    #[test]
    fn round_trips_with_a_trace() {
        let info = status(Some("org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)\n"));
        let text = serde_json::to_string(&info).unwrap();
        assert!(
            text.contains(r#""version":"4.1.0","trace":"org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)\n"}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ConnectorStateInfo>(&text).unwrap(), info);
    }

    #[test]
    fn reads_a_kafka_connect_body_without_versions() {
        let text = r#"{"name":"s","connector":{"state":"RUNNING","worker_id":"10.0.0.5:8083"},"tasks":[{"id":0,"state":"FAILED","worker_id":"10.0.0.5:8083","trace":"org.apache.kafka...\n\tat ..."}],"type":"source"}"#;
        let info: ConnectorStateInfo = serde_json::from_str(text).unwrap();
        assert_eq!(info.name, "s");
        assert_eq!(info.kind, "source");
        assert_eq!(info.connector.state, "RUNNING");
        assert_eq!(info.connector.worker_id, "10.0.0.5:8083");
        assert_eq!(info.connector.version, "");
        assert_eq!(info.connector.trace, None);
        assert_eq!(info.tasks.len(), 1);
        let task = &info.tasks[0];
        assert_eq!((task.id, task.state.as_str(), task.version.as_str()), (0, "FAILED", ""));
        assert_eq!(task.trace.as_deref(), Some("org.apache.kafka...\n\tat ..."));
    }

    #[test]
    fn reads_one_task_state() {
        let text = r#"{"id":2,"state":"RUNNING","worker_id":"w:8083","version":"4.1.0"}"#;
        let task: TaskState = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&task).unwrap(), text);
    }
}
