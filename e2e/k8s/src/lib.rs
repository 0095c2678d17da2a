//! The end-to-end harness for Kaskade on Kubernetes: tests start a real etcd + kube-apiserver
//! (built from the Kubernetes Go modules, cached), or use the cluster `KUBECONFIG` names, and
//! drive it as users and the operator would. See `e2e/k8s/README.md`.
//!
//! ```no_run
//! # async fn t() -> kaskade_e2e::Result<()> {
//! use kaskade_e2e::ControlPlane;
//! let Some(cp) = ControlPlane::start_or_skip().await? else { return Ok(()) };
//! cp.install_crds().await?;
//! let ns = cp.unique_namespace("demo").await?;
//! cp.apply_file_in(kaskade_e2e::workspace::root().join("examples/dev-cluster.yaml"), &ns).await?;
//! # Ok(()) }
//! ```

pub mod apply;
pub mod audit;
pub mod binaries;
pub mod certs;
mod command;
mod control_plane;
pub mod error;
pub mod image;
pub mod kubeconfig;
mod launch;
pub mod node;
pub mod process;
pub mod table;
pub mod wait;
pub mod workspace;

pub use audit::{AuditEvent, AuditLog, AuditMark};
pub use control_plane::{ControlPlane, ENV_REQUIRE, ENV_USE_KUBECONFIG};
pub use error::{Error, Result};
pub use node::Node;
pub use process::Process;
pub use table::{Row, Table};
pub use wait::{condition, condition_status, wait_for, wait_for_condition};
