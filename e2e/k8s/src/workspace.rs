//! Paths into the workspace: its root (for `crds/`, `examples/`, the chart) and the binaries
//! cargo built next to the test executable (`kaskade-operator`, `kaskade`), which black-box tests
//! run as child processes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, IoContext, Result};

/// The workspace root (two levels above this crate).
pub fn root() -> PathBuf {
    // Cargo sets CARGO_MANIFEST_DIR when it runs a test; the compile-time value is only the
    // fallback, because a build reused from another checkout sharing the target directory (CI
    // clones elsewhere) still carries that checkout's path.
    let here = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let root = here.join("../..");
    root.canonicalize().unwrap_or(root)
}

/// `crds/` of the workspace: the generated CRD YAML.
pub fn crds_dir() -> PathBuf {
    root().join("crds")
}

/// The path of a binary of this workspace in the cargo target directory the test runs from
/// (`target/debug/NAME` for `target/debug/deps/TEST-HASH`). [`Error::MissingBinary`] tells to
/// build it when it is not there: `cargo test` builds only the crate under test.
pub fn bin(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe().context(|| "finding the test executable".into())?;
    let deps = exe
        .parent()
        .ok_or_else(|| Error::Invalid(format!("{} has no parent directory", exe.display())))?;
    let path = deps.join("..").join(name);
    match path.canonicalize() {
        Ok(path) if path.is_file() => Ok(path),
        _ => Err(Error::MissingBinary { path }),
    }
}

/// A `Command` for a workspace binary (see [`bin`]).
pub fn command(name: &str) -> Result<Command> {
    Ok(Command::new(bin(name)?))
}

/// Every `*.yaml` file of a directory, sorted by name.
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    Ok(files)
}
