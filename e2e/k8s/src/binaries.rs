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
    let script = workspace::root().join("e2e/k8s/controlplane/build.sh");
    let output = Command::new("bash")
        .arg(&script)
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
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let binaries = Binaries {
        etcd: dir.join("etcd"),
        kube_apiserver: dir.join("kube-apiserver"),
    };
    for bin in [&binaries.etcd, &binaries.kube_apiserver] {
        if !bin.is_file() {
            return Err(format!(
                "{} printed {} but {} is missing",
                script.display(),
                dir.display(),
                bin.display()
            ));
        }
    }
    Ok(binaries)
}
