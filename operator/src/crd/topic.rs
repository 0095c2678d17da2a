//! `Topic`: a Kafka topic on a `KafkaCluster` in the same namespace, managed through the Kafka
//! admin API.
// Several `printcolumn(...)` attributes repeat `type_ = "string"`, which clippy takes for
// duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kafka topic.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "kaskade.dev",
    version = "v1alpha1",
    kind = "Topic",
    namespaced,
    shortname = "kt",
    category = "kaskade",
    status = "TopicStatus",
    doc = "A Kafka topic on a KafkaCluster in the same namespace.",
    validation = Rule::new(
        "(has(self.spec.topicName) ? self.spec.topicName : self.metadata.name) == (has(oldSelf.spec.topicName) ? oldSelf.spec.topicName : oldSelf.metadata.name)"
    ).message("spec.topicName is immutable"),
    printcolumn(name = "Cluster", type_ = "string", json_path = ".spec.cluster"),
    printcolumn(name = "Partitions", type_ = "integer", json_path = ".spec.partitions"),
    printcolumn(name = "RF", type_ = "integer", json_path = ".spec.replicationFactor"),
    printcolumn(name = "Ready", type_ = "string", json_path = ".status.conditions[?(@.type==\"Ready\")].status")
)]
#[serde(rename_all = "camelCase")]
pub struct TopicSpec {
    /// Name of the `KafkaCluster` (same namespace) the topic lives on.
    #[schemars(length(min = 1))]
    pub cluster: String,
    /// The Kafka topic name; `metadata.name` when unset. Immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 249), regex(pattern = r"^[a-zA-Z0-9._-]+$"))]
    pub topic_name: Option<String>,
    /// Number of partitions; it can grow, never shrink.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub partitions: i32,
    /// Replicas of each partition.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub replication_factor: i32,
    /// Topic configs with Kafka's key names (`cleanup.policy: compact`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(schema_with = "crate::crd::generate::free_form_map")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// What happens to the Kafka topic when this resource is deleted.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
}

fn one() -> i32 {
    1
}

/// `Delete` removes the Kafka topic with the resource; `Retain` keeps it.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeletionPolicy {
    /// Delete the Kafka topic with the resource.
    #[default]
    Delete,
    /// Keep the Kafka topic and its data.
    Retain,
}

/// What the operator observed of a `Topic`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TopicStatus {
    /// `Ready`, with a reason and message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The topic id Kafka assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
}

impl Topic {
    /// The Kafka topic name: `spec.topicName`, or the resource's name.
    pub fn kafka_name(&self) -> String {
        self.spec
            .topic_name
            .clone()
            .unwrap_or_else(|| self.metadata.name.clone().unwrap_or_default())
    }
}
