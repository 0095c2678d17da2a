//! The cleaner against real partition logs in temporary directories: what a consumer reading
//! from offset 0 sees after cleaning, tombstones, the active segment, producer state, and a
//! crash at every step of the segment swap.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::storage::batch::{validate_produce, BatchIter};
use crate::storage::log_config::LogConfig;
use crate::storage::records::tests::{keyed_batch, KV};

type Seen = Vec<(i64, Option<Vec<u8>>, Option<Vec<u8>>)>;

fn config(segment_bytes: u64) -> LogConfig {
    LogConfig {
        segment_bytes,
        index_interval_bytes: 100,
        cleanup_compact: true,
        cleanup_delete: false,
        min_cleanable_dirty_ratio: 0.0,
        delete_retention_ms: 1_000,
        ..LogConfig::default()
    }
}

fn cleaner_config() -> CleanerConfig {
    CleanerConfig {
        dedupe_buffer_size: 1 << 16,
        ..CleanerConfig::default()
    }
}

fn open(path: &Path, cfg: LogConfig, clean: bool) -> PartitionLog {
    PartitionLog::open(path, "t", 0, cfg, clean, 0).unwrap().0
}

/// Appends one batch of `(key, value)` records; returns its base offset.
fn append(log: &PartitionLog, records: &[KV<'_>], codec: i16) -> i64 {
    let b = keyed_batch(records, 1_000, codec);
    let h = validate_produce(&b, 1 << 20).unwrap();
    log.append(&b, &h, 0, 1_000).unwrap().base_offset
}

/// Everything a consumer from offset 0 reads: (offset, key, value).
fn consume(log: &PartitionLog) -> Seen {
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    let end = log.end_offset();
    while offset < end {
        let r = log.read(offset, 1 << 20, true).unwrap();
        if r.records.is_empty() {
            break;
        }
        for (at, h) in BatchIter::new(&r.records) {
            assert_eq!(crate::storage::batch::compute_crc(&r.records[at..at + h.size]), h.crc, "valid CRC");
            if h.records_count > 0 {
                let mut b = Bytes::copy_from_slice(&r.records[at..at + h.size]);
                let set = kafka_protocol::records::RecordBatchDecoder::decode(&mut b).unwrap();
                for rec in set.records {
                    out.push((rec.offset, rec.key.map(|k| k.to_vec()), rec.value.map(|v| v.to_vec())));
                }
            }
            offset = h.last_offset() + 1;
        }
    }
    out
}

/// What compaction must leave: below `clean_below` (the active segment's base) only each key's
/// newest record there (tombstones too unless `drop_tombstones`); the rest untouched.
fn expected(all: &Seen, clean_below: i64, drop_tombstones: bool) -> Seen {
    let mut latest: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
    for (o, k, _) in all.iter().filter(|(o, _, _)| *o < clean_below) {
        latest.insert(k.clone().unwrap_or_default(), *o);
    }
    all.iter()
        .filter(|(o, k, v)| {
            *o >= clean_below
                || (k.is_some() && latest.get(k.as_deref().unwrap_or_default()) == Some(o) && (v.is_some() || !drop_tombstones))
        })
        .cloned()
        .collect()
}

fn active_base(log: &PartitionLog) -> i64 {
    log.cleanable_view().unwrap().active_base
}

/// Fills a log with updates of a few keys, tombstones among them.
fn fill(log: &PartitionLog, batches: &[Vec<(u8, bool)>], codec: i16) {
    for b in batches {
        let keys: Vec<[u8; 2]> = b.iter().map(|(k, _)| [b'k', b'0' + k]).collect();
        let recs: Vec<KV<'_>> = b
            .iter()
            .zip(&keys)
            .map(|((_, tomb), key)| (Some(&key[..]), if *tomb { None } else { Some(&b"value-bytes"[..]) }))
            .collect();
        append(log, &recs, codec);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn a_consumer_sees_the_newest_record_per_key_at_its_offset(
        batches in proptest::collection::vec(proptest::collection::vec((0u8..6, proptest::bool::weighted(0.15)), 1..8), 1..60),
        codec in 0i16..=4,
        segment_bytes in 300u64..1_500,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t-0");
        let log = open(&path, config(segment_bytes), false);
        fill(&log, &batches, codec);
        let all = consume(&log);
        let active = active_base(&log);
        let active_bytes = std::fs::read(crate::storage::segment::file_name(&path, active, "log")).unwrap();
        let end = log.end_offset();
        let stats = clean(&log, &cleaner_config(), 2_000, None).unwrap();
        let after = consume(&log);
        prop_assert_eq!(&after, &expected(&all, active, false));
        prop_assert_eq!(log.end_offset(), end, "the end offset never moves");
        prop_assert_eq!(std::fs::read(crate::storage::segment::file_name(&path, active, "log")).unwrap(), active_bytes, "active segment untouched");
        if let Some(s) = &stats {
            prop_assert!(s.bytes_after <= s.bytes_before);
        }
        // Cleaning again changes nothing a consumer sees; after the delete horizon, the
        // tombstones go.
        clean(&log, &cleaner_config(), 2_500, None).unwrap();
        prop_assert_eq!(&consume(&log), &after);
        clean(&log, &cleaner_config(), 10_000, None).unwrap();
        prop_assert_eq!(&consume(&log), &expected(&all, active, true));
        // A restart (clean or not) reads the same, and appends carry on at the end.
        let seen = consume(&log);
        log.flush(0).unwrap();
        log.checkpoint_indexes().unwrap();
        drop(log);
        let log = open(&path, config(segment_bytes), true);
        prop_assert_eq!(&consume(&log), &seen);
        drop(log);
        let log = open(&path, config(segment_bytes), false);
        prop_assert_eq!(&consume(&log), &seen);
        prop_assert_eq!(append(&log, &[(Some(b"k9"), Some(b"v"))], 0), end);
    }
}

#[test]
fn tombstones_stay_until_delete_retention_then_go() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("t-0"), config(300), false);
    append(&log, &[(Some(b"a"), Some(b"1")), (Some(b"b"), Some(b"1"))], 0);
    append(&log, &[(Some(b"a"), None)], 0);
    for _ in 0..6 {
        append(&log, &[(Some(b"c"), Some(b"filler-filler-filler"))], 0);
    }
    let s = clean(&log, &cleaner_config(), 5_000, None).unwrap().unwrap();
    assert_eq!(s.next_tombstone_horizon, Some(6_000), "horizon = now + delete.retention.ms");
    let seen = consume(&log);
    assert!(seen.iter().any(|(o, _, v)| *o == 2 && v.is_none()), "tombstone kept: {seen:?}");
    assert!(!seen.iter().any(|(o, _, _)| *o == 0), "the value it deletes is gone");
    // Not yet due: assessment says so; due: forced, and the tombstone goes.
    assert!(!assess(&log, 5_999, false).unwrap().forced);
    assert!(assess(&log, 6_000, true).unwrap().forced);
    let s = clean(&log, &cleaner_config(), 6_000, None).unwrap().unwrap();
    assert_eq!(s.next_tombstone_horizon, None);
    let seen = consume(&log);
    assert!(!seen.iter().any(|(o, _, _)| *o == 2), "tombstone removed: {seen:?}");
    assert!(seen.iter().any(|(o, k, _)| *o == 1 && k.as_deref() == Some(&b"b"[..])));
}

