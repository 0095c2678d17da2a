//! The routes, one function each, in the order of Kafka Connect's resources: root and health,
//! connectors, tasks, offsets and topics, plugins, loggers, metrics.

use std::collections::BTreeMap;

use axum::body::{Bytes, HttpBody};
use axum::extract::{FromRequest, Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::entities::{ConnectorOffsets, CreateConnectorRequest, Message, OrderedMap, PatchMap, PluginInfo, ServerInfo};
use super::{error, RestError};
use crate::herder::{validate, Herder};
use crate::storage::config_topic::{RestartRequest, TargetState};

type Result<T> = std::result::Result<T, RestError>;

pub fn router(herder: Herder) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/connectors", get(list_connectors).post(create_connector))
        .route("/connectors/{c}", get(get_connector).delete(delete_connector))
        .route("/connectors/{c}/config", get(get_config).put(put_config).patch(patch_config))
        .route("/connectors/{c}/status", get(status))
        .route("/connectors/{c}/restart", post(restart))
        .route("/connectors/{c}/pause", put(pause))
        .route("/connectors/{c}/resume", put(resume))
        .route("/connectors/{c}/stop", put(stop))
        .route("/connectors/{c}/tasks", get(tasks))
        .route("/connectors/{c}/tasks/{t}/status", get(task_status))
        .route("/connectors/{c}/tasks/{t}/restart", post(restart_task))
        .route("/connectors/{c}/topics", get(topics))
        .route("/connectors/{c}/topics/reset", put(reset_topics))
        .route(
            "/connectors/{c}/offsets",
            get(get_offsets).patch(alter_offsets).delete(reset_offsets),
        )
        .route("/connector-plugins", get(plugins))
        .route("/connector-plugins/{p}/config", get(plugin_config))
        .route("/connector-plugins/{p}/config/validate", put(validate_config))
        .route("/admin/loggers", get(loggers))
        .route("/admin/loggers/{l}", get(logger).put(set_logger))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(super::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(herder.clone(), super::forward::forward))
        .with_state(herder)
}

/// A request body, read whole. One over [`super::MAX_BODY`] is a 413 in Kafka Connect's error
/// body; it is still read to its end (up to [`super::MAX_DRAINED`]) so that the client, which
/// may still be sending, gets the answer rather than a reset connection.
pub struct Body(Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = RestError;

    async fn from_request(req: Request, _state: &S) -> Result<Self> {
        let too_large = || error(413, format!("Request body is larger than {} bytes", super::MAX_BODY));
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > super::MAX_DRAINED as u64) {
            return Err(too_large());
        }
        let mut body = req.into_body();
        let mut kept = Vec::new();
        let mut seen = 0usize;
        while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            let frame = frame.map_err(|e| error(400, format!("Failed to read the request body: {e}")))?;
            let Ok(data) = frame.into_data() else { continue };
            seen += data.len();
            if seen > super::MAX_DRAINED {
                return Err(too_large());
            }
            if seen <= super::MAX_BODY {
                kept.extend_from_slice(&data);
            }
        }
        if seen > super::MAX_BODY {
            return Err(too_large());
        }
        Ok(Body(kept.into()))
    }
}

/// Parses a JSON object body; a malformed one, or one that is not an object, is a 400 naming
/// the problem.
fn body<T: DeserializeOwned>(bytes: &Body) -> Result<T> {
    let invalid = |e: serde_json::Error| error(400, format!("Invalid JSON body: {e}"));
    let first = bytes.0.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        // Not an object (or not JSON): say which, rather than what serde expected of a field.
        let value: serde_json::Value = serde_json::from_slice(&bytes.0).map_err(invalid)?;
        let kind = match value {
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "a boolean",
            serde_json::Value::Null => "null",
            serde_json::Value::Object(_) => "an object",
        };
        return Err(error(400, format!("Invalid JSON body: expected a JSON object, found {kind}")));
    }
    serde_json::from_slice(&bytes.0).map_err(invalid)
}

async fn not_found() -> RestError {
    error(404, "HTTP 404 Not Found")
}

async fn root(State(h): State<Herder>) -> Json<ServerInfo> {
    Json(ServerInfo {
        version: crate::connectors::APACHE_VERSION.to_string(),
        commit: crate::COMMIT.to_string(),
        kafka_cluster_id: h.kafka_cluster_id.clone(),
    })
}

/// `WorkerStatus` (its fields in Kafka's order).
#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    message: &'static str,
}

