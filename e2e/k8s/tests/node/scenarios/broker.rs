//! A one-broker `KafkaCluster` on a real pod: the operator creates it, the broker's readiness
//! probe passes, `status` says Ready with the bootstrap address, a `Topic` is created in the
//! running broker, and a client pod produces through the bootstrap Service and consumes through
//! the broker's per-pod DNS name — every record back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff;
use kaskade_e2e::wait_for_condition;
use kube::api::{Api, LogParams};

use crate::client;
use crate::cluster::{figure, kafka_cluster_yaml, Cluster};

/// Ready within this (13 s measured by hand for the first pod, with its start-up probe delays).
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// Records produced and read back.
const RECORDS: usize = 1000;

pub async fn pod_serves_clients(cluster: Arc<Cluster>) -> anyhow::Result<()> {
    let cp = cluster.cp();
    let ns = cp.unique_namespace("broker").await?;
    cluster.volumes(1, "1Gi").await?;
    let started = Instant::now();
    let applied = std::time::SystemTime::now();
    cp.apply_yaml(
        &kafka_cluster_yaml("events", 1, ("auto.create.topics.enable", "false"), Some("512Mi")),
        Some(&ns),
    )
    .await?;
    let clusters = cp.api("kaskade.dev/v1alpha1", "KafkaCluster", Some(&ns)).await?;
    let ready = wait_for_condition(&clusters, "events", "Ready", "True", READY_TIMEOUT).await?;
    figure("KafkaCluster applied → Ready", started.elapsed().as_secs_f64(), "s");
    // Inside that: when the broker process said it had started (the runtime's timestamp on its
    // log line; this machine's clock, like `applied`).
    let pods: Api<Pod> = Api::namespaced(cp.client(), &ns);
    let logs = pods
        .logs(
            "events-broker-0",
            &LogParams {
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await?;
    let line = logs
        .lines()
        .find(|l| l.contains("kaskade broker started"))
        .context("the broker's start line")?;
    // A new log directory does not claim an unclean shutdown.
    ensure!(
        line.contains("new_log_dir=true") && !line.contains("clean_shutdown"),
        "the broker's start line on a new volume: {line}"
    );
    let stamp: jiff::Timestamp = line.split(' ').next().unwrap_or_default().parse()?;
    let since_apply = stamp.duration_since(jiff::Timestamp::try_from(applied)?);
    figure("KafkaCluster applied → broker process started", since_apply.as_secs_f64(), "s");
    let status = ready.data.get("status").context("status")?;
    let bootstrap = format!("events-bootstrap.{ns}.svc.cluster.local:9092");
    ensure!(status["bootstrapServers"] == bootstrap.as_str(), "status: {status}");
    ensure!(status["readyReplicas"] == 1, "status: {status}");

    cp.apply_yaml(
        "apiVersion: kaskade.dev/v1alpha1\nkind: Topic\nmetadata:\n  name: orders\nspec:\n  cluster: events\n  partitions: 3\n  replicationFactor: 1\n",
        Some(&ns),
    )
    .await?;
    let topics = cp.api("kaskade.dev/v1alpha1", "Topic", Some(&ns)).await?;
    wait_for_condition(&topics, "orders", "Ready", "True", Duration::from_secs(60)).await?;

    let pod_address = format!("events-broker-0.events-broker-headless.{ns}.svc.cluster.local:9092");
    let output = client::run(
        cp,
        &ns,
        "produce-consume",
        &format!(
            "set -e\n{}seq 1 {RECORDS} | kaskade console-producer --bootstrap-server events-bootstrap:9092 --topic orders\n\
             kaskade console-consumer --bootstrap-server {pod_address} --topic orders --from-beginning --max-messages {RECORDS} --timeout-ms 30000 | sort -n\n",
            client::await_kafka("events-bootstrap:9092")
        ),
        Duration::from_secs(120),
    )
    .await?;
    client::expect_sequence(&output, RECORDS, "through the bootstrap Service and the pod's DNS name")?;
    cluster.report_memory("broker (1,000 records)", &ns, "events-broker-0").await?;
    Ok(())
}
