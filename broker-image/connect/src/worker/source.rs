//! Runs one source task (`WorkerSourceTask`) on its own thread: poll → transforms → converters
//! → an idempotent acks=all producer, each record under the task's error handler. Source
//! offsets are written to the offsets topic every `offset.flush.interval.ms` and when the task
//! stops, and only after the producer has flushed and the broker acknowledged every record
//! sent so far — never for a record that may be lost. A record the transforms drop, or whose
//! failure is tolerated, is not sent, and its offset still advances (as in Kafka).

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::message::{Header as RdHeader, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use tokio::sync::watch;

use super::errors::{self, Context, Operator, Original, Stage, TaskId};
use super::pipeline::{KafkaRecord, Pipeline};
use super::status::Reporter;
use super::Control;
use crate::connectors::{ConnectError, Props, SourceContext, SourceTask};
use crate::metrics::TaskMetrics;
use crate::storage::{offset_topic, State};

/// Counts what the broker acknowledged; remembers the first failure that is not tolerated.
pub struct Acks {
    acked: AtomicU64,
    failed: Mutex<Option<String>>,
    /// `failed` is set (checked before each send, as `maybeThrowProducerSendException`).
    has_failed: AtomicBool,
    /// `errors.tolerance=all`: a failed send is skipped (and its offset committed).
    tolerate: bool,
    log: bool,
    id: TaskId,
    metrics: Arc<TaskMetrics>,
}

impl Acks {
    pub fn new(id: TaskId, config: &errors::ErrorConfig, metrics: Arc<TaskMetrics>) -> Acks {
        Acks {
            acked: AtomicU64::new(0),
            failed: Mutex::new(None),
            has_failed: AtomicBool::new(false),
            tolerate: config.tolerance == errors::Tolerance::All,
            log: config.log_enable,
            id,
            metrics,
        }
    }
}

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.metrics.source_write.inc();
                self.metrics.active.add(-1);
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) if self.tolerate => {
                // `producerSendFailed` under `all`: `executeFailed(KAFKA_PRODUCE)`, then skipped.
                tracing::error!(
                    connector = self.id.connector,
                    task = self.id.task,
                    "{} failed to send record: {e}",
                    self.id
                );
                self.metrics.errors.error_now();
                self.metrics.errors.failures.inc();
                if self.log {
                    tracing::error!(
                        connector = self.id.connector,
                        task = self.id.task,
                        "Error encountered in task {}. Executing stage '{}' with class '{}'.\n{e}",
                        self.id,
                        Stage::KafkaProduce.name(),
                        errors::WORKER_SOURCE_TASK
                    );
                    self.metrics.errors.logged.inc();
                }
                self.metrics.active.add(-1);
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                tracing::error!(
                    connector = self.id.connector,
                    task = self.id.task,
                    "{} failed to send record: {e}",
                    self.id
                );
                let mut f = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                f.get_or_insert_with(|| e.to_string());
                self.has_failed.store(true, Ordering::Relaxed);
            }
        }
    }
}

pub struct SourceRun {
    pub connector: String,
    pub task: u32,
    pub config: Props,
    pub pipeline: Pipeline,
    pub producer: ThreadedProducer<Acks>,
    pub context: SourceContext,
    pub reporter: Reporter,
    pub flush_interval: Duration,
    pub flush_timeout: Duration,
    pub operator: Operator,
    pub metrics: Arc<TaskMetrics>,
    /// Set when the worker gave up waiting for this task: no more status or offset writes.
    pub cancelled: Arc<AtomicBool>,
}

struct Offsets {
    /// Latest offset per source partition (keyed by its JSON text) since the last commit.
    latest: BTreeMap<String, (serde_json::Value, serde_json::Value)>,
    /// The partition of the last record and its offset: most records continue the partition of
    /// the one before, so only a change of partition costs a map entry (no text per record).
    last: Option<(serde_json::Value, serde_json::Value)>,
    sent: u64,
}

impl Offsets {
    /// Borrows the record's partition and offset: the partition is cloned only when it differs
    /// from the last one's.
    fn record(&mut self, partition: &serde_json::Value, offset: &serde_json::Value) {
        match &mut self.last {
            Some((p, o)) if p == partition => o.clone_from(offset),
            last => {
                if let Some((p, o)) = last.replace((partition.clone(), offset.clone())) {
                    self.latest.insert(p.to_string(), (p, o));
                }
            }
        }
    }

