//! The committed schema tables (`wire/src/generated/`) are exactly what the generator makes from
//! the Kafka release the peers pin (`e2e/peers/kafka/env.sh`): nobody edited them by hand, and
//! a change of Kafka version or of the generator is followed by a regeneration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    kaskade_testkit::repo_root()
}

/// `KAFKA_VERSION=…` from the peers' env.sh.
fn pinned_kafka_version() -> String {
    let env = std::fs::read_to_string(repo().join("e2e/peers/kafka/env.sh")).expect("e2e/peers/kafka/env.sh");
    env.lines()
        .find_map(|l| l.strip_prefix("KAFKA_VERSION="))
        .and_then(|v| v.split_whitespace().next())
        .expect("KAFKA_VERSION in env.sh")
        .to_string()
}

fn specs_dir(version: &str) -> PathBuf {
    let cache = std::env::var_os("KASKADE_CACHE").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/kaskade"),
        PathBuf::from,
    );
    cache.join(format!("kafka-{version}/message-specs"))
}

fn rust_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs"))
        .collect()
}

#[test]
fn committed_tables_match_a_fresh_generation() {
    let version = pinned_kafka_version();
    let specs = specs_dir(&version);
    assert!(
        specs.join("MetadataRequest.json").is_file(),
        "{} has no message specs: run e2e/peers/install.sh (./test.sh does)",
        specs.display()
    );
    let files = kaskade_wire_codegen::generate(&specs, &version).expect("generate");
    let out = tempfile::tempdir().expect("tempdir");
    kaskade_wire_codegen::write(&files, out.path(), &repo().join("rustfmt.toml")).expect("write and format");
    let committed = repo().join("wire/src/generated");
    assert_eq!(rust_files(out.path()), rust_files(&committed), "the same files");
    let mut stale = Vec::new();
    for name in rust_files(out.path()) {
        let fresh = std::fs::read_to_string(out.path().join(&name)).expect("fresh");
        let old = std::fs::read_to_string(committed.join(&name)).expect("committed");
        if fresh != old {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `cargo run -p kaskade-wire-codegen -- {} wire/src/generated`",
        specs.display()
    );
}
