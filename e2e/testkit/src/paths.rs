//! Where things are: the repository root (for `e2e/` programs, scripts and manifests), the cache
//! `e2e/peers/install.sh` fills (Kafka's jars, the Python venv, Tansu), and the binaries cargo built
//! next to the running test executable.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    // Cargo sets CARGO_MANIFEST_DIR (the crate under test) when it runs a test; the compile-time
    // value of this crate is only the fallback, because a test binary reused from another checkout
    // sharing the target directory (CI clones elsewhere) carries that checkout's path.
    let start = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(&start)
        .canonicalize()
        .expect("repo root")
}

/// Where `e2e/peers/install.sh` puts the peers (`$KASKADE_CACHE`, default `~/.cache/kaskade`).
pub fn cache() -> PathBuf {
    std::env::var_os("KASKADE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/kaskade"))
}

/// Asserts an installed dependency is there, saying how to get it.
pub fn require(path: &Path) {
    assert!(
        path.exists(),
        "{} is missing: run e2e/peers/install.sh (./test.sh does)",
        path.display()
    );
}

/// Where cargo puts a binary of this workspace for the test running now: `target/debug/NAME`
/// for `target/debug/deps/TEST-HASH`.
pub fn target_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("the test executable's directory");
    deps.parent().unwrap_or(deps).join(name)
}

/// [`target_binary`] when it was built.
pub fn built_binary(name: &str) -> Option<PathBuf> {
    Some(target_binary(name)).filter(|path| path.is_file())
}

/// The `kaskade` binary: `KASKADE_BIN`, or the one cargo built beside this test (`cargo test -p
/// kaskade` builds it; other crates' tests need `cargo build -p kaskade` first, as `./test.sh`
/// does).
pub fn kaskade_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("KASKADE_BIN") {
        return PathBuf::from(bin);
    }
    built_binary("kaskade")
        .unwrap_or_else(|| panic!("the kaskade binary is missing: run `cargo build -p kaskade` first (or set KASKADE_BIN)"))
}
