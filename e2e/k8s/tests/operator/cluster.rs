//! The KafkaCluster controller against a real API server, run as the chart's ServiceAccount:
//! every child object and its fields, owner references, status and printer columns, zero writes
//! on a steady-state reconcile, a config change rolling the pods, and invalid specs reported.

use std::time::Duration;

use anyhow::{ensure, Context as _};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kaskade_e2e::{wait_for, workspace, ControlPlane};
use kaskade_operator::crd::KafkaCluster;
use kube::api::{Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::common::{install_chart, writes_after_touch, Broker, Operator};

const WAIT: Duration = Duration::from_secs(60);

fn ready_reason(kc: &KafkaCluster) -> Option<(String, String)> {
    let c = kc.status.as_ref()?.conditions.iter().find(|c| c.type_ == "Ready")?;
    Some((c.status.clone(), c.reason.clone()))
}

async fn wait_observed(api: &Api<KafkaCluster>, name: &str) -> anyhow::Result<KafkaCluster> {
    Ok(wait_for(&format!("{name} observed"), WAIT, || async {
        let kc = api.get(name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let seen = kc.status.as_ref().and_then(|s| s.observed_generation);
        Ok((seen.is_some() && seen == kc.metadata.generation).then_some(kc))
    })
    .await?)
}

#[tokio::test]
async fn kafka_cluster_objects_status_and_zero_writes() {
    crate::common::run_scenario(scenario).await;
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart(cp).await?;
    let ns = cp.unique_namespace("kc").await?;
    let broker = Broker::start(cp).await?;
    let applied = cp
        .apply_file_in(workspace::root().join("examples/kafkacluster-dev.yaml"), &ns)
        .await?;
    let name = applied
        .first()
        .and_then(|o| o.metadata.name.clone())
        .context("the dev example names a cluster")?;
    let op = Operator::start(cp, &["--bootstrap-override".into(), format!("{ns}/{name}={}", broker.address)]).await?;
    let client = cp.client();
    let clusters: Api<KafkaCluster> = Api::namespaced(client.clone(), &ns);
    let kc = wait_observed(&clusters, &name).await?;
    let uid = kc.uid().context("uid")?;

    // Children: names, labels, owner references.
    let owned_by_kc = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        let refs = meta.owner_references.clone().unwrap_or_default();
        refs.len() == 1 && refs[0].uid == uid && refs[0].kind == "KafkaCluster" && refs[0].controller == Some(true)
    };
    let labels_ok = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        let l = meta.labels.clone().unwrap_or_default();
        l.get("app.kubernetes.io/name").map(String::as_str) == Some("kaskade")
            && l.get("app.kubernetes.io/instance") == Some(&name)
            && l.get("app.kubernetes.io/component").map(String::as_str) == Some("broker")
            && l.get("app.kubernetes.io/managed-by").map(String::as_str) == Some("kaskade-operator")
    };
    let cm = Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .get(&format!("{name}-broker-config"))
        .await?;
    ensure!(
        owned_by_kc(&cm.metadata) && labels_ok(&cm.metadata),
        "ConfigMap metadata: {:?}",
        cm.metadata
    );
    let props = cm
        .data
        .as_ref()
        .and_then(|d| d.get("server.properties"))
        .cloned()
        .unwrap_or_default();
    let voter = format!("controller.quorum.voters=0@{name}-broker-0.{name}-broker-headless.{ns}.svc.cluster.local:9093");
    ensure!(props.lines().any(|l| l == voter), "server.properties lacks `{voter}`:\n{props}");
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let headless = services.get(&format!("{name}-broker-headless")).await?;
    let hs = headless.spec.clone().unwrap_or_default();
    ensure!(owned_by_kc(&headless.metadata) && labels_ok(&headless.metadata));
    ensure!(
        hs.cluster_ip.as_deref() == Some("None") && hs.publish_not_ready_addresses == Some(true),
        "headless spec: {hs:?}"
    );
    let bootstrap = services.get(&format!("{name}-bootstrap")).await?;
    ensure!(owned_by_kc(&bootstrap.metadata));
    let ports: Vec<i32> = bootstrap
        .spec
        .clone()
        .unwrap_or_default()
        .ports
        .unwrap_or_default()
        .iter()
        .map(|p| p.port)
        .collect();
    ensure!(ports == vec![9092], "bootstrap ports {ports:?}");
    let pdb = Api::<PodDisruptionBudget>::namespaced(client.clone(), &ns)
        .get(&format!("{name}-broker"))
        .await?;
    ensure!(owned_by_kc(&pdb.metadata));
    ensure!(
        serde_json::to_value(&pdb.spec)?.pointer("/maxUnavailable") == Some(&json!(1)),
        "pdb spec {:?}",
        pdb.spec
    );
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let sts = statefulsets.get(&format!("{name}-broker")).await?;
    ensure!(owned_by_kc(&sts.metadata) && labels_ok(&sts.metadata));
    let sts_json = serde_json::to_value(&sts)?;
    ensure!(sts_json.pointer("/spec/serviceName") == Some(&json!(format!("{name}-broker-headless"))));
    ensure!(sts_json.pointer("/spec/replicas") == Some(&json!(1)));
    let container = sts_json.pointer("/spec/template/spec/containers/0").cloned().unwrap_or_default();
    ensure!(
        container.pointer("/readinessProbe/exec/command/1") == Some(&json!("probe")),
        "readiness: {container}"
    );
    ensure!(
        container.pointer("/securityContext/readOnlyRootFilesystem") == Some(&json!(true)),
        "securityContext: {container}"
    );
    ensure!(sts_json.pointer("/spec/template/spec/securityContext/runAsNonRoot") == Some(&json!(true)));
    let hash = sts_json
        .pointer("/spec/template/metadata/annotations/kaskade.dev~1config-hash")
        .cloned();
    ensure!(hash.is_some(), "no config hash annotation");

    // Status while no broker pod is ready (the API server alone runs no pods).
    let status = kc.status.clone().unwrap_or_default();
    ensure!(
        status.bootstrap_servers.as_deref() == Some(&format!("{name}-bootstrap.{ns}.svc.cluster.local:9092")[..]),
        "{status:?}"
    );
    ensure!(ready_reason(&kc).map(|r| r.0) == Some("False".into()), "{status:?}");

    // Play the StatefulSet controller: one ready replica. The operator reports Ready=True and
    // reads the cluster id from the broker it reaches through the override.
    let ready_status = json!({"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "currentReplicas": 1,
        "updatedReplicas": 1, "observedGeneration": sts.metadata.generation}});
    statefulsets
        .patch_status(&sts.name_any(), &PatchParams::default(), &Patch::Merge(&ready_status))
        .await?;
    let kc = wait_for("Ready=True", WAIT, || async {
        let kc = clusters.get(&name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        Ok(
            (ready_reason(&kc).map(|r| r.0) == Some("True".into()) && kc.status.as_ref().and_then(|s| s.cluster_id.clone()).is_some())
                .then_some(kc),
        )
    })
    .await?;
    ensure!(kc.status.as_ref().and_then(|s| s.ready_replicas) == Some(1));
    let table = cp.table("kaskade.dev", "v1alpha1", "kafkaclusters", Some(&ns)).await?;
    ensure!(
        table.headers() == ["Name", "Ready", "Replicas", "Connect", "Bootstrap", "Age"],
        "{:?}",
        table.headers()
    );
    let row = table.row(&name).context("table row")?;
    ensure!(row.text("Ready") == "True" && row.text("Replicas") == "1", "row {row:?}");

    // Steady state: a reconcile of an unchanged cluster writes nothing.
    let writes = writes_after_touch(cp, &op, &clusters, &name, "kafkacluster", 1.0).await?;
    ensure!(writes.is_empty(), "a steady-state reconcile wrote: {writes:?}");

    // A config change rolls the pods through the config hash.
    clusters
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"config": {"log.retention.hours": 24}}})),
        )
        .await?;
    wait_for("the config hash to change", WAIT, || async {
        let s = statefulsets
            .get(&format!("{name}-broker"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let now = serde_json::to_value(&s)
            .ok()
            .and_then(|v| v.pointer("/spec/template/metadata/annotations/kaskade.dev~1config-hash").cloned());
        Ok((now.is_some() && now != hash).then_some(()))
    })
    .await?;
    let cm = Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .get(&format!("{name}-broker-config"))
        .await?;
    let props = cm.data.and_then(|d| d.get("server.properties").cloned()).unwrap_or_default();
    ensure!(props.lines().any(|l| l == "log.retention.hours=24"), "{props}");

    // What the spec no longer asks for goes: an object with the cluster's labels and controller
    // reference that no reconcile applied (as one a removed part of a spec made) is deleted; one
    // with the labels but no owner (made by hand) and the cluster's own objects stay.
    let labels = json!({"app.kubernetes.io/managed-by": "kaskade-operator", "app.kubernetes.io/instance": name});
    let owner = json!([{"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "name": name, "uid": uid,
                        "controller": true, "blockOwnerDeletion": true}]);
    let orphan = json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": format!("{name}-leftover"), "labels": labels, "ownerReferences": owner}});
    let hand_made = json!({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": format!("{name}-hand-made"), "labels": labels}});
    cp.apply_yaml(&serde_yaml::to_string(&hand_made)?, Some(&ns)).await?;
    cp.apply_yaml(&serde_yaml::to_string(&orphan)?, Some(&ns)).await?;
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    wait_for("the orphaned ConfigMap to be deleted", WAIT, || async {
        let left = config_maps
            .get_opt(&format!("{name}-leftover"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        Ok(left.is_none_or(|cm| cm.metadata.deletion_timestamp.is_some()).then_some(()))
    })
    .await?;
    ensure!(
        config_maps.get_opt(&format!("{name}-hand-made")).await?.is_some(),
        "a ConfigMap the operator does not own was deleted"
    );
    ensure!(
        config_maps.get_opt(&format!("{name}-broker-config")).await?.is_some(),
        "the cluster's own ConfigMap was deleted"
    );

    // A running cluster edited into an invalid spec: NotSupported, but its brokers still run, so
    // the status keeps their bootstrap address and ready count (issue 23), and nothing rolls.
    let before = kc.status.clone().unwrap_or_default();
    let hash_before = config_hash(&statefulsets, &name).await?;
    clusters
        .patch(&name, &PatchParams::default(), &Patch::Merge(&json!({"spec": {"replicas": 3}})))
        .await?;
    let kc = wait_observed(&clusters, &name).await?;
    let status = kc.status.clone().unwrap_or_default();
    ensure!(
        ready_reason(&kc) == Some(("False".into(), "NotSupported".into())),
        "replicas: 3 on a running cluster: {status:?}"
    );
    ensure!(
        status.bootstrap_servers.is_some() && status.bootstrap_servers == before.bootstrap_servers,
        "the invalid edit dropped bootstrapServers: {status:?}"
    );
    ensure!(
        status.ready_replicas == Some(1),
        "the invalid edit reported readyReplicas {:?} while the broker runs: {status:?}",
        status.ready_replicas
    );
    let hash_after = config_hash(&statefulsets, &name).await?;
    ensure!(hash_after == hash_before, "the invalid edit changed the StatefulSet");
    clusters
        .patch(&name, &PatchParams::default(), &Patch::Merge(&json!({"spec": {"replicas": 1}})))
        .await?;
    let kc = wait_observed(&clusters, &name).await?;
    ensure!(
        ready_reason(&kc).map(|r| r.0) == Some("True".into()),
        "fixed again: {:?}",
        kc.status
    );

    // Invalid specs: Ready=False with a reason, nothing created, the operator keeps running.
    for (bad, spec, reason) in [
        ("three", json!({"replicas": 3}), "NotSupported"),
        ("owned-key", json!({"replicas": 1, "config": {"node.id": 7}}), "InvalidSpec"),
    ] {
        let obj = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": bad}, "spec": spec});
        cp.apply_yaml(&serde_yaml::to_string(&obj)?, Some(&ns)).await?;
        let kc = wait_observed(&clusters, bad).await?;
        ensure!(ready_reason(&kc) == Some(("False".into(), reason.into())), "{bad}: {:?}", kc.status);
        let msg = kc
            .status
            .as_ref()
            .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
            .map(|c| c.message.clone());
        ensure!(msg.as_ref().is_some_and(|m| !m.is_empty()), "{bad}: no message");
        ensure!(
            statefulsets.get_opt(&format!("{bad}-broker")).await?.is_none(),
            "{bad}: a StatefulSet was created"
        );
    }
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(broker);
    Ok(())
}

/// The broker StatefulSet's pod-template config hash (what a roll changes).
async fn config_hash(statefulsets: &Api<StatefulSet>, cluster: &str) -> anyhow::Result<Option<String>> {
    Ok(statefulsets
        .get(&format!("{cluster}-broker"))
        .await?
        .spec
        .and_then(|s| s.template.metadata)
        .and_then(|m| m.annotations)
        .and_then(|a| a.get("kaskade.dev/config-hash").cloned()))
}
