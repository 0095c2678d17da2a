//! Consumer-group test harness: the broker under test (a `kaskade broker` child process, or an
//! external broker such as Apache Kafka named by `KASKADE_GROUPS_KAFKA=host:port`), group members
//! run as the `e2e/interop` group-consumer programs (Java, kafka-python, kafkajs) or as an
//! in-process librdkafka consumer, all reporting the same line protocol (see
//! `e2e/interop/README.md`, "Group consumers"), and the facts a user checks: who owns which
//! partition, which records each member read, which offsets the group committed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaResult;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

use crate::{cache, repo_root, require, wait_for, BrokerProc};

/// The env var naming an external broker (e.g. Apache Kafka 4.4 from `e2e/peers/kafka/start.sh`).
pub const EXTERNAL_ENV: &str = "KASKADE_GROUPS_KAFKA";

/// With `KASKADE_GROUPS_KAFKA`: the `e2e/peers/kafka/start.sh` directory of that broker, so the
/// broker-restart scenario can restart it (`stop.sh` / SIGKILL, then `start.sh --restart`).
pub const EXTERNAL_DIR_ENV: &str = "KASKADE_GROUPS_KAFKA_DIR";

/// The broker the group tests run against.
pub enum Target {
    Kaskade(BrokerProc),
    External(String),
}

/// How a broker is restarted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    Kill9,
    Terminate,
}

impl Target {
    /// `KASKADE_GROUPS_KAFKA=host:port` → that broker; otherwise a fresh `kaskade broker` with a
    /// short initial rebalance delay (tests wait for conditions, never for the delay).
    pub fn start() -> Target {
        match std::env::var(EXTERNAL_ENV) {
            Ok(b) if !b.trim().is_empty() => Target::External(b.trim().to_string()),
            _ => Target::Kaskade(BrokerProc::start(&["group.initial.rebalance.delay.ms=300"])),
        }
    }

    pub fn bootstrap(&self) -> String {
        match self {
            Target::Kaskade(b) => b.bootstrap(),
            Target::External(s) => s.clone(),
        }
    }

    /// Whether `restart` can work: Kaskade, or an external Kafka with `KASKADE_GROUPS_KAFKA_DIR`.
    pub fn can_restart(&self) -> bool {
        matches!(self, Target::Kaskade(_)) || std::env::var_os(EXTERNAL_DIR_ENV).is_some()
    }

