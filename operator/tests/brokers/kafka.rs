//! One Apache Kafka 4.x peer per test binary, started with `e2e/peers/kafka/start.sh` on first
//! use and stopped by a detached watchdog when the test process exits (as
//! broker-image/kaskade/tests/common/kafka_peer.rs does). `KASKADE_DIFF_KAFKA=host:port` uses a
//! Kafka that is already running instead.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::repo_root;

static KAFKA: OnceLock<String> = OnceLock::new();

/// The shared peer's bootstrap address (started on first call; blocking: call it from
/// `spawn_blocking` or before the runtime's work).
pub fn shared() -> String {
    KAFKA
        .get_or_init(|| {
            if let Ok(addr) = std::env::var("KASKADE_DIFF_KAFKA") {
                return addr;
            }
            let peers = repo_root().join("e2e/peers/kafka");
            let out = Command::new(peers.join("start.sh"))
                .env(
                    "KAFKA_HEAP_OPTS",
                    std::env::var("KAFKA_HEAP_OPTS").unwrap_or_else(|_| "-Xmx512M -Xms512M".into()),
                )
                .stdin(Stdio::null())
                .output()
                .expect("run e2e/peers/kafka/start.sh");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let field = |key: &str| stdout.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string);
            let (Some(bootstrap), Some(dir)) = (field("BOOTSTRAP="), field("DIR=")) else {
                panic!("Kafka peer did not start:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
            };
            let script = "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; STOP_TIMEOUT=10 \"$2\" \"$3\"; \
                          case \"$3\" in */kaskade-kafka.*) rm -rf \"$3\" ;; esac";
            #[allow(clippy::zombie_processes)] // it must outlive this process: never waited for
            let _watchdog = Command::new("setsid")
                .args(["sh", "-c", script, "kafka-watchdog"])
                .arg(std::process::id().to_string())
                .arg(peers.join("stop.sh"))
                .arg(&dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn the Kafka watchdog");
            bootstrap
        })
        .clone()
}
