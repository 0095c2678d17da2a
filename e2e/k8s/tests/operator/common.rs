//! What the operator tests share: the chart's RBAC installed from `helm template`, the operator
//! run as the chart's ServiceAccount, a real `kaskade broker`, and small readers of metrics.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context as _};
use kaskade_e2e::{workspace, ControlPlane, Process};

/// The chart's release namespace and ServiceAccount in these tests.
pub const OPERATOR_NS: &str = "kaskade-system";
pub const OPERATOR_SA: &str = "kaskade-operator";

/// The `helm` binary built from its Go module by `e2e/k8s/controlplane/build.sh` (or `KASKADE_HELM`).
pub fn helm() -> anyhow::Result<PathBuf> {
    Ok(kaskade_e2e::binaries::helm()?)
}

/// `helm template` of the chart with `--set` values, in the operator namespace.
pub fn render_chart(sets: &[&str]) -> anyhow::Result<String> {
    let mut cmd = Command::new(helm()?);
    cmd.args(["template", "kaskade-operator"])
        .arg(workspace::root().join("charts/kaskade-operator"))
        .args(["--namespace", OPERATOR_NS]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().context("running helm template")?;
    if !out.status.success() {
        bail!("helm template failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Installs what the chart renders (CRDs come from `crds/` first): ServiceAccount, RBAC,
/// Deployment — every object must be accepted by the API server.
pub async fn install_chart(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart_with(cp, &[]).await
}

/// [`install_chart`] with `--set` values.
pub async fn install_chart_with(cp: &ControlPlane, sets: &[&str]) -> anyhow::Result<()> {
    cp.install_crds().await?;
    cp.ensure_namespace(OPERATOR_NS).await?;
    let rendered = render_chart(sets)?;
    cp.apply_yaml(&rendered, Some(OPERATOR_NS)).await?;
    Ok(())
}

/// A running operator and where its HTTP endpoints are.
pub struct Operator {
    pub process: Process,
    pub http: SocketAddr,
}

impl Operator {
    /// Starts `kaskade-operator run` as the chart's ServiceAccount with the given extra args, and
    /// waits for its `/readyz`.
    pub async fn start(cp: &ControlPlane, extra: &[String]) -> anyhow::Result<Operator> {
        let op = Operator::spawn_as(cp, OPERATOR_SA, extra).await?;
        kaskade_e2e::wait_for("the operator's /readyz", Duration::from_secs(30), || async {
            Ok(op.get("/readyz").await.ok().filter(|(code, _)| *code == 200).map(|_| ()))
        })
        .await?;
        Ok(op)
    }

    /// Starts `kaskade-operator run` as ServiceAccount `account` of the operator namespace, once
    /// its HTTP endpoints answer (`/healthz`), without waiting for `/readyz`.
    pub async fn spawn_as(cp: &ControlPlane, account: &str, extra: &[String]) -> anyhow::Result<Operator> {
        let kubeconfig = cp.service_account_kubeconfig(OPERATOR_NS, account).await?;
        let http: SocketAddr = format!("127.0.0.1:{}", kaskade_testkit::free_port()).parse()?;
        let mut cmd = workspace::command("kaskade-operator")?;
        cmd.arg("run")
            .arg("--http-addr")
            .arg(http.to_string())
            .args(extra)
            .env("KUBECONFIG", &kubeconfig)
            .env("RUST_LOG", "info,kaskade_operator=debug")
            .env_remove("KASKADE_WATCH_NAMESPACES");
        let label = if extra.iter().any(|a| a == "--leader-election") {
            format!("operator-{}", http.port())
        } else {
            "operator".into()
        };
        let process = cp.spawn(&label, cmd)?;
        let op = Operator { process, http };
        kaskade_e2e::wait_for("the operator's /healthz", Duration::from_secs(30), || async {
            Ok(op.get("/healthz").await.ok().filter(|(code, _)| *code == 200).map(|_| ()))
        })
        .await?;
        Ok(op)
    }

    /// GET `path` on the operator's HTTP port: (status code, body).
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.http).await?;
        s.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes()).await?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).await?;
        let code = buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        Ok((code, body))
    }

    /// The value of a metric line starting with `prefix` (0 when absent).
    pub async fn metric(&self, prefix: &str) -> anyhow::Result<f64> {
        let (_, body) = self.get("/metrics").await?;
        Ok(body
            .lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0))
    }
}

