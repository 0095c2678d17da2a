//! Produce: offsets across versions, errors, keyless records to compacted topics, topic ids, acks=0.

use super::*;

#[test]
fn produce_offsets_across_versions() {
    let mut pair = Pair::new();
    let topic = unique("pr-offsets");
    pair.create(&topic, 2, &[]);
    let ts = now_ms() - 60_000;
    let mut expected = 0;
    for version in [3, 7, 8, 9, 11, 12] {
        let req = produce_req(&topic, 1, batch(&[b"a", b"b", b"c"], ts), -1);
        let (a, b) = pair.both(version, &req);
        let k = same(&format!("Produce v{version}"), &a, &b);
        let p = &k.responses[0].partition_responses[0];
        assert_eq!((p.error_code, p.base_offset), (NONE, expected), "v{version}: {p:?}");
        expected += 3;
    }
    // acks=1 answers the same way.
    let (a, b) = pair.both(9, &produce_req(&topic, 0, batch(&[b"x"], ts), 1));
    same("Produce acks=1", &a, &b);
    assert_eq!(latest(&mut pair, &topic, 1), (expected, expected));
    assert_eq!(latest(&mut pair, &topic, 0), (1, 1));
}

#[test]
fn produce_errors() {
    let mut pair = Pair::new();
    let topic = unique("pr-errors");
    pair.create(&topic, 1, &[("max.message.bytes", "1000")]);
    let ts = now_ms() - 60_000;
    let good = batch(&[b"one", b"two"], ts);
    let mut bad_crc = BytesMut::from(&good[..]);
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 0xff;
    let bad_crc = bad_crc.freeze();
    let big_value = vec![b'x'; 2000];
    let mut two_batches = BytesMut::from(&good[..]);
    two_batches.extend_from_slice(&batch(&[b"three"], ts));
    let cases: Vec<(&str, ProduceRequest, i16)> = vec![
        (
            "missing topic",
            produce_req(&unique("pr-missing"), 0, good.clone(), -1),
            ResponseError::UnknownTopicOrPartition.code(),
        ),
        (
            "missing partition",
            produce_req(&topic, 7, good.clone(), -1),
            ResponseError::UnknownTopicOrPartition.code(),
        ),
        (
            "bad CRC",
            produce_req(&topic, 0, bad_crc.clone(), -1),
            ResponseError::CorruptMessage.code(),
        ),
        (
            "batch above max.message.bytes",
            produce_req(&topic, 0, batch(&[&big_value], ts), -1),
            ResponseError::MessageTooLarge.code(),
        ),
        (
            "two batches",
            produce_req(&topic, 0, two_batches.freeze(), -1),
            ResponseError::InvalidRecord.code(),
        ),
        (
            "magic 1",
            produce_req(&topic, 0, magic1_message(b"k", b"old", ts), -1),
            ResponseError::InvalidRecord.code(),
        ),
        (
            "acks=5",
            produce_req(&topic, 0, good.clone(), 5),
            ResponseError::InvalidRequiredAcks.code(),
        ),
        // Which check comes first when several fail.
        (
            "acks=5 to a missing topic",
            produce_req(&unique("pr-missing"), 0, good.clone(), 5),
            ResponseError::UnknownTopicOrPartition.code(),
        ),
        (
            "acks=5 with magic 1",
            produce_req(&topic, 0, magic1_message(b"k", b"old", ts), 5),
            ResponseError::InvalidRecord.code(),
        ),
        (
            "acks=5 with a bad CRC",
            produce_req(&topic, 0, bad_crc, 5),
            ResponseError::InvalidRequiredAcks.code(),
        ),
    ];
    for (what, req, code) in cases {
        for version in [3, 9, 12] {
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Produce v{version} {what}"), &a, &b);
            let p = &k.responses[0].partition_responses[0];
            assert_eq!(p.error_code, code, "{what}: {p:?}");
        }
        // Nothing was written.
        assert_eq!(latest(&mut pair, &topic, 0), (0, 0), "after {what}");
    }
    // Still writable afterwards.
    assert_eq!(pair.produce(&topic, 0, good), (0, 0));
}

