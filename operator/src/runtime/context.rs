//! What every controller's context holds (each controller adds its own on top: the
//! KafkaCluster controller its defaults, the Topic controller its cache of Topics): the client,
//! the event recorder, metrics, where each cluster's brokers and Connect workers are reached, and
//! per-object retry back-off and the grace given to an unreachable cluster.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};

use super::connect_rest::ConnectRest;
use super::metrics::Metrics;
use kaskade_client::KafkaAdmin;

/// How long a Kafka admin request may take.
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared by every controller.
pub struct Shared {
    pub client: Client,
    pub recorder: Recorder,
    pub metrics: Arc<Metrics>,
    /// `namespace/cluster` → `host:port`, from `--bootstrap-override`.
    pub bootstrap_overrides: BTreeMap<String, String>,
    /// `namespace/cluster` → `http://host:port`, from `--connect-override`.
    pub connect_overrides: BTreeMap<String, String>,
    admins: Mutex<HashMap<String, KafkaAdmin>>,
    connects: Mutex<HashMap<String, ConnectRest>>,
    failures: Mutex<HashMap<String, u32>>,
    /// Since when each object has found its cluster unreachable although the cluster's status
    /// said it served (see [`Shared::unreachable_is_new`]).
    unreachable_since: Mutex<UnreachableSince>,
}

/// Since when each object has found its cluster unreachable.
#[derive(Debug, Default)]
pub struct UnreachableSince(HashMap<String, Instant>);

impl UnreachableSince {
    /// Records that `key` found its cluster unreachable at `now`; true while that has lasted
    /// less than [`UNREACHABLE_GRACE`].
    pub fn within_grace(&mut self, key: &str, now: Instant) -> bool {
        let first = *self.0.entry(key.to_string()).or_insert(now);
        now.saturating_duration_since(first) < UNREACHABLE_GRACE
    }

    /// `key` reached its cluster (or stopped trying): the next outage starts a new grace.
    pub fn clear(&mut self, key: &str) {
        self.0.remove(key);
    }
}

/// How long an object may find a serving cluster unreachable before that is reported: the
/// cluster's status lags its pods by a moment (a roll has begun before the status says so).
pub const UNREACHABLE_GRACE: Duration = Duration::from_secs(15);
/// How soon an object that found its cluster unreachable within the grace looks again.
pub const UNREACHABLE_RETRY: Duration = Duration::from_secs(2);

impl Shared {
    pub fn new(client: Client, metrics: Arc<Metrics>, bootstrap_overrides: BTreeMap<String, String>) -> Self {
        let reporter = Reporter {
            controller: crate::OPERATOR.into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Shared {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            bootstrap_overrides,
            connect_overrides: BTreeMap::new(),
            admins: Mutex::default(),
            connects: Mutex::default(),
            failures: Mutex::default(),
            unreachable_since: Mutex::default(),
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

    /// A (cached) admin client for cluster `name` in `namespace`.
    pub fn admin(&self, namespace: &str, name: &str) -> KafkaAdmin {
        let address = self.bootstrap_for(namespace, name);
        let mut admins = self.admins.lock().unwrap_or_else(|e| e.into_inner());
        admins
            .entry(address.clone())
            .or_insert_with(|| KafkaAdmin::new(&address, ADMIN_TIMEOUT).with_client_id(crate::OPERATOR))
            .clone()
    }

    /// Reaches the Connect workers of clusters at other addresses (`--connect-override`).
    pub fn with_connect_overrides(mut self, overrides: BTreeMap<String, String>) -> Self {
        self.connect_overrides = overrides;
        self
    }

    /// The Connect REST API of cluster `name` in `namespace`: an override, or the cluster's
    /// Connect Service.
    pub fn connect_url_for(&self, namespace: &str, name: &str) -> String {
        self.connect_overrides
            .get(&format!("{namespace}/{name}"))
            .cloned()
            .unwrap_or_else(|| crate::cluster::names::connect_url(name, namespace))
    }

    /// A (cached) Connect REST client for cluster `name` in `namespace`.
    pub fn connect(&self, namespace: &str, name: &str) -> ConnectRest {
        let url = self.connect_url_for(namespace, name);
        let mut connects = self.connects.lock().unwrap_or_else(|e| e.into_inner());
        connects.entry(url.clone()).or_insert_with(|| ConnectRest::new(&url)).clone()
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
        self.unreachable_since.lock().unwrap_or_else(|e| e.into_inner()).clear(key);
    }

    /// Records that `key` found its cluster unreachable now; true while that has lasted less
    /// than [`UNREACHABLE_GRACE`] (an outage to wait out quietly, not to report).
    pub fn unreachable_is_new(&self, key: &str) -> bool {
        self.unreachable_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .within_grace(key, Instant::now())
    }
}

/// Parses `NAMESPACE/CLUSTER=HOST:PORT` (or `=http://HOST:PORT`) overrides (repeated, or comma-separated).
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
    use super::{parse_overrides, UnreachableSince, UNREACHABLE_GRACE};
    use std::time::{Duration, Instant};

    #[test]
    fn an_unreachable_cluster_is_reported_only_after_the_grace() {
        let mut since = UnreachableSince::default();
        let t0 = Instant::now();
        assert!(since.within_grace("topic/ns/a", t0));
        assert!(since.within_grace("topic/ns/a", t0 + Duration::from_secs(10)));
        assert!(!since.within_grace("topic/ns/a", t0 + UNREACHABLE_GRACE));
        // Another object has its own grace; a success starts a new one.
        assert!(since.within_grace("topic/ns/b", t0 + UNREACHABLE_GRACE));
        since.clear("topic/ns/a");
        assert!(since.within_grace("topic/ns/a", t0 + UNREACHABLE_GRACE * 2));
    }

    #[test]
    fn overrides() {
        let o = parse_overrides(&["ns/dev=127.0.0.1:9092,ns/b=h:1".into(), "x/y=z:2".into()]).unwrap();
        assert_eq!(o.get("ns/dev").map(String::as_str), Some("127.0.0.1:9092"));
        assert_eq!(o.len(), 3);
        assert!(parse_overrides(&["dev=h:1".into()]).is_err());
        assert!(parse_overrides(&["a/b=h".into()]).is_err());
    }
}
