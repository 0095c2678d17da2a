//! Kafka Connect's error handling and transforms, end to end: a Kaskade worker in this process
//! against a `kaskade broker` child process.
//!
//! - `errors.tolerance=none`: a FileStreamSink with JsonConverter (`schemas.enable=true`) on a
//!   topic holding malformed JSON fails its task, the trace naming the stage and the
//!   DataException;
//! - `errors.tolerance=all` with a dead letter queue and context headers: the good records,
//!   transformed by `InsertField$Value`, land in the file; the bad ones — a conversion failure
//!   and a transformation failure — land in the DLQ topic with their original bytes and headers
//!   and Kafka's `__connect.errors.*` headers; consumer offsets are committed past all of them;
//! - a FileStreamSource with `RegexRouter` writes to the renamed topic;
//! - a sink task whose partitions are revoked (another member joins its group) flushes and
//!   commits before they go, so nothing is delivered twice when it gets them back;
//! - `GET /metrics` counts all of it under Kafka Connect's names.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use kaskade_connect::config::WorkerConfig;
use kaskade_testkit::http::request;
use kaskade_testkit::BrokerProc;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::TopicPartitionList;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);

/// A Kaskade worker in this process, on its own multi-threaded runtime.
struct Worker {
    runtime: tokio::runtime::Runtime,
    running: Option<kaskade_connect::Running>,
    url: String,
}

impl Worker {
    fn start(bootstrap: &str, group: &str) -> Worker {
        Worker::start_with(bootstrap, group, &[])
    }

