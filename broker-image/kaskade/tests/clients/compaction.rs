//! Log compaction end to end, with a real `kaskade broker` and librdkafka clients: an
//! idempotent producer writes many updates of a few keys (and tombstones) to a compacted topic
//! with 1 MiB segments; the background cleaner (short backoff) compacts the sealed segments;
//! a consumer from offset 0 then sees exactly the newest value per key at its original offset
//! (the active segment untouched). A crash at each step of the segment swap (the broker's
//! `KASKADE_CLEANER_CRASH_AT` failpoint aborts the process there, as SIGKILL would) changes
//! nothing a consumer can tell: no record comes back, none that must stay is lost. Keyless
//! records are refused with INVALID_RECORD.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use kaskade_testkit::clients::{assigned_consumer, create_topic};
use kaskade_testkit::{wait_for, BrokerProc};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

type Records = Vec<(i64, String, Option<Vec<u8>>)>;

const KEYS: usize = 40;
const ROUNDS: usize = 70;
const VALUE_BYTES: usize = 1_000;

fn topic_configs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("cleanup.policy", "compact"),
        ("segment.bytes", "1048576"),
        ("min.cleanable.dirty.ratio", "0.01"),
        ("delete.retention.ms", "86400000"),
    ]
}

fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("message.timeout.ms", "30000")
        .create()
        .expect("producer")
}

/// Writes ROUNDS updates of KEYS keys with a new idempotent producer (every 7th update of a key
/// in the last rounds a tombstone); returns what was written, by offset.
async fn produce_updates(bootstrap: &str, topic: &str) -> Records {
    let p = producer(bootstrap);
    let mut pending = Vec::new();
    for round in 0..ROUNDS {
        for k in 0..KEYS {
            let key = format!("key-{k}");
            let tombstone = round > ROUNDS - 5 && (k + round) % 7 == 0;
            let value = (!tombstone).then(|| {
                let mut v = format!("{key}-round-{round}-").into_bytes();
                v.resize(VALUE_BYTES, b'.');
                v
            });
            let mut rec = FutureRecord::to(topic).partition(0).key(&key);
            if let Some(v) = &value {
                rec = rec.payload(v);
            }
            let fut = p.send_result(rec).map_err(|(e, _)| e).expect("queued");
            pending.push((key, value, fut));
        }
    }
    let mut out = Vec::new();
    for (key, value, fut) in pending {
        let d = fut.await.expect("delivered").expect("acknowledged");
        out.push((d.offset, key, value));
    }
    out.sort_by_key(|r| r.0);
    out
}

/// Everything a consumer from offset 0 reads up to the high watermark.
fn consume_all(bootstrap: &str, topic: &str) -> Records {
    let c: BaseConsumer = assigned_consumer(bootstrap, topic, 1, &[("fetch.wait.max.ms", "50")]);
    let (_, high) = c.fetch_watermarks(topic, 0, Duration::from_secs(10)).expect("watermarks");
    let mut out = Vec::new();
    let mut last = -1;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while last + 1 < high {
        assert!(std::time::Instant::now() < deadline, "consumed up to {last} of {high}");
        let Some(m) = c.poll(Duration::from_millis(200)) else {
            // Compaction may have removed the last offsets: stop once the position passed them.
            let pos = c
                .position()
                .ok()
                .and_then(|tpl| tpl.elements().first().and_then(|e| e.offset().to_raw()));
            if pos.is_some_and(|p| p >= high) {
                break;
            }
            continue;
        };
        let m = m.expect("consume");
        assert!(m.offset() > last, "offsets increase");
        last = m.offset();
        let key = String::from_utf8(m.key().expect("every record has a key").to_vec()).expect("utf8 key");
        out.push((m.offset(), key, m.payload().map(|p| p.to_vec())));
    }
    out
}

/// Base offset of the active segment: the largest `.log` file name in the partition dir.
fn active_base(dir: &Path) -> i64 {
    std::fs::read_dir(dir)
        .expect("partition dir")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".log")?.parse::<i64>().ok())
        .max()
        .expect("a segment")
}

/// What compaction must leave of `all`: below `active` each key's newest record there.
fn compacted(all: &Records, active: i64) -> Records {
    let mut latest = BTreeMap::new();
    for (o, k, _) in all.iter().filter(|r| r.0 < active) {
        latest.insert(k.clone(), *o);
    }
    all.iter()
        .filter(|(o, k, _)| *o >= active || latest.get(k) == Some(o))
        .cloned()
        .collect()
}

/// Batches with no records left in the partition's segment files.
fn empty_batches(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok()) {
        if e.path().extension().is_none_or(|x| x != "log") {
            continue;
        }
        let bytes = std::fs::read(e.path()).expect("segment");
        let mut at = 0;
        while at + 61 <= bytes.len() {
            let len = i32::from_be_bytes(bytes[at + 8..at + 12].try_into().expect("len")) as usize;
            let count = i32::from_be_bytes(bytes[at + 57..at + 61].try_into().expect("count"));
            n += usize::from(count == 0);
            at += 12 + len;
        }
    }
    n
}

