//! Starting and stopping a broker: identity of the log directory, metadata, logs, the flusher,
//! background maintenance, and the accept loop. Stopping (SIGTERM) stops accepting, lets
//! in-flight requests finish, flushes every log and marks the shutdown clean.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::BrokerConfig;
use crate::connection_limits::ConnectionQuotas;
use crate::group::{GroupConfig, GroupCoordinator, OffsetsStore};
use crate::meta_properties::{self, MetaPropertiesError};
use crate::metadata::{BrokerEndpoint, MetadataStore, QuorumMetadata};
use crate::replication::{ReplicaManager, ReplicationConfig};
use crate::state::{Broker, BrokerParts};
use crate::storage::{Flusher, LogCleaner, LogManager};
use crate::util;

#[derive(Debug, Error)]
pub enum StartError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Meta(#[from] MetaPropertiesError),
    #[error("cannot open the log directory: {0}")]
    Storage(String),
    #[error("cannot listen on {addr}: {cause}")]
    Bind { addr: String, cause: std::io::Error },
}

/// A running broker.
pub struct RunningBroker {
    pub local_addr: SocketAddr,
    pub cluster_id: String,
    /// Whether the last run on this log directory stopped cleanly; `None` on its first start
    /// (a new directory has no last stop, clean or not).
    pub clean_shutdown: Option<bool>,
    pub broker: Arc<Broker>,
    shutdown_tx: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    flusher_thread: Option<std::thread::JoinHandle<()>>,
    cleaner: Option<LogCleaner>,
}

fn check_quorum(config: &BrokerConfig) -> Result<(), StartError> {
    match config.controller_quorum_voters.as_slice() {
        [] => Ok(()),
        [one] if one.id == config.node_id => Ok(()),
        [one] => Err(StartError::Config(format!(
            "controller.quorum.voters names voter {} but this broker is node.id {}; a single-node quorum must be this node",
            one.id, config.node_id
        ))),
        many if !many.iter().any(|v| v.id == config.node_id) => Err(StartError::Config(format!(
            "controller.quorum.voters does not name this broker (node.id {}); every broker of a Kaskade cluster is a voter (brokers outside the quorum are not supported yet)",
            config.node_id
        ))),
        _ if config.controller_listener().is_none() => Err(StartError::Config(format!(
            "controller.quorum.voters lists several voters, but listeners has none named in controller.listener.names ({})",
            config.controller_listener_names.join(",")
        ))),
        _ => Ok(()),
    }
}

/// Binds the CONTROLLER listener the voters replicate the metadata log over, when there are
/// several voters (one voter needs no listener).
async fn controller_listener(config: &BrokerConfig) -> Result<Option<TcpListener>, StartError> {
    if config.controller_quorum_voters.len() <= 1 {
        return Ok(None);
    }
    let Some(l) = config.controller_listener() else {
        return Ok(None);
    };
    let host = if l.host.is_empty() { "0.0.0.0" } else { l.host.as_str() };
    let bind = format!("{host}:{}", l.port);
    let listener = listen(&bind).await.map_err(|cause| StartError::Bind { addr: bind, cause })?;
    Ok(Some(listener))
}

