//! Kafka's limits on connections and the memory their requests hold, with Kafka's keys and
//! defaults: `max.connections` (the acceptor waits for a free slot), `max.connections.per.ip`
//! and `max.connections.per.ip.overrides` (a connection over its address's limit is closed at
//! once), `connections.max.idle.ms` (a connection with nothing in flight that sends nothing
//! for that long is closed) and `queued.max.request.bytes` (request bytes held across all
//! connections before the broker stops reading more).

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{ConfigError, Props};

/// Semaphore permits are counted in KiB of request bytes.
pub const KIB: usize = 1024;

/// The limits as configured.
#[derive(Debug, Clone)]
pub struct ConnectionLimitsConfig {
    /// `max.connections`: connections across the broker.
    pub max_connections: usize,
    /// `max.connections.per.ip`.
    pub max_per_ip: usize,
    /// `max.connections.per.ip.overrides`, resolved to addresses.
    pub per_ip_overrides: HashMap<IpAddr, usize>,
    /// `connections.max.idle.ms`; `None` (a negative value) never closes idle connections.
    pub idle_timeout: Option<Duration>,
    /// `queued.max.request.bytes`; `None` (-1, Kafka's default) sets no broker-wide bound.
    pub queued_max_request_bytes: Option<usize>,
}

/// The keys read here.
pub const KEYS: &[&str] = &[
    "max.connections",
    "max.connections.per.ip",
    "max.connections.per.ip.overrides",
    "connections.max.idle.ms",
    "queued.max.request.bytes",
];

fn invalid(key: &str, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// A connection count: 0..=2147483647, unlimited (Kafka's `Int.MaxValue`) when unset.
fn count(props: &Props<'_>, key: &str) -> Result<usize, ConfigError> {
    let v = props.int(key, i64::from(i32::MAX))?;
    if !(0..=i64::from(i32::MAX)).contains(&v) {
        return Err(invalid(key, &v.to_string(), "must be between 0 and 2147483647"));
    }
    Ok(v as usize)
}

/// `host:count,host:count`: hosts are IP addresses or names (resolved now, as Kafka does).
fn parse_overrides(value: &str) -> Result<HashMap<IpAddr, usize>, ConfigError> {
    const KEY: &str = "max.connections.per.ip.overrides";
    let mut out = HashMap::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (host, n) = item
            .rsplit_once(':')
            .ok_or_else(|| invalid(KEY, value, format!("{item:?} is not host:count")))?;
        let n: usize = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= i32::MAX as usize)
            .ok_or_else(|| invalid(KEY, value, format!("{n:?} is not a connection count")))?;
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => (host, 0)
                .to_socket_addrs()
                .map_err(|e| invalid(KEY, value, format!("cannot resolve {host:?}: {e}")))?
                .map(|a| a.ip())
                .collect(),
        };
        for ip in addrs {
            out.insert(ip, n);
        }
    }
    Ok(out)
}

impl ConnectionLimitsConfig {
    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let overrides = parse_overrides(props.get("max.connections.per.ip.overrides").map_or("", String::as_str))?;
        let props = Props(props);
        let max_per_ip = count(&props, "max.connections.per.ip")?;
        if max_per_ip == 0 && overrides.is_empty() {
            // Kafka's own check: 0 alone would refuse every client.
            return Err(invalid(
                "max.connections.per.ip",
                "0",
                "max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.",
            ));
        }
        let idle = props.int("connections.max.idle.ms", 600_000)?;
        let queued = props.int("queued.max.request.bytes", -1)?;
        if queued == 0 || queued < -1 {
            return Err(invalid(
                "queued.max.request.bytes",
                &queued.to_string(),
                "must be -1 (no limit) or a positive number of bytes",
            ));
        }
        Ok(ConnectionLimitsConfig {
            max_connections: count(&props, "max.connections")?,
            max_per_ip,
            per_ip_overrides: overrides,
            idle_timeout: (idle >= 0).then(|| Duration::from_millis(idle as u64)),
            queued_max_request_bytes: (queued > 0).then_some(queued as usize),
        })
    }
}

/// A budget of request bytes (counted in KiB) that requests hold until they are answered.
#[derive(Debug, Clone)]
pub struct ByteBudget {
    permits: Arc<Semaphore>,
    total_kib: usize,
}

impl ByteBudget {
    pub fn new(bytes: usize) -> ByteBudget {
        let total_kib = bytes.div_ceil(KIB).clamp(1, Semaphore::MAX_PERMITS);
        ByteBudget {
            permits: Arc::new(Semaphore::new(total_kib)),
            total_kib,
        }
    }

    /// Waits until `bytes` of the budget are free and takes them. A request larger than the
    /// whole budget takes all of it (admitted alone, as Kafka's memory pool admits it).
    pub async fn take(&self, bytes: usize) -> OwnedSemaphorePermit {
        let kib = bytes.div_ceil(KIB).clamp(1, self.total_kib);
        match Arc::clone(&self.permits).acquire_many_owned(kib as u32).await {
            Ok(p) => p,
            // The semaphore is never closed.
            Err(_) => unreachable!("byte budget closed"),
        }
    }
}

/// The limits at run time: the broker-wide slots and byte budget, and the count per address.
#[derive(Debug)]
pub struct ConnectionQuotas {
    config: ConnectionLimitsConfig,
    slots: Arc<Semaphore>,
    /// `queued.max.request.bytes`, when set.
    queued: Option<ByteBudget>,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
}

