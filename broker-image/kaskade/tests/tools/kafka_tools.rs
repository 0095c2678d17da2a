//! Apache Kafka's own command-line tools (from the kafka-tools jars) against the real
//! `kaskade broker`, run exactly as the Kafka quickstart runs them: kafka-topics create, list and
//! describe; kafka-console-producer from stdin (idempotent by default); kafka-console-consumer
//! from the beginning (a consumer group). kcat reads what Kafka's producer wrote and the other
//! way round. kafka-consumer-groups lists, describes (with lag), resets and deletes a group.

use std::io::Write;
use std::process::{Command, Stdio};

use kaskade_testkit::tools::{group_rows, kafka_tool};
use kaskade_testkit::BrokerProc;

/// Runs a Kafka tool through `e2e/peers/kafka/tool.sh`; returns stdout, asserting success.
fn tool(name: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = kafka_tool(name, args);
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

/// The LAG column of `kafka-consumer-groups --describe`, summed over the group's partitions.
fn total_lag(bs: &str, group: &str) -> i64 {
    let out = tool(
        "kafka-consumer-groups",
        &["--describe", "--group", group, "--bootstrap-server", bs],
        None,
    );
    group_rows(&out, group)
        .iter()
        .map(|r| r[5].parse::<i64>().unwrap_or_else(|_| panic!("LAG in {out}")))
        .sum()
}

#[test]
fn kafka_consumer_groups_tool_lists_describes_resets_and_deletes() {
    let b = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bs = b.bootstrap();
    tool(
        "kafka-topics",
        &["--create", "--topic", "orders", "--partitions", "2", "--bootstrap-server", &bs],
        None,
    );
    let lines: String = (0..10).map(|i| format!("order {i}\n")).collect();
    tool(
        "kafka-console-producer",
        &["--topic", "orders", "--bootstrap-server", &bs],
        Some(&lines),
    );
    let out = tool(
        "kafka-console-consumer",
        &[
            "--topic",
            "orders",
            "--group",
            "billing",
            "--from-beginning",
            "--max-messages",
            "10",
            "--bootstrap-server",
            &bs,
        ],
        None,
    );
    assert_eq!(out.lines().count(), 10, "{out}");

    let out = tool("kafka-consumer-groups", &["--list", "--bootstrap-server", &bs], None);
    assert_eq!(out.lines().collect::<Vec<_>>(), vec!["billing"]);
    // Three more records: the group lags by three.
    tool(
        "kafka-console-producer",
        &["--topic", "orders", "--bootstrap-server", &bs],
        Some("late 1\nlate 2\nlate 3\n"),
    );
    let out = tool(
        "kafka-consumer-groups",
        &["--describe", "--group", "billing", "--bootstrap-server", &bs],
        None,
    );
    let rows = group_rows(&out, "billing");
    assert_eq!(rows.len(), 2, "{out}");
    let (mut committed, mut end, mut lag) = (0, 0, 0);
    for r in &rows {
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
        assert_eq!(r[1], "orders", "{out}");
        committed += r[3].parse::<i64>().expect("current offset");
        end += r[4].parse::<i64>().expect("log end offset");
        lag += r[5].parse::<i64>().expect("lag");
        assert_eq!(&r[6..], ["-", "-", "-"], "no active members: {out}");
    }
    assert_eq!((committed, end, lag), (10, 13, 3), "{out}");
    let out = tool(
        "kafka-consumer-groups",
        &["--describe", "--group", "billing", "--state", "--bootstrap-server", &bs],
        None,
    );
    assert!(out.contains("Empty"), "{out}");

    // A dry run changes nothing; --execute moves the offsets.
    let args = |mode: &str| {
        vec![
            "--reset-offsets".to_string(),
            "--to-earliest".into(),
            "--group".into(),
            "billing".into(),
            "--topic".into(),
            "orders".into(),
            mode.into(),
            "--bootstrap-server".into(),
            bs.clone(),
        ]
    };
    let dry: Vec<String> = args("--dry-run");
    let out = tool("kafka-consumer-groups", &dry.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(
        group_rows(&out, "billing").iter().map(|r| r[3].as_str()).collect::<Vec<_>>(),
        vec!["0", "0"],
        "{out}"
    );
    assert_eq!(total_lag(&bs, "billing"), 3);
    let exec: Vec<String> = args("--execute");
    tool("kafka-consumer-groups", &exec.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(total_lag(&bs, "billing"), 13);
    // The consumer resumes from the reset offsets: everything again.
    let out = tool(
        "kafka-console-consumer",
        &[
            "--topic",
            "orders",
            "--group",
            "billing",
            "--max-messages",
            "13",
            "--bootstrap-server",
            &bs,
        ],
        None,
    );
    assert_eq!(out.lines().count(), 13, "{out}");

    let out = tool(
        "kafka-consumer-groups",
        &["--delete", "--group", "billing", "--bootstrap-server", &bs],
        None,
    );
    assert!(
        out.contains("Deletion of requested consumer groups ('billing') was successful."),
        "{out}"
    );
    let out = tool("kafka-consumer-groups", &["--list", "--bootstrap-server", &bs], None);
    assert_eq!(out.trim(), "", "{out}");
}

/// `kafka-metadata-quorum describe --status` and `--replication` against Kaskade's
/// single-voter quorum: the voter leads, its log end is the high watermark, and both grow
/// with a metadata write.
#[test]
fn kafka_metadata_quorum_describes_the_quorum() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let field = |out: &str, key: &str| -> String {
        out.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no {key} in:\n{out}"))
    };
    let status = tool("kafka-metadata-quorum", &["--bootstrap-server", &bs, "describe", "--status"], None);
    assert_eq!(field(&status, "LeaderId:"), "1", "{status}");
    assert_eq!(field(&status, "MaxFollowerLag:"), "0");
    assert_eq!(field(&status, "CurrentVoters:"), r#"[{"id": 1}]"#);
    assert_eq!(field(&status, "CurrentObservers:"), "[]");
    let before: i64 = field(&status, "HighWatermark:").parse().unwrap();
    assert!(field(&status, "LeaderEpoch:").parse::<i32>().unwrap() >= 1);
    assert!(field(&status, "ClusterId:").len() >= 22);
    tool("kafka-topics", &["--create", "--topic", "q", "--bootstrap-server", &bs], None);
    let status = tool("kafka-metadata-quorum", &["--bootstrap-server", &bs, "describe", "--status"], None);
    let after: i64 = field(&status, "HighWatermark:").parse().unwrap();
    assert!(after > before, "a topic is a metadata write: {before} → {after}");
    let replication = tool(
        "kafka-metadata-quorum",
        &["--bootstrap-server", &bs, "describe", "--replication"],
        None,
    );
    let rows: Vec<Vec<&str>> = replication.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 1, "{replication}");
    assert_eq!(rows[0][0], "1");
    assert_eq!(
        rows[0][2].parse::<i64>().unwrap(),
        after,
        "the leader's log end is the high watermark"
    );
    assert_eq!(rows[0].last(), Some(&"Leader"));
}
