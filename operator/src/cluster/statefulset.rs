//! The StatefulSet `NAME-broker`: one pod per broker, pod N being `node.id=N` and advertising its
//! own DNS name under the headless Service. Pods start in parallel (KRaft voters wait for each
//! other, so one-by-one startup would never finish), roll one at a time when the pod template
//! changes, and carry a hash of `server.properties` so that a configuration change rolls them too.

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource, ExecAction,
    ObjectFieldSelector, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    SeccompProfile, SecurityContext, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

use super::config_map::{config_hash, server_properties};
use super::names::{
    self, CLUSTER_DOMAIN, CONFIG_DIR, CONFIG_FILE, CONFIG_HASH_ANNOTATION, CONFIG_VOLUME, CONTAINER_NAME, CONTROLLER_PORT,
    CONTROLLER_PORT_NAME, DATA_MOUNT, DATA_VOLUME, KAFKA_PORT, KAFKA_PORT_NAME, TMP_VOLUME,
};
use super::validate::{Storage, ValidCluster};
use super::ClusterDefaults;

/// The non-root user, group and filesystem group the broker runs as (the distroless `nonroot`).
pub const BROKER_UID: i64 = 65532;
/// Time a broker gets to flush its logs and leave the quorum before it is killed.
pub const TERMINATION_GRACE_SECONDS: i64 = 120;

/// StatefulSet `NAME-broker` for `cluster.replicas` brokers.
pub fn build_statefulset(cluster: &ValidCluster, defaults: &ClusterDefaults) -> StatefulSet {
    let name = &cluster.name;
    let (volume_claim_templates, retention) = match &cluster.storage {
        Storage::Persistent { .. } => (Some(vec![claim_template(cluster)]), Some(retention_policy(cluster))),
        Storage::Ephemeral { .. } => (None, None),
    };
    StatefulSet {
        metadata: names::object_meta(names::statefulset(name), &cluster.namespace, name, &cluster.owner),
        spec: Some(StatefulSetSpec {
            service_name: Some(names::headless_service(name)),
            replicas: Some(cluster.replicas),
            pod_management_policy: Some("Parallel".into()),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                ..StatefulSetUpdateStrategy::default()
            }),
            selector: LabelSelector {
                match_labels: Some(names::selector_labels(name)),
                ..LabelSelector::default()
            },
            template: pod_template(cluster, defaults),
            volume_claim_templates,
            persistent_volume_claim_retention_policy: retention,
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

fn pod_template(cluster: &ValidCluster, defaults: &ClusterDefaults) -> PodTemplateSpec {
    let annotations = BTreeMap::from([(CONFIG_HASH_ANNOTATION.to_string(), config_hash(&server_properties(cluster)))]);
    let mut volumes = vec![
        Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: names::config_map(&cluster.name),
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
    if let Storage::Ephemeral { size_limit } = &cluster.storage {
        let empty_dir = EmptyDirVolumeSource {
            size_limit: size_limit.clone(),
            ..EmptyDirVolumeSource::default()
        };
        volumes.push(Volume {
            name: DATA_VOLUME.into(),
            empty_dir: Some(empty_dir),
            ..Volume::default()
        });
    }
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(names::labels(&cluster.name)),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            containers: vec![broker_container(cluster, defaults)],
            volumes: Some(volumes),
            termination_grace_period_seconds: Some(TERMINATION_GRACE_SECONDS),
            // The broker never talks to the Kubernetes API.
            automount_service_account_token: Some(false),
            // Service environment variables only clutter the broker's environment.
            enable_service_links: Some(false),
            security_context: Some(pod_security_context()),
            ..PodSpec::default()
        }),
    }
}

