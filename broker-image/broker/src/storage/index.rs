//! Sparse indexes of one segment: an offset index (relative offset → file position) and a time
//! index (max timestamp so far → position of the next batch). Both are kept in memory for the
//! active segment and written beside the segment when it is sealed or the broker stops cleanly;
//! both can always be rebuilt from the segment itself, so they are never trusted over it.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Relative offset → byte position of the batch starting there; one entry per
/// `index.interval.bytes` of log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OffsetIndex {
    entries: Vec<(u32, u32)>,
}

impl OffsetIndex {
    pub fn push(&mut self, relative_offset: u32, position: u32) {
        debug_assert!(self.entries.last().is_none_or(|l| l.0 < relative_offset && l.1 < position));
        self.entries.push((relative_offset, position));
    }

    /// Largest entry with relative offset ≤ `target`, or (0, 0): where to start scanning.
    pub fn lookup(&self, target: u32) -> (u32, u32) {
        let i = self.entries.partition_point(|e| e.0 <= target);
        if i == 0 {
            (0, 0)
        } else {
            self.entries[i - 1]
        }
    }

    pub fn last(&self) -> Option<(u32, u32)> {
        self.entries.last().copied()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops entries pointing at or past `position` (after a truncation).
    pub fn truncate_to_position(&mut self, position: u32) {
        let keep = self.entries.partition_point(|e| e.1 < position);
        self.entries.truncate(keep);
    }

    pub fn write_to(&self, path: &Path) -> io::Result<()> {
        let mut buf = Vec::with_capacity(self.entries.len() * 8);
        for (o, p) in &self.entries {
            buf.extend_from_slice(&o.to_be_bytes());
            buf.extend_from_slice(&p.to_be_bytes());
        }
        write_file(path, &buf)
    }

    /// Loads an index file; `None` when it is missing or not a whole, ordered set of entries
    /// within `segment_size` (then the caller rebuilds it).
    pub fn load(path: &Path, segment_size: u64) -> Option<Self> {
        let bytes = fs::read(path).ok()?;
        if bytes.len() % 8 != 0 {
            return None;
        }
        let mut idx = OffsetIndex::default();
        for c in bytes.chunks_exact(8) {
            let o = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
            let p = u32::from_be_bytes([c[4], c[5], c[6], c[7]]);
            if let Some(l) = idx.entries.last() {
                if l.0 >= o || l.1 >= p {
                    return None;
                }
            }
            if p as u64 >= segment_size {
                return None;
            }
            idx.entries.push((o, p));
        }
        Some(idx)
    }
}

/// Max timestamp seen up to and including a batch → byte position just after that batch.
/// Every batch before that position has timestamps ≤ the entry's timestamp, so a search for
/// timestamp `t` may start after the last entry whose timestamp is below `t`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TimeIndex {
    entries: Vec<(i64, u32)>,
}

impl TimeIndex {
    pub fn push(&mut self, max_timestamp_so_far: i64, next_position: u32) {
        match self.entries.last() {
            Some(l) if l.0 >= max_timestamp_so_far || l.1 >= next_position => {}
            _ => self.entries.push((max_timestamp_so_far, next_position)),
        }
    }

    /// Position from which to scan for the first record with timestamp ≥ `target`.
    pub fn lookup(&self, target: i64) -> u32 {
        let i = self.entries.partition_point(|e| e.0 < target);
        if i == 0 {
            0
        } else {
            self.entries[i - 1].1
        }
    }

    pub fn last(&self) -> Option<(i64, u32)> {
        self.entries.last().copied()
    }

    pub fn truncate_to_position(&mut self, position: u32) {
        let keep = self.entries.partition_point(|e| e.1 <= position);
        self.entries.truncate(keep);
    }

    pub fn write_to(&self, path: &Path) -> io::Result<()> {
        let mut buf = Vec::with_capacity(self.entries.len() * 12);
        for (t, p) in &self.entries {
            buf.extend_from_slice(&t.to_be_bytes());
            buf.extend_from_slice(&p.to_be_bytes());
        }
        write_file(path, &buf)
    }

    pub fn load(path: &Path, segment_size: u64) -> Option<Self> {
        let bytes = fs::read(path).ok()?;
        if bytes.len() % 12 != 0 {
            return None;
        }
        let mut idx = TimeIndex::default();
        for c in bytes.chunks_exact(12) {
            let mut t = [0u8; 8];
            t.copy_from_slice(&c[..8]);
            let t = i64::from_be_bytes(t);
            let p = u32::from_be_bytes([c[8], c[9], c[10], c[11]]);
            if let Some(l) = idx.entries.last() {
                if l.0 >= t || l.1 >= p {
                    return None;
                }
            }
            if p as u64 > segment_size {
                return None;
            }
            idx.entries.push((t, p));
        }
        Some(idx)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::File::create(path)?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn offset_lookup_finds_greatest_entry_not_after_target(
            steps in proptest::collection::vec((1u32..50, 1u32..5000), 0..200),
            target in 0u32..20_000,
        ) {
            let mut idx = OffsetIndex::default();
            let (mut o, mut p) = (0u32, 0u32);
            let mut all = vec![];
            for (d_o, d_p) in steps {
                o += d_o; p += d_p;
                idx.push(o, p);
                all.push((o, p));
            }
            let expected = all.iter().rev().find(|e| e.0 <= target).copied().unwrap_or((0, 0));
            prop_assert_eq!(idx.lookup(target), expected);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.index");
            idx.write_to(&path).unwrap();
            prop_assert_eq!(OffsetIndex::load(&path, u64::MAX), Some(idx));
        }

        #[test]
        fn time_lookup_never_skips_a_match(
            ts in proptest::collection::vec(0i64..1000, 1..100),
            target in 0i64..1100,
        ) {
            // one batch per timestamp, 100 bytes each
            let mut idx = TimeIndex::default();
            let mut max = i64::MIN;
            for (i, t) in ts.iter().enumerate() {
                max = max.max(*t);
                idx.push(max, ((i + 1) * 100) as u32);
            }
            let start = idx.lookup(target) as usize / 100;
            // no batch before `start` has a timestamp >= target
            prop_assert!(ts[..start].iter().all(|t| *t < target));
        }
    }

    #[test]
    fn corrupt_index_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.index");
        std::fs::write(&path, [0u8; 7]).unwrap();
        assert!(OffsetIndex::load(&path, 100).is_none());
        let mut idx = OffsetIndex::default();
        idx.push(5, 500);
        idx.write_to(&path).unwrap();
        assert!(OffsetIndex::load(&path, 100).is_none(), "entry past the segment end");
    }
}
