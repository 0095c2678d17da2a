//! Paths into the workspace: its root (for `crds/`, `examples/`, the chart) and the binaries
//! cargo built next to the test executable (`kaskade-operator`, `kaskade`), which black-box tests
//! run as child processes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, IoContext, Result};

/// The workspace root (the test kit's).
pub fn root() -> PathBuf {
    kaskade_testkit::repo_root()
}

/// `crds/` of the workspace: the generated CRD YAML.
pub fn crds_dir() -> PathBuf {
    root().join("crds")
}

/// The path of a binary of this workspace in the cargo target directory the test runs from
/// (`target/debug/NAME` for `target/debug/deps/TEST-HASH`). [`Error::MissingBinary`] tells to
/// build it when it is not there: `cargo test` builds only the crate under test.
pub fn bin(name: &str) -> Result<PathBuf> {
    let path = kaskade_testkit::target_binary(name);
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
