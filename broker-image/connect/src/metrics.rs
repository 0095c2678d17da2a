//! `GET /metrics`: the worker's, connectors' and tasks' metrics in Prometheus text format, under
//! the names Kafka Connect users chart: Kafka Connect's JMX metrics as the Prometheus JMX
//! exporter names them with its default rule — `kafka_connect_<group>_<attribute>`, every `-`
//! an `_`, the MBean's `connector` and `task` keys as labels
//! (`kafka.connect:type=source-task-metrics,connector=c,task=0` `source-record-poll-total` is
//! `kafka_connect_source_task_metrics_source_record_poll_total{connector="c",task="0"}`).
//! String-valued attributes (`status`) are a gauge of 1 with the value as a `status` label.
//! Documented in docs/connect.md ("Metrics").
//!
//! The registry is process-wide. A running task holds its [`TaskMetrics`] (atomics only) and
//! counts into it with no lock and no allocation; the registry's locks are taken when a task
//! or connector starts, stops or changes state, and when the page is rendered.
//!
//! Kafka's `*-rate` metrics are left out (Prometheus derives rates from the `*-total`
//! counters), and its windowed statistics (`*-avg`, `*-max`, `*-percentage`, `*-ratio`) are
//! computed over the task's life rather than over the last two 30-second samples.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Instant;

use crate::clock::now_ms;
use crate::storage::State;

/// Source or sink: which group of per-task record metrics a task has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Source,
    Sink,
}

impl TaskKind {
    fn name(self) -> &'static str {
        match self {
            TaskKind::Source => "source",
            TaskKind::Sink => "sink",
        }
    }
}

/// A cumulative count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub fn inc(&self) {
        self.add(1);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn set(&self, v: i64) {
        self.0.store(v, Relaxed);
    }

    pub fn add(&self, v: i64) {
        self.0.fetch_add(v, Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Relaxed)
    }
}

/// The maximum and the average of recorded values (Kafka's `Max` and `Avg` stats).
#[derive(Debug, Default)]
pub struct Stat {
    max: AtomicU64,
    sum: AtomicU64,
    count: AtomicU64,
}

