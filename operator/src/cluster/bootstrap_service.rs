//! The bootstrap Service `NAME-bootstrap`: one stable address (`NAME-bootstrap.NS.svc:9092`) that
//! clients start from; the brokers' metadata then points them at each broker's own DNS name.

use k8s_openapi::api::core::v1::{Service, ServiceSpec};

use super::headless_service::port;
use super::names::{self, KAFKA_PORT, KAFKA_PORT_NAME};
use super::validate::ValidCluster;

/// A ClusterIP Service on 9092 over the ready brokers only.
pub fn build_bootstrap_service(cluster: &ValidCluster) -> Service {
    Service {
        metadata: names::object_meta(
            names::bootstrap_service(&cluster.name),
            &cluster.namespace,
            &cluster.name,
            &cluster.owner,
        ),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(names::selector_labels(&cluster.name)),
            ports: Some(vec![port(KAFKA_PORT_NAME, KAFKA_PORT)]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use serde_json::json;

    #[test]
    fn a_cluster_ip_service_on_the_kafka_port() {
        let v = valid("k", json!({"replicas": 1}));
        let svc = build_bootstrap_service(&v);
        assert_eq!(svc.metadata.name.as_deref(), Some("k-bootstrap"));
        assert_eq!(svc.metadata.labels, Some(names::labels("k")));
        assert_eq!(svc.metadata.owner_references, Some(vec![v.owner.clone()]));
        let spec = svc.spec.unwrap();
        assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
        assert_eq!(spec.cluster_ip, None);
        assert_eq!(spec.publish_not_ready_addresses, None);
        assert_eq!(spec.selector, Some(names::selector_labels("k")));
        let ports = spec.ports.unwrap();
        assert_eq!(ports.len(), 1);
        assert_eq!((ports[0].name.as_deref(), ports[0].port), (Some("kafka"), 9092));
        assert_eq!(ports[0].target_port, Some(IntOrString::String("kafka".into())));
    }
}
