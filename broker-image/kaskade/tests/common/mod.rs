//! Test harness: runs the real `kaskade broker` as a child process on a free loopback port with
//! its own log directory, and can stop it with SIGTERM or kill it with SIGKILL and restart it
//! on the same directory and port.

#![allow(dead_code)]

pub mod batches;
pub mod bystander;
pub mod clients;
pub mod compare;
pub mod groups;
pub mod kafka_peer;
pub mod raw;
pub mod tools;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn kaskade_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kaskade"))
}

/// The repository root (for e2e/ programs and scripts).
pub fn repo_root() -> PathBuf {
    // Cargo's runtime CARGO_MANIFEST_DIR first: a test binary reused from another checkout that
    // shares the target directory carries that checkout's compile-time path.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

pub struct BrokerProc {
    pub child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    overrides: Vec<String>,
    starts: u32,
    /// Extra environment of the broker process (e.g. a failpoint), for the next `spawn`.
    env: Vec<(String, String)>,
}

impl BrokerProc {
    /// Starts a broker with a fresh log directory and the given `key=value` overrides.
    pub fn start(overrides: &[&str]) -> BrokerProc {
        let tmp = tempfile::Builder::new().prefix("kaskade-test-").tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut b = BrokerProc {
            child: None,
            port: free_port(),
            dir,
            _tmp: Some(tmp),
            overrides: overrides.iter().map(|s| s.to_string()).collect(),
            starts: 0,
            env: Vec::new(),
        };
        b.spawn();
        b
    }

    /// Replaces the `key=value` overrides the next `spawn` uses.
    pub fn set_overrides(&mut self, overrides: &[&str]) {
        self.overrides = overrides.iter().map(|s| s.to_string()).collect();
    }

    /// Sets (or with `None` removes) an environment variable for the next `spawn`.
    pub fn set_env(&mut self, key: &str, value: Option<&str>) {
        self.env.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.env.push((key.to_string(), v.to_string()));
        }
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn log_file(&self) -> PathBuf {
        self.dir.join(format!("broker-{}.log", self.starts))
    }

    /// Starts the process (again) on the same port and log dir; waits until it listens.
    pub fn spawn(&mut self) {
        self.starts += 1;
        let log = std::fs::File::create(self.log_file()).expect("broker log file");
        let mut cmd = Command::new(kaskade_bin());
        cmd.arg("broker")
            .arg("--override")
            .arg(format!("listeners=PLAINTEXT://127.0.0.1:{}", self.port))
            .arg("--override")
            .arg(format!("log.dirs={}", self.log_dir().display()));
        for o in &self.overrides {
            cmd.arg("--override").arg(o);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd.env("KASKADE_LOG", "info,kaskade_broker=debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        let mut child = cmd.spawn().expect("spawn kaskade broker");
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
            panic!(
                "broker did not start; log:\n{}",
                std::fs::read_to_string(self.log_file()).unwrap_or_default()
            );
        }
        self.child = Some(child);
    }

    /// SIGKILL, no chance to flush or clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut c = self.child.take().expect("broker running");
        let pid = c.id() as i32;
        unsafe_kill(pid, 15);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = c.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                panic!("broker did not stop within 60 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }
}

impl Drop for BrokerProc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Sends a signal with the `kill` command (no libc dependency in tests).
pub fn unsafe_kill(pid: i32, signal: i32) {
    let _ = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
}

/// Polls `f` until it returns `Some` or the timeout passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Where `e2e/peers/install.sh` puts the peers (`$KASKADE_CACHE`, default `~/.cache/kaskade`):
/// Kafka's jars, the Python venv, Tansu.
pub fn cache() -> PathBuf {
    std::env::var_os("KASKADE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/kaskade"))
}

/// Asserts an installed dependency is there, saying how to get it.
pub fn require(path: &Path) {
    assert!(
        path.exists(),
        "{} is missing: run e2e/peers/install.sh (./test.sh does)",
        path.display()
    );
}
