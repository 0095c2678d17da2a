//! librdkafka (the `rdkafka` crate) against the real `kaskade broker` process: every compression
//! codec, keys, headers and null values, many partitions, large batches, timestamps — records
//! read back byte for byte at the offsets the producer was told.

use std::collections::BTreeMap;
use std::time::Duration;

use kaskade_testkit::BrokerProc;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

/// One record as produced and as it must be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rec {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
    timestamp: i64,
}

fn records(n: usize, seed: u64) -> Vec<Rec> {
    let base_ts = 1_700_000_000_000i64;
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let key = if i % 7 == 3 { None } else { Some(format!("key-{i}").into_bytes()) };
            let value = match i % 11 {
                0 => None,
                1 => Some(Vec::new()),
                2 => Some((0..=255u8).collect()),                                      // every byte value
                3 if i % 33 == 3 => Some((0..200_000).map(|_| rnd() as u8).collect()), // large
                _ => Some((0..(rnd() % 2000) as usize).map(|_| rnd() as u8).collect()),
            };
            let headers = match i % 4 {
                0 => vec![],
                1 => vec![("h".to_string(), Some(b"v".to_vec()))],
                2 => vec![
                    ("dup".into(), Some(b"1".to_vec())),
                    ("dup".into(), Some(b"2".to_vec())),
                    ("null".into(), None),
                ],
                _ => vec![("utf8-ключ".into(), Some("значение ✓".as_bytes().to_vec()))],
            };
            Rec {
                key,
                value,
                headers,
                timestamp: base_ts + i as i64,
            }
        })
        .collect()
}

async fn create_topic(bootstrap: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    kaskade_testkit::clients::create_topic(bootstrap, name, partitions, configs).await;
}

fn producer(bootstrap: &str, codec: &str, extra: &[(&str, &str)]) -> FutureProducer {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        .set("compression.codec", codec)
        .set("acks", "all")
        .set("enable.idempotence", "false")
        .set("linger.ms", "5");
    for (k, v) in extra {
        c.set(*k, *v);
    }
    c.create().expect("producer")
}

/// Produces every record to partition `i % partitions`; returns (partition, offset) per record.
async fn produce_all(p: &FutureProducer, topic: &str, recs: &[Rec], partitions: i32) -> Vec<(i32, i64)> {
    let futures: Vec<_> = recs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut headers = OwnedHeaders::new();
            for (k, v) in &r.headers {
                headers = headers.insert(Header {
                    key: k,
                    value: v.as_deref(),
                });
            }
            let mut fr: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(topic)
                .partition(i as i32 % partitions)
                .timestamp(r.timestamp)
                .headers(headers);
            if let Some(k) = &r.key {
                fr = fr.key(k.as_slice());
            }
            if let Some(v) = &r.value {
                fr = fr.payload(v.as_slice());
            }
            p.send_result(fr).map_err(|(e, _)| e).expect("enqueue")
        })
        .collect();
    let mut out = Vec::new();
    for f in futures {
        let d = f.await.expect("delivery future").map_err(|(e, _)| e).expect("delivered");
        out.push((d.partition, d.offset));
    }
    out
}

/// Reads `count` records from all partitions by assignment from the beginning.
fn consume_all(bootstrap: &str, topic: &str, partitions: i32, count: usize) -> BTreeMap<(i32, i64), Rec> {
    let consumer = kaskade_testkit::clients::assigned_consumer(
        bootstrap,
        topic,
        partitions,
        &[("enable.auto.offset.store", "false"), ("fetch.message.max.bytes", "100000")],
    );
    let mut got = BTreeMap::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while got.len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {count} records consumed",
            got.len()
        );
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                let headers = m
                    .headers()
                    .map(|h| h.iter().map(|h| (h.key.to_string(), h.value.map(|v| v.to_vec()))).collect())
                    .unwrap_or_default();
                let rec = Rec {
                    key: m.key().map(|k| k.to_vec()),
                    value: m.payload().map(|v| v.to_vec()),
                    headers,
                    timestamp: m.timestamp().to_millis().expect("timestamp"),
                };
                assert!(got.insert((m.partition(), m.offset()), rec).is_none(), "duplicate offset");
            }
            Some(Err(e)) => panic!("consume error: {e}"),
            None => {}
        }
    }
    got
}

