//! Kaskade's Kafka Connect worker: Connect's REST API and distributed mode on Kafka Connect's
//! own internal topics, with its converters, transforms and built-in connectors, so existing
//! connector configs and tools work unchanged. The `kaskade connect` subcommand is a thin
//! launcher around [`run`]; this crate never compiles the broker.
//!
//! Modules, outside in: `rest` (the API), `herder` (state and reconciliation), `worker` (tasks
//! running), `storage` (the internal topics), `connectors`, `converters`, `transforms`, `data`
//! (Connect's schemas and values), `record`, `config` (the worker's keys and config providers),
//! `config_def` (Kafka's ConfigDef), `logging` (`/admin/loggers`).

pub mod clock;
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

/// Binds the REST listener and answers `GET /` at once; every other request waits (as Kafka's
/// herder queues them) until the internal topics are read and the herder runs.
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
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    // The cluster id first (one Metadata request): `GET /` reports it from the start.
    let admin = kaskade_client::KafkaAdmin::new(&config.bootstrap_servers, Duration::from_secs(30));
    let id = admin.cluster_id().await.ok().flatten().unwrap_or_default();
    let (ready_tx, ready_rx) = tokio::sync::watch::channel::<Option<axum::Router>>(None);
    let front = early::router(ready_rx, id.clone());
    let mut stop_rest = rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, front)
            .with_graceful_shutdown(async move {
                let _ = stop_rest.wait_for(|s| *s).await;
            })
            .await
            .map_err(RunError::Serve)
    });
    let stores = match storage::Stores::start(&config).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            let _ = shutdown.send(true);
            let _ = server.await;
            return Err(e.into());
        }
    };
    let herder = herder::Herder::new(config.clone(), stores, id);
    let _ = ready_tx.send(Some(rest::router(herder.clone())));
    let done = tokio::spawn(async move {
        herder.run(rx).await;
        drop(ready_tx);
        server.await.unwrap_or(Ok(()))
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

mod early {
    //! The REST front while the worker starts: `GET /` answers at once, `GET /health` says the
    //! worker is starting, everything else waits for the full API.

    use axum::extract::{Request, State};
    use axum::http::{Method, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::{Json, Router};
    use tokio::sync::watch;
    use tower::ServiceExt;

    #[derive(Clone)]
    struct Front {
        ready: watch::Receiver<Option<Router>>,
        cluster_id: String,
    }

    pub fn router(ready: watch::Receiver<Option<Router>>, cluster_id: String) -> Router {
        Router::new().fallback(serve).with_state(Front { ready, cluster_id })
    }

    async fn serve(State(mut front): State<Front>, req: Request) -> Response {
        let full = front.ready.borrow().clone();
        let full = match full {
            Some(r) => r,
            None => {
                match (req.method(), req.uri().path()) {
                    (&Method::GET, "/") => {
                        return Json(crate::rest::entities::ServerInfo {
                            version: crate::connectors::APACHE_VERSION.to_string(),
                            commit: crate::COMMIT.to_string(),
                            kafka_cluster_id: front.cluster_id.clone(),
                        })
                        .into_response()
                    }
                    (&Method::GET, "/health") => {
                        return (
                            StatusCode::SERVICE_UNAVAILABLE,
                            Json(serde_json::json!({"status": "starting", "message": "Worker is still starting up."})),
                        )
                            .into_response()
                    }
                    _ => {}
                }
                match tokio::time::timeout(std::time::Duration::from_secs(90), front.ready.wait_for(Option::is_some)).await {
                    Ok(Ok(r)) => r.clone().unwrap_or_default(),
                    _ => return crate::rest::error(503, "The worker is still starting up").into_response(),
                }
            }
        };
        match full.oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}
