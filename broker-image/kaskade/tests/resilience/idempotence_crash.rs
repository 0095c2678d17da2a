//! Idempotent producers with real clients across broker crashes: the Java producer with its
//! defaults (`e2e/interop/java/IdempotentProducer.java`: idempotent, acks=all, retries, five in
//! flight), an idempotent librdkafka producer (the `rdkafka` crate), kafka-python and
//! confluent-kafka (`e2e/interop/python/idempotent_producer.py`) stream numbered records to
//! several partitions while the broker is killed with SIGKILL twice (producer state rebuilt from
//! the log) and then stopped with SIGTERM (state from the snapshot), each time restarted on the
//! same log directory.
//!
//! The clients reach the broker through a small TCP proxy in the test (the broker advertises the
//! proxy's port). Before each stop the proxy holds back the broker's responses until the log has
//! grown, so every stop leaves batches that are written but not acknowledged: the client retries
//! them after the restart and the broker must answer them from its recovered producer state (each
//! restarted broker is checked to have answered duplicates). Then every partition is read from
//! offset 0: every sequence number is there exactly once, in order, and every acknowledged
//! (partition, offset) holds the record that was acknowledged there.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kaskade_testkit::{repo_root, wait_for, BrokerProc};
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};

const PARTITIONS: i32 = 4;
/// Records per run, at `RATE` per second: twelve seconds of producing. The producers keep
/// sending during the outages, so the last stop must come well before the end of that.
const COUNT: u64 = 60_000;
const RATE: u64 = 5_000;
/// Value padding, so that batches are a few KiB and segments roll (see `log.segment.bytes`).
const PAD: usize = 100;
/// The broker is stopped when this many records have been acknowledged, and restarted: twice
/// with SIGKILL (producer state rebuilt from the log), then with SIGTERM (from the snapshot).
const STOPS: [(usize, Stop); 3] = [(8_000, Stop::Kill9), (20_000, Stop::Kill9), (30_000, Stop::Terminate)];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Kill9,
    Terminate,
}

/// What a producer reported so far: acknowledgements (partition, offset, seq) in the order they
/// came, sends that failed for good, and whether it finished (and how).
#[derive(Default)]
struct Progress {
    acks: Vec<(i32, i64, u64)>,
    failures: Vec<String>,
    finished: Option<String>,
}

type Shared = Arc<Mutex<Progress>>;

/// A TCP proxy in front of the broker that can hold back the broker's responses (`hold`). Bumping
/// `generation` closes every connection made before, and what they held is never delivered.
struct Proxy {
    port: u16,
    target: Arc<AtomicU16>,
    hold: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy listener");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Proxy {
            port,
            target: Arc::default(),
            hold: Arc::default(),
            generation: Arc::default(),
        };
        let (target, hold, generation) = (proxy.target.clone(), proxy.hold.clone(), proxy.generation.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                // The broker is down: close, the client reconnects.
                let Ok(broker) = TcpStream::connect(("127.0.0.1", target.load(Ordering::SeqCst))) else {
                    continue;
                };
                let gen = generation.load(Ordering::SeqCst);
                let _ = (client.set_nodelay(true), broker.set_nodelay(true));
                let (c2, b2) = (client.try_clone().expect("clone"), broker.try_clone().expect("clone"));
                std::thread::spawn(move || pump(client, broker, None));
                let (hold, generation) = (hold.clone(), generation.clone());
                std::thread::spawn(move || pump(b2, c2, Some((hold, generation, gen))));
            }
        });
        proxy
    }

    fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Copies `from` to `to` until either side closes. Responses (`held` is set) wait while the
