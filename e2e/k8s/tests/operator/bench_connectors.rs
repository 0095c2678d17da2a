//! The Connector half of the operator benchmark (issue 22), against a real API server, a real
//! `kaskade broker` and one real `kaskade connect` worker: the operator's RSS idle and while
//! reconciling 100 Connectors (FileStream sources, each reading its own file), the time from
//! applying them to all `Ready=True`, and the writes (API server and worker) that steady-state
//! reconciles of the unchanged Connectors make. It prints one JSON line, and fails unless all 100
//! become ready and the steady state writes nothing (behaviour, not timing: the figures are only
//! printed). `./test.sh` runs it like every test; `e2e/bench/operator.sh RUNS connectors` runs it
//! in release mode and keeps the figures.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use kaskade_e2e::{wait_for, ControlPlane};
use kaskade_operator::crd::Connector;
use kaskade_testkit::connect_proc::ConnectProc;
use kube::api::ListParams;
use kube::Api;
use serde_json::{json, Value};

use crate::bench::{apply_all, cpu_secs, reconciles, rss_kib, touch_all, wait_reconciles, writes_since};
use crate::common::{install_chart, make_cluster_ready, Broker, Operator};

const CONNECTORS: usize = 100;
const SETTLE: Duration = Duration::from_secs(2);
const WAIT: Duration = Duration::from_secs(300);
const CLUSTER: &str = "bench";

#[tokio::test]
async fn connector_benchmark() {
    let Some(cp) = ControlPlane::start_or_skip().await.expect("control plane") else {
        return;
    };
    match bench(&cp).await {
        Ok(result) => println!("{result}"),
        Err(e) => panic!("{e:?}\n{}", crate::common::logs(&cp)),
    }
}

fn ready(c: &Connector) -> bool {
    let Some(s) = &c.status else { return false };
    s.observed_generation == c.metadata.generation && s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

async fn bench(cp: &ControlPlane) -> anyhow::Result<Value> {
    let audit = cp
        .audit_log()
        .context("the benchmark needs a local control plane (its audit log)")?;
    install_chart(cp).await?;
    let ns = cp.unique_namespace("cbench").await?;
    let broker = Broker::start(cp).await?;
    let bootstrap = broker.address.clone();
    let worker = tokio::task::spawn_blocking(move || ConnectProc::start(&bootstrap, "bench-connect", &[])).await?;
    let op = Operator::start(
        cp,
        &[
            "--bootstrap-override".into(),
            format!("{ns}/{CLUSTER}={}", broker.address),
            "--connect-override".into(),
            format!("{ns}/{CLUSTER}={}", worker.url()),
        ],
    )
    .await?;
    let pid = op.process.id();
    let cluster = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": CLUSTER},
        "spec": {"replicas": 1, "connect": {}}});
    cp.apply_yaml(&serde_yaml::to_string(&cluster)?, Some(&ns)).await?;
    make_cluster_ready(cp, &ns, CLUSTER).await?;
    tokio::time::sleep(SETTLE).await;
    let (rss_idle, _) = rss_kib(pid);

    let connectors: Api<Connector> = Api::namespaced(cp.client(), &ns);
    let names: Vec<String> = (0..CONNECTORS).map(|i| format!("bench-{i:03}")).collect();
    for name in &names {
        worker.write_file(&format!("{name}.txt"), "");
    }
    let mark = audit.mark()?;
    let cpu_before = cpu_secs(pid);
    let started = Instant::now();
    apply_all(&connectors, &names, |name| {
        let file = worker.file(&format!("{name}.txt")).display().to_string();
        json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Connector", "metadata": {"name": name},
            "spec": {"cluster": CLUSTER, "class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "tasksMax": 1,
                     "config": {"file": file, "topic": format!("bench-{ns}")}}})
    })
    .await?;
    let applied_secs = started.elapsed().as_secs_f64();
    wait_for("100 connectors Ready=True", WAIT, || async {
        let list = connectors
            .list(&ListParams::default())
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        Ok((list.items.iter().filter(|c| ready(c)).count() >= CONNECTORS).then_some(()))
    })
    .await?;
    let ready_secs = started.elapsed().as_secs_f64();
    let cpu_creating = cpu_secs(pid) - cpu_before;
    let creation_writes = writes_since(audit, mark).await?.len();
    let (rss_after, peak_creating) = rss_kib(pid);

    // Steady state: touch each Connector, wait for as many reconciles; the periodic polls of the
    // worker (every 30 s) run meanwhile too.
    let statuses = |list: Vec<Connector>| {
        list.into_iter()
            .map(|c| {
                (
                    c.metadata.name.clone().unwrap_or_default(),
                    serde_json::to_value(&c.status).unwrap_or_default(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before_touch = statuses(connectors.list(&ListParams::default()).await?.items);
    let mark = audit.mark()?;
    let writes_metric = "kaskade_operator_api_writes_total{controller=\"connector\"}";
    let counted_before = op.metric(writes_metric).await?;
    let before = reconciles(&op, "connector").await;
    touch_all(&connectors, &names).await?;
    wait_reconciles(&op, "connector", before + CONNECTORS as f64).await?;
    let steady_writes = writes_since(audit, mark).await?;
    let steady_reconciles = reconciles(&op, "connector").await - before;
    let counted_writes = op.metric(writes_metric).await? - counted_before;
    // What changed in the statuses that were written: tells a late settling from a flapping field.
    let after_touch = statuses(connectors.list(&ListParams::default()).await?.items);
    let changed: Vec<Value> = before_touch
        .iter()
        .filter(|(name, status)| after_touch.get(*name) != Some(status))
        .take(3)
        .map(|(name, status)| json!({"name": name, "before": status, "after": after_touch.get(name)}))
        .collect();
    ensure!(
        steady_writes.is_empty() && counted_writes == 0.0,
        "steady-state reconciles of unchanged Connectors wrote: {steady_writes:?} ({counted_writes} counted); statuses that changed: {changed:?}"
    );
    // A minute of polling 100 running connectors.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let (rss_end, peak_end) = rss_kib(pid);
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(worker);
    drop(broker);
    Ok(json!({
        "bench": "operator-connectors",
        "connectors": CONNECTORS,
        "operator_rss_kib": {"idle": rss_idle, "after_100_connectors": rss_after, "peak_creating": peak_creating,
            "end_after_a_minute_of_polling": rss_end, "peak_end": peak_end},
        "connectors_apply_secs": applied_secs, "connectors_all_ready_secs": ready_secs,
        "operator_cpu_secs_100_connectors": cpu_creating, "api_writes_creating_100_connectors": creation_writes,
        "steady_reconciles": steady_reconciles, "steady_api_writes": steady_writes.len(),
        "steady_writes_counted_incl_rest": counted_writes,
        "steady_writes": steady_writes.iter().take(20).collect::<Vec<_>>(),
        "steady_status_changes": changed,
    }))
}