pub async fn start(config: BrokerConfig) -> Result<RunningBroker, StartError> {
    check_quorum(&config)?;
    for (broker_key, topic_key) in [
        ("compression.type", "compression.type"),
        ("log.message.timestamp.type", "message.timestamp.type"),
    ] {
        if let Some(v) = config.raw.get(broker_key) {
            crate::config::check::unsupported_value(topic_key, v).map_err(StartError::Config)?;
        }
    }
    for k in &config.unknown_keys {
        tracing::warn!(key = %k, "unknown configuration key ignored");
    }
    let listener_cfg = config
        .client_listener()
        .cloned()
        .ok_or_else(|| StartError::Config("listeners has no client (non-controller) listener".into()))?;
    let log_dir = config
        .log_dirs
        .first()
        .cloned()
        .ok_or_else(|| StartError::Config("log.dirs is empty".into()))?;
    if config.log_dirs.len() > 1 {
        tracing::warn!(used = %log_dir.display(), "several log.dirs given; Kaskade uses the first one");
    }
    let meta = meta_properties::load_or_format(&log_dir, config.node_id, config.cluster_id.as_deref())?;
    let bind_host = if listener_cfg.host.is_empty() {
        "0.0.0.0".to_string()
    } else {
        listener_cfg.host.clone()
    };
    let bind = format!("{bind_host}:{}", listener_cfg.port);
    let listener = listen(&bind)
        .await
        .map_err(|cause| StartError::Bind { addr: bind.clone(), cause })?;
    let local_addr = listener
        .local_addr()
        .map_err(|cause| StartError::Bind { addr: bind.clone(), cause })?;
    let (adv_host, mut adv_port) = config
        .advertised_client_endpoint()
        .unwrap_or(("localhost".into(), local_addr.port()));
    if adv_port == 0 {
        adv_port = local_addr.port();
    }
    let endpoint = BrokerEndpoint {
        node_id: config.node_id,
        host: adv_host,
        port: adv_port,
        rack: config.raw.get("broker.rack").cloned(),
    };
    let voters = config
        .controller_quorum_voters
        .iter()
        .map(|v| (v.id as u64, format!("{}:{}", v.host, v.port)))
        .collect();
    let timing = crate::metadata::quorum::liveness::Timing {
        heartbeat_interval: Duration::from_millis(config.broker_heartbeat_interval_ms),
        session_timeout: Duration::from_millis(config.broker_session_timeout_ms),
    };
    let controller = controller_listener(&config).await?;
    let metadata = QuorumMetadata::start(&log_dir, meta.cluster_id.clone(), endpoint, voters, controller, timing)
        .await
        .map_err(|e| StartError::Storage(e.to_string()))?;
    let logs = LogManager::new(&log_dir, config.log.clone()).map_err(|e| StartError::Storage(format!("{}: {e}", log_dir.display())))?;
    let clean = logs.clean_start();
    let (flusher, flusher_thread) = Flusher::start(util::now_ms);
    let group_config = GroupConfig::from_properties(&config.raw).map_err(StartError::Config)?;
    let metadata: Arc<dyn MetadataStore> = Arc::new(metadata);
    let logs = Arc::new(logs);
    let replication = ReplicationConfig {
        default_min_isr: config.raw.get("min.insync.replicas").and_then(|v| v.parse().ok()).unwrap_or(1),
        lag_time_max_ms: config
            .raw
            .get("replica.lag.time.max.ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(30_000),
    };
    let replicas = Arc::new(ReplicaManager::new(
        config.node_id,
        replication,
        Arc::clone(&logs),
        Arc::clone(&metadata),
        flusher.clone(),
    ));
    let offsets_store = OffsetsStore::new(Arc::clone(&metadata), Arc::clone(&replicas), flusher.clone(), &group_config);
    let config_limits = config.connection_limits.clone();
    let broker = Arc::new(Broker::new(BrokerParts {
        config: Arc::new(config),
        metadata,
        logs,
        replicas,
        flusher,
        groups: Arc::new(GroupCoordinator::new(group_config, offsets_store)),
        quotas: ConnectionQuotas::new(config_limits),
    }));
    let started = std::time::Instant::now();
    broker.open_all_logs().map_err(|e| StartError::Storage(e.to_string()))?;
    let groups = broker.groups().load();
    let clean_shutdown = last_stop(meta.formatted, broker.partition_count(), clean);
    tracing::info!(
        cluster_id = %meta.cluster_id,
        node_id = broker.node_id(),
        listener = %local_addr,
        log_dir = %log_dir.display(),
        clean_shutdown,
        new_log_dir = clean_shutdown.is_none().then_some(true),
        partitions = broker.partition_count(),
        groups,
        recovery_ms = started.elapsed().as_millis() as u64,
        "kaskade broker started"
    );
    let cleaner = if broker.config().cleaner.enable {
        let c = LogCleaner::start(Arc::clone(broker.log_manager()), broker.config().cleaner.clone(), util::now_ms)
            .map_err(|e| StartError::Storage(format!("cannot start the log cleaner: {e}")))?;
        Some(c)
    } else {
        None
    };
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    tokio::spawn(Arc::clone(broker.replicas()).follow_image(broker.metadata().changes(), shutdown_rx.clone()));
    tokio::spawn(Arc::clone(broker.replicas()).shrink_isrs(shutdown_rx.clone()));
    let task = tokio::spawn(run(Arc::clone(&broker), listener, shutdown_rx));
    Ok(RunningBroker {
        local_addr,
        cluster_id: meta.cluster_id,
        clean_shutdown,
        broker,
        shutdown_tx,
        task,
        flusher_thread: Some(flusher_thread),
        cleaner,
    })
}

/// How the last run on the log directory stopped: `None` when this start formatted it and it
/// holds no partition (there was no last run), else whether the clean-shutdown marker was there.
fn last_stop(formatted: bool, partitions: usize, clean_marker: bool) -> Option<bool> {
    (!formatted || partitions > 0 || clean_marker).then_some(clean_marker)
}

/// Binds the client listener with SO_REUSEADDR, so a broker restarted right after a crash can
/// listen again while the old connections linger in TIME_WAIT.
async fn listen(addr: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|_| socket.listen(1024)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "the address resolves to nothing")))
}

/// How long a stopping broker waits for the partitions it leads to get other leaders.
const CONTROLLED_SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

