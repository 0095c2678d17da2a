//! Log compaction: both brokers compact the same records into the same batches.

use super::*;

/// A stored batch as a consumer sees it: (base offset, last offset delta, record count,
/// attributes, raw bytes) and its records (offset, key, value, timestamp).
type FetchedBatch = ((i64, i32, i32, i16, Bytes), Vec<(i64, Option<Bytes>, Option<Bytes>, i64)>);

/// Every batch of partition 0, fetched from offset 0 up to the high watermark (a fetch stops at
/// the end of a segment on both brokers).
fn fetch_all(client: &mut RawClient, topic: &str) -> Vec<FetchedBatch> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let r = client.call(12, &fetch_req(12, topic, None, &[(0, offset, 50 * 1024 * 1024)]));
        let p = &r.responses[0].partitions[0];
        let records = p.records.clone().unwrap_or_default();
        let records = records.slice(..whole_batches_len(&records));
        let before = out.len();
        decode_batches(&records, &mut out);
        match out.last() {
            Some(((base, delta, ..), _)) if out.len() > before => offset = base + *delta as i64 + 1,
            _ => return out,
        }
        if offset >= p.high_watermark {
            return out;
        }
    }
}

fn decode_batches(records: &Bytes, out: &mut Vec<FetchedBatch>) {
    let mut pos = 0;
    while pos < records.len() {
        let size = 12 + i32::from_be_bytes(records[pos + 8..pos + 12].try_into().unwrap()) as usize;
        let b = records.slice(pos..pos + size);
        let base = i64::from_be_bytes(b[..8].try_into().unwrap());
        let attributes = i16::from_be_bytes(b[21..23].try_into().unwrap());
        let delta = i32::from_be_bytes(b[23..27].try_into().unwrap());
        let count = i32::from_be_bytes(b[57..61].try_into().unwrap());
        let recs = if count == 0 {
            Vec::new()
        } else {
            let mut bytes = b.clone();
            let set = kafka_protocol::records::RecordBatchDecoder::decode(&mut bytes).expect("decodable batch");
            set.records.into_iter().map(|r| (r.offset, r.key, r.value, r.timestamp)).collect()
        };
        out.push(((base, delta, count, attributes, b), recs));
        pos += size;
    }
}