    fn start_with(bootstrap: &str, group: &str, extra: &[(&str, &str)]) -> Worker {
        let port = kaskade_testkit::free_port();
        let mut props: BTreeMap<String, String> = [
            ("bootstrap.servers", bootstrap.to_string()),
            ("group.id", group.to_string()),
            ("listeners", format!("http://127.0.0.1:{port}")),
            ("config.storage.topic", format!("{group}-configs")),
            ("offset.storage.topic", format!("{group}-offsets")),
            ("status.storage.topic", format!("{group}-status")),
            ("config.storage.replication.factor", "1".into()),
            ("offset.storage.replication.factor", "1".into()),
            ("status.storage.replication.factor", "1".into()),
            ("offset.flush.interval.ms", "200".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        props.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = WorkerConfig::parse(&props).expect("worker config");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let running = runtime.block_on(kaskade_connect::start(config)).expect("start the worker");
        Worker {
            runtime,
            running: Some(running),
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn create(&self, name: &str, config: Value) {
        let body = json!({"name": name, "config": config}).to_string();
        let (code, text) = request("POST", &format!("{}/connectors", self.url), Some(&body));
        assert_eq!(code, 201, "creating {name}: {text}");
    }

    /// The task's status once `done` accepts it.
    fn wait_task(&self, name: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        wait_until(&format!("{name}: {what}"), || {
            let (code, text) = request("GET", &format!("{}/connectors/{name}/status", self.url), None);
            let status: Value = serde_json::from_str(&text).ok()?;
            let task = status["tasks"].get(0)?.clone();
            (code == 200 && done(&task)).then_some(task)
        })
    }

    fn metrics(&self) -> String {
        let (code, text) = request("GET", &format!("{}/metrics", self.url), None);
        assert_eq!(code, 200);
        text
    }

    /// The value of the sample `name{labels}`.
    fn metric(&self, name: &str, labels: &str) -> Option<f64> {
        let prefix = format!("{name}{{{labels}}} ");
        self.metrics()
            .lines()
            .find_map(|l| l.strip_prefix(&prefix).and_then(|v| v.parse().ok()))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = self.runtime.block_on(r.stop());
        }
    }
}

fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn create_topic(bootstrap: &str, topic: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(kaskade_testkit::clients::create_topic(bootstrap, topic, 1, &[]));
}

/// Produces `values` (each with header `origin=test`) to partition 0 of `topic`.
fn produce(bootstrap: &str, topic: &str, values: &[&str]) {
    let producer: BaseProducer = ClientConfig::new().set("bootstrap.servers", bootstrap).create().expect("producer");
    for v in values {
        let headers = OwnedHeaders::new().insert(Header {
            key: "origin",
            value: Some("test"),
        });
        producer
            .send(BaseRecord::<(), str>::to(topic).partition(0).payload(*v).headers(headers))
            .expect("send");
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A record with a schema, as JsonConverter (`schemas.enable=true`) reads it.
fn row(id: i32, name: &str) -> String {
    json!({
        "schema": {"type": "struct", "optional": false, "name": "row", "fields": [
            {"field": "id", "type": "int32", "optional": false},
            {"field": "name", "type": "string", "optional": true}]},
        "payload": {"id": id, "name": name}
    })
    .to_string()
}

const MALFORMED: &str = "{\"schema\": not json";
/// Valid JSON, but a string: `InsertField$Value` refuses it (a transformation failure).
const NOT_A_STRUCT: &str = r#"{"schema":{"type":"string","optional":false},"payload":"just a string"}"#;

fn sink_config(topic: &str, file: &Path) -> serde_json::Map<String, Value> {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "tasks.max": "1",
        "topics": topic,
        "file": file,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true",
    })
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn tolerance_none_fails_the_task_naming_the_stage_and_the_cause() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "strict-in");
    produce(&bootstrap, "strict-in", &[&row(1, "a"), MALFORMED, &row(2, "b")]);
    let dir = tempfile::tempdir().unwrap();
    let worker = Worker::start(&bootstrap, "errors-none");
    let config = sink_config("strict-in", &dir.path().join("out.txt"));
    worker.create("strict", Value::Object(config));

    let task = worker.wait_task("strict", "FAILED", |t| t["state"] == "FAILED");
    let trace = task["trace"].as_str().unwrap_or_default();
    assert!(
        trace.starts_with("org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n"),
        "{trace}"
    );
    assert!(
        trace.contains(
            "Caused by: org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: "
        ),
        "{trace}"
    );
    assert!(
        trace.contains("stage VALUE_CONVERTER executing class org.apache.kafka.connect.json.JsonConverter"),
        "{trace}"
    );
    assert!(trace.contains("topic='strict-in', partition=0, offset=1"), "{trace}");

    let labels = r#"connector="strict",task="0""#;
    assert_eq!(
        worker.metric("kafka_connect_task_error_metrics_total_record_errors", labels),
        Some(1.0)
    );
    assert_eq!(
        worker.metric("kafka_connect_task_error_metrics_total_records_skipped", labels),
        Some(0.0)
    );
    assert_eq!(
        worker.metric(
            "kafka_connect_connector_task_metrics_status",
            r#"connector="strict",task="0",status="failed""#
        ),
        Some(1.0)
    );
}

#[test]
fn tolerance_all_writes_good_records_and_sends_bad_ones_to_the_dlq_with_context_headers() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "lenient-in");
    // Offsets 0..5: good, malformed, good, not a struct, good.
    produce(
        &bootstrap,
        "lenient-in",
        &[&row(1, "a"), MALFORMED, &row(2, "b"), NOT_A_STRUCT, &row(3, "c")],
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let worker = Worker::start(&bootstrap, "errors-all");
    let mut config = sink_config("lenient-in", &out);
    for (k, v) in [
        ("errors.tolerance", "all"),
        ("errors.log.enable", "true"),
        ("errors.log.include.messages", "true"),
        ("errors.deadletterqueue.topic.name", "lenient-dlq"),
        ("errors.deadletterqueue.topic.replication.factor", "1"),
        ("errors.deadletterqueue.context.headers.enable", "true"),
        ("transforms", "origin"),
        ("transforms.origin.type", "org.apache.kafka.connect.transforms.InsertField$Value"),
        ("transforms.origin.topic.field", "from_topic"),
        ("transforms.origin.offset.field", "from_offset"),
    ] {
        config.insert(k.into(), v.into());
    }
    worker.create("lenient", Value::Object(config));

    // The good records, transformed, in order.
    let expected = vec![
        "Struct{id=1,name=a,from_topic=lenient-in,from_offset=0}".to_string(),
        "Struct{id=2,name=b,from_topic=lenient-in,from_offset=2}".to_string(),
        "Struct{id=3,name=c,from_topic=lenient-in,from_offset=4}".to_string(),
    ];
    wait_until("the good records in the file", || (lines(&out).len() >= 3).then_some(()));
    assert_eq!(lines(&out), expected);
    let task = worker.wait_task("lenient", "RUNNING", |t| t["state"] == "RUNNING");
    assert!(task.get("trace").is_none(), "{task}");

    // The bad ones in the dead letter queue, created with one partition.
    let consumer = kaskade_testkit::clients::assigned_consumer(&bootstrap, "lenient-dlq", 1, &[]);
    let mut dlq = Vec::new();
    wait_until("two records in the DLQ", || {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let headers: Vec<(String, String)> = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| (h.key.to_string(), String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned()))
                        .collect()
                })
                .unwrap_or_default();
            dlq.push((String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(), headers));
        }
        (dlq.len() >= 2).then_some(())
    });
    let header = |headers: &[(String, String)], k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());

    let (value, headers) = &dlq[0];
    assert_eq!(value, MALFORMED, "the original bytes");
    assert_eq!(headers[0], ("origin".to_string(), "test".to_string()), "the original headers first");
    for (k, v) in [
        ("__connect.errors.topic", "lenient-in"),
        ("__connect.errors.partition", "0"),
        ("__connect.errors.offset", "1"),
        ("__connect.errors.connector.name", "lenient"),
        ("__connect.errors.task.id", "0"),
        ("__connect.errors.stage", "VALUE_CONVERTER"),
        ("__connect.errors.class.name", "org.apache.kafka.connect.json.JsonConverter"),
        (
            "__connect.errors.exception.class.name",
            "org.apache.kafka.connect.errors.DataException",
        ),
        (
            "__connect.errors.exception.message",
            "Converting byte[] to Kafka Connect data failed due to serialization error: ",
        ),
    ] {
        assert_eq!(header(headers, k).as_deref(), Some(v), "{k} in {headers:?}");
    }
    assert!(header(headers, "__connect.errors.exception.stacktrace")
        .unwrap()
        .starts_with("org.apache.kafka.connect.errors.DataException: Converting byte[]"));

    let (value, headers) = &dlq[1];
    assert_eq!(value, NOT_A_STRUCT);
    assert_eq!(header(headers, "__connect.errors.offset").as_deref(), Some("3"));
    assert_eq!(header(headers, "__connect.errors.stage").as_deref(), Some("TRANSFORMATION"));
    assert_eq!(
        header(headers, "__connect.errors.class.name").as_deref(),
        Some("org.apache.kafka.connect.transforms.InsertField$Value")
    );
    assert_eq!(
        header(headers, "__connect.errors.exception.class.name").as_deref(),
        Some("org.apache.kafka.connect.errors.DataException")
    );

    // The consumer group committed past every record, the skipped ones included.
    let group: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", "connect-lenient")
        .create()
        .unwrap();
    wait_until("offsets committed past the last record", || {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition("lenient-in", 0);
        let committed = group.committed_offsets(tpl, Duration::from_secs(10)).ok()?;
        let offset = committed.find_partition("lenient-in", 0)?.offset();
        (offset == rdkafka::Offset::Offset(5)).then_some(())
    });

    let labels = r#"connector="lenient",task="0""#;
    let m = |name: &str| worker.metric(name, labels);
    assert_eq!(m("kafka_connect_sink_task_metrics_sink_record_read_total"), Some(5.0));
    assert_eq!(m("kafka_connect_sink_task_metrics_sink_record_send_total"), Some(3.0));
    assert_eq!(m("kafka_connect_task_error_metrics_total_record_errors"), Some(2.0));
    assert_eq!(m("kafka_connect_task_error_metrics_total_records_skipped"), Some(2.0));
    assert_eq!(m("kafka_connect_task_error_metrics_deadletterqueue_produce_requests"), Some(2.0));
    assert_eq!(m("kafka_connect_task_error_metrics_deadletterqueue_produce_failures"), Some(0.0));
    assert_eq!(m("kafka_connect_task_error_metrics_total_errors_logged"), Some(2.0));
    assert!(m("kafka_connect_connector_task_metrics_offset_commit_success_percentage").unwrap() > 0.0);
    assert_eq!(
        worker.metric(
            "kafka_connect_connect_worker_metrics_connector_running_task_count",
            r#"connector="lenient""#
        ),
        Some(1.0)
    );
}

