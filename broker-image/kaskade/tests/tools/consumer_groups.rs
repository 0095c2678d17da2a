//! `kaskade consumer-groups` as users run it, each command a real process against a real
//! `kaskade broker`: a librdkafka consumer in a group commits offsets, then the tool lists the
//! group, describes it (offsets with lag, members, state) while the member is active and after
//! it left, refuses to reset or delete it while active, resets its offsets with every strategy
//! (dry run and execute; the committed offsets are read back), deletes offsets and the group;
//! and fails clearly for an unknown group, an unreachable broker and bad flags.
//!
//! The differential test runs the same command sequence through Apache Kafka 4.4's own
//! `kafka-consumer-groups` (the JVM tool, `e2e/peers/kafka/tool.sh`) and through
//! `kaskade consumer-groups`, against a Kaskade broker and against the shared Kafka peer: stdout
//! must be byte-identical. The only normalisation is the wall-clock timestamp Kafka's log4j puts
//! before its resetter's WARN lines on stderr. Member ids, hosts and client ids need none: both
//! tools describe the same group of the same broker, one right after the other. Where the tools
//! differ on purpose (listed in `docs/compatibility.md`): after a runtime failure Kafka exits 0
//! with a stack trace on stderr, kaskade exits 1 with the `Error:` line on stderr; Kafka follows
//! a usage error with its help text, kaskade with nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kaskade_testkit::clients::create_topic;
use kaskade_testkit::groups::{committed, produce, unique, wait_committed, wait_records, wait_settled, Client, Member, Opts};
use kaskade_testkit::tools::{group_rows, kafka_tool, kaskade_tool, run_text, Run};
use kaskade_testkit::{free_port, kafka_peer, BrokerProc};

const SETTLE: Duration = Duration::from_secs(60);
const READ: Duration = Duration::from_secs(60);
const COMMIT: Duration = Duration::from_secs(30);

/// `kaskade consumer-groups ARGS`.
fn cg(args: &[&str]) -> Run {
    run_text(kaskade_tool(&[&["consumer-groups"], args].concat()))
}

/// Kafka 4.4's `kafka-consumer-groups ARGS`.
fn kafka_cg(args: &[&str]) -> Run {
    run_text(kafka_tool("kafka-consumer-groups", args))
}

