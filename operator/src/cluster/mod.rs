//! The pure half of the `KafkaCluster` reconciler, the Stackable way: [`validate`] the spec, build
//! each object from the [`ValidCluster`] (one file per kind of object, brokers and Connect workers), and compute the status from
//! what was observed. No I/O and no client: the reconcile loop applies [`ClusterObjects`] in order
//! and patches [`cluster_status`], and everything here is tested without a cluster. [`serving`]
//! reads that status back for the Topic and Connector controllers.

pub mod bootstrap_service;
pub mod config_map;
pub mod connect_config;
pub mod connect_deployment;
pub mod connect_service;
pub mod connect_spec;
pub mod headless_service;
pub mod names;
pub mod pdb;
pub mod quantity;
pub mod serving;
pub mod statefulset;
pub mod status;
pub mod validate;

#[cfg(test)]
pub(crate) mod test_support;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

pub use bootstrap_service::build_bootstrap_service;
pub use config_map::{build_config_map, config_hash, server_properties};
pub use connect_config::{build_connect_config_map, connect_properties};
pub use connect_deployment::build_connect_deployment;
pub use connect_service::build_connect_service;
pub use headless_service::build_headless_service;
pub use pdb::build_pdb;
pub use statefulset::build_statefulset;
pub use status::cluster_status;
pub use validate::{validate, validate_well_formed, SpecProblem, Storage, ValidCluster};

use crate::crd::KafkaCluster;

/// What the operator is configured with rather than what a spec says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterDefaults {
    /// The broker image when `spec.image` is unset (`--broker-image`).
    pub broker_image: String,
}

/// Every object of a cluster's brokers, in the order to apply them: the configuration and the
/// Services the pods need exist before the StatefulSet starts them.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterObjects {
    pub config_map: ConfigMap,
    pub headless_service: Service,
    pub bootstrap_service: Service,
    pub pod_disruption_budget: PodDisruptionBudget,
    pub stateful_set: StatefulSet,
    /// The Connect workers' objects, when `spec.connect` is set.
    pub connect: Option<ConnectObjects>,
    /// The validated cluster the objects were built from, for [`cluster_status`].
    pub cluster: ValidCluster,
}

/// Every object of a cluster's Connect workers, in the order to apply them.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectObjects {
    pub config_map: ConfigMap,
    pub service: Service,
    pub deployment: Deployment,
}

impl ClusterObjects {
    /// Builds every object of an already validated cluster, for any number of brokers.
    pub fn build(cluster: &ValidCluster, defaults: &ClusterDefaults) -> Self {
        ClusterObjects {
            config_map: build_config_map(cluster),
            headless_service: build_headless_service(cluster),
            bootstrap_service: build_bootstrap_service(cluster),
            pod_disruption_budget: build_pdb(cluster),
            stateful_set: build_statefulset(cluster, defaults),
            connect: cluster.connect.as_ref().map(|connect| ConnectObjects {
                config_map: build_connect_config_map(cluster, connect),
                service: build_connect_service(cluster),
                deployment: build_connect_deployment(cluster, connect, defaults),
            }),
            cluster: cluster.clone(),
        }
    }
}

/// Validates the cluster and builds its objects in apply order; a spec Kaskade cannot run (invalid,
/// or more than one broker) builds nothing.
pub fn build_all(cluster: &KafkaCluster, defaults: &ClusterDefaults) -> Result<ClusterObjects, SpecProblem> {
    let valid = validate(cluster)?;
    Ok(ClusterObjects::build(&valid, defaults))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::Reason;
    use serde_json::json;
    use test_support::{cluster, defaults};

    #[test]
    fn build_all_builds_a_supported_cluster() {
        let objects = build_all(&cluster("k", json!({"replicas": 1})), &defaults()).unwrap();
        assert_eq!(objects.config_map.metadata.name.as_deref(), Some("k-broker-config"));
        assert_eq!(objects.headless_service.metadata.name.as_deref(), Some("k-broker-headless"));
        assert_eq!(objects.bootstrap_service.metadata.name.as_deref(), Some("k-bootstrap"));
        assert_eq!(objects.pod_disruption_budget.metadata.name.as_deref(), Some("k-broker"));
        assert_eq!(objects.stateful_set.metadata.name.as_deref(), Some("k-broker"));
        assert_eq!(objects.connect, None);
        let objects = build_all(&cluster("k", json!({"replicas": 1, "connect": {}})), &defaults()).unwrap();
        let connect = objects.connect.unwrap();
        assert_eq!(connect.config_map.metadata.name.as_deref(), Some("k-connect-config"));
        assert_eq!(connect.service.metadata.name.as_deref(), Some("k-connect"));
        assert_eq!(connect.deployment.metadata.name.as_deref(), Some("k-connect"));
    }

    #[test]
    fn build_all_builds_nothing_for_several_brokers_or_a_bad_spec() {
        assert_eq!(
            build_all(&cluster("k", json!({"replicas": 3})), &defaults()).unwrap_err().reason,
            Reason::NotSupported
        );
        let bad = cluster("k", json!({"replicas": 1, "config": {"listeners": "x"}}));
        assert_eq!(build_all(&bad, &defaults()).unwrap_err().reason, Reason::InvalidSpec);
    }

    #[test]
    fn two_builds_of_one_spec_are_identical() {
        let spec = json!({"replicas": 1, "config": {"num.partitions": 3}, "storage": {"type": "persistent", "size": "1Gi"}});
        let a = build_all(&cluster("k", spec.clone()), &defaults()).unwrap();
        let b = build_all(&cluster("k", spec), &defaults()).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a.stateful_set).unwrap(),
            serde_json::to_string(&b.stateful_set).unwrap()
        );
    }
}
