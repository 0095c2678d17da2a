//! A connector's bodies: the `POST /connectors` request, and the connector and task infos that
//! `GET /connectors/{c}`, `PUT /connectors/{c}/config` and `GET /connectors/{c}/tasks` answer.

use serde::{Deserialize, Serialize};

use crate::OrderedMap;

/// `POST /connectors`. Fields left out are not written (Kafka reads a missing `initial_state` as
/// `RUNNING`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateConnectorRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<OrderedMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_state: Option<String>,
}

/// `{"connector":…,"task":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

/// `ConnectorInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: OrderedMap,
    pub tasks: Vec<TaskId>,
    /// `source`, `sink` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `TaskInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: TaskId,
    pub config: OrderedMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_request_without_initial_state_has_no_such_key() {
        let req = CreateConnectorRequest {
            name: Some("s".into()),
            config: Some(OrderedMap(vec![("connector.class".into(), "FileStreamSource".into())])),
            initial_state: None,
        };
        let text = serde_json::to_string(&req).unwrap();
        assert_eq!(text, r#"{"name":"s","config":{"connector.class":"FileStreamSource"}}"#);
        assert_eq!(serde_json::from_str::<CreateConnectorRequest>(&text).unwrap(), req);

        let stopped = CreateConnectorRequest {
            initial_state: Some("STOPPED".into()),
            ..req
        };
        let text = serde_json::to_string(&stopped).unwrap();
        assert!(text.ends_with(r#","initial_state":"STOPPED"}"#), "{text}");
        assert_eq!(serde_json::from_str::<CreateConnectorRequest>(&text).unwrap(), stopped);
    }

    #[test]
    fn connector_info_round_trips_keeping_config_order() {
        let info = ConnectorInfo {
            name: "sink".into(),
            config: OrderedMap(vec![
                ("topics".into(), "t".into()),
                (
                    "connector.class".into(),
                    "org.apache.kafka.connect.file.FileStreamSinkConnector".into(),
                ),
                ("name".into(), "sink".into()),
                ("tasks.max".into(), "1".into()),
            ]),
            tasks: vec![TaskId {
                connector: "sink".into(),
                task: 0,
            }],
            kind: "sink".into(),
        };
        let text = serde_json::to_string(&info).unwrap();
        assert_eq!(
            text,
            r#"{"name":"sink","config":{"topics":"t","connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","name":"sink","tasks.max":"1"},"tasks":[{"connector":"sink","task":0}],"type":"sink"}"#
        );
        let back: ConnectorInfo = serde_json::from_str(&text).unwrap();
        assert_eq!(back, info);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }

    #[test]
    fn task_info_round_trips() {
        let info = TaskInfo {
            id: TaskId {
                connector: "c".into(),
                task: 3,
            },
            config: OrderedMap(vec![("task.class".into(), "X".into()), ("b".into(), "y".into())]),
        };
        let text = serde_json::to_string(&info).unwrap();
        assert_eq!(text, r#"{"id":{"connector":"c","task":3},"config":{"task.class":"X","b":"y"}}"#);
        assert_eq!(serde_json::from_str::<TaskInfo>(&text).unwrap(), info);
    }
}