/// Epoch milliseconds now.
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `YYYY-MM-DDTHH:mm:ss.SSS` in UTC (what `--to-datetime` reads without a zone), from GNU
/// `date`: an oracle apart from the tool's own calendar code.
fn iso_utc(ms: i64) -> String {
    let out = Command::new("date")
        .args(["-u", &format!("--date=@{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))])
        .arg("+%Y-%m-%dT%H:%M:%S.%3N")
        .output()
        .expect("date");
    assert!(out.status.success(), "date: {out:?}");
    String::from_utf8(out.stdout).expect("date's output").trim_end().to_string()
}

fn offsets(pairs: &[(i32, i64)]) -> BTreeMap<i32, i64> {
    pairs.iter().copied().collect()
}

/// A reset plan: (partition, new offset).
type Plan<'a> = &'a [(i32, i64)];

const OFFSETS_HEADER: &str =
    "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID";

#[tokio::test]
async fn consumer_groups_lists_describes_resets_and_deletes() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bs = broker.bootstrap();
    let b = ["--bootstrap-server", bs.as_str()];
    let cgw = |args: &[&str]| cg(&[&b[..], args].concat());
    create_topic(&bs, "orders", 2, &[]).await;
    produce(&bs, "orders", 2, "first", 5).await;

    // A librdkafka member reads everything and commits each record.
    let mut member = Member::start(Client::Rdkafka, "cli-1", &bs, "orders", "billing", &Opts::default());
    wait_settled(&[&member], 2, SETTLE);
    wait_records(&[&member], 10, READ);
    wait_committed(&bs, "billing", "orders", &offsets(&[(0, 5), (1, 5)]), COMMIT);

    assert_eq!(cgw(&["--list"]).ok().stdout, "billing\n");
    let out = cgw(&["--list", "--state"]).ok().stdout;
    assert_eq!(
        out,
        "GROUP                     STATE               \nbilling                   Stable              \n"
    );

    // Active: each partition's committed offset, log end, lag 0, and its owner.
    let out = cgw(&["--describe", "--group", "billing"]).ok();
    assert_eq!(out.stderr, "", "a stable group has no note");
    let described = group_rows(&out.stdout, "billing");
    assert_eq!(described.len(), 2, "{}", out.stdout);
    for (p, row) in described.iter().enumerate() {
        assert_eq!(&row[..6], ["billing", "orders", &p.to_string(), "5", "5", "0"], "{}", out.stdout);
        assert!(row[6].starts_with("cli-1-"), "consumer id: {}", out.stdout);
        assert_eq!(&row[7..], ["/127.0.0.1", "cli-1"], "{}", out.stdout);
    }
    let member_id = described[0][6].clone();
    let out = cgw(&["--describe", "--group", "billing", "--members"]).ok().stdout;
    assert_eq!(
        group_rows(&out, "billing"),
        [["billing", &member_id, "/127.0.0.1", "cli-1", "2"]],
        "{out}"
    );
    let out = cgw(&["--describe", "--group", "billing", "--members", "--verbose"]).ok().stdout;
    assert_eq!(
        group_rows(&out, "billing"),
        [["billing", &member_id, "/127.0.0.1", "cli-1", "2", "-", "orders:0,1", "-", "-"]],
        "{out}"
    );
    let out = cgw(&["--describe", "--group", "billing", "--state"]).ok().stdout;
    let coordinator = format!("127.0.0.1:{}", broker.port);
    assert_eq!(
        group_rows(&out, "billing"),
        [["billing", &coordinator, "(1)", "range", "Stable", "1"]],
        "{out}"
    );

    // Active groups are neither reset nor deleted.
    let out = cgw(&[
        "--reset-offsets",
        "--group",
        "billing",
        "--all-topics",
        "--to-earliest",
        "--execute",
    ])
    .failed();
    assert!(
        out.stdout
            .contains("\nError: Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.\n"),
        "{out:?}"
    );
    let out = cgw(&["--delete", "--group", "billing"]).failed();
    assert_eq!(
        out.stdout,
        "\nError: Deletion of some consumer groups failed:\n* Group 'billing' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n"
    );
    assert_eq!(committed(&bs, "billing", "orders", 2), offsets(&[(0, 5), (1, 5)]));

    // The member leaves: the group is empty; new records make it lag.
    let summary = member.stop();
    assert!(summary.starts_with("OK "), "{summary}");
    let out = cgw(&["--describe", "--group", "billing", "--state"]).ok();
    assert_eq!(
        group_rows(&out.stdout, "billing"),
        [["billing", &coordinator, "(1)", "-", "Empty", "0"]],
        "{out:?}"
    );
    assert_eq!(out.stderr, "\nConsumer group 'billing' has no active members.\n");
    let t_mid = now_ms();
    std::thread::sleep(Duration::from_secs(3));
    produce(&bs, "orders", 2, "late", 2).await;
    let out = cgw(&["--describe", "--group", "billing"]).ok();
    assert_eq!(
        out.stdout,
        format!(
            "\n{OFFSETS_HEADER}\n\
             billing         orders          0          5               7               2               -               -               -\n\
             billing         orders          1          5               7               2               -               -               -\n"
        )
    );
    assert_eq!(out.stderr, "\nConsumer group 'billing' has no active members.\n");

    // Resets: a dry run changes nothing; --execute commits; every strategy.
    let reset = |args: &[&str]| {
        let mut full = vec!["--reset-offsets", "--group", "billing"];
        full.extend_from_slice(args);
        cgw(&full)
    };
    let table = |pairs: &[(i32, i64)]| {
        let mut s = String::from("\nGROUP           TOPIC           PARTITION  NEW-OFFSET");
        for (p, o) in pairs {
            s.push_str(&format!("\nbilling         orders          {p:<10} {o}"));
        }
        s + "\n"
    };
    let out = reset(&["--topic", "orders", "--to-earliest", "--dry-run"]).ok();
    assert_eq!(out.stdout, table(&[(0, 0), (1, 0)]));
    assert_eq!(out.stderr, "");
    let out = reset(&["--topic", "orders", "--to-earliest"]).ok();
    assert!(
        out.stderr
            .starts_with("WARN: No action will be performed as the --execute option is missing."),
        "{out:?}"
    );
    assert_eq!(
        committed(&bs, "billing", "orders", 2),
        offsets(&[(0, 5), (1, 5)]),
        "dry runs commit nothing"
    );

    let cases: &[(&[&str], Plan)] = &[
        (&["--topic", "orders", "--to-earliest"], &[(0, 0), (1, 0)]),
        (&["--all-topics", "--to-latest"], &[(0, 7), (1, 7)]),
        (&["--topic", "orders", "--to-offset", "3"], &[(0, 3), (1, 3)]),
        (&["--all-topics", "--shift-by", "-1"], &[(0, 2), (1, 2)]),
        (&["--topic", "orders:1", "--to-offset", "6"], &[(1, 6)]),
        (&["--all-topics", "--to-current"], &[(0, 2), (1, 6)]),
        (&["--topic", "orders", "--to-datetime", &iso_utc(t_mid)], &[(0, 5), (1, 5)]),
    ];
    let mut want = offsets(&[(0, 5), (1, 5)]);
    for (args, plan) in cases {
        let mut full = args.to_vec();
        full.push("--execute");
        let out = reset(&full).ok();
        assert_eq!(out.stdout, table(plan), "{args:?}");
        want.extend(plan.iter().copied());
        assert_eq!(committed(&bs, "billing", "orders", 2), want, "after {args:?}");
    }
    reset(&["--all-topics", "--to-earliest", "--execute"]).ok();
    let ago = now_ms() - t_mid;
    let duration = format!("PT{}.{:03}S", ago / 1000, ago % 1000);
    let out = reset(&["--all-topics", "--by-duration", &duration, "--execute"]).ok();
    assert_eq!(out.stdout, table(&[(0, 5), (1, 5)]), "{duration}");
    assert_eq!(committed(&bs, "billing", "orders", 2), offsets(&[(0, 5), (1, 5)]));

    // Out of range: clamped, with the resetter's warning; after the last record: the log end.
    let out = reset(&["--topic", "orders:0", "--to-offset", "100", "--dry-run"]).ok();
    assert_eq!(out.stdout, table(&[(0, 7)]));
    assert!(
        out.stderr.ends_with(
            "] WARN New offset (100) is higher than latest offset for topic partition orders-0. Value will be set to 7. (org.apache.kafka.tools.GroupOffsetsResetter)\n"
        ),
        "{out:?}"
    );
    let out = reset(&["--topic", "orders", "--to-datetime", "2999-01-01T00:00:00.000", "--dry-run"]).ok();
    assert_eq!(
        out.stdout,
        format!(
            "\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n\
             \nWarn: Partition 1 from topic orders is empty. Falling back to latest known offset.\n{}",
            table(&[(0, 7), (1, 7)])
        )
    );

    // --export writes the plan as CSV; --from-file applies it.
    let out = reset(&["--topic", "orders", "--to-offset", "1", "--export", "--dry-run"]).ok();
    assert_eq!(out.stdout, "orders,0,1\norders,1,1\n\n");
    let plan = tempfile::NamedTempFile::new().unwrap();
    plan.as_file().write_all(out.stdout.as_bytes()).unwrap();
    let out = reset(&["--from-file", plan.path().to_str().unwrap(), "--execute"]).ok();
    assert_eq!(out.stdout, table(&[(0, 1), (1, 1)]));
    assert_eq!(committed(&bs, "billing", "orders", 2), offsets(&[(0, 1), (1, 1)]));

    // Kafka's errors for bad reset arguments.
    let out = reset(&["--all-topics", "--to-datetime", "yesterday", "--dry-run"]).failed();
    assert_eq!(
        out.stdout,
        "\nError: Executing consumer group command failed due to java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format\n"
    );
    let out = reset(&["--topic", "orders:7", "--to-earliest", "--dry-run"]).failed();
    assert_eq!(
        out.stdout,
        "\nError: Executing consumer group command failed due to The partitions \"orders-7\" do not exist\n"
    );
    let out = reset(&["--topic", "missing", "--to-earliest", "--dry-run"]).failed();
    assert_eq!(
        out.stdout,
        "\nError: Executing consumer group command failed due to This server does not host this topic-partition.\n"
    );
    assert_eq!(committed(&bs, "billing", "orders", 2), offsets(&[(0, 1), (1, 1)]));

    // --delete-offsets for one partition, then --delete the group.
    let out = cgw(&["--delete-offsets", "--group", "billing", "--topic", "orders:1"]).ok();
    assert_eq!(
        out.stdout,
        "Request succeeded for deleting offsets from group billing.\n\nTOPIC           PARTITION  STATUS         \norders          1          Successful     \n"
    );
    assert_eq!(committed(&bs, "billing", "orders", 2), offsets(&[(0, 1)]));
    let out = cgw(&["--delete", "--group", "billing"]).ok();
    assert_eq!(out.stdout, "Deletion of requested consumer groups ('billing') was successful.\n");
    assert_eq!(cgw(&["--list"]).ok().stdout, "");
    let out = cgw(&["--describe", "--group", "billing"]).failed();
    let line = "Error: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group billing not found.";
    assert_eq!(out.stdout, format!("\n{line}\n"));
    assert_eq!(out.stderr, format!("{line}\n"));
}

#[test]
fn unreachable_brokers_and_bad_flags_fail_with_exit_1() {
    // Nothing listens: refused at once, naming the address.
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let out = cg(&["--bootstrap-server", &addr, "--list"]).failed();
    assert!(out.elapsed < Duration::from_secs(10), "{out:?}");
    assert!(out.stderr.contains(&addr) && out.stdout.contains(&addr), "{out:?}");
    assert!(
        out.stdout
            .starts_with("\nError: Executing consumer group command failed due to cannot reach Kafka at"),
        "{out:?}"
    );

    // A socket that accepts and never answers: bounded by --timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = cg(&["--bootstrap-server", &addr, "--describe", "--group", "g", "--timeout", "1000"]).failed();
    assert!(out.elapsed < Duration::from_secs(6), "{out:?}");
    assert_eq!(
        out.stderr,
        format!("Error: Executing consumer group command failed due to cannot reach Kafka at {addr}: no connection within 1s\n")
    );

    // Kafka's messages for bad combinations; nothing is contacted.
    let b = "--bootstrap-server=127.0.0.1:1";
    let cases: &[(&[&str], &str)] = &[
        (&["--list"], "Missing required argument \"[bootstrap-server]\""),
        (&[b], "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex"),
        (&[b, "--describe"], "Option [describe] takes one of these options: [group], [all-groups]"),
        (&[b, "--list", "--group", "g"], "Option \"[group]\" can't be used with option \"[list]\""),
        (&[b, "--describe", "--group", "g", "--topic", "t"], "Option \"[topic]\" can't be used with option \"[describe]\""),
        (&[b, "--delete", "--group", "g", "--topic", "t"], "The consumer does not support topic-specific offset deletion from a consumer group."),
        (
            &[b, "--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--to-latest", "--dry-run"],
            "Option \"[to-earliest]\" can't be used with option \"[to-latest]\"",
        ),
        (
            &[b, "--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--dry-run", "--execute"],
            "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
        ),
        (&[b, "--list", "--members"], "Option(s) [members] are unavailable given other options on the command line"),
        (
            &[b, "--describe", "--group", "g", "--members", "--state"],
            "Option [describe] takes at most one of these options: [members], [offsets], [state]",
        ),
        (&[b, "--list", "--state", "bogus"], "Invalid state list 'bogus'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling"),
    ];
    for (args, message) in cases {
        let out = cg(args).failed();
        assert_eq!(out.stderr, format!("{message}\n"), "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    }
    let out = cg(&[b, "--list", "--bogus"]).failed();
    assert!(out.stderr.contains("--bogus"), "{out:?}");

    // --command-config: a missing file as Kafka reports it; only PLAINTEXT can be spoken.
    let out = cg(&[b, "--list", "--command-config", "/nonexistent/admin.properties"]).failed();
    assert_eq!(
        out.stdout,
        "\nError: Executing consumer group command failed due to java.nio.file.NoSuchFileException: /nonexistent/admin.properties\n"
    );
    let config = tempfile::NamedTempFile::new().unwrap();
    config.as_file().write_all(b"security.protocol=SASL_SSL\nclient.id=ops\n").unwrap();
    let out = cg(&[b, "--list", "--command-config", config.path().to_str().unwrap()]).failed();
    assert!(out.stderr.contains("security.protocol=SASL_SSL is not supported"), "{out:?}");

    let out = cg(&["--help"]).ok();
    for flag in [
        "--bootstrap-server",
        "--reset-offsets",
        "--to-datetime",
        "--members",
        "--command-config",
    ] {
        assert!(out.stdout.contains(flag), "--help lacks {flag}:\n{}", out.stdout);
    }
    let out = cg(&["--validate-regex", "orders-(eu|us"]).ok();
    assert_eq!(
        out.stdout,
        "The regular expression `orders-(eu|us` is invalid: missing closing ).\n"
    );
}

/// Kafka's log4j puts the wall-clock time before each WARN line; nothing else is normalised.
fn without_log_times(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| match (l.starts_with('['), l.find("] WARN ")) {
            (true, Some(i)) => format!("[time]{}", &l[i + 1..]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines of a Java stack trace (Kafka prints one on stderr after a runtime failure).
fn is_stack_trace(line: &str) -> bool {
    line.starts_with('\t') || line.starts_with("Caused by: ") || line.split(':').next().is_some_and(|c| c.ends_with("Exception"))
}

/// Runs `args` through both tools, asserts Kafka's output and returns Kafka's stdout.
fn same(bs: &str, args: &[&str]) -> String {
    let mut full = vec!["--bootstrap-server", bs];
    full.extend_from_slice(args);
    let kafka = kafka_cg(&full);
    let ours = cg(&full);
    let what = format!("kafka-consumer-groups {}", full.join(" "));
    kaskade_testkit::compare::assert_same_text(&format!("{what} (stdout)"), &kafka.stdout, &ours.stdout);
    let error_line = kafka.stdout.lines().find(|l| l.starts_with("Error: "));
    let printed_error = kafka.stdout.contains("Error: ");
    match kafka.code {
        0 if !printed_error => {
            assert_eq!(ours.code, 0, "{what}: {ours:?}");
            kaskade_testkit::compare::assert_same_text(
                &format!("{what} (stderr)"),
                &without_log_times(&kafka.stderr),
                &without_log_times(&ours.stderr),
            );
        }
        // A runtime failure: Kafka exits 0 (with a stack trace on stderr when an exception
        // ended it); we exit 1 with the Error line last on stderr.
        0 => {
            assert_eq!(ours.code, 1, "{what}: {ours:?}");
            let notes: Vec<&str> = kafka.stderr.lines().filter(|l| !is_stack_trace(l)).collect();
            let ours_notes: Vec<&str> = ours.stderr.lines().collect();
            let (last, ours_notes) = ours_notes.split_last().expect("an error line on stderr");
            kaskade_testkit::compare::assert_same_text(
                &format!("{what} (stderr notes)"),
                &without_log_times(&notes.join("\n")),
                &without_log_times(&ours_notes.join("\n")),
            );
            if let Some(line) = error_line {
                assert!(last.starts_with(line), "{what}: the Error line on stderr: {last}");
            }
        }
        // A usage error: the message is the first line of Kafka's stderr (its help follows).
        1 => {
            assert_eq!(ours.code, 1, "{what}: {ours:?}");
            assert_eq!(ours.stderr.lines().next(), kafka.stderr.lines().next(), "{what}");
        }
        code => panic!("{what}: Kafka's tool exited {code}: {kafka:?}"),
    }
    kafka.stdout
}

/// A fresh group id that lands in another bucket than `group` in a 16-bucket `java.util.HashMap`.
/// Kafka prints a multi-group reset plan out of a `HashMap<String, _>` whose ids were put in the
/// order of a `HashMap<CoordinatorKey, _>`; `CoordinatorKey`'s hash mixes in an enum's identity
/// hash, which changes with every JVM, so the order of two ids sharing a bucket is random in
/// Kafka's tool (see docs/compatibility.md) and cannot be compared.
fn in_another_bucket(group: &str, prefix: &str) -> String {
    let bucket = |s: &str| {
        let h = s.encode_utf16().fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u))) as u32;
        (h ^ (h >> 16)) & 15
    };
    loop {
        let id = unique(prefix);
        if bucket(&id) != bucket(group) {
            return id;
        }
    }
}

/// The command sequence, against one broker.
/// `--list` only where this test owns every group (a `KASKADE_DIFF_KAFKA` peer may hold others).
async fn differential_scenario(bs: &str, own_broker: bool) {
    let topic = unique("cg-orders");
    let group = unique("cg-billing");
    let other = in_another_bucket(&group, "cg-other");
    let t: &str = &topic;
    let g: &str = &group;
    create_topic(bs, t, 2, &[]).await;
    produce(bs, t, 2, "first", 4).await;
    let mut member = Member::start(Client::Rdkafka, "cli-diff", bs, t, g, &Opts::default());
    wait_settled(&[&member], 2, SETTLE);
    wait_records(&[&member], 8, READ);
    wait_committed(bs, g, t, &offsets(&[(0, 4), (1, 4)]), COMMIT);

    // Active.
    same(bs, &["--describe", "--group", g]);
    same(bs, &["--describe", "--group", g, "--members", "--verbose"]);
    same(bs, &["--describe", "--group", g, "--state", "--verbose"]);
    same(bs, &["--reset-offsets", "--group", g, "--all-topics", "--to-earliest", "--execute"]);
    same(bs, &["--delete", "--group", g]);

    // Empty, lagging.
    member.stop();
    produce(bs, t, 2, "late", 3).await;
    if own_broker {
        same(bs, &["--list", "--state", "--type"]);
    }
    same(bs, &["--describe", "--group", g, "--offsets", "--verbose"]);
    same(bs, &["--describe", "--group", g, "--state"]);
    same(bs, &["--reset-offsets", "--group", g, "--topic", t, "--to-earliest"]);
    same(
        bs,
        &["--reset-offsets", "--group", g, "--all-topics", "--shift-by", "-6", "--dry-run"],
    );
    same(
        bs,
        &[
            "--reset-offsets",
            "--group",
            g,
            "--topic",
            &format!("{t}:1"),
            "--to-offset",
            "99",
            "--dry-run",
        ],
    );
    same(
        bs,
        &[
            "--reset-offsets",
            "--group",
            g,
            "--topic",
            t,
            "--to-datetime",
            "2999-01-01T00:00:00.000+01:00",
            "--dry-run",
        ],
    );
    same(
        bs,
        &[
            "--reset-offsets",
            "--group",
            g,
            "--group",
            &other,
            "--topic",
            t,
            "--to-latest",
            "--export",
            "--dry-run",
        ],
    );
    // Plans read from files, in the one-group and the several-groups CSV formats.
    let plans = tempfile::tempdir().unwrap();
    let one = plans.path().join("one.csv");
    std::fs::write(&one, format!("{t},0,3\n{t},1,99\n")).unwrap();
    let several = plans.path().join("several.csv");
    std::fs::write(&several, format!("{g},{t},1,1\n{other},{t},0,2\n")).unwrap();
    for (file, groups, planned) in [
        (&one, vec!["--group", g], ["3", "7"]), // 99 is past the log end: clamped to 7
        (&several, vec!["--group", g, "--group", &other], ["1", "2"]),
    ] {
        let mut args = vec!["--reset-offsets"];
        args.extend(groups);
        args.extend(["--from-file", file.to_str().unwrap(), "--dry-run"]);
        let plan = same(bs, &args);
        let mut offsets: Vec<&str> = plan.lines().skip(2).filter_map(|l| l.split_whitespace().last()).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, planned, "{plan}");
    }
    // Executed twice (Kafka's tool, then ours): the same plan, the same committed offsets.
    same(
        bs,
        &["--reset-offsets", "--group", g, "--all-topics", "--to-offset", "2", "--execute"],
    );
    same(bs, &["--describe", "--group", g]);
    same(
        bs,
        &[
            "--delete-offsets",
            "--group",
            g,
            "--topic",
            &format!("{t}:0"),
            "--topic",
            "cg-no-such-topic",
        ],
    );
    same(bs, &["--describe", "--group", "cg-no-such-group"]);
    same(bs, &["--describe", "--group", g, "--all-groups"]);
    assert_eq!(committed(bs, g, t, 2), offsets(&[(1, 2)]));
}

/// A KIP-848 group (`group.protocol=consumer`, which Apache Kafka serves and Kaskade does not
/// yet): described with ConsumerGroupDescribe, so epochs and target assignments show.
async fn new_protocol_scenario(bs: &str) {
    let topic = unique("cg-new");
    let group = unique("cg-new-group");
    create_topic(bs, &topic, 2, &[]).await;
    produce(bs, &topic, 2, "new", 2).await;
    let mut consumer = kafka_tool(
        "kafka-console-consumer",
        &["--bootstrap-server", bs, "--topic", &topic, "--group", &group],
    )
    .args(["--from-beginning", "--consumer-property", "group.protocol=consumer"])
    .args(["--consumer-property", "client.id=cli-new"])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("kafka-console-consumer");
    let stable = kaskade_testkit::wait_for(SETTLE, || {
        let out = cg(&["--bootstrap-server", bs, "--describe", "--group", &group, "--state"]);
        group_rows(&out.stdout, &group)
            .first()
            .is_some_and(|r| r.get(4).map(String::as_str) == Some("Stable"))
            .then_some(())
    });
    assert!(stable.is_some(), "the KIP-848 group did not become stable");
    same(bs, &["--list", "--type"]);
    same(bs, &["--describe", "--group", &group, "--members", "--verbose"]);
    same(bs, &["--describe", "--group", &group, "--state", "--verbose"]);
    let _ = consumer.kill();
    let _ = consumer.wait();
}

#[tokio::test]
async fn kafkas_tool_and_ours_print_the_same() {
    let kafka = kafka_peer::shared();
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    differential_scenario(&broker.bootstrap(), true).await;
    let own_peer = std::env::var_os("KASKADE_DIFF_KAFKA").is_none();
    differential_scenario(kafka, own_peer).await;
    if own_peer {
        new_protocol_scenario(kafka).await;
    }
}
