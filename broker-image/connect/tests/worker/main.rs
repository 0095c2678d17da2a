//! Kaskade's Connect worker as users run it: `kaskade connect` (the binary `cargo build -p
//! kaskade` builds) against a `kaskade broker`, both child processes, driven over the REST API.
//!
//! - `pipeline`: FileStream source → topic → FileStream sink, exactly once across clean stops
//!   and restarts, at least once and in order across a SIGKILL;
//! - `lifecycle`: pause, resume, stop, restart and the offsets endpoints, states as Kafka reports
//!   them;
//! - `bad_input`: malformed and oversized requests are 4xx answers with a reason, and the worker
//!   keeps serving;
//! - `rest_diff`: the same requests to Apache Kafka Connect 4.3.1 and to ours, answers compared.
//!
//! Every wait polls with a deadline; failures print the worker's log.

mod bad_input;
mod lifecycle;
mod pipeline;
mod rest_diff;

use std::path::Path;
use std::time::Duration;

use kaskade_testkit::http::request;
use kaskade_testkit::kafka_peer::GROUP_DELAY_ZERO;
use kaskade_testkit::{wait_for, BrokerProc, ConnectProc};
use serde_json::{json, Value};

/// How long a state change may take (a task start, an offset flush, a rebalance).
pub const WAIT: Duration = Duration::from_secs(60);

/// A broker for one test (group joins without the initial delay).
pub fn broker() -> BrokerProc {
    BrokerProc::start(&[GROUP_DELAY_ZERO])
}

/// Our worker on `broker`, committing offsets every 200 ms.
pub fn worker(broker: &BrokerProc, group: &str, extra: &[&str]) -> ConnectProc {
    let mut overrides = vec!["offset.flush.interval.ms=200"];
    overrides.extend_from_slice(extra);
    ConnectProc::start(&broker.bootstrap(), group, &overrides)
}

/// Creates `topic` with one partition (so order holds end to end, and a sink subscribed to it
/// finds it at once).
pub fn create_topic(broker: &BrokerProc, topic: &str) {
    let out = kaskade_testkit::tools::run(
        kaskade_testkit::tools::kaskade_tool(&[
            "topics",
            "--bootstrap-server",
            &broker.bootstrap(),
            "--create",
            "--topic",
            topic,
            "--partitions",
            "1",
            "--replication-factor",
            "1",
        ]),
        b"",
        Duration::from_secs(60),
    );
    out.ok(&format!("creating topic {topic}"));
}

/// A REST answer: the status and the body parsed as JSON (`Value::Null` when empty,
/// `Value::String` when it is not JSON).
pub fn call(method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    let (status, text) = request(method, url, body);
    (status, parse(&text))
}

pub fn parse(text: &str) -> Value {
    if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
    }
}

/// Asserts the status of a call, printing the body and the worker's log otherwise.
#[track_caller]
pub fn expect(w: &ConnectProc, method: &str, path: &str, body: Option<&str>, status: u16) -> Value {
    let (got, answer) = call(method, &format!("{}{path}", w.url()), body);
    assert_eq!(
        got,
        status,
        "{method} {path} answered {got}: {answer}\n--- worker log\n{}",
        tail(&w.log())
    );
    answer
}

/// The last lines of a log, enough for a panic message.
pub fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}

/// Polls `f` until it gives `Some`, or panics naming `what` with the worker's log.
#[track_caller]
pub fn wait_until<T>(w: &ConnectProc, what: &str, f: impl FnMut() -> Option<T>) -> T {
    match wait_for(WAIT, f) {
        Some(v) => v,
        None => panic!("timed out waiting for {what}\n--- worker log\n{}", tail(&w.log())),
    }
}

/// The connector's state and its tasks' states, from `GET …/status`.
pub fn states(base: &str, name: &str) -> Option<(String, Vec<String>)> {
    let (status, body) = call("GET", &format!("{base}/connectors/{name}/status"), None);
    if status != 200 {
        return None;
    }
    let connector = body["connector"]["state"].as_str()?.to_string();
    let tasks = body["tasks"]
        .as_array()?
        .iter()
        .map(|t| t["state"].as_str().unwrap_or("?").to_string())
        .collect();
    Some((connector, tasks))
}

/// Waits until the connector is in `connector` and its tasks are exactly `tasks`.
#[track_caller]
pub fn wait_states(w: &ConnectProc, name: &str, connector: &str, tasks: &[&str]) {
    let url = w.url();
    let mut last = None;
    let found = wait_for(WAIT, || {
        let s = states(&url, name);
        let ok = s
            .as_ref()
            .is_some_and(|(c, t)| c == connector && t.iter().map(String::as_str).eq(tasks.iter().copied()));
        last = s;
        ok.then_some(())
    });
    if found.is_none() {
        panic!(
            "{name} did not reach {connector} with tasks {tasks:?}; last status {last:?}\n--- worker log\n{}",
            tail(&w.log())
        );
    }
}

/// The source offset `position` the worker reports for a FileStream source reading `file`.
pub fn file_position(base: &str, name: &str, file: &Path) -> Option<u64> {
    let (status, body) = call("GET", &format!("{base}/connectors/{name}/offsets"), None);
    if status != 200 {
        return None;
    }
    let offsets = body["offsets"].as_array()?;
    offsets
        .iter()
        .find(|o| o["partition"] == json!({"filename": file.to_str()}))
        .and_then(|o| o["offset"]["position"].as_u64())
}

/// The complete lines of a file (a last line without its newline is left out).
pub fn complete_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    lines.pop(); // after the last '\n': empty, or an unfinished line
    lines
}

/// `{prefix}{n}` for each `n`, one a line.
pub fn numbered(prefix: &str, range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|n| format!("{prefix}{n}\n")).collect()
}

/// A FileStream source connector's config.
pub fn source_config(file: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": file.to_str().expect("utf-8 path"),
        "topic": topic,
    })
}

/// A FileStream sink connector's config.
pub fn sink_config(file: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "tasks.max": "1",
        "file": file.to_str().expect("utf-8 path"),
        "topics": topic,
    })
}

/// `POST /connectors`, expecting 201.
#[track_caller]
pub fn create(w: &ConnectProc, name: &str, config: Value) -> Value {
    let body = json!({"name": name, "config": config}).to_string();
    expect(w, "POST", "/connectors", Some(&body), 201)
}
