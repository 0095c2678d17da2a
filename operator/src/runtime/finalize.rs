//! The one way a controller reconciles behind a finalizer (kube's `finalizer` helper): `apply`
//! while the object lives, `cleanup` once it is being deleted, the finalizer's own add and remove
//! counted as writes, and the helper's errors turned into the operator's.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use kube::runtime::controller::Action;
use kube::runtime::finalizer::{finalizer, Event};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::metrics::Metrics;
use super::Error;

/// Runs `apply` or `cleanup` for `obj` under the finalizer `name`, for `controller`'s metrics.
pub async fn reconcile_with_finalizer<K, A, C, AF, CF>(
    api: &Api<K>,
    name: &str,
    obj: Arc<K>,
    metrics: &Metrics,
    controller: &'static str,
    apply: A,
    cleanup: C,
) -> Result<Action, Error>
where
    K: Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + Debug,
    A: FnOnce(Arc<K>) -> AF,
    C: FnOnce(Arc<K>) -> CF,
    AF: Future<Output = Result<Action, Error>>,
    CF: Future<Output = Result<Action, Error>>,
{
    let had_finalizer = obj.finalizers().iter().any(|f| f == name);
    let deleting = obj.meta().deletion_timestamp.is_some();
    let result = finalizer(api, name, obj, |event| async move {
        match event {
            Event::Apply(o) => apply(o).await,
            Event::Cleanup(o) => cleanup(o).await,
        }
    })
    .await;
    // Adding the finalizer, or removing it, is a write of its own.
    if !had_finalizer || deleting {
        metrics.writes(controller, 1);
    }
    result.map_err(|e| match e {
        kube::runtime::finalizer::Error::ApplyFailed(e) | kube::runtime::finalizer::Error::CleanupFailed(e) => e,
        other => Error::Finalizer(other.to_string()),
    })
}
