//! `KafkaCluster.spec.connect` against a real API server, run as the chart's ServiceAccount: the
//! Connect ConfigMap, Service and Deployment appear once a broker is ready (the test plays the
//! StatefulSet and Deployment controllers, as `cluster` does), status reports `connectUrl` and
//! `connectReadyReplicas` and `Ready` waits for the workers, a worker config change rolls the
//! template, a steady-state reconcile writes nothing, an invalid `spec.connect` is `InvalidSpec`
//! with nothing changed, and removing `spec.connect` deletes what it created.

use std::time::Duration;

use anyhow::{ensure, Context as _};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kaskade_e2e::{wait_for, ControlPlane};
use kaskade_operator::crd::KafkaCluster;
use kube::api::{Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::common::{install_chart, refused_requests, writes_after_touch, Broker, Operator};

const WAIT: Duration = Duration::from_secs(60);

fn ready(kc: &KafkaCluster) -> Option<(String, String, String)> {
    let c = kc.status.as_ref()?.conditions.iter().find(|c| c.type_ == "Ready")?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// Waits until `name`'s status satisfies `check`, returning the cluster.
async fn wait_cluster(
    api: &Api<KafkaCluster>,
    name: &str,
    what: &str,
    check: impl Fn(&KafkaCluster) -> bool,
) -> anyhow::Result<KafkaCluster> {
    Ok(wait_for(what, WAIT, || async {
        let kc = api.get(name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let seen = kc.status.as_ref().and_then(|s| s.observed_generation);
        Ok((seen.is_some() && seen == kc.metadata.generation && check(&kc)).then_some(kc))
    })
    .await?)
}

/// Plays a workload controller: the status of a StatefulSet or Deployment with `ready` of
/// `replicas` ready, for its current generation.
fn workload_status(generation: Option<i64>, replicas: i32, ready: i32) -> serde_json::Value {
    json!({"status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready, "currentReplicas": replicas,
        "updatedReplicas": replicas, "observedGeneration": generation}})
}

#[tokio::test]
async fn kafka_cluster_connect_workers() {
    crate::common::run_scenario(scenario).await;
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart(cp).await?;
    let ns = cp.unique_namespace("kcc").await?;
    let broker = Broker::start(cp).await?;
    let name = "pipe";
    let op = Operator::start(cp, &["--bootstrap-override".into(), format!("{ns}/{name}={}", broker.address)]).await?;
    let client = cp.client();
    let clusters: Api<KafkaCluster> = Api::namespaced(client.clone(), &ns);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let manifest = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": name},
        "spec": {"replicas": 1, "connect": {"replicas": 2, "config": {"offset.flush.interval.ms": 5000},
            "envFrom": [{"secretRef": {"name": "db-passwords"}}],
            "volumes": [{"name": "db", "secret": {"secretName": "db-passwords"}}],
            "volumeMounts": [{"name": "db", "mountPath": "/mnt/secrets/db", "readOnly": true}]}}});
    cp.apply_yaml(&serde_yaml::to_string(&manifest)?, Some(&ns)).await?;

    // Before a broker is ready: the ConfigMap and Service exist, the Deployment waits.
    let kc = wait_cluster(&clusters, name, "brokers starting", |kc| {
        ready(kc).is_some_and(|r| r.1 == "BrokersStarting")
    })
    .await?;
    let uid = kc.uid().context("uid")?;
    let status = kc.status.clone().unwrap_or_default();
    ensure!(
        status.connect_url.as_deref() == Some(&format!("http://{name}-connect.{ns}.svc.cluster.local:8083")[..])
            && status.connect_ready_replicas == Some(0),
        "{status:?}"
    );
    let cm = config_maps.get(&format!("{name}-connect-config")).await?;
    let props = cm
        .data
        .as_ref()
        .and_then(|d| d.get("connect-distributed.properties"))
        .cloned()
        .unwrap_or_default();
    for line in [
        format!("bootstrap.servers={name}-bootstrap.{ns}.svc.cluster.local:9092"),
        "listeners=http://:8083".into(),
        format!("group.id={name}-connect"),
        "config.storage.replication.factor=1".into(),
        "offset.flush.interval.ms=5000".into(),
    ] {
        ensure!(
            props.lines().any(|l| l == line),
            "connect-distributed.properties lacks `{line}`:\n{props}"
        );
    }
    let svc = services.get(&format!("{name}-connect")).await?;
    let svc_json = serde_json::to_value(&svc)?;
    ensure!(svc_json.pointer("/spec/ports/0/port") == Some(&json!(8083)), "{svc_json}");
    ensure!(
        svc_json.pointer("/spec/selector/app.kubernetes.io~1component") == Some(&json!("connect")),
        "{svc_json}"
    );
    ensure!(
        deployments.get_opt(&format!("{name}-connect")).await?.is_none(),
        "the Deployment was created before any broker was ready"
    );

    // A ready broker: the Deployment comes, owned by the cluster, workers not ready yet.
    let sts = statefulsets.get(&format!("{name}-broker")).await?;
    statefulsets
        .patch_status(
            &sts.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&workload_status(sts.metadata.generation, 1, 1)),
        )
        .await?;
    let dep = wait_for("the Connect Deployment", WAIT, || async {
        deployments
            .get_opt(&format!("{name}-connect"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))
    })
    .await?;
    let refs = dep.metadata.owner_references.clone().unwrap_or_default();
    ensure!(
        refs.len() == 1 && refs[0].uid == uid && refs[0].controller == Some(true),
        "{refs:?}"
    );
    let dep_json = serde_json::to_value(&dep)?;
    let container = dep_json.pointer("/spec/template/spec/containers/0").cloned().unwrap_or_default();
    ensure!(dep_json.pointer("/spec/replicas") == Some(&json!(2)), "{dep_json}");
    ensure!(container.pointer("/args/0") == Some(&json!("connect")), "{container}");
    ensure!(
        container.pointer("/readinessProbe/httpGet/path") == Some(&json!("/health")),
        "{container}"
    );
    ensure!(
        container.pointer("/envFrom/0/secretRef/name") == Some(&json!("db-passwords")),
        "{container}"
    );
    ensure!(
        container.pointer("/volumeMounts/2/mountPath") == Some(&json!("/mnt/secrets/db")),
        "{container}"
    );
    ensure!(
        container.pointer("/securityContext/readOnlyRootFilesystem") == Some(&json!(true)),
        "{container}"
    );
    let hash = dep_json
        .pointer("/spec/template/metadata/annotations/kaskade.dev~1config-hash")
        .cloned();
    ensure!(hash.is_some(), "no config hash on the worker template");
    wait_cluster(&clusters, name, "Connect starting", |kc| {
        ready(kc).is_some_and(|r| r.0 == "False" && r.1 == "ConnectStarting")
    })
    .await?;

    // Both workers ready: the cluster is Ready, with both halves in its message.
    deployments
        .patch_status(
            &dep.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&workload_status(dep.metadata.generation, 2, 2)),
        )
        .await?;
    let kc = wait_cluster(&clusters, name, "Ready=True", |kc| ready(kc).is_some_and(|r| r.0 == "True")).await?;
    let (_, reason, message) = ready(&kc).context("Ready")?;
    ensure!(
        reason == "BrokersReady" && message == "1/1 brokers ready; 2/2 Connect workers ready",
        "{reason}: {message}"
    );
    ensure!(kc.status.as_ref().and_then(|s| s.connect_ready_replicas) == Some(2));
    let table = cp.table("kaskade.dev", "v1alpha1", "kafkaclusters", Some(&ns)).await?;
    let row = table.row(name).context("table row")?;
    ensure!(row.text("Connect") == "2" && row.text("Ready") == "True", "row {row:?}");

    // Steady state: a reconcile of an unchanged cluster with workers writes nothing.
    let writes = writes_after_touch(cp, &op, &clusters, name, "kafkacluster", 1.0).await?;
    ensure!(writes.is_empty(), "a steady-state reconcile wrote: {writes:?}");

    // A worker config change rolls the workers through the template hash.
    clusters
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"connect": {"config": {"offset.flush.interval.ms": 1000}}}})),
        )
        .await?;
    wait_for("the worker config hash to change", WAIT, || async {
        let d = deployments
            .get(&format!("{name}-connect"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let now = serde_json::to_value(&d)
            .ok()
            .and_then(|v| v.pointer("/spec/template/metadata/annotations/kaskade.dev~1config-hash").cloned());
        Ok((now.is_some() && now != hash).then_some(()))
    })
    .await?;

    // An invalid spec.connect: InvalidSpec naming the field, the workers left as they are.
    clusters
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"connect": {"config": {"bootstrap.servers": "elsewhere:9092"}}}})),
        )
        .await?;
    let kc = wait_cluster(&clusters, name, "InvalidSpec", |kc| ready(kc).is_some_and(|r| r.1 == "InvalidSpec")).await?;
    let (_, _, message) = ready(&kc).context("Ready")?;
    ensure!(
        message.starts_with("spec.connect.config.\"bootstrap.servers\": set by the operator"),
        "{message}"
    );
    ensure!(
        deployments.get_opt(&format!("{name}-connect")).await?.is_some(),
        "an invalid edit deleted the workers"
    );
    ensure!(kc.status.as_ref().and_then(|s| s.connect_url.clone()).is_some(), "{:?}", kc.status);

    // Removing spec.connect deletes the Deployment, the Service and the ConfigMap it created.
    clusters
        .patch(name, &PatchParams::default(), &Patch::Merge(&json!({"spec": {"connect": null}})))
        .await?;
    wait_for("the Connect objects to be deleted", WAIT, || async {
        let gone = |deleting: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>, present: bool| !present || deleting.is_some();
        let d = deployments
            .get_opt(&format!("{name}-connect"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let s = services
            .get_opt(&format!("{name}-connect"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let c = config_maps
            .get_opt(&format!("{name}-connect-config"))
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let all_gone = gone(d.as_ref().and_then(|o| o.metadata.deletion_timestamp.as_ref()), d.is_some())
            && gone(s.as_ref().and_then(|o| o.metadata.deletion_timestamp.as_ref()), s.is_some())
            && gone(c.as_ref().and_then(|o| o.metadata.deletion_timestamp.as_ref()), c.is_some());
        Ok(all_gone.then_some(()))
    })
    .await?;
    let kc = wait_cluster(&clusters, name, "Ready without Connect", |kc| {
        ready(kc).is_some_and(|r| r.0 == "True")
    })
    .await?;
    let status = kc.status.clone().unwrap_or_default();
    ensure!(
        status.connect_url.is_none() && status.connect_ready_replicas.is_none(),
        "{status:?}"
    );
    ensure!(
        config_maps.get_opt(&format!("{name}-broker-config")).await?.is_some()
            && services.get_opt(&format!("{name}-bootstrap")).await?.is_some(),
        "the brokers' objects went with the workers"
    );
    // Everything the operator asked for was within the chart's RBAC.
    let refused = refused_requests(cp)?;
    ensure!(refused.is_empty(), "requests outside the chart's RBAC: {refused:?}");
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(broker);
    Ok(())
}
