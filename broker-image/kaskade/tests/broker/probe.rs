//! `kaskade probe`, the broker pods' readiness and liveness check: exit 0 with one line against a
//! running broker, exit 1 with a clear message against a closed port or a silent one, and never
//! past `--timeout-ms`.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use kaskade_testkit::{kaskade_bin, BrokerProc};

fn probe(server: &str, timeout_ms: u64) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(kaskade_bin())
        .args(["probe", "--bootstrap-server", server, "--timeout-ms", &timeout_ms.to_string()])
        .output()
        .expect("run kaskade probe");
    (out, started.elapsed())
}

#[test]
fn a_running_broker_passes() {
    let broker = BrokerProc::start(&[]);
    let (out, _) = probe(&broker.bootstrap(), 5000);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout {stdout}\nstderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("1 broker(s)") && stdout.contains("cluster id "), "{stdout}");
    assert!(!stdout.contains("cluster id (none)"), "{stdout}");
}

#[test]
fn a_closed_port_fails_fast() {
    let port = kaskade_testkit::free_port();
    let (out, took) = probe(&format!("127.0.0.1:{port}"), 3000);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("did not answer") && stderr.contains("connecting"), "{stderr}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_silent_peer_fails_at_the_timeout() {
    // Accepts connections (the kernel does, from the backlog) and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (out, took) = probe(&addr.to_string(), 500);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("within 500 ms"), "{stderr}");
    assert!(took >= Duration::from_millis(500) && took < Duration::from_secs(3), "took {took:?}");
}
