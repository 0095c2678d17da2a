//! The cluster the scenarios share: the node tier's own one-node cluster, or the cluster of
//! `KUBECONFIG` (kind) — the same scenarios on either back-end. Its start installs the chart
//! with our images and times it; its finish uninstalls the chart, checks what that removed and
//! (on the node) restores the machine.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::ClusterRole;
use kaskade_e2e::{image, wait_for, workspace, ControlPlane, Error, Node, ENV_REQUIRE, ENV_USE_KUBECONFIG};
use kube::api::{Api, ListParams};

/// Prints a figure of the run as `node tier: NAME: VALUE UNIT` (`e2e/bench/node.sh` collects
/// them; `--nocapture` shows them).
pub fn figure(name: &str, value: f64, unit: &str) {
    eprintln!("node tier: {name}: {value:.2} {unit}");
}

/// A `KafkaCluster` on persistent storage (1 GiB), with one broker config key, and a memory limit
/// when given: what the scenarios apply and re-apply to change it.
pub fn kafka_cluster_yaml(name: &str, replicas: u32, config: (&str, &str), memory_limit: Option<&str>) -> String {
    let (key, value) = config;
    let limit = memory_limit
        .map(|m| format!("  resources:\n    limits:\n      memory: {m}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: kaskade.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  storage:\n    type: persistent\n    size: 1Gi\n  config:\n    {key}: \"{value}\"\n{limit}"
    )
}

/// The chart's release and namespace.
pub const RELEASE: &str = "kaskade-operator";
pub const OPERATOR_NS: &str = "kaskade-system";

/// The cluster and what its start measured.
pub struct Cluster {
    node: Option<Node>,
    external: Option<ControlPlane>,
    /// `helm install` → the operator's pod Ready.
    pub operator_ready: Duration,
}

impl Cluster {
    /// Starts the node (or connects to `KUBECONFIG`'s cluster) and installs the chart. `None`
    /// when the node tier cannot run here and `KASKADE_E2E_REQUIRE` is not `1` (printed).
    pub async fn start() -> anyhow::Result<Option<Self>> {
        let external = std::env::var(ENV_USE_KUBECONFIG).is_ok_and(|v| v == "1");
        let (node, external) = if external {
            (None, Some(ControlPlane::start().await?))
        } else {
            match Node::start().await {
                Ok(node) => {
                    for (step, took) in node.timings() {
                        figure(&format!("node start, {step}"), took.as_secs_f64(), "s");
                    }
                    (Some(node), None)
                }
                Err(Error::Unavailable(why)) if !std::env::var(ENV_REQUIRE).is_ok_and(|v| v == "1") => {
                    eprintln!("skipped: the node tier cannot run here: {why} ({ENV_REQUIRE}=1 makes this a failure)");
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            }
        };
        let mut cluster = Cluster {
            node,
            external,
            operator_ready: Duration::ZERO,
        };
        cluster.operator_ready = cluster.install_operator().await?;
        figure("helm install → operator Ready", cluster.operator_ready.as_secs_f64(), "s");
        Ok(Some(cluster))
    }

    /// The API server (admin).
    pub fn cp(&self) -> &ControlPlane {
        match (&self.node, &self.external) {
            (Some(node), _) => node.cp(),
            (None, Some(cp)) => cp,
            (None, None) => unreachable!("a cluster has a node or an external control plane"),
        }
    }

    /// Prints the memory of pod `namespace/name` from its cgroup as figures named after `label`
    /// (the node tier only: a kind cluster's cgroups are inside its container). The peak
    /// includes page cache (the broker's log, the databases' files).
    pub async fn report_memory(&self, label: &str, namespace: &str, name: &str) -> anyhow::Result<()> {
        let Some(node) = &self.node else { return Ok(()) };
        let pod = Api::<Pod>::namespaced(self.cp().client(), namespace).get(name).await?;
        let uid = pod.metadata.uid.context("pod uid")?;
        let memory = node
            .pod_memory(&uid)
            .with_context(|| format!("no memory cgroup for pod {namespace}/{name}"))?;
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        figure(&format!("memory of the {label} pod, anon"), mib(memory.anon), "MiB");
        figure(&format!("memory of the {label} pod, cgroup usage"), mib(memory.usage), "MiB");
        if let Some(peak) = memory.peak {
            figure(&format!("memory of the {label} pod, cgroup peak"), mib(peak), "MiB");
        }
        Ok(())
    }

    /// The operator's pod name.
    pub async fn operator_pod(&self) -> anyhow::Result<String> {
        let pods: Api<Pod> = Api::namespaced(self.cp().client(), OPERATOR_NS);
        let list = pods
            .list(&ListParams::default().labels(&format!("app.kubernetes.io/name={RELEASE}")))
            .await?;
        list.items.into_iter().find_map(|p| p.metadata.name).context("the operator pod")
    }

    /// The MariaDB image of the story: the node tier's, made from Debian's packages (nothing can
    /// be pulled here); on kind, the example's own `mariadb:11.4`.
    pub fn mariadb_image(&self) -> &'static str {
        if self.node.is_some() {
            kaskade_e2e::image::mariadb::MARIADB
        } else {
            "mariadb:11.4"
        }
    }

    /// PersistentVolumes for `count` claims of `size` (the node has no provisioner; a kind
    /// cluster provisions its own).
    pub async fn volumes(&self, count: u32, size: &str) -> anyhow::Result<()> {
        if let Some(node) = &self.node {
            node.add_volumes(count, size).await?;
        }
        Ok(())
    }

    /// `helm ARGS --kubeconfig ADMIN`.
    pub fn helm(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = std::process::Command::new(kaskade_e2e::binaries::helm()?)
            .args(args)
            .arg("--kubeconfig")
            .arg(self.cp().kubeconfig_path())
            .output()
            .context("running helm")?;
        if !out.status.success() {
            bail!("helm {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `helm install` of the chart with our images; returns how long until the operator's pod
    /// is Ready.
    async fn install_operator(&self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let chart = workspace::root().join("charts/kaskade-operator");
        let operator_image = format!("image.repository={}", image::OPERATOR.repository);
        let broker_image = format!("brokerImage.repository={}", image::KASKADE.repository);
        let tag = format!("image.tag={}", image::TAG);
        let broker_tag = format!("brokerImage.tag={}", image::TAG);
        let notes = self.helm(&[
            "install",
            RELEASE,
            &chart.to_string_lossy(),
            "-n",
            OPERATOR_NS,
            "--create-namespace",
            "--set",
            &operator_image,
            "--set",
            &tag,
            "--set",
            "image.pullPolicy=Never",
            "--set",
            &broker_image,
            "--set",
            &broker_tag,
        ])?;
        ensure!(notes.contains("STATUS: deployed"), "{notes}");
        let deployments: Api<Deployment> = Api::namespaced(self.cp().client(), OPERATOR_NS);
        wait_for("the operator Deployment to be ready", Duration::from_secs(120), || async {
            let d = deployments.get_opt(RELEASE).await.ok().flatten();
            let ready = d.and_then(|d| d.status).and_then(|s| s.ready_replicas).unwrap_or(0);
            Ok((ready >= 1).then_some(()))
        })
        .await?;
        Ok(started.elapsed())
    }

    /// Checks the operator was never refused, uninstalls the chart (checking it removed the
    /// operator's Deployment, ServiceAccount and ClusterRole) and stops the node, checking the
    /// machine is as the node found it. Each check prints a `test … ok` line of its own.
    pub async fn finish(self, failed: bool) -> anyhow::Result<()> {
        if let (true, Some(node)) = (failed, &self.node) {
            match node.keep_logs() {
                Ok(dir) => eprintln!(
                    "node tier: a scenario failed; the components' and pods' logs are kept in {}",
                    dir.display()
                ),
                Err(e) => eprintln!("node tier: keeping the logs failed: {e}"),
            }
        }
        let refused = self.refused_operator_requests();
        eprintln!(
            "test operator_reconciled_as_its_service_account_never_refused ... {}",
            if refused.is_ok() { "ok" } else { "FAILED" }
        );
        let uninstalled = self.uninstall_operator().await;
        eprintln!(
            "test helm_uninstall_removes_the_release ... {}",
            if uninstalled.is_ok() { "ok" } else { "FAILED" }
        );
        let restored = match self.node {
            Some(node) => {
                let left = node.teardown().await;
                if left.is_empty() {
                    Ok(())
                } else {
                    Err(anyhow::anyhow!("the machine was not restored: {left:#?}"))
                }
            }
            None => Ok(()),
        };
        eprintln!(
            "test node_teardown_restores_the_machine ... {}",
            if restored.is_ok() { "ok" } else { "FAILED" }
        );
        refused.and(uninstalled).and(restored)
    }

    /// Fails if the API server refused (403) any request of the operator's ServiceAccount over
    /// the whole run: the chart's RBAC covers everything it did. The node's audit log says; an
    /// external cluster has none to read.
    fn refused_operator_requests(&self) -> anyhow::Result<()> {
        let Some(audit) = self.cp().audit_log() else { return Ok(()) };
        let user = ControlPlane::service_account_username(OPERATOR_NS, RELEASE);
        let refused = audit.refused(&user)?;
        ensure!(refused.is_empty(), "the API server refused the operator: {refused:?}");
        Ok(())
    }

    async fn uninstall_operator(&self) -> anyhow::Result<()> {
        self.helm(&["uninstall", RELEASE, "-n", OPERATOR_NS, "--wait"])?;
        let client = self.cp().client();
        ensure!(Api::<Deployment>::namespaced(client.clone(), OPERATOR_NS)
            .get_opt(RELEASE)
            .await?
            .is_none());
        ensure!(Api::<ServiceAccount>::namespaced(client.clone(), OPERATOR_NS)
            .get_opt(RELEASE)
            .await?
            .is_none());
        ensure!(Api::<ClusterRole>::all(client).get_opt(RELEASE).await?.is_none());
        Ok(())
    }
}
