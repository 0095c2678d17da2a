//! Runs one sink task (`WorkerSinkTask`) on its own thread: consume in group `connect-NAME` →
//! converters → transforms → batches to the connector, each record under the task's error
//! handler. Consumer offsets are committed every `offset.flush.interval.ms`, when partitions
//! are revoked (so a rebalance does not redeliver what was written) and when the task stops —
//! always after the connector's `flush` said everything put so far is written, and after the
//! dead letter queue acknowledged what was sent to it: at least once.
//!
//! The loop is synchronous (librdkafka's `poll` blocks this thread, not the runtime); the
//! connector's `put` and `flush` futures run on the runtime through its handle. The rebalance
//! callback runs inside `poll`, on this thread, so it may flush the connector and commit
//! synchronously before the partitions go.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::Message;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::errors::{Context, Operator, Original};
use super::pipeline::Pipeline;
use super::status::Reporter;
use super::Control;
use crate::connectors::{ConnectError, Props, SinkTask};
use crate::metrics::TaskMetrics;
use crate::record::{ConnectRecord, Origin};
use crate::storage::State;

/// Records handed to the connector per `put`, at most (Kafka's `max.poll.records` default).
const MAX_BATCH: usize = 500;
/// How long one `poll` waits for records (and so how soon a stop or pause is seen).
const POLL_WAIT: Duration = Duration::from_millis(100);

/// What the loop and the rebalance callback share.
pub struct Shared {
    /// The connector's task, while it runs.
    task: Mutex<Option<Box<dyn SinkTask>>>,
    /// Next offset to commit per partition: records put to the task, not yet committed.
    uncommitted: Mutex<BTreeMap<(String, i32), i64>>,
    /// The callback acts only while the loop runs (not while the consumer closes).
    active: AtomicBool,
    paused: AtomicBool,
    /// An error in the rebalance callback, raised by the loop after `poll` (Kafka's
    /// `rebalanceException`).
    error: Mutex<Option<ConnectError>>,
    /// The dead letter queue to flush before a commit (set once the operator exists).
    dlq_flush: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
    /// Partitions revoked during the last `poll`: their records not yet put are dropped (they
    /// will be read again from the committed offset by their next owner).
    revoked: Mutex<Vec<(String, i32)>>,
    metrics: Arc<TaskMetrics>,
    handle: Handle,
    name: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(metrics: Arc<TaskMetrics>, handle: Handle, name: String) -> Arc<Shared> {
        Arc::new(Shared {
            task: Mutex::new(None),
            uncommitted: Mutex::new(BTreeMap::new()),
            active: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            error: Mutex::new(None),
            dlq_flush: Mutex::new(None),
            revoked: Mutex::new(Vec::new()),
            metrics,
            handle,
            name,
        })
    }

    /// Flushes the connector, then commits synchronously the offsets of everything it was
    /// given (`commitOffsets` with `preCommit` = `flush`).
    fn flush_and_commit(&self, consumer: &BaseConsumer<SinkContext>) -> Result<(), ConnectError> {
        let started = Instant::now();
        {
            let mut task = lock(&self.task);
            if let Some(task) = task.as_mut() {
                if let Err(e) = self.handle.block_on(task.flush()) {
                    self.metrics.record_commit(started.elapsed().as_millis() as u64, false);
                    return Err(e);
                }
            }
        }
        if let Some(flush) = lock(&self.dlq_flush).as_ref() {
            flush();
        }
        let offsets = std::mem::take(&mut *lock(&self.uncommitted));
        if offsets.is_empty() {
            return Ok(());
        }
        self.metrics.commit_seq.inc();
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), next) in &offsets {
            let _ = tpl.add_partition_offset(topic, *partition, Offset::Offset(*next));
        }
        match consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => {
                self.metrics.commit_completion.inc();
                self.metrics.record_commit(started.elapsed().as_millis() as u64, true);
                self.metrics.active.set(0);
            }
            Err(e) => {
                tracing::warn!(
                    task = self.name,
                    "{} Commit of offsets failed (the records will be delivered again): {e}",
                    self.name
                );
                self.metrics.record_commit(started.elapsed().as_millis() as u64, false);
                // Kept for the next commit, unless newer offsets were recorded meanwhile.
                let mut pending = lock(&self.uncommitted);
                for (k, v) in offsets {
                    pending.entry(k).or_insert(v);
                }
            }
        }
        Ok(())
    }
}

/// The sink consumer's context: commits on revocation, keeps pause across rebalances.
pub struct SinkContext {
    shared: Arc<Shared>,
}

impl ClientContext for SinkContext {}