/// Healthy once the worker has joined its group and received its first assignment (Kafka's
/// `DistributedHerder` is ready after its first rebalance); 503 "starting" before, so a readiness
/// probe keeps a worker out of its Service until it can serve every request.
async fn health(State(h): State<Herder>) -> Response {
    if !h.joined() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "starting",
                message: "Worker is still starting up.",
            }),
        )
            .into_response();
    }
    Json(Health {
        status: "healthy",
        message: "Worker has completed startup and is ready to handle requests.",
    })
    .into_response()
}

/// `?expand=status&expand=info` (repeated keys, so the raw query is read).
async fn list_connectors(State(h): State<Herder>, RawQuery(query): RawQuery) -> Response {
    let expand: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("expand="))
        .map(str::to_string)
        .collect();
    let names = h.connectors();
    if expand.is_empty() {
        return Json(names).into_response();
    }
    // Kafka builds `{name: {expansion: entity}}` from HashMaps, and leaves out a connector whose
    // status or info is not there (yet).
    let mut expansions: Vec<&str> = expand.iter().map(String::as_str).collect();
    expansions.dedup();
    let expansions = kaskade_common::java::hash_map_order(expansions, None);
    let mut body = String::from("{");
    'connectors: for name in names {
        let mut parts = Vec::new();
        for e in &expansions {
            let entity = match *e {
                "status" => h.connector_status(&name).map(|s| serde_json::to_string(&s)),
                "info" => h.connector_info(&name).map(|s| serde_json::to_string(&s)),
                _ => continue,
            };
            match entity {
                Ok(Ok(json)) => parts.push(format!("\"{e}\":{json}")),
                _ => continue 'connectors,
            }
        }
        if body.len() > 1 {
            body.push(',');
        }
        body.push_str(&format!("{}:{{{}}}", serde_json::Value::String(name), parts.join(",")));
    }
    body.push('}');
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn initial_state(s: Option<&str>) -> Result<Option<TargetState>> {
    match s.map(str::to_ascii_uppercase).as_deref() {
        None => Ok(None),
        Some("RUNNING") => Ok(Some(TargetState::Started)),
        Some("PAUSED") => Ok(Some(TargetState::Paused)),
        Some("STOPPED") => Ok(Some(TargetState::Stopped)),
        Some(other) => Err(error(
            400,
            format!("Invalid initial state {other}: must be one of RUNNING, PAUSED, STOPPED"),
        )),
    }
}

/// Puts the URL's name into the config, or refuses a different one.
fn with_name(name: &str, mut config: OrderedMap) -> Result<OrderedMap> {
    match config.get("name") {
        Some(n) if n != name => Err(error(
            400,
            format!("Connector name configuration ({n}) doesn't match connector name in the URL ({name})"),
        )),
        Some(_) => Ok(config),
        None => {
            config.insert("name", name.to_string());
            Ok(config)
        }
    }
}

/// 201 with the new connector's absolute URL in `Location`, as Jersey resolves Kafka's
/// `/connectors/NAME` against the request's base URI (its `Host`).
/// Kafka's first check of a config (`AbstractHerder.validateConnectorConfig`): it names a
/// connector class; the message prints the config as Java's `Map.toString` does.
fn require_connector_class(config: &OrderedMap) -> Result<()> {
    if config.get("connector.class").is_some() {
        return Ok(());
    }
    let entries: Vec<String> = config.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Err(error(
        400,
        format!("Connector config {{{}}} contains no connector type", entries.join(", ")),
    ))
}

fn created(headers: &HeaderMap, name: &str, info: impl serde::Serialize) -> Response {
    let path = format!("/connectors/{}", encode_path(name));
    let location = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}{path}"),
        None => path,
    };
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(info)).into_response()
}

/// Percent-encodes what may not stand in a URI path (as `UriBuilder.path` does).
fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn create_connector(State(h): State<Herder>, headers: HeaderMap, bytes: Body) -> Result<Response> {
    let req: CreateConnectorRequest = body(&bytes)?;
    let name = req.name.as_deref().unwrap_or("").trim().to_string();
    let config = req
        .config
        .ok_or_else(|| error(400, "Connector config is required: the request has no \"config\" object"))?;
    let config = with_name(&name, config)?;
    require_connector_class(&config)?;
    let state = initial_state(req.initial_state.as_deref())?;
    let (_, info) = h.put_connector_config(&name, config, state, false).await?;
    Ok(created(&headers, &name, info))
}

async fn get_connector(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    Ok(Json(h.connector_info(&c)?).into_response())
}

async fn get_config(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    Ok(Json(h.connector_config(&c)?).into_response())
}

