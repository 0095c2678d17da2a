//! The Deployment `NAME-connect`: the cluster's Kafka Connect workers, one Connect group. Workers
//! are interchangeable (their state is in Kafka's internal topics), so a Deployment, not a
//! StatefulSet. Each advertises its pod IP for the REST forwarding between workers, is ready when
//! `GET /health` says it has finished starting (joined its group, read the config topic), and rolls
//! when `connect-distributed.properties` changes, through a hash on the pod template.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container, EmptyDirVolumeSource, HTTPGetAction, PodSpec, PodTemplateSpec, Probe, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::config_map::config_hash;
use super::connect_config::connect_properties;
use super::names::{
    self, Component, CONFIG_HASH_ANNOTATION, CONFIG_VOLUME, CONNECT_CONFIG_DIR, CONNECT_CONFIG_FILE, CONNECT_CONTAINER_NAME, CONNECT_PORT,
    CONNECT_PORT_NAME, POD_IP_ENV, TMP_VOLUME,
};
use super::statefulset::{container_port, container_security_context, field_env, pod_security_context};
use super::validate::{ValidCluster, ValidConnect};
use super::ClusterDefaults;

/// Time a worker gets to stop its tasks, commit their offsets and leave its group.
pub const CONNECT_TERMINATION_GRACE_SECONDS: i64 = 60;