    /// Stops the broker (SIGKILL or SIGTERM) and starts it again on the same port and data.
    pub fn restart(&mut self, how: Restart) {
        match self {
            Target::Kaskade(b) => {
                match how {
                    Restart::Kill9 => b.kill9(),
                    Restart::Terminate => assert!(b.terminate().success(), "SIGTERM: exit 0"),
                }
                b.spawn();
            }
            Target::External(_) => {
                let dir = PathBuf::from(std::env::var_os(EXTERNAL_DIR_ENV).expect("KASKADE_GROUPS_KAFKA_DIR"));
                let peers = repo_root().join("e2e/peers/kafka");
                match how {
                    Restart::Kill9 => {
                        let pid = std::fs::read_to_string(dir.join("pid")).expect("peer pid");
                        let st = Command::new("kill").args(["-9", pid.trim()]).status().expect("kill");
                        assert!(st.success());
                        let gone = wait_for(Duration::from_secs(30), || {
                            let alive = Command::new("kill").args(["-0", pid.trim()]).stderr(Stdio::null()).status();
                            (!alive.map(|s| s.success()).unwrap_or(false)).then_some(())
                        });
                        assert!(gone.is_some(), "Kafka still alive after SIGKILL");
                    }
                    Restart::Terminate => {
                        let st = Command::new("bash").arg(peers.join("stop.sh")).arg(&dir).status().expect("stop.sh");
                        assert!(st.success(), "stop.sh");
                    }
                }
                let out = Command::new("bash")
                    .arg(peers.join("start.sh"))
                    .args(["--restart", "--dir"])
                    .arg(&dir)
                    .env("KAFKA_START_TIMEOUT", "180")
                    .output()
                    .expect("start.sh --restart");
                assert!(out.status.success(), "start.sh --restart: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }

    pub fn kaskade(&mut self) -> Option<&mut BrokerProc> {
        match self {
            Target::Kaskade(b) => Some(b),
            Target::External(_) => None,
        }
    }
}

/// A name no other test or run uses (topics and groups on a shared external broker).
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    format!("{prefix}-{}-{t}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

// ------------------------------------------------------------------ records and offsets

/// Produces `per_partition` records to each of `partitions` partitions (acks=all), values
/// `{tag}-p{p}-{i}`. Returns partition → (offset, value) in offset order.
pub async fn produce(bootstrap: &str, topic: &str, partitions: i32, tag: &str, per_partition: usize) -> BTreeMap<i32, Vec<(i64, String)>> {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("linger.ms", "5")
        .create()
        .expect("producer");
    let mut futs = Vec::new();
    for i in 0..per_partition {
        for part in 0..partitions {
            let value = format!("{tag}-p{part}-{i}");
            let key = format!("k{i}");
            let f = p
                .send_result(FutureRecord::to(topic).partition(part).key(&key).payload(&value))
                .expect("enqueue");
            futs.push((part, value, f));
        }
    }
    let mut out: BTreeMap<i32, Vec<(i64, String)>> = BTreeMap::new();
    for (part, value, f) in futs {
        let d = f
            .await
            .expect("delivery")
            .unwrap_or_else(|(e, _)| panic!("produce to {topic}/{part}: {e}"));
        assert_eq!(d.partition, part);
        out.entry(part).or_default().push((d.offset, value));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// High watermarks of `topic`'s partitions.
pub fn end_offsets(bootstrap: &str, topic: &str, partitions: i32) -> BTreeMap<i32, i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "kaskade-tests-watermarks")
        .create()
        .expect("consumer");
    (0..partitions)
        .map(|p| (p, c.fetch_watermarks(topic, p, Duration::from_secs(10)).expect("watermarks").1))
        .collect()
}

/// The group's committed offsets for `topic` (OffsetFetch through librdkafka, without joining
/// the group); partitions with no committed offset are left out. Errors are retried for 60 s.
pub fn committed(bootstrap: &str, group: &str, topic: &str, partitions: i32) -> BTreeMap<i32, i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    // Retried: right after a (re)start a broker answers NOT_COORDINATOR or
    // COORDINATOR_LOAD_IN_PROGRESS while it loads the group's offsets.
    let mut last_err = None;
    let got = wait_for(Duration::from_secs(60), || {
        match c.committed_offsets(tpl.clone(), Duration::from_secs(10)) {
            Ok(t) => Some(t),
            Err(e) => {
                last_err = Some(e);
                None
            }
        }
    })
    .unwrap_or_else(|| panic!("committed_offsets of group {group}: {last_err:?}"));
    got.elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some((e.partition(), o)),
            _ => None,
        })
        .collect()
}

/// Waits until the group's committed offsets equal `want`; panics with the last answer if not.
pub fn wait_committed(bootstrap: &str, group: &str, topic: &str, want: &BTreeMap<i32, i64>, timeout: Duration) {
    let partitions = want.keys().max().map(|m| m + 1).unwrap_or(0);
    let mut last = BTreeMap::new();
    let ok = wait_for(timeout, || {
        last = committed(bootstrap, group, topic, partitions);
        (&last == want).then_some(())
    });
    assert!(
        ok.is_some(),
        "group {group}: committed offsets {last:?}, want {want:?} (within {timeout:?})"
    );
}

// ------------------------------------------------------------------ members

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    Java,
    KafkaPython,
    Kafkajs,
    Rdkafka,
}

impl Client {
    pub fn name(self) -> &'static str {
        match self {
            Client::Java => "java",
            Client::KafkaPython => "kafka-python",
            Client::Kafkajs => "kafkajs",
            Client::Rdkafka => "rdkafka",
        }
    }
}

/// How a member is configured (the programs' options).
#[derive(Clone, Debug)]
pub struct Opts {
    pub assignor: &'static str,
    pub commit: &'static str,
    pub instance_id: Option<String>,
    pub session_timeout_ms: Option<u32>,
    pub heartbeat_interval_ms: Option<u32>,
    pub max_records: Option<u64>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            assignor: "range",
            commit: "sync",
            instance_id: None,
            session_timeout_ms: None,
            heartbeat_interval_ms: None,
            max_records: None,
        }
    }
}

