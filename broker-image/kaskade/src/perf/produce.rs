//! `kaskade perf produce`: sends `--num-records` records of `--record-size` bytes, optionally
//! throttled to `--throughput` records/s, and measures each record's send-to-acknowledgement
//! latency in librdkafka's delivery callback.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::ClientContext;

use super::stats::Stats;

#[derive(Args, Debug)]
pub struct ProduceArgs {
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    bootstrap_server: String,
    #[arg(long)]
    topic: String,
    #[arg(long = "num-records")]
    num_records: u64,
    #[arg(long = "record-size")]
    record_size: usize,
    /// Maximum records/s; -1 for no limit (Kafka's convention).
    #[arg(long, default_value_t = -1.0, allow_negative_numbers = true)]
    throughput: f64,
    /// acks: all, -1, 1 or 0.
    #[arg(long, default_value = "all")]
    acks: String,
    /// Produce to this partition only (default: librdkafka's partitioner over all partitions).
    #[arg(long)]
    partition: Option<i32>,
    /// Extra producer properties (librdkafka names), repeatable: `--producer-props linger.ms=5`.
    #[arg(long = "producer-props", num_args = 1.., value_name = "KEY=VALUE")]
    producer_props: Vec<String>,
    /// Print the final summary only (no progress lines).
    #[arg(long)]
    quiet: bool,
}

struct Context_ {
    stats: Mutex<Stats>,
    errors: Mutex<Vec<String>>,
    size: usize,
}

impl ClientContext for Context_ {}

impl ProducerContext for Context_ {
    type DeliveryOpaque = Box<Instant>;
    fn delivery(&self, result: &DeliveryResult<'_>, sent_at: Box<Instant>) {
        match result {
            Ok(_) => {
                let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
                s.record(self.size, sent_at.elapsed());
            }
            Err((e, _)) => {
                let mut errs = self.errors.lock().unwrap_or_else(|e| e.into_inner());
                if errs.len() < 10 {
                    errs.push(e.to_string());
                }
            }
        }
    }
}

pub fn run(a: ProduceArgs) -> anyhow::Result<()> {
    let acks = match a.acks.as_str() {
        "all" | "-1" => "all",
        "1" => "1",
        "0" => "0",
        other => bail!("--acks must be all, -1, 1 or 0 (got {other})"),
    };
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", &a.bootstrap_server)
        .set("acks", acks)
        .set("enable.idempotence", "false")
        .set("queue.buffering.max.kbytes", "1048576")
        .set("queue.buffering.max.messages", "1000000");
    for (k, v) in super::parse_props(&a.producer_props)? {
        cfg.set(k, v);
    }
    let ctx = Context_ {
        stats: Mutex::new(Stats::new(Duration::from_secs(5))),
        errors: Mutex::new(Vec::new()),
        size: a.record_size,
    };
    let producer: BaseProducer<Context_> = cfg.create_with_context(ctx).context("creating the producer")?;
    let payload: Vec<u8> = (0..a.record_size).map(|i| b'A' + (i * 7 % 26) as u8).collect();
    let start = Instant::now();
    let mut sent = 0u64;
    while sent < a.num_records {
        if a.throughput > 0.0 {
            let due = Duration::from_secs_f64(sent as f64 / a.throughput);
            let elapsed = start.elapsed();
            if due > elapsed {
                producer.poll(Duration::ZERO);
                std::thread::sleep((due - elapsed).min(Duration::from_millis(10)));
                continue;
            }
        }
        let mut record = BaseRecord::<(), [u8], Box<Instant>>::with_opaque_to(&a.topic, Box::new(Instant::now())).payload(&payload);
        if let Some(p) = a.partition {
            record = record.partition(p);
        }
        match producer.send(record) {
            Ok(()) => sent += 1,
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                producer.poll(Duration::from_millis(5));
            }
            Err((e, _)) => bail!("send failed: {e}"),
        }
        if sent.is_multiple_of(1024) {
            producer.poll(Duration::ZERO);
            if !a.quiet {
                producer.context().stats.lock().unwrap_or_else(|e| e.into_inner()).maybe_report();
            }
        }
    }
    while producer.in_flight_count() > 0 {
        producer.poll(Duration::from_millis(50));
        if start.elapsed() > Duration::from_secs(600) {
            bail!("records still unacknowledged after 10 minutes");
        }
    }
    let ctx = producer.context();
    let errors = ctx.errors.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let stats = ctx.stats.lock().unwrap_or_else(|e| e.into_inner());
    println!("{}", stats.summary());
    if !errors.is_empty() || stats.records() != a.num_records {
        bail!(
            "{} of {} records were not acknowledged; first errors: {errors:?}",
            a.num_records - stats.records(),
            a.num_records
        );
    }
    Ok(())
}
