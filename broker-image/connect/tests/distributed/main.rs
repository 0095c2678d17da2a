//! Kaskade Connect as a cluster: several workers in one group share connectors and tasks and
//! take over from a worker that stops or dies (`cluster`), and the internal topics are Kafka
//! Connect's own formats, read and continued by Apache Kafka Connect (`formats`).

mod cluster;
mod formats;
mod third_party;

use std::path::Path;
use std::time::{Duration, Instant};

use kaskade_testkit::http::request;
use serde_json::Value;

pub fn get(url: &str) -> (u16, Value) {
    let (code, body) = request("GET", url, None);
    (code, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

/// Polls `f` until it answers, or panics naming `what`.
pub fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

pub fn append(path: &Path, range: std::ops::Range<usize>) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    let mut text = String::new();
    for i in range {
        text.push_str(&format!("line-{i}\n"));
    }
    f.write_all(text.as_bytes()).unwrap();
}

pub fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("line-{i}")).collect()
}
