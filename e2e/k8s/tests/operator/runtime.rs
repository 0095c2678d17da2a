//! The operator process itself: with `--leader-election` only the Lease holder reconciles and a
//! standby takes over when the leader stops; SIGTERM ends it cleanly; `--namespaces` limits what
//! it watches; `/readyz` waits for every controller's initial list. Run as the chart's
//! ServiceAccount, with the chart's leader-election Role.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use k8s_openapi::api::coordination::v1::Lease;
use kaskade_e2e::{wait_for, ControlPlane};
use kaskade_operator::crd::KafkaCluster;
use kube::Api;
use serde_json::json;

use crate::common::{install_chart_with, Operator, OPERATOR_NS};

const WAIT: Duration = Duration::from_secs(60);
const RECONCILES: &str = "kaskade_operator_reconciliations_total{controller=\"kafkacluster\"}";

async fn apply_cluster(cp: &ControlPlane, ns: &str, name: &str) -> anyhow::Result<()> {
    let obj = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": name}, "spec": {"replicas": 1}});
    cp.apply_yaml(&serde_yaml::to_string(&obj)?, Some(ns)).await?;
    Ok(())
}

async fn lease_holder(leases: &Api<Lease>) -> anyhow::Result<String> {
    leases
        .get("kaskade-operator")
        .await?
        .spec
        .and_then(|s| s.holder_identity)
        .context("the lease has no holder")
}

async fn observed(api: &Api<KafkaCluster>, name: &str) -> bool {
    api.get(name)
        .await
        .ok()
        .and_then(|kc| kc.status.and_then(|s| s.observed_generation))
        .is_some()
}

#[tokio::test]
async fn only_the_lease_holder_reconciles_and_a_standby_takes_over() {
    crate::common::run_scenario(leader_scenario).await;
}

async fn leader_scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart_with(cp, &["leaderElection=true"]).await?;
    let args: Vec<String> = ["--leader-election", "--lease-namespace", OPERATOR_NS]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let first = Operator::start(cp, &args).await?;
    let leases: Api<Lease> = Api::namespaced(cp.client(), OPERATOR_NS);
    wait_for("the first operator to take the lease", WAIT, || async {
        Ok(leases.get_opt("kaskade-operator").await.ok().flatten())
    })
    .await?;
    let second = Operator::start(cp, &args).await?;
    let ns = cp.unique_namespace("leader").await?;
    apply_cluster(cp, &ns, "one").await?;
    let clusters: Api<KafkaCluster> = Api::namespaced(cp.client(), &ns);
    wait_for("the leader to reconcile", WAIT, || async {
        Ok(observed(&clusters, "one").await.then_some(()))
    })
    .await?;
    ensure!(first.metric(RECONCILES).await? >= 1.0, "the leader did not reconcile");
    ensure!(
        second.metric(RECONCILES).await? == 0.0,
        "the standby reconciled while the leader held the lease"
    );
    let holder = lease_holder(&leases).await?;
    ensure!(
        holder.ends_with(&first.process.id().to_string()),
        "lease holder {holder}, leader pid {}",
        first.process.id()
    );

    // SIGTERM: the leader stops cleanly and promptly.
    let mut first = first;
    let started = Instant::now();
    let status = first
        .process
        .stop(Duration::from_secs(10))
        .context("the leader had to be killed after SIGTERM")?;
    ensure!(status.success(), "the leader exited with {status}");
    ensure!(started.elapsed() < Duration::from_secs(10));

    // The standby takes the lease once it expires (15 s) and reconciles.
    apply_cluster(cp, &ns, "two").await?;
    wait_for("the standby to take over", Duration::from_secs(90), || async {
        Ok(observed(&clusters, "two").await.then_some(()))
    })
    .await?;
    ensure!(second.metric(RECONCILES).await? >= 1.0);
    let holder = lease_holder(&leases).await?;
    ensure!(
        holder.ends_with(&second.process.id().to_string()),
        "lease holder {holder} after the take-over"
    );
    Ok(())
}

#[tokio::test]
async fn namespaces_limit_what_the_operator_watches() {
    crate::common::run_scenario(scope_scenario).await;
}

async fn scope_scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart_with(cp, &[]).await?;
    let watched = cp.unique_namespace("watched").await?;
    let other = cp.unique_namespace("other").await?;
    let op = Operator::start(cp, &["--namespaces".into(), watched.clone()]).await?;
    apply_cluster(cp, &other, "ignored").await?;
    apply_cluster(cp, &watched, "seen").await?;
    let seen: Api<KafkaCluster> = Api::namespaced(cp.client(), &watched);
    wait_for("the watched cluster reconciled", WAIT, || async {
        Ok(observed(&seen, "seen").await.then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let ignored: Api<KafkaCluster> = Api::namespaced(cp.client(), &other);
    ensure!(
        !observed(&ignored, "ignored").await,
        "a cluster outside --namespaces was reconciled"
    );
    ensure!(op.metric(RECONCILES).await? >= 1.0);
    Ok(())
}

#[tokio::test]
async fn readyz_waits_for_every_controller_to_list() {
    crate::common::run_scenario(readyz_scenario).await;
}

/// An account that may list KafkaClusters, Connectors and what clusters own, but not Topics: the
/// Topic controller's watch cannot list, so the operator is alive but not ready until the
/// account gets the chart's ClusterRole.
async fn readyz_scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart_with(cp, &[]).await?;
    let account = "readyz-no-topics";
    let subject = json!([{"kind": "ServiceAccount", "name": account, "namespace": OPERATOR_NS}]);
    let all_but_topics = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": account},
        "rules": [
            {"apiGroups": ["kaskade.dev"], "resources": ["kafkaclusters", "connectors"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["statefulsets", "deployments"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["get", "list", "watch"]}]});
    let binding = |name: &str, role: &str| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
               "subjects": subject})
    };
    cp.apply_yaml(&serde_yaml::to_string(&all_but_topics)?, None).await?;
    cp.apply_yaml(&serde_yaml::to_string(&binding(account, account))?, None).await?;
    let op = Operator::spawn_as(cp, account, &[]).await?;
    // Long enough for the other controllers to list, and the Topic watch to be refused and retried.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (code, body) = op.get("/readyz").await?;
    ensure!(
        code == 503,
        "/readyz said {code} {body:?} while the Topic controller could not list Topics"
    );
    ensure!(op.get("/healthz").await?.0 == 200, "/healthz while starting");

    // With the chart's ClusterRole the Topic watch's next retry lists, and the operator is ready.
    let full = format!("{account}-full");
    cp.apply_yaml(&serde_yaml::to_string(&binding(&full, "kaskade-operator"))?, None)
        .await?;
    wait_for("/readyz once the Topics are listed", Duration::from_secs(90), || async {
        Ok(op.get("/readyz").await.ok().filter(|(code, _)| *code == 200).map(|_| ()))
    })
    .await?;
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    Ok(())
}
