//! A `kaskade broker` child process on a free loopback port with a temp log directory, as
//! broker-image/kaskade/tests/common/mod.rs starts it; it can be killed and started again on
//! the same port. The binary is the one `cargo build -p kaskade` puts next to this test's
//! target directory (or `KASKADE_BIN`).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// `target/<profile>/kaskade`: this test runs as `target/<profile>/deps/kafka_admin-HASH`.
fn kaskade_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("KASKADE_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("kaskade"))
        .expect("target directory of the test executable");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p kaskade` first (or set KASKADE_BIN)",
        bin.display()
    );
    bin
}

pub struct KaskadeBroker {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    starts: u32,
}

impl KaskadeBroker {
    pub fn start() -> KaskadeBroker {
        let dir = tempfile::Builder::new().prefix("kaskade-admin-test-").tempdir().expect("tempdir");
        let mut b = KaskadeBroker {
            child: None,
            port: free_port(),
            dir,
            starts: 0,
        };
        b.spawn();
        b
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join(format!("broker-{}.log", self.starts))
    }

    /// Starts the process (again, on the same port and data); returns once it listens.
    pub fn spawn(&mut self) {
        self.starts += 1;
        let log = std::fs::File::create(self.log_file()).expect("broker log file");
        let mut child = Command::new(kaskade_bin())
            .arg("broker")
            .arg("--override")
            .arg(format!("listeners=PLAINTEXT://127.0.0.1:{}", self.port))
            .arg("--override")
            .arg(format!("log.dirs={}", self.dir.path().join("data").display()))
            .env("KASKADE_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn kaskade broker");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("listening on") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "kaskade broker did not start; log:\n{}",
                std::fs::read_to_string(self.log_file()).unwrap_or_default()
            );
        }
        self.child = Some(child);
    }

    /// SIGKILL and reap.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for KaskadeBroker {
    fn drop(&mut self) {
        self.kill();
    }
}