async fn put_config(State(h): State<Herder>, Path(c): Path<String>, headers: HeaderMap, bytes: Body) -> Result<Response> {
    let config = with_name(&c, body::<OrderedMap>(&bytes)?)?;
    require_connector_class(&config)?;
    let (was_created, info) = h.put_connector_config(&c, config, None, true).await?;
    Ok(if was_created {
        created(&headers, &c, info)
    } else {
        Json(info).into_response()
    })
}

async fn patch_config(State(h): State<Herder>, Path(c): Path<String>, bytes: Body) -> Result<Response> {
    let patch: PatchMap = body(&bytes)?;
    let old = h.connector_config(&c).ok();
    let mut info = h.patch_connector_config(&c, patch.clone()).await?;
    if let Some(old) = old {
        info.config = patched_order(&old, &patch, info.config);
    }
    Ok(Json(info).into_response())
}

/// The order Kafka answers a patched config in: `ConnectUtils.patchConfig` copies the old config
/// (in its iteration order) into `new HashMap<>(old)`, sized for the old config, then puts and
/// removes the patch's keys. (Java 17's sizing, the peer's: `tableSizeFor((int) (n / 0.75f +
/// 1))`; Java 19 and later size some maps one step smaller.)
fn patched_order(old: &OrderedMap, patch: &PatchMap, patched: OrderedMap) -> OrderedMap {
    let mut keys: Vec<&str> = old.0.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(patch.0.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k.as_str()));
    let capacity = (!old.0.is_empty()).then(|| (old.0.len() as f32 / 0.75 + 1.0) as usize);
    let order = kaskade_common::java::hash_map_order(keys, capacity);
    let mut out = Vec::with_capacity(patched.0.len());
    for key in order {
        if let Some(entry) = patched.0.iter().find(|(k, _)| k == key) {
            out.push(entry.clone());
        }
    }
    // Anything the herder added that the patch did not name keeps its place at the end.
    for entry in &patched.0 {
        if !out.iter().any(|(k, _)| *k == entry.0) {
            out.push(entry.clone());
        }
    }
    OrderedMap(out)
}

