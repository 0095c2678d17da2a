//! `Connector`: a Kafka Connect connector on the Connect workers of a `KafkaCluster` in the same
//! namespace, registered and kept in its spec's config and state through the Connect REST API.
// Several `printcolumn(...)` attributes repeat `type_ = "string"`, which clippy takes for
// duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kafka Connect connector.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "kaskade.dev",
    version = "v1alpha1",
    kind = "Connector",
    namespaced,
    shortname = "kctr",
    category = "kaskade",
    status = "ConnectorStatus",
    doc = "A Kafka Connect connector on the Connect workers of a KafkaCluster in the same namespace.",
    printcolumn(name = "Class", type_ = "string", json_path = ".spec.class"),
    printcolumn(name = "State", type_ = "string", json_path = ".status.connectorStatus.connector.state"),
    printcolumn(name = "Tasks", type_ = "integer", json_path = ".status.runningTasks"),
    printcolumn(name = "Ready", type_ = "string", json_path = ".status.conditions[?(@.type==\"Ready\")].status"),
    printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp")
)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorSpec {
    /// Name of the `KafkaCluster` (same namespace) whose Connect workers run the connector.
    #[schemars(length(min = 1))]
    pub cluster: String,
    /// The connector class (`connector.class`), for example
    /// `io.confluent.connect.jdbc.JdbcSourceConnector`.
    #[schemars(length(min = 1))]
    pub class: String,
    /// The most tasks the connector may run (`tasks.max`); the connector's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub tasks_max: Option<i32>,
    /// The connector's configuration with Kafka Connect's keys (`connector.class`, `tasks.max`
    /// and `name` come from the resource). Values may use the workers' config providers:
    /// `${file:/mnt/secrets/db.properties:password}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(schema_with = "crate::crd::generate::free_form_map")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// `running`, `paused` or `stopped`; a connector is created in this state.
    #[serde(default)]
    pub state: ConnectorTargetState,
    /// Restart a failed connector and its failed tasks, with back-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_restart: Option<AutoRestart>,
}

/// The state a connector is asked to be in.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorTargetState {
    /// Running its tasks.
    #[default]
    Running,
    /// Tasks paused, still assigned.
    Paused,
    /// Tasks shut down, the configuration kept.
    Stopped,
}

impl ConnectorTargetState {
    /// The state as Kafka Connect spells it (`initial_state`, and in status).
    pub fn connect_name(self) -> &'static str {
        match self {
            ConnectorTargetState::Running => "RUNNING",
            ConnectorTargetState::Paused => "PAUSED",
            ConnectorTargetState::Stopped => "STOPPED",
        }
    }
}

/// Automatic restarts of a failed connector or task.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AutoRestart {
    /// Whether failures are restarted.
    #[serde(default)]
    pub enabled: bool,
    /// The most restarts in a row before the operator gives up; unlimited when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_restarts: Option<i32>,
}

/// What the operator observed of a `Connector`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorStatus {
    /// `Ready`, with a reason and message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The connector's and its tasks' states as the workers report them (`GET
    /// /connectors/NAME/status`), traces shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_status: Option<ConnectorStatusReport>,
    /// Tasks in state RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_tasks: Option<i32>,
    /// Topics the connector has used (`GET /connectors/NAME/topics`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Restarts made by `spec.autoRestart`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_restart: Option<AutoRestartStatus>,
}

/// `GET /connectors/NAME/status`, as the status holds it.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ConnectorStatusReport {
    /// The connector's name in Kafka Connect.
    pub name: String,
    /// `source` or `sink`.
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub connector: StateReport,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskReport>,
}

/// A connector's state on its worker.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct StateReport {
    /// `UNASSIGNED`, `RUNNING`, `PAUSED`, `STOPPED`, `FAILED` or `RESTARTING`.
    pub state: String,
    /// The worker running it (`host:port`).
    #[serde(default)]
    pub worker_id: String,
    /// The failure's trace, shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// A task's state on its worker.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct TaskReport {
    pub id: i32,
    pub state: String,
    #[serde(default)]
    pub worker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// What `spec.autoRestart` did.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AutoRestartStatus {
    /// Restarts since the connector last ran without failures.
    pub count: i32,
    /// When the last restart was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_restart_time: Option<Time>,
}

impl Connector {
    /// The connector's name in Kafka Connect: the resource's name.
    pub fn connect_name(&self) -> String {
        self.metadata.name.clone().unwrap_or_default()
    }
}
