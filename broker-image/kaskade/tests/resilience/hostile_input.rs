//! Untrusted input never takes the broker down. A running `kaskade broker` receives 100,000
//! malformed and mutated frames from several connections at once: mutations of real requests
//! (the committed fuzz corpus, captured from the Java client, librdkafka, kafka-python, kafkajs
//! and Kafka's tools), random bodies under valid headers, truncated frames, huge declared
//! lengths and sizes, and the 19-byte Metadata frame that used to abort it. Meanwhile a bystander
//! producer and consumer keep working. The broker never dies, its peak RSS (VmHWM) stays under
//! 100 MB, and the bystander reads back every record it produced.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ProduceRequest, RequestHeader};
use kafka_protocol::protocol::Decodable;
use kaskade_testkit::bystander::Bystander;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::BrokerProc;

const FRAMES: u64 = 100_000;
const SENDERS: u64 = 4;
const RSS_LIMIT_KB: u64 = 100 * 1024;

/// Requests that change what the broker holds (topics, partitions, configs, groups): a mutated
/// one could create thousands of partitions or delete the bystander's topic, which is the admin
/// API working, not malformed input. Kafka guards them with ACLs, which a test broker has none
/// of; they are left out of the mutation seeds and the random headers.
const ADMIN_WRITES: &[i16] = &[19, 20, 21, 33, 37, 42, 44, 47];

/// SplitMix64: reproducible frames from the seed printed at the start.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn corpus_dir() -> PathBuf {
    kaskade_testkit::repo_root().join("fuzz/corpus/request_frame")
}

/// The committed real-client request frames (without size prefix), admin writes left out.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("fuzz/corpus/request_frame") {
        let frame = std::fs::read(entry.expect("entry").path()).expect("read seed");
        let key = i16::from_be_bytes([frame[0], frame[1]]);
        if !ADMIN_WRITES.contains(&key) {
            out.push(frame);
        }
    }
    assert!(out.len() > 50, "the corpus holds real requests ({} here)", out.len());
    out
}

/// The topics the seed Produce requests write to: created, so mutated produces reach the
/// batch validation, the append and (for the compacted ones) the keyless check.
fn produce_topics(seeds: &[Vec<u8>]) -> Vec<String> {
    let mut topics = Vec::new();
    for frame in seeds {
        let key = i16::from_be_bytes([frame[0], frame[1]]);
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        if key != ApiKey::Produce as i16 {
            continue;
        }
        let mut b = Bytes::copy_from_slice(frame);
        let header_version = ApiKey::Produce.request_header_version(version);
        RequestHeader::decode(&mut b, header_version).expect("seed header");
        let req = ProduceRequest::decode(&mut b, version).expect("seed produce");
        for t in req.topic_data {
            let name = t.name.to_string();
            if !name.is_empty() && !topics.contains(&name) {
                topics.push(name);
            }
        }
    }
    topics
}

fn with_size(body: &[u8]) -> Vec<u8> {
    let mut f = (body.len() as i32).to_be_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

/// One hostile frame, size prefix included, and whether to hang up right after sending it.
fn hostile_frame(rng: &mut Rng, seeds: &[Vec<u8>]) -> (Vec<u8>, bool) {
    const HUGE: [[u8; 4]; 4] = [[0x7f, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0], [0, 0x10, 0, 0]];
    match rng.below(12) {
        // A real request, mutated 1-4 times.
        0..=5 => {
            let mut f = seeds[rng.below(seeds.len())].clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(f.len());
                match rng.below(8) {
                    0 => f[at] ^= 1 << rng.below(8),
                    1 => f[at] = rng.next() as u8,
                    2 => f[at] = [0x00, 0xff, 0x7f, 0x80][rng.below(4)],
                    3 if at + 4 <= f.len() => f[at..at + 4].copy_from_slice(&HUGE[rng.below(4)]),
                    4 if at + 2 <= f.len() => f[at..at + 2].copy_from_slice(&[0x7f, 0xff]),
                    5 => {
                        let n = 1 + rng.below(64);
                        let extra = rng.bytes(n);
                        f.splice(at..at, extra);
                    }
                    6 => {
                        let end = (at + 1 + rng.below(32)).min(f.len());
                        f.drain(at..end);
                    }
                    _ => {
                        let other = &seeds[rng.below(seeds.len())];
                        let from = rng.below(other.len());
                        f.truncate(at);
                        f.extend_from_slice(&other[from..]);
                    }
                }
                if f.len() < 8 {
                    break;
                }
            }
            (with_size(&f), false)
        }
        // A valid header of a real API and version, then random bytes.
        6 | 7 => {
            let mut key = rng.below(76) as i16;
            if ADMIN_WRITES.contains(&key) {
                key = 3;
            }
            let mut f = key.to_be_bytes().to_vec();
            f.extend_from_slice(&(rng.below(19) as i16).to_be_bytes());
            f.extend_from_slice(&(rng.next() as i32).to_be_bytes());
            f.extend_from_slice(&[0, 1, b'h']);
            let n = rng.below(512);
            f.extend(rng.bytes(n));
            (with_size(&f), false)
        }
        // Truncated: the size promises more than is sent before hanging up.
        8 => {
            let f = &seeds[rng.below(seeds.len())];
            let mut framed = with_size(f);
            framed.truncate(4 + rng.below(f.len()));
            (framed, true)
        }
        // A size prefix that is negative or above socket.request.max.bytes.
        9 => {
            let mut f = HUGE[rng.below(3)].to_vec();
            let n = rng.below(16);
            f.extend(rng.bytes(n));
            (f, false)
        }
        // A size prefix that lies a little about a real request.
        10 => {
            let f = &seeds[rng.below(seeds.len())];
            let mut framed = with_size(f);
            let size = (f.len() as i32 + rng.below(9) as i32 - 4).max(0);
            framed[..4].copy_from_slice(&size.to_be_bytes());
            (framed, false)
        }
        // The 19 bytes that used to abort the broker.
        _ => (
            vec![0, 0, 0, 0x0f, 0, 3, 0, 1, 0, 0, 0, 1, 0, 1, b'x', 0x7f, 0xff, 0xff, 0xff],
            false,
        ),
    }
}