impl Stat {
    pub fn record(&self, v: u64) {
        self.max.fetch_max(v, Relaxed);
        self.sum.fetch_add(v, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    pub fn max(&self) -> u64 {
        self.max.load(Relaxed)
    }

    /// The average; 0 before anything was recorded.
    pub fn avg(&self) -> f64 {
        let n = self.count.load(Relaxed);
        if n == 0 {
            0.0
        } else {
            self.sum.load(Relaxed) as f64 / n as f64
        }
    }
}

/// `task-error-metrics`: what the error handler saw for one task.
#[derive(Debug, Default)]
pub struct ErrorMetrics {
    /// `total-record-failures`: failed attempts, retries included.
    pub failures: Counter,
    /// `total-record-errors`: records that failed (after any retries).
    pub errors: Counter,
    /// `total-records-skipped`: records skipped because of errors.
    pub skipped: Counter,
    /// `total-retries`.
    pub retries: Counter,
    /// `total-errors-logged`.
    pub logged: Counter,
    /// `deadletterqueue-produce-requests`.
    pub dlq_requests: Counter,
    /// `deadletterqueue-produce-failures`.
    pub dlq_failures: Counter,
    /// `last-error-timestamp` (epoch ms; 0 when none).
    pub last_error: Gauge,
}

impl ErrorMetrics {
    /// `recordErrorTimestamp`: now.
    pub fn error_now(&self) {
        self.last_error.set(now_ms());
    }
}

/// One task's metrics: `connector-task-metrics`, `source-task-metrics` or `sink-task-metrics`,
/// and `task-error-metrics`.
#[derive(Debug)]
pub struct TaskMetrics {
    pub connector: String,
    pub task: u32,
    pub kind: TaskKind,
    created: Instant,
    state: AtomicU8,
    /// Milliseconds after `created` of the last state change.
    state_since: AtomicU64,
    running_ms: AtomicU64,
    paused_ms: AtomicU64,
    // connector-task-metrics
    /// `batch-size-max` / `batch-size-avg`.
    pub batch_size: Stat,
    /// `offset-commit-max-time-ms` / `offset-commit-avg-time-ms`.
    pub commit_time: Stat,
    pub commit_success: Counter,
    pub commit_failure: Counter,
    // source-task-metrics
    /// `source-record-poll-total`: records the task returned from poll (before transforms).
    pub source_poll: Counter,
    /// `source-record-write-total`: records the broker acknowledged (after transforms).
    pub source_write: Counter,
    /// `poll-batch-max-time-ms` / `poll-batch-avg-time-ms`.
    pub poll_time: Stat,
    // sink-task-metrics
    /// `sink-record-read-total`: records read from Kafka (before transforms).
    pub sink_read: Counter,
    /// `sink-record-send-total`: records put to the task (after transforms).
    pub sink_send: Counter,
    /// `partition-count`.
    pub partitions: Gauge,
    /// `offset-commit-seq-no`.
    pub commit_seq: Counter,
    /// `offset-commit-completion-total`.
    pub commit_completion: Counter,
    /// `offset-commit-skip-total`.
    pub commit_skip: Counter,
    /// `put-batch-max-time-ms` / `put-batch-avg-time-ms`.
    pub put_time: Stat,
    /// `source-record-active-count` / `sink-record-active-count`: records in flight (polled and
    /// not yet acknowledged; read and not yet committed).
    pub active: Gauge,
    /// `task-error-metrics`.
    pub errors: ErrorMetrics,
}

impl TaskMetrics {
    pub fn new(connector: &str, task: u32, kind: TaskKind) -> TaskMetrics {
        TaskMetrics {
            connector: connector.to_string(),
            task,
            kind,
            created: Instant::now(),
            state: AtomicU8::new(state_code(State::Unassigned)),
            state_since: AtomicU64::new(0),
            running_ms: AtomicU64::new(0),
            paused_ms: AtomicU64::new(0),
            batch_size: Stat::default(),
            commit_time: Stat::default(),
            commit_success: Counter::default(),
            commit_failure: Counter::default(),
            source_poll: Counter::default(),
            source_write: Counter::default(),
            poll_time: Stat::default(),
            sink_read: Counter::default(),
            sink_send: Counter::default(),
            partitions: Gauge::default(),
            commit_seq: Counter::default(),
            commit_completion: Counter::default(),
            commit_skip: Counter::default(),
            put_time: Stat::default(),
            active: Gauge::default(),
            errors: ErrorMetrics::default(),
        }
    }

    fn elapsed_ms(&self) -> u64 {
        self.created.elapsed().as_millis() as u64
    }

    /// The task's state changed (the time spent in the previous one is added to its ratio).
    pub fn set_state(&self, state: State) {
        let now = self.elapsed_ms();
        let since = self.state_since.swap(now, Relaxed);
        match state_of(self.state.swap(state_code(state), Relaxed)) {
            State::Running => self.running_ms.fetch_add(now.saturating_sub(since), Relaxed),
            State::Paused => self.paused_ms.fetch_add(now.saturating_sub(since), Relaxed),
            _ => 0,
        };
    }

    pub fn state(&self) -> State {
        state_of(self.state.load(Relaxed))
    }

    /// (`running-ratio`, `pause-ratio`) over the task's life.
    fn ratios(&self) -> (f64, f64) {
        let now = self.elapsed_ms();
        let current = now.saturating_sub(self.state_since.load(Relaxed));
        let mut running = self.running_ms.load(Relaxed);
        let mut paused = self.paused_ms.load(Relaxed);
        match self.state() {
            State::Running => running += current,
            State::Paused => paused += current,
            _ => {}
        }
        if now == 0 {
            return (0.0, 0.0);
        }
        (running as f64 / now as f64, paused as f64 / now as f64)
    }

    /// An offset commit finished (`recordCommitSuccess` / `recordCommitFailure`).
    pub fn record_commit(&self, duration_ms: u64, success: bool) {
        self.commit_time.record(duration_ms);
        if success {
            self.commit_success.inc();
        } else {
            self.commit_failure.inc();
        }
    }
}

const STATES: [State; 7] = [
    State::Unassigned,
    State::Running,
    State::Paused,
    State::Stopped,
    State::Failed,
    State::Restarting,
    State::Destroyed,
];

fn state_code(s: State) -> u8 {
    STATES.iter().position(|x| *x == s).unwrap_or(0) as u8
}

fn state_of(code: u8) -> State {
    STATES.get(code as usize).copied().unwrap_or(State::Unassigned)
}

/// A connector instance running here (`connector-metrics`).
#[derive(Debug, Clone)]
struct ConnectorEntry {
    state: State,
    kind: Option<TaskKind>,
    class: String,
    version: String,
}

#[derive(Default)]
struct Registry {
    tasks: BTreeMap<(String, u32), Arc<TaskMetrics>>,
    connectors: BTreeMap<String, ConnectorEntry>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// `connect-worker-metrics` startup counters and `connect-worker-rebalance-metrics`.
#[derive(Default)]
struct Worker {
    connector_startup_attempts: Counter,
    connector_startup_success: Counter,
    connector_startup_failure: Counter,
    task_startup_attempts: Counter,
    task_startup_success: Counter,
    task_startup_failure: Counter,
    rebalances: Counter,
    rebalancing: AtomicBool,
    rebalance_started: AtomicI64,
    rebalance_time: Stat,
    last_rebalance: AtomicI64,
    epoch: Gauge,
}

static WORKER: LazyLock<Worker> = LazyLock::new(Worker::default);

/// Registers a task's metrics (replacing those of an earlier run of the same task).
pub fn register_task(connector: &str, task: u32, kind: TaskKind) -> Arc<TaskMetrics> {
    let metrics = Arc::new(TaskMetrics::new(connector, task, kind));
    registry().tasks.insert((connector.to_string(), task), metrics.clone());
    metrics
}

/// Removes a task's metrics (it no longer runs here).
pub fn remove_task(connector: &str, task: u32) {
    registry().tasks.remove(&(connector.to_string(), task));
}

/// The metrics of a task running here.
pub fn task(connector: &str, task: u32) -> Option<Arc<TaskMetrics>> {
    registry().tasks.get(&(connector.to_string(), task)).cloned()
}

/// A task's state as this worker reported it.
pub fn set_task_state(connector: &str, task: u32, state: State) {
    if let Some(m) = registry().tasks.get(&(connector.to_string(), task)) {
        m.set_state(state);
    }
}

/// A task start was attempted here (`task-startup-*`).
pub fn task_startup(success: bool) {
    WORKER.task_startup_attempts.inc();
    if success {
        WORKER.task_startup_success.inc();
    } else {
        WORKER.task_startup_failure.inc();
    }
}

/// A connector start was attempted here (`connector-startup-*`); a started connector counts in
/// `connector-count` until [`remove_connector`].
pub fn connector_startup(name: &str, class: &str, version: &str, kind: Option<TaskKind>, success: bool) {
    WORKER.connector_startup_attempts.inc();
    if success {
        WORKER.connector_startup_success.inc();
    } else {
        WORKER.connector_startup_failure.inc();
    }
    registry().connectors.insert(
        name.to_string(),
        ConnectorEntry {
            state: State::Unassigned,
            kind,
            class: class.to_string(),
            version: version.to_string(),
        },
    );
}

/// A connector's state as this worker reported it.
pub fn set_connector_state(name: &str, state: State) {
    if let Some(c) = registry().connectors.get_mut(name) {
        c.state = state;
    }
}

/// The connector no longer runs here.
pub fn remove_connector(name: &str) {
    registry().connectors.remove(name);
}

/// `connector-count`: connectors running here.
pub fn connector_count() -> usize {
    registry().connectors.len()
}

/// `task-count`: tasks running here.
pub fn task_count() -> usize {
    registry().tasks.len()
}

/// The herder began a rebalance (joined the group); `rebalancing` is 1 until it completes.
pub fn rebalance_started() {
    WORKER.rebalancing.store(true, Relaxed);
    WORKER.rebalance_started.store(now_ms(), Relaxed);
}

/// The herder completed a rebalance (`completed-rebalances-total`, and its time when
/// [`rebalance_started`] was called first).
pub fn rebalance_completed() {
    let now = now_ms();
    WORKER.rebalances.inc();
    if WORKER.rebalancing.swap(false, Relaxed) {
        let started = WORKER.rebalance_started.load(Relaxed);
        WORKER.rebalance_time.record(now.saturating_sub(started).max(0) as u64);
    }
    WORKER.last_rebalance.store(now, Relaxed);
}

/// `epoch`: the group generation this worker runs under.
pub fn set_epoch(generation: i32) {
    WORKER.epoch.set(i64::from(generation));
}

/// Rebalances completed so far.
pub fn rebalances_completed() -> u64 {
    WORKER.rebalances.get()
}

/// One metric family being written.
struct Family<'a> {
    out: &'a mut String,
}

impl Family<'_> {
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

/// Prometheus label value escaping: backslash, double quote, newline.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The Prometheus name of Kafka Connect's `group`/`attribute` metric.
pub fn metric_name(group: &str, attribute: &str) -> String {
    format!("kafka_connect_{}_{}", group.replace('-', "_"), attribute.replace('-', "_"))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Counter,
    Gauge,
}

struct Writer {
    out: String,
}

impl Writer {
    /// Writes one family (HELP, TYPE, samples) when it has samples.
    fn family<T>(
        &mut self,
        group: &str,
        attribute: &str,
        kind: Kind,
        help: &str,
        rows: &[T],
        mut each: impl FnMut(&mut Family<'_>, &str, &T),
    ) {
        if rows.is_empty() {
            return;
        }
        let name = metric_name(group, attribute);
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let ty = if kind == Kind::Counter { "counter" } else { "gauge" };
        let _ = writeln!(self.out, "# TYPE {name} {ty}");
        let mut f = Family { out: &mut self.out };
        for row in rows {
            each(&mut f, &name, row);
        }
    }

    fn single(&mut self, group: &str, attribute: &str, kind: Kind, help: &str, value: impl std::fmt::Display) {
        let v = value.to_string();
        self.family(group, attribute, kind, help, &[v], |f, name, v| f.sample(name, &[], v));
    }
}

/// A fraction as Kafka's `Frequencies` report it (0 when nothing was recorded).
fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

const WORKER_GROUP: &str = "connect-worker-metrics";
const REBALANCE_GROUP: &str = "connect-worker-rebalance-metrics";
const CONNECTOR_GROUP: &str = "connector-metrics";
const TASK_GROUP: &str = "connector-task-metrics";
const SOURCE_GROUP: &str = "source-task-metrics";
const SINK_GROUP: &str = "sink-task-metrics";
const ERROR_GROUP: &str = "task-error-metrics";

type TaskFn = fn(&TaskMetrics) -> String;

/// (group, attribute, kind, help, value) of the per-task metrics, for tasks of `kind` (`None`:
/// every task).
#[allow(clippy::type_complexity)]
const TASK_METRICS: &[(&str, &str, Kind, Option<TaskKind>, &str, TaskFn)] = &[
    (TASK_GROUP, "running-ratio", Kind::Gauge, None, "The fraction of time this task has spent in the running state.", |t| t.ratios().0.to_string()),
    (TASK_GROUP, "pause-ratio", Kind::Gauge, None, "The fraction of time this task has spent in the pause state.", |t| t.ratios().1.to_string()),
    (TASK_GROUP, "offset-commit-max-time-ms", Kind::Gauge, None, "The maximum time in milliseconds taken by this task to commit offsets.", |t| t.commit_time.max().to_string()),
    (TASK_GROUP, "offset-commit-avg-time-ms", Kind::Gauge, None, "The average time in milliseconds taken by this task to commit offsets.", |t| t.commit_time.avg().to_string()),
    (TASK_GROUP, "batch-size-max", Kind::Gauge, None, "The number of records in the largest batch the task has processed so far.", |t| t.batch_size.max().to_string()),
    (TASK_GROUP, "batch-size-avg", Kind::Gauge, None, "The average number of records in the batches the task has processed so far.", |t| t.batch_size.avg().to_string()),
    (TASK_GROUP, "offset-commit-failure-percentage", Kind::Gauge, None, "The average percentage of this task's offset commit attempts that failed.", |t| {
        fraction(t.commit_failure.get(), t.commit_failure.get() + t.commit_success.get()).to_string()
    }),
    (TASK_GROUP, "offset-commit-success-percentage", Kind::Gauge, None, "The average percentage of this task's offset commit attempts that succeeded.", |t| {
        fraction(t.commit_success.get(), t.commit_failure.get() + t.commit_success.get()).to_string()
    }),
    (SOURCE_GROUP, "source-record-poll-total", Kind::Counter, Some(TaskKind::Source), "The total number of records produced/polled (before transformation) by this task belonging to the named source connector in this worker.", |t| t.source_poll.get().to_string()),
    (SOURCE_GROUP, "source-record-write-total", Kind::Counter, Some(TaskKind::Source), "The number of records output written to Kafka for this task belonging to the named source connector in this worker, since the task was last restarted. This is after transformations are applied, and excludes any records filtered out by the transformations.", |t| t.source_write.get().to_string()),
    (SOURCE_GROUP, "poll-batch-max-time-ms", Kind::Gauge, Some(TaskKind::Source), "The maximum time in milliseconds taken by this task to poll for a batch of source records.", |t| t.poll_time.max().to_string()),
    (SOURCE_GROUP, "poll-batch-avg-time-ms", Kind::Gauge, Some(TaskKind::Source), "The average time in milliseconds taken by this task to poll for a batch of source records.", |t| t.poll_time.avg().to_string()),
    (SOURCE_GROUP, "source-record-active-count", Kind::Gauge, Some(TaskKind::Source), "The number of records that have been produced by this task but not yet completely written to Kafka.", |t| t.active.get().max(0).to_string()),
    (SINK_GROUP, "sink-record-read-total", Kind::Counter, Some(TaskKind::Sink), "The total number of records read from Kafka by this task belonging to the named sink connector in this worker, since the task was last restarted.", |t| t.sink_read.get().to_string()),
    (SINK_GROUP, "sink-record-send-total", Kind::Counter, Some(TaskKind::Sink), "The total number of records output from the transformations and sent/put to this task belonging to the named sink connector in this worker, since the task was last restarted.", |t| t.sink_send.get().to_string()),
    (SINK_GROUP, "partition-count", Kind::Gauge, Some(TaskKind::Sink), "The number of topic partitions assigned to this task belonging to the named sink connector in this worker.", |t| t.partitions.get().to_string()),
    (SINK_GROUP, "offset-commit-seq-no", Kind::Gauge, Some(TaskKind::Sink), "The current sequence number for offset commits.", |t| t.commit_seq.get().to_string()),
    (SINK_GROUP, "offset-commit-completion-total", Kind::Counter, Some(TaskKind::Sink), "The total number of offset commit completions that were completed successfully.", |t| t.commit_completion.get().to_string()),
    (SINK_GROUP, "offset-commit-skip-total", Kind::Counter, Some(TaskKind::Sink), "The total number of offset commit completions that were received too late and skipped/ignored.", |t| t.commit_skip.get().to_string()),
    (SINK_GROUP, "put-batch-max-time-ms", Kind::Gauge, Some(TaskKind::Sink), "The maximum time taken by this task to put a batch of sinks records.", |t| t.put_time.max().to_string()),
    (SINK_GROUP, "put-batch-avg-time-ms", Kind::Gauge, Some(TaskKind::Sink), "The average time taken by this task to put a batch of sinks records.", |t| t.put_time.avg().to_string()),
    (SINK_GROUP, "sink-record-active-count", Kind::Gauge, Some(TaskKind::Sink), "The number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.", |t| t.active.get().max(0).to_string()),
    (ERROR_GROUP, "total-record-failures", Kind::Counter, None, "The number of record processing failures in this task.", |t| t.errors.failures.get().to_string()),
    (ERROR_GROUP, "total-record-errors", Kind::Counter, None, "The number of record processing errors in this task. ", |t| t.errors.errors.get().to_string()),
    (ERROR_GROUP, "total-records-skipped", Kind::Counter, None, "The number of records skipped due to errors.", |t| t.errors.skipped.get().to_string()),
    (ERROR_GROUP, "total-retries", Kind::Counter, None, "The number of operations retried.", |t| t.errors.retries.get().to_string()),
    (ERROR_GROUP, "total-errors-logged", Kind::Counter, None, "The number of errors that were logged.", |t| t.errors.logged.get().to_string()),
    (ERROR_GROUP, "deadletterqueue-produce-requests", Kind::Counter, None, "The number of attempted writes to the dead letter queue.", |t| t.errors.dlq_requests.get().to_string()),
    (ERROR_GROUP, "deadletterqueue-produce-failures", Kind::Counter, None, "The number of failed writes to the dead letter queue.", |t| t.errors.dlq_failures.get().to_string()),
    (ERROR_GROUP, "last-error-timestamp", Kind::Gauge, None, "The epoch timestamp when this task last encountered an error.", |t| t.errors.last_error.get().to_string()),
];

/// The metrics as Prometheus text (exposition format 0.0.4).
pub fn render() -> String {
    let (tasks, connectors): (Vec<Arc<TaskMetrics>>, Vec<(String, ConnectorEntry)>) = {
        let r = registry();
        (
            r.tasks.values().cloned().collect(),
            r.connectors.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        )
    };
    let mut w = Writer {
        out: String::with_capacity(4096),
    };
    let w_ = &*WORKER;

    // connect-worker-metrics
    w.single(
        WORKER_GROUP,
        "connector-count",
        Kind::Gauge,
        "The number of connectors run in this worker.",
        connectors.len(),
    );
    w.single(
        WORKER_GROUP,
        "task-count",
        Kind::Gauge,
        "The number of tasks run in this worker.",
        tasks.len(),
    );
    let (ca, cs, cf) = (
        w_.connector_startup_attempts.get(),
        w_.connector_startup_success.get(),
        w_.connector_startup_failure.get(),
    );
    w.single(
        WORKER_GROUP,
        "connector-startup-attempts-total",
        Kind::Counter,
        "The total number of connector startups that this worker has attempted.",
        ca,
    );
    w.single(
        WORKER_GROUP,
        "connector-startup-success-total",
        Kind::Counter,
        "The total number of connector starts that succeeded.",
        cs,
    );
    w.single(
        WORKER_GROUP,
        "connector-startup-success-percentage",
        Kind::Gauge,
        "The average percentage of this worker's connectors starts that succeeded.",
        fraction(cs, ca),
    );
    w.single(
        WORKER_GROUP,
        "connector-startup-failure-total",
        Kind::Counter,
        "The total number of connector starts that failed.",
        cf,
    );
    w.single(
        WORKER_GROUP,
        "connector-startup-failure-percentage",
        Kind::Gauge,
        "The average percentage of this worker's connectors starts that failed.",
        fraction(cf, ca),
    );
    let (ta, ts, tf) = (
        w_.task_startup_attempts.get(),
        w_.task_startup_success.get(),
        w_.task_startup_failure.get(),
    );
    w.single(
        WORKER_GROUP,
        "task-startup-attempts-total",
        Kind::Counter,
        "The total number of task startups that this worker has attempted.",
        ta,
    );
    w.single(
        WORKER_GROUP,
        "task-startup-success-total",
        Kind::Counter,
        "The total number of task starts that succeeded.",
        ts,
    );
    w.single(
        WORKER_GROUP,
        "task-startup-success-percentage",
        Kind::Gauge,
        "The average percentage of this worker's tasks starts that succeeded.",
        fraction(ts, ta),
    );
    w.single(
        WORKER_GROUP,
        "task-startup-failure-total",
        Kind::Counter,
        "The total number of task starts that failed.",
        tf,
    );
    w.single(
        WORKER_GROUP,
        "task-startup-failure-percentage",
        Kind::Gauge,
        "The average percentage of this worker's tasks starts that failed.",
        fraction(tf, ta),
    );

    // connect-worker-metrics, per connector: its tasks here by state.
    let mut per_connector: BTreeMap<&str, [u64; 7]> = connectors.iter().map(|(n, _)| (n.as_str(), [0; 7])).collect();
    for t in &tasks {
        per_connector.entry(t.connector.as_str()).or_default()[state_code(t.state()) as usize] += 1;
    }
    let rows: Vec<(&str, [u64; 7])> = per_connector.into_iter().collect();
    let count_of = |counts: &[u64; 7], s: State| counts[state_code(s) as usize];
    w.family(
        WORKER_GROUP,
        "connector-total-task-count",
        Kind::Gauge,
        "The number of tasks of the connector on the worker.",
        &rows,
        |f, n, (c, counts)| f.sample(n, &[("connector", c)], counts.iter().sum::<u64>()),
    );
    for (attribute, state, help) in [
        (
            "connector-running-task-count",
            State::Running,
            "The number of running tasks of the connector on the worker.",
        ),
        (
            "connector-paused-task-count",
            State::Paused,
            "The number of paused tasks of the connector on the worker.",
        ),
        (
            "connector-failed-task-count",
            State::Failed,
            "The number of failed tasks of the connector on the worker.",
        ),
        (
            "connector-unassigned-task-count",
            State::Unassigned,
            "The number of unassigned tasks of the connector on the worker.",
        ),
        (
            "connector-destroyed-task-count",
            State::Destroyed,
            "The number of destroyed tasks of the connector on the worker.",
        ),
        (
            "connector-restarting-task-count",
            State::Restarting,
            "The number of restarting tasks of the connector on the worker.",
        ),
    ] {
        w.family(WORKER_GROUP, attribute, Kind::Gauge, help, &rows, |f, n, (c, counts)| {
            f.sample(n, &[("connector", c)], count_of(counts, state))
        });
    }

    // connect-worker-rebalance-metrics
    w.single(
        REBALANCE_GROUP,
        "completed-rebalances-total",
        Kind::Counter,
        "The total number of rebalances completed by this worker.",
        w_.rebalances.get(),
    );
    w.single(
        REBALANCE_GROUP,
        "epoch",
        Kind::Gauge,
        "The epoch or generation number of this worker.",
        w_.epoch.get(),
    );
    w.single(
        REBALANCE_GROUP,
        "rebalancing",
        Kind::Gauge,
        "Whether this worker is currently rebalancing.",
        u8::from(w_.rebalancing.load(Relaxed)),
    );
    w.single(
        REBALANCE_GROUP,
        "rebalance-max-time-ms",
        Kind::Gauge,
        "The maximum time in milliseconds spent by this worker to rebalance.",
        w_.rebalance_time.max(),
    );
    w.single(
        REBALANCE_GROUP,
        "rebalance-avg-time-ms",
        Kind::Gauge,
        "The average time in milliseconds spent by this worker to rebalance.",
        w_.rebalance_time.avg(),
    );
    let last = w_.last_rebalance.load(Relaxed);
    let since = if last == 0 { -1 } else { (now_ms() - last).max(0) };
    w.single(
        REBALANCE_GROUP,
        "time-since-last-rebalance-ms",
        Kind::Gauge,
        "The time in milliseconds since this worker completed the most recent rebalance.",
        since,
    );

    // connector-metrics
    w.family(
        CONNECTOR_GROUP,
        "status",
        Kind::Gauge,
        "The status of the connector. One of 'unassigned', 'running', 'paused', 'stopped', 'failed', or 'restarting'.",
        &connectors,
        |f, n, (c, e)| f.sample(n, &[("connector", c), ("status", &e.state.name().to_ascii_lowercase())], 1),
    );
    w.family(
        CONNECTOR_GROUP,
        "connector-type",
        Kind::Gauge,
        "The type of the connector. One of 'source' or 'sink'.",
        &connectors,
        |f, n, (c, e)| {
            f.sample(
                n,
                &[("connector", c), ("connector_type", e.kind.map_or("unknown", TaskKind::name))],
                1,
            )
        },
    );
    w.family(
        CONNECTOR_GROUP,
        "connector-class",
        Kind::Gauge,
        "The name of the connector class.",
        &connectors,
        |f, n, (c, e)| f.sample(n, &[("connector", c), ("connector_class", &e.class)], 1),
    );
    w.family(
        CONNECTOR_GROUP,
        "connector-version",
        Kind::Gauge,
        "The version of the connector class, as reported by the connector.",
        &connectors,
        |f, n, (c, e)| f.sample(n, &[("connector", c), ("connector_version", &e.version)], 1),
    );

    // connector-task-metrics status, then every per-task metric.
    w.family(
        TASK_GROUP,
        "status",
        Kind::Gauge,
        "The status of the connector task. One of 'unassigned', 'running', 'paused', 'failed', or 'restarting'.",
        &tasks,
        |f, n, t| {
            let id = t.task.to_string();
            f.sample(
                n,
                &[
                    ("connector", &t.connector),
                    ("task", &id),
                    ("status", &t.state().name().to_ascii_lowercase()),
                ],
                1,
            )
        },
    );
    for (group, attribute, kind, only, help, value) in TASK_METRICS {
        let rows: Vec<&Arc<TaskMetrics>> = tasks.iter().filter(|t| only.is_none_or(|k| k == t.kind)).collect();
        w.family(group, attribute, *kind, help, &rows, |f, n, t| {
            let id = t.task.to_string();
            f.sample(n, &[("connector", &t.connector), ("task", &id)], value(t))
        });
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_jmx_exporter_default_rule() {
        assert_eq!(
            metric_name("source-task-metrics", "source-record-poll-total"),
            "kafka_connect_source_task_metrics_source_record_poll_total"
        );
        assert_eq!(
            metric_name("connect-worker-rebalance-metrics", "completed-rebalances-total"),
            "kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total"
        );
    }

    #[test]
    fn stats_and_fractions() {
        let s = Stat::default();
        assert_eq!(s.avg(), 0.0);
        s.record(2);
        s.record(6);
        assert_eq!(s.max(), 6);
        assert_eq!(s.avg(), 4.0);
        assert_eq!(fraction(1, 4), 0.25);
        assert_eq!(fraction(0, 0), 0.0);
    }

    #[test]
    fn state_time_goes_to_the_state_it_was_spent_in() {
        let t = TaskMetrics::new("c", 0, TaskKind::Sink);
        t.set_state(State::Running);
        t.running_ms.store(0, Relaxed);
        t.state_since.store(0, Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(30));
        t.set_state(State::Paused);
        assert!(t.running_ms.load(Relaxed) >= 30);
        assert_eq!(t.paused_ms.load(Relaxed), 0);
        let (running, paused) = t.ratios();
        assert!(running > 0.5 && running <= 1.0, "{running}");
        assert!(paused < 0.5, "{paused}");
    }

    #[test]
    fn renders_registered_tasks_with_labels_and_types() {
        // Names unique to this test: the registry is process-wide.
        let m = register_task("render-test \"q\"", 3, TaskKind::Source);
        m.source_poll.add(5);
        m.source_write.add(4);
        m.errors.errors.inc();
        m.set_state(State::Running);
        connector_startup(
            "render-test \"q\"",
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "4.3.1",
            Some(TaskKind::Source),
            true,
        );
        set_connector_state("render-test \"q\"", State::Running);
        let text = render();
        let labels = r#"{connector="render-test \"q\"",task="3"}"#;
        assert!(
            text.contains(&format!("kafka_connect_source_task_metrics_source_record_poll_total{labels} 5\n")),
            "{text}"
        );
        assert!(text.contains(&format!("kafka_connect_source_task_metrics_source_record_write_total{labels} 4\n")));
        assert!(text.contains(&format!("kafka_connect_task_error_metrics_total_record_errors{labels} 1\n")));
        assert!(text.contains(r#"kafka_connect_connector_task_metrics_status{connector="render-test \"q\"",task="3",status="running"} 1"#));
        assert!(text.contains(r#"kafka_connect_connector_metrics_status{connector="render-test \"q\"",status="running"} 1"#));
        assert!(text.contains(r#"kafka_connect_connect_worker_metrics_connector_running_task_count{connector="render-test \"q\""} 1"#));
        assert!(text.contains("# TYPE kafka_connect_source_task_metrics_source_record_poll_total counter\n"));
        assert!(text.contains("# TYPE kafka_connect_connect_worker_metrics_task_count gauge\n"));
        assert!(text.contains("kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total "));
        // A sink metric is not rendered for a source task.
        assert!(!text.contains(&format!("kafka_connect_sink_task_metrics_sink_record_read_total{labels}")));
        // Every line is a comment or `name{labels} value`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
        remove_task("render-test \"q\"", 3);
        remove_connector("render-test \"q\"");
        assert!(!render().contains("render-test"));
    }

    #[test]
    fn rebalances_are_counted_and_timed() {
        let before = rebalances_completed();
        rebalance_started();
        rebalance_completed();
        assert_eq!(rebalances_completed(), before + 1);
        assert!(!WORKER.rebalancing.load(Relaxed));
    }
}