impl ConsumerContext for SinkContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                if !self.shared.active.load(Ordering::Relaxed) {
                    tracing::trace!("Skipping partition revocation callback as task has already been stopped");
                    return;
                }
                tracing::debug!(task = self.shared.name, "{} Partitions revoked: {}", self.shared.name, tpl.count());
                lock(&self.shared.revoked).extend(tpl.elements().iter().map(|e| (e.topic().to_string(), e.partition())));
                if let Err(e) = self.shared.flush_and_commit(consumer) {
                    lock(&self.shared.error).get_or_insert(e);
                }
            }
            Rebalance::Assign(tpl) => {
                tracing::debug!(task = self.shared.name, "{} Partitions assigned: {}", self.shared.name, tpl.count());
            }
            Rebalance::Error(e) => {
                tracing::warn!(task = self.shared.name, "{} rebalance error: {e}", self.shared.name);
            }
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, _: &Rebalance<'_>) {
        if let Ok(assignment) = consumer.assignment() {
            self.shared.metrics.partitions.set(assignment.count() as i64);
            if self.shared.paused.load(Ordering::Relaxed) {
                let _ = consumer.pause(&assignment);
            }
        }
    }
}

pub struct SinkRun {
    pub connector: String,
    pub task: u32,
    pub config: Props,
    pub pipeline: Pipeline,
    pub consumer: BaseConsumer<SinkContext>,
    pub shared: Arc<Shared>,
    pub reporter: Reporter,
    pub flush_interval: Duration,
    pub operator: Operator,
    pub metrics: Arc<TaskMetrics>,
    pub cancelled: Arc<AtomicBool>,
}

impl SinkRun {
    /// Runs on the calling (non-runtime) thread until told to stop; the error is the task's
    /// failure.
    pub fn run(mut self, mut task: Box<dyn SinkTask>, mut control: watch::Receiver<Control>) -> Result<(), ConnectError> {
        task.start(&self.config)?;
        *lock(&self.shared.task) = Some(task);
        if let Some(dlq) = self.operator.dlq() {
            *lock(&self.shared.dlq_flush) = Some(dlq.flusher());
        }
        self.shared.active.store(true, Ordering::Relaxed);
        self.report(State::Running);
        let result = self.consume_loop(&mut control);
        // What was put before a stop or a failure is committed (`closeAllPartitions`), unless
        // the worker gave up on this task.
        let finished = if self.cancelled.load(Ordering::Relaxed) {
            result
        } else {
            let committed = self.shared.flush_and_commit(&self.consumer);
            match result {
                Ok(()) => committed,
                Err(e) => {
                    if let Err(c) = committed {
                        tracing::warn!(
                            connector = self.connector,
                            task = self.task,
                            "Offset commit failed during close: {c}"
                        );
                    }
                    Err(e)
                }
            }
        };
        self.shared.active.store(false, Ordering::Relaxed);
        if let Some(mut task) = lock(&self.shared.task).take() {
            task.stop();
        }
        *lock(&self.shared.dlq_flush) = None;
        if let Some(dlq) = self.operator.dlq() {
            dlq.flush(Duration::from_secs(30));
        }
        finished
    }

    fn report(&self, state: State) {
        if !self.cancelled.load(Ordering::Relaxed) {
            self.shared
                .handle
                .block_on(self.reporter.task(&self.connector, self.task, state, None));
        }
    }

