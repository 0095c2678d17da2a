//! Kafka Connect's error handling for one task, as `RetryWithToleranceOperator`,
//! `ProcessingContext`, `LogReporter` and `DeadLetterQueueReporter` do it:
//!
//! - Each record goes through its stages (transformations, the header, key and value
//!   converters) in a [`Context`]; once a stage failed, the later ones are skipped.
//! - A failure that is retriable is tried again with exponential backoff (300 ms doubling, past
//!   `errors.retry.delay.max.ms` a random delay below it) until `errors.retry.timeout`
//!   (-1: for ever) or the task is stopped. Conversion and transformation failures are
//!   `DataException`s, which are not retriable: only a plugin that reports a retriable failure
//!   is retried, as in Kafka.
//! - `errors.tolerance=none`: the first failed record fails the task with Kafka's "Tolerance
//!   exceeded in error handler" and the failure as its cause. `all`: the record is skipped.
//! - Every failed record is reported, tolerated or not: to the dead letter queue topic of a sink
//!   connector (the original key, value and headers, with the `__connect.errors.*` context
//!   headers when asked), then to the log when `errors.log.enable` is set, in Kafka's words.

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rdkafka::message::{BorrowedMessage, Header as RdHeader, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;

use crate::clock::now_ms;
use crate::config_def::{ConfigDef, ConfigValue};
use crate::connectors::{ConnectError, ConnectorType, Props};
use crate::converters::java::to_java_string;
use crate::data::{DataError, SchemaRef};
use crate::metrics::TaskMetrics;
use crate::record::{ConnectRecord, Origin};

/// `RetryWithToleranceOperator.RETRIES_DELAY_MIN_MS`.
pub const RETRIES_DELAY_MIN_MS: u64 = 300;

/// `DeadLetterQueueReporter.HEADER_PREFIX` and its headers.
pub const HEADER_PREFIX: &str = "__connect.errors.";
pub const HEADER_ORIG_TOPIC: &str = "__connect.errors.topic";
pub const HEADER_ORIG_PARTITION: &str = "__connect.errors.partition";
pub const HEADER_ORIG_OFFSET: &str = "__connect.errors.offset";
pub const HEADER_CONNECTOR_NAME: &str = "__connect.errors.connector.name";
pub const HEADER_TASK_ID: &str = "__connect.errors.task.id";
pub const HEADER_STAGE: &str = "__connect.errors.stage";
pub const HEADER_EXECUTING_CLASS: &str = "__connect.errors.class.name";
pub const HEADER_EXCEPTION: &str = "__connect.errors.exception.class.name";
pub const HEADER_EXCEPTION_MESSAGE: &str = "__connect.errors.exception.message";
pub const HEADER_EXCEPTION_STACK_TRACE: &str = "__connect.errors.exception.stacktrace";

/// `org.apache.kafka.connect.errors.DataException`.
pub const DATA_EXCEPTION: &str = "org.apache.kafka.connect.errors.DataException";
/// The class Kafka names as executing a failed producer send of a source task.
pub const WORKER_SOURCE_TASK: &str = "org.apache.kafka.connect.runtime.WorkerSourceTask";

/// `errors.tolerance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    None,
    All,
}

/// `org.apache.kafka.connect.runtime.errors.Stage`: where in the pipeline a record failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    TaskPoll,
    TaskPut,
    Transformation,
    KeyConverter,
    ValueConverter,
    HeaderConverter,
    KafkaProduce,
    KafkaConsume,
}

impl Stage {
    /// The enum constant's name, as Kafka writes it in headers and logs.
    pub fn name(self) -> &'static str {
        match self {
            Stage::TaskPoll => "TASK_POLL",
            Stage::TaskPut => "TASK_PUT",
            Stage::Transformation => "TRANSFORMATION",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
            Stage::KafkaConsume => "KAFKA_CONSUME",
        }
    }

    /// `TOLERABLE_EXCEPTIONS`: in these stages any failure may be tolerated; elsewhere only a
    /// retriable one.
    fn tolerates_everything(self) -> bool {
        matches!(
            self,
            Stage::Transformation | Stage::HeaderConverter | Stage::KeyConverter | Stage::ValueConverter
        )
    }
}

/// The error-handling keys of a connector config.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorConfig {
    /// `errors.retry.timeout` in ms; -1 retries for ever.
    pub retry_timeout_ms: i64,
    /// `errors.retry.delay.max.ms`.
    pub retry_delay_max_ms: i64,
    pub tolerance: Tolerance,
    /// `errors.log.enable`.
    pub log_enable: bool,
    /// `errors.log.include.messages`.
    pub log_include_messages: bool,
    /// `errors.deadletterqueue.topic.name`, trimmed; empty for none (and for source connectors).
    pub dlq_topic: String,
    /// `errors.deadletterqueue.topic.replication.factor`.
    pub dlq_replication_factor: i16,
    /// `errors.deadletterqueue.context.headers.enable`.
    pub dlq_context_headers: bool,
}

