//! Kaskade's Connect worker under test: `kaskade connect` as a child process, in distributed
//! mode against a broker, with its REST API on a free loopback port.
//!
//! Each [`ConnectProc`] has its own temporary directory: the worker's log (`connect.log`, stdout
//! and stderr of every start, appended) and room for the files its connectors read and write
//! ([`ConnectProc::file`]). The worker is started with the settings every test wants —
//! `listeners=http://127.0.0.1:PORT`, `rest.advertised.host.name=127.0.0.1`, replication factor 1
//! for the three internal topics — and then the test's overrides (the last wins). It can be
//! stopped with SIGTERM ([`ConnectProc::stop`]), killed with SIGKILL ([`ConnectProc::kill`]) and
//! started again on the same port ([`ConnectProc::restart`], [`ConnectProc::spawn`]), so its
//! worker id stays the same. Dropping it kills the worker; the directory goes with it unless the
//! thread is panicking (then its path is printed, for the log).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::http::try_request;
use crate::{free_port, kaskade_bin, send_signal};

/// How long a start may take until `GET /` and `GET /health` answer 200 (the worker reads its
/// internal topics first, creating them on a fresh broker, and joins its group).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a SIGTERM may take (tasks stopped, offsets committed, group left).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// One `kaskade connect` worker.
pub struct ConnectProc {
    child: Option<Child>,
    port: u16,
    bootstrap: String,
    group: String,
    overrides: Vec<String>,
    env: Vec<(String, String)>,
    dir: PathBuf,
    /// Removed on drop unless the thread panics; `None` once kept.
    tmp: Option<tempfile::TempDir>,
    starts: u32,
}

impl ConnectProc {
    /// Starts a worker of group `group` against the broker at `bootstrap` (`host:port`) with
    /// `key=value` overrides; returns once it is ready: `GET /` answers 200, and `GET /health`
    /// too (the worker has read its internal topics and joined its group; before, it answers
    /// 503).
    pub fn start(bootstrap: &str, group: &str, overrides: &[&str]) -> ConnectProc {
        let mut c = ConnectProc::new(bootstrap, group, overrides);
        c.spawn();
        c
    }

    /// A worker that is not started yet: set its environment ([`ConnectProc::set_env`]), then
    /// [`ConnectProc::spawn`] it.
    pub fn new(bootstrap: &str, group: &str, overrides: &[&str]) -> ConnectProc {
        let tmp = tempfile::Builder::new().prefix("kaskade-connect-test-").tempdir().expect("tempdir");
        ConnectProc {
            child: None,
            port: free_port(),
            bootstrap: bootstrap.to_string(),
            group: group.to_string(),
            overrides: overrides.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            dir: tmp.path().to_path_buf(),
            tmp: Some(tmp),
            starts: 0,
        }
    }

    /// The REST API's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The REST port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, the worker id Kafka Connect reports in statuses.
    pub fn worker_id(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The worker's own temporary directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A path in the worker's directory, for a connector's file.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sets (or with `None` removes) an environment variable for the next start (`KASKADE_LOG`
    /// defaults to `info`).
    pub fn set_env(&mut self, key: &str, value: Option<&str>) {
        self.env.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.env.push((key.to_string(), v.to_string()));
        }
    }

    /// Replaces the test's overrides for the next start.
    pub fn set_overrides(&mut self, overrides: &[&str]) {
        self.overrides = overrides.iter().map(|s| s.to_string()).collect();
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("connect.log")
    }

    /// Everything the worker printed so far, over all its starts (for panic messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts the process (again) on the same port; waits until `GET /` and `GET /health`
    /// answer 200.
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "the Connect worker is already running");
        self.starts += 1;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("the worker's log file");
        let _ = writeln!(log, "==== start {} ====", self.starts);
        let mut cmd = Command::new(kaskade_bin());
        cmd.arg("connect");
        let defaults = [
            format!("bootstrap.servers={}", self.bootstrap),
            format!("group.id={}", self.group),
            format!("listeners=http://127.0.0.1:{}", self.port),
            "rest.advertised.host.name=127.0.0.1".to_string(),
            format!("rest.advertised.port={}", self.port),
            "config.storage.replication.factor=1".to_string(),
            "offset.storage.replication.factor=1".to_string(),
            "status.storage.replication.factor=1".to_string(),
        ];
        for o in defaults.iter().chain(&self.overrides) {
            cmd.arg("--override").arg(o);
        }
        cmd.env("KASKADE_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("log file")))
            .stderr(Stdio::from(log));
        let child = cmd.spawn().expect("spawn kaskade connect");
        self.child = Some(child);
        let (root, health) = (format!("{}/", self.url()), format!("{}/health", self.url()));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if matches!(try_request("GET", &root, None), Ok((200, _))) && matches!(try_request("GET", &health, None), Ok((200, _))) {
                return;
            }
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                self.child = None;
                panic!("kaskade connect exited ({status}) before it was ready; log:\n{}", self.log());
            }
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "kaskade connect was not ready (GET / and GET /health) within {START_TIMEOUT:?}; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no chance to commit offsets or leave the group. Returns once the process is gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, and waits for the exit status (panics, with the log, when the worker does not
    /// stop within [`STOP_TIMEOUT`]).
    pub fn stop(&mut self) -> ExitStatus {
        let mut c = self.child.take().expect("the Connect worker is not running");
        send_signal(c.id() as i32, 15);
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = c.try_wait().expect("wait for kaskade connect") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!(
                    "kaskade connect did not stop within {STOP_TIMEOUT:?} of SIGTERM; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A graceful stop (when running) and a start on the same port and settings.
    pub fn restart(&mut self) {
        if self.child.is_some() {
            let status = self.stop();
            assert!(status.success(), "kaskade connect exited with {status}; log:\n{}", self.log());
        }
        self.spawn();
    }

    /// The log's path, e.g. to point at in a failure message.
    pub fn log_file(&self) -> PathBuf {
        self.log_path()
    }

    /// Creates (or truncates) a file in the worker's directory with `text`.
    pub fn write_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.file(name);
        File::create(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }
}

impl Drop for ConnectProc {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            if let Some(tmp) = self.tmp.take() {
                eprintln!("kaskade connect's directory kept: {}", tmp.keep().display());
            }
        }
    }
}