    fn raise_rebalance_error(&self) -> Result<(), ConnectError> {
        match lock(&self.shared.error).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `messageBatch.removeIf(revoked)`: records of partitions revoked meanwhile are not put.
    fn drop_revoked(&self, batch: &mut Vec<ConnectRecord>, consumed: &mut BTreeMap<(String, i32), i64>) {
        let revoked = std::mem::take(&mut *lock(&self.shared.revoked));
        if revoked.is_empty() {
            return;
        }
        batch.retain(|r| match &r.origin {
            Origin::Sink {
                original_topic,
                original_partition,
                ..
            } => !revoked.iter().any(|(t, p)| t == original_topic && p == original_partition),
            Origin::Source { .. } => true,
        });
        consumed.retain(|k, _| !revoked.contains(k));
    }

    fn consume_loop(&mut self, control: &mut watch::Receiver<Control>) -> Result<(), ConnectError> {
        let mut last_commit = Instant::now();
        let mut paused = false;
        let mut topics = HashSet::new();
        let mut consumed: BTreeMap<(String, i32), i64> = BTreeMap::new();
        loop {
            if self.cancelled.load(Ordering::Relaxed) {
                return Ok(());
            }
            let state = *control.borrow_and_update();
            match state {
                Control::Stop => break,
                Control::Pause if !paused => {
                    self.shared.paused.store(true, Ordering::Relaxed);
                    if let Ok(a) = self.consumer.assignment() {
                        let _ = self.consumer.pause(&a);
                    }
                    self.report(State::Paused);
                    paused = true;
                }
                Control::Run if paused => {
                    self.shared.paused.store(false, Ordering::Relaxed);
                    if let Ok(a) = self.consumer.assignment() {
                        let _ = self.consumer.resume(&a);
                    }
                    self.report(State::Running);
                    paused = false;
                }
                _ => {}
            }
            let mut batch = Vec::new();
            let mut read = 0u64;
            let mut wait = POLL_WAIT;
            while read < MAX_BATCH as u64 {
                let polled = self.consumer.poll(wait);
                self.raise_rebalance_error()?;
                self.drop_revoked(&mut batch, &mut consumed);
                wait = Duration::ZERO;
                match polled {
                    Some(Ok(m)) => {
                        read += 1;
                        let mut ctx = Context::new(Original::Consumed(&m));
                        if !topics.contains(m.topic()) && !self.cancelled.load(Ordering::Relaxed) {
                            topics.insert(m.topic().to_string());
                            self.shared
                                .handle
                                .block_on(self.reporter.topic(m.topic(), &self.connector, self.task));
                        }
                        if let Some(record) = self.pipeline.from_kafka(&mut self.operator, &mut ctx, &m)? {
                            batch.push(record);
                        }
                        consumed.insert((m.topic().to_string(), m.partition()), m.offset() + 1);
                    }
                    Some(Err(e)) => {
                        tracing::warn!(connector = self.connector, task = self.task, "consumer: {e}");
                        break;
                    }
                    None => break,
                }
            }
            if read > 0 {
                self.metrics.sink_read.add(read);
                self.metrics.active.add(read as i64);
            }
            {
                let n = batch.len() as u64;
                let started = Instant::now();
                {
                    let mut task = lock(&self.shared.task);
                    if let Some(task) = task.as_mut() {
                        self.shared.handle.block_on(task.put(batch)).map_err(|e| {
                            ConnectError::new("Exiting WorkerSinkTask due to unrecoverable exception.").caused_by(e.trace().trim_end())
                        })?;
                    }
                }
                if n > 0 {
                    self.metrics.put_time.record(started.elapsed().as_millis() as u64);
                    self.metrics.sink_send.add(n);
                    self.metrics.batch_size.record(n);
                }
                if !consumed.is_empty() {
                    lock(&self.shared.uncommitted).append(&mut consumed);
                }
            }
            if last_commit.elapsed() >= self.flush_interval {
                if !lock(&self.shared.uncommitted).is_empty() {
                    self.shared.flush_and_commit(&self.consumer)?;
                }
                last_commit = Instant::now();
            }
        }
        Ok(())
    }
}

/// The consumer of a sink task: the worker's and connector's overrides, then Connect's own
/// settings (group `connect-NAME`, manual commits, from the earliest offset).
pub fn consumer(
    java: &BTreeMap<String, String>,
    connector: &str,
    client_id: &str,
    config: &Props,
    shared: Arc<Shared>,
) -> Result<BaseConsumer<SinkContext>, ConnectError> {
    use kaskade_common::client_props::{RdConfig, Role};
    let mut rd = RdConfig::from_java(Role::Consumer, java, &mut |w| tracing::warn!("{w}")).map_err(|e| ConnectError::new(e.to_string()))?;
    rd.set_default("group.id", format!("connect-{connector}"));
    rd.set_default("auto.offset.reset", "earliest");
    // librdkafka prefetches up to 64 MiB per partition by default; Java's consumer holds one
    // fetch (max.partition.fetch.bytes 1 MiB per partition). 8 MiB keeps a sink fed.
    rd.set_default("queued.max.messages.kbytes", "8192");
    // When that prefetch is full librdkafka waits fetch.queue.backoff.ms (1 s by default) before
    // it fetches again, which stalls a sink that has just drained it: fetch again almost at once.
    rd.set_default("fetch.queue.backoff.ms", "5");
    rd.set_default("client.id", client_id);
    rd.set("enable.auto.commit", "false");
    rd.set("enable.auto.offset.store", "false");
    let cfg = rd
        .client_config(&mut |w| tracing::warn!("{w}"))
        .map_err(|e| ConnectError::new(e.to_string()))?;
    let consumer: BaseConsumer<SinkContext> = cfg
        .create_with_context(SinkContext { shared })
        .map_err(|e| ConnectError::new("Failed to create the consumer").caused_by(e))?;
    let topics = crate::config_def::parse_list(config.get("topics").map(String::as_str).unwrap_or(""));
    let regex = config.get("topics.regex").filter(|r| !r.is_empty());
    let subscription: Vec<String> = match regex {
        Some(r) => vec![format!("^{}", r.trim_start_matches('^'))],
        None => topics,
    };
    let refs: Vec<&str> = subscription.iter().map(String::as_str).collect();
    consumer
        .subscribe(&refs)
        .map_err(|e| ConnectError::new("Failed to subscribe").caused_by(e))?;
    Ok(consumer)
}