impl Default for ErrorConfig {
    fn default() -> Self {
        ErrorConfig {
            retry_timeout_ms: 0,
            retry_delay_max_ms: 60_000,
            tolerance: Tolerance::None,
            log_enable: false,
            log_include_messages: false,
            dlq_topic: String::new(),
            dlq_replication_factor: 3,
            dlq_context_headers: false,
        }
    }
}

impl ErrorConfig {
    /// The keys parsed with the connector ConfigDef's types, defaults and validators, so a bad
    /// value fails the task with Kafka's message.
    pub fn parse(connector: &Props, kind: ConnectorType) -> Result<ErrorConfig, ConnectError> {
        let all = crate::herder::connector_config::for_type(kind);
        let def = all
            .keys
            .iter()
            .filter(|k| k.name.starts_with("errors."))
            .fold(ConfigDef::new(), |def, k| def.define(k.clone()));
        let parsed = def.parse(connector).map_err(ConnectError::new)?;
        let has = |k: &str| def.key(k).is_some();
        Ok(ErrorConfig {
            retry_timeout_ms: parsed.long("errors.retry.timeout"),
            retry_delay_max_ms: parsed.long("errors.retry.delay.max.ms"),
            tolerance: match parsed.string("errors.tolerance").unwrap_or_default().to_ascii_lowercase().as_str() {
                "all" => Tolerance::All,
                _ => Tolerance::None,
            },
            log_enable: parsed.boolean("errors.log.enable"),
            log_include_messages: parsed.boolean("errors.log.include.messages"),
            dlq_topic: if has("errors.deadletterqueue.topic.name") {
                parsed
                    .string("errors.deadletterqueue.topic.name")
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            } else {
                String::new()
            },
            dlq_replication_factor: match parsed.values.get("errors.deadletterqueue.topic.replication.factor") {
                Some(ConfigValue::Short(v)) => *v,
                Some(ConfigValue::Int(v)) => *v as i16,
                _ => 3,
            },
            dlq_context_headers: has("errors.deadletterqueue.context.headers.enable")
                && parsed.boolean("errors.deadletterqueue.context.headers.enable"),
        })
    }
}

/// A failed operation: the Java exception Kafka would have seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exception's class name.
    pub class: String,
    pub message: String,
    /// `RetriableException`: worth trying again.
    pub retriable: bool,
}

impl Failure {
    /// A `DataException` (conversions and transformations): not retriable.
    pub fn data(e: DataError) -> Failure {
        Failure {
            class: DATA_EXCEPTION.to_string(),
            message: e.message,
            retriable: false,
        }
    }

    /// `Throwable.toString()`: `class: message`.
    pub fn java_string(&self) -> String {
        if self.message.is_empty() {
            self.class.clone()
        } else {
            format!("{}: {}", self.class, self.message)
        }
    }

    /// What `printStackTrace` would start with (Kaskade has no Java frames to add).
    pub fn stacktrace(&self) -> String {
        format!("{}\n", self.java_string())
    }
}

/// What a failure happened to: the record as read from Kafka (sink) or as the source task
/// returned it (kept only when the log includes messages).
#[derive(Clone, Copy)]
pub enum Original<'a> {
    Consumed(&'a BorrowedMessage<'a>),
    Source(&'a ConnectRecord),
    None,
}

/// `ProcessingContext`: one record on its way through the stages.
pub struct Context<'a> {
    pub original: Original<'a>,
    stage: Stage,
    class: String,
    attempt: u32,
    error: Option<Failure>,
}

