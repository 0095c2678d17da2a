//! The Service `NAME-connect`: the Connect REST API on 8083 over the ready workers, which the
//! operator and users call (any worker forwards a write to the group's leader).

use k8s_openapi::api::core::v1::{Service, ServiceSpec};

use super::headless_service::port;
use super::names::{self, Component, CONNECT_PORT, CONNECT_PORT_NAME};
use super::validate::ValidCluster;

/// A ClusterIP Service on 8083 selecting the cluster's Connect pods.
pub fn build_connect_service(cluster: &ValidCluster) -> Service {
    Service {
        metadata: names::component_object_meta(
            names::connect_service(&cluster.name),
            &cluster.namespace,
            &cluster.name,
            Component::Connect,
            &cluster.owner,
        ),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(names::component_selector_labels(&cluster.name, Component::Connect)),
            ports: Some(vec![port(CONNECT_PORT_NAME, CONNECT_PORT)]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use serde_json::json;

    #[test]
    fn a_cluster_ip_service_on_the_rest_port_of_the_workers() {
        let v = valid("k", json!({"replicas": 1, "connect": {}}));
        let svc = build_connect_service(&v);
        assert_eq!(svc.metadata.name.as_deref(), Some("k-connect"));
        assert_eq!(svc.metadata.labels.as_ref().unwrap()["app.kubernetes.io/component"], "connect");
        let spec = svc.spec.unwrap();
        assert_eq!(spec.selector, Some(names::component_selector_labels("k", Component::Connect)));
        let ports: Vec<(Option<String>, i32)> = spec.ports.unwrap().into_iter().map(|p| (p.name, p.port)).collect();
        assert_eq!(ports, [(Some("rest".into()), 8083)]);
    }
}
