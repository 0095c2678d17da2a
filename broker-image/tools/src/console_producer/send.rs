//! Sending the records: a librdkafka producer configured as Kafka's console producer configures
//! its Java producer (idempotent, acks=all, linger.ms=1000, ...), a delivery callback that prints
//! Kafka's `Error when sending message to topic ...` line for each failed record, and the wait
//! when librdkafka's queue is full, bounded by `max.block.ms` as the Java producer's `send` is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, Message};

use super::args::ProducerOptions;
use super::reader::LineRecord;
use crate::console_shared::context::ToolContext;
use crate::exit::ToolError;
use kaskade_common::client_props::{RdConfig, Role};

/// The producer's context: the shared one, plus the count of records that failed.
#[derive(Default)]
pub struct SendContext {
    pub base: ToolContext,
    pub failed: AtomicU64,
}

impl ClientContext for SendContext {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.base.log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.base.error(error, reason);
    }
}

impl ProducerContext for SendContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, msg)) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            report_failure(msg.topic(), msg.key().map(<[u8]>::len), msg.payload().map(<[u8]>::len), e);
        }
    }
}

/// Kafka's `ErrorLoggingCallback` line (without log4j's timestamp prefix).
fn report_failure(topic: &str, key: Option<usize>, value: Option<usize>, e: &KafkaError) {
    let size = |n: Option<usize>| n.map_or_else(|| "null".to_string(), |n| format!("{n} bytes"));
    eprintln!(
        "ERROR Error when sending message to topic {topic} with key: {}, value: {} with error: {e}",
        size(key),
        size(value)
    );
}

pub type LineProducer = ThreadedProducer<SendContext>;

/// Builds the producer from Kafka's console-producer properties; also returns the delivery
/// timeout in effect (the longest a final flush can take).
pub fn create(options: &ProducerOptions, warn: &mut dyn FnMut(String)) -> Result<(LineProducer, Duration), ToolError> {
    let mut rd = RdConfig::from_java(Role::Producer, &options.producer, warn)?;
    // Java's defaults where librdkafka's differ: the murmur2 partitioner (same partition for
    // the same key), no record-count bound on the buffer (buffer.memory bounds it), the
    // 120 s delivery timeout, and idempotence unless acks/retries/in-flight rule it out.
    rd.set_default("partitioner", "murmur2_random");
    rd.set_default("queue.buffering.max.messages", "2147483647");
    if !rd.contains("delivery.timeout.ms") && !rd.contains("message.timeout.ms") {
        rd.set("message.timeout.ms", "120000");
    }
    if !options.producer.contains_key("enable.idempotence") {
        let acks_all = matches!(options.producer.get("acks").map(|a| a.trim()), Some("all" | "-1"));
        let retries = options.producer.get("retries").is_none_or(|r| r.trim() != "0");
        let in_flight = options
            .producer
            .get("max.in.flight.requests.per.connection")
            .is_none_or(|n| n.trim().parse::<u32>().is_ok_and(|n| n <= 5));
        rd.set(
            "enable.idempotence",
            if acks_all && retries && in_flight { "true" } else { "false" },
        );
    }
    let delivery_ms = rd
        .get("delivery.timeout.ms")
        .or(rd.get("message.timeout.ms"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(120_000);
    let config = rd.client_config(warn)?;
    let producer = config
        .create_with_context(SendContext::default())
        .map_err(|e| ToolError::new(format!("Cannot create the producer: {e}")))?;
    Ok((producer, Duration::from_millis(delivery_ms)))
}

/// Sends one record, waiting while librdkafka's queue is full for at most `max_block`.
/// A record librdkafka refuses outright (too large, ...) is reported like a failed delivery.
pub fn send(producer: &LineProducer, topic: &str, record: &LineRecord, max_block: Duration) -> Result<(), ToolError> {
    let mut headers = None;
    if !record.headers.is_empty() {
        let mut h = OwnedHeaders::new_with_capacity(record.headers.len());
        for (key, value) in &record.headers {
            h = h.insert(Header { key, value: *value });
        }
        headers = Some(h);
    }
    let mut r = BaseRecord::<[u8], [u8], ()>::to(topic);
    if let Some(k) = &record.key {
        r = r.key(*k);
    }
    if let Some(v) = &record.value {
        r = r.payload(*v);
    }
    if let Some(h) = headers {
        r = r.headers(h);
    }
    let started = Instant::now();
    loop {
        // librdkafka hands a record it could not queue back, headers included.
        match producer.send(r) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                if started.elapsed() >= max_block {
                    return Err(ToolError::new(format!(
                        "Failed to allocate memory within the configured max blocking time {} ms.",
                        max_block.as_millis()
                    )));
                }
                r = back;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err((e, _)) => {
                producer.context().failed.fetch_add(1, Ordering::Relaxed);
                report_failure(topic, record.key.map(<[u8]>::len), record.value.map(<[u8]>::len), &e);
                return Ok(());
            }
        }
    }
}
