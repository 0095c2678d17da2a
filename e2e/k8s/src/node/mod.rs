//! [`Node`]: a one-node Kubernetes cluster with real pods on this machine (`REAL-NODE.md`):
//! etcd and kube-apiserver on the node IP, containerd and runc from Debian, the kubelet,
//! controller-manager, scheduler, kube-proxy and CoreDNS built from the Go module proxy, and our
//! own images imported into containerd. One node per machine (the bridge, the kubelet's ports
//! and the cgroup root are fixed): a test run starts it once, its tests share it (each in its own
//! namespace), and [`Node::teardown`] restores the machine. A run that was killed leaves its
//! record in the fixed run directory; the next [`Node::start`] cleans it up first.

pub mod configs;
pub mod machine;
pub mod net;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Node as KubeNode, PersistentVolume, Pod, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, PostParams};

use crate::binaries::{self, NodeBinaries};
use crate::certs::Pki;
use crate::control_plane::ControlPlane;
use crate::error::{Error, IoContext, Result};
use crate::image;
use crate::kubeconfig::{self, ClusterAccess, Credentials};
use crate::launch::LaunchOptions;
use crate::process::Process;
use crate::wait::wait_for;
use configs::{KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME, SERVICE_CIDR};
use machine::{Recorded, RUN_DIR};