/// The committed offset of partition 0 of `topic` in `group`, if any.
fn committed(bootstrap: &str, group: &str, topic: &str) -> Option<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, 0);
    let committed = consumer.committed_offsets(tpl, Duration::from_secs(10)).ok()?;
    match committed.find_partition(topic, 0)?.offset() {
        rdkafka::Offset::Offset(o) => Some(o),
        _ => None,
    }
}

#[test]
fn revoked_partitions_are_committed_before_they_go() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "revoke-in");
    produce(&bootstrap, "revoke-in", &[&row(1, "a"), &row(2, "b"), &row(3, "c")]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    // No periodic commit during the test: only the revocation commits.
    let worker = Worker::start_with(&bootstrap, "errors-revoke", &[("offset.flush.interval.ms", "600000")]);
    worker.create("revoked", Value::Object(sink_config("revoke-in", &out)));
    let labels = r#"connector="revoked",task="0""#;
    wait_until("three records put", || {
        (worker.metric("kafka_connect_sink_task_metrics_sink_record_send_total", labels) == Some(3.0)).then_some(())
    });
    // Put, but neither flushed (the file sink buffers) nor committed.
    assert_eq!(committed(&bootstrap, "connect-revoked", "revoke-in"), None);

    // Another member joins the task's group: the task's partition is revoked.
    let intruder: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", "connect-revoked")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "latest")
        .create()
        .unwrap();
    intruder.subscribe(&["revoke-in"]).unwrap();
    wait_until("the revocation's commit", || {
        let _ = intruder.poll(Duration::from_millis(100));
        (committed(&bootstrap, "connect-revoked", "revoke-in") == Some(3)).then_some(())
    });
    assert_eq!(lines(&out).len(), 3, "the connector was flushed before the commit");
    drop(intruder);

    // The task gets the partition back and carries on from the commit: nothing twice.
    produce(&bootstrap, "revoke-in", &[&row(4, "d")]);
    wait_until("the fourth record put", || {
        (worker.metric("kafka_connect_sink_task_metrics_sink_record_send_total", labels) >= Some(4.0)).then_some(())
    });
    std::thread::sleep(Duration::from_secs(1));
    let sent = worker.metric("kafka_connect_sink_task_metrics_sink_record_send_total", labels);
    assert!(worker.metric("kafka_connect_sink_task_metrics_offset_commit_completion_total", labels) >= Some(1.0));
    drop(worker); // stops the task: flushed and committed
    assert_eq!(sent, Some(4.0), "a record was delivered twice");
    assert_eq!(
        lines(&out),
        [
            "Struct{id=1,name=a}",
            "Struct{id=2,name=b}",
            "Struct{id=3,name=c}",
            "Struct{id=4,name=d}"
        ]
    );
}