#[test]
fn dirty_ratio_and_min_compaction_lag_decide_what_is_cleanable() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(300);
    cfg.min_compaction_lag_ms = 10_000;
    let log = open(&dir.path().join("t-0"), cfg.clone(), false);
    for _ in 0..10 {
        append(&log, &[(Some(b"a"), Some(b"same-key-again"))], 0);
    }
    // Records are at timestamp 1000: within the lag at 5000, so nothing is cleanable.
    assert_eq!(assess(&log, 5_000, false).unwrap().dirty_bytes, 0);
    assert!(clean(&log, &cleaner_config(), 5_000, None).unwrap().is_none());
    let a = assess(&log, 20_000, false).unwrap();
    assert!(a.dirty_bytes > 0 && a.dirty_ratio == 1.0);
    clean(&log, &cleaner_config(), 20_000, None).unwrap().unwrap();
    let a = assess(&log, 20_000, false).unwrap();
    assert_eq!(a.dirty_ratio, 0.0, "all cleaned: the checkpoint moved");
    // Not compacted: no assessment at all.
    cfg.cleanup_compact = false;
    log.set_config(cfg);
    assert!(assess(&log, 20_000, false).is_none());
}

#[test]
fn a_small_offset_map_cleans_in_several_passes() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("t-0"), config(400), false);
    let keys: Vec<[u8; 3]> = (0..40u8).map(|i| [b'k', b'a' + i / 10, b'0' + i % 10]).collect();
    for round in 0..3 {
        for k in &keys {
            append(&log, &[(Some(&k[..]), Some(&[b'0' + round][..]))], 0);
        }
    }
    let all = consume(&log);
    let active = active_base(&log);
    let small = CleanerConfig {
        dedupe_buffer_size: 24 * 12,
        ..CleanerConfig::default()
    };
    let mut passes = 0;
    while assess(&log, 2_000, false).unwrap().dirty_bytes > 0 {
        clean(&log, &small, 2_000, None).unwrap();
        passes += 1;
        assert!(passes < 100, "progress");
    }
    assert!(passes > 1);
    assert_eq!(consume(&log), expected(&all, active, false));
}

