//! A broker pod's life on a real node: a `spec.config` change rolls it, a deleted pod comes
//! back, and on persistent storage (a hostPath PersistentVolume) nothing acknowledged is lost
//! across either. Through the roll its Topic stays Ready with no Warning event (the Topic
//! controller waits for its cluster instead of calling a broker that is restarting). An invalid
//! edit then gets `Ready=False` while the pod keeps running and the status keeps its bootstrap
//! address and ready count. The operator's own log has no colour codes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use k8s_openapi::api::core::v1::{Event, Pod};
use kaskade_e2e::{condition, wait_for, wait_for_condition, ControlPlane};
use kube::api::{Api, DeleteParams, ListParams, LogParams};

use crate::client;
use crate::cluster::{figure, kafka_cluster_yaml, Cluster, OPERATOR_NS};

const RECORDS: usize = 500;
const READY_TIMEOUT: Duration = Duration::from_secs(180);

fn kafka_cluster(replicas: u32, retention_hours: u32) -> String {
    kafka_cluster_yaml(
        "durable",
        replicas,
        ("log.retention.hours", &retention_hours.to_string()),
        Some("512Mi"),
    )
}

pub async fn roll_and_pod_deletion_keep_data(cluster: Arc<Cluster>) -> anyhow::Result<()> {
    let cp = cluster.cp();
    let ns = cp.unique_namespace("lifecycle").await?;
    cluster.volumes(1, "1Gi").await?;
    cp.apply_yaml(&kafka_cluster(1, 168), Some(&ns)).await?;
    let clusters = cp.api("kaskade.dev/v1alpha1", "KafkaCluster", Some(&ns)).await?;
    wait_for_condition(&clusters, "durable", "Ready", "True", READY_TIMEOUT).await?;
    cp.apply_yaml(
        "apiVersion: kaskade.dev/v1alpha1\nkind: Topic\nmetadata:\n  name: kept\nspec:\n  cluster: durable\n  partitions: 2\n  replicationFactor: 1\n",
        Some(&ns),
    )
    .await?;
    let topics = cp.api("kaskade.dev/v1alpha1", "Topic", Some(&ns)).await?;
    wait_for_condition(&topics, "kept", "Ready", "True", Duration::from_secs(60)).await?;
    client::run(
        cp,
        &ns,
        "produce",
        &format!(
            "set -e\n{}seq 1 {RECORDS} | kaskade console-producer --bootstrap-server durable-bootstrap:9092 --topic kept --request-required-acks -1\n",
            client::await_kafka("durable-bootstrap:9092")
        ),
        Duration::from_secs(120),
    )
    .await?;

    // A config change rolls the pod; the Topic never stops being Ready.
    let pods: Api<Pod> = Api::namespaced(cp.client(), &ns);
    let first = pod_uid(&pods).await?;
    let rolled = Instant::now();
    cp.apply_yaml(&kafka_cluster(1, 200), Some(&ns)).await?;
    let mut topic_not_ready = Vec::new();
    let second = loop {
        let topic = topics.get("kept").await?;
        if let Some(c) = condition(&serde_json::to_value(&topic)?, "Ready") {
            if c["status"] != "True" && !topic_not_ready.contains(c) {
                topic_not_ready.push(c.clone());
            }
        }
        let uid = pod_uid(&pods).await.ok();
        if let Some(uid) = uid.filter(|u| *u != first) {
            if pod_ready(&pods).await {
                break uid;
            }
        }
        ensure!(
            rolled.elapsed() < READY_TIMEOUT,
            "the broker pod was not replaced and Ready within {READY_TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let kc = wait_for_condition(&clusters, "durable", "Ready", "True", READY_TIMEOUT).await?;
    figure("spec.config change → new broker pod Ready", rolled.elapsed().as_secs_f64(), "s");
    ensure!(kc.data["status"]["readyReplicas"] == 1, "{}", kc.data["status"]);
    ensure!(
        topic_not_ready.is_empty(),
        "the Topic left Ready during a planned roll: {topic_not_ready:?}"
    );
    let warnings = warning_events(cp, &ns, "kept").await?;
    ensure!(warnings.is_empty(), "Warning events on the Topic during the roll: {warnings:?}");

    // A deleted pod comes back with its volume.
    pods.delete("durable-broker-0", &DeleteParams::default()).await?;
    wait_for("the deleted broker pod to come back Ready", READY_TIMEOUT, || async {
        let uid = pod_uid(&pods).await.ok();
        let ready = pod_ready(&pods).await;
        Ok(uid.filter(|u| *u != second && ready).map(|_| ()))
    })
    .await?;
    let output = client::run(
        cp,
        &ns,
        "consume",
        &format!(
            "set -e\n{}kaskade console-consumer --bootstrap-server durable-bootstrap:9092 --topic kept --from-beginning --max-messages {RECORDS} --timeout-ms 30000 | sort -n\n",
            client::await_kafka("durable-bootstrap:9092")
        ),
        Duration::from_secs(120),
    )
    .await?;
    client::expect_sequence(&output, RECORDS, "after a roll and a pod deletion")?;

    // An invalid edit: Ready=False, the pod untouched, the status still says where the broker is.
    let before = pod_uid(&pods).await?;
    cp.apply_yaml(&kafka_cluster(3, 200), Some(&ns)).await?;
    let invalid = wait_for_condition(&clusters, "durable", "Ready", "False", Duration::from_secs(60)).await?;
    let status = &invalid.data["status"];
    let ready = condition(&invalid.data, "Ready").cloned().unwrap_or_default();
    ensure!(ready["reason"] == "NotSupported", "{ready}");
    ensure!(
        status["bootstrapServers"] == format!("durable-bootstrap.{ns}.svc.cluster.local:9092").as_str(),
        "an invalid edit dropped the bootstrap address: {status}"
    );
    ensure!(status["readyReplicas"] == 1, "an invalid edit changed readyReplicas: {status}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    ensure!(
        pod_uid(&pods).await? == before && pod_ready(&pods).await,
        "the broker pod was touched by an invalid edit"
    );

    // The operator logs plain text (stderr, no ANSI colour codes).
    let operator_pods: Api<Pod> = Api::namespaced(cp.client(), OPERATOR_NS);
    let name = cluster.operator_pod().await?;
    let logs = operator_pods.logs(&name, &LogParams::default()).await?;
    ensure!(!logs.is_empty(), "the operator pod logged nothing");
    ensure!(
        !logs.contains('\u{1b}'),
        "the operator's log has ANSI escapes:\n{}",
        &logs[..logs.len().min(2000)]
    );
    Ok(())
}

async fn pod_uid(pods: &Api<Pod>) -> anyhow::Result<String> {
    let pod = pods.get("durable-broker-0").await?;
    pod.metadata.uid.context("pod uid")
}

async fn pod_ready(pods: &Api<Pod>) -> bool {
    pods.get_opt("durable-broker-0")
        .await
        .ok()
        .flatten()
        .is_some_and(|p| client::pod_is_ready(&p))
}

/// Warning events about object `name` in `namespace`, as "reason: message".
async fn warning_events(cp: &ControlPlane, namespace: &str, name: &str) -> anyhow::Result<Vec<String>> {
    let events: Api<Event> = Api::namespaced(cp.client(), namespace);
    Ok(events
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|e| e.type_.as_deref() == Some("Warning") && e.involved_object.name.as_deref() == Some(name))
        .map(|e| format!("{}: {}", e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
        .collect())
}
