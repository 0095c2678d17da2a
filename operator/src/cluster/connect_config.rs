//! The Connect workers' `connect-distributed.properties`, in the ConfigMap `NAME-connect-config`.
//! The operator writes where the brokers are and where the REST API listens; it defaults what a
//! worker on Kubernetes needs (a group id per cluster, Kafka's internal topic names, their
//! replication factor from the broker count, the `file` and `directory` config providers that read
//! mounted Secrets); `spec.connect.config` overrides any default. Rendered deterministically, so
//! its hash on the pod template changes exactly when the configuration does.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::config_map::push_property;
use super::names::{self, Component, CONNECT_CONFIG_FILE, CONNECT_PORT};
use super::validate::{ValidCluster, ValidConnect};

/// The class names Kafka gives the config providers the defaults enable.
const FILE_PROVIDER: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
const DIRECTORY_PROVIDER: &str = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";

/// ConfigMap `NAME-connect-config` with one key, `connect-distributed.properties`.
pub fn build_connect_config_map(cluster: &ValidCluster, connect: &ValidConnect) -> ConfigMap {
    ConfigMap {
        metadata: names::component_object_meta(
            names::connect_config_map(&cluster.name),
            &cluster.namespace,
            &cluster.name,
            Component::Connect,
            &cluster.owner,
        ),
        data: Some(BTreeMap::from([(
            CONNECT_CONFIG_FILE.to_string(),
            connect_properties(cluster, connect),
        )])),
        ..ConfigMap::default()
    }
}

/// The rendered `connect-distributed.properties`: a header, the operator's keys, the defaults the
/// user did not override, then `spec.connect.config` sorted by key.
pub fn connect_properties(cluster: &ValidCluster, connect: &ValidConnect) -> String {
    let mut out = format!(
        "# connect-distributed.properties of KafkaCluster {ns}/{name}, written by kaskade-operator: edits here are overwritten.\n\
         # Set worker properties in the KafkaCluster's spec.connect.config. rest.advertised.host.name is the\n\
         # pod's IP, set on the worker's command line.\n",
        ns = cluster.namespace,
        name = cluster.name
    );
    push_property(
        &mut out,
        "bootstrap.servers",
        &names::bootstrap_address(&cluster.name, &cluster.namespace),
    );
    push_property(&mut out, "listeners", &format!("http://:{CONNECT_PORT}"));
    let defaults: Vec<(&str, String)> = defaults(cluster)
        .into_iter()
        .filter(|(key, _)| !connect.config.contains_key(*key))
        .collect();
    if !defaults.is_empty() {
        out.push_str("\n# defaults (spec.connect.config overrides them)\n");
        for (key, value) in defaults {
            push_property(&mut out, key, &value);
        }
    }
    if !connect.config.is_empty() {
        out.push_str("\n# spec.connect.config\n");
        for (key, value) in &connect.config {
            push_property(&mut out, key, value);
        }
    }
    out
}

/// The worker defaults: one Connect group per cluster, Kafka's sample internal topic names
/// replicated as widely as the brokers allow (at most 3), and config providers for mounted Secrets.
fn defaults(cluster: &ValidCluster) -> Vec<(&'static str, String)> {
    let replication = cluster.replicas.clamp(1, 3).to_string();
    vec![
        ("group.id", names::connect_deployment(&cluster.name)),
        ("config.storage.topic", "connect-configs".into()),
        ("config.storage.replication.factor", replication.clone()),
        ("offset.storage.topic", "connect-offsets".into()),
        ("offset.storage.replication.factor", replication.clone()),
        ("status.storage.topic", "connect-status".into()),
        ("status.storage.replication.factor", replication),
        ("config.providers", "file,directory".into()),
        ("config.providers.file.class", FILE_PROVIDER.into()),
        ("config.providers.directory.class", DIRECTORY_PROVIDER.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use serde_json::json;

    fn body(spec: serde_json::Value) -> Vec<String> {
        let v = valid("k", spec);
        let text = connect_properties(&v, v.connect.as_ref().unwrap());
        assert!(text.starts_with("# connect-distributed.properties of KafkaCluster ns/k, written by kaskade-operator"));
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn one_broker_defaults() {
        assert_eq!(
            body(json!({"replicas": 1, "connect": {}})),
            [
                "bootstrap.servers=k-bootstrap.ns.svc.cluster.local:9092",
                "listeners=http://:8083",
                "group.id=k-connect",
                "config.storage.topic=connect-configs",
                "config.storage.replication.factor=1",
                "offset.storage.topic=connect-offsets",
                "offset.storage.replication.factor=1",
                "status.storage.topic=connect-status",
                "status.storage.replication.factor=1",
                "config.providers=file,directory",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                "config.providers.directory.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
            ]
        );
    }

    #[test]
    fn replication_follows_the_brokers_and_the_user_overrides_defaults() {
        let lines = body(json!({"replicas": 5, "connect": {"config": {"group.id": "mine", "offset.flush.interval.ms": 1000}}}));
        assert!(lines.contains(&"config.storage.replication.factor=3".to_string()));
        assert!(lines.contains(&"group.id=mine".to_string()));
        assert!(!lines.contains(&"group.id=k-connect".to_string()));
        assert_eq!(lines.last().map(String::as_str), Some("offset.flush.interval.ms=1000"));
        let lines = body(json!({"replicas": 2, "connect": {}}));
        assert!(lines.contains(&"status.storage.replication.factor=2".to_string()));
    }
}
