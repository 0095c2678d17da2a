//! `kaskade quickstart` run as a new user would: rows flow into the target within 30 s, and the
//! curl commands it prints work when pasted.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[test]
fn quickstart_moves_rows_and_its_curl_commands_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (kafka, connect) = (kaskade_testkit::free_port(), kaskade_testkit::free_port());
    let mut child = Command::new(kaskade_testkit::kaskade_bin())
        .args([
            "quickstart",
            "--kafka-port",
            &kafka.to_string(),
            "--connect-port",
            &connect.to_string(),
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kaskade quickstart");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut flowing = None;
    while started.elapsed() < Duration::from_secs(30) {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) else {
            continue;
        };
        // "… | target my_topic_users: N rows | …"
        let target = line
            .split(" | ")
            .find_map(|p| p.strip_prefix("target my_topic_users: "))
            .and_then(|p| p.trim_end_matches(" rows").parse::<u64>().ok());
        seen.push(line);
        if target.is_some_and(|n| n >= 3) {
            flowing = Some(started.elapsed());
            break;
        }
    }
    let Some(after) = flowing else {
        let _ = child.kill();
        let err = child
            .wait_with_output()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .unwrap_or_default();
        panic!("no rows in the target within 30 s:\n{}\n--- stderr\n{err}", seen.join("\n"));
    };
    eprintln!("rows in the target after {after:?}");

    // The printed curl commands, pasted into a shell, register (update) the same connectors.
    let curls: Vec<&String> = seen.iter().filter(|l| l.trim_start().starts_with("$ curl -s -X PUT")).collect();
    assert_eq!(curls.len(), 2, "{}", seen.join("\n"));
    for c in curls {
        let cmd = c.trim_start().trim_start_matches("$ ");
        let out = Command::new("bash").args(["-c", cmd]).output().expect("bash");
        let body = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{cmd}\nanswered {body}"));
        assert!(
            v["name"].as_str().is_some_and(|n| n.starts_with("quickstart-")),
            "{cmd}\nanswered {body}"
        );
    }

    // Ctrl-C stops it cleanly.
    kaskade_testkit::send_signal(child.id() as i32, 2);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "quickstart exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "quickstart did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(100));
    }
}
