//! What the bounded walk costs beside the decode it guards, on real clients' requests (the fuzz
//! corpus): for each API, the time to walk a frame with `kaskade_wire::check_request` and the
//! time for `kafka-protocol` to decode the same frame's header and body, measured in the same
//! run. `e2e/bench/walk_cost.sh` runs it in release and BENCHMARKS.md holds the figures.
//!
//!     cargo run --release -p kaskade-wire --example walk_cost -- fuzz/corpus/request_frame [ROUNDS]

use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind};
use kafka_protocol::protocol::Decodable;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "fuzz/corpus/request_frame".into());
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(20_000);
    let mut frames: Vec<(ApiKey, i16, Bytes)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let frame = Bytes::from(std::fs::read(entry.expect("entry").path()).expect("read"));
        let Ok(walked) = kaskade_wire::check_request(&frame) else {
            continue;
        };
        let Ok(api) = ApiKey::try_from(walked.api_key) else { continue };
        // Only frames kafka-protocol decodes too (it lacks a few newer versions).
        if decode(api, walked.api_version, walked.header_version, &frame).is_some() {
            frames.push((api, walked.api_version, frame));
        }
    }
    let mut per_api: BTreeMap<String, (usize, u128, u128, usize)> = BTreeMap::new();
    let (mut walk_total, mut decode_total) = (0u128, 0u128);
    for (api, version, frame) in &frames {
        let header_version = api.request_header_version(*version);
        let started = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(kaskade_wire::check_request(std::hint::black_box(frame)).is_ok());
        }
        let walk = started.elapsed().as_nanos();
        let started = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(decode(*api, *version, header_version, std::hint::black_box(frame)));
        }
        let dec = started.elapsed().as_nanos();
        let e = per_api.entry(format!("{api:?}")).or_default();
        *e = (e.0 + 1, e.1 + walk, e.2 + dec, e.3 + frame.len());
        walk_total += walk;
        decode_total += dec;
    }
    println!("| API | frames | mean bytes | walk, ns/frame | decode, ns/frame | walk / decode |");
    println!("|---|---|---|---|---|---|");
    for (api, (n, walk, dec, bytes)) in &per_api {
        let per = |t: &u128| *t as f64 / (*n as f64 * f64::from(rounds));
        println!(
            "| {api} | {n} | {} | {:.0} | {:.0} | {:.0}% |",
            bytes / n,
            per(walk),
            per(dec),
            100.0 * *walk as f64 / *dec as f64
        );
    }
    println!(
        "| all | {} | | {:.0} | {:.0} | {:.0}% |",
        frames.len(),
        walk_total as f64 / (frames.len() as f64 * f64::from(rounds)),
        decode_total as f64 / (frames.len() as f64 * f64::from(rounds)),
        100.0 * walk_total as f64 / decode_total as f64
    );
}

/// `kafka-protocol`'s decode of a whole request frame: header, then body.
fn decode(api: ApiKey, version: i16, header_version: i16, frame: &Bytes) -> Option<RequestKind> {
    let mut b = frame.clone();
    RequestHeader::decode(&mut b, header_version).ok()?;
    RequestKind::decode(api, &mut b, version).ok()
}
