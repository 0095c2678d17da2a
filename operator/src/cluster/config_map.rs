//! The brokers' `server.properties`, shared by every pod through the ConfigMap `NAME-broker-config`.
//! It holds what is the same on every broker — roles, listeners, the quorum, the log directory and
//! the user's `spec.config`; `node.id` and `advertised.listeners` differ per pod and come from the
//! pod's command line. The text is rendered deterministically (sorted, no timestamps) so that its
//! hash on the pod template changes exactly when the configuration does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::ConfigMap;

use super::names::{self, CONFIG_FILE, CONTROLLER_PORT, KAFKA_PORT, LOG_DIR};
use super::validate::ValidCluster;

/// ConfigMap `NAME-broker-config` with one key, `server.properties`.
pub fn build_config_map(cluster: &ValidCluster) -> ConfigMap {
    ConfigMap {
        metadata: names::object_meta(names::config_map(&cluster.name), &cluster.namespace, &cluster.name, &cluster.owner),
        data: Some(BTreeMap::from([(CONFIG_FILE.to_string(), server_properties(cluster))])),
        ..ConfigMap::default()
    }
}

/// The rendered `server.properties`: a header, the keys the operator owns, then `spec.config`
/// sorted by key.
pub fn server_properties(cluster: &ValidCluster) -> String {
    let voters: Vec<String> = (0..cluster.replicas)
        .map(|i| format!("{i}@{}:{CONTROLLER_PORT}", names::pod_dns(&cluster.name, &cluster.namespace, i)))
        .collect();
    let mut out = format!(
        "# server.properties of KafkaCluster {ns}/{name}, written by kaskade-operator: edits here are overwritten.\n\
         # Set broker properties in the KafkaCluster's spec.config. node.id and advertised.listeners are\n\
         # set per pod on the broker's command line.\n",
        ns = cluster.namespace,
        name = cluster.name
    );
    let owned = [
        ("process.roles", "broker,controller".to_string()),
        ("listeners", format!("PLAINTEXT://:{KAFKA_PORT},CONTROLLER://:{CONTROLLER_PORT}")),
        ("controller.listener.names", "CONTROLLER".to_string()),
        (
            "listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT".to_string(),
        ),
        ("controller.quorum.voters", voters.join(",")),
        ("log.dirs", LOG_DIR.to_string()),
    ];
    for (key, value) in owned {
        push_property(&mut out, key, &value);
    }
    if !cluster.config.is_empty() {
        out.push_str("\n# spec.config\n");
        for (key, value) in &cluster.config {
            push_property(&mut out, key, value);
        }
    }
    out
}

/// A stable hash of the rendered configuration for the pod template's `kaskade.dev/config-hash`:
/// 64-bit FNV-1a as 16 hex digits. It only has to change when the text changes, and be the same on
/// every operator build and platform (which `std`'s hasher does not promise).
pub fn config_hash(text: &str) -> String {
    let hash = text
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

pub(crate) fn push_property(out: &mut String, key: &str, value: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{}={}", escape(key, true), escape(value, false));
}

/// Escapes a key or value the way `java.util.Properties` (and the broker's parser) reads it back.
fn escape(text: &str, is_key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '=' | ':' | ' ' if is_key => {
                out.push('\\');
                out.push(c);
            }
            '#' | '!' if is_key && i == 0 => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 => out.push_str("\\ "),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use serde_json::json;

    #[test]
    fn one_broker_is_a_single_voter_quorum() {
        let text = server_properties(&valid("k", json!({"replicas": 1})));
        assert!(text.starts_with("# server.properties of KafkaCluster ns/k, written by kaskade-operator"));
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            [
                "process.roles=broker,controller",
                "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.voters=0@k-broker-0.k-broker-headless.ns.svc.cluster.local:9093",
                "log.dirs=/var/lib/kaskade/data",
            ]
        );
    }

    #[test]
    fn n_brokers_are_n_voters_by_pod_dns_name() {
        let text = server_properties(&valid("k", json!({"replicas": 3})));
        let voters = text.lines().find_map(|l| l.strip_prefix("controller.quorum.voters=")).unwrap();
        assert_eq!(
            voters,
            "0@k-broker-0.k-broker-headless.ns.svc.cluster.local:9093,\
             1@k-broker-1.k-broker-headless.ns.svc.cluster.local:9093,\
             2@k-broker-2.k-broker-headless.ns.svc.cluster.local:9093"
        );
    }

    #[test]
    fn user_config_follows_sorted_by_key() {
        let spec = json!({"replicas": 1, "config": {"num.partitions": 3, "auto.create.topics.enable": false, "log.retention.hours": "24"}});
        let text = server_properties(&valid("k", spec));
        let (_, user) = text.split_once("\n# spec.config\n").unwrap();
        assert_eq!(user, "auto.create.topics.enable=false\nlog.retention.hours=24\nnum.partitions=3\n");
    }

    #[test]
    fn awkward_text_is_escaped_for_the_properties_parser() {
        assert_eq!(escape("a=b:c d", true), "a\\=b\\:c\\ d");
        assert_eq!(escape("#k", true), "\\#k");
        assert_eq!(escape(" x=y\n\\", false), "\\ x=y\\n\\\\");
    }

    #[test]
    fn the_config_map_holds_server_properties() {
        let v = valid("k", json!({"replicas": 1}));
        let cm = build_config_map(&v);
        assert_eq!(cm.metadata.name.as_deref(), Some("k-broker-config"));
        assert_eq!(cm.metadata.namespace.as_deref(), Some("ns"));
        assert_eq!(cm.metadata.labels, Some(names::labels("k")));
        assert_eq!(cm.metadata.owner_references, Some(vec![v.owner.clone()]));
        assert_eq!(cm.data.unwrap()["server.properties"], server_properties(&v));
    }

    #[test]
    fn the_hash_is_stable_and_follows_the_text() {
        assert_eq!(config_hash(""), "cbf29ce484222325");
        assert_eq!(config_hash("a"), "af63dc4c8601ec8c");
        assert_ne!(config_hash("log.retention.hours=24\n"), config_hash("log.retention.hours=25\n"));
    }
}
