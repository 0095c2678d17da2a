//! Fetch and ListOffsets: versions, offsets out of range, unknown partitions, size limits, isolation levels, leader epochs, sessions.

use super::*;

/// A topic with `partitions` partitions and batches of three records at offsets 0, 3, 6 in
/// partition 0 (and one batch in the others), the same bytes on both brokers.
fn fetch_fixture(pair: &mut Pair, name: &str, partitions: i32) -> (String, i64) {
    let topic = unique(name);
    pair.create(&topic, partitions, &[]);
    let ts = now_ms() - 60_000;
    for i in 0..3 {
        let values: Vec<Vec<u8>> = (0..3).map(|r| format!("value-{i}-{r}-{}", "x".repeat(40)).into_bytes()).collect();
        let values: Vec<&[u8]> = values.iter().map(|v| v.as_slice()).collect();
        assert_eq!(pair.produce(&topic, 0, batch(&values, ts + i * 10)), (i * 3, i * 3));
    }
    for p in 1..partitions {
        let value = format!("partition-{p}-{}", "y".repeat(100)).into_bytes();
        assert_eq!(pair.produce(&topic, p, batch(&[&value], ts)), (0, 0));
    }
    (topic, ts)
}

#[test]
fn fetch_versions_and_offsets() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-versions", 1);
    let (ta, tb) = pair.describe(&topic);
    for version in [4, 7, 11, 12, 13, 15, 16, 17] {
        for (what, offset) in [("from 0", 0), ("mid-batch offset 4", 4), ("last batch", 6)] {
            let (a, b) = pair.each(
                version,
                &fetch_req(version, &topic, Some(&ta), &[(0, offset, 1 << 20)]),
                &fetch_req(version, &topic, Some(&tb), &[(0, offset, 1 << 20)]),
            );
            let k = same(&format!("Fetch v{version} {what}"), &a, &b);
            let p = &k.responses[0].partitions[0];
            let log_start = if version >= 5 { 0 } else { -1 }; // a v5+ field
            assert_eq!((p.error_code, p.high_watermark, p.log_start_offset), (NONE, 9, log_start));
        }
    }
}

#[test]
fn fetch_out_of_range_and_at_the_end() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-range", 1);
    for version in [4, 12] {
        for (what, offset, code) in [
            ("above the high watermark", 10, ResponseError::OffsetOutOfRange.code()),
            ("far above", 1_000_000, ResponseError::OffsetOutOfRange.code()),
            ("below the log start", -1, ResponseError::OffsetOutOfRange.code()),
            ("at the high watermark", 9, NONE),
        ] {
            let req = fetch_req(version, &topic, None, &[(0, offset, 1 << 20)]);
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Fetch v{version} {what}"), &a, &b);
            assert_eq!(k.responses[0].partitions[0].error_code, code, "{what}");
        }
    }
}

#[test]
fn fetch_unknown_topic_and_partition() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-unknown", 1);
    let (a, b) = pair.both(12, &fetch_req(12, &unique("fe-missing"), None, &[(0, 0, 1 << 20)]));
    let k = same("Fetch v12 unknown topic", &a, &b);
    assert_eq!(
        k.responses[0].partitions[0].error_code,
        ResponseError::UnknownTopicOrPartition.code()
    );
    let (a, b) = pair.both(12, &fetch_req(12, &topic, None, &[(3, 0, 1 << 20)]));
    let k = same("Fetch v12 unknown partition", &a, &b);
    assert_eq!(
        k.responses[0].partitions[0].error_code,
        ResponseError::UnknownTopicOrPartition.code()
    );
    let mut unknown = MetadataResponseTopic::default();
    unknown.topic_id = "3f1e2d4c-5b6a-4798-8a9b-0c1d2e3f4a5b".parse().unwrap();
    for version in [13, 16] {
        let (a, b) = pair.both(version, &fetch_req(version, "", Some(&unknown), &[(0, 0, 1 << 20)]));
        let k = same(&format!("Fetch v{version} unknown topic id"), &a, &b);
        assert_eq!(k.responses[0].partitions[0].error_code, ResponseError::UnknownTopicId.code());
    }
}

/// KIP-74: the first batch is returned whole even when it is larger than the partition's (or
/// the request's) max bytes; after that the limits cut at whole batches.
#[test]
fn fetch_size_limits() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-limits", 3);
    for (what, max_bytes, parts) in [
        ("partition max 10 bytes", 50 << 20, vec![(0, 0, 10)]),
        ("partition max between one and two batches", 50 << 20, vec![(0, 0, 300)]),
        ("request max 10 bytes", 10, vec![(0, 0, 1 << 20), (1, 0, 1 << 20), (2, 0, 1 << 20)]),
        (
            "request max 400 bytes",
            400,
            vec![(0, 0, 1 << 20), (1, 0, 1 << 20), (2, 0, 1 << 20)],
        ),
        (
            "request max 700 bytes",
            700,
            vec![(1, 0, 1 << 20), (0, 0, 1 << 20), (2, 0, 1 << 20)],
        ),
    ] {
        let mut req = fetch_req(12, &topic, None, &parts);
        req.max_bytes = max_bytes;
        let (a, b) = pair.both(12, &req);
        let k = same(&format!("Fetch {what}"), &a, &b);
        assert!(
            k.responses[0].partitions[0].records.as_ref().is_some_and(|r| !r.is_empty()),
            "{what}"
        );
        // Known difference: Kafka may end a partition's records with part of a batch (the
        // client drops it); Kaskade's records are those whole batches only.
        for (pa, pb) in a.responses[0].partitions.iter().zip(&b.responses[0].partitions) {
            let (ra, rb) = (pa.records.clone().unwrap_or_default(), pb.records.clone().unwrap_or_default());
            assert_eq!(whole_batches_len(&rb), rb.len(), "{what}: Kaskade sends whole batches");
            assert!(ra.starts_with(&rb), "{what}: Kafka's records start with Kaskade's");
            if ra.len() > rb.len() {
                eprintln!(
                    "{what}: partition {}: Kafka adds {} bytes of a partial batch",
                    pa.partition_index,
                    ra.len() - rb.len()
                );
            }
        }
    }
}