/// What one member reported so far.
#[derive(Default, Debug)]
pub struct MemberState {
    pub lines: Vec<String>,
    /// The partitions it owns now (None before its first assignment).
    pub assignment: Option<BTreeSet<i32>>,
    pub generation: i32,
    pub member_id: String,
    /// Every ASSIGNMENT line: (generation, full assignment).
    pub assignments: Vec<(i32, BTreeSet<i32>)>,
    /// Every REVOKED set, in order; and whether it came after STOPPING (close).
    pub revoked: Vec<(BTreeSet<i32>, bool)>,
    pub lost: Vec<BTreeSet<i32>>,
    /// (partition, offset, value) in the order read.
    pub records: Vec<(i32, i64, String)>,
    pub committed: BTreeMap<i32, i64>,
    pub commit_failures: usize,
    pub stopping: bool,
    /// The OK/FAIL/ERROR/UNSUPPORTED summary line.
    pub summary: Option<String>,
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ').find_map(|t| t.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

fn set_of(s: Option<&str>) -> BTreeSet<i32> {
    s.unwrap_or("")
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().expect("partition number"))
        .collect()
}

impl MemberState {
    fn push(&mut self, line: &str) {
        self.lines.push(line.to_string());
        let kind = line.split(' ').next().unwrap_or("");
        match kind {
            "ASSIGNMENT" => {
                let set = set_of(field(line, "partitions"));
                self.generation = field(line, "gen").and_then(|g| g.parse().ok()).unwrap_or(-1);
                self.member_id = field(line, "member").unwrap_or("").to_string();
                self.assignments.push((self.generation, set.clone()));
                self.assignment = Some(set);
            }
            "REVOKED" | "LOST" => {
                let set = set_of(field(line, "partitions"));
                if let Some(a) = self.assignment.as_mut() {
                    a.retain(|p| !set.contains(p));
                }
                if kind == "REVOKED" {
                    self.revoked.push((set, self.stopping));
                } else {
                    self.lost.push(set);
                }
            }
            "RECORD" => {
                let p = field(line, "p").and_then(|x| x.parse().ok()).expect("RECORD p");
                let o = field(line, "o").and_then(|x| x.parse().ok()).expect("RECORD o");
                let v = field(line, "v").unwrap_or("").to_string();
                self.records.push((p, o, v));
            }
            "COMMITTED" => {
                let p = field(line, "p").and_then(|x| x.parse().ok()).expect("COMMITTED p");
                let o: i64 = field(line, "o").and_then(|x| x.parse().ok()).expect("COMMITTED o");
                let e = self.committed.entry(p).or_insert(o);
                *e = (*e).max(o);
            }
            "COMMIT_FAILED" => self.commit_failures += 1,
            "STOPPING" => self.stopping = true,
            "OK" | "FAIL" | "ERROR" | "UNSUPPORTED" => self.summary = Some(line.to_string()),
            _ => {}
        }
    }
}

enum Runner {
    Process {
        child: Child,
        stdin: Option<ChildStdin>,
    },
    Thread {
        stop: Arc<AtomicBool>,
        handle: Option<JoinHandle<()>>,
    },
    Gone,
}

/// One group member: a child process (or a librdkafka thread) and what it reported.
pub struct Member {
    pub name: String,
    pub client: Client,
    pub state: Arc<Mutex<MemberState>>,
    runner: Runner,
    stderr_path: Option<PathBuf>,
    /// The thread reading a process member's stdout; it ends at EOF, after the process exits.
    reader: Option<JoinHandle<()>>,
}

