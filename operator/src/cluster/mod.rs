//! STUB (replaced by the builders branch)
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use crate::crd::{KafkaCluster, KafkaClusterStatus};
pub mod names { pub fn bootstrap_address(n: &str, ns: &str) -> String { format!("{n}-bootstrap.{ns}.svc.cluster.local:9092") } pub fn statefulset(n: &str) -> String { format!("{n}-broker") } }
pub struct ClusterDefaults { pub broker_image: String }
pub struct SpecProblem { pub reason: String, pub message: String }
pub struct ClusterObjects { pub config_map: ConfigMap, pub headless_service: Service, pub bootstrap_service: Service, pub pod_disruption_budget: PodDisruptionBudget, pub stateful_set: StatefulSet }
pub fn build_all(_: &KafkaCluster, _: &ClusterDefaults) -> Result<ClusterObjects, SpecProblem> { todo!() }
pub fn cluster_status(_: Option<i64>, _: Result<(), &SpecProblem>, _: Option<&StatefulSet>, _: Option<&KafkaClusterStatus>, _: &Time, _: Option<String>) -> KafkaClusterStatus { todo!() }