/// The StorageClass of the node's volumes (the cluster default; no provisioner).
pub const STORAGE_CLASS: &str = "standard";
/// How long the node may take to become Ready after the kubelet starts (13 s measured).
const NODE_READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Namespaces a teardown leaves alone (the cluster's own).
const SYSTEM_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/// A running one-node cluster.
pub struct Node {
    cp: Option<ControlPlane>,
    /// containerd, controller-manager, scheduler, kubelet, kube-proxy, CoreDNS (start order).
    components: Vec<Process>,
    run: PathBuf,
    recorded: Recorded,
    timings: Vec<(String, Duration)>,
    volumes: AtomicU32,
}

impl Node {
    /// Starts the node: checks the machine, cleans up a stale run, builds what is missing
    /// (cached), and waits until the Node is Ready with DNS and Services working. An error names
    /// the step that failed; the machine is restored before it is returned.
    pub async fn start() -> Result<Self> {
        let started = Instant::now();
        step(
            "checking the machine (root, containerd, runc, CNI plugins, iptables, nft, gcc)",
            async { preflight() },
        )
        .await?;
        let binaries = step(
            "building kubelet, controller-manager, scheduler, kube-proxy, CoreDNS",
            binaries::build_node(),
        )
        .await?;
        let run = PathBuf::from(RUN_DIR);
        if run.exists() {
            let stale = Recorded::load(&run).unwrap_or_else(Recorded::now);
            let notes = machine::clean(&run, &stale);
            eprintln!("node tier: cleaned up a stale run in {RUN_DIR}{}", format_notes(&notes));
        }
        std::fs::create_dir_all(&run).context(|| format!("creating {RUN_DIR}"))?;
        let recorded = Recorded::now();
        recorded.save(&run)?;
        let mut node = Node {
            cp: None,
            components: Vec::new(),
            run,
            recorded,
            timings: vec![("build check".into(), started.elapsed())],
            volumes: AtomicU32::new(0),
        };
        match node.bring_up(&binaries, started).await {
            Ok(()) => Ok(node),
            Err(e) => {
                let logs = node.component_log_tails();
                let left = node.teardown().await;
                Err(Error::Invalid(format!("{e}{logs}{}", format_notes(&left))))
            }
        }
    }

    async fn bring_up(&mut self, binaries: &NodeBinaries, started: Instant) -> Result<()> {
        let run = self.run.clone();
        step("creating the bridge and its FORWARD rules", async { net::create() }).await?;
        let images_dir = run.join("images");
        std::fs::create_dir_all(&images_dir).context(|| "creating the images directory".into())?;
        let building = {
            let dir = images_dir.clone();
            tokio::task::spawn_blocking(move || -> Result<Vec<PathBuf>> {
                Ok(vec![
                    image::build_pause(&dir)?,
                    image::KASKADE.build(&dir)?,
                    image::OPERATOR.build(&dir)?,
                    image::build_client(&dir)?,
                    image::build_mariadb(&dir)?,
                    image::build_kafka(&dir)?,
                ])
            })
        };

        let pki_dir = tempfile::Builder::new()
            .prefix("control-plane-")
            .tempdir_in(&run)
            .context(|| "creating the control plane's directory".into())?;
        let certs = step("generating certificates", generate_pki(pki_dir.path().to_path_buf())).await?;
        let options = LaunchOptions {
            address: NODE_IP.into(),
            service_cidr: SERVICE_CIDR.into(),
            authorization_mode: "Node,RBAC".into(),
            service_account_admission: true,
            extra_args: vec![
                "--kubelet-client-certificate".into(),
                certs.kubelet_client.0.clone().into(),
                "--kubelet-client-key".into(),
                certs.kubelet_client.1.clone().into(),
                "--kubelet-preferred-address-types".into(),
                "InternalIP".into(),
            ],
        };
        let t = Instant::now();
        let cp = step(
            "starting etcd and kube-apiserver on the node IP",
            ControlPlane::launch_local(pki_dir, &certs.pki, &options, started),
        )
        .await?;
        self.timings.push(("etcd + kube-apiserver".into(), t.elapsed()));
        if let Some((etcd, apiserver)) = cp.processes() {
            self.record_pid(etcd)?;
            self.record_pid(apiserver)?;
        }
        let admin_kubeconfig = cp.kubeconfig_path().to_path_buf();
        let dir = cp.dir().to_path_buf();
        self.cp = Some(cp);

        // containerd, then the images.
        let t = Instant::now();
        let containerd_config = run.join("containerd.toml");
        write(&containerd_config, &configs::containerd_toml(&run, image::PAUSE))?;
        let cni_dir = run.join("cni/net.d");
        std::fs::create_dir_all(&cni_dir).context(|| "creating the CNI config directory".into())?;
        write(&cni_dir.join("10-kaskade.conflist"), &configs::cni_conflist(&run))?;
        let mut containerd = Command::new("containerd");
        containerd.arg("--config").arg(&containerd_config);
        self.spawn("containerd", containerd, &dir)?;
        let socket = configs::containerd_socket(&run);
        step("waiting for containerd's socket", async {
            wait_for("containerd to answer", Duration::from_secs(30), || async {
                Ok(ctr(&socket, &["version"]).ok())
            })
            .await
        })
        .await?;
        let tarballs = step(
            "building the images (pause, kaskade, kaskade-operator, client, mariadb, apache-kafka)",
            async { building.await.map_err(|e| Error::Invalid(format!("image build task: {e}")))? },
        )
        .await?;
        for tarball in &tarballs {
            let path = tarball.to_string_lossy().into_owned();
            step(&format!("importing {path} into containerd"), async {
                ctr(&socket, &["-n", "k8s.io", "images", "import", "--no-unpack=false", &path])
            })
            .await?;
        }
        self.timings.push(("containerd + images".into(), t.elapsed()));

        // The controllers, then the kubelet.
        let t = Instant::now();
        let mut cm = Command::new(&binaries.kube_controller_manager);
        cm.arg("--kubeconfig")
            .arg(&admin_kubeconfig)
            .args(["--secure-port", "0", "--leader-elect=false", "--use-service-account-credentials"])
            .arg("--service-account-private-key-file")
            .arg(&certs.pki.sa_key)
            .arg("--root-ca-file")
            .arg(&certs.pki.ca_crt)
            .arg("--cluster-signing-cert-file")
            .arg(&certs.pki.ca_crt)
            .arg("--cluster-signing-key-file")
            .arg(&certs.pki.ca_key)
            .args(["--service-cluster-ip-range", SERVICE_CIDR]);
        self.spawn("kube-controller-manager", cm, &dir)?;
        let mut scheduler = Command::new(&binaries.kube_scheduler);
        scheduler
            .arg("--kubeconfig")
            .arg(&admin_kubeconfig)
            .args(["--secure-port", "0", "--leader-elect=false"]);
        self.spawn("kube-scheduler", scheduler, &dir)?;

        let kubelet_config = run.join("kubelet.json");
        write(
            &kubelet_config,
            &configs::kubelet_config(
                &run,
                &configs::KubeletFiles {
                    ca_crt: &certs.pki.ca_crt,
                    serving_crt: &certs.kubelet_serving.0,
                    serving_key: &certs.kubelet_serving.1,
                },
            ),
        )?;
        let kubelet_kubeconfig = dir.join("kubelet.kubeconfig");
        kubelet_kubeconfig_for(self.cp(), &kubelet_kubeconfig, &certs.node_client.0, &certs.node_client.1)?;
        let mut kubelet = Command::new(&binaries.kubelet);
        kubelet
            .arg("--config")
            .arg(&kubelet_config)
            .arg("--kubeconfig")
            .arg(&kubelet_kubeconfig)
            .arg("--root-dir")
            .arg(run.join("kubelet"))
            .args(["--hostname-override", NODE_NAME, "--node-ip", NODE_IP]);
        self.spawn("kubelet", kubelet, &dir)?;
        let client = self.cp().client();
        step("waiting for the Node to be Ready", async {
            let nodes: Api<KubeNode> = Api::all(client.clone());
            wait_for("the kubelet's Node to be Ready", NODE_READY_TIMEOUT, || async {
                let node = nodes.get_opt(NODE_NAME).await.ok().flatten();
                let ready = node
                    .and_then(|n| n.status)
                    .and_then(|s| s.conditions)
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                Ok(ready.then_some(()))
            })
            .await
        })
        .await?;
        self.timings.push(("controllers + kubelet → Node Ready".into(), t.elapsed()));

        // kube-proxy only after the Node exists (it waits 30 s otherwise), and CoreDNS.
        let proxy_config = run.join("kube-proxy.json");
        write(&proxy_config, &configs::kube_proxy_config(&admin_kubeconfig))?;
        let mut proxy = Command::new(&binaries.kube_proxy);
        proxy.arg("--config").arg(&proxy_config);
        self.spawn("kube-proxy", proxy, &dir)?;
        let corefile = run.join("Corefile");
        write(&corefile, &configs::corefile(&admin_kubeconfig))?;
        let mut coredns = Command::new(&binaries.coredns);
        coredns.arg("-conf").arg(&corefile);
        self.spawn("coredns", coredns, &dir)?;

        step("creating the StorageClass", self.create_storage_class()).await?;
        step("waiting for the default ServiceAccount", async {
            let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), "default");
            wait_for("ServiceAccount default/default", Duration::from_secs(60), || async {
                Ok(accounts.get_opt("default").await.ok().flatten().map(|_| ()))
            })
            .await
        })
        .await?;
        self.timings.push(("whole start".into(), started.elapsed()));
        Ok(())
    }

    /// The cluster's API server (admin client, apply, namespaces, audit log).
    pub fn cp(&self) -> &ControlPlane {
        self.cp.as_ref().expect("the node's control plane runs until teardown")
    }

    /// How long each start-up step took.
    pub fn timings(&self) -> &[(String, Duration)] {
        &self.timings
    }

    /// The run directory (pod logs, component logs, volumes).
    pub fn run_dir(&self) -> &Path {
        &self.run
    }

    /// Creates `count` PersistentVolumes of `size` (e.g. `1Gi`) in StorageClass `standard`,
    /// each a fresh `hostPath` directory under the run directory, writable by any user (the
    /// kubelet applies no `fsGroup` to hostPath). Claims of any namespace bind them.
    pub async fn add_volumes(&self, count: u32, size: &str) -> Result<Vec<String>> {
        let api: Api<PersistentVolume> = Api::all(self.cp().client());
        let mut names = Vec::new();
        for _ in 0..count {
            let n = self.volumes.fetch_add(1, Ordering::Relaxed);
            let name = format!("node-volume-{n}");
            let path = self.run.join("volumes").join(&name);
            std::fs::create_dir_all(&path).context(|| format!("creating {}", path.display()))?;
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o777))
                .context(|| format!("chmod {}", path.display()))?;
            let pv: PersistentVolume = serde_json::from_value(serde_json::json!({
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": name},
                "spec": {
                    "capacity": {"storage": size},
                    "accessModes": ["ReadWriteOnce"],
                    "persistentVolumeReclaimPolicy": "Retain",
                    "storageClassName": STORAGE_CLASS,
                    "hostPath": {"path": path.display().to_string(), "type": "Directory"},
                },
            }))
            .map_err(|e| Error::Invalid(format!("building a PersistentVolume: {e}")))?;
            api.create(&PostParams::default(), &pv).await.map_err(|source| Error::Kube {
                context: format!("creating PersistentVolume {name}"),
                source,
            })?;
            names.push(name);
        }
        Ok(names)
    }

    /// A pod's memory from its cgroup (cgroup v1 memory controller, or the unified hierarchy):
    /// `None` when the pod has no cgroup on this node.
    pub fn pod_memory(&self, pod_uid: &str) -> Option<PodMemory> {
        pod_memory(Path::new("/sys/fs/cgroup"), pod_uid)
    }

    async fn create_storage_class(&self) -> Result<()> {
        let yaml = format!(
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: {STORAGE_CLASS}\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\nreclaimPolicy: Retain\n"
        );
        self.cp().apply_yaml(&yaml, None).await.map(|_| ())
    }

    fn spawn(&mut self, label: &str, command: Command, dir: &Path) -> Result<()> {
        let process = Process::spawn(label, command, dir.join(format!("{label}.log")))?;
        self.record_pid(&process)?;
        self.components.push(process);
        Ok(())
    }

    fn record_pid(&mut self, process: &Process) -> Result<()> {
        let exe = std::fs::read_link(format!("/proc/{}/exe", process.id()))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.recorded.pids.insert(process.id(), exe);
        self.recorded.save(&self.run)
    }

    /// The last lines of each component's log, for a failed start.
    fn component_log_tails(&self) -> String {
        let mut out = String::new();
        for process in &self.components {
            out.push_str(&format!(
                "\n--- {} ({}) ---\n{}",
                process.name(),
                process.log_path().display(),
                process.log_tail(15)
            ));
        }
        out
    }

    /// Copies the components' logs (kubelet, containerd, CoreDNS, kube-proxy, the API server's
    /// audit log, …) and the pods' logs out of the run directory, which the teardown removes:
    /// for a run that failed. Returns where they are.
    pub fn keep_logs(&self) -> Result<PathBuf> {
        let kept = std::env::temp_dir().join(format!(
            "kaskade-node-logs-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&kept).context(|| format!("creating {}", kept.display()))?;
        let mut sources = vec![self.run.join("pod-logs")];
        if let Some(cp) = &self.cp {
            sources.push(cp.dir().to_path_buf());
        }
        for source in sources {
            let status = Command::new("cp")
                .arg("-r")
                .arg(&source)
                .arg(&kept)
                .status()
                .context(|| format!("copying {}", source.display()))?;
            if !status.success() {
                return Err(Error::Invalid(format!("cp -r {} {} failed", source.display(), kept.display())));
            }
        }
        Ok(kept)
    }

    /// Deletes the tests' namespaces and every pod while the kubelet still runs (so containers
    /// stop and CNI releases their addresses), stops the components in reverse order, and undoes
    /// everything else on the machine. Best effort; what could not be undone is printed, and
    /// what is left on the machine afterwards is returned (empty: restored).
    pub async fn teardown(mut self) -> Vec<String> {
        if let Some(cp) = &self.cp {
            if let Err(e) = delete_workloads(cp).await {
                eprintln!("node tier teardown: deleting workloads: {e}");
            }
        }
        while let Some(mut process) = self.components.pop() {
            process.stop(Duration::from_secs(10));
        }
        drop(self.cp.take());
        let run = self.run.clone();
        let recorded = self.recorded.clone();
        let notes = tokio::task::spawn_blocking(move || machine::clean(&run, &recorded))
            .await
            .unwrap_or_else(|e| vec![format!("cleanup task: {e}")]);
        if !notes.is_empty() {
            eprintln!("node tier teardown:{}", format_notes(&notes));
        }
        machine::leftovers(&self.run, &self.recorded)
    }
}

/// What a pod's cgroup says about its memory, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodMemory {
    /// Anonymous memory now (`total_rss` of `memory.stat`, `anon` on cgroup v2): the heap and
    /// stacks, what the processes themselves allocated.
    pub anon: u64,
    /// Mapped file pages charged to the pod (`total_mapped_file`, `file_mapped` on v2). Pages
    /// of the binaries and libraries are charged to whoever read them first (containerd, when it
    /// unpacked the image), so this is often 0 although the processes' RSS counts them.
    pub mapped_file: u64,
    /// Usage now including page cache (`memory.usage_in_bytes` / `memory.current`).
    pub usage: u64,
    /// The highest usage so far (`memory.max_usage_in_bytes` / `memory.peak`), when known.
    pub peak: Option<u64>,
}

