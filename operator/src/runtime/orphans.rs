//! Deleting what a spec no longer asks for (Stackable's `delete_orphaned_resources`): after a
//! reconcile applied a resource's objects, every object of a kind it owns that carries the
//! resource's labels and its controller reference, but was not applied this time, is deleted.
//! Removing a part of a spec removes what that part created; an object someone else made, or one
//! of another resource, is never touched.

use std::collections::BTreeSet;
use std::fmt::Debug;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::NamespaceResourceScope;
use kube::api::{DeleteParams, ListParams};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;

use super::Error;

/// The label selector of everything the operator made for the resource named `instance`.
pub fn selector(instance: &str) -> String {
    format!(
        "app.kubernetes.io/managed-by={},app.kubernetes.io/instance={instance}",
        crate::OPERATOR
    )
}

/// The names among `live` that are controlled by the owner with `owner_uid` but not in `keep`.
pub fn orphans<'a>(live: impl IntoIterator<Item = &'a ObjectMeta>, owner_uid: &str, keep: &BTreeSet<String>) -> Vec<String> {
    live.into_iter()
        .filter(|meta| {
            meta.owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == owner_uid && o.controller == Some(true))
        })
        .filter(|meta| meta.deletion_timestamp.is_none())
        .filter_map(|meta| meta.name.clone())
        .filter(|name| !keep.contains(name))
        .collect()
}

/// Deletes the orphans of kind `K` in `ns` (see [`orphans`]): the objects `selector` finds that
/// the owner with `owner_uid` controls, other than `applied`. Returns `Kind/name` of each.
pub async fn delete_orphans<K>(client: &Client, ns: &str, selector: &str, owner_uid: &str, applied: &[&K]) -> Result<Vec<String>, Error>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope> + Clone + DeserializeOwned + Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), ns);
    let keep: BTreeSet<String> = applied.iter().filter_map(|o| o.meta().name.clone()).collect();
    let live = api.list_metadata(&ListParams::default().labels(selector)).await?;
    let names = orphans(live.items.iter().map(|o| &o.metadata), owner_uid, &keep);
    for name in &names {
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => {}
            // Gone already (the garbage collector, or a concurrent reconcile): what was wanted.
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(names.into_iter().map(|n| format!("{}/{n}", K::kind(&()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    fn meta(name: &str, owner: Option<(&str, bool)>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            owner_references: owner.map(|(uid, controller)| {
                vec![OwnerReference {
                    uid: uid.into(),
                    controller: Some(controller),
                    ..OwnerReference::default()
                }]
            }),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn only_this_owners_objects_that_were_not_applied() {
        let live = [
            meta("k-broker-config", Some(("u1", true))),
            meta("k-old-config", Some(("u1", true))),
            meta("other-config", Some(("u2", true))),
            meta("adopted", Some(("u1", false))),
            meta("hand-made", None),
        ];
        let keep = BTreeSet::from(["k-broker-config".to_string()]);
        assert_eq!(orphans(live.iter(), "u1", &keep), ["k-old-config"]);
        assert!(orphans(live.iter(), "u3", &keep).is_empty());
    }

    #[test]
    fn the_selector_names_the_operator_and_the_instance() {
        assert_eq!(
            selector("k"),
            "app.kubernetes.io/managed-by=kaskade-operator,app.kubernetes.io/instance=k"
        );
    }
}