fn cleaner_passes(broker: &BrokerProc, topic: &str) -> usize {
    broker
        .logs()
        .lines()
        .filter(|l| l.contains("log cleaner pass") && l.contains(topic))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_sees_the_newest_value_per_key_at_its_original_offset() {
    let broker = BrokerProc::start(&["log.cleaner.backoff.ms=200"]);
    let topic = "compacted-updates";
    create_topic(&broker.bootstrap(), topic, 1, &topic_configs()).await;
    // Two idempotent producers, one after the other: every record of the first is superseded,
    // so its last batch stays in the log as an empty batch (for its producer state) that the
    // consumer has to step over.
    let mut all = produce_updates(&broker.bootstrap(), topic).await;
    all.extend(produce_updates(&broker.bootstrap(), topic).await);
    assert_eq!(all.len(), 2 * KEYS * ROUNDS);
    let dir = broker.log_dir().join(format!("{topic}-0"));
    let active = active_base(&dir);
    assert!(active > 0, "segments rolled");
    let expected = compacted(&all, active);
    let cleaned = wait_for(Duration::from_secs(60), || {
        (cleaner_passes(&broker, topic) > 0 && consume_all(&broker.bootstrap(), topic) == expected).then_some(())
    });
    assert!(
        cleaned.is_some(),
        "not compacted as expected; broker log:\n{}",
        broker
            .logs()
            .lines()
            .filter(|l| l.contains("cleaner"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(expected.len() < all.len() / 2, "compaction removed most records");
    assert!(empty_batches(&dir) > 0, "the first producer's last batch is kept empty");
    let pass = broker
        .logs()
        .lines()
        .find(|l| l.contains("log cleaner pass"))
        .map(str::to_string)
        .unwrap_or_default();
    for metric in ["segments=", "bytes_before=", "bytes_after=", "records_removed="] {
        assert!(pass.contains(metric), "pass metrics logged: {pass}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_any_step_of_the_swap_changes_nothing_a_consumer_sees() {
    // Written with the cleaner off, then cleaned by restarts that abort mid-swap.
    let mut broker = BrokerProc::start(&["log.cleaner.enable=false"]);
    let topic = "compacted-crash";
    create_topic(&broker.bootstrap(), topic, 1, &topic_configs()).await;
    let all = produce_updates(&broker.bootstrap(), topic).await;
    let dir = broker.log_dir().join(format!("{topic}-0"));
    let expected = compacted(&all, active_base(&dir));
    let mut before = consume_all(&broker.bootstrap(), topic);
    assert_eq!(before, all);
    broker.kill9();
    broker.set_overrides(&["log.cleaner.backoff.ms=1000"]);
    for step in ["cleaned", "swap", "deleted", "installed"] {
        broker.set_env("KASKADE_CLEANER_CRASH_AT", Some(step));
        broker.spawn();
        let aborted = wait_for(Duration::from_secs(60), || {
            broker.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
        });
        assert!(aborted.is_some(), "the failpoint at {step} aborted the broker");
        broker.child = None;
        broker.set_env("KASKADE_CLEANER_CRASH_AT", None);
        broker.set_overrides(&["log.cleaner.enable=false"]);
        broker.spawn();
        let seen = consume_all(&broker.bootstrap(), topic);
        // Nothing resurrected or invented, nothing that must stay lost.
        assert!(
            seen.iter().all(|r| before.contains(r)),
            "after a crash at {step}: a record came back"
        );
        assert!(
            expected.iter().all(|r| seen.contains(r)),
            "after a crash at {step}: a record was lost"
        );
        let leftovers: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.ends_with(".cleaned") || n.ends_with(".swap") || n.ends_with(".deleted"))
            .collect();
        assert!(leftovers.is_empty(), "recovery finished or discarded the swap: {leftovers:?}");
        before = seen;
        broker.kill9();
        broker.set_overrides(&["log.cleaner.backoff.ms=1000"]);
    }
    // Without the failpoint the cleaning completes, to the same result.
    broker.spawn();
    let done = wait_for(Duration::from_secs(60), || {
        (consume_all(&broker.bootstrap(), topic) == expected).then_some(())
    });
    assert!(done.is_some(), "cleaning completes after the crashes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_records_are_refused_on_a_compacted_topic() {
    let broker = BrokerProc::start(&[]);
    create_topic(&broker.bootstrap(), "compacted-keys", 1, &[("cleanup.policy", "compact,delete")]).await;
    create_topic(&broker.bootstrap(), "plain-keys", 1, &[]).await;
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("message.timeout.ms", "10000")
        .set("compression.type", "lz4")
        .create()
        .expect("producer");
    let keyless = p
        .send(
            FutureRecord::<(), _>::to("compacted-keys").payload("no key"),
            Duration::from_secs(10),
        )
        .await;
    match keyless {
        Err((KafkaError::MessageProduction(RDKafkaErrorCode::InvalidRecord), _)) => {}
        other => panic!("expected INVALID_RECORD, got {other:?}"),
    }
    let keyed = p
        .send(FutureRecord::to("compacted-keys").key("k").payload("v"), Duration::from_secs(10))
        .await;
    assert_eq!(keyed.expect("keyed record accepted").offset, 0);
    let plain = p
        .send(FutureRecord::<(), _>::to("plain-keys").payload("no key"), Duration::from_secs(10))
        .await;
    assert!(plain.is_ok(), "keyless records are fine elsewhere");
}
