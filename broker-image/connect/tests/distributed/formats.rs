//! The internal topics are Kafka Connect's own formats: what one worker writes, the other
//! reads. Kaskade Connect writes configs, target states, offsets and statuses; Apache Kafka
//! Connect 4.3.1, started on the same group and topics, lists the same connectors with the same
//! configs, offsets and states and carries on from where Kaskade left off — and the other way
//! round. Both run against the Kaskade broker.

use std::path::Path;
use std::time::Duration;

use kaskade_connect::config::WorkerConfig;
use kaskade_testkit::connect_peer::ConnectPeer;
use kaskade_testkit::http::request;
use kaskade_testkit::BrokerProc;
use serde_json::{json, Value};

use crate::{append, expected, get, lines, wait_until};

/// Worker settings both workers share: the group's topics, quick offset commits.
fn shared(group: &str) -> Vec<String> {
    vec![
        format!("config.storage.topic={group}-configs"),
        format!("offset.storage.topic={group}-offsets"),
        format!("status.storage.topic={group}-status"),
        "config.storage.replication.factor=1".into(),
        "offset.storage.replication.factor=1".into(),
        "status.storage.replication.factor=1".into(),
        "offset.flush.interval.ms=500".into(),
    ]
}

/// A Kaskade worker in this process, on its own runtime.
struct Kaskade {
    runtime: tokio::runtime::Runtime,
    running: Option<kaskade_connect::Running>,
    url: String,
}

impl Kaskade {
    fn start(bootstrap: &str, group: &str) -> Kaskade {
        let port = kaskade_testkit::free_port();
        let mut props: std::collections::BTreeMap<String, String> = shared(group)
            .iter()
            .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        props.insert("bootstrap.servers".into(), bootstrap.into());
        props.insert("group.id".into(), group.into());
        props.insert("listeners".into(), format!("http://127.0.0.1:{port}"));
        let config = WorkerConfig::parse(&props).expect("worker config");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let running = runtime.block_on(kaskade_connect::start(config)).expect("start the Kaskade worker");
        Kaskade {
            runtime,
            running: Some(running),
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            self.runtime.block_on(r.stop()).expect("stop the Kaskade worker");
        }
    }
}

impl Drop for Kaskade {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Creates a FileStream source and sink (and a paused sink) through `url`.
fn create_pipeline(url: &str, input: &Path, output: &Path, paused_out: &Path, topic: &str) {
    let post = |body: Value| {
        let (code, text) = request("POST", &format!("{url}/connectors"), Some(&body.to_string()));
        assert_eq!(code, 201, "{text}");
    };
    post(json!({"name": "src", "config": {"connector.class": "FileStreamSource", "file": input, "topic": topic}}));
    post(json!({"name": "snk", "config": {"connector.class": "FileStreamSink", "file": output, "topics": topic}}));
    post(
        json!({"name": "held", "config": {"connector.class": "FileStreamSink", "file": paused_out, "topics": topic}, "initial_state": "PAUSED"}),
    );
}

/// What a worker says about the pipeline: configs, the source's offsets, the states.
fn view(url: &str) -> Value {
    let mut names = get(&format!("{url}/connectors")).1;
    if let Value::Array(a) = &mut names {
        a.sort_by_key(|v| v.to_string());
    }
    let config = |c: &str| {
        let mut v = get(&format!("{url}/connectors/{c}/config")).1;
        // Both spell the same map; the order of keys is not the format's concern.
        if let Value::Object(m) = &mut v {
            m.sort_keys();
        }
        v
    };
    let state = |c: &str| get(&format!("{url}/connectors/{c}/status")).1["connector"]["state"].clone();
    json!({
        "connectors": names,
        "src": config("src"),
        "snk": config("snk"),
        "held": config("held"),
        "offsets": get(&format!("{url}/connectors/src/offsets")).1,
        "states": [state("src"), state("snk"), state("held")],
    })
}

fn settled(url: &str, n: usize, output: &Path) -> Value {
    wait_until("the pipeline to settle", Duration::from_secs(60), || {
        let v = view(url);
        let position = v["offsets"]["offsets"][0]["offset"]["position"].as_u64();
        let running = v["states"] == json!(["RUNNING", "RUNNING", "PAUSED"]);
        (running && position.is_some() && lines(output).len() >= n).then_some(v)
    })
}

/// Kaskade writes, Apache reads and carries on; then Apache writes and Kaskade carries on.
#[test]
fn kaskade_and_apache_connect_read_each_others_topics() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().unwrap();
    let (input, output, held) = (dir.path().join("in.txt"), dir.path().join("out.txt"), dir.path().join("held.txt"));
    append(&input, 0..100);

    // 1. Kaskade runs the pipeline and stops cleanly.
    let mut ours = Kaskade::start(&bootstrap, "fmt");
    create_pipeline(&ours.url, &input, &output, &held, "fmt-topic");
    let ours_view = settled(&ours.url, 100, &output);
    wait_until("every line in the sink", Duration::from_secs(30), || {
        (lines(&output) == expected(0..100)).then_some(())
    });
    ours.stop();
    let position_after_100 = ours_view["offsets"]["offsets"][0]["offset"]["position"].clone();
    assert_eq!(position_after_100, json!(std::fs::metadata(&input).unwrap().len()));

    // 2. Apache Kafka Connect on the same group and topics sees the same and goes on.
    let overrides = shared("fmt");
    let refs: Vec<&str> = overrides.iter().map(String::as_str).collect();
    let mut apache = ConnectPeer::start(&bootstrap, "fmt", &refs);
    let apache_view = settled(apache.url(), 100, &output);
    assert_eq!(
        apache_view, ours_view,
        "Apache Kafka Connect reads Kaskade's topics as Kaskade does"
    );
    append(&input, 100..150);
    wait_until("Apache to carry on", Duration::from_secs(60), || {
        (lines(&output).len() >= 150).then_some(())
    });
    wait_until("Apache's offset commit", Duration::from_secs(30), || {
        let (_, o) = get(&format!("{}/connectors/src/offsets", apache.url()));
        (o["offsets"][0]["offset"]["position"] == json!(std::fs::metadata(&input).unwrap().len())).then_some(())
    });
    apache.stop();
    assert_eq!(lines(&output), expected(0..150), "no line lost or repeated across the hand-over");
    assert!(lines(&held).is_empty(), "the paused sink stays paused");

    // 3. Kaskade again, on what Apache wrote.
    let ours = Kaskade::start(&bootstrap, "fmt");
    let again = settled(&ours.url, 150, &output);
    assert_eq!(again["states"], json!(["RUNNING", "RUNNING", "PAUSED"]));
    assert_eq!(
        again["offsets"]["offsets"][0]["offset"]["position"],
        json!(std::fs::metadata(&input).unwrap().len())
    );
    append(&input, 150..170);
    wait_until("Kaskade to carry on", Duration::from_secs(60), || {
        (lines(&output).len() >= 170).then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        lines(&output),
        expected(0..170),
        "Kaskade resumes from Apache's offsets, nothing repeated"
    );
}
