//! Where the operator logs: stderr, without ANSI colour codes when stderr is not a terminal (as
//! under `kubectl logs`), and nothing on stdout.

use std::process::{Command, Stdio};

#[test]
fn logs_go_to_stderr_without_colour_codes() {
    let absent = std::env::temp_dir().join(format!("kaskade-operator-logs-{}/kubeconfig", std::process::id()));
    // No kubeconfig and not in a pod: `run` logs that it starts, then fails to reach an API server.
    let out = Command::new(env!("CARGO_BIN_EXE_kaskade-operator"))
        .args(["run", "--http-addr", "127.0.0.1:0"])
        .env("KUBECONFIG", &absent)
        .env("RUST_LOG", "info")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .stdin(Stdio::null())
        .output()
        .expect("running kaskade-operator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it cannot run without an API server:\n{stderr}");
    assert!(stdout.is_empty(), "the operator wrote to stdout:\n{stdout}");
    assert!(
        stderr.contains("kaskade-operator starting"),
        "no start-up log line on stderr:\n{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "ANSI escape codes in the logs:\n{stderr:?}");
}
