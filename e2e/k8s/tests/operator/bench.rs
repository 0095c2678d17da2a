//! The operator benchmark of issue 11, against a real API server and a real `kaskade broker`:
//! the operator's RSS idle and while reconciling 100 Topics, the time from applying them to all
//! `Ready=True` (checked on the Kafka side too), and the API writes steady-state reconciles of an
//! unchanged KafkaCluster and of unchanged Topics make (from the audit log). It prints one JSON
//! line. `#[ignore]`d so `./test.sh` skips it; `e2e/bench/operator.sh` runs it in release mode.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use futures_util::{stream, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::StatefulSet;
use kaskade_client::KafkaAdmin;
use kaskade_e2e::{wait_for, AuditLog, AuditMark, ControlPlane};
use kaskade_operator::crd::{KafkaCluster, Topic};
use kube::api::{ListParams, Patch, PatchParams};
use kube::Api;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::common::{install_chart, Broker, Operator, OPERATOR_NS, OPERATOR_SA};

const TOPICS: usize = 100;
const PARTITIONS: i32 = 3;
const TOUCHES: usize = 10;
/// Requests the harness keeps in flight when it applies or touches the topics.
const IN_FLIGHT: usize = 16;
/// Time given to the operator after a reconcile for writes still on their way to be logged.
const SETTLE: Duration = Duration::from_secs(2);
const WAIT: Duration = Duration::from_secs(120);
const CLUSTER: &str = "bench";

#[tokio::test]
#[ignore = "a benchmark: e2e/bench/operator.sh runs it"]
async fn operator_benchmark() {
    let Some(cp) = ControlPlane::start_or_skip().await.expect("control plane") else {
        return;
    };
    match bench(&cp).await {
        Ok(result) => println!("{result}"),
        Err(e) => panic!("{e:?}\n{}", crate::common::logs(&cp)),
    }
}

/// VmRSS and VmHWM of a process, KiB.
pub(crate) fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of a process, seconds.
pub(crate) fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let ticks: u64 = rest.split_whitespace().skip(11).take(2).filter_map(|v| v.parse::<u64>().ok()).sum();
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
    ticks as f64 / hz as f64
}

/// Completed reconciles of `controller` (the duration histogram's count: observed at the end).
pub(crate) async fn reconciles(op: &Operator, controller: &str) -> f64 {
    let line = format!("kaskade_operator_reconcile_duration_seconds_count{{controller=\"{controller}\"}}");
    op.metric(&line).await.unwrap_or(0.0)
}

pub(crate) async fn wait_reconciles(op: &Operator, controller: &str, at_least: f64) -> anyhow::Result<()> {
    wait_for(&format!("{at_least} {controller} reconciles"), WAIT, || async {
        Ok((reconciles(op, controller).await >= at_least).then_some(()))
    })
    .await?;
    Ok(())
}

/// Writes by the operator's user since `mark`, after letting in-flight ones land.
pub(crate) async fn writes_since(audit: &AuditLog, mark: AuditMark) -> anyhow::Result<Vec<String>> {
    tokio::time::sleep(SETTLE).await;
    let user = ControlPlane::service_account_username(OPERATOR_NS, OPERATOR_SA);
    Ok(audit.writes_by_since(&user, mark)?.iter().map(|w| w.summary()).collect())
}

