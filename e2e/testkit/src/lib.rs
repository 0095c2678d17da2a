//! The one test kit every crate's tests use, so there is one way to start the broker under test,
//! one Apache Kafka peer, one raw-protocol client:
//!
//! - `paths`: the repository root, the peers' cache, the built binaries (`kaskade_bin`);
//! - `process`: free ports, signals, whether a process is alive, polling;
//! - `broker_proc`: `kaskade broker` as a child process (SIGTERM, SIGKILL, restart on its data);
//!   with `in-process`, `in_process`: the broker inside the test process;
//! - `kafka_peer`: one Apache Kafka 4.4 per test binary, from `e2e/peers/kafka`;
//! - `connect_peer`: Apache Kafka Connect 4.3.1 workers, from `e2e/peers/connect`, and `http`: a
//!   std-only HTTP/1.1 client for REST APIs such as Connect's;
//! - `connect_proc`: Kaskade's `kaskade connect` worker as a child process (SIGTERM, SIGKILL,
//!   restart on the same port), with its own directory for connector files; `connect_rest`:
//!   REST calls, expectations and state waits against a worker;
//! - `tools`: our tools and Kafka's run as processes, with time limits; `compare`: text diffs;
//! - with `protocol`: `raw` (one request at a time over TCP, exact bytes and error codes) and
//!   `batches` (record batches from `kafka-protocol`'s encoder);
//! - with `databases`: real MariaDB and PostgreSQL servers (`e2e/peers/mariadb`,
//!   `e2e/peers/postgres`) and uniquely named test databases (`databases`);
//! - with `clients`: librdkafka helpers (`clients`), a producing and consuming `bystander`, and
//!   consumer-group members in four client libraries (`groups`).

pub mod broker_proc;
pub mod cluster_proc;
pub mod compare;
pub mod connect_peer;
pub mod connect_proc;
pub mod connect_rest;
pub mod http;
pub mod kafka_peer;
pub mod paths;
pub mod process;
pub mod tools;

#[cfg(feature = "protocol")]
pub mod batches;
#[cfg(feature = "protocol")]
pub mod raw;

#[cfg(feature = "in-process")]
pub mod in_process;

#[cfg(feature = "databases")]
pub mod databases;

#[cfg(feature = "clients")]
pub mod bystander;
#[cfg(feature = "clients")]
pub mod clients;
#[cfg(feature = "clients")]
pub mod groups;

pub use broker_proc::BrokerProc;
pub use cluster_proc::ClusterProc;
pub use connect_peer::ConnectPeer;
pub use connect_proc::ConnectProc;
#[cfg(feature = "in-process")]
pub use in_process::InProcessBroker;
pub use paths::{built_binary, cache, kaskade_bin, repo_root, require, target_binary};
pub use process::{alive, free_port, send_signal, wait_for};