/// Deployment `NAME-connect` for `connect.replicas` workers.
pub fn build_connect_deployment(cluster: &ValidCluster, connect: &ValidConnect, defaults: &ClusterDefaults) -> Deployment {
    let name = &cluster.name;
    let labels = names::component_labels(name, Component::Connect);
    let annotations = BTreeMap::from([(
        CONFIG_HASH_ANNOTATION.to_string(),
        config_hash(&connect_properties(cluster, connect)),
    )]);
    let mut volumes = vec![
        Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: names::connect_config_map(name),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
        Volume {
            name: TMP_VOLUME.into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        },
    ];
    volumes.extend(connect.volumes.iter().cloned());
    Deployment {
        metadata: names::component_object_meta(
            names::connect_deployment(name),
            &cluster.namespace,
            name,
            Component::Connect,
            &cluster.owner,
        ),
        spec: Some(DeploymentSpec {
            replicas: Some(connect.replicas),
            selector: LabelSelector {
                match_labels: Some(names::component_selector_labels(name, Component::Connect)),
                ..LabelSelector::default()
            },
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                ..DeploymentStrategy::default()
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: Some(annotations),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![worker_container(cluster, connect, defaults)],
                    volumes: Some(volumes),
                    termination_grace_period_seconds: Some(CONNECT_TERMINATION_GRACE_SECONDS),
                    // The worker never talks to the Kubernetes API.
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(pod_security_context()),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn worker_container(cluster: &ValidCluster, connect: &ValidConnect, defaults: &ClusterDefaults) -> Container {
    let args = [
        "connect".to_string(),
        format!("{CONNECT_CONFIG_DIR}/{CONNECT_CONFIG_FILE}"),
        "--override".to_string(),
        format!("rest.advertised.host.name=$({POD_IP_ENV})"),
    ];
    let mut env = vec![field_env(POD_IP_ENV, "status.podIP")];
    env.extend(connect.env.iter().cloned());
    let mut mounts = vec![
        VolumeMount {
            name: CONFIG_VOLUME.into(),
            mount_path: CONNECT_CONFIG_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        },
        VolumeMount {
            name: TMP_VOLUME.into(),
            mount_path: "/tmp".into(),
            ..VolumeMount::default()
        },
    ];
    mounts.extend(connect.volume_mounts.iter().cloned());
    Container {
        name: CONNECT_CONTAINER_NAME.into(),
        image: Some(
            connect
                .image
                .clone()
                .or_else(|| cluster.image.clone())
                .unwrap_or_else(|| defaults.broker_image.clone()),
        ),
        args: Some(args.to_vec()),
        env: Some(env),
        env_from: (!connect.env_from.is_empty()).then(|| connect.env_from.clone()),
        ports: Some(vec![container_port(CONNECT_PORT_NAME, CONNECT_PORT)]),
        // `GET /` answers while the worker starts, once it has read the cluster id from the
        // brokers. Polled every second, it lets readiness and liveness start at once; 3 minutes
        // allowed (brokers that cannot be reached hold the worker back).
        startup_probe: Some(Probe {
            period_seconds: Some(1),
            failure_threshold: Some(180),
            ..http_probe("/")
        }),
        // 503 until the worker has joined its group and read its configs; polled every 2 s so
        // that a worker is ready about 2 s after joining.
        readiness_probe: Some(Probe {
            period_seconds: Some(2),
            failure_threshold: Some(3),
            ..http_probe("/health")
        }),
        liveness_probe: Some(Probe {
            period_seconds: Some(20),
            failure_threshold: Some(6),
            ..http_probe("/")
        }),
        resources: connect.resources.clone(),
        volume_mounts: Some(mounts),
        security_context: Some(container_security_context()),
        ..Container::default()
    }
}

fn http_probe(path: &str) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String(CONNECT_PORT_NAME.into()),
            scheme: Some("HTTP".into()),
            ..HTTPGetAction::default()
        }),
        timeout_seconds: Some(5),
        ..Probe::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::{defaults, valid};
    use serde_json::json;

    fn deployment(spec: serde_json::Value) -> Deployment {
        let v = valid("k", spec);
        build_connect_deployment(&v, v.connect.as_ref().unwrap(), &defaults())
    }

    fn container(d: &Deployment) -> &Container {
        &d.spec.as_ref().unwrap().template.spec.as_ref().unwrap().containers[0]
    }

    #[test]
    fn workers_run_kaskade_connect_with_the_mounted_properties() {
        let d = deployment(json!({"replicas": 1, "connect": {"replicas": 2}}));
        assert_eq!(d.metadata.name.as_deref(), Some("k-connect"));
        assert_eq!(d.metadata.owner_references.as_ref().unwrap()[0].uid, "uid-k");
        let spec = d.spec.as_ref().unwrap();
        assert_eq!(spec.replicas, Some(2));
        assert_eq!(
            spec.selector.match_labels,
            Some(names::component_selector_labels("k", Component::Connect))
        );
        let c = container(&d);
        assert_eq!(c.image.as_deref(), Some("example/kaskade:test"));
        assert_eq!(
            c.args.as_deref().unwrap(),
            [
                "connect",
                "/etc/kaskade-connect/connect-distributed.properties",
                "--override",
                "rest.advertised.host.name=$(POD_IP)"
            ]
        );
        let readiness = c.readiness_probe.as_ref().unwrap().http_get.as_ref().unwrap();
        assert_eq!(readiness.path.as_deref(), Some("/health"));
        assert_eq!(readiness.port, IntOrString::String("rest".into()));
        let startup = c.startup_probe.as_ref().unwrap();
        assert_eq!(startup.http_get.as_ref().unwrap().path.as_deref(), Some("/"));
        assert_eq!((startup.initial_delay_seconds, startup.period_seconds), (None, Some(1)));
        // The startup probe holds readiness and liveness back: no initial delays of their own,
        // and readiness is polled often enough to notice a joined worker within 2 s.
        let (ready, live) = (c.readiness_probe.as_ref().unwrap(), c.liveness_probe.as_ref().unwrap());
        assert_eq!((ready.initial_delay_seconds, live.initial_delay_seconds), (None, None));
        assert!(ready.period_seconds <= Some(2));
        let sc = c.security_context.as_ref().unwrap();
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert_eq!(sc.capabilities.as_ref().unwrap().drop.as_deref(), Some(&["ALL".to_string()][..]));
    }

    #[test]
    fn the_image_is_connects_then_the_clusters_then_the_operators() {
        let d = deployment(json!({"replicas": 1, "image": "b:1", "connect": {"image": "c:1"}}));
        assert_eq!(container(&d).image.as_deref(), Some("c:1"));
        let d = deployment(json!({"replicas": 1, "image": "b:1", "connect": {}}));
        assert_eq!(container(&d).image.as_deref(), Some("b:1"));
    }

    #[test]
    fn user_env_volumes_and_mounts_come_after_the_operators() {
        let d = deployment(json!({"replicas": 1, "connect": {
            "env": [{"name": "A", "value": "1"}],
            "envFrom": [{"secretRef": {"name": "s"}}],
            "volumes": [{"name": "db", "secret": {"secretName": "db"}}],
            "volumeMounts": [{"name": "db", "mountPath": "/mnt/db", "readOnly": true}]
        }}));
        let c = container(&d);
        let env: Vec<&str> = c.env.as_ref().unwrap().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(env, ["POD_IP", "A"]);
        assert_eq!(c.env_from.as_ref().unwrap().len(), 1);
        let mounts: Vec<&str> = c.volume_mounts.as_ref().unwrap().iter().map(|m| m.mount_path.as_str()).collect();
        assert_eq!(mounts, ["/etc/kaskade-connect", "/tmp", "/mnt/db"]);
        let pod = d.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        let volumes: Vec<&str> = pod.volumes.as_ref().unwrap().iter().map(|v| v.name.as_str()).collect();
        assert_eq!(volumes, ["config", "tmp", "db"]);
    }

    #[test]
    fn a_config_change_changes_the_template_hash() {
        let hash = |d: &Deployment| {
            d.spec
                .as_ref()
                .unwrap()
                .template
                .metadata
                .as_ref()
                .unwrap()
                .annotations
                .as_ref()
                .unwrap()[CONFIG_HASH_ANNOTATION]
                .clone()
        };
        let a = deployment(json!({"replicas": 1, "connect": {}}));
        let b = deployment(json!({"replicas": 1, "connect": {"config": {"offset.flush.interval.ms": 1000}}}));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a), hash(&deployment(json!({"replicas": 1, "connect": {}}))));
    }
}