/// The same batches (updates of ten keys, tombstones among them, 1 MiB segments) to a compacted
/// topic on both brokers, uncompressed and gzip; once both cleaners have run, a fetch from offset
/// 0 returns the same batches (base offsets, last offset deltas, record counts) holding the same
/// records (offsets, keys, values, timestamps), and every uncompressed batch without a delete
/// horizon is byte-identical.
#[test]
fn compaction_leaves_the_same_batches_and_records() {
    let broker = BrokerProc::start(&["log.cleaner.backoff.ms=500"]);
    let mut pair = Pair {
        kafka: RawClient::connect(kafka()),
        kaskade: RawClient::connect(&broker.bootstrap()),
        _broker: broker,
    };
    let configs = [
        ("cleanup.policy", "compact"),
        ("segment.bytes", "1048576"),
        ("min.cleanable.dirty.ratio", "0.01"),
    ];
    // (topic, codec, whether an idempotent producer writes first: its records all get superseded,
    // so its last batch stays as an empty batch).
    let topics: Vec<(String, Compression, bool)> = [
        ("compacted", Compression::None, false),
        ("compacted-gzip", Compression::Gzip, false),
        ("compacted-idempotent", Compression::None, true),
    ]
    .into_iter()
    .map(|(name, c, idempotent)| (unique(name), c, idempotent))
    .collect();
    let ts = now_ms() - 600_000;
    let mut totals = Vec::new();
    for (topic, compression, idempotent) in &topics {
        pair.create(topic, 1, &configs);
        let mut total = 0;
        if *idempotent {
            let init = |c: &mut RawClient| {
                let mut r = kafka_protocol::messages::InitProducerIdRequest::default();
                r.transactional_id = None;
                r.producer_id = kafka_protocol::messages::ProducerId(-1);
                r.producer_epoch = -1;
                r.transaction_timeout_ms = 60_000;
                // Kafka answers ResponseError::CoordinatorLoadInProgress.code() until its producer-id manager is up.
                let resp = wait_for(Duration::from_secs(30), || {
                    let resp = c.call(4, &r);
                    (resp.error_code == NONE).then_some(resp)
                });
                let resp = resp.expect("InitProducerId");
                (resp.producer_id.0, resp.producer_epoch)
            };
            let (ka, kb) = (init(&mut pair.kafka), init(&mut pair.kaskade));
            for s in 0..5 {
                let batch_of = |(producer_id, epoch): (i64, i16)| {
                    let writer = kaskade_testkit::batches::Writer::Idempotent {
                        producer_id,
                        epoch,
                        first_seq: s * 4,
                    };
                    let mut recs = kaskade_testkit::batches::records(&[b"i0", b"i1", b"i2", b"i3"], ts, writer);
                    for (j, r) in recs.iter_mut().enumerate() {
                        r.key = Some(Bytes::from(format!("key-{}", (s as usize * 4 + j) % 10)));
                    }
                    kaskade_testkit::batches::encode(&recs, Compression::None)
                };
                let (a, b) = pair.each(
                    9,
                    &produce_req(topic, 0, batch_of(ka), -1),
                    &produce_req(topic, 0, batch_of(kb), -1),
                );
                assert_eq!(a.responses[0].partition_responses[0].error_code, NONE);
                assert_eq!(b.responses[0].partition_responses[0].error_code, NONE);
                total += 4;
            }
        }
        for i in 0..400i64 {
            let mut recs = kaskade_testkit::batches::records(&[b"", b"", b"", b""], ts + i * 4, kaskade_testkit::batches::Writer::Plain);
            for (j, r) in recs.iter_mut().enumerate() {
                let n = i * 4 + j as i64;
                r.key = Some(Bytes::from(format!("key-{}", n % 10)));
                // Values that compress poorly (pseudo-random hex), so the gzip topic rolls too.
                let mut state = n as u64;
                let mut v = format!("{n}-");
                for _ in 0..128 {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    v.push_str(&format!("{state:016x}"));
                }
                r.value = (n % 37 != 5).then(|| Bytes::from(v));
            }
            pair.produce(topic, 0, kaskade_testkit::batches::encode(&recs, *compression));
            total += 4;
        }
        totals.push(total);
    }
    for ((topic, compression, _), total) in topics.iter().zip(totals) {
        // Each cleaner may have run while the topic was still being written (cleaning what was
        // sealed then) and runs again later: Kafka's looks every 15 s (log.cleaner.backoff.ms).
        // Both end at the same log.
        let count = |x: &Vec<FetchedBatch>| x.iter().map(|(_, r)| r.len()).sum::<usize>();
        let shape = |x: &Vec<FetchedBatch>| x.iter().map(|((o, d, c, _, _), _)| (*o, *d, *c)).collect::<Vec<_>>();
        let records = |x: &Vec<FetchedBatch>| x.iter().flat_map(|(_, r)| r.clone()).collect::<Vec<_>>();
        let mut answers = None;
        let cleaned = wait_for(Duration::from_secs(120), || {
            let a = fetch_all(&mut pair.kafka, topic);
            let b = fetch_all(&mut pair.kaskade, topic);
            let done = count(&a) < total && records(&a) == records(&b);
            answers = Some((a, b));
            if !done {
                std::thread::sleep(Duration::from_millis(500));
            }
            done.then_some(())
        });
        let (a, b) = answers.expect("fetched");
        assert!(
            cleaned.is_some(),
            "{topic}: the compacted logs differ: Kafka {} records in {} batches, Kaskade {} in {}",
            count(&a),
            a.len(),
            count(&b),
            b.len()
        );
        assert_eq!(shape(&b), shape(&a), "{topic}: batch boundaries");
        // Uncompressed batches without a delete horizon (whose time is each broker's own clock)
        // are byte-identical; recompressed ones hold the same records.
        // Producer ids are each broker's own: compared with the id and the CRC masked.
        for (((o, _, _, attributes, kafka_bytes), _), ((_, _, _, _, kaskade_bytes), _)) in a.iter().zip(&b) {
            if attributes & 0x40 == 0 && matches!(compression, Compression::None) {
                let mask = |b: &Bytes| {
                    let mut v = b.to_vec();
                    if i64::from_be_bytes(v[43..51].try_into().unwrap()) >= 0 {
                        v[17..21].fill(0);
                        v[43..51].fill(0);
                    }
                    v
                };
                assert_eq!(mask(kaskade_bytes), mask(kafka_bytes), "{topic}: batch at offset {o} byte for byte");
            }
        }
        if topic.ends_with("idempotent") {
            assert_eq!(
                shape(&a).first().map(|s| s.2),
                Some(0),
                "{topic}: the producer's last batch kept empty"
            );
        }
    }
}
