//! A partition's leader-epoch cache: for each leader epoch the offset its first batch got, kept
//! in Kafka's `leader-epoch-checkpoint` file beside the segments. It answers "where did epoch E
//! end?" (OffsetForLeaderEpoch, and a follower finding where its log diverged from a new
//! leader's) and is truncated with the log. Entries are strictly increasing in both epoch and
//! start offset, as Kafka's `LeaderEpochFileCache` keeps them.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// The checkpoint's file name, as Kafka names it.
pub const CHECKPOINT_FILE: &str = "leader-epoch-checkpoint";

/// The checkpoint format version Kafka writes.
const VERSION: i32 = 0;

/// Kafka's "no such epoch" answer: `(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET)`.
pub const UNDEFINED: (i32, i64) = (-1, -1);

/// One epoch and the first offset written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: i64,
}

/// The epochs of one log, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaderEpochCache {
    entries: Vec<EpochEntry>,
}

impl LeaderEpochCache {
    pub fn entries(&self) -> &[EpochEntry] {
        &self.entries
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.epoch)
    }

    /// Whether `assign(epoch, start_offset)` would change anything (checked on every append,
    /// so it is a comparison with the newest entry only).
    fn needs(&self, epoch: i32, start_offset: i64) -> bool {
        self.entries
            .last()
            .is_none_or(|e| epoch != e.epoch || start_offset < e.start_offset)
    }

    /// Records that `epoch` starts at `start_offset`, first removing entries it contradicts (an
    /// epoch not lower, or a start not lower). Returns whether the cache changed.
    pub fn assign(&mut self, epoch: i32, start_offset: i64) -> bool {
        if epoch < 0 || start_offset < 0 || !self.needs(epoch, start_offset) {
            return false;
        }
        while self
            .entries
            .last()
            .is_some_and(|e| e.epoch >= epoch || e.start_offset >= start_offset)
        {
            self.entries.pop();
        }
        self.entries.push(EpochEntry { epoch, start_offset });
        true
    }

    /// Kafka's `endOffsetFor`: `(epoch, end offset)` where the end of `requested` is the start of
    /// the first higher epoch (the log end for the latest), answered with the highest epoch not
    /// above `requested`; [`UNDEFINED`] when `requested` is -1 or above every known epoch.
    pub fn end_offset_for(&self, requested: i32, log_end_offset: i64) -> (i32, i64) {
        if requested < 0 {
            return UNDEFINED;
        }
        if self.latest_epoch() == Some(requested) {
            return (requested, log_end_offset);
        }
        let Some(higher) = self.entries.iter().find(|e| e.epoch > requested) else {
            return UNDEFINED;
        };
        match self.entries.iter().rev().find(|e| e.epoch <= requested) {
            // Below every known epoch: the data went; replicate from the first known one.
            None => (requested, higher.start_offset),
            Some(floor) => (floor.epoch, higher.start_offset),
        }
    }

    /// The epoch `offset` was written in (Kafka's `epochForOffset`): the newest starting at or
    /// before it.
    pub fn epoch_for_offset(&self, offset: i64) -> Option<i32> {
        self.entries.iter().rev().find(|e| e.start_offset <= offset).map(|e| e.epoch)
    }

    /// Drops the epochs that start at or after `end_offset` (the log was truncated there).
    /// Returns whether the cache changed.
    pub fn truncate_from_end(&mut self, end_offset: i64) -> bool {
        let before = self.entries.len();
        while self.entries.last().is_some_and(|e| e.start_offset >= end_offset) {
            self.entries.pop();
        }
        self.entries.len() != before
    }

    /// The log now starts at `start_offset`: the epochs that started at or before it collapse
    /// into the newest of them, moved to start there. Returns whether the cache changed.
    pub fn truncate_from_start(&mut self, start_offset: i64) -> bool {
        let gone = self.entries.iter().take_while(|e| e.start_offset <= start_offset).count();
        if gone == 0 || (gone == 1 && self.entries[0].start_offset == start_offset) {
            return false;
        }
        let epoch = self.entries[gone - 1].epoch;
        self.entries.drain(..gone);
        self.entries.insert(0, EpochEntry { epoch, start_offset });
        true
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Reads the checkpoint in `dir`: `None` when there is none or it is not one (the caller
    /// rebuilds the cache from the batches then).
    pub fn read(dir: &Path) -> Option<Self> {
        let text = fs::read_to_string(dir.join(CHECKPOINT_FILE)).ok()?;
        let mut lines = text.lines();
        if lines.next()?.trim().parse::<i32>().ok()? != VERSION {
            return None;
        }
        let count: usize = lines.next()?.trim().parse().ok()?;
        let mut cache = LeaderEpochCache::default();
        for _ in 0..count {
            let mut fields = lines.next()?.split_whitespace();
            let epoch = fields.next()?.parse().ok()?;
            let start_offset = fields.next()?.parse().ok()?;
            cache.assign(epoch, start_offset);
        }
        (cache.entries.len() == count).then_some(cache)
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename). The rename is made
    /// durable by the directory fsync of the log's next flush, which is before any batch of a
    /// new epoch can be acknowledged.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let mut text = format!("{VERSION}\n{}\n", self.entries.len());
        for e in &self.entries {
            text.push_str(&format!("{} {}\n", e.epoch, e.start_offset));
        }
        let tmp = dir.join(format!("{CHECKPOINT_FILE}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(tmp, dir.join(CHECKPOINT_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(entries: &[(i32, i64)]) -> LeaderEpochCache {
        let mut c = LeaderEpochCache::default();
        for &(e, o) in entries {
            assert!(c.assign(e, o));
        }
        c
    }

    #[test]
    fn end_offsets_follow_kafka() {
        let c = cache(&[(1, 0), (3, 10), (6, 25)]);
        assert_eq!(c.end_offset_for(6, 40), (6, 40), "latest epoch ends at the log end");
        assert_eq!(c.end_offset_for(3, 40), (3, 25));
        assert_eq!(c.end_offset_for(4, 40), (3, 25), "an epoch with no data answers the one before");
        assert_eq!(c.end_offset_for(0, 40), (0, 0), "below every epoch: the first start");
        assert_eq!(c.end_offset_for(7, 40), UNDEFINED);
        assert_eq!(c.end_offset_for(-1, 40), UNDEFINED);
        assert_eq!(LeaderEpochCache::default().end_offset_for(0, 0), UNDEFINED);
    }

    #[test]
    fn assign_keeps_entries_monotonic() {
        let mut c = cache(&[(1, 0), (3, 10), (6, 25)]);
        assert!(!c.assign(6, 30), "same epoch, later offset: nothing to record");
        assert!(c.assign(4, 12), "a lower epoch removes the ones it contradicts");
        assert_eq!(c.entries(), cache(&[(1, 0), (3, 10), (4, 12)]).entries());
        assert!(c.assign(5, 11));
        assert_eq!(c.entries(), cache(&[(1, 0), (3, 10), (5, 11)]).entries());
    }

    #[test]
    fn truncation_from_either_end() {
        let mut c = cache(&[(1, 0), (3, 10), (6, 25)]);
        assert!(c.truncate_from_end(25));
        assert_eq!(c.latest_epoch(), Some(3));
        assert!(!c.truncate_from_end(11));
        assert!(c.truncate_from_start(12));
        assert_eq!(
            c.entries(),
            &[EpochEntry {
                epoch: 3,
                start_offset: 12
            }]
        );
        assert!(!c.truncate_from_start(12));
    }

    #[test]
    fn checkpoint_round_trips_in_kafkas_format() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(&[(0, 0), (2, 7)]);
        c.write(dir.path()).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join(CHECKPOINT_FILE)).unwrap(), "0\n2\n0 0\n2 7\n");
        assert_eq!(LeaderEpochCache::read(dir.path()), Some(c));
        fs::write(dir.path().join(CHECKPOINT_FILE), "0\n3\n0 0\n").unwrap();
        assert_eq!(LeaderEpochCache::read(dir.path()), None, "a short file is not trusted");
    }
}