/// Reads whatever the broker answered so far; `false` once it closed the connection.
fn drain(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64 << 10];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return false,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(_) => return false,
        }
    }
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_nonblocking(false).expect("blocking");
    s.set_write_timeout(Some(Duration::from_secs(5))).expect("write timeout");
    s.set_read_timeout(Some(Duration::from_millis(1))).expect("read timeout");
    s
}

/// Sends `count` hostile frames over one connection at a time, reconnecting whenever the broker
/// closes it (as it must after a malformed frame). Returns the connections it used.
fn send_hostile(addr: &str, seed: u64, count: u64, seeds: &[Vec<u8>], sent: &AtomicU64) -> u64 {
    let mut rng = Rng(seed);
    let mut conn: Option<TcpStream> = None;
    let mut connections = 0;
    for _ in 0..count {
        let (frame, hang_up) = hostile_frame(&mut rng, seeds);
        let s = conn.get_or_insert_with(|| {
            connections += 1;
            connect(addr)
        });
        let ok = s.write_all(&frame).is_ok();
        sent.fetch_add(1, Ordering::Relaxed);
        let open = ok && drain(s) && !hang_up;
        if !open {
            conn = None;
        }
    }
    connections
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_hundred_thousand_hostile_frames_leave_the_broker_and_its_clients_unharmed() {
    let seeds = seeds();
    let mut b = BrokerProc::start(&["auto.create.topics.enable=false", "group.initial.rebalance.delay.ms=0"]);
    let pid = b.pid().expect("pid");
    let mut admin = RawClient::connect(&b.bootstrap());
    admin.create_topic("bystander", 1, &[]);
    for (i, t) in produce_topics(&seeds).iter().enumerate() {
        let policy = if i % 2 == 0 { "delete" } else { "compact" };
        admin.create_topic(t, 2, &[("cleanup.policy", policy)]);
    }
    let by = Bystander::start(b.bootstrap());
    by.assert_progress("start");

    // A new seed each run (printed); KASKADE_HOSTILE_SEED=0x… replays one.
    let seed = std::env::var("KASKADE_HOSTILE_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or_else(|| {
            0x5eed_0000_0000_0000
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
        });
    eprintln!(
        "hostile frames: seed {seed:#x} ({SENDERS} senders × {} frames; KASKADE_HOSTILE_SEED={seed:#x} replays them)",
        FRAMES / SENDERS
    );
    let sent = Arc::new(AtomicU64::new(0));
    let seeds = Arc::new(seeds);
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|i| {
            let (addr, seeds, sent) = (b.bootstrap(), Arc::clone(&seeds), Arc::clone(&sent));
            std::thread::spawn(move || send_hostile(&addr, seed.wrapping_add(i), FRAMES / SENDERS, &seeds, &sent))
        })
        .collect();
    // Watch the broker while it is under attack.
    let mut peak_rss = 0;
    while senders.iter().any(|s| !s.is_finished()) {
        peak_rss = peak_rss.max(rss_kb(pid, "VmRSS:"));
        std::thread::sleep(Duration::from_millis(100));
    }
    let connections: u64 = senders.into_iter().map(|s| s.join().expect("sender")).sum();
    let took = started.elapsed();
    by.assert_progress("100,000 hostile frames");
    let (produced, consumed) = by.finish();
    let hwm = rss_kb(pid, "VmHWM:");
    eprintln!(
        "{} frames over {connections} connections in {:.1}s; broker peak RSS {} KB (sampled {} KB); bystander {produced} records",
        sent.load(Ordering::Relaxed),
        took.as_secs_f64(),
        hwm,
        peak_rss
    );
    assert_eq!(sent.load(Ordering::Relaxed), FRAMES);
    let exited = b.child.as_mut().expect("broker child").try_wait().expect("wait");
    assert!(exited.is_none(), "the broker is alive (it exited: {exited:?})");
    assert!(hwm > 0 && hwm < RSS_LIMIT_KB, "peak RSS {hwm} KB, limit {RSS_LIMIT_KB} KB");
    assert!(produced >= 10, "the bystander kept producing ({produced})");
    assert_eq!(consumed, produced, "the bystander read back every record it produced");
    // Still answering, and what it logged says why connections were closed.
    let mut c = RawClient::connect(&b.bootstrap());
    let mut all_topics = kafka_protocol::messages::MetadataRequest::default();
    all_topics.topics = None;
    let md = c.call(12, &all_topics);
    assert!(md
        .topics
        .iter()
        .any(|t| t.name.as_ref().is_some_and(|n| n.to_string() == "bystander")));
    assert!(
        b.logs().contains("tried to allocate a collection of size 2147483647"),
        "the 19-byte frame was refused by the walk"
    );
}
