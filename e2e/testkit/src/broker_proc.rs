//! The broker under test as a real `kaskade broker` child process on a free loopback port with
//! its own log directory, for black-box, crash and CLI tests: it can be stopped with SIGTERM or
//! killed with SIGKILL and started again on the same directory and port.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{free_port, kaskade_bin};

pub struct BrokerProc {
    pub child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    /// Removed when the broker is dropped.
    _tmp: tempfile::TempDir,
    overrides: Vec<String>,
    starts: u32,
    /// Extra environment of the broker process (e.g. a failpoint), for the next `spawn`.
    env: Vec<(String, String)>,
}

impl BrokerProc {
    /// Starts a broker with a fresh log directory and the given `key=value` overrides.
    pub fn start(overrides: &[&str]) -> BrokerProc {
        let mut b = BrokerProc::stopped(overrides);
        b.spawn();
        b
    }

    /// A broker with a fresh log directory and a free port, not started yet.
    pub fn stopped(overrides: &[&str]) -> BrokerProc {
        let tmp = tempfile::Builder::new().prefix("kaskade-test-").tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        BrokerProc {
            child: None,
            port: free_port(),
            dir,
            _tmp: tmp,
            overrides: overrides.iter().map(|s| s.to_string()).collect(),
            starts: 0,
            env: Vec::new(),
        }
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
        let started = self.launch();
        self.wait_started(started);
    }

    /// Starts the process (again) without waiting: a broker of a quorum listens only once a
    /// majority of voters runs. [`BrokerProc::wait_started`] waits for it.
    pub fn launch(&mut self) -> Started {
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
        self.child = Some(child);
        Started(rx)
    }

    /// Waits until the process launched with [`BrokerProc::launch`] listens.
    pub fn wait_started(&mut self, started: Started) {
        if started.0.recv_timeout(Duration::from_secs(60)).is_err() {
            self.kill9();
            panic!(
                "broker did not start; log:\n{}",
                std::fs::read_to_string(self.log_file()).unwrap_or_default()
            );
        }
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
        crate::send_signal(pid, 15);
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

/// A launched broker's "listening" line, once it prints it.
pub struct Started(mpsc::Receiver<()>);

impl Drop for BrokerProc {
    fn drop(&mut self) {
        self.kill9();
    }
}