fn broker_container(cluster: &ValidCluster, defaults: &ClusterDefaults) -> Container {
    let advertised = format!(
        "advertised.listeners=PLAINTEXT://$(POD_NAME).{}.$(POD_NAMESPACE).{CLUSTER_DOMAIN}:{KAFKA_PORT}",
        names::headless_service(&cluster.name)
    );
    let args = [
        "broker",
        "--config",
        &format!("{CONFIG_DIR}/{CONFIG_FILE}"),
        "--override",
        "node.id=$(POD_INDEX)",
        "--override",
        &advertised,
    ];
    Container {
        name: CONTAINER_NAME.into(),
        image: Some(cluster.image.clone().unwrap_or_else(|| defaults.broker_image.clone())),
        args: Some(args.iter().map(|a| a.to_string()).collect()),
        env: Some(vec![
            field_env("POD_INDEX", "metadata.labels['apps.kubernetes.io/pod-index']"),
            field_env("POD_NAME", "metadata.name"),
            field_env("POD_NAMESPACE", "metadata.namespace"),
        ]),
        ports: Some(vec![
            container_port(KAFKA_PORT_NAME, KAFKA_PORT),
            container_port(CONTROLLER_PORT_NAME, CONTROLLER_PORT),
        ]),
        // Every second from the container's start, so that a broker that answers is ready within
        // about a second (the kubelet runs the readiness probe as soon as this one passes); up to
        // 10 minutes for a broker recovering a long log. Readiness and liveness wait for it.
        startup_probe: Some(Probe {
            period_seconds: Some(STARTUP_PERIOD_SECONDS),
            failure_threshold: Some(STARTUP_FAILURES),
            ..probe()
        }),
        readiness_probe: Some(Probe {
            period_seconds: Some(5),
            failure_threshold: Some(3),
            ..probe()
        }),
        // Slower and more patient than readiness: a busy broker is restarted only after 2 minutes
        // without an answer.
        liveness_probe: Some(Probe {
            period_seconds: Some(20),
            failure_threshold: Some(6),
            ..probe()
        }),
        resources: cluster.resources.clone(),
        volume_mounts: Some(vec![
            VolumeMount {
                name: CONFIG_VOLUME.into(),
                mount_path: CONFIG_DIR.into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: DATA_VOLUME.into(),
                mount_path: DATA_MOUNT.into(),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: TMP_VOLUME.into(),
                mount_path: "/tmp".into(),
                ..VolumeMount::default()
            },
        ]),
        security_context: Some(container_security_context()),
        ..Container::default()
    }
}

/// Non-root (the image's user 65532), the runtime's default seccomp profile.
pub(crate) fn pod_security_context() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(BROKER_UID),
        run_as_group: Some(BROKER_UID),
        fs_group: Some(BROKER_UID),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
        ..PodSecurityContext::default()
    }
}

/// A read-only root filesystem, no privilege escalation, every capability dropped.
pub(crate) fn container_security_context() -> SecurityContext {
    SecurityContext {
        read_only_root_filesystem: Some(true),
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Capabilities::default()
        }),
        ..SecurityContext::default()
    }
}

/// The broker's start-up probe runs every second…
const STARTUP_PERIOD_SECONDS: i32 = 1;
/// …up to 600 times (10 minutes) before the kubelet restarts the container.
const STARTUP_FAILURES: i32 = 600;

/// `kaskade probe`: succeeds when the local broker answers Metadata and lists a broker. It gives
/// up after 4 s, before the kubelet's 5 s timeout, so a slow broker is reported by the probe
/// (with its message in the pod's events) rather than killed as a timeout.
fn probe() -> Probe {
    let command = [
        "kaskade",
        "probe",
        "--bootstrap-server",
        &format!("localhost:{KAFKA_PORT}"),
        "--timeout-ms",
        "4000",
    ];
    Probe {
        exec: Some(ExecAction {
            command: Some(command.iter().map(|a| a.to_string()).collect()),
        }),
        timeout_seconds: Some(5),
        ..Probe::default()
    }
}

pub(crate) fn field_env(name: &str, field_path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: field_path.into(),
                ..ObjectFieldSelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

pub(crate) fn container_port(name: &str, port: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: port,
        protocol: Some("TCP".into()),
        ..ContainerPort::default()
    }
}

/// The `data` claim template. Its labels are the selector labels, so the claims can be found by
/// cluster; no owner reference (the retention policy decides the claims' fate).
fn claim_template(cluster: &ValidCluster) -> PersistentVolumeClaim {
    let Storage::Persistent {
        size, storage_class_name, ..
    } = &cluster.storage
    else {
        return PersistentVolumeClaim::default();
    };
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(DATA_VOLUME.into()),
            labels: Some(names::selector_labels(&cluster.name)),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage_class_name.clone(),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), size.clone())])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// `deleteClaim` decides whether claims go with the cluster; scaling down never deletes data.