/// proxy holds them, and are dropped with their connection once its generation has passed.
fn pump(mut from: TcpStream, mut to: TcpStream, held: Option<(Arc<AtomicBool>, Arc<AtomicU64>, u64)>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some((hold, generation, gen)) = &held {
            while hold.load(Ordering::SeqCst) && generation.load(Ordering::SeqCst) == *gen {
                std::thread::sleep(Duration::from_millis(2));
            }
            if generation.load(Ordering::SeqCst) != *gen {
                break;
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// Bytes in the topic's segment files.
fn log_bytes(b: &BrokerProc, topic: &str) -> u64 {
    (0..PARTITIONS)
        .flat_map(|p| std::fs::read_dir(b.log_dir().join(format!("{topic}-{p}"))).into_iter().flatten())
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The broker with the proxy's address advertised, and the proxy pointed at it.
async fn broker_behind_proxy(topic: &str) -> (BrokerProc, Proxy) {
    let proxy = Proxy::start();
    // Small segments: the kills land around segment rolls too, and recovery rebuilds the
    // producer state from several segments.
    let advertised = format!("advertised.listeners=PLAINTEXT://127.0.0.1:{}", proxy.port);
    let b = BrokerProc::start(&["log.segment.bytes=262144", &advertised]);
    proxy.target.store(b.port, Ordering::SeqCst);
    kaskade_testkit::clients::create_topic(&b.bootstrap(), topic, PARTITIONS, &[]).await;
    (b, proxy)
}

/// Stops the broker (`STOPS`) each time that many records are acknowledged and restarts it on
/// the same port and log directory. The producer must still be running at each stop, and the
/// stop must leave batches written but not acknowledged: the proxy holds the responses back
/// from before the log grows until after the stop.
fn kill_under_producer(b: &mut BrokerProc, proxy: &Proxy, topic: &str, progress: &Shared, who: &str) {
    for (i, &(at, how)) in STOPS.iter().enumerate() {
        let reached = wait_for(Duration::from_secs(180), || {
            let p = progress.lock().unwrap();
            (p.acks.len() >= at || p.finished.is_some()).then(|| (p.acks.len(), p.finished.clone()))
        });
        let (acked, finished) = reached.unwrap_or_else(|| {
            let p = progress.lock().unwrap();
            panic!(
                "{who}: only {} records acknowledged before stop {i} (failures: {:?})\nbroker log:\n{}",
                p.acks.len(),
                p.failures.iter().take(5).collect::<Vec<_>>(),
                b.logs()
            )
        });
        assert!(
            finished.is_none() && (acked as u64) < COUNT,
            "{who}: the producer finished ({finished:?}) before stop {i}: the stop would not be mid-stream"
        );
        proxy.hold.store(true, Ordering::SeqCst);
        let before = log_bytes(b, topic);
        // Appended after the hold began, so not acknowledged. (Should the client already have
        // five requests in flight, all written, they are the unacknowledged ones.)
        let grew = wait_for(Duration::from_secs(1), || (log_bytes(b, topic) > before).then_some(()));
        // No acknowledgement passes the proxy now: the client must still be waiting for some.
        let acked_at_stop = progress.lock().unwrap().acks.len();
        assert!(
            (acked_at_stop as u64) < COUNT,
            "{who}: every record was acknowledged before stop {i}: the stop would not be mid-stream"
        );
        match how {
            Stop::Kill9 => b.kill9(),
            Stop::Terminate => assert!(b.terminate().success(), "{who}: SIGTERM: exit 0"),
        }
        proxy.generation.fetch_add(1, Ordering::SeqCst);
        proxy.hold.store(false, Ordering::SeqCst);
        eprintln!(
            "{who}: stop {i} ({how:?}) with {acked} records acknowledged; log grew under held responses: {}",
            grew.is_some()
        );
        // A short outage: new connections are refused.
        std::thread::sleep(Duration::from_millis(300));
        b.spawn();
        let clean = b.logs().contains("clean_shutdown=true");
        assert_eq!(
            clean,
            how == Stop::Terminate,
            "{who}: restart {i} after {how:?}: clean_shutdown={clean}"
        );
    }
}

/// Each restarted broker answered retried batches as duplicates (from its debug log): the
/// retries of the batches written but not acknowledged before the stop.
fn assert_duplicates_answered(b: &BrokerProc, who: &str) {
    let counts: Vec<usize> = (1..=STOPS.len() + 1)
        .map(|run| {
            std::fs::read_to_string(b.dir.join(format!("broker-{run}.log")))
                .unwrap_or_default()
                .matches("duplicate idempotent batch")
                .count()
        })
        .collect();
    eprintln!("{who}: duplicate batches answered per broker run: {counts:?}");
    assert!(
        counts[1..].iter().all(|&n| n > 0),
        "{who}: every restarted broker must have answered retries of unacknowledged batches as duplicates: {counts:?}"
    );
}

/// High watermarks, then every record of every partition from offset 0: (partition, offset) → seq.
fn read_everything(bootstrap: &str, topic: &str) -> BTreeMap<(i32, i64), u64> {
    let ends = kaskade_testkit::groups::end_offsets(bootstrap, topic, PARTITIONS);
    let consumer = kaskade_testkit::clients::assigned_consumer(bootstrap, topic, PARTITIONS, &[]);
    let mut out = BTreeMap::new();
    let mut next: HashMap<i32, i64> = (0..PARTITIONS).map(|p| (p, 0)).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while next.iter().any(|(p, n)| *n < ends[p]) {
        assert!(Instant::now() < deadline, "reading back timed out at {next:?} of {ends:?}");
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let v = std::str::from_utf8(m.payload().expect("payload")).expect("utf8");
                let seq = v.split('|').next().unwrap_or_default();
                let seq: u64 = seq
                    .parse()
                    .unwrap_or_else(|_| panic!("record {}/{} is not ours: {v:.40}", m.partition(), m.offset()));
                out.insert((m.partition(), m.offset()), seq);
                next.insert(m.partition(), m.offset() + 1);
            }
            Some(Err(e)) => panic!("consume: {e}"),
            None => {}
        }
    }
    out
}

/// No loss, no duplicate, in order, and every acknowledgement true to the log.
fn verify(who: &str, acks: &[(i32, i64, u64)], log: &BTreeMap<(i32, i64), u64>) {
    let mut at: BTreeMap<u64, Vec<(i32, i64)>> = BTreeMap::new();
    for (&(p, o), &seq) in log {
        at.entry(seq).or_default().push((p, o));
    }
    let missing: Vec<u64> = (0..COUNT).filter(|s| !at.contains_key(s)).collect();
    let duplicated: Vec<(&u64, &Vec<(i32, i64)>)> = at.iter().filter(|(_, v)| v.len() > 1).collect();
    let foreign: Vec<&u64> = at.keys().filter(|s| **s >= COUNT).collect();
    assert!(
        missing.is_empty() && duplicated.is_empty() && foreign.is_empty(),
        "{who}: {} missing (first: {:?}), {} duplicated (first, with their (partition, offset)s: {:?}), {} unknown (first: {:?})",
        missing.len(),
        &missing[..missing.len().min(20)],
        duplicated.len(),
        &duplicated[..duplicated.len().min(20)],
        foreign.len(),
        &foreign[..foreign.len().min(20)]
    );
    // Each partition holds its own sequence numbers in the order they were sent, offsets dense
    // from 0: record s went to partition s mod P, so offset k of partition p holds k·P + p.
    for (&(p, o), &seq) in log {
        assert_eq!(
            seq,
            o as u64 * PARTITIONS as u64 + p as u64,
            "{who}: partition {p} offset {o} holds seq {seq}: out of order or misplaced"
        );
    }
    // Every record acknowledged exactly once, at the offset that holds it.
    let mut acked: HashMap<u64, (i32, i64)> = HashMap::new();
    for &(p, o, seq) in acks {
        assert!(acked.insert(seq, (p, o)).is_none(), "{who}: seq {seq} acknowledged twice");
        assert_eq!(log.get(&(p, o)), Some(&seq), "{who}: seq {seq} was acknowledged at {p}/{o}");
    }
    assert_eq!(acked.len() as u64, COUNT, "{who}: not every record was acknowledged");
}

/// Runs a producer program (`e2e/interop`: the output lines of `IdempotentProducer.java`) on
/// `topic` through the proxy while the broker is stopped (`STOPS`), then checks the log. Returns its
/// CONFIG line.
async fn program_across_restarts(who: &str, topic: &str, mut cmd: Command) -> String {
    let (mut b, proxy) = broker_behind_proxy(topic).await;
    let stderr_path = b.dir.join(format!("{who}-producer.stderr"));
    let mut child = cmd
        .args(["--bootstrap", &proxy.bootstrap(), "--topic", topic])
        .args(["--partitions", &PARTITIONS.to_string(), "--count", &COUNT.to_string()])
        .args(["--pad", &PAD.to_string(), "--rate", &RATE.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(&stderr_path).expect("stderr file")))
        .spawn()
        .unwrap_or_else(|e| panic!("start the {who} producer: {e}"));
    let progress: Shared = Arc::default();
    let config = Arc::new(Mutex::new(String::new()));
    let reader: JoinHandle<()> = {
        let (progress, config, who) = (progress.clone(), config.clone(), who.to_string());
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut p = progress.lock().unwrap();
                if let Some(rest) = line.strip_prefix("ACK ") {
                    let f: HashMap<&str, &str> = rest.split(' ').filter_map(|kv| kv.split_once('=')).collect();
                    let field = |k: &str| f.get(k).copied().unwrap_or_else(|| panic!("{who}: bad line {line:?}"));
                    let ack = (
                        field("p").parse().unwrap(),
                        field("offset").parse().unwrap(),
                        field("seq").parse().unwrap(),
                    );
                    p.acks.push(ack);
                } else if line.starts_with("CONFIG ") {
                    eprintln!("[{who}] {line}");
                    *config.lock().unwrap() = line;
                } else if line.starts_with("SENDFAIL ") {
                    p.failures.push(line);
                } else {
                    eprintln!("[{who}] {line}");
                    if line.starts_with("OK ") || line.starts_with("FAIL ") || line.starts_with("ERROR ") {
                        p.finished = Some(line);
                    }
                }
            }
        })
    };

    kill_under_producer(&mut b, &proxy, topic, &progress, who);
    let status = wait_for(Duration::from_secs(300), || child.try_wait().expect("wait")).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("{who} producer still running after 300 s")
    });
    reader.join().expect("stdout reader");
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let tail: String = stderr.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
    let p = progress.lock().unwrap();
    assert!(
        status.success(),
        "{who} producer: {status}, {:?}, {} failures, first {:?}\nstderr (tail):\n{tail}",
        p.finished,
        p.failures.len(),
        p.failures.iter().take(10).collect::<Vec<_>>(),
    );
    let log = read_everything(&b.bootstrap(), topic);
    verify(who, &p.acks, &log);
    assert_duplicates_answered(&b, who);
    let config = config.lock().unwrap().clone();
    config
}

