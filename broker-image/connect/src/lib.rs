//! Kaskade's Kafka Connect worker: Connect's REST API and distributed mode on Kafka Connect's
//! own internal topics, with its converters, transforms and built-in connectors, so existing
//! connector configs and tools work unchanged. The `kaskade connect` subcommand is a thin
//! launcher around [`run`]; this crate never compiles the broker.
//!
//! Modules, outside in: `rest` (the API), `herder` (state and reconciliation), `worker` (tasks
//! running), `storage` (the internal topics), `connectors`, `converters`, `transforms`, `data`
//! (Connect's schemas and values), `record`, `config` (the worker's keys and config providers),
//! `config_def` (Kafka's ConfigDef), `logging` (`/admin/loggers`).

pub mod config;
pub mod config_def;
pub mod connectors;
pub mod converters;
pub mod data;
pub mod group;
pub mod herder;
pub mod logging;
pub mod metrics;
pub mod record;
pub mod rest;
pub mod storage;
pub mod transforms;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use config::WorkerConfig;

/// What `GET /` reports as the commit (Kaskade's build, not Kafka's).
pub const COMMIT: &str = env!("CARGO_PKG_VERSION");

/// The worker could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error("the internal topics: {0}")]
    Store(#[from] storage::StoreError),
    #[error("the REST server: {0}")]
    Serve(std::io::Error),
}

/// A started worker: its REST address, and the handle that stops it.
pub struct Running {
    pub local_addr: std::net::SocketAddr,
    shutdown: tokio::sync::watch::Sender<bool>,
    done: tokio::task::JoinHandle<Result<(), RunError>>,
}

impl Running {
    /// Stops the worker gracefully: tasks stopped and their offsets committed, REST closed.
    pub async fn stop(self) -> Result<(), RunError> {
        let _ = self.shutdown.send(true);
        self.done.await.unwrap_or(Ok(()))
    }

    /// Waits until the worker stops on its own (an error) or is stopped.
    pub async fn wait(&mut self) -> Result<(), RunError> {
        (&mut self.done).await.unwrap_or(Ok(()))
    }
}

/// Binds the REST listener first (so `GET /` answers at once), then reads the internal topics
/// and starts the herder.
pub async fn start(config: WorkerConfig) -> Result<Running, RunError> {
    let addr = format!(
        "{}:{}",
        if config.listener.host.is_empty() {
            "0.0.0.0"
        } else {
            &config.listener.host
        },
        config.listener.port
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|source| RunError::Listen {
        addr: addr.clone(),
        source,
    })?;
    let local_addr = listener.local_addr().map_err(|source| RunError::Listen { addr, source })?;
    let config = Arc::new(config);
    let stores = Arc::new(storage::Stores::start(&config).await?);
    let admin = kaskade_client::KafkaAdmin::new(&config.bootstrap_servers, Duration::from_secs(30));
    let cluster_id = admin.cluster_id().await.ok().flatten().unwrap_or_default();
    let herder = herder::Herder::new(config.clone(), stores, cluster_id);
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    let done = tokio::spawn({
        let herder = herder.clone();
        async move {
            let mut stop_rest = rx.clone();
            let herder_task = tokio::spawn({
                let herder = herder.clone();
                async move { herder.run(rx).await }
            });
            let app = rest::router(herder);
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rest.wait_for(|s| *s).await;
                })
                .await;
            let _ = herder_task.await;
            served.map_err(RunError::Serve)
        }
    });
    tracing::info!(
        url = config.advertised_url,
        worker_id = config.worker_id,
        "Kafka Connect worker started"
    );
    Ok(Running {
        local_addr,
        shutdown,
        done,
    })
}
