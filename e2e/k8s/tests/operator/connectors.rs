//! The Connector controller against a real API server and a real `kaskade connect` worker (on
//! loopback, reached through `--connect-override`, as the brokers are through
//! `--bootstrap-override`), run as the chart's ServiceAccount: FileStream connectors created,
//! lines flowing from a source file through a topic into a sink file, status mirrored from the
//! worker (states, worker ids, topics) with the printer columns, a config change put only when it
//! differs, pause/resume/stop, the restart annotations honoured once and removed, an invalid config
//! refused with the worker's validation message and never created, zero writes on a steady-state
//! reconcile, a failing task restarted by `autoRestart` until `maxRestarts`, a killed worker
//! reported `ConnectUnreachable` and then Ready again, and deletion with and without the cluster.
//! The test plays the StatefulSet and Deployment controllers: a Connector waits
//! (`ClusterNotReady`, nothing asked of the worker) until its cluster is Ready, and keeps its
//! status without calling the worker while the Connect workers are not ready.

use std::time::Duration;

use anyhow::{ensure, Context as _};
use k8s_openapi::api::events::v1::Event;
use kaskade_e2e::{wait_for, ControlPlane};
use kaskade_operator::crd::Connector;
use kaskade_testkit::connect_proc::ConnectProc;
use kaskade_testkit::http::request;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::common::{install_chart, make_cluster_ready, refused_requests, writes_after_touch, Broker, Operator};

const WAIT: Duration = Duration::from_secs(60);
const SOURCE: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
const SINK: &str = "org.apache.kafka.connect.file.FileStreamSinkConnector";

fn ready(c: &Connector) -> Option<(String, String, String)> {
    let c = c.status.as_ref()?.conditions.iter().find(|c| c.type_ == "Ready")?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// Waits until connector `name` is observed at its generation with the Ready reason `reason`.
async fn wait_reason(api: &Api<Connector>, name: &str, reason: &str) -> anyhow::Result<Connector> {
    wait_until(api, name, &format!("{name} {reason}"), |c| ready(c).is_some_and(|r| r.1 == reason)).await
}

async fn wait_until(api: &Api<Connector>, name: &str, what: &str, check: impl Fn(&Connector) -> bool) -> anyhow::Result<Connector> {
    let last = std::sync::Mutex::new(None);
    let result = wait_for(what, WAIT, || async {
        let c = api.get(name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let seen = c.status.as_ref().and_then(|s| s.observed_generation);
        let ok = seen.is_some() && seen == c.metadata.generation && check(&c);
        *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.status.clone());
        Ok(ok.then_some(c))
    })
    .await;
    result.with_context(|| format!("last status: {:?}", last.lock().unwrap_or_else(|e| e.into_inner())))
}

fn connector_manifest(name: &str, class: &str, config: serde_json::Value) -> String {
    let obj = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Connector", "metadata": {"name": name},
        "spec": {"cluster": "pipe", "class": class, "tasksMax": 1, "config": config}});
    serde_yaml::to_string(&obj).unwrap_or_default()
}

