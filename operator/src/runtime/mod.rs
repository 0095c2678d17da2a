//! What every controller shares: applying objects (only when they differ), events, metrics, the
//! HTTP endpoints, leader election and the watch scope. The controllers themselves live in
//! `crate::controllers`; the objects they apply are built by pure functions elsewhere.

pub mod apply;
pub mod context;
pub mod error;
pub mod http;
pub mod leader;
pub mod metrics;
pub mod scope;
pub mod subset;

pub use context::Context;
pub use error::Error;

/// The field manager of every server-side apply the operator makes.
pub const FIELD_MANAGER: &str = "kaskade-operator";
