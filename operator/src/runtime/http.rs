//! `/metrics`, `/healthz` and `/readyz` on one small HTTP server. `/healthz` answers while the
//! process runs; `/readyz` once every controller's watch has listed its resources (or, on a
//! standby replica, once it is waiting for the lease), see [`Startup`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::metrics::Metrics;
use super::startup::Startup;

/// What the endpoints report.
pub struct Health {
    pub metrics: Arc<Metrics>,
    pub startup: Arc<Startup>,
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    addr: SocketAddr,
    health: Arc<Health>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(health);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /metrics, /healthz and /readyz");
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

async fn metrics(State(h): State<Arc<Health>>) -> ([(&'static str, &'static str); 1], String) {
    (
        [("content-type", "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        h.metrics.render(),
    )
}

async fn ready(State(h): State<Arc<Health>>) -> (StatusCode, &'static str) {
    if h.startup.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting")
    }
}