impl Member {
    /// Starts a member of `group` reading `topic` from `bootstrap`.
    pub fn start(client: Client, name: &str, bootstrap: &str, topic: &str, group: &str, opts: &Opts) -> Member {
        let state = Arc::new(Mutex::new(MemberState::default()));
        if client == Client::Rdkafka {
            return rdkafka_member(name, bootstrap, topic, group, opts, state);
        }
        let interop = repo_root().join("e2e/interop");
        let mut cmd = match client {
            Client::Java => {
                let libs = cache().join("kafka-4.4.0/libs");
                require(&libs);
                let mut c = Command::new("java");
                // Small heap, quick start: eight of these may share two cores.
                c.args(["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp"])
                    .arg(format!("{}/*", libs.display()))
                    .arg(interop.join("java/GroupConsumer.java"));
                c
            }
            Client::KafkaPython => {
                let py = cache().join("venv/bin/python");
                require(&py);
                let mut c = Command::new(py);
                c.arg(interop.join("python/group_kafka_python.py"));
                c
            }
            Client::Kafkajs => {
                require(&interop.join("js/node_modules"));
                let mut c = Command::new("node");
                c.arg(interop.join("js/group_consumer.js"));
                c
            }
            Client::Rdkafka => unreachable!(),
        };
        cmd.args([
            "--bootstrap",
            bootstrap,
            "--topic",
            topic,
            "--group",
            group,
            "--commit",
            opts.commit,
        ]);
        cmd.args([
            "--assignor",
            opts.assignor,
            "--client-id",
            name,
            "--stdin-control",
            "--timeout",
            "600",
        ]);
        if let Some(i) = &opts.instance_id {
            cmd.args(["--instance-id", i]);
        }
        if let Some(s) = opts.session_timeout_ms {
            cmd.args(["--session-timeout-ms", &s.to_string()]);
        }
        if let Some(h) = opts.heartbeat_interval_ms {
            cmd.args(["--heartbeat-interval-ms", &h.to_string()]);
        }
        if let Some(m) = opts.max_records {
            cmd.args(["--max-records", &m.to_string()]);
        }
        let stderr_path = std::env::temp_dir().join(format!("{}.stderr", unique(&format!("kaskade-group-{name}"))));
        let err = std::fs::File::create(&stderr_path).expect("stderr file");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} member {name}: {e}", client.name()));
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let st = state.clone();
        let tag = name.to_string();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !line.starts_with("RECORD ") {
                    eprintln!("[{tag}] {line}");
                }
                st.lock().unwrap().push(&line);
            }
        });
        Member {
            name: name.to_string(),
            client,
            state,
            runner: Runner::Process { child, stdin },
            stderr_path: Some(stderr_path),
            reader: Some(reader),
        }
    }

    pub fn assignment(&self) -> Option<BTreeSet<i32>> {
        self.state.lock().unwrap().assignment.clone()
    }

    pub fn records(&self) -> Vec<(i32, i64, String)> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn with<T>(&self, f: impl FnOnce(&MemberState) -> T) -> T {
        f(&self.state.lock().unwrap())
    }

    /// The last 40 lines of its stderr (for failure messages).
    pub fn stderr_tail(&self) -> String {
        let Some(p) = &self.stderr_path else { return String::new() };
        let s = std::fs::read_to_string(p).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Asks it to stop (commit what it processed, close) and waits for its summary line.
    pub fn stop(&mut self) -> String {
        match &mut self.runner {
            Runner::Process { stdin, .. } => {
                if let Some(mut s) = stdin.take() {
                    let _ = s.write_all(b"stop\n");
                }
            }
            Runner::Thread { stop, .. } => stop.store(true, Ordering::SeqCst),
            Runner::Gone => {}
        }
        self.wait_exit(Duration::from_secs(60))
    }

    /// Waits for it to end by itself (e.g. --max-records) and returns its summary line.
    pub fn wait_exit(&mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        match std::mem::replace(&mut self.runner, Runner::Gone) {
            Runner::Process { mut child, stdin } => loop {
                if child.try_wait().expect("wait").is_some() {
                    drop(stdin);
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "member {} did not exit within {timeout:?}; stderr:\n{}",
                        self.name,
                        self.stderr_tail()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            },
            Runner::Thread { handle, .. } => {
                if let Some(h) = handle {
                    h.join().expect("rdkafka member thread");
                }
            }
            Runner::Gone => {}
        }
        // Everything the process wrote is read once its stdout reaches EOF.
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the member's stdout reader");
        }
        let summary = self.state.lock().unwrap().summary.clone();
        summary.unwrap_or_else(|| panic!("member {} ended without a summary line; stderr:\n{}", self.name, self.stderr_tail()))
    }

    /// SIGKILL: no commit, no LeaveGroup.
    pub fn kill9(&mut self) {
        match std::mem::replace(&mut self.runner, Runner::Gone) {
            Runner::Process { mut child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
            other => panic!(
                "member {} cannot be SIGKILLed ({})",
                self.name,
                matches!(other, Runner::Thread { .. })
            ),
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.runner, Runner::Gone) {
            Runner::Process { mut child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Runner::Thread { stop, handle } => {
                stop.store(true, Ordering::SeqCst);
                if let Some(h) = handle {
                    let _ = h.join();
                }
            }
            Runner::Gone => {}
        }
        if let Some(p) = &self.stderr_path {
            if !std::thread::panicking() {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Waits until the members' assignments are disjoint, cover `0..partitions` and none is empty
/// (when there are at least as many partitions as members): a settled group. Returns the
/// assignment of each member. Panics with what each member reported if it does not settle.
pub fn wait_settled(members: &[&Member], partitions: i32, timeout: Duration) -> Vec<BTreeSet<i32>> {
    let all: BTreeSet<i32> = (0..partitions).collect();
    let settled = wait_for(timeout, || {
        let sets: Vec<BTreeSet<i32>> = members.iter().map(|m| m.assignment()).collect::<Option<_>>()?;
        let total: usize = sets.iter().map(|s| s.len()).sum();
        let union: BTreeSet<i32> = sets.iter().flatten().copied().collect();
        let none_empty = members.len() > partitions as usize || sets.iter().all(|s| !s.is_empty());
        (total == all.len() && union == all && none_empty).then_some(sets)
    });
    settled.unwrap_or_else(|| {
        let mut msg = String::new();
        for m in members {
            let st = m.state.lock().unwrap();
            let lines: Vec<&String> = st.lines.iter().filter(|l| !l.starts_with("RECORD ")).collect();
            msg += &format!(
                "--- {} ({}) assignment {:?}\n{lines:#?}\nstderr:\n{}\n",
                m.name,
                m.client.name(),
                st.assignment,
                m.stderr_tail()
            );
        }
        panic!("group did not settle on {partitions} partitions within {timeout:?}:\n{msg}")
    })
}

/// Stops `members` in turn, and after each stop waits until the others have settled on all
/// `partitions` again, so that no member is stopped in the middle of a rebalance. One stopped
/// during a rebalance may take, by its client's design, as long as the rebalance timeout of the
/// join it is in (kafkajs's `runner.stop` finishes its join before leaving; the default timeout is
/// 60 s, the same as `stop`'s limit): a stop into a settled group is short. Returns each summary.
pub fn stop_in_turn(members: &mut [&mut Member], partitions: i32, settle: Duration) -> Vec<String> {
    let mut summaries = Vec::new();
    for i in 0..members.len() {
        summaries.push(members[i].stop());
        let rest: Vec<&Member> = members[i + 1..].iter().map(|m| &**m).collect();
        if !rest.is_empty() {
            wait_settled(&rest, partitions, settle);
        }
    }
    summaries
}

/// Waits until the members together read `n` records.
pub fn wait_records(members: &[&Member], n: usize, timeout: Duration) {
    let ok = wait_for(timeout, || {
        let got: usize = members.iter().map(|m| m.with(|s| s.records.len())).sum();
        (got >= n).then_some(())
    });
    if ok.is_none() {
        let counts: Vec<(String, usize)> = members.iter().map(|m| (m.name.clone(), m.with(|s| s.records.len()))).collect();
        panic!("members read {counts:?} records, want {n} in all (within {timeout:?})");
    }
}

// ------------------------------------------------------------------ librdkafka member

struct RdContext {
    state: Arc<Mutex<MemberState>>,
    name: String,
}

impl RdContext {
    fn line(&self, line: String) {
        eprintln!("[{}] {line}", self.name);
        self.state.lock().unwrap().push(&line);
    }
}

fn parts_of(tpl: &TopicPartitionList) -> String {
    let set: BTreeSet<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
    set.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")
}

impl ClientContext for RdContext {}

impl ConsumerContext for RdContext {
    fn pre_rebalance(&self, _c: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            if tpl.count() > 0 {
                self.line(format!("REVOKED partitions={}", parts_of(tpl)));
            }
        }
    }

    fn post_rebalance(&self, c: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            let all = c.assignment().expect("assignment");
            self.line(format!(
                "ASSIGNMENT gen=-1 member={} partitions={} added={}",
                self.name,
                parts_of(&all),
                parts_of(tpl)
            ));
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => {
                for e in offsets.elements() {
                    if let Offset::Offset(o) = e.offset() {
                        self.line(format!("COMMITTED p={} o={o}", e.partition()));
                    }
                }
            }
            Err(e) => self.line(format!("COMMIT_FAILED {e}")),
        }
    }
}

/// A librdkafka (rdkafka crate) member on its own thread: `BaseConsumer::subscribe`, the same
/// reports as the programs (gen=-1: rdkafka does not expose the generation), commits of exactly
/// the processed offsets (CommitMode::Sync or Async per record batch).
fn rdkafka_member(name: &str, bootstrap: &str, topic: &str, group: &str, opts: &Opts, state: Arc<Mutex<MemberState>>) -> Member {
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("client.id", name)
        .set("enable.auto.commit", if opts.commit == "auto" { "true" } else { "false" })
        .set("auto.offset.reset", "earliest")
        .set("allow.auto.create.topics", "false")
        .set("partition.assignment.strategy", opts.assignor);
    if let Some(i) = &opts.instance_id {
        cfg.set("group.instance.id", i);
    }
    if let Some(s) = opts.session_timeout_ms {
        cfg.set("session.timeout.ms", s.to_string());
    }
    if let Some(h) = opts.heartbeat_interval_ms {
        cfg.set("heartbeat.interval.ms", h.to_string());
    }
    let ctx = RdContext {
        state: state.clone(),
        name: name.to_string(),
    };
    let consumer: BaseConsumer<RdContext> = cfg.create_with_context(ctx).expect("rdkafka consumer");
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let topic = topic.to_string();
    let opts = opts.clone();
    let tag = name.to_string();
    let member_state = state.clone();
    let handle = std::thread::spawn(move || {
        let ctx = consumer.context();
        ctx.line(format!(
            "START client=rdkafka topic={topic} assignor={} commit={}",
            opts.assignor, opts.commit
        ));
        consumer.subscribe(&[&topic]).expect("subscribe");
        let mut consumed = 0u64;
        let mut pending: BTreeMap<i32, i64> = BTreeMap::new();
        let commit = |offs: &BTreeMap<i32, i64>, mode: CommitMode| {
            let mut tpl = TopicPartitionList::new();
            for (p, o) in offs {
                tpl.add_partition_offset(&topic, *p, Offset::Offset(*o)).expect("tpl");
            }
            match consumer.commit(&tpl, mode) {
                Ok(()) if matches!(mode, CommitMode::Sync) => {
                    for (p, o) in offs {
                        ctx.line(format!("COMMITTED p={p} o={o}"));
                    }
                }
                Ok(()) => {}
                Err(e) => ctx.line(format!("COMMIT_FAILED {e}")),
            }
        };
        let mut reason = "stdin";
        while !stop2.load(Ordering::SeqCst) {
            if opts.max_records.is_some_and(|m| consumed >= m) {
                reason = "max-records";
                break;
            }
            let Some(res) = consumer.poll(Duration::from_millis(200)) else {
                continue;
            };
            let m = match res {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("[{tag}] consumer error: {e}");
                    continue;
                }
            };
            let v = m
                .payload()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| "null".into());
            let k = m
                .key()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| "null".into());
            ctx.state
                .lock()
                .unwrap()
                .push(&format!("RECORD p={} o={} k={k} v={v}", m.partition(), m.offset()));
            consumed += 1;
            let one = BTreeMap::from([(m.partition(), m.offset() + 1)]);
            pending.insert(m.partition(), m.offset() + 1);
            match opts.commit {
                "sync" => commit(&one, CommitMode::Sync),
                "async" => commit(&one, CommitMode::Async),
                _ => {}
            }
        }
        ctx.line(format!("STOPPING reason={reason}"));
        if opts.commit == "sync" || opts.commit == "async" {
            // Only partitions still owned: a commit for a revoked one would be refused.
            let owned: BTreeSet<i32> = consumer
                .assignment()
                .map(|t| t.elements().iter().map(|e| e.partition()).collect())
                .unwrap_or_default();
            pending.retain(|p, _| owned.contains(p));
            if !pending.is_empty() {
                commit(&pending, CommitMode::Sync);
            }
        }
        consumer.unsubscribe();
        // Let the revocation/leave go out (librdkafka's close on drop does the LeaveGroup).
        drop(consumer);
        let st = state.clone();
        let failures = st.lock().unwrap().commit_failures;
        st.lock().unwrap().push(&format!(
            "OK client=rdkafka consumed={consumed} commit_failures={failures} stop={reason} failed=0"
        ));
    });
    Member {
        name: name.to_string(),
        client: Client::Rdkafka,
        state: member_state,
        runner: Runner::Thread {
            stop,
            handle: Some(handle),
        },
        stderr_path: None,
        reader: None,
    }
}
