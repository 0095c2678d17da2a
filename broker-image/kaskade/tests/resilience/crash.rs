//! Durability: a producer with acks=all streams records while the broker is killed with
//! SIGKILL several times and restarted on the same log directory. Every acknowledged record
//! must be present exactly once, at the offset it was acknowledged with. A second test tears
//! the tail of the active segment by hand (a half-written batch and garbage) and checks the
//! restarted broker truncates it and carries on at the right offset.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::time::{Duration, Instant};

use kaskade_testkit::BrokerProc;
use rdkafka::config::ClientConfig;

use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

const TOPIC: &str = "durable";
const PARTITIONS: i32 = 2;

fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "false")
        // One attempt per record: a record is either acknowledged once or not at all, so any
        // copy in the log beyond its acknowledged offset would be the broker's fault.
        .set("message.send.max.retries", "0")
        .set("message.timeout.ms", "5000")
        .set("linger.ms", "2")
        .create()
        .expect("producer")
}

/// Produces `rec-{n}` records until `for_how_long` passes; returns acknowledged (id → (partition, offset)).
async fn produce_for(bootstrap: &str, first_id: u64, for_how_long: Duration, acked: &mut HashMap<u64, (i32, i64)>) -> u64 {
    produce_padded(bootstrap, first_id, for_how_long, 0, acked).await
}

/// Like `produce_for`, each value padded with `pad` bytes after a `|` (bigger batches).
async fn produce_padded(bootstrap: &str, first_id: u64, for_how_long: Duration, pad: usize, acked: &mut HashMap<u64, (i32, i64)>) -> u64 {
    let padding = "x".repeat(pad);
    let p = producer(bootstrap);
    let start = Instant::now();
    let mut id = first_id;
    let mut pending = Vec::new();
    while start.elapsed() < for_how_long {
        for _ in 0..50 {
            let payload = if pad > 0 {
                format!("rec-{id}|{padding}")
            } else {
                format!("rec-{id}")
            };
            let key = id.to_string();
            let fut = p.send_result(
                FutureRecord::to(TOPIC)
                    .partition((id % PARTITIONS as u64) as i32)
                    .key(&key)
                    .payload(&payload),
            );
            if let Ok(f) = fut {
                pending.push((id, f));
            }
            id += 1;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        // Bound what is in flight: settle the oldest half now and then.
        if pending.len() > 5000 {
            for (i, f) in pending.drain(..2500) {
                if let Ok(Ok(d)) = f.await {
                    acked.insert(i, (d.partition, d.offset));
                }
            }
        }
    }
    for (i, f) in pending {
        if let Ok(Ok(d)) = f.await {
            acked.insert(i, (d.partition, d.offset));
        }
    }
    id
}

fn read_everything(bootstrap: &str) -> BTreeMap<(i32, i64), String> {
    let consumer = kaskade_testkit::clients::assigned_consumer(bootstrap, TOPIC, PARTITIONS, &[("enable.partition.eof", "true")]);
    let mut out = BTreeMap::new();
    let mut eof = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while eof.len() < PARTITIONS as usize {
        assert!(Instant::now() < deadline, "reading back timed out");
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let v = String::from_utf8(m.payload().expect("payload").to_vec()).expect("utf8");
                let v = v.split('|').next().unwrap_or_default().to_string();
                out.insert((m.partition(), m.offset()), v);
            }
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(p))) => {
                eof.insert(p);
            }
            Some(Err(e)) => panic!("consume: {e}"),
            None => {}
        }
    }
    out
}

fn verify(acked: &HashMap<u64, (i32, i64)>, log: &BTreeMap<(i32, i64), String>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for v in log.values() {
        *seen.entry(v.as_str()).or_default() += 1;
    }
    for (id, at) in acked {
        let expect = format!("rec-{id}");
        assert_eq!(log.get(at), Some(&expect), "acknowledged record {id} missing at {at:?}");
        assert_eq!(seen.get(expect.as_str()), Some(&1), "record {id} stored more than once");
    }
    // Offsets are dense in every partition.
    for p in 0..PARTITIONS {
        let offs: Vec<i64> = log.keys().filter(|(q, _)| *q == p).map(|(_, o)| *o).collect();
        assert_eq!(offs, (0..offs.len() as i64).collect::<Vec<_>>(), "partition {p} has gaps");
    }
}

async fn create_topic(bootstrap: &str) {
    kaskade_testkit::clients::create_topic(bootstrap, TOPIC, PARTITIONS, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_records_survive_sigkill() {
    // Small segments so kills land around rolls too.
    let mut b = BrokerProc::start(&["log.segment.bytes=65536"]);
    create_topic(&b.bootstrap()).await;
    let mut acked = HashMap::new();
    let mut next = 0;
    for round in 0..4u64 {
        let bootstrap = b.bootstrap();
        let pid = b.pid().expect("running");
        // Kill while the producer is mid-stream.
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700 + 150 * round));
            kaskade_testkit::send_signal(pid as i32, 9);
        });
        next = produce_for(&bootstrap, next, Duration::from_millis(1500), &mut acked).await;
        killer.join().expect("killer");
        b.kill9();
        b.spawn();
        assert!(!b.logs().contains("clean_shutdown=true"), "a SIGKILLed broker must not look clean");
    }
    next = produce_for(&b.bootstrap(), next, Duration::from_millis(300), &mut acked).await;
    assert!(acked.len() > 500, "only {} records acknowledged out of {next}", acked.len());
    let log = read_everything(&b.bootstrap());
    verify(&acked, &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_tail_is_truncated_on_restart() {
    let mut b = BrokerProc::start(&[]);
    create_topic(&b.bootstrap()).await;
    let mut acked = HashMap::new();
    // Several MiB in 2 KiB records: recovery scans batches across its 1 MiB read chunks.
    let next = produce_padded(&b.bootstrap(), 0, Duration::from_millis(1500), 2048, &mut acked).await;
    let bytes: u64 = std::fs::read_dir(b.log_dir().join(format!("{TOPIC}-0")))
        .expect("dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    assert!(bytes > 3 << 20, "only {bytes} bytes written");
    b.kill9();
    // Tear partition 0's active segment: half a batch header plus garbage.
    let dir = b.log_dir().join(format!("{TOPIC}-0"));
    let mut segs: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    segs.sort();
    let active = segs.last().expect("a segment");
    let before = std::fs::metadata(active).expect("meta").len();
    let mut f = std::fs::OpenOptions::new().append(true).open(active).expect("open segment");
    let end_offset = acked.values().filter(|(p, _)| *p == 0).map(|(_, o)| o + 1).max().unwrap_or(0);
    let mut torn = Vec::new();
    torn.extend_from_slice(&end_offset.to_be_bytes());
    torn.extend_from_slice(&500i32.to_be_bytes());
    torn.extend_from_slice(&[0xAB; 40]);
    f.write_all(&torn).expect("tear");
    drop(f);
    b.spawn();
    assert!(b.logs().contains("truncated"), "recovery reports the truncation:\n{}", b.logs());
    assert_eq!(std::fs::metadata(active).expect("meta").len(), before, "the torn bytes are gone");
    produce_for(&b.bootstrap(), next, Duration::from_millis(300), &mut acked).await;
    let log = read_everything(&b.bootstrap());
    verify(&acked, &log);
}