    /// Everything recorded since the last commit, each partition once.
    fn take(&mut self) -> BTreeMap<String, (serde_json::Value, serde_json::Value)> {
        if let Some((p, o)) = self.last.take() {
            self.latest.insert(p.to_string(), (p, o));
        }
        std::mem::take(&mut self.latest)
    }
}

impl SourceRun {
    /// Runs until told to stop; the error is the task's failure.
    pub async fn run(mut self, mut task: Box<dyn SourceTask>, mut control: watch::Receiver<Control>) -> Result<(), ConnectError> {
        task.start(&self.config, self.context.clone())?;
        self.report(State::Running).await;
        let result = self.poll_loop(task.as_mut(), &mut control).await;
        task.stop();
        let _ = self.producer.flush(self.flush_timeout);
        result
    }

    async fn report(&self, state: State) {
        if !self.cancelled.load(Ordering::Relaxed) {
            self.reporter.task(&self.connector, self.task, state, None).await;
        }
    }

    async fn poll_loop(&mut self, task: &mut dyn SourceTask, control: &mut watch::Receiver<Control>) -> Result<(), ConnectError> {
        let mut offsets = Offsets {
            latest: BTreeMap::new(),
            last: None,
            sent: 0,
        };
        let mut topics = HashSet::new();
        let mut last_commit = Instant::now();
        let mut paused_reported = false;
        let include_messages = self.operator.config.log_include_messages && self.operator.config.log_enable;
        loop {
            if self.cancelled.load(Ordering::Relaxed) {
                return Ok(());
            }
            let state = *control.borrow_and_update();
            match state {
                Control::Stop => break,
                Control::Pause => {
                    if !paused_reported {
                        self.commit(&mut offsets).await?;
                        self.report(State::Paused).await;
                        paused_reported = true;
                    }
                    if control.changed().await.is_err() {
                        break;
                    }
                    continue;
                }
                Control::Run => {
                    if paused_reported {
                        self.report(State::Running).await;
                        paused_reported = false;
                    }
                }
            }
            let started = Instant::now();
            let records = tokio::select! {
                r = task.poll() => r?,
                _ = control.changed() => continue,
            };
            if !records.is_empty() {
                let n = records.len() as u64;
                self.metrics.source_poll.add(n);
                self.metrics.poll_time.record(started.elapsed().as_millis() as u64);
                self.metrics.batch_size.record(n);
                self.metrics.active.add(n as i64);
            }
            for record in records {
                // Recorded before the record goes through the pipeline (which takes it): a
                // failure returns from the loop before any commit, so this is as if after.
                if let crate::record::Origin::Source { partition, offset } = &record.origin {
                    offsets.record(partition, offset);
                }
                let original = include_messages.then(|| record.clone());
                let mut ctx = Context::new(original.as_ref().map_or(Original::None, Original::Source));
                let converted = match self.pipeline.transform(&mut self.operator, &mut ctx, record)? {
                    Some(r) => self.pipeline.to_kafka(&mut self.operator, &mut ctx, &r)?.map(|bytes| (r, bytes)),
                    None => None,
                };
                match converted {
                    Some((r, bytes)) => {
                        self.check_sends()?;
                        // A lookup first: the topic is copied only the first time it is seen.
                        if !topics.contains(&r.topic) {
                            topics.insert(r.topic.clone());
                            if !self.cancelled.load(Ordering::Relaxed) {
                                self.reporter.topic(&r.topic, &self.connector, self.task).await;
                            }
                        }
                        self.send(&r.topic, r.kafka_partition, r.timestamp, bytes).await?;
                        offsets.sent += 1;
                    }
                    // Dropped by a transform or skipped after a tolerated failure.
                    None => self.metrics.active.add(-1),
                }
            }
            if last_commit.elapsed() >= self.flush_interval {
                self.commit(&mut offsets).await?;
                last_commit = Instant::now();
            }
        }
        self.commit(&mut offsets).await
    }