fn ready(t: &Topic) -> bool {
    let Some(s) = &t.status else { return false };
    s.observed_generation == t.metadata.generation && s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Server-side applies `object(name)` for each of `names`, [`IN_FLIGHT`] requests at a time.
pub(crate) async fn apply_all<K>(api: &Api<K>, names: &[String], object: impl Fn(&str) -> Value) -> anyhow::Result<()>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let apply = PatchParams::apply(kaskade_e2e::apply::FIELD_MANAGER).force();
    stream::iter(names)
        .map(|name| {
            let obj = object(name);
            let apply = &apply;
            async move { api.patch(name, apply, &Patch::Apply(obj)).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

/// Touches the annotations of each of `names`, [`IN_FLIGHT`] requests at a time.
pub(crate) async fn touch_all<K>(api: &Api<K>, names: &[String]) -> anyhow::Result<()>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    stream::iter(names)
        .map(|name| async move { api.patch(name, &PatchParams::default(), &touch()).await })
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

pub(crate) fn touch() -> Patch<Value> {
    let stamp = format!("{:?}", Instant::now());
    Patch::Merge(json!({"metadata": {"annotations": {"bench.kaskade.dev/touch": stamp}}}))
}

async fn bench(cp: &ControlPlane) -> anyhow::Result<Value> {
    let audit = cp
        .audit_log()
        .context("the benchmark needs a local control plane (its audit log)")?;
    install_chart(cp).await?;
    let ns = cp.unique_namespace("bench").await?;
    let broker = Broker::start(cp).await?;
    let overrides = format!("{ns}/{CLUSTER}={}", broker.address);
    let op = Operator::start(cp, &["--bootstrap-override".into(), overrides]).await?;
    let pid = op.process.id();
    tokio::time::sleep(SETTLE).await;
    let (rss_start, _) = rss_kib(pid);

    // One KafkaCluster, reconciled; its StatefulSet made ready as the controller-manager would.
    let clusters: Api<KafkaCluster> = Api::namespaced(cp.client(), &ns);
    let kc = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": CLUSTER},
        "spec": {"replicas": 1, "storage": {"type": "ephemeral"}}});
    cp.apply_yaml(&serde_yaml::to_string(&kc)?, Some(&ns)).await?;
    let statefulsets: Api<StatefulSet> = Api::namespaced(cp.client(), &ns);
    let sts_name = format!("{CLUSTER}-broker");
    let sts = wait_for("the StatefulSet", WAIT, || async {
        Ok(statefulsets.get_opt(&sts_name).await.ok().flatten())
    })
    .await?;
    let ready_status = json!({"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "currentReplicas": 1,
        "updatedReplicas": 1, "observedGeneration": sts.metadata.generation}});
    statefulsets
        .patch_status(&sts_name, &PatchParams::default(), &Patch::Merge(&ready_status))
        .await?;
    wait_for("the cluster Ready=True", WAIT, || async {
        let kc = clusters.get_opt(CLUSTER).await.ok().flatten();
        let status = kc.and_then(|k| k.status).unwrap_or_default();
        let ready = status.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
        Ok((ready && status.cluster_id.is_some()).then_some(()))
    })
    .await?;
    tokio::time::sleep(SETTLE).await;
    let (rss_cluster_idle, _) = rss_kib(pid);

    // Steady state of the unchanged cluster: touch its annotations, wait for each reconcile.
    let mark = audit.mark()?;
    let kc_before = reconciles(&op, "kafkacluster").await;
    for i in 1..=TOUCHES {
        clusters.patch(CLUSTER, &PatchParams::default(), &touch()).await?;
        wait_reconciles(&op, "kafkacluster", kc_before + i as f64).await?;
    }
    let cluster_writes = writes_since(audit, mark).await?;
    let cluster_reconciles = reconciles(&op, "kafkacluster").await - kc_before;
    let (_, peak_before_topics) = rss_kib(pid);

    // 100 Topics by server-side apply, as fast as the harness goes; until all are Ready=True.
    let topics: Api<Topic> = Api::namespaced(cp.client(), &ns);
    let names: Vec<String> = (0..TOPICS).map(|i| format!("bench-{i:03}")).collect();
    let mark = audit.mark()?;
    let cpu_before = cpu_secs(pid);
    let started = Instant::now();
    apply_all(&topics, &names, |name| {
        json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Topic", "metadata": {"name": name},
            "spec": {"cluster": CLUSTER, "partitions": PARTITIONS, "replicationFactor": 1}})
    })
    .await?;
    let applied_secs = started.elapsed().as_secs_f64();
    wait_for("100 topics Ready=True", WAIT, || async {
        let list = topics
            .list(&ListParams::default())
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        Ok((list.items.iter().filter(|t| ready(t)).count() >= TOPICS).then_some(()))
    })
    .await?;
    let ready_secs = started.elapsed().as_secs_f64();
    let cpu_topics = cpu_secs(pid) - cpu_before;
    let creation_writes = writes_since(audit, mark).await?;
    let mut creation_by_kind = std::collections::BTreeMap::<String, usize>::new();
    for w in &creation_writes {
        // "VERB resource[/subresource] ns/name (code)" → "VERB resource[/subresource]".
        let kind: Vec<&str> = w.split_whitespace().take(2).collect();
        *creation_by_kind.entry(kind.join(" ")).or_default() += 1;
    }
    let (rss_after_topics, peak) = rss_kib(pid);
    let admin = KafkaAdmin::new(&broker.address, Duration::from_secs(10));
    let mut in_kafka = 0;
    for name in &names {
        if admin.describe_topic(name).await?.is_some_and(|i| i.partitions == PARTITIONS) {
            in_kafka += 1;
        }
    }
    ensure!(
        in_kafka == TOPICS,
        "only {in_kafka} of {TOPICS} topics exist in Kafka with {PARTITIONS} partitions"
    );

    // Steady state of unchanged Topics: touch each one, wait for as many reconciles.
    let mark = audit.mark()?;
    let topic_before = reconciles(&op, "topic").await;
    let touched = Instant::now();
    touch_all(&topics, &names).await?;
    wait_reconciles(&op, "topic", topic_before + TOPICS as f64).await?;
    let touch_secs = touched.elapsed().as_secs_f64();
    let topic_writes = writes_since(audit, mark).await?;
    let topic_reconciles = reconciles(&op, "topic").await - topic_before;
    let (rss_end, peak_end) = rss_kib(pid);

    let (etcd, apiserver) = cp.processes().context("local control plane processes")?;
    let (etcd_rss, etcd_peak) = rss_kib(etcd.id());
    let (api_rss, api_peak) = rss_kib(apiserver.id());
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(broker);
    Ok(json!({
        "bench": "operator",
        "topics": TOPICS, "partitions": PARTITIONS,
        "operator_rss_kib": {"after_start": rss_start, "cluster_idle": rss_cluster_idle, "after_100_topics": rss_after_topics,
            "end": rss_end, "peak_before_topics": peak_before_topics, "peak_through_100_topics": peak, "peak_end": peak_end},
        "topics_apply_secs": applied_secs, "topics_all_ready_secs": ready_secs, "topics_in_kafka": in_kafka,
        "operator_cpu_secs_100_topics": cpu_topics, "writes_creating_100_topics": creation_writes.len(),
        "writes_creating_100_topics_by_kind": creation_by_kind,
        "cluster_touches": TOUCHES, "cluster_reconciles": cluster_reconciles, "cluster_steady_writes": cluster_writes.len(),
        "topic_touches": TOPICS, "topic_reconciles": topic_reconciles, "topic_steady_writes": topic_writes.len(),
        "topic_touch_reconciled_secs": touch_secs,
        "steady_writes": cluster_writes.iter().chain(&topic_writes).take(20).collect::<Vec<_>>(),
        "etcd_rss_kib": {"end": etcd_rss, "peak": etcd_peak}, "apiserver_rss_kib": {"end": api_rss, "peak": api_peak},
    }))
}
