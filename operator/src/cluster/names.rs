//! Every name, label, address, port and path the objects of a `KafkaCluster` agree on, in one place:
//! DESIGN.md makes the object names and labels a public contract, and the broker's arguments, the
//! Services and the quorum voter list must all spell the per-pod DNS names the same way.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;

use crate::crd::KafkaCluster;

/// Port of the `PLAINTEXT` listener clients use.
pub const KAFKA_PORT: i32 = 9092;
/// Port of the `CONTROLLER` listener the KRaft quorum uses.
pub const CONTROLLER_PORT: i32 = 9093;
/// Name of the client port on the container and the Services.
pub const KAFKA_PORT_NAME: &str = "kafka";
/// Name of the quorum port on the container and the headless Service.
pub const CONTROLLER_PORT_NAME: &str = "controller";

/// Name of the broker container in each pod.
pub const CONTAINER_NAME: &str = "broker";
/// Where the ConfigMap is mounted.
pub const CONFIG_DIR: &str = "/etc/kaskade";
/// The file in the ConfigMap (and in [`CONFIG_DIR`]).
pub const CONFIG_FILE: &str = "server.properties";
/// Where the data volume is mounted.
pub const DATA_MOUNT: &str = "/var/lib/kaskade";
/// `log.dirs`: a directory inside the data volume, so a filesystem's `lost+found` at the volume's
/// root is never taken for a partition directory.
pub const LOG_DIR: &str = "/var/lib/kaskade/data";
/// Name of the data volume (and of the volume claim template).
pub const DATA_VOLUME: &str = "data";
/// Name of the config volume.
pub const CONFIG_VOLUME: &str = "config";
/// Name of the scratch volume mounted at `/tmp` (the root filesystem is read-only).
pub const TMP_VOLUME: &str = "tmp";
/// Pod-template annotation holding the hash of the rendered `server.properties`.
pub const CONFIG_HASH_ANNOTATION: &str = "kaskade.dev/config-hash";
/// Cluster DNS domain of the per-pod names (the broker's `advertised.listeners` contract).
pub const CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// Port of the Connect workers' REST API.
pub const CONNECT_PORT: i32 = 8083;
/// Name of the REST port on the worker container and the Connect Service.
pub const CONNECT_PORT_NAME: &str = "rest";
/// Name of the worker container in each Connect pod.
pub const CONNECT_CONTAINER_NAME: &str = "connect";
/// Where the Connect ConfigMap is mounted.
pub const CONNECT_CONFIG_DIR: &str = "/etc/kaskade-connect";
/// The file in the Connect ConfigMap (and in [`CONNECT_CONFIG_DIR`]).
pub const CONNECT_CONFIG_FILE: &str = "connect-distributed.properties";
/// The environment variable holding a Connect pod's IP, its advertised REST address.
pub const POD_IP_ENV: &str = "POD_IP";

/// StatefulSet `NAME-broker` (also the PodDisruptionBudget's name and the pods' name prefix).
pub fn statefulset(cluster: &str) -> String {
    format!("{cluster}-broker")
}

/// PodDisruptionBudget `NAME-broker`.
pub fn pdb(cluster: &str) -> String {
    statefulset(cluster)
}

/// Headless Service `NAME-broker-headless`: per-pod DNS names for the quorum and the brokers.
pub fn headless_service(cluster: &str) -> String {
    format!("{cluster}-broker-headless")
}

/// ClusterIP Service `NAME-bootstrap` clients bootstrap from.
pub fn bootstrap_service(cluster: &str) -> String {
    format!("{cluster}-bootstrap")
}

/// ConfigMap `NAME-broker-config` holding `server.properties`.
pub fn config_map(cluster: &str) -> String {
    format!("{cluster}-broker-config")
}

/// Deployment `NAME-connect` (also the Connect Service's name).
pub fn connect_deployment(cluster: &str) -> String {
    format!("{cluster}-connect")
}

/// ClusterIP Service `NAME-connect` in front of the Connect workers' REST API.
pub fn connect_service(cluster: &str) -> String {
    connect_deployment(cluster)
}

/// ConfigMap `NAME-connect-config` holding `connect-distributed.properties`.
pub fn connect_config_map(cluster: &str) -> String {
    format!("{cluster}-connect-config")
}

/// The Connect REST API's URL: `http://NAME-connect.NS.svc.cluster.local:8083`.
pub fn connect_url(cluster: &str, namespace: &str) -> String {
    format!("http://{}.{namespace}.{CLUSTER_DOMAIN}:{CONNECT_PORT}", connect_service(cluster))
}

/// Pod `index`'s DNS name: `NAME-broker-N.NAME-broker-headless.NS.svc.cluster.local`.
pub fn pod_dns(cluster: &str, namespace: &str, index: i32) -> String {
    format!(
        "{}-{index}.{}.{namespace}.{CLUSTER_DOMAIN}",
        statefulset(cluster),
        headless_service(cluster)
    )
}

