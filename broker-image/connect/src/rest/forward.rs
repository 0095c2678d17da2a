//! Writes a follower cannot make: Kafka Connect serves connector creation, config changes,
//! deletion, restarts and offset changes on the group's leader (restarts on the worker that
//! runs the connector or task), and a worker that is not it forwards the request there and
//! relays the answer. While no leader is known (a rebalance), such a write answers 409 as Kafka
//! does. Forwarded requests carry `forward=false` so they are never forwarded twice.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;

use super::error;
use crate::herder::{Herder, Route};

/// How long a write waits for a rebalance to end before it answers 409.
const LEADER_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Which worker must serve `method path?query`, if not any.
fn route_of(h: &Herder, method: &Method, path: &str, query: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let plain_restart = !query.contains("includeTasks=true") && !query.contains("onlyFailed=true");
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["connectors"]) => Some(h.leader_route()),
        ("PUT" | "PATCH", ["connectors", _, "config"]) => Some(h.leader_route()),
        ("DELETE", ["connectors", _]) => Some(h.leader_route()),
        ("PUT", ["connectors", _, "stop"]) => Some(h.leader_route()),
        ("PATCH" | "DELETE", ["connectors", _, "offsets"]) => Some(h.leader_route()),
        ("POST", ["connectors", c, "restart"]) if plain_restart => Some(h.owner_route(c, None)),
        ("POST", ["connectors", _, "restart"]) => Some(h.leader_route()),
        ("POST", ["connectors", c, "tasks", t, "restart"]) => Some(h.owner_route(c, t.parse().ok())),
        _ => None,
    }
}

/// The middleware: serve here, forward, or 409.
pub async fn forward(State(h): State<Herder>, req: Request, next: Next) -> Response {
    let query = req.uri().query().unwrap_or("").to_string();
    if query.split('&').any(|kv| kv == "forward=false") {
        return next.run(req).await;
    }
    let mut route = route_of(&h, req.method(), req.uri().path(), &query);
    // As Kafka's herder queues requests during a rebalance, wait a while for a leader.
    let deadline = tokio::time::Instant::now() + LEADER_WAIT;
    while route == Some(Route::Unknown) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        route = route_of(&h, req.method(), req.uri().path(), &query);
    }
    match route {
        None | Some(Route::Here) => next.run(req).await,
        Some(Route::Unknown) => error(
            409,
            "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.",
        )
        .into_response(),
        Some(Route::Forward(url)) => match relay(&url, req).await {
            Ok(r) => r,
            Err(e) => error(500, format!("Failed to forward the request to {url}: {e}")).into_response(),
        },
    }
}

/// Sends the request to `base` (`http://host:port`) over one HTTP/1.1 connection (hyper's
/// client) and streams its answer back.
async fn relay(base: &str, req: Request) -> std::io::Result<Response> {
    let host = base.trim_start_matches("http://").trim_end_matches('/').to_string();
    let query = req
        .uri()
        .query()
        .map(|q| format!("{q}&forward=false"))
        .unwrap_or_else(|| "forward=false".into());
    let target = format!("{}?{query}", req.uri().path());
    let (mut parts, body) = req.into_parts();
    parts.uri = target.parse().map_err(std::io::Error::other)?;
    parts
        .headers
        .insert(header::HOST, HeaderValue::from_str(&host).map_err(std::io::Error::other)?);
    let stream = tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(&host))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(connection);
    let answer = tokio::time::timeout(Duration::from_secs(90), sender.send_request(Request::from_parts(parts, body)))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))?
        .map_err(std::io::Error::other)?;
    Ok(answer.map(Body::new))
}