#[test]
fn a_source_transform_routes_records_to_another_topic() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "routed-lines");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "one\ntwo\nthree\n").unwrap();
    let worker = Worker::start(&bootstrap, "errors-route");
    worker.create(
        "router",
        json!({
            "connector.class": "FileStreamSource",
            "file": input,
            "topic": "raw-lines",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "transforms": "route",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "raw-(.*)",
            "transforms.route.replacement": "routed-$1",
        }),
    );
    let consumer = kaskade_testkit::clients::assigned_consumer(&bootstrap, "routed-lines", 1, &[]);
    let mut got = Vec::new();
    wait_until("three lines in routed-lines", || {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            got.push(String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned());
        }
        (got.len() >= 3).then_some(())
    });
    assert_eq!(got, ["one", "two", "three"]);
    let labels = r#"connector="router",task="0""#;
    wait_until("the writes acknowledged", || {
        (worker.metric("kafka_connect_source_task_metrics_source_record_write_total", labels) == Some(3.0)).then_some(())
    });
    assert_eq!(
        worker.metric("kafka_connect_source_task_metrics_source_record_poll_total", labels),
        Some(3.0)
    );
    let (_, topics) = request("GET", &format!("{}/connectors/router/topics", worker.url), None);
    assert!(topics.contains("routed-lines") && !topics.contains("raw-lines"), "{topics}");
}
