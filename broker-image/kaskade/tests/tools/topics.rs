//! `kaskade topics` and `kaskade configs` as processes against a real `kaskade broker`: the
//! tutorial flow (create a one-partition topic, list, describe, alter, delete, configs), Kafka's
//! error lines and exit codes, and a differential run: the same command sequence through
//! Kafka's own kafka-topics/kafka-configs (4.4, `e2e/peers/kafka/tool.sh`) and through
//! `kaskade`, against a Kaskade broker and against Apache Kafka, outputs compared.

use std::io::Write;
use std::time::Duration;

use kaskade_testkit::compare::assert_same_text;
use kaskade_testkit::tools::{kafka_tool, kaskade_tool, run_text, Run};
use kaskade_testkit::{kafka_peer, BrokerProc};

/// `kaskade topics|configs ARGS`.
fn kaskade(tool: &str, args: &[&str]) -> Run {
    run_text(kaskade_tool(&[&[tool], args].concat()))
}

/// Kafka's `kafka-topics|kafka-configs ARGS` (a JVM, 1-2 s).
fn kafka(tool: &str, args: &[&str]) -> Run {
    run_text(kafka_tool(&format!("kafka-{tool}"), args))
}

#[track_caller]
fn ok(run: &Run) -> &str {
    assert_eq!(run.code, 0, "expected success:\n{run:#?}");
    &run.stdout
}

#[track_caller]
fn fails(run: &Run) -> &Run {
    assert_eq!(run.code, 1, "expected exit 1:\n{run:#?}");
    run
}

fn topic_id(describe: &str) -> String {
    describe
        .split("TopicId: ")
        .nth(1)
        .and_then(|rest| rest.split('\t').next())
        .unwrap_or_default()
        .to_string()
}

