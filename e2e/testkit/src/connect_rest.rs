//! Driving a Kafka Connect worker (ours or Apache's) over its REST API from tests: calls with
//! the body parsed as JSON, expectations that print the worker's log when they fail, and waits
//! for connector and task states. Every wait polls with a deadline ([`WAIT`]).

use std::time::Duration;

use serde_json::{json, Value};

use crate::http::request;
use crate::{wait_for, ConnectProc};

/// How long a state change may take (a task start, an offset flush, a rebalance).
pub const WAIT: Duration = Duration::from_secs(60);

/// Creates `topic` with one partition through `kaskade topics` (so order holds end to end, and a
/// sink subscribed to it finds it at once).
pub fn create_topic(bootstrap: &str, topic: &str) {
    let out = crate::tools::run(
        crate::tools::kaskade_tool(&[
            "topics",
            "--bootstrap-server",
            bootstrap,
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

/// `POST /connectors`, expecting 201.
#[track_caller]
pub fn create(w: &ConnectProc, name: &str, config: Value) -> Value {
    let body = json!({"name": name, "config": config}).to_string();
    expect(w, "POST", "/connectors", Some(&body), 201)
}
