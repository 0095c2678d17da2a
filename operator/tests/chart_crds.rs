//! The Helm chart installs the CRDs from `charts/kaskade-operator/crds/`: they must be the very
//! bytes of the generated `crds/` (which must be what the Rust types generate), or `helm install`
//! would serve a schema the operator does not read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    kaskade_testkit::repo_root()
}

/// `file name -> contents` of every `*.yaml` in a directory.
fn yaml_files(dir: &Path) -> BTreeMap<String, String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (name, text)
        })
        .collect()
}

const FIX: &str = "run `cargo run -p kaskade-operator -- crd --write crds && cp crds/*.yaml charts/kaskade-operator/crds/`";

#[test]
fn chart_crds_are_the_generated_crds() {
    let crds = yaml_files(&repo().join("crds"));
    let chart = yaml_files(&repo().join("charts/kaskade-operator/crds"));
    assert_eq!(
        crds.keys().collect::<Vec<_>>(),
        chart.keys().collect::<Vec<_>>(),
        "the chart's CRD files differ from crds/: {FIX}"
    );
    for (name, text) in &crds {
        assert!(
            chart[name] == *text,
            "charts/kaskade-operator/crds/{name} differs from crds/{name}: {FIX}"
        );
    }
    let generated: BTreeMap<String, String> = kaskade_operator::crd::generate::crd_files()
        .expect("generate")
        .into_iter()
        .collect();
    assert!(generated == chart, "the chart's CRDs are not what the Rust types generate: {FIX}");
}
