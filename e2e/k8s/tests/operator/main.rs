//! The operator's tests against a real etcd + kube-apiserver (started per test by `kaskade-e2e`),
//! in one test binary (one link of kube and the operator instead of one per file):
//!
//! - `crds`: the CRDs alone (defaults, validation, printer columns, `crds/` matching the types);
//! - `harness`: the harness's RBAC kubeconfigs and audit counting, which other tests rely on;
//! - `helm_install`: the chart installed, upgraded and uninstalled with `helm`;
//! - `cluster`, `connect_cluster`, `topics`, `connectors`, `runtime`: the KafkaCluster (brokers and
//!   Connect workers), Topic and Connector controllers and the operator
//!   process (leader election, SIGTERM, namespaces), run as the chart's ServiceAccount;
//! - `pipeline`: `examples/pipeline/` applied, rows moving between two MariaDB databases;
//! - `bench`: the Topic benchmark, `#[ignore]`d; `bench_connectors`: the Connector benchmark, run
//!   by `./test.sh` for its checks (all ready, zero steady-state writes) and by
//!   `e2e/bench/operator.sh RUNS connectors` for its figures;
//! - `common`: what those share (the chart's RBAC, the operator process, a real broker).

mod bench;
mod bench_connectors;
mod cluster;
mod common;
mod connect_cluster;
mod connectors;
mod crds;
mod harness;
mod helm_install;
mod pipeline;
mod runtime;
mod topics;