/// Asserts the CONFIG line has every `key=value` of `want`.
fn assert_config(who: &str, config: &str, want: &[&str]) {
    for w in want {
        assert!(config.split(' ').any(|kv| kv == *w), "{who} producer: want {w} in {config:?}");
    }
}

/// The Java producer with its defaults, through two broker SIGKILLs and a SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_default_producer_loses_and_duplicates_nothing_across_sigkills() {
    let libs = kaskade_testkit::cache().join("kafka-4.4.0/libs");
    assert!(libs.exists(), "{} is missing: run e2e/peers/install.sh", libs.display());
    let mut cmd = Command::new("java");
    cmd.args(["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp"])
        .arg(format!("{}/*", libs.display()))
        .arg(repo_root().join("e2e/interop/java/IdempotentProducer.java"));
    let config = program_across_restarts("java", "idem-crash-java", cmd).await;
    // The client's own defaults are what was tested.
    assert_config(
        "java",
        &config,
        &["enable.idempotence=true", "acks=-1", "retries=2147483647", "max.in.flight=5"],
    );
}

fn python(client: &str) -> Command {
    let py = kaskade_testkit::cache().join("venv/bin/python");
    assert!(py.exists(), "{} is missing: run e2e/peers/install.sh", py.display());
    let mut cmd = Command::new(py);
    cmd.arg(repo_root().join("e2e/interop/python/idempotent_producer.py"))
        .args(["--client", client]);
    cmd
}

