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

use kaskade_testkit::kafka_peer::GROUP_DELAY_ZERO;
use kaskade_testkit::{wait_for, BrokerProc, ConnectProc};
use serde_json::{json, Value};

pub use kaskade_testkit::connect_rest::{call, create, expect, parse, states, tail, wait_states, wait_until, WAIT};

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

/// Creates `topic` with one partition on `broker`.
pub fn create_topic(broker: &BrokerProc, topic: &str) {
    kaskade_testkit::connect_rest::create_topic(&broker.bootstrap(), topic);
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
