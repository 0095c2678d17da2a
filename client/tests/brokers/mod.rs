//! The brokers the admin-client tests run against: a real `kaskade broker` process per test
//! (`kaskade.rs`) and one shared Apache Kafka 4.x peer per test binary — the broker tests' own
//! `kafka_peer.rs`, included rather than copied.

#[path = "../../../broker-image/kaskade/tests/common/kafka_peer.rs"]
pub mod kafka;
pub mod kaskade;

use std::path::PathBuf;

/// The repository root (for `e2e/peers/`).
pub fn repo_root() -> PathBuf {
    // Cargo's runtime value first: a test binary reused from another checkout carries its path.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("..")
}
