//! The Topic controller against a real API server and a real `kaskade broker`: topics created,
//! grown, reconfigured and deleted through the admin API; lowering partitions, conflicts and an
//! unreachable broker reported as `Ready=False`; Retain, and a finalizer that outlives no cluster.
//! The test plays the StatefulSet controller: a Topic waits (`ClusterNotReady`, no Warning) until
//! its cluster is Ready, and keeps its status without calling the broker while the cluster rolls.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{ensure, Context as _};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::events::v1::Event;
use kaskade_client::KafkaAdmin;
use kaskade_e2e::{wait_for, workspace, ControlPlane};
use kaskade_operator::crd::{KafkaCluster, Topic};
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::common::{install_chart, make_cluster_ready, Broker, Operator};

const WAIT: Duration = Duration::from_secs(60);

fn ready(t: &Topic) -> Option<(String, String)> {
    let c = t.status.as_ref()?.conditions.iter().find(|c| c.type_ == "Ready")?;
    let current = t.status.as_ref()?.observed_generation == t.metadata.generation;
    current.then(|| (c.status.clone(), c.reason.clone()))
}

async fn wait_ready(api: &Api<Topic>, name: &str, want: (&str, &str)) -> anyhow::Result<Topic> {
    let what = format!("topic {name} Ready={} reason {}", want.0, want.1);
    let last = std::sync::Mutex::new(None);
    let r = wait_for(&what, WAIT, || async {
        let t = api.get(name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let got = ready(&t);
        *last.lock().unwrap() = Some(t.status.clone());
        Ok((got == Some((want.0.into(), want.1.into()))).then_some(t))
    })
    .await;
    r.with_context(|| format!("last status: {:?}", last.lock().unwrap()))
}

async fn topic_yaml(cp: &ControlPlane, ns: &str, name: &str, spec: serde_json::Value) -> anyhow::Result<()> {
    let obj = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Topic", "metadata": {"name": name}, "spec": spec});
    cp.apply_yaml(&serde_yaml::to_string(&obj)?, Some(ns)).await?;
    Ok(())
}

#[tokio::test]
async fn topics_through_the_admin_api_of_a_real_broker() {
    crate::common::run_scenario(scenario).await;
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart(cp).await?;
    let ns = cp.unique_namespace("topics").await?;
    let broker = Broker::start(cp).await?;
    let admin = KafkaAdmin::new(&broker.address, Duration::from_secs(10));
    let closed = format!("127.0.0.1:{}", kaskade_testkit::free_port());
    let applied = cp
        .apply_file_in(workspace::root().join("examples/kafkacluster-dev.yaml"), &ns)
        .await?;
    let cluster = applied.first().and_then(|o| o.metadata.name.clone()).context("dev cluster name")?;
    let overrides = format!("{ns}/{cluster}={},{ns}/offline={closed}", broker.address);
    let op = Operator::start(cp, &["--bootstrap-override".into(), overrides]).await?;
    let topics: Api<Topic> = Api::namespaced(cp.client(), &ns);

    // Before its cluster is Ready a Topic waits, saying so, and its broker is not called; the
    // cluster becoming Ready brings it back (sooner than its 5 minute resync).
    topic_yaml(cp, &ns, "early", json!({"cluster": cluster, "partitions": 2})).await?;
    let t = wait_ready(&topics, "early", ("False", "ClusterNotReady")).await?;
    let message = t.status.as_ref().and_then(|s| s.conditions.first()).map(|c| c.message.clone());
    let waiting = format!("waiting for KafkaCluster {cluster} to serve: ");
    ensure!(message.as_ref().is_some_and(|m| m.starts_with(&waiting)), "{message:?}");
    ensure!(
        admin.describe_topic("early").await?.is_none(),
        "created before its cluster was Ready"
    );
    make_cluster_ready(cp, &ns, &cluster).await?;
    wait_ready(&topics, "early", ("True", "TopicReady")).await?;

    // A planned roll: the broker pod is replaced (not ready, a new revision). The Topic keeps its
    // status, a change of its spec waits (the broker is not called), nothing is reported; once
    // the roll is done the change is made.
    let clusters: Api<KafkaCluster> = Api::namespaced(cp.client(), &ns);
    let statefulsets: Api<StatefulSet> = Api::namespaced(cp.client(), &ns);
    let sts_status = |ready: i32, current: &str| {
        json!({"status": {"readyReplicas": ready, "availableReplicas": ready, "updatedReplicas": ready,
                          "currentRevision": current, "updateRevision": "r2"}})
    };
    statefulsets
        .patch_status(
            &format!("{cluster}-broker"),
            &PatchParams::default(),
            &Patch::Merge(&sts_status(0, "r1")),
        )
        .await?;
    wait_for("the cluster rolling", WAIT, || async {
        let kc = clusters
            .get(&cluster)
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let ready = kc.status.unwrap_or_default().conditions.into_iter().find(|c| c.type_ == "Ready");
        Ok(ready.filter(|c| c.status == "False" && c.reason == "RollingUpdate").map(|_| ()))
    })
    .await?;
    let before = topics.get("early").await?.status;
    topics
        .patch("early", &PatchParams::default(), &Patch::Merge(&json!({"spec": {"partitions": 3}})))
        .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    ensure!(
        topics.get("early").await?.status == before,
        "the Topic's status changed while its cluster rolled"
    );
    ensure!(
        admin.describe_topic("early").await?.map(|i| i.partitions) == Some(2),
        "the broker was called while the cluster rolled"
    );
    statefulsets
        .patch_status(
            &format!("{cluster}-broker"),
            &PatchParams::default(),
            &Patch::Merge(&sts_status(1, "r2")),
        )
        .await?;
    wait_ready(&topics, "early", ("True", "TopicReady")).await?;
    ensure!(admin.describe_topic("early").await?.map(|i| i.partitions) == Some(3));

    // A topic in Kafka without a resource is left alone throughout.
    admin.create_topic("unmanaged", 1, 1, &BTreeMap::new()).await?;

    // The examples: every topic Ready, with its id, partitions and configs in Kafka.
    let examples = cp.apply_file_in(workspace::root().join("examples/topics.yaml"), &ns).await?;
    ensure!(!examples.is_empty(), "examples/topics.yaml is empty");
    for obj in &examples {
        let name = obj.metadata.name.clone().context("name")?;
        let t = wait_ready(&topics, &name, ("True", "TopicReady")).await?;
        ensure!(
            t.finalizers().iter().any(|f| f == "kaskade.dev/topic"),
            "{name}: no finalizer: {:?}",
            t.finalizers()
        );
        let info = admin
            .describe_topic(&t.kafka_name())
            .await?
            .with_context(|| format!("{} not in Kafka", t.kafka_name()))?;
        ensure!(
            info.partitions == t.spec.partitions,
            "{name}: {} partitions in Kafka",
            info.partitions
        );
        ensure!(
            t.status.as_ref().and_then(|s| s.topic_id.clone()) == Some(info.topic_id.to_string()),
            "{name}: topic id"
        );
        let configs = admin.topic_configs(&t.kafka_name()).await?;
        for (k, v) in &t.spec.config {
            let want = v.as_str().map(String::from).unwrap_or_else(|| v.to_string());
            ensure!(configs.get(k) == Some(&want), "{name}: config {k} is {:?} in Kafka", configs.get(k));
        }
    }

    // Grow, refuse to shrink, reconfigure.
    topic_yaml(
        cp,
        &ns,
        "grow",
        json!({"cluster": cluster, "partitions": 2, "config": {"retention.ms": 60000, "segment.ms": 3600000}}),
    )
    .await?;
    wait_ready(&topics, "grow", ("True", "TopicReady")).await?;
    topics
        .patch("grow", &PatchParams::default(), &Patch::Merge(&json!({"spec": {"partitions": 5}})))
        .await?;
    wait_ready(&topics, "grow", ("True", "TopicReady")).await?;
    ensure!(admin.describe_topic("grow").await?.map(|i| i.partitions) == Some(5));
    topics
        .patch("grow", &PatchParams::default(), &Patch::Merge(&json!({"spec": {"partitions": 3}})))
        .await?;
    let t = wait_ready(&topics, "grow", ("False", "NotSupported")).await?;
    ensure!(
        admin.describe_topic("grow").await?.map(|i| i.partitions) == Some(5),
        "lowering changed Kafka"
    );
    ensure!(format!("{:?}", t.status).contains("from 5 to 3"), "{:?}", t.status);
    topics
        .patch(
            "grow",
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"partitions": 5, "config": {"retention.ms": 120000, "segment.ms": null}}})),
        )
        .await?;
    wait_ready(&topics, "grow", ("True", "TopicReady")).await?;
    let configs = admin.topic_configs("grow").await?;
    ensure!(
        configs.get("retention.ms").map(String::as_str) == Some("120000") && !configs.contains_key("segment.ms"),
        "{configs:?}"
    );

    // Two resources naming one Kafka topic: the newer one is a conflict and changes nothing.
    topic_yaml(
        cp,
        &ns,
        "grow-twin",
        json!({"cluster": cluster, "topicName": "grow", "partitions": 9}),
    )
    .await?;
    wait_ready(&topics, "grow-twin", ("False", "Conflict")).await?;
    topics.delete("grow-twin", &DeleteParams::default()).await?;
    wait_for("grow-twin gone", WAIT, || async {
        Ok(topics.get_opt("grow-twin").await.ok().flatten().is_none().then_some(()))
    })
    .await?;
    ensure!(
        admin.describe_topic("grow").await?.map(|i| i.partitions) == Some(5),
        "the conflicting resource changed or deleted Kafka's topic"
    );

    // Printer columns.
    let table = cp.table("kaskade.dev", "v1alpha1", "topics", Some(&ns)).await?;
    ensure!(
        table.headers() == ["Name", "Cluster", "Partitions", "RF", "Ready"],
        "{:?}",
        table.headers()
    );
    let row = table.row("grow").context("row")?;
    ensure!(
        row.text("Cluster") == cluster && row.text("Partitions") == "5" && row.text("RF") == "1" && row.text("Ready") == "True",
        "{row:?}"
    );

    // Delete removes the Kafka topic; Retain keeps it.
    topics.delete("grow", &DeleteParams::default()).await?;
    wait_for("grow deleted", WAIT, || async {
        Ok(topics.get_opt("grow").await.ok().flatten().is_none().then_some(()))
    })
    .await?;
    ensure!(
        admin.describe_topic("grow").await?.is_none(),
        "Kafka topic grow survived its resource"
    );
    topic_yaml(cp, &ns, "kept", json!({"cluster": cluster, "deletionPolicy": "Retain"})).await?;
    wait_ready(&topics, "kept", ("True", "TopicReady")).await?;
    topics.delete("kept", &DeleteParams::default()).await?;
    wait_for("kept deleted", WAIT, || async {
        Ok(topics.get_opt("kept").await.ok().flatten().is_none().then_some(()))
    })
    .await?;
    ensure!(
        admin.describe_topic("kept").await?.is_some(),
        "a Retain topic was deleted from Kafka"
    );

    // An unreachable broker: Ready=False, retried; the cluster deleted: the finalizer goes.
    cp.apply_yaml(
        &serde_yaml::to_string(&json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": "offline"}, "spec": {"replicas": 1}}))?,
        Some(&ns),
    )
    .await?;
    topic_yaml(cp, &ns, "stranded", json!({"cluster": "offline"})).await?;
    wait_ready(&topics, "stranded", ("False", "ClusterNotReady")).await?;
    make_cluster_ready(cp, &ns, "offline").await?;
    wait_ready(&topics, "stranded", ("False", "BrokerUnreachable")).await?;
    clusters.delete("offline", &DeleteParams::default()).await?;
    topics.delete("stranded", &DeleteParams::default()).await?;
    wait_for("stranded deleted", WAIT, || async {
        Ok(topics.get_opt("stranded").await.ok().flatten().is_none().then_some(()))
    })
    .await?;

    ensure!(
        admin.describe_topic("unmanaged").await?.is_some(),
        "the unmanaged topic was touched"
    );

    // What the operator did is in Kubernetes events on each Topic.
    let events: Api<Event> = Api::namespaced(cp.client(), &ns);
    let seen: Vec<(String, String, String)> = events
        .list(&Default::default())
        .await?
        .items
        .into_iter()
        .map(|e| {
            (
                e.regarding.and_then(|r| r.name).unwrap_or_default(),
                e.reason.unwrap_or_default(),
                e.type_.unwrap_or_default(),
            )
        })
        .collect();
    let early: Vec<_> = seen.iter().filter(|(n, _, _)| n == "early").collect();
    ensure!(
        early.iter().all(|(_, r, t)| t == "Normal" && r == "Synced"),
        "waiting for its cluster was reported: {early:?}"
    );
    for (name, reason, type_) in [
        ("early", "Synced", "Normal"),
        ("grow", "Synced", "Normal"),
        ("grow", "NotSupported", "Warning"),
        ("grow", "Deleted", "Normal"),
        ("grow-twin", "Conflict", "Warning"),
        ("kept", "Retained", "Normal"),
        ("stranded", "BrokerUnreachable", "Warning"),
        ("stranded", "ClusterGone", "Warning"),
    ] {
        ensure!(
            seen.iter().any(|(n, r, t)| n == name && r == reason && t == type_),
            "no {type_} event {reason} on {name}; events: {seen:?}"
        );
    }
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(broker);
    Ok(())
}
