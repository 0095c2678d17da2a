//! One Apache Kafka 4.4 peer per test binary, started with `e2e/peers/kafka/start.sh` on first
//! use and stopped by a detached watchdog when the test process exits (normally, by panic or
//! by kill); likewise one three-node Kafka cluster (`start-cluster.sh`) for the replication
//! tests. `KASKADE_DIFF_KAFKA=host:port` uses a Kafka that is already running instead (it
//! must have [`SETTINGS`]).
//!
//! Every test of a binary shares the one peer, so it has one configuration: Kafka's defaults,
//! except that a group's first members join at once ([`SETTINGS`]) instead of after 3 s.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::repo_root;

static KAFKA: OnceLock<String> = OnceLock::new();

/// The peer's settings that differ from Kafka's defaults.
pub const SETTINGS: &[&str] = &[GROUP_DELAY_ZERO];

/// `group.initial.rebalance.delay.ms=0`: joins complete at once (tests set it on our brokers too
/// when they compare group answers).
pub const GROUP_DELAY_ZERO: &str = "group.initial.rebalance.delay.ms=0";

static KAFKA_CLUSTER: OnceLock<String> = OnceLock::new();

/// Bootstrap address of the shared peer, started the first time it is asked for.
pub fn shared() -> &'static str {
    KAFKA.get_or_init(|| {
        if let Ok(addr) = std::env::var("KASKADE_DIFF_KAFKA") {
            return addr;
        }
        start("start.sh", "stop.sh", &[])
    })
}

/// Bootstrap addresses (comma-separated) of a shared three-node Kafka cluster (KRaft, static
/// quorum of the three combined nodes; `e2e/peers/kafka/start-cluster.sh`), started the first
/// time it is asked for.
pub fn shared_cluster() -> &'static str {
    KAFKA_CLUSTER.get_or_init(|| start("start-cluster.sh", "stop-cluster.sh", &["--nodes", "3"]))
}

/// Runs a peer start script with [`SETTINGS`], and a watchdog that stops it when this process
/// exits; returns its bootstrap.
fn start(script: &str, stop: &str, args: &[&str]) -> String {
    let peers = repo_root().join("e2e/peers/kafka");
    let mut cmd = Command::new(peers.join(script));
    cmd.args(args);
    for o in SETTINGS {
        cmd.arg("--override").arg(o);
    }
    let out = cmd
        .env(
            "KAFKA_HEAP_OPTS",
            std::env::var("KAFKA_HEAP_OPTS").unwrap_or_else(|_| "-Xmx512M -Xms512M".into()),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run e2e/peers/kafka/{script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| stdout.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string);
    let (Some(bootstrap), Some(dir)) = (field("BOOTSTRAP="), field("DIR=")) else {
        panic!("Kafka peer did not start:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    };
    let script = "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; STOP_TIMEOUT=10 \"$2\" \"$3\"; \
                  case \"$3\" in */kaskade-kafka*) rm -rf \"$3\" ;; esac";
    #[allow(clippy::zombie_processes)] // it must outlive this process: never waited for
    let _watchdog = Command::new("setsid")
        .args(["sh", "-c", script, "kafka-watchdog"])
        .arg(std::process::id().to_string())
        .arg(peers.join(stop))
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the Kafka watchdog");
    bootstrap
}
