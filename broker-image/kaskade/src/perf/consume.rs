//! `kaskade perf consume`: reads `--messages` records from every partition of a topic by
//! assignment (from the beginning) and prints Kafka's consumer-perf-test line.

use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context};
use clap::Args;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

#[derive(Args, Debug)]
pub struct ConsumeArgs {
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    bootstrap_server: String,
    #[arg(long)]
    topic: String,
    /// Records to consume.
    #[arg(long)]
    messages: u64,
    /// Give up after this long without a new record (Kafka's `--timeout`, ms).
    #[arg(long, default_value_t = 10_000)]
    timeout: u64,
    /// Extra consumer properties (librdkafka names), repeatable.
    #[arg(long = "consumer-props", num_args = 1.., value_name = "KEY=VALUE")]
    consumer_props: Vec<String>,
}

fn fmt_time(t: SystemTime) -> String {
    let ms = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    format!("{ms}")
}

pub fn run(a: ConsumeArgs) -> anyhow::Result<()> {
    let mut cfg = ClientConfig::new();
    // librdkafka needs a group.id to assign(); nothing is committed and no group is joined.
    cfg.set("bootstrap.servers", &a.bootstrap_server)
        .set("group.id", "kaskade-perf-consume")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "false");
    for (k, v) in super::parse_props(&a.consumer_props)? {
        cfg.set(k, v);
    }
    let consumer: BaseConsumer = cfg.create().context("creating the consumer")?;
    let md = consumer
        .fetch_metadata(Some(&a.topic), Duration::from_secs(10))
        .context("fetching topic metadata")?;
    let topic = md
        .topics()
        .iter()
        .find(|t| t.name() == a.topic)
        .context("topic missing from metadata")?;
    if topic.partitions().is_empty() {
        bail!("topic {} has no partitions (does it exist?)", a.topic);
    }
    let mut tpl = TopicPartitionList::new();
    for p in topic.partitions() {
        tpl.add_partition_offset(&a.topic, p.id(), Offset::Beginning)?;
    }
    consumer.assign(&tpl)?;
    let start_wall = SystemTime::now();
    let start = Instant::now();
    let mut first_at: Option<Instant> = None;
    let mut last = Instant::now();
    let (mut n, mut bytes) = (0u64, 0u64);
    while n < a.messages {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                first_at.get_or_insert_with(Instant::now);
                n += 1;
                bytes += m.payload().map(|p| p.len()).unwrap_or(0) as u64;
                last = Instant::now();
            }
            Some(Err(e)) => bail!("consume error after {n} records: {e}"),
            None => {
                if last.elapsed() > Duration::from_millis(a.timeout) {
                    bail!("no record for {} ms after {n} records", a.timeout);
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let fetch_secs = first_at.map(|f| f.elapsed().as_secs_f64()).unwrap_or(secs).max(1e-9);
    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    println!(
        "{}, {}, {:.4}, {:.4}, {}, {:.4}, {}, {}, {:.4}, {:.4}",
        fmt_time(start_wall),
        fmt_time(SystemTime::now()),
        mib,
        mib / secs,
        n,
        n as f64 / secs,
        ((secs - fetch_secs) * 1000.0).max(0.0) as u64,
        (fetch_secs * 1000.0) as u64,
        mib / fetch_secs,
        n as f64 / fetch_secs
    );
    Ok(())
}
