//! Applying YAML manifests the way `kubectl apply --server-side` does: every document of a
//! (multi-document) file, any kind the server knows (CRDs included, found through discovery), by
//! server-side apply under a field manager.

use std::path::Path;
use std::time::Duration;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use kube::Client;

use crate::error::{Error, IoContext, KubeContext, Result};

/// The field manager the harness applies with.
pub const FIELD_MANAGER: &str = "kaskade-e2e";

/// How long a kind may stay unknown to discovery (a CRD that was just established).
const DISCOVERY_WAIT: Duration = Duration::from_secs(15);

/// The documents of a YAML text as objects (empty documents skipped).
pub fn parse_documents(yaml: &str) -> Result<Vec<DynamicObject>> {
    let mut objects = Vec::new();
    for document in serde_yaml::Deserializer::from_str(yaml) {
        let value: serde_json::Value = serde::Deserialize::deserialize(document).map_err(|e| Error::Invalid(format!("YAML: {e}")))?;
        if value.is_null() {
            continue;
        }
        let object: DynamicObject = serde_json::from_value(value).map_err(|e| Error::Invalid(format!("not a Kubernetes object: {e}")))?;
        if object.types.is_none() {
            return Err(Error::Invalid(format!("object {:?} has no apiVersion/kind", object.metadata.name)));
        }
        objects.push(object);
    }
    Ok(objects)
}

/// The resource of `apiVersion`/`kind` (retrying while discovery does not know it yet).
pub async fn resolve(client: &Client, api_version: &str, kind: &str) -> Result<(ApiResource, ApiCapabilities)> {
    let (group, version) = match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    };
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let deadline = tokio::time::Instant::now() + DISCOVERY_WAIT;
    loop {
        match kube::discovery::pinned_kind(client, &gvk).await {
            Ok(found) => return Ok(found),
            Err(_) if tokio::time::Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => return Err(e).context(|| format!("discovering {api_version} {kind}")),
        }
    }
}

/// An `Api` for `apiVersion`/`kind`; `namespace` is used when the kind is namespaced (`None`:
/// all namespaces).
pub async fn dynamic_api(client: &Client, api_version: &str, kind: &str, namespace: Option<&str>) -> Result<Api<DynamicObject>> {
    let (resource, caps) = resolve(client, api_version, kind).await?;
    Ok(match (caps.scope, namespace) {
        (Scope::Namespaced, Some(ns)) => Api::namespaced_with(client.clone(), ns, &resource),
        _ => Api::all_with(client.clone(), &resource),
    })
}

/// Server-side applies every object of `yaml` with `field_manager` (forcing conflicts, like
/// `kubectl apply --server-side --force-conflicts`). Namespaced objects without a namespace go
/// into `default_namespace` (or `default`). Returns the objects as the server stored them.
pub async fn apply_yaml(client: &Client, yaml: &str, default_namespace: Option<&str>, field_manager: &str) -> Result<Vec<DynamicObject>> {
    let mut applied = Vec::new();
    for object in parse_documents(yaml)? {
        applied.push(apply_object(client, object, default_namespace, field_manager).await?);
    }
    Ok(applied)
}

/// [`apply_yaml`] on a file.
pub async fn apply_file(client: &Client, path: &Path, default_namespace: Option<&str>, field_manager: &str) -> Result<Vec<DynamicObject>> {
    let yaml = std::fs::read_to_string(path).context(|| format!("reading {}", path.display()))?;
    apply_yaml(client, &yaml, default_namespace, field_manager).await
}

/// Server-side applies one object.
pub async fn apply_object(
    client: &Client,
    object: DynamicObject,
    default_namespace: Option<&str>,
    field_manager: &str,
) -> Result<DynamicObject> {
    let types = object
        .types
        .clone()
        .ok_or_else(|| Error::Invalid("object has no apiVersion/kind".into()))?;
    let name = object
        .metadata
        .name
        .clone()
        .ok_or_else(|| Error::Invalid(format!("a {} has no metadata.name", types.kind)))?;
    let (resource, caps) = resolve(client, &types.api_version, &types.kind).await?;
    let api: Api<DynamicObject> = match caps.scope {
        Scope::Namespaced => {
            let ns = object
                .metadata
                .namespace
                .clone()
                .or_else(|| default_namespace.map(str::to_string))
                .unwrap_or_else(|| "default".into());
            Api::namespaced_with(client.clone(), &ns, &resource)
        }
        Scope::Cluster => Api::all_with(client.clone(), &resource),
    };
    let params = PatchParams::apply(field_manager).force();
    api.patch(&name, &params, &Patch::Apply(&object))
        .await
        .context(|| format!("applying {} {name}", types.kind))
}