#[test]
fn an_idempotent_producers_last_batch_survives_as_an_empty_batch() {
    use crate::storage::batch::tests::make_idempotent_batch;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-0");
    let log = open(&path, config(300), false);
    // Idempotent batches hold keyless records: the cleaner drops them, but keeps the last
    // batch's header so the producer's sequence survives.
    let mut seq = 0;
    let mut last = None;
    for _ in 0..8 {
        let b = make_idempotent_batch(2, 7, 0, seq);
        let h = validate_produce(&b, 1 << 20).unwrap();
        last = Some((b.clone(), log.append(&b, &h, 0, 0).unwrap().base_offset));
        seq += 2;
    }
    // Roll past it with a plain batch so the producer's batches are all sealed.
    for _ in 0..4 {
        append(&log, &[(Some(b"x"), Some(b"filler-filler-filler-filler"))], 0);
    }
    clean(&log, &cleaner_config(), 2_000, None).unwrap().unwrap();
    drop(log);
    let log = open(&path, config(300), false);
    let (b, offset) = last.unwrap();
    let h = validate_produce(&b, 1 << 20).unwrap();
    let info = log.append(&b, &h, 0, 0).unwrap();
    assert!(info.duplicate, "the retry of the last batch is still recognised");
    assert_eq!(info.base_offset, offset);
    let next = make_idempotent_batch(1, 7, 0, seq);
    let h = validate_produce(&next, 1 << 20).unwrap();
    assert!(!log.append(&next, &h, 0, 0).unwrap().duplicate, "and the next sequence is accepted");
}

#[test]
fn a_crash_at_any_step_of_the_swap_is_invisible_to_consumers() {
    for step in [SwapStep::Cleaned, SwapStep::Swap, SwapStep::Deleted, SwapStep::Installed] {
        for codec in [0, 1] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t-0");
            let log = open(&path, config(350), false);
            let batches: Vec<Vec<(u8, bool)>> = (0..30).map(|i| vec![(i % 4, i % 7 == 3), ((i + 1) % 4, false)]).collect();
            fill(&log, &batches, codec);
            // One group: the swap replaces every sealed segment at once.
            log.set_config(config(1 << 20));
            let before = consume(&log);
            let active = active_base(&log);
            let after = expected(&before, active, false);
            assert_ne!(before, after, "the clean changes something");
            assert!(clean(&log, &cleaner_config(), 2_000, Some(step)).unwrap().is_none());
            drop(log);
            // The process died here; the restart is unclean.
            let log = open(&path, config(1 << 20), false);
            let seen = consume(&log);
            assert!(seen == before || seen == after, "crash after {step:?}: {seen:?}");
            if step != SwapStep::Cleaned {
                assert_eq!(seen, after, "committed at the swap rename");
            }
            let leftovers: Vec<_> = std::fs::read_dir(&path)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".cleaned") || n.ends_with(".swap") || n.ends_with(".deleted"))
                .collect();
            assert!(leftovers.is_empty(), "{leftovers:?}");
            // Cleaning completes afterwards and agrees.
            clean(&log, &cleaner_config(), 2_000, None).unwrap();
            assert_eq!(consume(&log), after);
        }
    }
}