async fn round_trip(b: &BrokerProc, topic: &str, codec: &str, partitions: i32, n: usize) {
    create_topic(&b.bootstrap(), topic, partitions, &[]).await;
    let recs = records(n, codec.len() as u64);
    let p = producer(&b.bootstrap(), codec, &[]);
    let offsets = produce_all(&p, topic, &recs, partitions).await;
    let got = consume_all(&b.bootstrap(), topic, partitions, n);
    for (i, (r, at)) in recs.iter().zip(&offsets).enumerate() {
        let read = got
            .get(at)
            .unwrap_or_else(|| panic!("record {i} at {at:?} not read back ({codec})"));
        assert_eq!(read, r, "record {i} at {at:?} differs ({codec})");
    }
    // Offsets per partition are dense from 0.
    for part in 0..partitions {
        let offs: Vec<i64> = got.keys().filter(|(p, _)| *p == part).map(|(_, o)| *o).collect();
        assert_eq!(offs, (0..offs.len() as i64).collect::<Vec<_>>(), "partition {part} offsets");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_codec_round_trips_byte_for_byte() {
    let b = BrokerProc::start(&[]);
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        round_trip(&b, &format!("codec-{codec}"), codec, 3, 300).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_partitions() {
    let b = BrokerProc::start(&[]);
    round_trip(&b, "wide", "lz4", 64, 640).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_batches_and_small_segments() {
    // Small segments make the log roll many times under the consumer.
    let b = BrokerProc::start(&["log.segment.bytes=1048576"]);
    create_topic(&b.bootstrap(), "big", 2, &[]).await;
    let recs: Vec<Rec> = (0..400)
        .map(|i| Rec {
            key: Some(vec![i as u8]),
            value: Some(vec![(i % 251) as u8; 60_000]),
            headers: vec![],
            timestamp: 1_700_000_000_000 + i,
        })
        .collect();
    let p = producer(&b.bootstrap(), "none", &[("linger.ms", "50"), ("batch.size", "1000000")]);
    let offsets = produce_all(&p, "big", &recs, 2).await;
    let got = consume_all(&b.bootstrap(), "big", 2, recs.len());
    for (r, at) in recs.iter().zip(&offsets) {
        assert_eq!(got.get(at), Some(r));
    }
    let segments = std::fs::read_dir(b.log_dir().join("big-0"))
        .expect("partition dir")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "log")))
        .count();
    assert!(segments > 3, "expected the log to roll, found {segments} segments");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_for_times_and_watermarks() {
    let b = BrokerProc::start(&[]);
    create_topic(&b.bootstrap(), "times", 1, &[]).await;
    let recs = records(100, 7);
    let p = producer(&b.bootstrap(), "zstd", &[]);
    produce_all(&p, "times", &recs, 1).await;
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", b.bootstrap())
        .create()
        .expect("consumer");
    let (lo, hi) = consumer.fetch_watermarks("times", 0, Duration::from_secs(10)).expect("watermarks");
    assert_eq!((lo, hi), (0, 100));
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset("times", 0, Offset::Offset(recs[42].timestamp))
        .expect("tpl");
    let found = consumer.offsets_for_times(tpl, Duration::from_secs(10)).expect("offsets_for_times");
    assert_eq!(found.find_partition("times", 0).expect("partition").offset(), Offset::Offset(42));
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset("times", 0, Offset::Offset(recs[99].timestamp + 1))
        .expect("tpl");
    let found = consumer.offsets_for_times(tpl, Duration::from_secs(10)).expect("offsets_for_times");
    assert_eq!(
        found.find_partition("times", 0).expect("partition").offset(),
        Offset::End,
        "past the last record"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_created_topic_and_restart_keeps_everything() {
    let mut b = BrokerProc::start(&["num.partitions=2"]);
    let recs = records(200, 3);
    let p = producer(&b.bootstrap(), "snappy", &[]);
    let offsets = produce_all(&p, "auto", &recs, 2).await;
    drop(p);
    assert!(b.terminate().success(), "SIGTERM exits 0");
    b.spawn();
    let got = consume_all(&b.bootstrap(), "auto", 2, recs.len());
    for (r, at) in recs.iter().zip(&offsets) {
        assert_eq!(got.get(at), Some(r));
    }
    assert!(
        b.logs().contains("clean_shutdown=true"),
        "restart after SIGTERM is clean:\n{}",
        b.logs()
    );
}
