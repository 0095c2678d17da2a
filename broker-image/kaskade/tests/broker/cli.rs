//! `kaskade broker` as a process: configuration errors are clear and fatal (a quorum without a
//! CONTROLLER listener or without this broker, a log dir of another cluster, features not built yet), unknown keys are only
//! warnings, SIGTERM under load answers what is in flight and exits 0, and `kaskade perf` prints
//! Kafka's perf-tool lines.

use std::process::Command;
use std::time::Duration;

use kaskade_testkit::{kaskade_bin, BrokerProc};

/// Runs `kaskade broker` expecting it to refuse to start; returns its stderr.
fn refused(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(kaskade_bin());
    cmd.arg("broker")
        .arg("--override")
        .arg(format!("log.dirs={}", dir.path().display()));
    cmd.arg("--override")
        .arg(format!("listeners=PLAINTEXT://127.0.0.1:{}", kaskade_testkit::free_port()));
    for a in args {
        cmd.arg("--override").arg(a);
    }
    let out = cmd.output().expect("run kaskade");
    assert!(!out.status.success(), "expected a refusal for {args:?}");
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn configuration_errors_are_clear() {
    let e = refused(&["controller.quorum.voters=1@h0:9093,2@h1:9093,3@h2:9093"]);
    assert!(
        e.contains("several voters") && e.contains("controller.listener.names (CONTROLLER)"),
        "{e}"
    );
    let e = refused(&["controller.quorum.voters=2@h1:9093,3@h2:9093"]);
    assert!(e.contains("does not name this broker (node.id 1)"), "{e}");
    let e = refused(&["controller.quorum.voters=7@h0:9093"]);
    assert!(e.contains("node.id 1"), "{e}");
    let e = refused(&["num.partitions=many"]);
    assert!(e.contains("num.partitions") && e.contains("not an integer"), "{e}");
    let e = refused(&["compression.type=gzip"]);
    assert!(e.contains("compression.type=gzip is not supported"), "{e}");
    let e = refused(&["log.message.timestamp.type=LogAppendTime"]);
    assert!(e.contains("LogAppendTime is not supported"), "{e}");
}

#[test]
fn a_log_dir_of_another_cluster_or_node_is_refused() {
    let mut b = BrokerProc::start(&[]);
    assert!(b.terminate().success());
    let meta = std::fs::read_to_string(b.log_dir().join("meta.properties")).expect("meta.properties");
    assert!(
        meta.contains("version=1") && meta.contains("node.id=1") && meta.contains("cluster.id="),
        "{meta}"
    );
    let run = |extra: &str| {
        Command::new(kaskade_bin())
            .args(["broker", "--override", &format!("log.dirs={}", b.log_dir().display())])
            .args([
                "--override",
                &format!("listeners=PLAINTEXT://127.0.0.1:{}", kaskade_testkit::free_port()),
                "--override",
                extra,
            ])
            .output()
            .expect("run")
    };
    let out = run("cluster.id=AAAAAAAAAAAAAAAAAAAAAA");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to cluster"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run("node.id=2");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to node.id 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_keys_are_warnings() {
    let b = BrokerProc::start(&["totally.unknown.key=1", "num.network.threads=8"]);
    let logs = b.logs();
    assert!(
        logs.contains("unknown configuration key ignored") && logs.contains("totally.unknown.key"),
        "{logs}"
    );
    assert!(
        !logs.contains("num.network.threads"),
        "Kafka keys without effect are accepted quietly:\n{logs}"
    );
}

#[test]
fn sigterm_under_load_answers_in_flight_requests_and_exits_zero() {
    let mut b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    // A producer streams acks=all records; SIGTERM lands mid-stream.
    let producer = std::thread::spawn(move || {
        Command::new(kaskade_bin())
            .args([
                "perf",
                "produce",
                "--bootstrap-server",
                &bs,
                "--topic",
                "term",
                "--num-records",
                "2000000",
                "--record-size",
                "100",
            ])
            .args(["--acks", "all", "--quiet", "--producer-props", "message.timeout.ms=5000"])
            .output()
            .expect("perf")
    });
    std::thread::sleep(Duration::from_millis(1500));
    let status = b.terminate();
    assert!(status.success(), "SIGTERM exits 0, got {status}");
    assert!(b.logs().contains("stopped cleanly"), "{}", b.logs());
    let _ = producer.join();
    b.spawn();
    assert!(b.logs().contains("clean_shutdown=true"), "{}", b.logs());
}

#[test]
fn perf_tool_prints_kafka_style_lines() {
    let b = BrokerProc::start(&[]);
    let out = Command::new(kaskade_bin())
        .args([
            "perf",
            "produce",
            "--bootstrap-server",
            &b.bootstrap(),
            "--topic",
            "perf",
            "--num-records",
            "5000",
            "--record-size",
            "512",
        ])
        .args(["--acks", "1", "--throughput", "-1"])
        .output()
        .expect("perf produce");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("5000 records sent, ") && last.contains(" records/sec (") && last.contains(" MB/sec), "),
        "{last}"
    );
    assert!(
        last.contains(" ms 50th, ") && last.contains(" ms 99th, ") && last.ends_with(" ms 99.9th."),
        "{last}"
    );
    let out = Command::new(kaskade_bin())
        .args([
            "perf",
            "consume",
            "--bootstrap-server",
            &b.bootstrap(),
            "--topic",
            "perf",
            "--messages",
            "5000",
        ])
        .output()
        .expect("perf consume");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg"),
        "{stdout}"
    );
    let fields: Vec<&str> = lines[1].split(", ").collect();
    assert_eq!(fields[4], "5000", "{stdout}");
    let mib: f64 = fields[2].parse().expect("MB");
    assert!((mib - 5000.0 * 512.0 / 1048576.0).abs() < 0.01, "{stdout}");
}