/// The worker's view of `path` (`GET`), as (status, parsed body).
async fn worker_get(url: String) -> (u16, serde_json::Value) {
    tokio::task::spawn_blocking(move || {
        let (code, body) = request("GET", &url, None);
        (code, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    })
    .await
    .unwrap_or((0, serde_json::Value::Null))
}

/// The events about the object named `name` in `ns`.
async fn events_for(cp: &ControlPlane, ns: &str, name: &str) -> anyhow::Result<Vec<Event>> {
    let events: Api<Event> = Api::namespaced(cp.client(), ns);
    let all = events.list(&ListParams::default()).await?;
    Ok(all
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .collect())
}

async fn patch_spec(api: &Api<Connector>, name: &str, spec: serde_json::Value) -> anyhow::Result<()> {
    api.patch(name, &PatchParams::default(), &Patch::Merge(&json!({"spec": spec})))
        .await?;
    Ok(())
}

#[tokio::test]
async fn connectors_through_the_connect_rest_api() {
    crate::common::run_scenario(scenario).await;
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart(cp).await?;
    let ns = cp.unique_namespace("ctr").await?;
    let broker = Broker::start(cp).await?;
    let bootstrap = broker.address.clone();
    let mut worker = tokio::task::spawn_blocking(move || ConnectProc::start(&bootstrap, "ctr-connect", &[])).await?;
    let url = worker.url();
    let op = Operator::start(
        cp,
        &[
            "--bootstrap-override".into(),
            format!("{ns}/pipe={}", broker.address),
            "--connect-override".into(),
            format!("{ns}/pipe={url}"),
        ],
    )
    .await?;
    let client = cp.client();
    let connectors: Api<Connector> = Api::namespaced(client.clone(), &ns);
    let cluster = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "KafkaCluster", "metadata": {"name": "pipe"},
        "spec": {"replicas": 1, "connect": {}}});
    cp.apply_yaml(&serde_yaml::to_string(&cluster)?, Some(&ns)).await?;

    // A source and a sink: lines flow from one file through a topic into another.
    let input = worker.write_file("in.txt", "one\ntwo\nthree\n");
    let output = worker.file("out.txt");
    let topic = format!("lines-{ns}");
    cp.apply_yaml(
        &connector_manifest("lines-source", SOURCE, json!({"file": input.display().to_string(), "topic": topic})),
        Some(&ns),
    )
    .await?;
    cp.apply_yaml(
        &connector_manifest("lines-sink", SINK, json!({"file": output.display().to_string(), "topics": topic})),
        Some(&ns),
    )
    .await?;
    // RUNNING, and its one task too (a connector is RUNNING a moment before its tasks exist).
    // Nothing is asked of the worker before the cluster is Ready.
    let waiting = wait_reason(&connectors, "lines-source", "ClusterNotReady").await?;
    ensure!(ready(&waiting).is_some_and(|r| r.0 == "False"), "{:?}", waiting.status);
    let (code, _) = worker_get(format!("{url}/connectors/lines-source")).await;
    ensure!(code == 404, "lines-source was created before its cluster was Ready: {code}");
    make_cluster_ready(cp, &ns, "pipe").await?;
    let running_with_task =
        |c: &Connector| ready(c).is_some_and(|r| r.1 == "ConnectorRunning") && c.status.as_ref().and_then(|s| s.running_tasks) == Some(1);
    let source = wait_until(&connectors, "lines-source", "lines-source running its task", running_with_task).await?;
    wait_until(&connectors, "lines-sink", "lines-sink running its task", running_with_task).await?;
    let out = output.clone();
    wait_for("the lines in the sink's file", WAIT, || async {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        Ok((text == "one\ntwo\nthree\n").then_some(()))
    })
    .await?;
    let status = source.status.clone().unwrap_or_default();
    let report = status.connector_status.clone().context("connectorStatus")?;
    ensure!(
        report.connector.state == "RUNNING" && report.connector.worker_id == worker.worker_id() && report.kind == "source",
        "{report:?}"
    );
    ensure!(report.tasks.len() == 1 && report.tasks[0].state == "RUNNING", "{report:?}");
    ensure!(status.running_tasks == Some(1), "{status:?}");
    ensure!(source.finalizers().iter().any(|f| f == "kaskade.dev/connector"), "no finalizer");
    let (code, config) = worker_get(format!("{url}/connectors/lines-source/config")).await;
    ensure!(
        code == 200 && config["connector.class"] == SOURCE && config["tasks.max"] == "1" && config["name"] == "lines-source",
        "{code} {config}"
    );
    for name in ["lines-source", "lines-sink"] {
        wait_until(&connectors, name, &format!("{name}'s topics"), |c| {
            c.status.as_ref().is_some_and(|s| s.topics == [topic.clone()])
        })
        .await?;
    }
    let table = cp.table("kaskade.dev", "v1alpha1", "connectors", Some(&ns)).await?;
    ensure!(
        table.headers() == ["Name", "Class", "State", "Tasks", "Ready", "Age"],
        "{:?}",
        table.headers()
    );
    let row = table.row("lines-source").context("table row")?;
    ensure!(
        row.text("Class") == SOURCE && row.text("State") == "RUNNING" && row.text("Tasks") == "1" && row.text("Ready") == "True",
        "row {row:?}"
    );

    // Steady state: reconciles of unchanged, running connectors write nothing (to the API server
    // or to the worker: the worker's config is compared before any PUT).
    let writes_metric = "kaskade_operator_api_writes_total{controller=\"connector\"}";
    let writes_before = op.metric(writes_metric).await?;
    let writes = writes_after_touch(cp, &op, &connectors, "lines-source", "connector", 2.0).await?;
    ensure!(writes.is_empty(), "a steady-state reconcile wrote: {writes:?}");
    let writes_after = op.metric(writes_metric).await?;
    ensure!(writes_after == writes_before, "writes counted: {writes_before} → {writes_after}");

    // A config change is put; the worker then holds it.
    patch_spec(
        &connectors,
        "lines-sink",
        json!({"config": {"file": output.display().to_string(), "topics": topic, "batch.size": "7"}}),
    )
    .await?;
    wait_for("the new sink config on the worker", WAIT, || async {
        let (_, config) = worker_get(format!("{url}/connectors/lines-sink/config")).await;
        Ok((config["batch.size"] == "7").then_some(()))
    })
    .await?;

    // Pause, resume, stop: the worker's state follows the spec, and each is Ready.
    for (state, worker_state, reason) in [
        ("paused", "PAUSED", "ConnectorPaused"),
        ("running", "RUNNING", "ConnectorRunning"),
        ("stopped", "STOPPED", "ConnectorStopped"),
        ("running", "RUNNING", "ConnectorRunning"),
    ] {
        patch_spec(&connectors, "lines-source", json!({"state": state})).await?;
        let c = wait_reason(&connectors, "lines-source", reason).await?;
        ensure!(ready(&c).is_some_and(|r| r.0 == "True"), "{state}: {:?}", c.status);
        let (_, s) = worker_get(format!("{url}/connectors/lines-source/status")).await;
        ensure!(s["connector"]["state"] == worker_state, "{state}: worker says {s}");
    }
    // While the Connect workers are not ready (a roll), the connector keeps its status and its
    // spec waits: the worker is not asked to pause until they are back.
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(client.clone(), &ns);
    let workers = |ready: i32| json!({"status": {"readyReplicas": ready, "availableReplicas": ready}});
    deployments
        .patch_status("pipe-connect", &PatchParams::default(), &Patch::Merge(&workers(0)))
        .await?;
    let clusters: Api<kaskade_operator::crd::KafkaCluster> = Api::namespaced(client.clone(), &ns);
    wait_for("the cluster's workers not ready", WAIT, || async {
        let kc = clusters.get("pipe").await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let ready = kc.status.unwrap_or_default().conditions.into_iter().find(|c| c.type_ == "Ready");
        Ok(ready.filter(|c| c.status == "False").map(|_| ()))
    })
    .await?;
    let before = connectors.get("lines-source").await?.status;
    patch_spec(&connectors, "lines-source", json!({"state": "paused"})).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    ensure!(
        connectors.get("lines-source").await?.status == before,
        "the status changed while the workers were not ready"
    );
    let (_, st) = worker_get(format!("{url}/connectors/lines-source/status")).await;
    ensure!(st["connector"]["state"] == "RUNNING", "the worker was asked while not ready: {st}");
    deployments
        .patch_status("pipe-connect", &PatchParams::default(), &Patch::Merge(&workers(1)))
        .await?;
    wait_reason(&connectors, "lines-source", "ConnectorPaused").await?;
    patch_spec(&connectors, "lines-source", json!({"state": "running"})).await?;
    wait_reason(&connectors, "lines-source", "ConnectorRunning").await?;

    // A connector created paused never runs first.
    let paused_in = worker.write_file("paused.txt", "never\n");
    let manifest = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Connector", "metadata": {"name": "born-paused"},
        "spec": {"cluster": "pipe", "class": SOURCE, "state": "paused",
                 "config": {"file": paused_in.display().to_string(), "topic": format!("paused-{ns}")}}});
    cp.apply_yaml(&serde_yaml::to_string(&manifest)?, Some(&ns)).await?;
    wait_reason(&connectors, "born-paused", "ConnectorPaused").await?;
    let (_, topics) = worker_get(format!("{url}/connectors/born-paused/topics")).await;
    ensure!(
        topics["born-paused"]["topics"] == json!([]),
        "a paused connector produced: {topics}"
    );

    // The restart annotations: honoured, then removed.
    for (key, value) in [
        ("kaskade.dev/restart", "includeTasks,onlyFailed"),
        ("kaskade.dev/restart-task", "0"),
    ] {
        connectors
            .patch(
                "lines-sink",
                &PatchParams::default(),
                &Patch::Merge(&json!({"metadata": {"annotations": {key: value}}})),
            )
            .await?;
        wait_for(&format!("{key} to be removed"), WAIT, || async {
            let c = connectors
                .get("lines-sink")
                .await
                .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
            Ok((!c.annotations().contains_key(key)).then_some(()))
        })
        .await?;
    }
    let events = events_for(cp, &ns, "lines-sink").await?;
    // kube's recorder folds repeats of one reason into a series.
    let restarted: i32 = events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Restarted"))
        .map(|e| e.series.as_ref().map_or(1, |s| s.count))
        .sum();
    ensure!(restarted >= 2, "{restarted} Restarted events: {events:?}");
    wait_reason(&connectors, "lines-sink", "ConnectorRunning").await?;

    // An invalid config: the worker's validation message, nothing created, no retry loop.
    cp.apply_yaml(&connector_manifest("no-topics", SINK, json!({"file": "/tmp/x"})), Some(&ns))
        .await?;
    let bad = wait_reason(&connectors, "no-topics", "InvalidConfig").await?;
    let (_, _, message) = ready(&bad).context("Ready")?;
    ensure!(message.contains("topics"), "{message}");
    let (code, _) = worker_get(format!("{url}/connectors/no-topics")).await;
    ensure!(code == 404, "an invalid connector was created: {code}");

    // A Connector naming a cluster that does not exist waits for it.
    let lost = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Connector", "metadata": {"name": "lost"},
        "spec": {"cluster": "nowhere", "class": SOURCE, "config": {"file": "/tmp/x", "topic": "x"}}});
    cp.apply_yaml(&serde_yaml::to_string(&lost)?, Some(&ns)).await?;
    let c = wait_reason(&connectors, "lost", "ClusterNotFound").await?;
    ensure!(
        ready(&c).is_some_and(|r| r.2 == format!("KafkaCluster nowhere does not exist in namespace {ns}")),
        "{:?}",
        c.status
    );

    // A task that fails: autoRestart restarts it, with back-off, until maxRestarts.
    let manifest = json!({"apiVersion": "kaskade.dev/v1alpha1", "kind": "Connector", "metadata": {"name": "broken"},
        "spec": {"cluster": "pipe", "class": SINK, "autoRestart": {"enabled": true, "maxRestarts": 2},
                 "config": {"file": "/proc/kaskade-no-such-dir/out.txt", "topics": topic}}});
    cp.apply_yaml(&serde_yaml::to_string(&manifest)?, Some(&ns)).await?;
    let broken = wait_until(&connectors, "broken", "two automatic restarts", |c| {
        c.status
            .as_ref()
            .and_then(|s| s.auto_restart.as_ref())
            .is_some_and(|a| a.count == 2)
            && ready(c).is_some_and(|r| r.1 == "TaskFailed" && r.2.contains("gave up"))
    })
    .await?;
    let (_, _, message) = ready(&broken).context("Ready")?;
    ensure!(message.contains("task 0 failed on worker"), "{message}");
    let trace = broken
        .status
        .as_ref()
        .and_then(|s| s.connector_status.as_ref())
        .and_then(|r| r.tasks.first())
        .and_then(|t| t.trace.clone())
        .unwrap_or_default();
    ensure!(trace.contains("FileStreamSinkTask") && trace.len() < 2200, "trace: {trace}");

    // A killed worker: ConnectUnreachable, then Ready again once it is back.
    let pid = worker.pid();
    worker.kill();
    ensure!(pid.is_some(), "the worker had no pid");
    connectors
        .patch(
            "lines-source",
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"annotations": {"test/touch": "2"}}})),
        )
        .await?;
    wait_reason(&connectors, "lines-source", "ConnectUnreachable").await?;
    let mut worker = tokio::task::spawn_blocking(move || {
        worker.restart();
        worker
    })
    .await?;
    wait_reason(&connectors, "lines-source", "ConnectorRunning").await?;

    // Deleting a Connector deletes the connector from the worker.
    connectors.delete("lines-sink", &DeleteParams::default()).await?;
    wait_for("lines-sink gone", WAIT, || async {
        let gone = connectors
            .get_opt("lines-sink")
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?
            .is_none();
        Ok(gone.then_some(()))
    })
    .await?;
    let (code, _) = worker_get(format!("{url}/connectors/lines-sink")).await;
    ensure!(code == 404, "the worker still has lines-sink: {code}");

    // Without its cluster, a Connector's deletion is not blocked: the finalizer goes with an event.
    Api::<kaskade_operator::crd::KafkaCluster>::namespaced(client.clone(), &ns)
        .delete("pipe", &DeleteParams::default())
        .await?;
    connectors.delete("lines-source", &DeleteParams::default()).await?;
    wait_for("lines-source released", WAIT, || async {
        let gone = connectors
            .get_opt("lines-source")
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?
            .is_none();
        Ok(gone.then_some(()))
    })
    .await?;
    let events = events_for(cp, &ns, "lines-source").await?;
    ensure!(events.iter().any(|e| e.reason.as_deref() == Some("ClusterGone")), "{events:?}");

    // Everything the operator asked for was within the chart's RBAC.
    let refused = refused_requests(cp)?;
    ensure!(refused.is_empty(), "requests outside the chart's RBAC: {refused:?}");
    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    worker.kill();
    drop(broker);
    Ok(())
}