/// A real `kaskade broker` on a free port with its own log directory.
pub struct Broker {
    /// Killed when the test ends.
    _process: Process,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl Broker {
    pub async fn start(cp: &ControlPlane) -> anyhow::Result<Broker> {
        let dir = tempfile::tempdir()?;
        let port = kaskade_testkit::free_port();
        let mut cmd = workspace::command("kaskade")?;
        cmd.arg("broker")
            .args(["--override", &format!("listeners=PLAINTEXT://127.0.0.1:{port}")])
            .args(["--override", &format!("log.dirs={}", dir.path().display())]);
        let process = cp.spawn(&format!("broker-{port}"), cmd)?;
        let address = format!("127.0.0.1:{port}");
        kaskade_e2e::wait_for("the broker to listen", Duration::from_secs(30), || async {
            Ok(tokio::net::TcpStream::connect(&address).await.ok().map(|_| ()))
        })
        .await?;
        Ok(Broker {
            _process: process,
            address,
            _dir: dir,
        })
    }
}

/// Plays the workload controllers for KafkaCluster `name` in `ns` (the API server alone runs no
/// pods): its StatefulSet, then its Connect Deployment if it has workers, reported all ready at
/// their generation; waits until the cluster says `Ready=True`, which the Topic and Connector
/// controllers wait for before they call its brokers and workers.
pub async fn make_cluster_ready(cp: &ControlPlane, ns: &str, name: &str) -> anyhow::Result<()> {
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use kaskade_operator::crd::KafkaCluster;
    use kube::api::{Patch, PatchParams};
    use serde_json::json;

    let wait = Duration::from_secs(60);
    let invalid = |e: kube::Error| kaskade_e2e::Error::Invalid(e.to_string());
    let statefulsets: kube::Api<StatefulSet> = kube::Api::namespaced(cp.client(), ns);
    let sts_name = format!("{name}-broker");
    let sts = kaskade_e2e::wait_for(&format!("StatefulSet {sts_name}"), wait, || async {
        statefulsets.get_opt(&sts_name).await.map_err(invalid)
    })
    .await?;
    let ready = json!({"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "currentReplicas": 1,
        "updatedReplicas": 1, "observedGeneration": sts.metadata.generation}});
    statefulsets
        .patch_status(&sts_name, &PatchParams::default(), &Patch::Merge(&ready))
        .await?;
    let clusters: kube::Api<KafkaCluster> = kube::Api::namespaced(cp.client(), ns);
    if let Some(connect) = clusters.get(name).await?.spec.connect {
        let deployments: kube::Api<Deployment> = kube::Api::namespaced(cp.client(), ns);
        let d_name = format!("{name}-connect");
        let d = kaskade_e2e::wait_for(&format!("Deployment {d_name}"), wait, || async {
            deployments.get_opt(&d_name).await.map_err(invalid)
        })
        .await?;
        let n = connect.replicas;
        let ready = json!({"status": {"replicas": n, "readyReplicas": n, "availableReplicas": n, "updatedReplicas": n,
            "observedGeneration": d.metadata.generation}});
        deployments
            .patch_status(&d_name, &PatchParams::default(), &Patch::Merge(&ready))
            .await?;
    }
    kaskade_e2e::wait_for(&format!("KafkaCluster {name} Ready=True"), wait, || async {
        let kc = clusters.get(name).await.map_err(invalid)?;
        let status = kc.status.unwrap_or_default();
        let ready = status.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
        Ok((ready && status.observed_generation == kc.metadata.generation).then_some(()))
    })
    .await?;
    Ok(())
}

/// The tails of the logs of every process a test started (operator, brokers), for a failure.
pub fn logs(cp: &ControlPlane) -> String {
    let mut out = String::new();
    let Ok(entries) = std::fs::read_dir(cp.dir()) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.ends_with(".log") && (name.starts_with("operator") || name.starts_with("broker")) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(60)..].join("\n");
            out.push_str(&format!("--- {name} (last 60 lines) ---\n{tail}\n"));
        }
    }
    out
}

/// Runs `scenario` against a fresh control plane (or skips, see `ControlPlane::start_or_skip`);
/// a failure panics with the error and the tails of the operator's and brokers' logs.
pub async fn run_scenario(scenario: impl AsyncFnOnce(&ControlPlane) -> anyhow::Result<()>) {
    let Some(cp) = ControlPlane::start_or_skip().await.expect("control plane") else {
        return;
    };
    if let Err(e) = scenario(&cp).await {
        panic!("{e:?}\n{}", logs(&cp));
    }
}

/// The operator's writes while `touches` more reconciles of `controller` run after annotating
/// `name` (through `api`): empty for a steady state. Waits 2 s before and after, for writes still
/// on their way.
pub async fn writes_after_touch<K>(
    cp: &ControlPlane,
    op: &Operator,
    api: &kube::Api<K>,
    name: &str,
    controller: &str,
    touches: f64,
) -> anyhow::Result<Vec<String>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    tokio::time::sleep(Duration::from_secs(2)).await;
    let user = ControlPlane::service_account_username(OPERATOR_NS, OPERATOR_SA);
    let audit = cp.audit_log().context("a local control plane has an audit log")?;
    let mark = audit.mark()?;
    let metric = format!("kaskade_operator_reconciliations_total{{controller=\"{controller}\"}}");
    let before = op.metric(&metric).await?;
    let stamp = format!("{:?}", std::time::Instant::now());
    let touch = serde_json::json!({"metadata": {"annotations": {"test/touch": stamp}}});
    api.patch(name, &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&touch))
        .await?;
    kaskade_e2e::wait_for(
        &format!("{touches} {controller} reconciles after the touch"),
        Duration::from_secs(60),
        || async { Ok((op.metric(&metric).await.unwrap_or(0.0) >= before + touches).then_some(())) },
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(audit.writes_by_since(&user, mark)?.iter().map(|w| w.summary()).collect())
}

/// Requests of the operator's ServiceAccount the API server refused (403): none when the chart's
/// RBAC covers everything the operator does.
pub fn refused_requests(cp: &ControlPlane) -> anyhow::Result<Vec<String>> {
    let user = ControlPlane::service_account_username(OPERATOR_NS, OPERATOR_SA);
    let audit = cp.audit_log().context("a local control plane has an audit log")?;
    Ok(audit.refused(&user)?)
}