impl RunningBroker {
    /// Controlled shutdown, while still serving: the broker fences its own run (leadership of
    /// the partitions it shares moves to other in-sync replicas, it leaves their ISRs) and waits
    /// until it leads none of them, so clients see only retriable errors. A broker alone, or a
    /// quorum without a majority, stops anyway.
    async fn move_leadership_off(&self) {
        let replicas = self.broker.replicas();
        if replicas.shared_leaderships() == 0 {
            return;
        }
        if let Err(e) = self.broker.metadata().controlled_shutdown().await {
            tracing::warn!(error = %e, "controlled shutdown: could not hand leadership over");
            return;
        }
        let started = tokio::time::Instant::now();
        while replicas.shared_leaderships() > 0 && started.elapsed() < CONTROLLED_SHUTDOWN_WAIT {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tracing::info!(
            still_leading = replicas.shared_leaderships(),
            waited_ms = started.elapsed().as_millis() as u64,
            "controlled shutdown: leadership moved off this broker"
        );
    }

    /// Graceful stop: no new connections or requests, in-flight requests answered, every log
    /// flushed, clean-shutdown marker written.
    pub async fn shutdown(mut self) -> Result<(), String> {
        self.move_leadership_off().await;
        let _ = self.shutdown_tx.send(true);
        let _ = self.task.await;
        if let Some(c) = self.cleaner.take() {
            let _ = tokio::task::spawn_blocking(move || c.stop()).await;
        }
        self.broker.replicas().stop_fetchers();
        let logs = Arc::clone(self.broker.log_manager());
        let result = tokio::task::spawn_blocking(move || logs.shutdown(util::now_ms())).await;
        self.broker.metadata().shutdown().await;
        let broker = self.broker;
        // The flusher thread ends once the last handle (held by the broker state) is gone.
        drop(broker);
        if let Some(t) = self.flusher_thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("flushing logs at shutdown failed: {e}")),
            Err(e) => Err(format!("shutdown task failed: {e}")),
        }
    }
}

async fn run(broker: Arc<Broker>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let maintenance = tokio::spawn(maintenance(Arc::clone(&broker), shutdown.clone()));
    let group_timers = tokio::spawn(Arc::clone(broker.groups()).run_timers(shutdown.clone()));
    loop {
        // `max.connections`: wait for a slot before accepting; clients wait in the backlog.
        let slot = tokio::select! {
            slot = broker.quotas().slot() => slot,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            _ = shutdown.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => match broker.quotas().admit(addr.ip(), slot) {
                    Ok(admitted) => {
                        connections.spawn(crate::connection::serve(stream, Arc::clone(&broker), shutdown.clone(), admitted));
                    }
                    Err(limit) => {
                        tracing::info!(
                            peer = %addr,
                            "Rejected connection from /{}, address already has the configured maximum of {limit} connections.",
                            addr.ip()
                        );
                        drop(stream);
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    // In-flight requests finish (a parked fetch answers at its max wait at the latest).
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(30), drain).await.is_err() {
        tracing::warn!("connections still open after 30 s; closing them");
        connections.abort_all();
    }
    maintenance.abort();
    group_timers.abort();
}

/// Retention, time-based rolls and `flush.ms`, off the request path.
async fn maintenance(broker: Arc<Broker>, mut shutdown: watch::Receiver<bool>) {
    let retention_every = Duration::from_millis(broker.config().log_retention_check_interval_ms);
    let mut next_retention = tokio::time::Instant::now() + retention_every;
    let mut tick = tokio::time::interval(Duration::from_millis(1000.min(broker.config().log_retention_check_interval_ms)));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let retention = tokio::time::Instant::now() >= next_retention;
        if retention {
            next_retention += retention_every;
        }
        let deleted = broker.maintain_logs(util::now_ms(), retention).await;
        if deleted > 0 {
            tracing::info!(segments = deleted, "retention deleted segments");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &std::path::Path) -> BrokerConfig {
        let overrides = [
            "listeners=PLAINTEXT://127.0.0.1:0".to_string(),
            format!("log.dirs={}", dir.display()),
        ];
        BrokerConfig::load(None, &overrides).unwrap()
    }

    #[tokio::test]
    async fn a_new_log_directory_claims_no_unclean_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = start(config(&data)).await.unwrap();
        assert_eq!(first.clean_shutdown, None, "a new directory had no last stop");
        first.shutdown().await.unwrap();
        let second = start(config(&data)).await.unwrap();
        assert_eq!(second.clean_shutdown, Some(true));
        second.shutdown().await.unwrap();
        // A crash leaves no marker.
        std::fs::remove_file(data.join(".kaskade_cleanshutdown")).unwrap();
        let third = start(config(&data)).await.unwrap();
        assert_eq!(third.clean_shutdown, Some(false));
        third.shutdown().await.unwrap();
    }

    #[test]
    fn only_a_directory_formatted_now_and_holding_nothing_had_no_last_stop() {
        assert_eq!(last_stop(true, 0, false), None);
        assert_eq!(last_stop(false, 0, false), Some(false));
        assert_eq!(last_stop(false, 3, true), Some(true));
        // meta.properties lost but logs left: their last stop was not clean.
        assert_eq!(last_stop(true, 2, false), Some(false));
    }
}