/// kafka-python's idempotent producer (pure Python, its own protocol code).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_idempotent_producer_loses_and_duplicates_nothing_across_sigkills() {
    let config = program_across_restarts("kafka-python", "idem-crash-kafka-python", python("kafka-python")).await;
    assert_config("kafka-python", &config, &["enable.idempotence=true", "acks=-1"]);
}

/// confluent-kafka's idempotent producer (librdkafka 2.16, beside the crate's bundled 2.12).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confluent_kafka_idempotent_producer_loses_and_duplicates_nothing_across_sigkills() {
    program_across_restarts("confluent", "idem-crash-confluent", python("confluent")).await;
}

/// Delivery reports of the librdkafka producer, into the shared progress.
struct Reports(Shared);

impl ClientContext for Reports {}

impl ProducerContext for Reports {
    type DeliveryOpaque = Box<u64>;

    fn delivery(&self, result: &DeliveryResult<'_>, seq: Box<u64>) {
        let mut p = self.0.lock().unwrap();
        match result {
            Ok(m) => p.acks.push((m.partition(), m.offset(), *seq)),
            Err((e, m)) => p.failures.push(format!("seq={seq} p={} error={e}", m.partition())),
        }
    }
}

/// An idempotent librdkafka producer, through two broker SIGKILLs and a SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rdkafka_idempotent_producer_loses_and_duplicates_nothing_across_sigkills() {
    let topic = "idem-crash-rdkafka";
    let (mut b, proxy) = broker_behind_proxy(topic).await;

    let progress: Shared = Arc::default();
    let producer: ThreadedProducer<Reports> = ClientConfig::new()
        .set("bootstrap.servers", proxy.bootstrap())
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create_with_context(Reports(progress.clone()))
        .expect("producer");
    let sender = {
        let progress = progress.clone();
        let topic = topic.to_string();
        std::thread::spawn(move || {
            let padding = "x".repeat(PAD);
            let start = Instant::now();
            for seq in 0..COUNT {
                let due = start + Duration::from_nanos(seq * 1_000_000_000 / RATE);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let value = format!("{seq}|{padding}");
                let mut record = BaseRecord::<(), _, _>::with_opaque_to(&topic, Box::new(seq))
                    .partition((seq % PARTITIONS as u64) as i32)
                    .payload(&value);
                // A full local queue (the broker is down): wait and offer the record again.
                loop {
                    match producer.send(record) {
                        Ok(()) => break,
                        Err((rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull), r)) => {
                            record = r;
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        Err((e, _)) => panic!("send seq {seq}: {e}"),
                    }
                }
            }
            let flushed = producer.flush(Duration::from_secs(240));
            progress.lock().unwrap().finished = Some(format!("flush: {flushed:?}"));
            flushed
        })
    };

    kill_under_producer(&mut b, &proxy, topic, &progress, "rdkafka");
    sender
        .join()
        .expect("sender")
        .expect("every record delivered within 240 s of the last send");
    let p = progress.lock().unwrap();
    assert!(
        p.failures.is_empty(),
        "rdkafka: {} sends failed, first: {:?}",
        p.failures.len(),
        &p.failures[..p.failures.len().min(10)]
    );
    let log = read_everything(&b.bootstrap(), topic);
    verify("rdkafka", &p.acks, &log);
    assert_duplicates_answered(&b, "rdkafka");
}
