//! What reconcilers share: the client, the event recorder, metrics, the operator's defaults,
//! where each cluster's brokers are reached, and per-object retry back-off.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::reflector::Store;
use kube::{Client, Resource, ResourceExt};

use super::metrics::Metrics;
use crate::cluster::ClusterDefaults;
use crate::crd::Topic;
use kaskade_client::KafkaAdmin;

/// How long a Kafka admin request may take.
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared by every reconcile.
pub struct Context {
    pub client: Client,
    pub recorder: Recorder,
    pub metrics: Arc<Metrics>,
    pub defaults: ClusterDefaults,
    /// `namespace/cluster` → `host:port`, from `--bootstrap-override`.
    pub bootstrap_overrides: BTreeMap<String, String>,
    admins: Mutex<HashMap<String, KafkaAdmin>>,
    failures: Mutex<HashMap<String, u32>>,
    /// The Topic controllers' caches: the conflict check reads them instead of listing Topics
    /// on every reconcile (a list per reconcile held 100 copies of the list in memory at once).
    topic_stores: Mutex<Vec<Store<Topic>>>,
}

impl Context {
    pub fn new(client: Client, metrics: Arc<Metrics>, defaults: ClusterDefaults, bootstrap_overrides: BTreeMap<String, String>) -> Self {
        let reporter = Reporter {
            controller: "kaskade-operator".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Context {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            defaults,
            bootstrap_overrides,
            admins: Mutex::default(),
            failures: Mutex::default(),
            topic_stores: Mutex::default(),
        }
    }

    /// The address the operator reaches cluster `name` in `namespace` at: an override, or the
    /// cluster's bootstrap Service.
    pub fn bootstrap_for(&self, namespace: &str, name: &str) -> String {
        self.bootstrap_overrides
            .get(&format!("{namespace}/{name}"))
            .cloned()
            .unwrap_or_else(|| crate::cluster::names::bootstrap_address(name, namespace))
    }

    /// Registers a Topic controller's cache.
    pub fn add_topic_store(&self, store: Store<Topic>) {
        self.topic_stores.lock().unwrap_or_else(|e| e.into_inner()).push(store);
    }

    /// The cached Topics of `namespace`.
    pub fn topics_in(&self, namespace: &str) -> Vec<Arc<Topic>> {
        let stores = self.topic_stores.lock().unwrap_or_else(|e| e.into_inner());
        stores
            .iter()
            .flat_map(|s| s.state())
            .filter(|t| t.namespace().as_deref() == Some(namespace))
            .collect()
    }

    /// A (cached) admin client for cluster `name` in `namespace`.
    pub fn admin(&self, namespace: &str, name: &str) -> KafkaAdmin {
        let address = self.bootstrap_for(namespace, name);
        let mut admins = self.admins.lock().unwrap_or_else(|e| e.into_inner());
        admins
            .entry(address.clone())
            .or_insert_with(|| KafkaAdmin::new(&address, ADMIN_TIMEOUT).with_client_id("kaskade-operator"))
            .clone()
    }

    /// Publishes an event about `obj`; a failure to publish is logged, never fatal.
    pub async fn event<K: Resource<DynamicType = ()>>(&self, obj: &K, warning: bool, reason: &str, action: &str, note: String) {
        let ev = Event {
            type_: if warning { EventType::Warning } else { EventType::Normal },
            reason: reason.into(),
            note: Some(note),
            action: action.into(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&ev, &obj.object_ref(&())).await {
            tracing::warn!(error = %e, reason, "could not publish an event");
        }
    }

    /// The next retry delay for `key` after a failure: 5 s doubling to 5 min.
    pub fn backoff(&self, key: &str) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let n = failures.entry(key.to_string()).or_insert(0);
        *n = n.saturating_add(1);
        Duration::from_secs(5u64.saturating_mul(1 << (*n - 1).min(6))).min(Duration::from_secs(300))
    }

    /// Forgets `key`'s failures after a success.
    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// Parses `NAMESPACE/CLUSTER=HOST:PORT` overrides (repeated, or comma-separated).
pub fn parse_overrides(items: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for item in items.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let (key, addr) = item
            .split_once('=')
            .ok_or_else(|| format!("{item}: expected NAMESPACE/CLUSTER=HOST:PORT"))?;
        if key.split('/').count() != 2 || key.starts_with('/') || key.ends_with('/') || !addr.contains(':') {
            return Err(format!("{item}: expected NAMESPACE/CLUSTER=HOST:PORT"));
        }
        out.insert(key.to_string(), addr.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_overrides;

    #[test]
    fn overrides() {
        let o = parse_overrides(&["ns/dev=127.0.0.1:9092,ns/b=h:1".into(), "x/y=z:2".into()]).unwrap();
        assert_eq!(o.get("ns/dev").map(String::as_str), Some("127.0.0.1:9092"));
        assert_eq!(o.len(), 3);
        assert!(parse_overrides(&["dev=h:1".into()]).is_err());
        assert!(parse_overrides(&["a/b=h".into()]).is_err());
    }
}