#[test]
fn fetch_read_committed_and_leader_epochs() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-isolation", 1);
    for version in [4, 12] {
        for isolation in [0, 1] {
            let mut req = fetch_req(version, &topic, None, &[(0, 0, 1 << 20)]);
            req.isolation_level = isolation;
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Fetch v{version} isolation {isolation}"), &a, &b);
            let p = &k.responses[0].partitions[0];
            assert_eq!(p.last_stable_offset, 9);
            // The shapes of error answers under each isolation level.
            for (what, name, offset, epoch) in [
                ("out of range", topic.clone(), 100, -1),
                ("unknown topic", unique("fe-isolation-missing"), 0, -1),
                ("leader epoch ahead", topic.clone(), 0, 7),
            ] {
                if epoch >= 0 && version < 9 {
                    continue; // current_leader_epoch is a v9+ field
                }
                let mut req = fetch_req(version, &name, None, &[(0, offset, 1 << 20)]);
                req.isolation_level = isolation;
                req.topics[0].partitions[0].current_leader_epoch = epoch;
                let (a, b) = pair.both(version, &req);
                let k = same(&format!("Fetch v{version} isolation {isolation} {what}"), &a, &b);
                assert_ne!(k.responses[0].partitions[0].error_code, NONE);
            }
        }
    }
    // The leader epoch of a fresh single-node partition is 0: -1 and other negative values are
    // "not given"; a larger one is ResponseError::UnknownLeaderEpoch.code(). (ResponseError::FencedLeaderEpoch.code() needs an epoch
    // above 0, which a single node never reaches.)
    for (epoch, code) in [(-1, NONE), (-2, NONE), (0, NONE), (5, ResponseError::UnknownLeaderEpoch.code())] {
        let mut req = fetch_req(12, &topic, None, &[(0, 0, 1 << 20)]);
        req.topics[0].partitions[0].current_leader_epoch = epoch;
        let (a, b) = pair.both(12, &req);
        let k = same(&format!("Fetch current_leader_epoch {epoch}"), &a, &b);
        assert_eq!(k.responses[0].partitions[0].error_code, code, "epoch {epoch}");
    }
}

/// Known difference: Kaskade does not create fetch sessions (session id 0 answers a request
/// with epoch 0), which KIP-227 allows; the records are the same.
#[test]
fn fetch_session_request() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-session", 1);
    let mut req = fetch_req(12, &topic, None, &[(0, 0, 1 << 20)]);
    req.session_epoch = 0;
    let (mut a, mut b) = pair.both(12, &req);
    assert_ne!(a.session_id, 0, "Kafka creates a fetch session");
    assert_eq!(b.session_id, 0, "Kaskade answers without a session");
    a.session_id = 0;
    b.session_id = 0;
    same("Fetch with session epoch 0 (session id aside)", &a, &b);
}

// ListOffsets

#[test]
fn list_offsets() {
    let mut pair = Pair::new();
    let (topic, first) = fetch_fixture(&mut pair, "lo", 2);
    let empty = unique("lo-empty");
    pair.create(&empty, 1, &[]);
    // fetch_fixture: partition 0 holds offsets 0..9 with timestamps first..first+2,
    // first+10..first+12, first+20..first+22; partition 1 one record at `first`.
    let queries: Vec<(&str, i64)> = vec![
        ("earliest", -2),
        ("latest", -1),
        ("max timestamp", -3),
        ("before the first record", first - 1_000),
        ("the first record", first),
        ("between batches", first + 5),
        ("inside a batch", first + 11),
        ("the last record", first + 22),
        ("after the last record", first + 23),
    ];
    for version in [1, 2, 4, 5, 7, 8, 9, 10] {
        for (what, ts) in &queries {
            if *ts == -3 && version < 7 {
                continue;
            }
            let req = list_offsets_req(&topic, &[(0, *ts), (1, *ts)]);
            let (a, b) = pair.both(version, &req);
            same(&format!("ListOffsets v{version} {what}"), &a, &b);
            let req = list_offsets_req(&empty, &[(0, *ts)]);
            let (a, b) = pair.both(version, &req);
            same(&format!("ListOffsets v{version} {what} on an empty partition"), &a, &b);
        }
        let (a, b) = pair.both(version, &list_offsets_req(&topic, &[(5, -1)]));
        let k = same(&format!("ListOffsets v{version} unknown partition"), &a, &b);
        assert_eq!(k.topics[0].partitions[0].error_code, ResponseError::UnknownTopicOrPartition.code());
        let (a, b) = pair.both(version, &list_offsets_req(&unique("lo-missing"), &[(0, -1)]));
        let k = same(&format!("ListOffsets v{version} unknown topic"), &a, &b);
        assert_eq!(k.topics[0].partitions[0].error_code, ResponseError::UnknownTopicOrPartition.code());
        if version >= 4 {
            let mut req = list_offsets_req(&topic, &[(0, -1)]);
            req.topics[0].partitions[0].current_leader_epoch = 3;
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("ListOffsets v{version} leader epoch ahead"), &a, &b);
            assert_eq!(k.topics[0].partitions[0].error_code, ResponseError::UnknownLeaderEpoch.code());
        }
    }
}