/// What clients bootstrap from: `NAME-bootstrap.NS.svc.cluster.local:9092`.
pub fn bootstrap_address(cluster: &str, namespace: &str) -> String {
    format!("{}.{namespace}.{CLUSTER_DOMAIN}:{KAFKA_PORT}", bootstrap_service(cluster))
}

/// The half of a cluster an object belongs to: its `app.kubernetes.io/component` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Broker,
    Connect,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Broker => "broker",
            Component::Connect => "connect",
        }
    }
}

/// The labels that select the cluster's broker pods. They are part of the StatefulSet's immutable
/// selector, so they never change for a given cluster.
pub fn selector_labels(cluster: &str) -> BTreeMap<String, String> {
    component_selector_labels(cluster, Component::Broker)
}

/// The labels that select one component's pods (part of an immutable selector).
pub fn component_selector_labels(cluster: &str, component: Component) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), "kaskade".to_string()),
        ("app.kubernetes.io/instance".to_string(), cluster.to_string()),
        ("app.kubernetes.io/component".to_string(), component.as_str().to_string()),
    ])
}

/// The four `app.kubernetes.io/*` labels every object of the cluster's brokers carries.
pub fn labels(cluster: &str) -> BTreeMap<String, String> {
    component_labels(cluster, Component::Broker)
}

/// The four `app.kubernetes.io/*` labels of one component's objects.
pub fn component_labels(cluster: &str, component: Component) -> BTreeMap<String, String> {
    let mut labels = component_selector_labels(cluster, component);
    labels.insert("app.kubernetes.io/managed-by".to_string(), crate::OPERATOR.to_string());
    labels
}

/// The controller owner reference to the `KafkaCluster`, so that its objects are garbage-collected
/// with it and their changes wake its reconciler. `None` when the object has no name or uid (it did
/// not come from the API server).
pub fn owner_reference(cluster: &KafkaCluster) -> Option<OwnerReference> {
    Some(OwnerReference {
        api_version: KafkaCluster::api_version(&()).into_owned(),
        kind: KafkaCluster::kind(&()).into_owned(),
        name: cluster.metadata.name.clone()?,
        uid: cluster.metadata.uid.clone()?,
        controller: Some(true),
        block_owner_deletion: Some(true),
    })
}

/// Metadata of an object named `name` that the cluster's brokers own: namespace, labels, owner
/// reference.
pub fn object_meta(name: String, namespace: &str, cluster: &str, owner: &OwnerReference) -> ObjectMeta {
    component_object_meta(name, namespace, cluster, Component::Broker, owner)
}

/// Metadata of an object of one component of the cluster.
pub fn component_object_meta(name: String, namespace: &str, cluster: &str, component: Component, owner: &OwnerReference) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_string()),
        labels: Some(component_labels(cluster, component)),
        owner_references: Some(vec![owner.clone()]),
        ..ObjectMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::KafkaClusterSpec;

    #[test]
    fn object_names_follow_the_design() {
        assert_eq!(statefulset("k"), "k-broker");
        assert_eq!(pdb("k"), "k-broker");
        assert_eq!(headless_service("k"), "k-broker-headless");
        assert_eq!(bootstrap_service("k"), "k-bootstrap");
        assert_eq!(config_map("k"), "k-broker-config");
        assert_eq!(connect_deployment("k"), "k-connect");
        assert_eq!(connect_service("k"), "k-connect");
        assert_eq!(connect_config_map("k"), "k-connect-config");
    }

    #[test]
    fn addresses_are_cluster_dns_names() {
        assert_eq!(pod_dns("k", "ns", 2), "k-broker-2.k-broker-headless.ns.svc.cluster.local");
        assert_eq!(bootstrap_address("k", "ns"), "k-bootstrap.ns.svc.cluster.local:9092");
        assert_eq!(connect_url("k", "ns"), "http://k-connect.ns.svc.cluster.local:8083");
    }

    #[test]
    fn labels_are_the_selector_plus_managed_by() {
        let l = labels("k");
        assert_eq!(l.len(), 4);
        assert_eq!(l["app.kubernetes.io/name"], "kaskade");
        assert_eq!(l["app.kubernetes.io/instance"], "k");
        assert_eq!(l["app.kubernetes.io/component"], "broker");
        assert_eq!(l["app.kubernetes.io/managed-by"], "kaskade-operator");
        let s = selector_labels("k");
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|(k, v)| l.get(k) == Some(v)));
    }

    #[test]
    fn owner_reference_is_a_blocking_controller_reference() {
        let mut kc = KafkaCluster::new(
            "k",
            serde_json::from_value::<KafkaClusterSpec>(serde_json::json!({"replicas": 1})).unwrap(),
        );
        assert_eq!(owner_reference(&kc), None);
        kc.metadata.uid = Some("u-1".into());
        let o = owner_reference(&kc).unwrap();
        assert_eq!(o.api_version, "kaskade.dev/v1alpha1");
        assert_eq!(o.kind, "KafkaCluster");
        assert_eq!(o.name, "k");
        assert_eq!(o.uid, "u-1");
        assert_eq!(o.controller, Some(true));
        assert_eq!(o.block_owner_deletion, Some(true));
    }
}
