//! Writes a follower cannot make: Kafka Connect serves connector creation, config changes,
//! deletion, restarts and offset changes on the group's leader (restarts on the worker that
//! runs the connector or task), and a worker that is not it forwards the request there and
//! relays the answer. While no leader is known (a rebalance), such a write answers 409 as Kafka
//! does. Forwarded requests carry `forward=false` so they are never forwarded twice.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// Sends the request to `base` (`http://host:port`) and returns its answer.
async fn relay(base: &str, req: Request) -> std::io::Result<Response> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req
        .uri()
        .query()
        .map(|q| format!("{q}&forward=false"))
        .unwrap_or_else(|| "forward=false".into());
    // Read as much as the leader would, so it answers an oversized body with its own 413.
    let body = to_bytes(req.into_body(), super::MAX_DRAINED)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(10), tokio::net::TcpStream::connect(host))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
    let head = format!(
        "{method} {path}?{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(90), stream.read_to_end(&mut raw))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))??;
    parse_response(&raw)
}

/// An HTTP/1.1 answer (Content-Length or chunked, as axum writes them) as an axum response.
fn parse_response(raw: &[u8]) -> std::io::Result<Response> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed HTTP answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(bad)?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| bad())?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let mut chunked = false;
    let mut location = None;
    for l in lines {
        let (k, v) = l.split_once(':').unwrap_or((l, ""));
        if k.eq_ignore_ascii_case("transfer-encoding") && v.trim().eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
        if k.eq_ignore_ascii_case("location") {
            location = Some(v.trim().to_string());
        }
    }
    let mut body = raw[split + 4..].to_vec();
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).map_err(|_| bad())?.trim(), 16).map_err(|_| bad())?;
            rest = &rest[end + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(..size).ok_or_else(bad)?);
            rest = rest.get(size + 2..).unwrap_or(&[]);
        }
        body = out;
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).map_err(|_| bad())?;
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(axum::http::header::LOCATION, l);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chunked_and_sized_answers() {
        let sized = b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\nlocation: /connectors/a\r\n\r\n{}";
        let r = parse_response(sized).unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["location"], "/connectors/a");
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).unwrap().status(), StatusCode::OK);
    }
}
