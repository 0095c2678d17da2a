//! The one place objects are written: server-side apply under the operator's field manager, and
//! only when the live object does not already hold what would be applied.

use kube::api::{Patch, PatchParams};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

use super::subset::is_contained;
use super::Error;
use crate::OPERATOR as FIELD_MANAGER;

/// Applies `desired` unless the live object already contains it. Returns whether it wrote, and
/// the live object (as read, or as the apply left it), so callers need not read it again.
pub async fn apply<K>(api: &Api<K>, desired: &K) -> Result<(bool, K), Error>
where
    K: Resource + Clone + Serialize + DeserializeOwned + Debug,
{
    let name = desired.name_any();
    let want = serde_json::to_value(desired).map_err(|source| Error::Serialize {
        kind: kind_of(desired),
        source,
    })?;
    if let Some(live) = api.get_opt(&name).await? {
        let live_json = serde_json::to_value(&live).map_err(|source| Error::Serialize {
            kind: kind_of(desired),
            source,
        })?;
        if is_contained(&want, &live_json) {
            return Ok((false, live));
        }
    }
    let applied = api
        .patch(&name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(&want))
        .await?;
    Ok((true, applied))
}

/// Applies the status subresource unless the live status already contains `status`.
pub async fn apply_status<K, S>(api: &Api<K>, obj: &K, live_status: Option<&S>, status: &S) -> Result<bool, Error>
where
    K: Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + Debug,
    S: Serialize,
{
    let ser = |s: &S| serde_json::to_value(s).map_err(|source| Error::Serialize { kind: "status", source });
    let want = ser(status)?;
    if let Some(live) = live_status {
        let live = ser(live)?;
        if is_contained(&want, &live) && is_contained(&live, &want) {
            return Ok(false);
        }
    }
    let patch = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": want,
    });
    api.patch_status(&obj.name_any(), &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(&patch))
        .await?;
    Ok(true)
}

fn kind_of<K: Resource>(_: &K) -> &'static str {
    std::any::type_name::<K>().rsplit("::").next().unwrap_or("object")
}