async fn delete_connector(State(h): State<Herder>, Path(c): Path<String>) -> Result<StatusCode> {
    h.delete_connector(&c).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn status(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    Ok(Json(h.connector_status(&c)?).into_response())
}

async fn restart(State(h): State<Herder>, Path(c): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Result<Response> {
    let flag = |k: &str| q.get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let request = RestartRequest {
        include_tasks: flag("includeTasks"),
        only_failed: flag("onlyFailed"),
    };
    if !request.include_tasks && !request.only_failed {
        h.restart_connector(&c).await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let info = h.restart_connector_and_tasks(&c, request).await?;
    Ok((StatusCode::ACCEPTED, Json(info)).into_response())
}

async fn pause(State(h): State<Herder>, Path(c): Path<String>) -> Result<StatusCode> {
    h.set_target(&c, TargetState::Paused).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn resume(State(h): State<Herder>, Path(c): Path<String>) -> Result<StatusCode> {
    h.set_target(&c, TargetState::Started).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn stop(State(h): State<Herder>, Path(c): Path<String>) -> Result<StatusCode> {
    h.set_target(&c, TargetState::Stopped).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn tasks(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    Ok(Json(h.tasks(&c)?).into_response())
}

fn task_id(t: &str) -> Result<u32> {
    t.parse().map_err(|_| error(404, "HTTP 404 Not Found"))
}

async fn task_status(State(h): State<Herder>, Path((c, t)): Path<(String, String)>) -> Result<Response> {
    Ok(Json(h.task_status(&c, task_id(&t)?)?).into_response())
}

async fn restart_task(State(h): State<Herder>, Path((c, t)): Path<(String, String)>) -> Result<StatusCode> {
    if h.connector_config(&c).is_err() {
        return Err(error(404, format!("Unknown connector: {c}")));
    }
    h.restart_task(&c, task_id(&t)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn topics(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    if !h.config.topic_tracking_enable {
        return Err(error(403, "Topic tracking is disabled."));
    }
    Ok(Json(json!({ c.clone(): { "topics": h.active_topics(&c) } })).into_response())
}

async fn reset_topics(State(h): State<Herder>, Path(c): Path<String>) -> Result<StatusCode> {
    if !h.config.topic_tracking_enable {
        return Err(error(403, "Topic tracking is disabled."));
    }
    if !h.config.topic_tracking_allow_reset {
        return Err(error(403, "Topic tracking reset is disabled."));
    }
    h.reset_active_topics(&c).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn get_offsets(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    Ok(Json(ConnectorOffsets {
        offsets: Some(h.connector_offsets(&c).await?),
    })
    .into_response())
}

async fn alter_offsets(State(h): State<Herder>, Path(c): Path<String>, bytes: Body) -> Result<Response> {
    let offsets: ConnectorOffsets = body(&bytes)?;
    let offsets = offsets
        .offsets
        .filter(|o| !o.is_empty())
        .ok_or_else(|| error(400, "Partitions / offsets need to be provided for an alter offsets request"))?;
    let message = h.alter_offsets(&c, offsets).await?;
    Ok(Json(Message { message }).into_response())
}

async fn reset_offsets(State(h): State<Herder>, Path(c): Path<String>) -> Result<Response> {
    let message = h.reset_offsets(&c).await?;
    Ok(Json(Message { message }).into_response())
}

async fn plugins(Query(q): Query<BTreeMap<String, String>>) -> Json<Vec<PluginInfo>> {
    let connectors_only = q.get("connectorsOnly").is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let mut out: Vec<PluginInfo> = crate::connectors::plugins()
        .iter()
        .map(|p| PluginInfo {
            class: p.class.to_string(),
            kind: p.kind().name().to_string(),
            version: p.version.to_string(),
        })
        .collect();
    if !connectors_only {
        let add = |out: &mut Vec<PluginInfo>, classes: &[&str], kind: &'static str| {
            out.extend(classes.iter().map(|c| PluginInfo {
                class: c.to_string(),
                kind: kind.to_string(),
                version: crate::connectors::APACHE_VERSION.to_string(),
            }))
        };
        add(&mut out, crate::transforms::TRANSFORM_CLASSES, "transformation");
        add(&mut out, crate::transforms::PREDICATE_CLASSES, "predicate");
        add(&mut out, crate::converters::CLASSES, "converter");
        add(&mut out, crate::converters::HEADER_CLASSES, "header_converter");
    }
    Json(out)
}

/// A connector's keys with its type's runtime keys; a transformation's, predicate's or
/// converter's own `config()` keys (by class name or alias).
async fn plugin_config(Path(p): Path<String>) -> Result<Response> {
    if let Some(plugin) = crate::connectors::find(&p) {
        return Ok(Json(validate::plugin_keys(plugin)).into_response());
    }
    let def = crate::transforms::config_def(&p)
        .or_else(|| crate::converters::config_def(&p))
        .ok_or_else(|| error(404, format!("Unknown plugin {p}.")))?;
    let keys: Vec<validate::KeyInfo> = def.keys.iter().map(validate::key_info).collect();
    Ok(Json(keys).into_response())
}

async fn validate_config(State(h): State<Herder>, Path(p): Path<String>, bytes: Body) -> Result<Response> {
    let config: OrderedMap = body(&bytes)?;
    let props = config.to_btree();
    if let Some(class) = props.get("connector.class") {
        let (a, b) = (crate::connectors::find(class), crate::connectors::find(&p));
        if let (Some(a), Some(b)) = (a, b) {
            if a.class != b.class {
                return Err(error(
                    400,
                    format!("Included connector type {class} does not match request type {p}"),
                ));
            }
        }
    }
    // As Kafka, the body must name the class too (Kafka answers 500 with the exception's class).
    require_connector_class(&config)?;
    let plugin = validate::plugin_of(&props).map_err(|m| error(400, m))?;
    Ok(Json(validate::validate(plugin, &props, &h.config)).into_response())
}

/// `{"level":…,"last_modified":…}` in Kafka's order.
#[derive(serde::Serialize)]
struct LoggerLevel {
    level: serde_json::Value,
    last_modified: serde_json::Value,
}

impl LoggerLevel {
    fn of(v: &serde_json::Value) -> LoggerLevel {
        LoggerLevel {
            level: v["level"].clone(),
            last_modified: v["last_modified"].clone(),
        }
    }
}

async fn loggers() -> Json<BTreeMap<String, LoggerLevel>> {
    let all = crate::logging::all();
    let levels = all.as_object().into_iter().flatten();
    Json(levels.map(|(k, v)| (k.clone(), LoggerLevel::of(v))).collect())
}

async fn logger(Path(l): Path<String>) -> Json<LoggerLevel> {
    Json(LoggerLevel::of(&crate::logging::level_of(&l)))
}

async fn set_logger(Path(l): Path<String>, bytes: Body) -> Result<Response> {
    let req: serde_json::Value = body(&bytes)?;
    let level = req
        .get("level")
        .and_then(|v| v.as_str())
        .ok_or_else(|| error(400, "The 'level' field is required"))?;
    let changed = crate::logging::set_level(&l, level).map_err(|m| error(400, m))?;
    Ok(Json(changed).into_response())
}

async fn metrics() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], crate::metrics::render()).into_response()
}
