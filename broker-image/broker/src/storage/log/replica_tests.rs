//! Tests of the replication side of a partition log: a follower copying a leader's log byte for
//! byte, truncation of a divergent tail (segments, epochs, producer state, restart), the high
//! watermark bounding reads, and refusal of bad replicated batches.

use proptest::prelude::*;

use super::*;
use crate::storage::batch::tests::{make_batch, make_idempotent_batch};
use crate::storage::batch::validate_produce;
use crate::storage::leader_epoch_cache::EpochEntry;

fn config(segment_bytes: u64) -> LogConfig {
    LogConfig {
        segment_bytes,
        index_interval_bytes: 150,
        ..LogConfig::default()
    }
}

fn open(path: &Path, segment_bytes: u64, clean: bool) -> PartitionLog {
    PartitionLog::open(path, "t", 0, config(segment_bytes), clean, 0).unwrap().0
}

/// Appends as the leader: `(records, epoch)` each; returns each batch's (base, end).
fn lead(log: &PartitionLog, batches: &[(i32, i32)]) -> Vec<(i64, i64)> {
    batches
        .iter()
        .map(|&(count, epoch)| {
            let b = make_batch(count, 1_000, b"leader-bytes");
            let h = validate_produce(&b, 1 << 20).unwrap();
            let info = log.append(&b, &h, epoch, 1_000).unwrap();
            (info.base_offset, info.last_offset + 1)
        })
        .collect()
}

/// Copies `leader` onto `follower` as a fetcher would: from the follower's end, `chunk` bytes a
/// time (so responses end mid-batch).
fn replicate(leader: &PartitionLog, follower: &PartitionLog, chunk: usize) {
    loop {
        let from = follower.end_offset();
        let r = leader.read_to_end(from, chunk, true).unwrap();
        if r.records.is_empty() {
            break;
        }
        let done = follower.append_as_follower(&r.records, 1_000).unwrap();
        assert!(done.batches > 0, "a fetch with min_one always carries a whole batch");
        follower.set_high_watermark(r.high_watermark);
    }
}

/// Every stored byte of the log, read batch by batch from its start.
fn all_bytes(log: &PartitionLog) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = log.log_start_offset();
    while at < log.end_offset() {
        let r = log.read_to_end(at, 1 << 20, true).unwrap();
        let mut last = at;
        for (_, h) in BatchIter::new(&r.records) {
            last = h.last_offset() + 1;
        }
        out.extend_from_slice(&r.records);
        at = last;
    }
    out
}

