//! Four more independent protocol implementations against the real `kaskade broker`: the Java
//! client, kafka-python, confluent-kafka (librdkafka 2.x), kafkajs and kcat (librdkafka 2.0.2)
//! run the round-trip programs in `e2e/interop/` with every codec, checking records byte for
//! byte at the offsets they were told. Dependencies come from `e2e/peers/install.sh`.

use std::process::Command;
use std::time::Duration;

use kaskade_testkit::{cache, repo_root, require, BrokerProc};

/// Runs one interop program; asserts it exits 0 and prints its final OK line.
fn run(client: &str, mut cmd: Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {client}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr
        .lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        out.status.success(),
        "{client} failed ({}):\n{stdout}\n--- stderr (tail) ---\n{tail}",
        out.status
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("OK ") && last.contains("failed=0"),
        "{client}: unexpected summary {last:?}\n{stdout}"
    );
    assert!(!stdout.contains("MISMATCH"), "{client}:\n{stdout}");
    eprintln!("{client}: {last}");
}

fn args(cmd: &mut Command, b: &BrokerProc, topic: &str) {
    cmd.args([
        "--bootstrap",
        &b.bootstrap(),
        "--topic",
        topic,
        "--codecs",
        "all",
        "--count",
        "200",
        "--seed",
        "7",
    ]);
}

#[test]
fn java_client_round_trips_every_codec() {
    let b = BrokerProc::start(&[]);
    let libs = cache().join("kafka-4.4.0/libs");
    require(&libs);
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(format!("{}/*", libs.display()))
        .arg(repo_root().join("e2e/interop/java/RoundTrip.java"));
    args(&mut cmd, &b, "interop-java");
    cmd.args(["--create-topic", "3"]);
    run("java", cmd);
}

#[test]
fn kafka_python_round_trips_every_codec() {
    let b = BrokerProc::start(&[]);
    let python = cache().join("venv/bin/python");
    require(&python);
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("e2e/interop/python/roundtrip_kafka_python.py"));
    args(&mut cmd, &b, "interop-kafka-python");
    cmd.args(["--create-topic", "3"]);
    run("kafka-python", cmd);
}

#[test]
fn confluent_kafka_round_trips_every_codec() {
    let b = BrokerProc::start(&[]);
    let python = cache().join("venv/bin/python");
    require(&python);
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("e2e/interop/python/roundtrip_confluent.py"));
    args(&mut cmd, &b, "interop-confluent");
    cmd.args(["--create-topic", "3"]);
    run("confluent-kafka", cmd);
}

#[test]
fn kafkajs_round_trips_every_codec() {
    let b = BrokerProc::start(&[]);
    let js = repo_root().join("e2e/interop/js");
    require(&js.join("node_modules"));
    let mut cmd = Command::new("node");
    cmd.arg(js.join("roundtrip.js"));
    args(&mut cmd, &b, "interop-kafkajs");
    cmd.args(["--create-topic", "3"]);
    run("kafkajs", cmd);
}

#[test]
fn kcat_round_trips_every_codec() {
    let b = BrokerProc::start(&["num.partitions=3"]);
    // kcat has no admin API: the topic is created by a metadata request (auto-creation).
    let out = Command::new("kcat")
        .args(["-b", &b.bootstrap(), "-L", "-t", "interop-kcat"])
        .output()
        .expect("kcat -L");
    assert!(out.status.success(), "kcat -L: {}", String::from_utf8_lossy(&out.stderr));
    let listed = kaskade_testkit::wait_for(Duration::from_secs(10), || {
        let out = Command::new("kcat")
            .args(["-b", &b.bootstrap(), "-L", "-t", "interop-kcat"])
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&out.stdout).to_string();
        s.contains("with 3 partitions").then_some(s)
    });
    assert!(listed.is_some(), "kcat -L shows the topic with its 3 partitions");
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("e2e/interop/kcat/roundtrip.sh"));
    args(&mut cmd, &b, "interop-kcat");
    run("kcat", cmd);
}
