//! The headless Service `NAME-broker-headless`: it gives each broker pod its stable DNS name
//! (`NAME-broker-N.NAME-broker-headless.NS.svc.cluster.local`), which the brokers advertise to
//! clients and use to find their quorum peers.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::names::{self, CONTROLLER_PORT, CONTROLLER_PORT_NAME, KAFKA_PORT, KAFKA_PORT_NAME};
use super::validate::ValidCluster;

/// Headless (`clusterIP: None`) and publishing pods before they are ready: a KRaft voter is not
/// ready until the quorum has a leader, and there is no leader until the voters resolve each other.
pub fn build_headless_service(cluster: &ValidCluster) -> Service {
    Service {
        metadata: names::object_meta(
            names::headless_service(&cluster.name),
            &cluster.namespace,
            &cluster.name,
            &cluster.owner,
        ),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            publish_not_ready_addresses: Some(true),
            selector: Some(names::selector_labels(&cluster.name)),
            ports: Some(vec![port(KAFKA_PORT_NAME, KAFKA_PORT), port(CONTROLLER_PORT_NAME, CONTROLLER_PORT)]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// A TCP Service port forwarding to the container port of the same name.
pub(crate) fn port(name: &str, number: i32) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port: number,
        target_port: Some(IntOrString::String(name.into())),
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use serde_json::json;

    #[test]
    fn headless_and_publishing_not_ready_pods() {
        let v = valid("k", json!({"replicas": 3}));
        let svc = build_headless_service(&v);
        assert_eq!(svc.metadata.name.as_deref(), Some("k-broker-headless"));
        assert_eq!(svc.metadata.labels, Some(names::labels("k")));
        assert_eq!(svc.metadata.owner_references, Some(vec![v.owner.clone()]));
        let spec = svc.spec.unwrap();
        assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
        assert_eq!(spec.publish_not_ready_addresses, Some(true));
        assert_eq!(spec.selector, Some(names::selector_labels("k")));
        let ports: Vec<(Option<String>, i32)> = spec.ports.unwrap().into_iter().map(|p| (p.name, p.port)).collect();
        assert_eq!(ports, [(Some("kafka".into()), 9092), (Some("controller".into()), 9093)]);
    }
}