/// A compacted topic refuses records without a key (Kafka's `LogValidator.validateKey`):
/// ResponseError::InvalidRecord.code(), one record error per keyless record, and Kafka's summary message, word for
/// word; compressed batches are looked into too. Keyed batches are accepted.
#[test]
fn produce_keyless_records_to_a_compacted_topic() {
    let mut pair = Pair::new();
    let topic = unique("pr-compacted");
    pair.create(&topic, 1, &[("cleanup.policy", "compact")]);
    let ts = now_ms() - 60_000;
    let mut recs = kaskade_testkit::batches::records(&[b"a", b"b", b"c", b"d", b"e"], ts, kaskade_testkit::batches::Writer::Plain);
    recs[1].key = None;
    recs[3].key = None;
    for compression in [Compression::None, Compression::Gzip] {
        let keyless = kaskade_testkit::batches::encode(&recs, compression);
        for version in [3, 9, 12] {
            let (a, b) = pair.both(version, &produce_req(&topic, 0, keyless.clone(), -1));
            let k = same(
                &format!("Produce v{version} keyless to a compacted topic ({compression:?})"),
                &a,
                &b,
            );
            let p = &k.responses[0].partition_responses[0];
            assert_eq!(p.error_code, ResponseError::InvalidRecord.code(), "{p:?}");
            let (pa, pb) = (&a.responses[0].partition_responses[0], &b.responses[0].partition_responses[0]);
            assert_eq!(pb.error_message, pa.error_message, "message word for word");
            let indexes = |r: &kafka_protocol::messages::produce_response::PartitionProduceResponse| {
                r.record_errors
                    .iter()
                    .map(|e| (e.batch_index, e.batch_index_error_message.clone()))
                    .collect::<Vec<_>>()
            };
            if version >= 8 {
                assert_eq!(indexes(pb), indexes(pa), "record errors");
                assert_eq!(pa.record_errors.len(), 2, "{pa:?}");
            }
        }
    }
    assert_eq!(latest(&mut pair, &topic, 0), (0, 0), "nothing written");
    assert_eq!(pair.produce(&topic, 0, batch(&[b"keyed"], ts)), (0, 0));
}

/// Produce v13 names topics by id (KIP-516): each broker's own id, and an id nobody knows.
#[test]
fn produce_by_topic_id() {
    let mut pair = Pair::new();
    let topic = unique("pr-by-id");
    pair.create(&topic, 1, &[]);
    let (ta, tb) = pair.describe(&topic);
    let ts = now_ms() - 60_000;
    let by_id = |t: &MetadataResponseTopic| {
        let mut req = produce_req("", 0, batch(&[b"a", b"b"], ts), -1);
        req.topic_data[0].topic_id = t.topic_id;
        req
    };
    for expected in [0, 2] {
        let (a, b) = pair.each(13, &by_id(&ta), &by_id(&tb));
        let k = same("Produce v13 by topic id", &a, &b);
        let p = &k.responses[0].partition_responses[0];
        assert_eq!((p.error_code, p.base_offset), (NONE, expected), "{p:?}");
    }
    let mut unknown = MetadataResponseTopic::default();
    unknown.topic_id = "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706".parse().unwrap();
    let (a, b) = pair.both(13, &by_id(&unknown));
    let k = same("Produce v13 unknown topic id", &a, &b);
    assert_eq!(
        k.responses[0].partition_responses[0].error_code,
        ResponseError::UnknownTopicId.code()
    );
    assert_eq!(latest(&mut pair, &topic, 0), (4, 4));
}

/// acks=0: no answer at all; the next request's answer is the next frame. A failed acks=0
/// produce closes the connection (Kafka's way of telling the client to refresh metadata).
#[test]
fn produce_acks_zero() {
    let mut pair = Pair::new();
    let topic = unique("pr-acks0");
    pair.create(&topic, 1, &[]);
    let ts = now_ms() - 60_000;
    for client in [&mut pair.kafka, &mut pair.kaskade] {
        let (_, frame) = client.frame(9, &produce_req(&topic, 0, batch(&[b"a", b"b"], ts), 0));
        client.send_bytes(&frame).expect("send acks=0 produce");
    }
    let hw = wait_for(Duration::from_secs(10), || {
        let hw = latest(&mut pair, &topic, 0);
        (hw == (2, 2)).then_some(hw)
    });
    assert_eq!(hw, Some((2, 2)), "acks=0 records are written");
    for (who, client) in [("Kafka", &mut pair.kafka), ("Kaskade", &mut pair.kaskade)] {
        let (_, frame) = client.frame(9, &produce_req(&unique("pr-acks0-missing"), 0, batch(&[b"a"], ts), 0));
        client.send_bytes(&frame).expect("send");
        assert!(client.is_closed(), "{who} closes the connection after a failed acks=0 produce");
    }
}
