//! The consumer: created from Kafka's console-consumer properties, started the way Kafka starts
//! it (subscribe to `--topic` or `--include`; assign and seek with `--partition`), then a poll
//! loop that formats every record into one buffer and writes it to stdout once per batch of
//! ready records — not once per record — so that it keeps up with tens of thousands of records a
//! second. It ends as Kafka's ends: after `--max-messages`, after `--timeout-ms` without a
//! record, on a signal, when stdout is closed, or on an error.

use std::io::{self, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};

use super::args::{ConsumerOptions, Source, StartOffset};
use super::formatter::Formatter;
use crate::console_shared::connect;
use crate::console_shared::context::ToolContext;
use crate::exit::ToolError;
use kaskade_common::client_props::{RdConfig, Role};

pub type LineConsumer = BaseConsumer<ToolContext>;

/// Output is written when this much is buffered, or when no more records are ready.
const OUT_BUFFER: usize = 256 * 1024;
/// The longest a poll blocks, so that a signal is noticed promptly.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// Why consumption ended.
#[derive(Debug)]
pub enum Ending {
    MaxMessages,
    /// `--timeout-ms` passed without a record.
    Timeout(Duration),
    /// SIGINT (2) or SIGTERM (15).
    Signal(i32),
    StdoutClosed,
    /// A record the formatter could not write, without `--skip-message-on-error`.
    FormatError(super::deserializer::DeserializeError),
    /// An error from the consumer Kafka's would also stop on.
    ConsumerError(String),
}

/// Creates the consumer; also returns how long the start may wait for a broker
/// (`default.api.timeout.ms`, Kafka's default 60 s).
pub fn create(o: &ConsumerOptions, warn: &mut dyn FnMut(String)) -> Result<(LineConsumer, Duration), ToolError> {
    let mut rd = RdConfig::from_java(Role::Consumer, &o.consumer, warn)?;
    // Java's defaults where librdkafka's differ.
    rd.set_default("allow.auto.create.topics", "true");
    // librdkafka prefetches up to 100 000 records per partition and, once that much waits,
    // pauses fetching for a whole second: a reader that drains fast then idles (5 s instead of
    // 1.2 s for 1.25 M small records). A smaller prefetch checked every 20 ms reads as fast with
    // a third of the memory.
    rd.set_default("fetch.queue.backoff.ms", "20");
    rd.set_default("queued.min.messages", "20000");
    rd.set_default("queued.max.messages.kbytes", "8192");
    // Offsets are stored as records are written out (see `consume`): librdkafka's automatic
    // store would also count the records it hands out while the consumer closes.
    rd.set("enable.auto.offset.store", "false");
    if matches!(o.source, Source::Include(_)) && o.consumer.get("exclude.internal.topics").is_none_or(|v| v.trim() != "false") {
        rd.set_default(
            "topic.blacklist",
            "^__consumer_offsets$,^__transaction_state$,^__share_group_state$",
        );
    }
    let api_timeout_ms = o
        .consumer
        .get("default.api.timeout.ms")
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                ToolError::new(format!(
                    "Invalid value {v} for configuration default.api.timeout.ms: Not a number of type INT"
                ))
            })
        })
        .transpose()?
        .unwrap_or(60_000);
    let config = rd.client_config(warn)?;
    let consumer: LineConsumer = config
        .create_with_context(ToolContext::default())
        .map_err(|e| ToolError::new(format!("Cannot create the consumer: {e}")))?;
    Ok((consumer, Duration::from_millis(api_timeout_ms)))
}

/// Waits for the broker (and the topic), then subscribes or assigns.
pub fn start(consumer: &LineConsumer, o: &ConsumerOptions, timeout: Duration, stop: &AtomicI32) -> Result<(), ToolError> {
    let topic = match &o.source {
        Source::Topic(t) | Source::Partition { topic: t, .. } => Some(t.as_str()),
        Source::Include(_) => None,
    };
    let ctx = consumer.context();
    let mut pump = || {
        // Error events (all brokers down) reach a consumer through its poll.
        while let Some(Err(e)) = consumer.poll(Duration::ZERO) {
            ctx.note_error(e.rdkafka_error_code(), "");
        }
        stop.load(Ordering::Relaxed) != 0
    };
    let partitions = connect::wait_for_metadata(consumer.client(), ctx, &o.bootstrap, topic, timeout, &mut pump)?;
    let subscribe_error = |e: KafkaError| ToolError::new(format!("Cannot subscribe: {e}"));
    match &o.source {
        Source::Topic(t) => consumer.subscribe(&[t.as_str()]).map_err(subscribe_error),
        // Java matches the whole name (Pattern.matcher(topic).matches()); librdkafka searches.
        Source::Include(regex) => consumer.subscribe(&[format!("^({regex})$").as_str()]).map_err(subscribe_error),
        Source::Partition { topic, partition, start } => {
            if !partitions.contains(partition) {
                return Err(ToolError::new(format!(
                    "Partition {partition} of topic {topic} does not exist: the topic has {} partitions",
                    partitions.len()
                )));
            }
            let offset = match start {
                StartOffset::Earliest => Offset::Beginning,
                StartOffset::Latest => Offset::End,
                StartOffset::At(n) => Offset::Offset(*n),
            };
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(topic, *partition, offset)
                .and_then(|()| consumer.assign(&tpl))
                .map_err(|e| ToolError::new(format!("Cannot assign {topic}-{partition}: {e}")))
        }
    }
}

