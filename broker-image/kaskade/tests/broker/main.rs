//! The `kaskade` binary alone, with no peer: raw-protocol and process tests of one broker
//! (`./test.sh --quick` runs this binary).
//!
//! - `bad_input`: malformed and invalid requests get Kafka's errors or close one connection;
//! - `cli`: `kaskade broker` configuration errors, SIGTERM under load, `kaskade perf`;
//! - `connection_limits`: `max.connections`, per-IP limits, idle connections;
//! - `fetch_and_retention`: fetch limits, retention and segment rolls through raw requests;
//! - `idempotence`: idempotent producer sequences and epochs through raw requests;
//! - `probe`: `kaskade probe`, the pods' readiness and liveness check.

mod bad_input;
mod cli;
mod connection_limits;
mod fetch_and_retention;
mod idempotence;
mod probe;