impl<'a> Context<'a> {
    pub fn new(original: Original<'a>) -> Context<'a> {
        Context {
            original,
            stage: Stage::TaskPoll,
            class: String::new(),
            attempt: 0,
            error: None,
        }
    }

    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    pub fn error(&self) -> Option<&Failure> {
        self.error.as_ref()
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn executing_class(&self) -> &str {
        &self.class
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    fn fail(&mut self, stage: Stage, class: &str, error: Failure) {
        self.stage = stage;
        self.class = class.to_string();
        self.error = Some(error);
    }
}

/// The delay before retry `attempt` (1 for the first retry) as `RetryWithToleranceOperator.backoff`
/// computes it: 300 ms doubled per retry; past `max_delay_ms`, `random(max_delay_ms)` (a value
/// in `0..max_delay_ms`, given one drawn uniformly from all `u64`s); never past the deadline.
pub fn backoff_delay(attempt: u32, max_delay_ms: i64, now_ms: i64, deadline_ms: i64, random: u64) -> u64 {
    let max = max_delay_ms.max(0) as u64;
    let shift = attempt.saturating_sub(1);
    let mut delay = if shift >= 54 { u64::MAX } else { RETRIES_DELAY_MIN_MS << shift };
    if delay > max {
        delay = if max == 0 { 0 } else { random % max };
    }
    let left = deadline_ms.saturating_sub(now_ms).max(0) as u64;
    delay.min(left)
}

fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}

/// Kafka's `CountDownLatch` that stops retries: a wait that ends early when the task stops.
#[derive(Default)]
pub struct StopLatch {
    stopped: Mutex<bool>,
    cv: Condvar,
}

impl StopLatch {
    pub fn trigger(&self) {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    pub fn is_triggered(&self) -> bool {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits `d`, or less when triggered.
    pub fn wait(&self, d: Duration) {
        let guard = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.cv.wait_timeout_while(guard, d, |stopped| !*stopped);
    }
}

/// The dead letter queue of a sink task: a producer to `errors.deadletterqueue.topic.name`.
pub struct DeadLetterQueue {
    pub topic: String,
    context_headers: bool,
    producer: Arc<ThreadedProducer<DlqContext>>,
}

/// Counts the DLQ's failed writes.
pub struct DlqContext {
    metrics: Arc<TaskMetrics>,
    topic: String,
}

impl ClientContext for DlqContext {}

impl ProducerContext for DlqContext {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            tracing::error!("Could not produce message to dead letter queue. topic={}: {e}", self.topic);
            self.metrics.errors.dlq_failures.inc();
        }
    }
}

/// One DLQ record: the original bytes, and the original headers followed by the context headers.
#[derive(Debug, Clone, PartialEq)]
pub struct DlqRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp: Option<i64>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// Who failed: the connector and task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

impl std::fmt::Display for TaskId {
    /// `ConnectorTaskId.toString()`: `name-0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// Where a consumed record was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// `populateContextHeaders`: the `__connect.errors.*` headers, in Kafka's order.
pub fn context_headers(
    original: Option<Position<'_>>,
    id: &TaskId,
    stage: Stage,
    class: &str,
    error: Option<&Failure>,
) -> Vec<(String, Vec<u8>)> {
    let mut h: Vec<(String, Vec<u8>)> = Vec::with_capacity(10);
    let mut add = |k: &str, v: String| h.push((k.to_string(), v.into_bytes()));
    if let Some(p) = original {
        add(HEADER_ORIG_TOPIC, p.topic.to_string());
        add(HEADER_ORIG_PARTITION, p.partition.to_string());
        add(HEADER_ORIG_OFFSET, p.offset.to_string());
    }
    add(HEADER_CONNECTOR_NAME, id.connector.clone());
    add(HEADER_TASK_ID, id.task.to_string());
    add(HEADER_STAGE, stage.name().to_string());
    add(HEADER_EXECUTING_CLASS, class.to_string());
    if let Some(e) = error {
        add(HEADER_EXCEPTION, e.class.clone());
        add(HEADER_EXCEPTION_MESSAGE, e.message.clone());
        add(HEADER_EXCEPTION_STACK_TRACE, e.stacktrace());
    }
    h
}

impl DeadLetterQueue {
    /// `DeadLetterQueueReporter.createAndSetup`: the topic is created (one partition, the
    /// configured replication factor) when it does not exist.
    pub async fn create(
        bootstrap: &str,
        producer_props: &BTreeMap<String, String>,
        id: &TaskId,
        config: &ErrorConfig,
        metrics: Arc<TaskMetrics>,
    ) -> Result<DeadLetterQueue, ConnectError> {
        let topic = config.dlq_topic.clone();
        let fail = |e: &dyn std::fmt::Display| {
            ConnectError::new(format!("Could not initialize dead letter queue with topic={topic}")).caused_by(e)
        };
        let admin = kaskade_client::KafkaAdmin::new(bootstrap, Duration::from_secs(30)).with_client_id("connect-dlq-admin");
        let exists = admin.describe_topic(&topic).await.map_err(|e| fail(&e))?.is_some();
        if !exists {
            tracing::error!("Topic {topic} doesn't exist. Will attempt to create topic.");
            match admin.create_topic(&topic, 1, config.dlq_replication_factor, &BTreeMap::new()).await {
                Ok(()) => {}
                Err(e) if e.is(kaskade_client::ResponseError::TopicAlreadyExists) => {}
                Err(e) => return Err(fail(&e)),
            }
        }
        use kaskade_common::client_props::{RdConfig, Role};
        let mut rd = RdConfig::from_java(Role::Producer, producer_props, &mut |w| tracing::warn!("{w}")).map_err(|e| fail(&e))?;
        rd.set_default("client.id", format!("connector-dlq-producer-{id}"));
        let cfg = rd.client_config(&mut |w| tracing::warn!("{w}")).map_err(|e| fail(&e))?;
        let producer = cfg
            .create_with_context(DlqContext {
                metrics,
                topic: topic.clone(),
            })
            .map_err(|e| fail(&e))?;
        Ok(DeadLetterQueue {
            topic,
            context_headers: config.dlq_context_headers,
            producer: Arc::new(producer),
        })
    }

    /// The DLQ record for a consumed record that failed.
    pub fn record(msg: &BorrowedMessage<'_>, id: &TaskId, ctx: &Context<'_>, context_headers: bool) -> DlqRecord {
        let mut headers: Vec<(String, Option<Vec<u8>>)> = msg
            .headers()
            .map(|hs| hs.iter().map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec))).collect())
            .unwrap_or_default();
        if context_headers {
            let position = Position {
                topic: msg.topic(),
                partition: msg.partition(),
                offset: msg.offset(),
            };
            for (k, v) in context_headers_of(Some(position), id, ctx) {
                headers.push((k, Some(v)));
            }
        }
        let timestamp = match msg.timestamp() {
            rdkafka::Timestamp::NotAvailable => None,
            rdkafka::Timestamp::CreateTime(t) | rdkafka::Timestamp::LogAppendTime(t) => Some(t),
        };
        DlqRecord {
            key: msg.key().map(<[u8]>::to_vec),
            value: msg.payload().map(<[u8]>::to_vec),
            timestamp,
            headers,
        }
    }