/// Consumes until one of Kafka's endings; returns it and the number of records processed.
pub fn consume(consumer: &LineConsumer, o: &ConsumerOptions, formatter: &Formatter, stop: &AtomicI32) -> (Ending, u64) {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut buf: Vec<u8> = Vec::with_capacity(OUT_BUFFER + 64 * 1024);
    let mut count: u64 = 0;
    let max = o.max_messages;
    let mut last_record = Instant::now();
    let mut last_warning = String::new();
    // Only a consumer that commits needs its position stored (without `--group` the tool turns
    // auto-commit off and never commits).
    let commits = o
        .consumer
        .get("enable.auto.commit")
        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
    let ending = 'outer: loop {
        if max >= 0 && count >= max as u64 {
            break Ending::MaxMessages;
        }
        let signal = stop.load(Ordering::Relaxed);
        if signal != 0 {
            break Ending::Signal(signal);
        }
        let wait = match o.idle_timeout {
            Some(t) => t.saturating_sub(last_record.elapsed()).min(POLL_SLICE),
            None => POLL_SLICE,
        };
        let mut polled = consumer.poll(wait);
        let mut any = false;
        while let Some(result) = polled {
            match result {
                Ok(m) => {
                    count += 1;
                    any = true;
                    // What (auto-)commit will commit: the records processed, as Kafka's tool
                    // commits its position after seeking back over what it did not print.
                    if commits {
                        let _ = consumer.store_offset_from_message(&m);
                    }
                    if let Err(e) = formatter.write(&m, &mut buf) {
                        if !o.skip_message_on_error {
                            let _ = write(&mut out, &mut buf);
                            break 'outer Ending::FormatError(e);
                        }
                        eprintln!("ERROR Error processing message, skipping this message: {e}");
                    }
                    if (max >= 0 && count >= max as u64) || stop.load(Ordering::Relaxed) != 0 {
                        break;
                    }
                    if buf.len() >= OUT_BUFFER && write(&mut out, &mut buf).is_err() {
                        break 'outer Ending::StdoutClosed;
                    }
                }
                Err(e) => {
                    let code = e.rdkafka_error_code();
                    consumer.context().note_error(code, "");
                    if is_fatal(&e) {
                        let _ = write(&mut out, &mut buf);
                        break 'outer Ending::ConsumerError(e.to_string());
                    }
                    // Kafka's client logs these as warnings and carries on (a broker restarting).
                    let warning = match consumer.context().last_failure() {
                        Some(reason) => format!("WARN {e}: {reason}"),
                        None => format!("WARN {e}"),
                    };
                    if warning != last_warning {
                        eprintln!("{warning}");
                        last_warning = warning;
                    }
                }
            }
            polled = consumer.poll(Duration::ZERO);
        }
        if write(&mut out, &mut buf).is_err() {
            break Ending::StdoutClosed;
        }
        if any {
            last_record = Instant::now();
        } else if let Some(t) = o.idle_timeout {
            if last_record.elapsed() >= t {
                break Ending::Timeout(t);
            }
        }
    };
    (ending, count)
}

/// Writes and clears the buffer; an error means nobody reads stdout any more.
fn write(out: &mut impl Write, buf: &mut Vec<u8>) -> io::Result<()> {
    if buf.is_empty() {
        return Ok(());
    }
    let result = out.write_all(buf).and_then(|()| out.flush());
    buf.clear();
    result
}

/// Errors Kafka's consumer throws from `poll` (and the console consumer stops on); the others
/// are connection trouble its network client logs and retries.
fn is_fatal(e: &KafkaError) -> bool {
    if matches!(e, KafkaError::MessageConsumptionFatal(_)) {
        return true;
    }
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::GroupAuthorizationFailed
                | RDKafkaErrorCode::ClusterAuthorizationFailed
                | RDKafkaErrorCode::SaslAuthenticationFailed
                | RDKafkaErrorCode::Authentication
                | RDKafkaErrorCode::AutoOffsetReset
                | RDKafkaErrorCode::Fatal
        )
    )
}