/// The flow: a one-partition topic created, listed, described, given partitions and
/// configs, found by regex, deleted.
#[test]
fn topics_and_configs_tutorial_flow() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let topics = |args: &[&str]| kaskade("topics", &[&["--bootstrap-server", &bs], args].concat());
    let configs = |args: &[&str]| kaskade("configs", &[&["--bootstrap-server", &bs], args].concat());

    let run = topics(&["--create", "--topic", "quickstart-events", "--partitions", "1"]);
    assert_eq!(ok(&run), "Created topic quickstart-events.\n");
    assert_eq!(ok(&topics(&["--list"])), "quickstart-events\n");
    let described = topics(&["--describe", "--topic", "quickstart-events"]);
    let id = topic_id(ok(&described));
    assert_eq!(id.len(), 22, "{described:?}");
    assert_eq!(
        described.stdout,
        format!(
            "Topic: quickstart-events\tTopicId: {id}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n\
             \tTopic: quickstart-events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n"
        )
    );
    // By id Kafka asks Metadata, which carries no ELR.
    let by_id = topics(&["--describe", "--topic-id", &id]);
    assert!(ok(&by_id).ends_with("\tIsr: 1\tElr: N/A\tLastKnownElr: N/A\n"), "{by_id:?}");

    // Again: Kafka's error line on stdout, exit 1; --if-not-exists makes it quiet.
    let again = topics(&["--create", "--topic", "quickstart-events"]);
    assert_eq!(
        fails(&again).stdout,
        "Error while executing topic command : Topic 'quickstart-events' already exists.\n"
    );
    assert!(again.stderr.contains("TopicExistsException"), "{again:?}");
    assert_eq!(ok(&topics(&["--create", "--topic", "quickstart-events", "--if-not-exists"])), "");

    assert_eq!(ok(&topics(&["--alter", "--topic", "quickstart-events", "--partitions", "3"])), "");
    let described = topics(&["--describe", "--topic", "quickstart-events"]);
    assert!(ok(&described).contains("\tPartitionCount: 3\t"), "{described:?}");
    assert_eq!(described.stdout.lines().filter(|l| l.starts_with("\tTopic: ")).count(), 3);
    let lower = topics(&["--alter", "--topic", "quickstart-events", "--partitions", "2"]);
    assert!(
        fails(&lower).stdout.starts_with("Error while executing topic command : "),
        "{lower:?}"
    );

    // Regexes, and the warning about '.' and '_'.
    let run = topics(&["--create", "--topic", "orders.eu", "--config", "retention.ms=1000"]);
    assert_eq!(
        ok(&run),
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. \
         To avoid issues it is best to use either, but not both.\nCreated topic orders.eu.\n"
    );
    ok(&topics(&["--create", "--topic", "orders-us", "--replication-factor", "1"]));
    assert_eq!(ok(&topics(&["--list", "--topic", "orders.*"])), "orders-us\norders.eu\n");
    assert_eq!(
        ok(&topics(&["--list", "--topic", "orders-us,quickstart-events"])),
        "orders-us\nquickstart-events\n"
    );
    let overrides = topics(&["--describe", "--topics-with-overrides"]);
    assert!(ok(&overrides).starts_with("Topic: orders.eu\t"), "{overrides:?}");
    assert!(overrides.stdout.ends_with("\tConfigs: retention.ms=1000\n"), "{overrides:?}");
    assert_eq!(overrides.stdout.lines().count(), 1, "{overrides:?}");

    // Topic configs.
    let run = configs(&[
        "--alter",
        "--topic",
        "orders-us",
        "--add-config",
        "retention.ms=5000,cleanup.policy=[compact,delete]",
    ]);
    assert_eq!(ok(&run), "Completed updating config for topic orders-us.\n");
    assert_eq!(
        ok(&configs(&["--describe", "--entity-type", "topics", "--entity-name", "orders-us"])),
        "Dynamic configs for topic orders-us are:\n  \
         cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n  \
         retention.ms=5000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=5000}\n"
    );
    let all = configs(&["--describe", "--topic", "orders-us", "--all"]);
    assert!(ok(&all).starts_with("All configs for topic orders-us are:\n"), "{all:?}");
    assert!(
        all.stdout
            .contains("\n  segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}\n"),
        "{all:?}"
    );
    let described = topics(&["--describe", "--topic", "orders-us"]);
    assert!(ok(&described).contains("cleanup.policy=compact,delete"), "{described:?}");
    assert!(described.stdout.contains("retention.ms=5000"), "{described:?}");
    let run = configs(&["--alter", "--topic", "orders-us", "--delete-config", "retention.ms,cleanup.policy"]);
    assert_eq!(ok(&run), "Completed updating config for topic orders-us.\n");
    assert_eq!(
        ok(&configs(&["--describe", "--topic", "orders-us"])),
        "Dynamic configs for topic orders-us are:\n"
    );
    assert_eq!(
        ok(&configs(&["--describe", "--topic", "nope"])),
        "The topic 'nope' doesn't exist and doesn't have dynamic config.\n"
    );

    // Broker configs: the cluster-wide default, and broker 1's own.
    let run = configs(&[
        "--alter",
        "--entity-type",
        "brokers",
        "--entity-default",
        "--add-config",
        "log.retention.ms=123456789",
    ]);
    assert_eq!(ok(&run), "Completed updating default config for brokers in the cluster.\n");
    assert_eq!(
        ok(&configs(&["--describe", "--entity-type", "brokers"])),
        "Dynamic configs for broker 1 are:\nDefault configs for brokers in the cluster are:\n  \
         log.retention.ms=123456789 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=123456789}\n"
    );
    let run = configs(&["--alter", "--broker", "1", "--add-config", "log.retention.ms=5000"]);
    assert_eq!(ok(&run), "Completed updating config for broker 1.\n");
    let broker1 = configs(&["--describe", "--broker", "1"]);
    assert!(
        ok(&broker1).starts_with("Dynamic configs for broker 1 are:\n  log.retention.ms=5000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=5000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=123456789"),
        "{broker1:?}"
    );
    ok(&configs(&["--alter", "--broker", "1", "--delete-config", "log.retention.ms"]));
    ok(&configs(&["--alter", "--broker-defaults", "--delete-config", "log.retention.ms"]));
    assert_eq!(
        ok(&configs(&["--describe", "--broker-defaults"])),
        "Default configs for brokers in the cluster are:\n"
    );
    assert_eq!(
        ok(&configs(&["--describe", "--broker", "7"])),
        "The broker '7' doesn't exist and doesn't have dynamic config.\n"
    );

    // Delete by regex; unknown topics.
    assert_eq!(ok(&topics(&["--delete", "--topic", "orders.*"])), "");
    assert_eq!(ok(&topics(&["--list"])), "quickstart-events\n");
    let nope = topics(&["--delete", "--topic", "nope"]);
    assert_eq!(
        fails(&nope).stdout,
        "Error while executing topic command : Topic 'nope' does not exist as expected\n"
    );
    assert_eq!(ok(&topics(&["--delete", "--topic", "nope", "--if-exists"])), "");
    assert_eq!(ok(&topics(&["--alter", "--topic", "nope", "--partitions", "2", "--if-exists"])), "");
    assert_eq!(ok(&topics(&["--describe", "--topic", "nope", "--if-exists"])), "");
    let nope = topics(&["--describe", "--topic", "no.*"]);
    assert_eq!(
        fails(&nope).stdout,
        "Error while executing topic command : Topic 'no.*' does not exist as expected\n"
    );
    ok(&topics(&["--delete", "--topic", "quickstart-events"]));
    // Nothing to list is one empty line, as Kafka's println of an empty join.
    assert_eq!(ok(&topics(&["--list"])), "\n");
}