/// [`Node::pod_memory`] under the cgroup mount `root`.
fn pod_memory(root: &Path, pod_uid: &str) -> Option<PodMemory> {
    let leaf = format!("pod{pod_uid}");
    for base in [root.join("memory/kubepods"), root.join("kubepods")] {
        for qos in ["", "burstable", "besteffort"] {
            let dir = base.join(qos).join(&leaf);
            if !dir.is_dir() {
                continue;
            }
            let read = |name: &str| {
                std::fs::read_to_string(dir.join(name))
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
            };
            let stat = std::fs::read_to_string(dir.join("memory.stat")).unwrap_or_default();
            let stat_value = |key: &str| {
                stat.lines().find_map(|l| {
                    l.strip_prefix(key)
                        .and_then(|v| v.strip_prefix(' '))
                        .and_then(|v| v.trim().parse::<u64>().ok())
                })
            };
            let (usage, peak, anon, mapped_file) = if let Some(usage) = read("memory.usage_in_bytes") {
                (
                    usage,
                    read("memory.max_usage_in_bytes"),
                    stat_value("total_rss"),
                    stat_value("total_mapped_file"),
                )
            } else {
                (
                    read("memory.current")?,
                    read("memory.peak"),
                    stat_value("anon"),
                    stat_value("file_mapped"),
                )
            };
            return Some(PodMemory {
                anon: anon.unwrap_or(0),
                mapped_file: mapped_file.unwrap_or(0),
                usage,
                peak,
            });
        }
    }
    None
}