    fn send(&self, record: DlqRecord) {
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
        for (k, v) in &record.headers {
            headers = headers.insert(RdHeader {
                key: k,
                value: v.as_deref(),
            });
        }
        let mut r = BaseRecord::<[u8], [u8]>::to(&self.topic).headers(headers);
        if let Some(k) = record.key.as_deref() {
            r = r.key(k);
        }
        if let Some(v) = record.value.as_deref() {
            r = r.payload(v);
        }
        if let Some(t) = record.timestamp {
            r = r.timestamp(t);
        }
        loop {
            match self.producer.send(r) {
                Ok(()) => return,
                Err((rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull), back)) => {
                    r = back;
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err((e, _)) => {
                    tracing::error!("Could not produce message to dead letter queue. topic={}: {e}", self.topic);
                    self.producer.context().metrics.errors.dlq_failures.inc();
                    return;
                }
            }
        }
    }

    /// Waits until every record sent so far is written (before consumer offsets are committed).
    pub fn flush(&self, timeout: Duration) {
        flush(&self.producer, &self.topic, timeout);
    }

    /// [`DeadLetterQueue::flush`] as a function another owner can call.
    pub fn flusher(&self) -> Box<dyn Fn() + Send + Sync> {
        let producer = self.producer.clone();
        let topic = self.topic.clone();
        Box::new(move || flush(&producer, &topic, Duration::from_secs(30)))
    }
}

fn flush(producer: &ThreadedProducer<DlqContext>, topic: &str, timeout: Duration) {
    if let Err(e) = producer.flush(timeout) {
        tracing::error!("Could not flush the dead letter queue producer. topic={topic}: {e}");
    }
}

fn context_headers_of(position: Option<Position<'_>>, id: &TaskId, ctx: &Context<'_>) -> Vec<(String, Vec<u8>)> {
    context_headers(position, id, ctx.stage(), ctx.executing_class(), ctx.error())
}

/// `RetryWithToleranceOperator` with its reporters, for one task.
pub struct Operator {
    pub config: ErrorConfig,
    pub id: TaskId,
    total_failures: u64,
    metrics: Arc<TaskMetrics>,
    stop: Arc<StopLatch>,
    dlq: Option<DeadLetterQueue>,
}

impl Operator {
    pub fn new(config: ErrorConfig, id: TaskId, metrics: Arc<TaskMetrics>, stop: Arc<StopLatch>, dlq: Option<DeadLetterQueue>) -> Operator {
        Operator {
            config,
            id,
            total_failures: 0,
            metrics,
            stop,
            dlq,
        }
    }

    pub fn tolerance(&self) -> Tolerance {
        self.config.tolerance
    }

    pub fn dlq(&self) -> Option<&DeadLetterQueue> {
        self.dlq.as_ref()
    }

    /// `withinToleranceLimits`.
    pub fn within_tolerance(&self) -> bool {
        match self.config.tolerance {
            Tolerance::None => self.total_failures == 0,
            Tolerance::All => true,
        }
    }

    fn mark_failed(&mut self) {
        self.metrics.errors.error_now();
        self.total_failures += 1;
    }

    /// `execute`: runs one stage of `ctx`'s record. `Ok(None)` when the record failed (now or
    /// in an earlier stage) and the failure is tolerated; `Err` fails the task.
    pub fn execute<T>(
        &mut self,
        ctx: &mut Context<'_>,
        stage: Stage,
        class: &str,
        op: impl FnMut() -> Result<T, Failure>,
    ) -> Result<Option<T>, ConnectError> {
        if ctx.failed() {
            return Ok(None);
        }
        let result = self.exec_and_handle_error(ctx, stage, class, op);
        if ctx.failed() {
            self.metrics.errors.errors.inc();
            self.report(ctx);
        }
        result
    }

