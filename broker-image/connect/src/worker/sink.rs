//! Runs one sink task (`WorkerSinkTask`): consume in group `connect-NAME` → converters →
//! transforms → batches to the connector; consumer offsets are committed every
//! `offset.flush.interval.ms` and on stop, only after the connector's `flush` said everything
//! put so far is written.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;

use super::pipeline::Pipeline;
use super::status::Reporter;
use super::Control;
use crate::connectors::{ConnectError, Props, SinkTask};
use crate::record::{ConnectRecord, Origin};
use crate::storage::State;

/// Records handed to the connector per `put`, at most (Kafka's `max.poll.records` default).
const MAX_BATCH: usize = 500;

pub struct SinkRun {
    pub connector: String,
    pub task: u32,
    pub config: Props,
    pub pipeline: Pipeline,
    pub consumer: BaseConsumer,
    pub reporter: Reporter,
    pub flush_interval: Duration,
}

impl SinkRun {
    pub async fn run(mut self, mut task: Box<dyn SinkTask>, mut control: watch::Receiver<Control>) -> Result<(), ConnectError> {
        task.start(&self.config)?;
        self.reporter.task(&self.connector, self.task, State::Running, None).await;
        let result = self.consume_loop(task.as_mut(), &mut control).await;
        let finished = match result {
            Ok(()) => self.commit(task.as_mut(), &mut BTreeMap::new(), CommitMode::Sync).await,
            Err(e) => Err(e),
        };
        task.stop();
        finished
    }

    async fn consume_loop(&mut self, task: &mut dyn SinkTask, control: &mut watch::Receiver<Control>) -> Result<(), ConnectError> {
        let mut uncommitted: BTreeMap<(String, i32), i64> = BTreeMap::new();
        let mut last_commit = Instant::now();
        let mut paused = false;
        let mut topics = HashSet::new();
        loop {
            let state = *control.borrow_and_update();
            match state {
                Control::Stop => break,
                Control::Pause if !paused => {
                    if let Ok(a) = self.consumer.assignment() {
                        let _ = self.consumer.pause(&a);
                    }
                    self.reporter.task(&self.connector, self.task, State::Paused, None).await;
                    paused = true;
                }
                Control::Run if paused => {
                    if let Ok(a) = self.consumer.assignment() {
                        let _ = self.consumer.resume(&a);
                    }
                    self.reporter.task(&self.connector, self.task, State::Running, None).await;
                    paused = false;
                }
                _ => {}
            }
            let mut batch = Vec::new();
            while batch.len() < MAX_BATCH {
                match self.consumer.poll(Duration::ZERO) {
                    Some(Ok(m)) => {
                        let record = self.to_connect(&m)?;
                        uncommitted.insert((m.topic().to_string(), m.partition()), m.offset() + 1);
                        if topics.insert(m.topic().to_string()) {
                            self.reporter.topic(m.topic(), &self.connector, self.task).await;
                        }
                        batch.push(record);
                    }
                    Some(Err(e)) => {
                        tracing::warn!(connector = self.connector, task = self.task, "consumer: {e}");
                        break;
                    }
                    None => break,
                }
            }
            if batch.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                    _ = control.changed() => {}
                }
            } else {
                task.put(batch).await?;
            }
            if last_commit.elapsed() >= self.flush_interval && !uncommitted.is_empty() {
                self.commit(task, &mut uncommitted, CommitMode::Async).await?;
                last_commit = Instant::now();
            }
        }
        self.commit(task, &mut uncommitted, CommitMode::Sync).await
    }

    fn to_connect(&self, m: &rdkafka::message::BorrowedMessage<'_>) -> Result<ConnectRecord, ConnectError> {
        let topic = m.topic();
        let fail = |e: crate::data::DataError| {
            ConnectError::new("Tolerance exceeded in error handler")
                .caused_by(format!("org.apache.kafka.connect.errors.DataException: {e}"))
        };
        let key = self.pipeline.key.to_connect(topic, m.key()).map_err(fail)?;
        let value = self.pipeline.value.to_connect(topic, m.payload()).map_err(fail)?;
        let raw_headers: Vec<(String, Option<Vec<u8>>)> = m
            .headers()
            .map(|hs| hs.iter().map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec))).collect())
            .unwrap_or_default();
        let headers = self.pipeline.headers_from_kafka(topic, &raw_headers).map_err(fail)?;
        let (timestamp, timestamp_type) = match m.timestamp() {
            rdkafka::Timestamp::NotAvailable => (None, "NoTimestampType"),
            rdkafka::Timestamp::CreateTime(t) => (Some(t), "CreateTime"),
            rdkafka::Timestamp::LogAppendTime(t) => (Some(t), "LogAppendTime"),
        };
        Ok(ConnectRecord {
            topic: topic.to_string(),
            kafka_partition: Some(m.partition()),
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            timestamp,
            headers,
            origin: Origin::Sink {
                kafka_offset: m.offset(),
                timestamp_type,
                original_topic: topic.to_string(),
                original_partition: m.partition(),
            },
        })
    }

    /// Flushes the connector, then commits the offsets of everything it was given.
    async fn commit(
        &self,
        task: &mut dyn SinkTask,
        uncommitted: &mut BTreeMap<(String, i32), i64>,
        mode: CommitMode,
    ) -> Result<(), ConnectError> {
        task.flush().await?;
        if uncommitted.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), next) in std::mem::take(uncommitted) {
            let _ = tpl.add_partition_offset(&topic, partition, Offset::Offset(next));
        }
        if let Err(e) = self.consumer.commit(&tpl, mode) {
            tracing::warn!(
                connector = self.connector,
                task = self.task,
                "offset commit failed (the records will be delivered again): {e}"
            );
        }
        Ok(())
    }
}

/// The consumer of a sink task: the worker's and connector's overrides, then Connect's own
/// settings (group `connect-NAME`, manual commits, from the earliest offset).
pub fn consumer(java: &BTreeMap<String, String>, connector: &str, client_id: &str, config: &Props) -> Result<BaseConsumer, ConnectError> {
    use kaskade_common::client_props::{RdConfig, Role};
    let mut rd = RdConfig::from_java(Role::Consumer, java, &mut |w| tracing::warn!("{w}")).map_err(|e| ConnectError::new(e.to_string()))?;
    rd.set_default("group.id", format!("connect-{connector}"));
    rd.set_default("auto.offset.reset", "earliest");
    rd.set_default("client.id", client_id);
    rd.set("enable.auto.commit", "false");
    rd.set("enable.auto.offset.store", "false");
    let cfg = rd
        .client_config(&mut |w| tracing::warn!("{w}"))
        .map_err(|e| ConnectError::new(e.to_string()))?;
    let consumer: BaseConsumer = cfg
        .create()
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