/// The certificates of the node tier beyond the control plane's own.
struct NodeCerts {
    pki: Pki,
    kubelet_serving: (PathBuf, PathBuf),
    kubelet_client: (PathBuf, PathBuf),
    /// The kubelet's client certificate: user `system:node:NODE`, group `system:nodes`.
    node_client: (PathBuf, PathBuf),
}

async fn generate_pki(dir: PathBuf) -> Result<NodeCerts> {
    tokio::task::spawn_blocking(move || -> Result<NodeCerts> {
        let sans = format!(
            "IP:{NODE_IP},IP:{KUBERNETES_SERVICE_IP},IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
        );
        let pki = Pki::generate_for(&dir, &sans)?;
        let kubelet_serving = pki.server_cert(&dir, "kubelet-serving", NODE_NAME, &format!("IP:{NODE_IP},DNS:{NODE_NAME}"))?;
        let kubelet_client = pki.client_cert(&dir, "apiserver-kubelet-client", "kube-apiserver-kubelet-client", &["system:masters"])?;
        let node_client = pki.client_cert(&dir, "node", &format!("system:node:{NODE_NAME}"), &["system:nodes"])?;
        Ok(NodeCerts {
            pki,
            kubelet_serving,
            kubelet_client,
            node_client,
        })
    })
    .await
    .map_err(|e| Error::Invalid(format!("certificate task: {e}")))?
}