fn segment_files(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(path)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// `(records, epoch)` batches with epochs that never go down.
fn epoch_batches() -> impl Strategy<Value = Vec<(i32, i32)>> {
    proptest::collection::vec((1i32..12, 0i32..3), 1..40).prop_map(|v| {
        let mut epoch = 0;
        v.into_iter()
            .map(|(count, bump)| {
                epoch += i32::from(bump == 2);
                (count, epoch)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_follower_copies_the_leader_byte_for_byte(batches in epoch_batches(), segment_bytes in 300u64..2_000, chunk in 1usize..900) {
        let dir = tempfile::tempdir().unwrap();
        let leader = open(&dir.path().join("l"), segment_bytes, false);
        let follower = open(&dir.path().join("f"), segment_bytes, false);
        follower.set_hw_tracks_end(false);
        lead(&leader, &batches);
        replicate(&leader, &follower, chunk);
        prop_assert_eq!(follower.end_offset(), leader.end_offset());
        prop_assert_eq!(follower.high_watermark(), leader.end_offset());
        prop_assert_eq!(follower.epoch_entries(), leader.epoch_entries());
        prop_assert_eq!(segment_files(&dir.path().join("f")), segment_files(&dir.path().join("l")));
        // And it survives an unclean restart as it is.
        drop(follower);
        let follower = open(&dir.path().join("f"), segment_bytes, false);
        prop_assert_eq!(follower.epoch_entries(), leader.epoch_entries());
        prop_assert_eq!(all_bytes(&follower), all_bytes(&leader));
    }

    #[test]
    fn truncation_leaves_the_prefix_and_carries_on(batches in epoch_batches(), segment_bytes in 300u64..2_000, cut in 0i64..300, clean_restart: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t-0");
        let log = open(&path, segment_bytes, false);
        let written = lead(&log, &batches);
        let before = all_bytes(&log);
        let epochs = log.epoch_entries();
        let end = log.end_offset();
        let cut = cut.min(end);
        // The batch holding `cut` goes whole.
        let expected_end = written.iter().find(|(b, e)| *b <= cut && cut < *e).map_or(cut, |(b, _)| *b);
        let removed = log.truncate_to(cut, 2_000).unwrap();
        prop_assert_eq!(removed, cut < end);
        prop_assert_eq!(log.end_offset(), expected_end);
        prop_assert!(log.high_watermark() <= expected_end);
        let kept: usize = batches.iter().zip(&written).filter(|(_, (_, e))| *e <= expected_end).map(|((c, _), _)| make_batch(*c, 1_000, b"leader-bytes").len()).sum();
        prop_assert_eq!(all_bytes(&log), before[..kept].to_vec());
        let kept_epochs: Vec<EpochEntry> = epochs.iter().copied().filter(|e| e.start_offset < expected_end).collect();
        prop_assert_eq!(log.epoch_entries(), kept_epochs.clone());
        if expected_end > 0 {
            let last = kept_epochs.last().unwrap();
            prop_assert_eq!(log.end_offset_for_epoch(last.epoch), (last.epoch, expected_end));
        }
        // A restart finds the same log, and appends continue at its end with a new epoch.
        if clean_restart {
            log.flush(0).unwrap();
            log.checkpoint_indexes().unwrap();
        }
        drop(log);
        let log = open(&path, segment_bytes, clean_restart);
        prop_assert_eq!(log.end_offset(), expected_end);
        prop_assert_eq!(log.epoch_entries(), kept_epochs);
        prop_assert_eq!(all_bytes(&log), before[..kept].to_vec());
        let more = lead(&log, &[(2, 9)]);
        prop_assert_eq!(more[0].0, expected_end);
        prop_assert_eq!(log.latest_epoch(), Some(9));
    }
}

#[test]
fn a_divergent_tail_is_found_by_epoch_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir.path().join("a"), 1_000, false);
    let b = open(&dir.path().join("b"), 1_000, false);
    // Both hold epoch 0's batches; b then led epoch 1 alone and wrote batches nobody copied.
    lead(&a, &[(3, 0), (2, 0)]);
    replicate(&a, &b, 1 << 20);
    lead(&b, &[(4, 1), (1, 1)]);
    // a is elected at epoch 2 and writes.
    a.assign_leader_epoch(2).unwrap();
    lead(&a, &[(5, 2)]);
    // b asks where its latest epoch ended in a's log: epoch 1 is unknown there, so a answers
    // with the epoch before it, ending where epoch 2 began.
    let (epoch, end) = a.end_offset_for_epoch(b.latest_epoch().unwrap());
    assert_eq!((epoch, end), (0, 5));
    let (_, own_end) = b.end_offset_for_epoch(epoch);
    assert!(b.truncate_to(end.min(own_end), 2_000).unwrap());
    assert_eq!(b.end_offset(), 5);
    replicate(&a, &b, 333);
    assert_eq!(all_bytes(&b), all_bytes(&a));
    assert_eq!(
        b.epoch_entries(),
        vec![EpochEntry { epoch: 0, start_offset: 0 }, EpochEntry { epoch: 2, start_offset: 5 }]
    );
}

#[test]
fn producer_state_forgets_truncated_batches() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("t-0"), 400, false);
    let mut sent = Vec::new();
    let mut seq = 0;
    for n in 1..8 {
        let b = make_idempotent_batch(n, 7, 0, seq);
        let h = validate_produce(&b, 1 << 20).unwrap();
        let info = log.append(&b, &h, 0, 0).unwrap();
        sent.push((b, info.base_offset));
        seq += n;
    }
    let (cut_batch, cut) = sent[4].clone();
    log.truncate_to(cut, 0).unwrap();
    // The batches before the cut are still known (answered with their offsets); the first one
    // cut is appended again at the cut, as a retry from the producer would be.
    for (b, offset) in &sent[2..4] {
        let h = validate_produce(b, 1 << 20).unwrap();
        let info = log.append(b, &h, 0, 0).unwrap();
        assert!(info.duplicate);
        assert_eq!(info.base_offset, *offset);
    }
    let h = validate_produce(&cut_batch, 1 << 20).unwrap();
    let info = log.append(&cut_batch, &h, 0, 0).unwrap();
    assert!(!info.duplicate);
    assert_eq!(info.base_offset, cut);
    // A batch past the gap is out of order.
    let (after, _) = &sent[6];
    let h = validate_produce(after, 1 << 20).unwrap();
    assert!(matches!(log.append(after, &h, 0, 0), Err(LogError::OutOfOrderSequence { .. })));
}

#[test]
fn replicated_idempotent_batches_are_known_to_the_follower() {
    let dir = tempfile::tempdir().unwrap();
    let leader = open(&dir.path().join("l"), 1 << 20, false);
    let follower = open(&dir.path().join("f"), 1 << 20, false);
    let b = make_idempotent_batch(3, 11, 0, 0);
    let h = validate_produce(&b, 1 << 20).unwrap();
    leader.append(&b, &h, 0, 0).unwrap();
    replicate(&leader, &follower, 1 << 20);
    // The follower becomes leader: the producer's retry is a duplicate there too.
    let info = follower.append(&b, &h, 1, 0).unwrap();
    assert!(info.duplicate);
    assert_eq!(info.base_offset, 0);
}

#[test]
fn the_high_watermark_bounds_what_consumers_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir.path().join("t-0"), 1 << 20, false);
    assert_eq!(lead(&log, &[(2, 0)]), vec![(0, 2)]);
    assert_eq!(log.high_watermark(), 2, "one replica: the high watermark is the log end");
    log.set_hw_tracks_end(false);
    lead(&log, &[(3, 0), (4, 0)]);
    assert_eq!(log.high_watermark(), 2);
    let r = log.read(0, 1 << 20, true).unwrap();
    assert_eq!(r.high_watermark, 2);
    assert_eq!(BatchIter::new(&r.records).count(), 1, "only the batch below the high watermark");
    assert!(
        log.read(2, 1 << 20, true).unwrap().records.is_empty(),
        "above it: nothing, no error"
    );
    assert!(log.read(9, 1 << 20, true).unwrap().records.is_empty());
    assert!(matches!(log.read(10, 1 << 20, true), Err(LogError::OffsetOutOfRange { .. })));
    assert_eq!(BatchIter::new(&log.read_to_end(0, 1 << 20, true).unwrap().records).count(), 3);
    let mut hw = log.subscribe();
    assert_eq!(log.set_high_watermark(5), 5);
    assert!(hw.has_changed().unwrap(), "consumers' long-polls wake on the high watermark");
    assert_eq!(*hw.borrow_and_update(), 5);
    assert_eq!(BatchIter::new(&log.read(0, 1 << 20, true).unwrap().records).count(), 2);
    assert_eq!(log.set_high_watermark(100), 9, "never past the log end");
    assert!(
        matches!(log.delete_records_before(9), Ok(9)),
        "DeleteRecords reaches the high watermark"
    );
}

