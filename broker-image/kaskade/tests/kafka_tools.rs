//! Apache Kafka's own command-line tools (from the kafka-tools jars) against the real
//! `kaskade broker`, run exactly as the Kafka quickstart runs them: kafka-topics create, list and
//! describe; kafka-console-producer from stdin (idempotent by default); kafka-console-consumer
//! from the beginning. kcat reads what Kafka's producer wrote and the other way round.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{repo_root, BrokerProc};

/// Runs a Kafka tool through `e2e/peers/kafka/tool.sh`; returns stdout, asserting success.
fn tool(name: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("e2e/peers/kafka/tool.sh")).arg(name).args(args);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{name} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

const LINES: &str = "This is my first event\nThis is my second event\nünïcødé ✓ 日本語\n";

#[test]
fn kafka_quickstart_commands_work_unchanged() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let out = tool(
        "kafka-topics",
        &["--create", "--topic", "quickstart-events", "--bootstrap-server", &bs],
        None,
    );
    assert!(out.contains("Created topic quickstart-events."), "{out}");
    let out = tool("kafka-topics", &["--list", "--bootstrap-server", &bs], None);
    assert_eq!(out.lines().collect::<Vec<_>>(), vec!["quickstart-events"]);
    let out = tool(
        "kafka-topics",
        &["--describe", "--topic", "quickstart-events", "--bootstrap-server", &bs],
        None,
    );
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("Topic: quickstart-events\tTopicId: "), "{out}");
    assert!(first.contains("\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: "), "{out}");
    assert!(
        out.contains("\tTopic: quickstart-events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1"),
        "{out}"
    );

    // The producer is idempotent by default (Kafka 3.0+): it needs InitProducerId.
    tool(
        "kafka-console-producer",
        &["--topic", "quickstart-events", "--bootstrap-server", &bs],
        Some(LINES),
    );
    let out = tool(
        "kafka-console-consumer",
        &[
            "--topic",
            "quickstart-events",
            "--from-beginning",
            "--partition",
            "0",
            "--max-messages",
            "3",
            "--bootstrap-server",
            &bs,
        ],
        None,
    );
    assert_eq!(out, LINES);

    // kcat reads what Kafka's producer wrote ...
    let kcat = Command::new("kcat")
        .args(["-b", &bs, "-C", "-t", "quickstart-events", "-e", "-o", "beginning", "-q"])
        .output()
        .expect("kcat");
    assert_eq!(String::from_utf8_lossy(&kcat.stdout), LINES);
    // ... and Kafka's consumer reads what kcat wrote, with keys.
    let mut p = Command::new("kcat")
        .args(["-b", &bs, "-P", "-t", "quickstart-events", "-K:"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("kcat -P");
    p.stdin
        .take()
        .expect("stdin")
        .write_all(b"k1:from kcat\nk2:second\n")
        .expect("write");
    assert!(p.wait().expect("kcat").success());
    let out = tool(
        "kafka-console-consumer",
        &[
            "--topic",
            "quickstart-events",
            "--partition",
            "0",
            "--offset",
            "3",
            "--max-messages",
            "2",
            "--formatter-property",
            "print.key=true",
            "--formatter-property",
            "print.offset=true",
            "--bootstrap-server",
            &bs,
        ],
        None,
    );
    assert_eq!(out, "Offset:3\tk1\tfrom kcat\nOffset:4\tk2\tsecond\n");
}
