//! Command-line tools run as processes: ours (`kaskade SUBCOMMAND …`) and Apache Kafka's
//! (`e2e/peers/kafka/tool.sh kafka-TOOL …`, a JVM), fed `stdin`, with stdout and stderr read
//! while the tool runs (a full pipe never stalls it) and a time limit that fails the test
//! instead of hanging it.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{kaskade_bin, repo_root};

/// `kaskade ARGS` (warnings only in its log).
pub fn kaskade_tool(args: &[&str]) -> Command {
    let mut cmd = Command::new(kaskade_bin());
    cmd.args(args).env("KASKADE_LOG", "warn");
    cmd
}

/// Kafka 4.4's tool by its script name, e.g. `kafka_tool("kafka-topics", …)`.
pub fn kafka_tool(tool: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("e2e/peers/kafka/tool.sh")).arg(tool).args(args);
    cmd
}

/// A finished process: exit code (None after a signal), output, how long it took.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub took: Duration,
}

impl Ran {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    #[track_caller]
    pub fn ok(self, what: &str) -> Ran {
        assert_eq!(self.code, Some(0), "{what} failed:\n{}\n--- stderr\n{}", self.text(), self.stderr);
        self
    }
}

/// Runs `cmd` with `stdin`, killing it (and failing) after `limit`.
pub fn run(mut cmd: Command, stdin: &[u8], limit: Duration) -> Ran {
    let started = Instant::now();
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let (stdout, stdout_done) = drain(child.stdout.take().expect("stdout"));
    let (stderr, stderr_done) = drain(child.stderr.take().expect("stderr"));
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "{cmd:?} still running after {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&stderr.lock().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    // The readers end when the pipes close.
    stdout_done.join().expect("stdout reader");
    stderr_done.join().expect("stderr reader");
    let stdout = std::mem::take(&mut *stdout.lock().unwrap());
    let stderr = String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned();
    Ran {
        code: status.code(),
        stdout,
        stderr,
        took,
    }
}

/// What a pipe delivered so far.
pub type Pipe = Arc<Mutex<Vec<u8>>>;

/// Collects a pipe in the background; the handle ends when the pipe closes.
pub fn drain(mut pipe: impl Read + Send + 'static) -> (Pipe, JoinHandle<()>) {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let b = buf.clone();
    let done = std::thread::spawn(move || {
        let mut chunk = [0u8; 65536];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    (buf, done)
}

/// A tool's result as text, for the admin tools' tables and messages.
#[derive(Debug)]
pub struct Run {
    /// -1 after a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self
    }

    #[track_caller]
    pub fn failed(self) -> Run {
        assert_eq!(self.code, 1, "expected exit 1:\n{self:#?}");
        self
    }
}

/// Runs `cmd` with empty stdin (at most 90 s) and returns its output as text.
pub fn run_text(cmd: Command) -> Run {
    let ran = run(cmd, b"", Duration::from_secs(90));
    Run {
        code: ran.code.unwrap_or(-1),
        stdout: ran.text(),
        stderr: ran.stderr,
        elapsed: ran.took,
    }
}

/// The rows of a `kafka-consumer-groups --describe` table for `group`: the lines starting
/// with the group id, split on whitespace.
pub fn group_rows(out: &str, group: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| l.split_whitespace().next() == Some(group))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}
