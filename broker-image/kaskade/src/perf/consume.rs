//! `kaskade perf consume`: reads `--messages` records from every partition of a topic by
//! assignment (from the beginning) and prints Kafka's consumer-perf-test line. With `--group G`
//! it subscribes instead, as `--members` consumers of group G (one thread each, librdkafka's
//! defaults but `auto.offset.reset=earliest`), until they have read `--messages` between them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Subscribe as members of this consumer group instead of assigning partitions.
    #[arg(long)]
    group: Option<String>,
    /// With --group: how many members (one consumer and thread each) share the topic.
    #[arg(long, default_value_t = 1)]
    members: usize,
}

fn fmt_time(t: SystemTime) -> String {
    let ms = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    format!("{ms}")
}

pub fn run(a: ConsumeArgs) -> anyhow::Result<()> {
    if a.group.is_some() {
        return run_group(a);
    }
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
    print_summary(start_wall, start, first_at, Instant::now(), n, bytes);
    Ok(())
}

/// Prints kafka-consumer-perf-test's two lines: rebalance.time.ms is the time from the start
/// (assign or subscribe) to the first record, fetch.* are measured from that first record.
fn print_summary(start_wall: SystemTime, start: Instant, first_at: Option<Instant>, end: Instant, n: u64, bytes: u64) {
    let secs = (end - start).as_secs_f64();
    let fetch_secs = first_at.map(|f| (end - f).as_secs_f64()).unwrap_or(secs).max(1e-9);
    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    println!(
        "{}, {}, {:.4}, {:.4}, {}, {:.4}, {}, {}, {:.4}, {:.4}",
        fmt_time(start_wall),
        fmt_time(start_wall + (end - start)),
        mib,
        mib / secs,
        n,
        n as f64 / secs,
        ((secs - fetch_secs) * 1000.0).max(0.0) as u64,
        (fetch_secs * 1000.0) as u64,
        mib / fetch_secs,
        n as f64 / fetch_secs
    );
}

/// `--group`: `--members` consumers subscribe to the topic in one group and read until they have
/// `--messages` records between them.
fn run_group(a: ConsumeArgs) -> anyhow::Result<()> {
    let group = a.group.clone().unwrap_or_default();
    let props = super::parse_props(&a.consumer_props)?;
    let mut consumers = Vec::new();
    for i in 0..a.members.max(1) {
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", &a.bootstrap_server)
            .set("group.id", &group)
            .set("client.id", format!("kaskade-perf-{i}"))
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false");
        for (k, v) in &props {
            cfg.set(k, v);
        }
        let c: BaseConsumer = cfg.create().context("creating a consumer")?;
        consumers.push(c);
    }
    let total = Arc::new(AtomicU64::new(0));
    let total_bytes = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let first_at: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let last = Arc::new(Mutex::new(Instant::now()));
    let start_wall = SystemTime::now();
    let start = Instant::now();
    let mut threads = Vec::new();
    for c in consumers {
        let (total, total_bytes, done, first_at, last) = (total.clone(), total_bytes.clone(), done.clone(), first_at.clone(), last.clone());
        let (topic, messages) = (a.topic.clone(), a.messages);
        threads.push(std::thread::spawn(move || -> anyhow::Result<()> {
            c.subscribe(&[&topic])?;
            // Counted locally and published every few hundred records: shared counters touched
            // per record would be the bottleneck at a million records a second.
            let (mut n, mut b) = (0u64, 0u64);
            let publish = |n: &mut u64, b: &mut u64| {
                if *n > 0 {
                    total_bytes.fetch_add(*b, Ordering::Relaxed);
                    if total.fetch_add(*n, Ordering::Relaxed) + *n >= messages {
                        done.store(true, Ordering::Relaxed);
                    }
                    *last.lock().unwrap() = Instant::now();
                    (*n, *b) = (0, 0);
                }
            };
            while !done.load(Ordering::Relaxed) {
                match c.poll(Duration::from_millis(10)) {
                    Some(Ok(m)) => {
                        if n == 0 {
                            first_at.lock().unwrap().get_or_insert_with(Instant::now);
                        }
                        n += 1;
                        b += m.payload().map(|p| p.len()).unwrap_or(0) as u64;
                        if n >= 256 || total.load(Ordering::Relaxed) + n >= messages {
                            publish(&mut n, &mut b);
                        }
                    }
                    Some(Err(e)) => bail!("consume error: {e}"),
                    None => publish(&mut n, &mut b),
                }
            }
            Ok(())
        }));
    }
    let timeout = Duration::from_millis(a.timeout);
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20));
        let idle = last.lock().unwrap().elapsed();
        // Before the first record the group is still forming: allow it the timeout on top.
        let started = first_at.lock().unwrap().is_some();
        if idle > timeout && (started || start.elapsed() > timeout * 2) {
            done.store(true, Ordering::Relaxed);
            bail!("no record for {} ms after {} records", a.timeout, total.load(Ordering::Relaxed));
        }
    }
    // Measured up to the last record; the members' leaving the group below is not counted.
    let end = Instant::now();
    let first = *first_at.lock().unwrap();
    for t in threads {
        t.join().map_err(|_| anyhow::anyhow!("a member thread panicked"))??;
    }
    let (n, bytes) = (total.load(Ordering::Relaxed), total_bytes.load(Ordering::Relaxed));
    print_summary(start_wall, start, first, end, n, bytes);
    Ok(())
}
