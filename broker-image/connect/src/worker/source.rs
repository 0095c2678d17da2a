//! Runs one source task (`WorkerSourceTask`): poll → transforms → converters → an idempotent
//! acks=all producer. Source offsets are written to the offsets topic every
//! `offset.flush.interval.ms` and when the task stops, and only after the producer has flushed
//! and the broker acknowledged every record polled so far — never for a record that may be lost.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::message::{Header as RdHeader, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use tokio::sync::watch;

use super::pipeline::Pipeline;
use super::status::Reporter;
use super::Control;
use crate::connectors::{ConnectError, Props, SourceContext, SourceTask};
use crate::storage::{offset_topic, State};

/// Counts what the broker acknowledged; remembers the first failure.
#[derive(Default)]
pub struct Acks {
    acked: AtomicU64,
    failed: Mutex<Option<String>>,
}

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                let mut f = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                f.get_or_insert_with(|| e.to_string());
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
}

struct Offsets {
    /// Latest offset per source partition (keyed by its JSON text) since the last commit.
    latest: BTreeMap<String, (serde_json::Value, serde_json::Value)>,
    sent: u64,
}

impl SourceRun {
    /// Runs until told to stop; the error is the task's failure.
    pub async fn run(mut self, mut task: Box<dyn SourceTask>, mut control: watch::Receiver<Control>) -> Result<(), ConnectError> {
        task.start(&self.config, self.context.clone())?;
        self.reporter.task(&self.connector, self.task, State::Running, None).await;
        let result = self.poll_loop(task.as_mut(), &mut control).await;
        task.stop();
        result
    }

    async fn poll_loop(&mut self, task: &mut dyn SourceTask, control: &mut watch::Receiver<Control>) -> Result<(), ConnectError> {
        let mut offsets = Offsets {
            latest: BTreeMap::new(),
            sent: 0,
        };
        let mut topics = HashSet::new();
        let mut last_commit = Instant::now();
        let mut paused_reported = false;
        loop {
            let state = *control.borrow_and_update();
            match state {
                Control::Stop => break,
                Control::Pause => {
                    if !paused_reported {
                        self.commit(&mut offsets).await?;
                        self.reporter.task(&self.connector, self.task, State::Paused, None).await;
                        paused_reported = true;
                    }
                    if control.changed().await.is_err() {
                        break;
                    }
                    continue;
                }
                Control::Run => {
                    if paused_reported {
                        self.reporter.task(&self.connector, self.task, State::Running, None).await;
                        paused_reported = false;
                    }
                }
            }
            let records = tokio::select! {
                r = task.poll() => r?,
                _ = control.changed() => continue,
            };
            for record in records {
                let bytes = self.pipeline.to_kafka(&record).map_err(|e| {
                    ConnectError::new("Tolerance exceeded in error handler")
                        .caused_by(format!("org.apache.kafka.connect.errors.DataException: {e}"))
                })?;
                if topics.insert(record.topic.clone()) {
                    self.reporter.topic(&record.topic, &self.connector, self.task).await;
                }
                self.send(&record.topic, record.kafka_partition, record.timestamp, bytes).await?;
                offsets.sent += 1;
                if let crate::record::Origin::Source { partition, offset } = &record.origin {
                    offsets.latest.insert(partition.to_string(), (partition.clone(), offset.clone()));
                }
            }
            if last_commit.elapsed() >= self.flush_interval {
                self.commit(&mut offsets).await?;
                last_commit = Instant::now();
            }
        }
        self.commit(&mut offsets).await
    }

    async fn send(
        &self,
        topic: &str,
        partition: Option<i32>,
        timestamp: Option<i64>,
        bytes: super::pipeline::KafkaRecord,
    ) -> Result<(), ConnectError> {
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
                    return Err(ConnectError::new(format!("Failed to send a record to topic {topic}")).caused_by(e));
                }
            }
        }
    }

    /// Flushes the producer and, when every record was acknowledged, writes the offsets.
    async fn commit(&self, offsets: &mut Offsets) -> Result<(), ConnectError> {
        if offsets.latest.is_empty() && offsets.sent == 0 {
            return Ok(());
        }
        let deadline = Instant::now() + self.flush_timeout.max(Duration::from_secs(30));
        while self.producer.context().acked.load(Ordering::Relaxed) < offsets.sent {
            if let Some(e) = self.producer.context().failed.lock().unwrap_or_else(|p| p.into_inner()).clone() {
                return Err(ConnectError::new("Unrecoverable exception from producer send callback").caused_by(e));
            }
            if Instant::now() >= deadline {
                tracing::warn!(
                    connector = self.connector,
                    task = self.task,
                    "offset commit timed out; offsets are kept for the next one"
                );
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for (partition, offset) in std::mem::take(&mut offsets.latest).into_values() {
            let key = offset_topic::key(&self.connector, &partition);
            let value = serde_json::to_vec(&offset).unwrap_or_default();
            self.context
                .offsets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .apply(&key, Some(&value));
            self.reporter
                .stores
                .write_offset(&key, Some(&value))
                .await
                .map_err(|e| ConnectError::new("Failed to commit offsets").caused_by(e))?;
        }
        Ok(())
    }
}

/// The producer a source task sends through: the connector's and worker's overrides, then what
/// Connect insists on (acks=all, idempotence).
pub fn producer(java: &BTreeMap<String, String>, client_id: &str) -> Result<ThreadedProducer<Acks>, ConnectError> {
    use kaskade_common::client_props::{RdConfig, Role};
    let mut rd = RdConfig::from_java(Role::Producer, java, &mut |w| tracing::warn!("{w}")).map_err(|e| ConnectError::new(e.to_string()))?;
    rd.set_default("client.id", client_id);
    rd.set_default("linger.ms", "5");
    rd.set("acks", "all");
    rd.set("enable.idempotence", "true");
    let cfg = rd
        .client_config(&mut |w| tracing::warn!("{w}"))
        .map_err(|e| ConnectError::new(e.to_string()))?;
    cfg.create_with_context(Acks::default())
        .map_err(|e| ConnectError::new("Failed to create the producer").caused_by(e))
}

/// Keeps `Arc` in scope for callers that share offsets.
pub type SharedOffsets = Arc<Mutex<crate::storage::SourceOffsets>>;