#[test]
fn bad_replicated_batches_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let leader = open(&dir.path().join("l"), 1 << 20, false);
    let follower = open(&dir.path().join("f"), 1 << 20, false);
    lead(&leader, &[(2, 0), (3, 0)]);
    let good = leader.read_to_end(0, 1 << 20, true).unwrap().records.to_vec();
    let mut corrupt = good.clone();
    let last = corrupt.len() - 3;
    corrupt[last] ^= 0x55;
    assert!(matches!(
        follower.append_as_follower(&corrupt, 0),
        Err(LogError::CorruptReplicaBatch { .. })
    ));
    assert_eq!(follower.end_offset(), 0, "the good first batch was not written either");
    follower.append_as_follower(&good, 0).unwrap();
    assert!(matches!(
        follower.append_as_follower(&good, 0),
        Err(LogError::UnexpectedAppendOffset {
            base_offset: 0,
            end_offset: 5
        })
    ));
    let partial = follower.append_as_follower(&good[..good.len() - 1], 0);
    assert!(
        matches!(partial, Err(LogError::UnexpectedAppendOffset { .. })),
        "the first whole batch is still checked"
    );
    assert_eq!(follower.end_offset(), 5);
}

#[test]
fn starting_over_at_the_leaders_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-0");
    let log = open(&path, 300, false);
    lead(&log, &[(5, 0), (5, 1), (5, 1), (5, 2)]);
    log.truncate_fully_and_start_at(120, 0).unwrap();
    assert_eq!((log.log_start_offset(), log.end_offset(), log.high_watermark()), (120, 120, 120));
    assert!(log.epoch_entries().is_empty());
    assert_eq!(segment_files(&path).len(), 1);
    let follower_batch = {
        let l2 = open(&dir.path().join("src"), 1 << 20, false);
        l2.truncate_fully_and_start_at(120, 0).unwrap();
        lead(&l2, &[(2, 3)]);
        l2.read_to_end(120, 1 << 20, true).unwrap().records
    };
    log.append_as_follower(&follower_batch, 0).unwrap();
    drop(log);
    let log = open(&path, 300, false);
    assert_eq!((log.log_start_offset(), log.end_offset()), (120, 122));
    assert_eq!(
        log.epoch_entries(),
        vec![EpochEntry {
            epoch: 3,
            start_offset: 120
        }]
    );
    // Truncating below the first segment starts over too.
    assert!(log.truncate_to(50, 0).unwrap());
    assert_eq!((log.log_start_offset(), log.end_offset()), (50, 50));
}

