//! What every controller shares: applying objects (only when they differ), deleting the objects
//! a spec no longer asks for, the Connect REST client, events, metrics, the HTTP endpoints and when they say ready, leader election, the watch
//! scope and the wiring of a controller to its reconciler. The controllers themselves live in
//! `crate::controllers`; the objects they apply are built by pure functions elsewhere.

pub mod apply;
pub mod connect_rest;
pub mod context;
pub mod error;
pub mod finalize;
pub mod http;
pub mod leader;
pub mod metrics;
pub mod orphans;
pub mod scope;
pub mod startup;
pub mod subset;
pub mod wiring;

pub use context::Shared;
pub use error::Error;
