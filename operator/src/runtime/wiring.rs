//! The one way a controller is run: its reconciler, error policy and context on a kube-rs
//! `Controller`, with the operator's concurrency, a graceful stop, its results logged, and its
//! initial list reported to [`Startup`](super::startup::Startup) for `/readyz`. Each controller
//! module builds its `Controller` (what it watches and owns) and hands it here.

use std::fmt::Debug;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use futures_util::{FutureExt, StreamExt};
use kube::runtime::controller::{self, Action};
use kube::runtime::{watcher, Controller};
use kube::Resource;
use serde::de::DeserializeOwned;

use super::startup::Listing;
use super::Error;

/// Reconciles run at once per controller: enough to keep a few brokers and the API server busy,
/// few enough that memory stays flat when a hundred Topics arrive together.
pub const CONCURRENCY: u16 = 4;

/// What a controller watches among the objects it owns: those labelled as the operator's.
pub fn owned_objects() -> watcher::Config {
    watcher::Config::default().labels(&format!("app.kubernetes.io/managed-by={}", crate::OPERATOR))
}

/// Runs `controller` until `stop`, reconciling with `reconcile` and retrying failures as
/// `error_policy` says; `listing` is done once the controller's watch has listed its resources.
pub fn run<K, C, Fut>(
    controller: Controller<K>,
    kind: &'static str,
    listing: Listing,
    reconcile: impl FnMut(Arc<K>, Arc<C>) -> Fut + Send + 'static,
    error_policy: impl Fn(Arc<K>, &Error, Arc<C>) -> Action + Send + Sync + 'static,
    ctx: Arc<C>,
    stop: impl Future<Output = ()> + Send + Sync + 'static,
) -> impl Future<Output = ()> + Send + 'static
where
    K: Clone + Resource + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Debug + Eq + Hash + Clone + Unpin + Send + Sync,
    C: Send + Sync + 'static,
    Fut: Future<Output = Result<Action, Error>> + Send + 'static,
{
    let listed = listing.when_listed(controller.store());
    let running = controller
        .with_config(controller::Config::default().concurrency(CONCURRENCY))
        .graceful_shutdown_on(stop)
        .run(reconcile, error_policy, ctx)
        .for_each(move |res| async move {
            match res {
                Ok((obj, _)) => tracing::debug!(kind, object = %obj.name, "reconciled"),
                Err(e) => tracing::debug!(kind, error = %e, "controller"),
            }
        });
    // The listing ends with the controller at the latest (its store's writer goes with it).
    futures_util::future::join(running, listed).map(|_| ())
}