/// Runs `ctr --address SOCKET ARGS`.
fn ctr(socket: &Path, args: &[&str]) -> Result<String> {
    crate::command::output(Command::new("ctr").arg("--address").arg(socket).args(args))
}

/// Deletes every namespace but the system ones, then every pod left, and waits (up to 90 s)
/// until the kubelet has stopped them all.
async fn delete_workloads(cp: &ControlPlane) -> Result<()> {
    let client = cp.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for ns in namespaces.list(&ListParams::default()).await.map_err(|source| Error::Kube {
        context: "listing namespaces".into(),
        source,
    })? {
        let name = ns.metadata.name.unwrap_or_default();
        if !SYSTEM_NAMESPACES.contains(&name.as_str()) {
            let _ = namespaces.delete(&name, &DeleteParams::default()).await;
        }
    }
    let pods: Api<Pod> = Api::all(client.clone());
    wait_for("every pod to be gone", Duration::from_secs(90), || async {
        let list = pods.list(&ListParams::default()).await.map_err(|source| Error::Kube {
            context: "listing pods".into(),
            source,
        })?;
        if list.items.is_empty() {
            return Ok(Some(()));
        }
        for pod in list.items {
            let (Some(ns), Some(name)) = (pod.metadata.namespace, pod.metadata.name) else {
                continue;
            };
            let _ = Api::<Pod>::namespaced(client.clone(), &ns)
                .delete(&name, &DeleteParams::default().grace_period(5))
                .await;
        }
        Ok(None)
    })
    .await
}

