//! The pure check of `spec.connect`: worker properties rendered to text with the keys the operator
//! owns refused by name, and the pod additions (environment, volumes, mounts) checked against what
//! the Deployment itself uses, so that an invalid spec is a `Ready=False` condition naming the
//! field rather than a Deployment the API server refuses on every reconcile.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar, ResourceRequirements, Volume, VolumeMount};

use super::names::{CONFIG_VOLUME, CONNECT_CONFIG_DIR, POD_IP_ENV, TMP_VOLUME};
use super::validate::render_config;
use crate::crd::ConnectSpec;

/// Worker keys the operator writes: where the brokers are, where the REST API listens and the
/// address other workers forward requests to (the pod's IP).
pub const CONNECT_OWNED_KEYS: &[&str] = &[
    "bootstrap.servers",
    "listeners",
    "rest.host.name",
    "rest.port",
    "rest.advertised.host.name",
    "rest.advertised.port",
    "rest.advertised.listener",
];

const CONNECT_OWNED_WHY: &str =
    "the brokers are the cluster's bootstrap Service; the REST API listens on 8083 and is advertised at the pod's IP";

/// `spec.connect`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidConnect {
    pub replicas: i32,
    /// `spec.connect.image`; the operator's configured image when `None`.
    pub image: Option<String>,
    /// `spec.connect.config` rendered as property text.
    pub config: BTreeMap<String, String>,
    pub resources: Option<ResourceRequirements>,
    pub env: Vec<EnvVar>,
    pub env_from: Vec<EnvFromSource>,
    pub volumes: Vec<Volume>,
    pub volume_mounts: Vec<VolumeMount>,
}

/// Checks `spec.connect`, adding a message per problem to `problems`.
pub fn check(spec: &ConnectSpec, problems: &mut Vec<String>) -> ValidConnect {
    if spec.replicas < 0 {
        problems.push(format!("spec.connect.replicas: {}: must not be negative", spec.replicas));
    }
    if spec.image.as_deref().is_some_and(|i| i.trim().is_empty()) {
        problems.push("spec.connect.image: must not be empty (leave it out for the operator's image)".into());
    }
    let config = render_config(
        &spec.config,
        "spec.connect.config",
        (CONNECT_OWNED_KEYS, CONNECT_OWNED_WHY),
        problems,
    );
    for (i, env) in spec.env.iter().enumerate() {
        if env.name == POD_IP_ENV {
            problems.push(format!(
                "spec.connect.env[{i}].name: {POD_IP_ENV} is set by the operator (the worker's advertised address)"
            ));
        }
    }
    let mut declared = BTreeSet::new();
    for (i, volume) in spec.volumes.iter().enumerate() {
        if [CONFIG_VOLUME, TMP_VOLUME].contains(&volume.name.as_str()) {
            problems.push(format!(
                "spec.connect.volumes[{i}].name: {:?} is the operator's own volume; choose another name",
                volume.name
            ));
        } else if !declared.insert(volume.name.as_str()) {
            problems.push(format!("spec.connect.volumes[{i}].name: {:?} is declared twice", volume.name));
        }
    }
    for (i, mount) in spec.volume_mounts.iter().enumerate() {
        if !declared.contains(mount.name.as_str()) {
            problems.push(format!(
                "spec.connect.volumeMounts[{i}].name: {:?} is not among spec.connect.volumes",
                mount.name
            ));
        }
        let path = mount.mount_path.trim_end_matches('/');
        if [CONNECT_CONFIG_DIR, "/tmp"].contains(&path) {
            problems.push(format!(
                "spec.connect.volumeMounts[{i}].mountPath: {:?} is where the operator mounts the worker's {}; choose another path",
                mount.mount_path,
                if path == "/tmp" { "scratch space" } else { "configuration" }
            ));
        }
    }
    ValidConnect {
        replicas: spec.replicas,
        image: spec.image.clone(),
        config,
        resources: spec.resources.clone(),
        env: spec.env.clone(),
        env_from: spec.env_from.clone(),
        volumes: spec.volumes.clone(),
        volume_mounts: spec.volume_mounts.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::cluster;
    use crate::cluster::validate::validate;
    use crate::conditions::Reason;
    use serde_json::json;

    fn message(connect: serde_json::Value) -> String {
        let p = validate(&cluster("k", json!({"replicas": 1, "connect": connect}))).unwrap_err();
        assert_eq!(p.reason, Reason::InvalidSpec);
        p.message
    }

    #[test]
    fn a_minimal_connect_is_one_worker_with_defaults() {
        let v = validate(&cluster("k", json!({"replicas": 1, "connect": {}}))).unwrap();
        let c = v.connect.unwrap();
        assert_eq!(c.replicas, 1);
        assert!(c.config.is_empty() && c.image.is_none() && c.env.is_empty() && c.volumes.is_empty());
        let v = validate(&cluster("k", json!({"replicas": 1}))).unwrap();
        assert_eq!(v.connect, None);
    }

    #[test]
    fn worker_config_renders_and_owned_keys_are_refused() {
        let spec = json!({"replicas": 1, "connect": {"config": {"group.id": "g", "offset.flush.interval.ms": 1000}}});
        let c = validate(&cluster("k", spec)).unwrap().connect.unwrap();
        assert_eq!(c.config["group.id"], "g");
        assert_eq!(c.config["offset.flush.interval.ms"], "1000");
        for key in CONNECT_OWNED_KEYS {
            let m = message(json!({"config": {*key: "x"}}));
            assert!(m.starts_with(&format!("spec.connect.config.{key:?}: set by the operator")), "{m}");
        }
        assert!(message(json!({"config": {"a": [1]}})).starts_with("spec.connect.config.\"a\": a list is not a property value"));
    }

    #[test]
    fn volumes_and_mounts_must_fit_the_deployment() {
        let m = message(json!({
            "volumes": [{"name": "config", "emptyDir": {}}, {"name": "db", "secret": {"secretName": "s"}},
                        {"name": "db", "emptyDir": {}}],
            "volumeMounts": [{"name": "nope", "mountPath": "/x"}, {"name": "db", "mountPath": "/etc/kaskade-connect/"}],
            "env": [{"name": "POD_IP", "value": "1"}],
            "replicas": -1,
            "image": " "
        }));
        assert_eq!(
            m,
            "spec.connect.replicas: -1: must not be negative; \
             spec.connect.image: must not be empty (leave it out for the operator's image); \
             spec.connect.env[0].name: POD_IP is set by the operator (the worker's advertised address); \
             spec.connect.volumes[0].name: \"config\" is the operator's own volume; choose another name; \
             spec.connect.volumes[2].name: \"db\" is declared twice; \
             spec.connect.volumeMounts[0].name: \"nope\" is not among spec.connect.volumes; \
             spec.connect.volumeMounts[1].mountPath: \"/etc/kaskade-connect/\" is where the operator mounts the worker's configuration; choose another path"
        );
    }
}