/// A connection's place: its broker-wide slot and its count under its address, both given
/// back when the connection ends.
#[derive(Debug)]
pub struct Admitted {
    quotas: Arc<ConnectionQuotas>,
    ip: IpAddr,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut per_ip = self.quotas.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

impl ConnectionQuotas {
    pub fn new(config: ConnectionLimitsConfig) -> Arc<ConnectionQuotas> {
        let slots = Arc::new(Semaphore::new(config.max_connections.min(Semaphore::MAX_PERMITS)));
        let queued = config.queued_max_request_bytes.map(ByteBudget::new);
        Arc::new(ConnectionQuotas {
            config,
            slots,
            queued,
            per_ip: Mutex::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &ConnectionLimitsConfig {
        &self.config
    }

    /// Waits for a broker-wide slot (`max.connections`): called before accepting, so waiting
    /// clients queue in the listen backlog as they do at Kafka's acceptor.
    pub async fn slot(&self) -> OwnedSemaphorePermit {
        match Arc::clone(&self.slots).acquire_owned().await {
            Ok(p) => p,
            // The semaphore is never closed.
            Err(_) => unreachable!("connection slots closed"),
        }
    }

    /// Admits a connection from `ip` holding `slot`, or refuses it when `ip` already has its
    /// `max.connections.per.ip` (or override).
    pub fn admit(self: &Arc<Self>, ip: IpAddr, slot: OwnedSemaphorePermit) -> Result<Admitted, usize> {
        let limit = self.config.per_ip_overrides.get(&ip).copied().unwrap_or(self.config.max_per_ip);
        let mut per_ip = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let n = per_ip.entry(ip).or_insert(0);
        if *n >= limit {
            if *n == 0 {
                per_ip.remove(&ip);
            }
            return Err(limit);
        }
        *n += 1;
        Ok(Admitted {
            quotas: Arc::clone(self),
            ip,
            _slot: slot,
        })
    }

    /// The broker-wide request-bytes budget, when `queued.max.request.bytes` sets one.
    pub fn queued_budget(&self) -> Option<&ByteBudget> {
        self.queued.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn kafkas_defaults() {
        let c = ConnectionLimitsConfig::from_properties(&BTreeMap::new()).unwrap();
        assert_eq!(c.max_connections, 2_147_483_647);
        assert_eq!(c.max_per_ip, 2_147_483_647);
        assert!(c.per_ip_overrides.is_empty());
        assert_eq!(c.idle_timeout, Some(Duration::from_secs(600)));
        assert_eq!(c.queued_max_request_bytes, None);
    }

    #[test]
    fn overrides_and_checks() {
        let c = ConnectionLimitsConfig::from_properties(&props(&[
            ("max.connections.per.ip", "0"),
            ("max.connections.per.ip.overrides", "127.0.0.1:5, [::1]:7"),
            ("connections.max.idle.ms", "-1"),
            ("queued.max.request.bytes", "1048576"),
        ]))
        .unwrap();
        assert_eq!(c.per_ip_overrides.get(&"127.0.0.1".parse().unwrap()), Some(&5));
        assert_eq!(c.per_ip_overrides.get(&"::1".parse().unwrap()), Some(&7));
        assert_eq!(c.idle_timeout, None);
        assert_eq!(c.queued_max_request_bytes, Some(1 << 20));
        for bad in [
            vec![("max.connections.per.ip", "0")],
            vec![("max.connections", "-1")],
            vec![("max.connections.per.ip.overrides", "127.0.0.1")],
            vec![("max.connections.per.ip.overrides", "127.0.0.1:x")],
            vec![("queued.max.request.bytes", "0")],
        ] {
            assert!(ConnectionLimitsConfig::from_properties(&props(&bad)).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn per_address_counts_are_given_back() {
        let c = ConnectionLimitsConfig::from_properties(&props(&[
            ("max.connections.per.ip", "2"),
            ("max.connections.per.ip.overrides", "10.0.0.9:0"),
        ]))
        .unwrap();
        let q = ConnectionQuotas::new(c);
        let open_from = |ip: IpAddr| q.per_ip.lock().unwrap().get(&ip).copied().unwrap_or(0);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let a = q.admit(ip, q.slot().await).unwrap();
        let b = q.admit(ip, q.slot().await).unwrap();
        assert_eq!(q.admit(ip, q.slot().await).unwrap_err(), 2);
        assert_eq!(open_from(ip), 2);
        drop(a);
        let _c = q.admit(ip, q.slot().await).unwrap();
        drop(b);
        assert_eq!(open_from(ip), 1);
        assert_eq!(q.admit("10.0.0.9".parse().unwrap(), q.slot().await).unwrap_err(), 0);
    }

    #[tokio::test]
    async fn a_budget_admits_one_oversized_request_alone() {
        let b = ByteBudget::new(8 * KIB);
        let big = b.take(100 * KIB).await;
        assert_eq!(b.permits.available_permits(), 0, "it took the whole budget");
        let small = tokio::time::timeout(Duration::from_millis(50), b.take(1)).await;
        assert!(small.is_err(), "nothing else fits beside it");
        drop(big);
        let _small = b.take(1).await;
        assert_eq!(b.permits.available_permits(), 7);
    }
}