fn preflight() -> Result<()> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Error::Unavailable("the node tier needs root (containers, bridge, cgroups)".into()));
    }
    let mut missing = Vec::new();
    for tool in [
        "containerd",
        "containerd-shim-runc-v2",
        "runc",
        "ctr",
        "iptables",
        "ip6tables",
        "nft",
        "conntrack",
        "ip",
        "gcc",
        "strip",
        "ldd",
    ] {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        if !found {
            missing.push(tool);
        }
    }
    if !Path::new("/usr/lib/cni/bridge").is_file() || !Path::new("/usr/lib/cni/host-local").is_file() {
        missing.push("/usr/lib/cni/{bridge,host-local}");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Unavailable(format!(
            "missing {} (e2e/peers/install.sh installs containerd runc containernetworking-plugins iptables nftables conntrack)",
            missing.join(", ")
        )))
    }
}

async fn step<T>(name: &str, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    work.await.map_err(|source| match source {
        e @ Error::Unavailable(_) => e,
        source => Error::NodeStep {
            step: name.to_string(),
            source: Box::new(source),
        },
    })
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).context(|| format!("writing {}", path.display()))
}

fn format_notes(notes: &[String]) -> String {
    notes.iter().map(|n| format!("\n  - {n}")).collect()
}

/// Writes the kubelet's kubeconfig: the API server of `cp`, the node's client certificate.
fn kubelet_kubeconfig_for(cp: &ControlPlane, path: &Path, cert: &Path, key: &Path) -> Result<()> {
    let credentials = Credentials::ClientCert {
        cert_pem: std::fs::read(cert).context(|| format!("reading {}", cert.display()))?,
        key_pem: std::fs::read(key).context(|| format!("reading {}", key.display()))?,
    };
    kubeconfig::write(path, NODE_NAME, &ClusterAccess::from_config(cp.config()), &credentials)
}