#[test]
fn a_cleaning_pass_begun_before_a_truncation_installs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-0");
    let log = open(&path, 300, false);
    lead(&log, &[(5, 0); 12]);
    let view = log.cleanable_view().unwrap();
    let (first, second) = (&view.sealed[0], &view.sealed[1]);
    let cleaned = crate::storage::compaction::swap::cleaned_path(&path, first.base_offset, second.base_offset);
    fs::copy(&first.file.path, &cleaned).unwrap();
    log.truncate_to(second.next_offset, 0).unwrap();
    let installed = log
        .install_cleaned(
            view.generation,
            first.base_offset,
            second.base_offset,
            &[first.base_offset],
            None,
            0,
        )
        .unwrap();
    assert!(!installed, "the log was truncated since the view");
    assert!(!cleaned.exists());
}

#[test]
fn logs_without_a_checkpoint_rebuild_their_epochs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-0");
    let log = open(&path, 300, false);
    lead(&log, &[(3, 0), (3, 0), (3, 4), (3, 4), (3, 7)]);
    let epochs = log.epoch_entries();
    assert_eq!(epochs.len(), 3);
    log.flush(0).unwrap();
    drop(log);
    fs::remove_file(path.join(crate::storage::leader_epoch_cache::CHECKPOINT_FILE)).unwrap();
    let log = open(&path, 300, true);
    assert_eq!(log.epoch_entries(), epochs, "rebuilt from the batch headers");
    assert_eq!(log.end_offset_for_epoch(4), (4, 12));
    assert!(path.join(crate::storage::leader_epoch_cache::CHECKPOINT_FILE).exists());
}

#[test]
fn a_torn_tail_takes_its_epoch_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t-0");
    let log = open(&path, 1 << 20, false);
    lead(&log, &[(3, 0), (3, 2)]);
    log.assign_leader_epoch(2).unwrap();
    let start = log.end_offset();
    drop(log);
    let reopened = open(&path, 1 << 20, false);
    assert_eq!(reopened.latest_epoch(), Some(2));
    assert_eq!(reopened.end_offset_for_epoch(2), (2, start));
    lead(&reopened, &[(4, 5), (2, 7)]);
    drop(reopened);
    // The crash tore both epoch-5 and epoch-7 batches: the log ends before them. Epoch 7's
    // entry, past the end, goes; epoch 5's, at the end, stays as a leader's unwritten epoch.
    let seg = segment_files(&path).pop().unwrap().0;
    let f = fs::OpenOptions::new().write(true).open(path.join(seg)).unwrap();
    let len = f.metadata().unwrap().len();
    let last_batch = make_batch(2, 1_000, b"leader-bytes").len() as u64;
    f.set_len(len - last_batch - 7).unwrap();
    drop(f);
    let log = open(&path, 1 << 20, false);
    assert_eq!(log.end_offset(), 6);
    assert_eq!(
        log.epoch_entries(),
        vec![
            EpochEntry { epoch: 0, start_offset: 0 },
            EpochEntry { epoch: 2, start_offset: 3 },
            EpochEntry { epoch: 5, start_offset: 6 }
        ]
    );
    assert_eq!(log.end_offset_for_epoch(7), (-1, -1));
    assert_eq!(log.end_offset_for_epoch(2), (2, 6));
}

#[test]
fn an_epoch_a_leader_assigned_at_its_end_and_never_wrote_goes_with_a_truncation_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path(), 1 << 20, true);
    lead(&log, &[(3, 1)]);
    // Became leader at epoch 2, wrote nothing, then followed a leader that never had epoch 2.
    log.assign_leader_epoch(2).unwrap();
    assert_eq!(log.latest_epoch(), Some(2));
    assert!(!log.truncate_to(3, 0).unwrap(), "no record removed");
    assert_eq!(log.latest_epoch(), Some(1), "the next fetch names the epoch the records are in");
    assert_eq!(log.end_offset(), 3);
    drop(log);
    assert_eq!(
        open(dir.path(), 1 << 20, true).latest_epoch(),
        Some(1),
        "the checkpoint says so too"
    );
}