/// Kafka's messages and exit codes for bad command lines, unknown topics, bad values, and a
/// broker that cannot be reached (reported within the request timeout, naming the address).
#[test]
fn errors_as_kafka_reports_them() {
    let first_err = |run: &Run| fails(run).stderr.lines().next().unwrap_or_default().to_string();
    // Usage errors: message then options on stderr, exit 1, no connection made.
    let usage = [
        (vec!["--bootstrap-server", "h:1"], "Command must include exactly one action: --list, --describe, --create, --alter or --delete"),
        (vec!["--bootstrap-server", "h:1", "--list", "--create"], "Command must include exactly one action: --list, --describe, --create, --alter or --delete"),
        (vec!["--list"], "--bootstrap-server must be specified"),
        (vec!["--bootstrap-server", "h:1", "--create"], "Missing required argument \"[topic]\""),
        (vec!["--bootstrap-server", "h:1", "--alter", "--topic", "t"], "Missing required argument \"[partitions]\""),
        (vec!["--bootstrap-server", "h:1", "--list", "--partitions", "3"], "Option \"[partitions]\" can't be used with option \"[list]\""),
        (vec!["--bootstrap-server", "h:1", "--create", "--topic", "t", "--if-exists"], "Option \"[if-exists]\" can't be used with option \"[create]\""),
        (vec!["--bootstrap-server", "h:1", "--describe", "--if-exists"], "--topic or --topic-id is required to describe a topic"),
        (vec!["--bootstrap-server", "h:1", "--alter", "--topic", "t", "--partitions", "2", "--config", "a=b"], "Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\" (To alter topic configurations, the kafka-configs tool can be used.)"),
    ];
    for (args, message) in usage {
        let run = kaskade("topics", &args);
        assert_eq!(first_err(&run), message, "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
    }
    let none = kaskade("topics", &[]);
    assert_eq!(first_err(&none), "Create, delete, describe, or change a topic.");
    assert!(none.stderr.contains("--bootstrap-server"), "the options follow: {none:?}");
    assert_eq!(
        fails(&kaskade("topics", &["--bootstrap-server", "h:1", "--no-such-flag"])).stdout,
        ""
    );
    let help = kaskade("topics", &["--help"]);
    assert!(ok(&help).contains("--under-replicated-partitions"), "{help:?}");
    assert!(ok(&kaskade("configs", &["--help"])).contains("--add-config"));

    let configs_usage = [
        (vec!["--bootstrap-server", "h:1"], "Command must include exactly one action: --describe, --alter"),
        (vec!["--describe", "--topic", "t"], "Either --bootstrap-server or --bootstrap-controller must be specified."),
        (vec!["--bootstrap-server", "h:1", "--describe", "--entity-type", "foo"], "Invalid entity type foo, the entity type must be one of broker-loggers, topics, clients, users, brokers, ips, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument"),
        (vec!["--bootstrap-server", "h:1", "--describe", "--topic", "t", "--add-config", "a=1"], "Option \"[describe]\" can't be used with option \"[add-config]\""),
        (vec!["--bootstrap-server", "h:1", "--alter", "--entity-type", "topics", "--add-config", "a=1"], "An entity name must be specified with --alter of topics"),
        (vec!["--bootstrap-server", "h:1", "--alter", "--topic", "t"], "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"),
        (vec!["--bootstrap-server", "h:1", "--alter", "--broker", "x", "--add-config", "a=1"], "The entity name for brokers must be a valid integer broker id, but it is: x"),
        (vec!["--bootstrap-server", "h:1", "--describe", "--entity-type", "topics", "--entity-default"], "--entity-default must not be specified with --describe of topics"),
        (vec!["--bootstrap-server", "h:1", "--describe", "--entity-type", "users"], "kaskade configs does not support entity type 'users': only topics and brokers"),
        (vec!["--bootstrap-server", "h:1", "--alter", "--topic", "t", "--add-config", "a"], "Invalid entity config: all configs to be added must be in the format \"key=val\" or  \"key=[val1,val2]\" to group values which contain commas."),
        (vec!["--bootstrap-server", "h:1", "--describe", "--topic", "x*"], "Topic name is invalid: 'x*' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"),
    ];
    for (args, message) in configs_usage {
        let run = kaskade("configs", &args);
        assert_eq!(first_err(&run), message, "{args:?}");
    }

    // Nobody listens on port 1: refused at once.
    let down = kaskade("topics", &["--bootstrap-server", "127.0.0.1:1", "--list"]);
    assert!(
        fails(&down)
            .stdout
            .starts_with("Error while executing topic command : cannot reach Kafka at 127.0.0.1:1"),
        "{down:?}"
    );
    assert!(down.elapsed < Duration::from_secs(10), "{down:?}");
    let down = kaskade("configs", &["--bootstrap-server", "127.0.0.1:1", "--describe", "--topic", "t"]);
    assert_eq!(
        first_err(&down),
        "Error while executing config command with args '--bootstrap-server 127.0.0.1:1 --describe --topic t'"
    );
    assert!(down.stderr.contains("cannot reach Kafka at 127.0.0.1:1"), "{down:?}");
    // An address that never answers: bounded by request.timeout.ms from --command-config.
    let dir = tempfile::tempdir().expect("tempdir");
    let props = dir.path().join("admin.properties");
    let mut f = std::fs::File::create(&props).expect("create");
    writeln!(f, "# admin client settings\nrequest.timeout.ms=1500\nclient.id=tools-test").expect("write");
    let props = props.to_string_lossy().to_string();
    let silent = kaskade(
        "topics",
        &["--bootstrap-server", "10.255.255.1:9092", "--command-config", &props, "--list"],
    );
    assert!(fails(&silent).stdout.contains("10.255.255.1:9092"), "{silent:?}");
    assert!(silent.elapsed < Duration::from_secs(10), "{silent:?}");
    let missing = kaskade(
        "topics",
        &["--bootstrap-server", "h:1", "--command-config", "/nonexistent.properties", "--list"],
    );
    assert!(fails(&missing).stderr.contains("/nonexistent.properties"), "{missing:?}");

    // Against a broker: unknown topics and values the broker refuses.
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let topics = |args: &[&str]| kaskade("topics", &[&["--bootstrap-server", &bs], args].concat());
    let configs = |args: &[&str]| kaskade("configs", &[&["--bootstrap-server", &bs], args].concat());
    let cases = [
        (vec!["--describe", "--topic", "nope"], "Topic 'nope' does not exist as expected"),
        (
            vec!["--alter", "--topic", "nope", "--partitions", "2"],
            "Topic 'nope' does not exist as expected",
        ),
        (
            vec!["--create", "--topic", "t", "--partitions", "0"],
            "The partitions must be greater than 0",
        ),
        (
            vec!["--create", "--topic", "t", "--partitions", "abc"],
            "Cannot parse argument 'abc' of option partitions",
        ),
        (
            vec!["--create", "--topic", "t", "--replication-factor", "0"],
            "The replication factor must be between 1 and 32767 inclusive",
        ),
        (
            vec!["--create", "--topic", "t", "--config", "retention.ms"],
            "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
        ),
        (
            vec!["--create", "--topic", "t", "--replica-assignment", "1:1"],
            "Partition replica lists may not contain duplicate entries: 1",
        ),
        (
            vec!["--create", "--topic", "bad*"],
            "Topic name is invalid: 'bad*' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
        ),
        (
            vec!["--create", "--topic", "t", "--config", "foo=1"],
            "Unknown topic config name: foo",
        ),
        (vec!["--list", "--topic", "["], "[ is an invalid regex."),
        (
            vec!["--describe", "--topic-id", "abc"],
            "Input string `abc` decoded as 2 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
        ),
        (
            vec!["--describe", "--topic-id", "AAAAAAAAAAAAAAAAAAAAAQ"],
            "TopicId 'AAAAAAAAAAAAAAAAAAAAAQ' does not exist as expected",
        ),
    ];
    for (args, message) in cases {
        let run = topics(&args);
        assert_eq!(
            fails(&run).stdout,
            format!("Error while executing topic command : {message}\n"),
            "{args:?}"
        );
    }
    let unknown = configs(&["--alter", "--topic", "nope", "--add-config", "retention.ms=1"]);
    assert_eq!(
        first_err(&unknown),
        format!(
            "Error while executing config command with args '--bootstrap-server {bs} --alter --topic nope --add-config retention.ms=1'"
        )
    );
    assert!(unknown.stderr.contains("UnknownTopicOrPartitionException"), "{unknown:?}");
}

/// Runs the sequence through one tool (Kafka's or ours) against `bootstrap`, topic names
/// prefixed `prefix`; returns one block per command: the command, exit code, stdout, and for a
/// failed kafka-configs the first stderr line.
fn sequence(run: &dyn Fn(&str, &[&str]) -> Run, bootstrap: &str, prefix: &str) -> String {
    let t = |name: &str| format!("{prefix}-{name}");
    let (orders, audit, nope, all) = (t("orders.eu"), t("audit"), t("nope"), format!("{prefix}-.*"));
    let commands: Vec<(&str, Vec<&str>)> = vec![
        (
            "topics",
            vec![
                "--create",
                "--topic",
                &orders,
                "--partitions",
                "2",
                "--config",
                "retention.ms=1000",
                "--config",
                "cleanup.policy=compact",
            ],
        ),
        ("topics", vec!["--create", "--topic", &orders]),
        ("topics", vec!["--create", "--topic", &audit, "--replication-factor", "1"]),
        ("topics", vec!["--list", "--topic", &all]),
        ("topics", vec!["--alter", "--topic", &audit, "--partitions", "3"]),
        ("topics", vec!["--alter", "--topic", &audit, "--partitions", "2"]),
        ("topics", vec!["--describe", "--topic", &all]),
        ("topics", vec!["--describe", "--topic", &all, "--topics-with-overrides"]),
        ("topics", vec!["--describe", "--topic", &nope]),
        (
            "configs",
            vec![
                "--alter",
                "--topic",
                &audit,
                "--add-config",
                "retention.ms=5000,cleanup.policy=[compact,delete]",
            ],
        ),
        ("configs", vec!["--describe", "--topic", &audit]),
        ("configs", vec!["--describe", "--topic", &audit, "--all"]),
        ("configs", vec!["--alter", "--topic", &audit, "--delete-config", "retention.ms"]),
        ("configs", vec!["--alter", "--topic", &nope, "--add-config", "retention.ms=1"]),
        (
            "configs",
            vec![
                "--alter",
                "--entity-type",
                "brokers",
                "--entity-default",
                "--add-config",
                "log.retention.ms=123456789",
            ],
        ),
        ("configs", vec!["--describe", "--entity-type", "brokers"]),
        (
            "configs",
            vec![
                "--alter",
                "--entity-type",
                "brokers",
                "--entity-default",
                "--delete-config",
                "log.retention.ms",
            ],
        ),
        ("topics", vec!["--delete", "--topic", &all]),
    ];
    let mut transcript = String::new();
    for (tool, args) in commands {
        let args = [&["--bootstrap-server", bootstrap], args.as_slice()].concat();
        let r = run(tool, &args);
        transcript.push_str(&format!("$ {tool} {}\n[exit {}]\n{}", args.join(" "), r.code, r.stdout));
        if tool == "configs" && r.code != 0 {
            transcript.push_str(&format!("stderr: {}\n", r.stderr.lines().next().unwrap_or_default()));
        }
    }
    transcript
}

/// What legitimately differs between two runs of the sequence: the topic ids (new topics each
/// run), and the names' prefix. The prefixes `Aa` and `BB` have the same Java hash code
/// (2112), so the Java `HashMap` orders Kafka's tool prints in are the same for both runs and
/// the outputs compare line for line.
fn normalise(transcript: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(transcript.len());
    let mut rest = transcript;
    while let Some(i) = rest.find("TopicId: ") {
        let (head, tail) = rest.split_at(i + "TopicId: ".len());
        out.push_str(head);
        let id_len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        out.push_str("<id>");
        rest = &tail[id_len..];
    }
    out.push_str(rest);
    out.replace(prefix, "<prefix>")
}

fn differential(bootstrap: &str, broker: &str) {
    let kafkas = sequence(&|tool, args| kafka(tool, args), bootstrap, "Aa");
    let ours = sequence(&|tool, args| kaskade(tool, args), bootstrap, "BB");
    assert_same_text(
        &format!("kafka-topics/kafka-configs vs kaskade topics/configs against {broker}"),
        &normalise(&kafkas, "Aa"),
        &normalise(&ours, "BB"),
    );
}

#[test]
fn differential_against_a_kaskade_broker() {
    let b = BrokerProc::start(&[]);
    differential(&b.bootstrap(), "a Kaskade broker");
}

#[test]
fn differential_against_apache_kafka() {
    differential(kafka_peer::shared(), "Apache Kafka 4.4");
}

#[test]
fn normalising_keeps_all_but_ids_and_prefix() {
    assert_eq!(
        normalise("Topic: Aa-x\tTopicId: nXmyzWRLQkiNfEyrh7u4dA\tPartitionCount: 1\n", "Aa"),
        "Topic: <prefix>-x\tTopicId: <id>\tPartitionCount: 1\n"
    );
}
