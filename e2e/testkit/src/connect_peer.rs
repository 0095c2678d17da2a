//! Apache Kafka Connect 4.3.1 as a reference peer, started with `e2e/peers/connect/start.sh`.
//!
//! It exists for two kinds of test: Apache's own Connect worker run against the Kaskade broker
//! is a demanding broker client (the `connect` group protocol, compacted internal topics created
//! through the admin API, a producer and consumers per task), so it is a regression test of the
//! broker; and Kaskade's Connect worker is compared with Apache's over the same REST API (talk
//! to either with [`crate::http`]).
//!
//! Each [`ConnectPeer`] is one worker JVM in distributed mode with its own run directory
//! (`connect-distributed.properties`, `connect.log` at INFO, `stderr.log` with the warnings).
//! Dropping it stops the worker gracefully and removes the directory (kept when the thread is
//! panicking, so its logs can be read). A detached watchdog stops the worker if the test process
//! goes away without dropping it (killed, or `process::exit`), so no JVM is left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{alive, repo_root, send_signal, wait_for};

/// One Apache Kafka Connect worker (distributed mode) on a free loopback REST port.
pub struct ConnectPeer {
    url: String,
    dir: PathBuf,
    pid: u32,
    running: bool,
}

fn scripts() -> PathBuf {
    repo_root().join("e2e/peers/connect")
}

/// A new, empty `kaskade-connect.*` directory under the temporary directory.
fn new_run_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    loop {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kaskade-connect.{}-{n}-{nanos:x}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("create {}: {e}", dir.display()),
        }
    }
}

impl ConnectPeer {
    /// Starts a worker of group `group` against the broker at `bootstrap` (`host:port`), with
    /// `key=value` worker settings appended to Kafka's `connect-distributed.properties`
    /// defaults; returns once the worker joined its group (`GET /health` answers 200).
    /// `KAFKA_HEAP_OPTS` sets the heap (default `-Xms256M -Xmx2G`, as `connect-distributed.sh`).
    pub fn start(bootstrap: &str, group: &str, overrides: &[&str]) -> ConnectPeer {
        let scripts = scripts();
        let dir = new_run_dir();
        let mut cmd = Command::new(scripts.join("start.sh"));
        cmd.args(["--bootstrap", bootstrap, "--group", group]).arg("--dir").arg(&dir);
        for o in overrides {
            cmd.arg("--override").arg(o);
        }
        let starter = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run e2e/peers/connect/start.sh");
        // The watchdog is there before the JVM is: it lives while the test process does and the
        // worker may run (start.sh still going, or DIR/pid there: stop.sh and kill() remove
        // it). If the test process went first, it lets start.sh finish, stops the worker and
        // removes the directory. (`alive` reads /proc: a zombie nobody reaps counts as gone.)
        let script = "alive() { [ -d /proc/$1 ] && ! grep -qs '^State:[[:space:]]*Z' /proc/$1/status; }; \
                      while alive \"$1\" && { alive \"$2\" || [ -f \"$4/pid\" ]; }; do sleep 0.5; done; \
                      alive \"$1\" && exit 0; \
                      while alive \"$2\"; do sleep 0.5; done; \
                      STOP_TIMEOUT=10 \"$3\" \"$4\"; rm -rf \"$4\"";
        #[allow(clippy::zombie_processes)] // it must outlive this process: never waited for
        let _watchdog = Command::new("setsid")
            .args(["sh", "-c", script, "connect-watchdog"])
            .arg(std::process::id().to_string())
            .arg(starter.id().to_string())
            .arg(scripts.join("stop.sh"))
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the Connect watchdog");
        let out = starter.wait_with_output().expect("wait for e2e/peers/connect/start.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let field = |key: &str| stdout.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string);
        let (Some(url), Some(pid)) = (field("URL="), field("PID=")) else {
            panic!(
                "Kafka Connect did not start against {bootstrap} (e2e/peers/install.sh fetches its jars; logs in {}):\n{stdout}\n{}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let pid = pid.parse().expect("PID= is a number");
        ConnectPeer {
            url,
            dir,
            pid,
            running: true,
        }
    }

    /// The REST API's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The run directory: `connect-distributed.properties`, `connect.log`, `stderr.log`, `pid`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The worker's warnings and errors so far (`stderr.log`), for failure messages.
    pub fn warnings(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    /// SIGKILL: the worker leaves its group without a word (its tasks move after the session
    /// timeout). Returns once the process is gone.
    pub fn kill(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        send_signal(self.pid as i32, 9);
        if wait_for(Duration::from_secs(10), || (!alive(self.pid)).then_some(())).is_none() {
            panic!("Kafka Connect (pid {}) still alive 10 s after SIGKILL", self.pid);
        }
        let _ = std::fs::remove_file(self.dir.join("pid"));
    }

    /// A graceful stop through `stop.sh` (SIGTERM; SIGKILL after 30 s).
    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let status = Command::new(scripts().join("stop.sh"))
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            send_signal(self.pid as i32, 9);
        }
    }
}

impl Drop for ConnectPeer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("Kafka Connect logs kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
