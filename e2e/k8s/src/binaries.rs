//! The etcd and kube-apiserver binaries, built from the Go module proxy by
//! `e2e/k8s/controlplane/build.sh` (cached by go.mod hash, so every run after the first only
//! hashes three files). Run once per test process.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::workspace;

/// Where the control plane's binaries are.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub etcd: PathBuf,
    pub kube_apiserver: PathBuf,
}

/// Runs `build.sh` (the first call in this process; later calls reuse its answer). A failure is
/// [`Error::Unavailable`]: the control plane cannot run here.
pub async fn build() -> Result<Binaries> {
    static BUILT: OnceLock<std::result::Result<Binaries, String>> = OnceLock::new();
    if let Some(built) = BUILT.get() {
        return built.clone().map_err(Error::Unavailable);
    }
    let result = tokio::task::spawn_blocking(run_build_sh)
        .await
        .unwrap_or_else(|e| Err(format!("build.sh task: {e}")));
    BUILT.get_or_init(|| result).clone().map_err(Error::Unavailable)
}

fn run_build_sh() -> std::result::Result<Binaries, String> {
    let dir = build_sh(&[])?;
    let binaries = Binaries {
        etcd: dir.join("etcd"),
        kube_apiserver: dir.join("kube-apiserver"),
    };
    present(&dir, &[&binaries.etcd, &binaries.kube_apiserver])?;
    Ok(binaries)
}

/// The node tier's binaries, built by `build.sh --with-node`.
#[derive(Clone, Debug)]
pub struct NodeBinaries {
    pub kubelet: PathBuf,
    pub kube_controller_manager: PathBuf,
    pub kube_scheduler: PathBuf,
    pub kube_proxy: PathBuf,
    pub coredns: PathBuf,
}

/// Runs `build.sh --with-node` (about 10 minutes with a cold Go build cache; 30 ms cached).
pub async fn build_node() -> Result<NodeBinaries> {
    let result = tokio::task::spawn_blocking(|| {
        let dir = build_sh(&["--with-node"])?;
        let b = NodeBinaries {
            kubelet: dir.join("kubelet"),
            kube_controller_manager: dir.join("kube-controller-manager"),
            kube_scheduler: dir.join("kube-scheduler"),
            kube_proxy: dir.join("kube-proxy"),
            coredns: dir.join("coredns"),
        };
        present(
            &dir,
            &[&b.kubelet, &b.kube_controller_manager, &b.kube_scheduler, &b.kube_proxy, &b.coredns],
        )?;
        Ok(b)
    })
    .await
    .unwrap_or_else(|e| Err(format!("build.sh task: {e}")));
    result.map_err(Error::Unavailable)
}

/// The `helm` binary: `KASKADE_HELM` when set (a kind run uses the machine's), else the one
/// `build.sh` builds.
pub fn helm() -> Result<PathBuf> {
    if let Some(helm) = std::env::var_os("KASKADE_HELM").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(helm));
    }
    let dir = build_sh(&[]).map_err(Error::Unavailable)?;
    let helm = dir.join("helm");
    present(&dir, &[&helm]).map_err(Error::Unavailable)?;
    Ok(helm)
}

/// Runs `build.sh ARGS` and returns the bin directory it prints.
fn build_sh(args: &[&str]) -> std::result::Result<PathBuf, String> {
    let script = workspace::root().join("e2e/k8s/controlplane/build.sh");
    let output = Command::new("bash")
        .arg(&script)
        .args(args)
        .output()
        .map_err(|e| format!("running {}: {e}", script.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let hint = if stderr.contains("go: command not found") || stderr.contains("go: not found") {
            " (no Go toolchain)"
        } else {
            ""
        };
        return Err(format!(
            "{} failed ({}){hint}:\n{}",
            script.display(),
            output.status,
            tail.join("\n")
        ));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

fn present(dir: &std::path::Path, binaries: &[&PathBuf]) -> std::result::Result<(), String> {
    for bin in binaries {
        if !bin.is_file() {
            return Err(format!("build.sh printed {} but {} is missing", dir.display(), bin.display()));
        }
    }
    Ok(())
}
