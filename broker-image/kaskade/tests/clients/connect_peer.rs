//! Apache Kafka Connect 4.3.1 runs against the real `kaskade broker` as against Kafka's own: a
//! distributed worker (`ConnectPeer`, Kafka's `connect-distributed.properties` defaults) joins its
//! group through the broker, creates its three compacted internal topics, and a
//! FileStreamSource → topic → FileStreamSink pipeline copies a file line for line, in order,
//! with the connectors and their tasks RUNNING.

use std::path::Path;
use std::time::Duration;

use kaskade_testkit::http::request;
use kaskade_testkit::{wait_for, BrokerProc, ConnectPeer};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

const LINES: usize = 200;
const TOPIC: &str = "connect-lines";
/// The internal topics of Kafka's `connect-distributed.properties`, with Connect's default
/// partition counts.
const INTERNAL: [(&str, usize); 3] = [("connect-configs", 1), ("connect-offsets", 25), ("connect-status", 5)];

/// Context for a failure: the worker's warnings and the end of the broker's log.
fn context(connect: &ConnectPeer, broker: &BrokerProc) -> String {
    let logs = broker.logs();
    let tail: Vec<&str> = logs.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!(
        "--- Connect warnings ({}) ---\n{}\n--- broker log (last 40 lines) ---\n{}",
        connect.dir().display(),
        connect.warnings(),
        tail.join("\n")
    )
}

/// Registers a connector over REST; asserts 201 Created.
fn create_connector(connect: &ConnectPeer, broker: &BrokerProc, name: &str, class: &str, settings: &[(&str, &str)]) {
    let mut config = format!(r#""connector.class":"{class}","tasks.max":"1""#);
    for (k, v) in settings {
        assert!(!v.contains(['"', '\\']), "no JSON escaping here: {v}");
        config.push_str(&format!(r#","{k}":"{v}""#));
    }
    let body = format!(r#"{{"name":"{name}","config":{{{config}}}}}"#);
    let (status, answer) = request("POST", &format!("{}/connectors", connect.url()), Some(&body));
    assert_eq!(status, 201, "POST /connectors {name}: {answer}\n{}", context(connect, broker));
}

/// Both the connector and its task 0 report RUNNING (`GET /connectors/NAME/status`); the last
/// answer as the error.
fn running(connect: &ConnectPeer, name: &str) -> Result<(), String> {
    let (status, body) = request("GET", &format!("{}/connectors/{name}/status", connect.url()), None);
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let connector_running = compact.contains(r#""connector":{"state":"RUNNING""#);
    let task_running = compact.contains(r#""tasks":[{"id":0,"state":"RUNNING""#);
    if status == 200 && connector_running && task_running {
        Ok(())
    } else {
        Err(format!("{status} {body}"))
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn apache_connect_file_pipeline_runs_against_kaskade() {
    let broker = BrokerProc::start(&[]);
    let bootstrap = broker.bootstrap();
    let connect = ConnectPeer::start(&bootstrap, "connect-cluster", &[]);

    let tmp = tempfile::Builder::new()
        .prefix("kaskade-connect-files-")
        .tempdir()
        .expect("tempdir");
    let input = tmp.path().join("in.txt");
    let output = tmp.path().join("out.txt");
    let lines: Vec<String> = (0..LINES).map(|i| format!("line {i:04} of the FileStream pipeline")).collect();
    std::fs::write(&input, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("write the input file");

    create_connector(
        &connect,
        &broker,
        "file-source",
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        &[("file", input.to_str().expect("utf-8 path")), ("topic", TOPIC)],
    );
    create_connector(
        &connect,
        &broker,
        "file-sink",
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        &[("file", output.to_str().expect("utf-8 path")), ("topics", TOPIC)],
    );

    // The sink writes each record as it gets it: wait for all the lines, then compare.
    let copied = wait_for(Duration::from_secs(90), || {
        let out = read_lines(&output);
        (out.len() >= LINES).then_some(out)
    });
    let Some(copied) = copied else {
        let out = read_lines(&output);
        panic!(
            "the sink wrote {} of {LINES} lines in 90 s (last: {:?})\n{}",
            out.len(),
            out.last(),
            context(&connect, &broker)
        );
    };
    assert!(copied == lines, "the sink's file differs from the source's: {copied:?}");

    for name in ["file-source", "file-sink"] {
        let mut last = String::new();
        let ok = wait_for(Duration::from_secs(30), || match running(&connect, name) {
            Ok(()) => Some(()),
            Err(answer) => {
                last = answer;
                None
            }
        });
        assert!(
            ok.is_some(),
            "{name} and its task 0 are not both RUNNING after 30 s: {last}\n{}",
            context(&connect, &broker)
        );
    }

    // The worker's internal topics: on the broker, with Connect's partition counts, compacted.
    let consumer: BaseConsumer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().expect("consumer");
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(10)).expect("metadata");
    for (topic, partitions) in INTERNAL {
        let found = metadata.topics().iter().find(|t| t.name() == topic);
        let found = found.unwrap_or_else(|| {
            let names: Vec<&str> = metadata.topics().iter().map(|t| t.name()).collect();
            panic!("internal topic {topic} is not on the broker; topics: {names:?}")
        });
        assert_eq!(found.partitions().len(), partitions, "partitions of {topic}");
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .expect("admin client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let resources: Vec<ResourceSpecifier> = INTERNAL.iter().map(|(t, _)| ResourceSpecifier::Topic(t)).collect();
    let described = runtime
        .block_on(admin.describe_configs(&resources, &AdminOptions::new()))
        .expect("describe_configs");
    for ((topic, _), result) in INTERNAL.iter().zip(described) {
        let config = result.unwrap_or_else(|e| panic!("describe_configs {topic}: {e}"));
        let policy = config.get("cleanup.policy").and_then(|e| e.value.clone());
        assert_eq!(policy.as_deref(), Some("compact"), "cleanup.policy of {topic}");
    }
}
