//! `KafkaCluster`: a set of brokers in a StatefulSet with their Services, and optionally Kafka
//! Connect workers (`spec.connect`) in a Deployment beside them.
// Several `printcolumn(...)` attributes repeat `type_ = "string"`, which clippy takes for
// duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar, ResourceRequirements, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kafka-compatible cluster of Kaskade brokers.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "kaskade.dev",
    version = "v1alpha1",
    kind = "KafkaCluster",
    namespaced,
    shortname = "kc",
    category = "kaskade",
    status = "KafkaClusterStatus",
    doc = "A Kafka-compatible cluster of Kaskade brokers: a StatefulSet with a headless and a bootstrap Service, and optionally Kafka Connect workers in a Deployment.",
    printcolumn(name = "Ready", type_ = "string", json_path = ".status.conditions[?(@.type==\"Ready\")].status"),
    printcolumn(name = "Replicas", type_ = "integer", json_path = ".spec.replicas"),
    printcolumn(name = "Connect", type_ = "integer", json_path = ".spec.connect.replicas"),
    printcolumn(name = "Bootstrap", type_ = "string", json_path = ".status.bootstrapServers"),
    printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp")
)]
#[serde(rename_all = "camelCase")]
pub struct KafkaClusterSpec {
    /// Number of brokers. Until the broker replicates, only 1 is supported.
    #[schemars(range(min = 1))]
    pub replicas: i32,
    /// The broker image; the operator's configured image when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Where the brokers keep their logs.
    #[serde(default)]
    #[x_kube(validation = Rule::new("self.type == oldSelf.type").message("storage.type is immutable"))]
    #[x_kube(validation = Rule::new("self.type != 'persistent' || has(self.size)").message("persistent storage needs a size"))]
    #[x_kube(validation = Rule::new(
        "self.type != 'persistent' || ((has(self.size) ? self.size : '') == (has(oldSelf.size) ? oldSelf.size : '') && (has(self.storageClassName) ? self.storageClassName : '') == (has(oldSelf.storageClassName) ? oldSelf.storageClassName : ''))"
    ).message("storage.size and storage.storageClassName of persistent storage are immutable (a StatefulSet's volumeClaimTemplates cannot change)"))]
    pub storage: StorageSpec,
    /// Compute resources of each broker container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Broker properties, with Kafka's own key names (`log.retention.hours: 24`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(schema_with = "crate::crd::generate::free_form_map")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// Kafka Connect workers in distributed mode beside the brokers; none when unset. Removing it
    /// deletes the workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectSpec>,
}

/// The cluster's Kafka Connect workers: a Deployment `NAME-connect` behind the Service
/// `NAME-connect` (port 8083), configured by the ConfigMap `NAME-connect-config`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConnectSpec {
    /// Number of workers (one Connect group).
    #[serde(default = "one")]
    #[schemars(range(min = 0))]
    pub replicas: i32,
    /// The worker image (the `kaskade` image); the operator's configured image when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Worker properties with the keys of `connect-distributed.properties` (`group.id`,
    /// `offset.flush.interval.ms`, `config.providers`, …). `bootstrap.servers`, the listeners and
    /// the advertised address are the operator's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(schema_with = "crate::crd::generate::free_form_map")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// Compute resources of each worker container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Environment variables of the worker container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Environment of the worker container from Secrets and ConfigMaps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    /// Extra pod volumes, typically Secrets read through the `${file:…}` and `${directory:…}`
    /// config providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// Where the extra volumes are mounted in the worker container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
}

fn one() -> i32 {
    1
}

/// Persistent (a PersistentVolumeClaim per broker) or ephemeral (an `emptyDir`) log storage.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct StorageSpec {
    /// `persistent` or `ephemeral`; immutable.
    #[serde(default, rename = "type")]
    pub type_: StorageType,
    /// Volume size, for example `10Gi` (persistent; a size limit for ephemeral).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Storage class of the claims; the cluster's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// Delete the claims when the cluster is deleted (persistent only).
    #[serde(default)]
    pub delete_claim: bool,
}

/// The kind of log storage.
#[derive(JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub enum StorageType {
    /// A PersistentVolumeClaim per broker, from `volumeClaimTemplates`.
    Persistent,
    /// An `emptyDir`: data is lost when a pod goes.
    #[default]
    Ephemeral,
}

/// What the operator observed of a `KafkaCluster`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct KafkaClusterStatus {
    /// `Ready`, `Progressing` and `Degraded`, with reasons and messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `host:port` list clients bootstrap from (the bootstrap Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_servers: Option<String>,
    /// Brokers whose pods are ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// The Connect REST API's URL (the Service `NAME-connect`), when `spec.connect` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_url: Option<String>,
    /// Connect workers whose pods are ready, when `spec.connect` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_ready_replicas: Option<i32>,
    /// The Kafka cluster id the brokers report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
}