    fn exec_and_handle_error<T>(
        &mut self,
        ctx: &mut Context<'_>,
        stage: Stage,
        class: &str,
        op: impl FnMut() -> Result<T, Failure>,
    ) -> Result<Option<T>, ConnectError> {
        match self.exec_and_retry(ctx, stage, class, op) {
            Ok(v) => {
                if ctx.failed() {
                    // Retries ran out. Kafka skips the record even under `none`; Kaskade
                    // fails the task then, as the tolerance says.
                    self.mark_failed();
                    if !self.within_tolerance() {
                        return Err(self.tolerance_exceeded(ctx));
                    }
                    self.metrics.errors.skipped.inc();
                }
                Ok(v)
            }
            Err(e) => {
                self.metrics.errors.failures.inc();
                self.mark_failed();
                ctx.fail(stage, class, e);
                if !stage.tolerates_everything() {
                    return Err(self.wrap("Unhandled exception in error handler", ctx));
                }
                if !self.within_tolerance() {
                    return Err(self.tolerance_exceeded(ctx));
                }
                self.metrics.errors.skipped.inc();
                Ok(None)
            }
        }
    }

    fn exec_and_retry<T>(
        &mut self,
        ctx: &mut Context<'_>,
        stage: Stage,
        class: &str,
        mut op: impl FnMut() -> Result<T, Failure>,
    ) -> Result<Option<T>, Failure> {
        // The clock is read only for a timeout that needs a deadline: 0 (the default) never
        // retries and -1 retries for ever, so most records' stages cost no clock read.
        let deadline = match self.config.retry_timeout_ms {
            t if t < 0 => i64::MAX,
            0 => i64::MIN,
            t => now_ms().saturating_add(t),
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            ctx.attempt = attempt;
            match op() {
                Ok(v) => return Ok(Some(v)),
                Err(e) if e.retriable => {
                    tracing::trace!(
                        "Caught a retriable exception while executing {} operation with {class}",
                        stage.name()
                    );
                    self.metrics.errors.failures.inc();
                    let now = now_ms();
                    if now < deadline {
                        let delay = backoff_delay(attempt, self.config.retry_delay_max_ms, now, deadline, random_u64());
                        tracing::debug!("Sleeping for up to {delay} millis");
                        self.stop.wait(Duration::from_millis(delay));
                        self.metrics.errors.retries.inc();
                    } else {
                        ctx.fail(stage, class, e);
                        return Ok(None);
                    }
                    if self.stop.is_triggered() {
                        ctx.fail(stage, class, e);
                        return Ok(None);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `executeFailed`: an operation outside [`Operator::execute`] failed (a producer send).
    pub fn execute_failed(&mut self, ctx: &mut Context<'_>, stage: Stage, class: &str, error: Failure) -> Result<(), ConnectError> {
        self.mark_failed();
        ctx.fail(stage, class, error);
        self.metrics.errors.failures.inc();
        self.report(ctx);
        if !self.within_tolerance() {
            self.metrics.errors.errors.inc();
            return Err(self.tolerance_exceeded(ctx));
        }
        Ok(())
    }

    fn tolerance_exceeded(&self, ctx: &Context<'_>) -> ConnectError {
        self.wrap("Tolerance exceeded in error handler", ctx)
    }

    /// A `ConnectException` with the failure as its cause; the cause's first line is Java's,
    /// the next names the stage, class and record (where Java has its stack frames).
    fn wrap(&self, message: &str, ctx: &Context<'_>) -> ConnectError {
        let Some(error) = ctx.error() else {
            return ConnectError::new(message);
        };
        let mut cause = error.java_string();
        cause.push_str(&format!(
            "\n\tat stage {} executing class {}",
            ctx.stage().name(),
            if ctx.executing_class().is_empty() {
                "null"
            } else {
                ctx.executing_class()
            }
        ));
        if let Original::Consumed(m) = ctx.original {
            cause.push_str(&format!(
                ", consumed record {{topic='{}', partition={}, offset={}}}",
                m.topic(),
                m.partition(),
                m.offset()
            ));
        }
        ConnectError::new(message).caused_by(cause)
    }

    /// `report`: to the dead letter queue, then to the log.
    pub fn report(&self, ctx: &Context<'_>) {
        if let Some(dlq) = &self.dlq {
            self.metrics.errors.dlq_requests.inc();
            match ctx.original {
                Original::Consumed(msg) => dlq.send(DeadLetterQueue::record(msg, &self.id, ctx, dlq.context_headers)),
                _ => self.metrics.errors.dlq_failures.inc(),
            }
        }
        if self.config.log_enable && ctx.failed() {
            let message = log_message(&self.id, ctx, self.config.log_include_messages);
            let error = ctx.error().map(Failure::java_string).unwrap_or_default();
            tracing::error!(connector = self.id.connector, task = self.id.task, "{message}\n{error}");
            self.metrics.errors.logged.inc();
        }
    }
}

/// `LogReporter.message`: `Error encountered in task NAME-0. Executing stage 'STAGE' with class
/// 'CLASS'[, where consumed record is {…} | , where source record is = SourceRecord{…}].`
pub fn log_message(id: &TaskId, ctx: &Context<'_>, include_messages: bool) -> String {
    let class = if ctx.executing_class().is_empty() {
        "null"
    } else {
        ctx.executing_class()
    };
    let mut s = format!(
        "Error encountered in task {id}. Executing stage '{}' with class '{class}'",
        ctx.stage().name()
    );
    if include_messages {
        match ctx.original {
            Original::Consumed(m) => {
                let timestamp = match m.timestamp() {
                    rdkafka::Timestamp::NotAvailable => None,
                    rdkafka::Timestamp::CreateTime(t) => Some((t, "CreateTime")),
                    rdkafka::Timestamp::LogAppendTime(t) => Some((t, "LogAppendTime")),
                };
                s.push_str(&consumed_record_string(m.topic(), m.partition(), m.offset(), timestamp));
            }
            Original::Source(r) => {
                s.push_str(", where source record is = ");
                s.push_str(&source_record_string(r));
            }
            Original::None => {}
        }
    }
    s.push('.');
    s
}

/// `LogReporter.Sink.appendMessage`.
pub fn consumed_record_string(topic: &str, partition: i32, offset: i64, timestamp: Option<(i64, &str)>) -> String {
    let mut s = format!(", where consumed record is {{topic='{topic}', partition={partition}, offset={offset}");
    if let Some((t, ty)) = timestamp {
        s.push_str(&format!(", timestamp={t}, timestampType={ty}"));
    }
    s.push('}');
    s
}

/// `ConnectSchema.toString()`: `Schema{TYPE}` or `Schema{name:TYPE}`; `null` for none.
fn schema_string(schema: Option<&SchemaRef>) -> String {
    match schema {
        None => "null".into(),
        Some(s) => match &s.name {
            Some(n) => format!("Schema{{{n}:{}}}", s.ty.name()),
            None => format!("Schema{{{}}}", s.ty.name()),
        },
    }
}

/// A JSON object as Java's `Map.toString()` prints the map Connect keeps it in.
fn json_map_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}={}", json_map_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => format!("[{}]", a.iter().map(json_map_string).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// `SourceRecord.toString()` (and `ConnectRecord.toString()` after it).
pub fn source_record_string(r: &ConnectRecord) -> String {
    let (partition, offset) = match &r.origin {
        Origin::Source { partition, offset } => (json_map_string(partition), json_map_string(offset)),
        Origin::Sink { .. } => ("null".into(), "null".into()),
    };
    let headers = if r.headers.is_empty() {
        String::new()
    } else {
        format!(
            "[{}]",
            r.headers
                .iter()
                .map(|h| format!(
                    "ConnectHeader(key={}, value={}, schema={})",
                    h.key,
                    to_java_string(&h.value),
                    schema_string(h.schema.as_ref())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "SourceRecord{{sourcePartition={partition}, sourceOffset={offset}}} ConnectRecord{{topic='{}', kafkaPartition={}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={}, headers=ConnectHeaders(headers={headers})}}",
        r.topic,
        r.kafka_partition.map_or("null".into(), |p| p.to_string()),
        to_java_string(&r.key),
        schema_string(r.key_schema.as_ref()),
        to_java_string(&r.value),
        schema_string(r.value_schema.as_ref()),
        r.timestamp.map_or("null".into(), |t| t.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Schema, Value};
    use crate::metrics::TaskKind;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn operator(tolerance: Tolerance, retry_timeout_ms: i64, max_delay: i64) -> (Operator, Arc<TaskMetrics>) {
        let metrics = Arc::new(TaskMetrics::new("c", 0, TaskKind::Sink));
        let config = ErrorConfig {
            tolerance,
            retry_timeout_ms,
            retry_delay_max_ms: max_delay,
            ..ErrorConfig::default()
        };
        let id = TaskId {
            connector: "c".into(),
            task: 0,
        };
        (Operator::new(config, id, metrics.clone(), Arc::default(), None), metrics)
    }

    fn retriable(class: &str, message: &str) -> Failure {
        Failure {
            class: class.into(),
            message: message.into(),
            retriable: true,
        }
    }

    #[test]
    fn backoff_doubles_from_300ms_then_jitters_below_the_max() {
        let far = i64::MAX;
        assert_eq!(backoff_delay(1, 60_000, 0, far, 7), 300);
        assert_eq!(backoff_delay(2, 60_000, 0, far, 7), 600);
        assert_eq!(backoff_delay(3, 60_000, 0, far, 7), 1200);
        assert_eq!(backoff_delay(8, 60_000, 0, far, 7), 38_400);
        // 76 800 > 60 000: a random delay below the maximum.
        assert_eq!(backoff_delay(9, 60_000, 0, far, 12_345), 12_345);
        assert_eq!(backoff_delay(9, 60_000, 0, far, 60_001), 1);
        assert_eq!(backoff_delay(200, 60_000, 0, far, 59_999), 59_999);
        // Never past the deadline.
        assert_eq!(backoff_delay(3, 60_000, 1000, 1500, 0), 500);
        assert_eq!(backoff_delay(3, 60_000, 2000, 1500, 0), 0);
        // A maximum of 0: no wait.
        assert_eq!(backoff_delay(1, 0, 0, far, 5), 0);
    }

    #[test]
    fn config_defaults_and_kafka_messages() {
        let c = ErrorConfig::parse(&props(&[]), ConnectorType::Sink).unwrap();
        assert_eq!(c, ErrorConfig::default());
        let c = ErrorConfig::parse(
            &props(&[
                ("errors.tolerance", "all"),
                ("errors.retry.timeout", "-1"),
                ("errors.deadletterqueue.topic.name", " dlq "),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
                ("errors.log.enable", "true"),
            ]),
            ConnectorType::Sink,
        )
        .unwrap();
        assert_eq!(c.tolerance, Tolerance::All);
        assert_eq!(c.retry_timeout_ms, -1);
        assert_eq!(c.dlq_topic, "dlq");
        assert_eq!(c.dlq_replication_factor, 1);
        assert!(c.dlq_context_headers && c.log_enable && !c.log_include_messages);
        // A source connector has no dead letter queue.
        let c = ErrorConfig::parse(&props(&[("errors.deadletterqueue.topic.name", "dlq")]), ConnectorType::Source).unwrap();
        assert_eq!(c.dlq_topic, "");
        let e = ErrorConfig::parse(&props(&[("errors.tolerance", "some")]), ConnectorType::Sink).unwrap_err();
        assert!(
            e.message.starts_with("Invalid value some for configuration errors.tolerance"),
            "{e}"
        );
        let e = ErrorConfig::parse(&props(&[("errors.retry.timeout", "soon")]), ConnectorType::Sink).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value soon for configuration errors.retry.timeout: Not a number of type LONG"
        );
    }

    #[test]
    fn context_headers_are_kafkas() {
        let id = TaskId {
            connector: "sink".into(),
            task: 2,
        };
        let failure = Failure::data(DataError::new(
            "Converting byte[] to Kafka Connect data failed due to serialization error: ",
        ));
        let h = context_headers(
            Some(Position {
                topic: "in",
                partition: 1,
                offset: 42,
            }),
            &id,
            Stage::ValueConverter,
            "org.apache.kafka.connect.json.JsonConverter",
            Some(&failure),
        );
        let text: Vec<(String, String)> = h.into_iter().map(|(k, v)| (k, String::from_utf8(v).unwrap())).collect();
        let expected = [
            ("__connect.errors.topic", "in"),
            ("__connect.errors.partition", "1"),
            ("__connect.errors.offset", "42"),
            ("__connect.errors.connector.name", "sink"),
            ("__connect.errors.task.id", "2"),
            ("__connect.errors.stage", "VALUE_CONVERTER"),
            ("__connect.errors.class.name", "org.apache.kafka.connect.json.JsonConverter"),
            ("__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException"),
            (
                "__connect.errors.exception.message",
                "Converting byte[] to Kafka Connect data failed due to serialization error: ",
            ),
            (
                "__connect.errors.exception.stacktrace",
                "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: \n",
            ),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(text, expected);
        assert!(expected.iter().all(|(k, _)| k.starts_with(HEADER_PREFIX)));
    }

    #[test]
    fn tolerance_none_fails_on_the_first_error_with_the_stage_in_the_cause() {
        let (mut op, metrics) = operator(Tolerance::None, 0, 60_000);
        let mut ctx = Context::new(Original::None);
        let ok: Option<i32> = op.execute(&mut ctx, Stage::KeyConverter, "K", || Ok(1)).unwrap();
        assert_eq!(ok, Some(1));
        let e = op
            .execute::<i32>(
                &mut ctx,
                Stage::ValueConverter,
                "org.apache.kafka.connect.json.JsonConverter",
                || Err(Failure::data(DataError::new("bad"))),
            )
            .unwrap_err();
        assert_eq!(e.message, "Tolerance exceeded in error handler");
        assert_eq!(
            e.trace(),
            "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n\
             Caused by: org.apache.kafka.connect.errors.DataException: bad\n\
             \tat stage VALUE_CONVERTER executing class org.apache.kafka.connect.json.JsonConverter\n"
        );
        assert_eq!(metrics.errors.failures.get(), 1);
        assert_eq!(metrics.errors.errors.get(), 1);
        assert_eq!(metrics.errors.skipped.get(), 0);
        assert!(metrics.errors.last_error.get() > 0);
    }

    #[test]
    fn tolerance_all_skips_and_later_stages_do_not_run() {
        let (mut op, metrics) = operator(Tolerance::All, 0, 60_000);
        let mut ctx = Context::new(Original::None);
        let r: Option<i32> = op
            .execute(&mut ctx, Stage::Transformation, "T", || Err(Failure::data(DataError::new("no"))))
            .unwrap();
        assert_eq!(r, None);
        let mut ran = false;
        let r: Option<i32> = op
            .execute(&mut ctx, Stage::ValueConverter, "V", || {
                ran = true;
                Ok(1)
            })
            .unwrap();
        assert_eq!(r, None);
        assert!(!ran);
        assert_eq!(ctx.stage(), Stage::Transformation);
        assert_eq!(ctx.executing_class(), "T");
        assert_eq!(metrics.errors.skipped.get(), 1);
        assert_eq!(metrics.errors.errors.get(), 1);
        // A fresh record goes through.
        let mut ctx = Context::new(Original::None);
        assert_eq!(op.execute(&mut ctx, Stage::ValueConverter, "V", || Ok(2)).unwrap(), Some(2));
    }

    #[test]
    fn data_errors_are_not_retried_but_retriable_ones_are() {
        let (mut op, metrics) = operator(Tolerance::All, 10_000, 1);
        let mut calls = 0;
        let mut ctx = Context::new(Original::None);
        let _ = op.execute::<()>(&mut ctx, Stage::ValueConverter, "V", || {
            calls += 1;
            Err(Failure::data(DataError::new("no")))
        });
        assert_eq!(calls, 1);
        assert_eq!(metrics.errors.retries.get(), 0);

        let mut calls = 0;
        let mut ctx = Context::new(Original::None);
        let r = op
            .execute(&mut ctx, Stage::ValueConverter, "V", || {
                calls += 1;
                if calls < 3 {
                    Err(retriable("org.apache.kafka.connect.errors.RetriableException", "later"))
                } else {
                    Ok(7)
                }
            })
            .unwrap();
        assert_eq!(r, Some(7));
        assert_eq!(ctx.attempts(), 3);
        assert_eq!(metrics.errors.retries.get(), 2);
        assert!(!ctx.failed());
    }

    #[test]
    fn retries_stop_at_the_timeout() {
        let (mut op, metrics) = operator(Tolerance::All, 50, 20);
        let mut ctx = Context::new(Original::None);
        let started = Instant::now();
        let r = op
            .execute::<()>(&mut ctx, Stage::KeyConverter, "K", || Err(retriable("R", "m")))
            .unwrap();
        assert_eq!(r, None);
        assert!(ctx.failed());
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(metrics.errors.retries.get() >= 1);
        assert_eq!(metrics.errors.skipped.get(), 1);
        // Under `none`, retries that run out fail the task.
        let (mut op, _) = operator(Tolerance::None, 10, 5);
        let mut ctx = Context::new(Original::None);
        let e = op
            .execute::<()>(&mut ctx, Stage::KeyConverter, "K", || Err(retriable("R", "m")))
            .unwrap_err();
        assert_eq!(e.message, "Tolerance exceeded in error handler");
    }

    #[test]
    fn a_stop_ends_the_backoff() {
        let (mut op, _) = operator(Tolerance::All, -1, 60_000);
        let stop = op.stop.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            stop.trigger();
        });
        let started = Instant::now();
        let mut ctx = Context::new(Original::None);
        let r = op
            .execute::<()>(&mut ctx, Stage::KeyConverter, "K", || Err(retriable("R", "m")))
            .unwrap();
        t.join().unwrap();
        assert_eq!(r, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn log_messages_are_kafkas() {
        let id = TaskId {
            connector: "src".into(),
            task: 0,
        };
        let mut ctx = Context::new(Original::None);
        ctx.fail(
            Stage::KeyConverter,
            "org.apache.kafka.connect.storage.StringConverter",
            Failure::data(DataError::new("x")),
        );
        assert_eq!(
            log_message(&id, &ctx, false),
            "Error encountered in task src-0. Executing stage 'KEY_CONVERTER' with class 'org.apache.kafka.connect.storage.StringConverter'."
        );
        assert_eq!(
            consumed_record_string("t", 0, 5, Some((1700000000000, "CreateTime"))),
            ", where consumed record is {topic='t', partition=0, offset=5, timestamp=1700000000000, timestampType=CreateTime}"
        );
        assert_eq!(
            consumed_record_string("t", 1, 6, None),
            ", where consumed record is {topic='t', partition=1, offset=6}"
        );
        let record = ConnectRecord::source(
            serde_json::json!({"filename": "/tmp/in"}),
            serde_json::json!({"position": 10}),
            "lines",
            Some(Schema::string()),
            Value::String("hello".into()),
        );
        let ctx = Context::new(Original::Source(&record));
        let mut ctx2 = ctx;
        ctx2.fail(
            Stage::Transformation,
            "org.apache.kafka.connect.transforms.Cast$Value",
            Failure::data(DataError::new("x")),
        );
        assert_eq!(
            log_message(&id, &ctx2, true),
            "Error encountered in task src-0. Executing stage 'TRANSFORMATION' with class 'org.apache.kafka.connect.transforms.Cast$Value', \
             where source record is = SourceRecord{sourcePartition={filename=/tmp/in}, sourceOffset={position=10}} \
             ConnectRecord{topic='lines', kafkaPartition=null, key=null, keySchema=null, value=hello, valueSchema=Schema{STRING}, \
             timestamp=null, headers=ConnectHeaders(headers=)}."
        );
    }
}