    /// Fails the task once a send failed and that is not tolerated.
    fn check_sends(&self) -> Result<(), ConnectError> {
        let acks = self.producer.context();
        if !acks.has_failed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let e = acks.failed.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_default();
        Err(ConnectError::new("Unrecoverable exception from producer send callback").caused_by(e))
    }

    async fn send(&self, topic: &str, partition: Option<i32>, timestamp: Option<i64>, bytes: KafkaRecord) -> Result<(), ConnectError> {
        let mut headers = OwnedHeaders::new_with_capacity(bytes.headers.len());
        for (k, v) in &bytes.headers {
            headers = headers.insert(RdHeader {
                key: k,
                value: v.as_deref(),
            });
        }
        let mut record = BaseRecord::<[u8], [u8]>::to(topic).headers(headers);
        if let Some(k) = bytes.key.as_deref() {
            record = record.key(k);
        }
        if let Some(v) = bytes.value.as_deref() {
            record = record.payload(v);
        }
        if let Some(p) = partition {
            record = record.partition(p);
        }
        if let Some(t) = timestamp {
            record = record.timestamp(t);
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                Err((e, _)) => {
                    return Err(ConnectError::new("Unrecoverable exception trying to send").caused_by(e));
                }
            }
        }
    }

    /// Waits (up to `offset.flush.timeout.ms`) until the broker acknowledged every record sent,
    /// then writes the offsets. A timeout keeps the offsets for the next commit.
    async fn commit(&self, offsets: &mut Offsets) -> Result<(), ConnectError> {
        if offsets.latest.is_empty() && offsets.last.is_none() && offsets.sent == 0 {
            return Ok(());
        }
        if self.cancelled.load(Ordering::Relaxed) {
            return Ok(());
        }
        let started = Instant::now();
        let deadline = started + self.flush_timeout;
        let acks = self.producer.context();
        while acks.acked.load(Ordering::Relaxed) < offsets.sent {
            self.check_sends()?;
            if Instant::now() >= deadline {
                tracing::error!(
                    connector = self.connector,
                    task = self.task,
                    "{}-{} Failed to flush, timed out while waiting for producer to flush outstanding {} messages",
                    self.connector,
                    self.task,
                    offsets.sent - acks.acked.load(Ordering::Relaxed)
                );
                self.metrics.record_commit(started.elapsed().as_millis() as u64, false);
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        self.check_sends()?;
        for (partition, offset) in offsets.take().into_values() {
            let key = offset_topic::key(&self.connector, &partition);
            // A null offset (a bulk copy has no place to keep) is written as a tombstone, as
            // Kafka's OffsetStorageWriter serializes it.
            let value = (!offset.is_null()).then(|| serde_json::to_vec(&offset).unwrap_or_default());
            self.context
                .offsets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .apply(&key, value.as_deref());
            if let Err(e) = self.reporter.stores.write_offset(&key, value.as_deref()).await {
                self.metrics.record_commit(started.elapsed().as_millis() as u64, false);
                return Err(ConnectError::new("Failed to commit offsets").caused_by(e));
            }
        }
        self.metrics.record_commit(started.elapsed().as_millis() as u64, true);
        Ok(())
    }
}

/// The producer a source task sends through: the connector's and worker's overrides, then what
/// Connect insists on (acks=all, idempotence).
pub fn producer(java: &BTreeMap<String, String>, client_id: &str, acks: Acks) -> Result<ThreadedProducer<Acks>, ConnectError> {
    use kaskade_common::client_props::{RdConfig, Role};
    let mut rd = RdConfig::from_java(Role::Producer, java, &mut |w| tracing::warn!("{w}")).map_err(|e| ConnectError::new(e.to_string()))?;
    rd.set_default("client.id", client_id);
    rd.set_default("linger.ms", "5");
    // Java's buffer.memory (32 MiB) bounds what the producer holds; librdkafka's default (1 GiB)
    // would let a fast source fill memory while the broker fsyncs.
    rd.set_default("queue.buffering.max.kbytes", "16384");
    rd.set("acks", "all");
    rd.set("enable.idempotence", "true");
    let cfg = rd
        .client_config(&mut |w| tracing::warn!("{w}"))
        .map_err(|e| ConnectError::new(e.to_string()))?;
    cfg.create_with_context(acks)
        .map_err(|e| ConnectError::new("Failed to create the producer").caused_by(e))
}