fn retention_policy(cluster: &ValidCluster) -> StatefulSetPersistentVolumeClaimRetentionPolicy {
    let delete = matches!(cluster.storage, Storage::Persistent { delete_claim: true, .. });
    StatefulSetPersistentVolumeClaimRetentionPolicy {
        when_deleted: Some(if delete { "Delete" } else { "Retain" }.into()),
        when_scaled: Some("Retain".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::{defaults, valid};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use serde_json::json;

    fn sts(spec: serde_json::Value) -> StatefulSet {
        build_statefulset(&valid("k", spec), &defaults())
    }

    fn pod(s: &StatefulSet) -> &PodSpec {
        s.spec.as_ref().unwrap().template.spec.as_ref().unwrap()
    }

    fn volume<'a>(s: &'a StatefulSet, name: &str) -> Option<&'a Volume> {
        pod(s).volumes.as_ref().unwrap().iter().find(|v| v.name == name)
    }

    #[test]
    fn n_brokers_in_parallel_behind_the_headless_service() {
        let s = sts(json!({"replicas": 3}));
        assert_eq!(s.metadata.name.as_deref(), Some("k-broker"));
        assert_eq!(s.metadata.labels, Some(names::labels("k")));
        assert_eq!(s.metadata.owner_references.as_ref().unwrap()[0].uid, "uid-k");
        let spec = s.spec.as_ref().unwrap();
        assert_eq!(spec.replicas, Some(3));
        assert_eq!(spec.service_name.as_deref(), Some("k-broker-headless"));
        assert_eq!(spec.pod_management_policy.as_deref(), Some("Parallel"));
        assert_eq!(spec.update_strategy.as_ref().unwrap().type_.as_deref(), Some("RollingUpdate"));
        assert_eq!(spec.selector.match_labels, Some(names::selector_labels("k")));
        assert_eq!(spec.template.metadata.as_ref().unwrap().labels, Some(names::labels("k")));
    }

    #[test]
    fn the_broker_container_follows_the_args_contract() {
        let s = sts(json!({"replicas": 1}));
        let c = &pod(&s).containers[0];
        assert_eq!(c.name, "broker");
        assert_eq!(c.image.as_deref(), Some("example/kaskade:test"));
        assert_eq!(
            c.args.as_deref().unwrap(),
            [
                "broker",
                "--config",
                "/etc/kaskade/server.properties",
                "--override",
                "node.id=$(POD_INDEX)",
                "--override",
                "advertised.listeners=PLAINTEXT://$(POD_NAME).k-broker-headless.$(POD_NAMESPACE).svc.cluster.local:9092",
            ]
        );
        let env: Vec<(&str, &str)> = c
            .env
            .as_ref()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.value_from.as_ref().unwrap().field_ref.as_ref().unwrap().field_path.as_str(),
                )
            })
            .collect();
        assert_eq!(
            env,
            [
                ("POD_INDEX", "metadata.labels['apps.kubernetes.io/pod-index']"),
                ("POD_NAME", "metadata.name"),
                ("POD_NAMESPACE", "metadata.namespace")
            ]
        );
        let ports: Vec<(Option<&str>, i32)> = c
            .ports
            .as_ref()
            .unwrap()
            .iter()
            .map(|p| (p.name.as_deref(), p.container_port))
            .collect();
        assert_eq!(ports, [(Some("kafka"), 9092), (Some("controller"), 9093)]);
        let image = sts(json!({"replicas": 1, "image": "mine:1"}));
        assert_eq!(pod(&image).containers[0].image.as_deref(), Some("mine:1"));
    }

    #[test]
    fn probes_ask_the_local_broker_and_liveness_is_more_patient() {
        let s = sts(json!({"replicas": 1}));
        let c = &pod(&s).containers[0];
        let (start, ready, live) = (
            c.startup_probe.as_ref().unwrap(),
            c.readiness_probe.as_ref().unwrap(),
            c.liveness_probe.as_ref().unwrap(),
        );
        for p in [start, ready, live] {
            let cmd = p.exec.as_ref().unwrap().command.as_deref().unwrap();
            assert_eq!(
                cmd,
                ["kaskade", "probe", "--bootstrap-server", "localhost:9092", "--timeout-ms", "4000"]
            );
            assert_eq!(p.timeout_seconds, Some(5));
        }
        let patience = |p: &Probe| p.period_seconds.unwrap_or(10) * p.failure_threshold.unwrap_or(3);
        assert!(patience(live) > patience(ready));
        assert!(patience(start) >= 600, "a broker recovering a long log has 10 minutes to answer");
    }

    #[test]
    fn a_started_broker_is_probed_ready_within_a_second() {
        let s = sts(json!({"replicas": 1}));
        let c = &pod(&s).containers[0];
        // The startup probe runs every second from the start; the kubelet runs readiness as soon as
        // it passes, unless readiness has an initial delay of its own.
        let start = c.startup_probe.as_ref().unwrap();
        assert_eq!((start.initial_delay_seconds, start.period_seconds), (None, Some(1)));
        for p in [c.readiness_probe.as_ref().unwrap(), c.liveness_probe.as_ref().unwrap()] {
            assert_eq!(p.initial_delay_seconds, None, "the startup probe holds them back instead");
        }
    }

    #[test]
    fn pods_run_locked_down() {
        let s = sts(json!({"replicas": 1}));
        let p = pod(&s);
        assert_eq!(p.termination_grace_period_seconds, Some(120));
        let psc = p.security_context.as_ref().unwrap();
        assert_eq!(
            (psc.run_as_non_root, psc.run_as_user, psc.run_as_group, psc.fs_group),
            (Some(true), Some(65532), Some(65532), Some(65532))
        );
        assert_eq!(psc.seccomp_profile.as_ref().unwrap().type_, "RuntimeDefault");
        let csc = p.containers[0].security_context.as_ref().unwrap();
        assert_eq!(csc.read_only_root_filesystem, Some(true));
        assert_eq!(csc.allow_privilege_escalation, Some(false));
        assert_eq!(csc.capabilities.as_ref().unwrap().drop.as_deref(), Some(&["ALL".to_string()][..]));
    }

    #[test]
    fn config_data_and_tmp_are_mounted() {
        let s = sts(json!({"replicas": 1}));
        let mounts: Vec<(&str, &str, Option<bool>)> = pod(&s).containers[0]
            .volume_mounts
            .as_ref()
            .unwrap()
            .iter()
            .map(|m| (m.name.as_str(), m.mount_path.as_str(), m.read_only))
            .collect();
        assert_eq!(
            mounts,
            [
                ("config", "/etc/kaskade", Some(true)),
                ("data", "/var/lib/kaskade", None),
                ("tmp", "/tmp", None)
            ]
        );
        assert_eq!(volume(&s, "config").unwrap().config_map.as_ref().unwrap().name, "k-broker-config");
        assert!(volume(&s, "tmp").unwrap().empty_dir.is_some());
    }

    #[test]
    fn ephemeral_storage_is_an_empty_dir() {
        let s = sts(json!({"replicas": 1, "storage": {"type": "ephemeral", "size": "2Gi"}}));
        let data = volume(&s, "data").unwrap().empty_dir.as_ref().unwrap();
        assert_eq!(data.size_limit, Some(Quantity("2Gi".into())));
        let spec = s.spec.as_ref().unwrap();
        assert!(spec.volume_claim_templates.is_none() && spec.persistent_volume_claim_retention_policy.is_none());
        let unlimited = sts(json!({"replicas": 1}));
        assert_eq!(volume(&unlimited, "data").unwrap().empty_dir.as_ref().unwrap().size_limit, None);
    }

    #[test]
    fn persistent_storage_is_a_claim_per_broker() {
        let s = sts(json!({"replicas": 3, "storage": {"type": "persistent", "size": "10Gi", "storageClassName": "fast"}}));
        assert!(volume(&s, "data").is_none());
        let spec = s.spec.as_ref().unwrap();
        let claims = spec.volume_claim_templates.as_ref().unwrap();
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].metadata.name.as_deref(), Some("data"));
        let c = claims[0].spec.as_ref().unwrap();
        assert_eq!(c.access_modes.as_deref(), Some(&["ReadWriteOnce".to_string()][..]));
        assert_eq!(c.storage_class_name.as_deref(), Some("fast"));
        assert_eq!(
            c.resources.as_ref().unwrap().requests.as_ref().unwrap()["storage"],
            Quantity("10Gi".into())
        );
        let policy = spec.persistent_volume_claim_retention_policy.as_ref().unwrap();
        assert_eq!(
            (policy.when_deleted.as_deref(), policy.when_scaled.as_deref()),
            (Some("Retain"), Some("Retain"))
        );
        let deleting = sts(json!({"replicas": 1, "storage": {"type": "persistent", "size": "1Gi", "deleteClaim": true}}));
        let policy = deleting.spec.unwrap().persistent_volume_claim_retention_policy.unwrap();
        assert_eq!(policy.when_deleted.as_deref(), Some("Delete"));
    }

    #[test]
    fn resources_pass_through() {
        let s = sts(json!({"replicas": 1, "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "2Gi"}}}));
        let r = pod(&s).containers[0].resources.as_ref().unwrap();
        assert_eq!(r.requests.as_ref().unwrap()["cpu"], Quantity("500m".into()));
        assert_eq!(r.limits.as_ref().unwrap()["memory"], Quantity("2Gi".into()));
    }

    #[test]
    fn same_spec_same_statefulset_and_a_config_change_only_changes_the_hash() {
        let a = sts(json!({"replicas": 3, "config": {"log.retention.hours": 24}}));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&sts(json!({"replicas": 3, "config": {"log.retention.hours": 24}}))).unwrap()
        );
        let b = sts(json!({"replicas": 3, "config": {"log.retention.hours": 48}}));
        let hash = |s: &StatefulSet| {
            s.spec
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
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 16);
        let without_hash = |mut s: StatefulSet| {
            s.spec.as_mut().unwrap().template.metadata.as_mut().unwrap().annotations = None;
            serde_json::to_value(s).unwrap()
        };
        assert_eq!(without_hash(a), without_hash(b));
    }
}
