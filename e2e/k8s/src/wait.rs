//! Waiting for the cluster to reach a state: a generic poll with a timeout, and the common
//! cases (a status condition, CRDs established). Controllers converge eventually; tests poll.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::{Api, Client};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, KubeContext, Result};

/// How often [`wait_for`] polls.
pub const POLL: Duration = Duration::from_millis(100);

/// Polls `check` every [`POLL`] until it returns `Some`, for at most `timeout`. An error from
/// `check` ends the wait at once (map expected errors to `Ok(None)` to keep waiting).
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if start.elapsed() >= timeout {
            return Err(Error::Timeout {
                what: what.to_string(),
                secs: start.elapsed().as_secs_f64(),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The condition of `type_` in an object's `status.conditions`, as JSON.
pub fn condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// The `status` (`"True"`, `"False"`, `"Unknown"`) of the condition `type_`.
pub fn condition_status<'a>(object: &'a Value, type_: &str) -> Option<&'a str> {
    condition(object, type_)?.get("status")?.as_str()
}

/// Waits until object `name` has condition `type_` with `status`; returns the object.
pub async fn wait_for_condition<K>(api: &Api<K>, name: &str, type_: &str, status: &str, timeout: Duration) -> Result<K>
where
    K: Clone + DeserializeOwned + Serialize + Debug,
{
    let start = tokio::time::Instant::now();
    loop {
        let object = api.get_opt(name).await.context(|| format!("getting {name}"))?;
        let json = match &object {
            Some(object) => serde_json::to_value(object).map_err(|e| Error::Invalid(e.to_string()))?,
            None => Value::Null,
        };
        if let Some(object) = object.filter(|_| condition_status(&json, type_) == Some(status)) {
            return Ok(object);
        }
        if start.elapsed() >= timeout {
            let seen = if json.is_null() {
                "no such object".to_string()
            } else {
                json.pointer("/status").cloned().unwrap_or_default().to_string()
            };
            let what = format!("{name}: condition {type_}={status} (last status: {seen})");
            return Err(Error::Timeout {
                what,
                secs: start.elapsed().as_secs_f64(),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until every named CRD (`plural.group`) is `Established`.
pub async fn wait_crds_established(client: &Client, names: &[String], timeout: Duration) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for name in names {
        wait_for_condition(&api, name, "Established", "True", timeout).await?;
    }
    Ok(())
}
