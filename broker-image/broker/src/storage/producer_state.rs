//! Idempotent-producer state of one partition: for each producer id, its epoch and its last
//! five batches' sequence ranges and offsets. Appends are checked against it under the log's
//! lock, so a retried batch is answered with its original offset instead of being written
//! twice, and a gap in sequences is refused as Kafka refuses it. Rebuilt from batch headers
//! after a crash; saved as a snapshot on clean shutdown.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::path::Path;

/// Kafka keeps the last five batches per producer (a producer has at most five in flight).
pub const MAX_CACHED_BATCHES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedBatch {
    pub first_seq: i32,
    pub last_seq: i32,
    pub base_offset: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    epoch: i16,
    batches: VecDeque<CachedBatch>,
}

/// The verdict on an idempotent batch before it is appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCheck {
    Append,
    /// Already written: answer with this base offset, write nothing.
    Duplicate {
        base_offset: i64,
    },
    OutOfOrder,
    InvalidEpoch,
    UnknownProducer,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerStateMap {
    producers: HashMap<i64, Entry>,
}

/// Last sequence of a batch starting at `first` holding `count` records (sequences wrap).
pub fn last_sequence(first: i32, last_offset_delta: i32) -> i32 {
    let last = first as i64 + last_offset_delta as i64;
    if last > i32::MAX as i64 {
        (last - i32::MAX as i64 - 1) as i32
    } else {
        last as i32
    }
}

fn next_sequence(seq: i32) -> i32 {
    if seq == i32::MAX {
        0
    } else {
        seq + 1
    }
}

impl ProducerStateMap {
    pub fn check(&self, producer_id: i64, epoch: i16, first_seq: i32, last_seq: i32) -> SequenceCheck {
        let Some(e) = self.producers.get(&producer_id) else {
            return if first_seq == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::UnknownProducer
            };
        };
        if epoch < e.epoch {
            return SequenceCheck::InvalidEpoch;
        }
        if epoch > e.epoch {
            return if first_seq == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::OutOfOrder
            };
        }
        if let Some(d) = e.batches.iter().find(|b| b.first_seq == first_seq && b.last_seq == last_seq) {
            return SequenceCheck::Duplicate {
                base_offset: d.base_offset,
            };
        }
        match e.batches.back() {
            Some(last) if first_seq != next_sequence(last.last_seq) => SequenceCheck::OutOfOrder,
            None if first_seq != 0 => SequenceCheck::OutOfOrder,
            _ => SequenceCheck::Append,
        }
    }

    /// Records a stored batch by its header (a replay, or a follower's append, where the
    /// sequence was checked by the leader that wrote it). Other batches are ignored.
    pub fn remember(&mut self, h: &super::batch::BatchHeader) {
        if h.is_idempotent() {
            let batch = CachedBatch {
                first_seq: h.base_sequence,
                last_seq: last_sequence(h.base_sequence, h.last_offset_delta),
                base_offset: h.base_offset,
            };
            self.update(h.producer_id, h.producer_epoch, batch);
        }
    }

    /// Records an appended (or replayed) batch.
    pub fn update(&mut self, producer_id: i64, epoch: i16, batch: CachedBatch) {
        let e = self.producers.entry(producer_id).or_default();
        if epoch != e.epoch {
            e.epoch = epoch;
            e.batches.clear();
        }
        e.batches.push_back(batch);
        while e.batches.len() > MAX_CACHED_BATCHES {
            e.batches.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.producers.len()
    }

    /// Each producer's last written offset (the end of its newest batch): the log cleaner keeps
    /// that batch, emptied if need be, so this state can be rebuilt from the log.
    pub fn last_offsets(&self) -> HashMap<i64, i64> {
        let span = |b: &CachedBatch| (b.last_seq as i64 - b.first_seq as i64).rem_euclid(i32::MAX as i64 + 1);
        self.producers
            .iter()
            .filter_map(|(id, e)| e.batches.back().map(|b| (*id, b.base_offset + span(b))))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }

    /// Snapshot: `end_offset i64`, then per producer `id i64, epoch i16, n u8, n × (first i32, last i32, offset i64)`.
    pub fn write_snapshot(&self, path: &Path, end_offset: i64) -> io::Result<()> {
        let mut buf = Vec::with_capacity(8 + self.producers.len() * 40);
        buf.extend_from_slice(&end_offset.to_be_bytes());
        for (id, e) in &self.producers {
            buf.extend_from_slice(&id.to_be_bytes());
            buf.extend_from_slice(&e.epoch.to_be_bytes());
            buf.push(e.batches.len() as u8);
            for b in &e.batches {
                buf.extend_from_slice(&b.first_seq.to_be_bytes());
                buf.extend_from_slice(&b.last_seq.to_be_bytes());
                buf.extend_from_slice(&b.base_offset.to_be_bytes());
            }
        }
        let crc = crc32c::crc32c(&buf);
        buf.extend_from_slice(&crc.to_be_bytes());
        std::fs::write(path, buf)
    }

    /// Loads a snapshot taken at `end_offset`; `None` if missing, corrupt or for another offset.
    pub fn read_snapshot(path: &Path, end_offset: i64) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32c::crc32c(body).to_be_bytes() != crc {
            return None;
        }
        let mut r = Reader(body);
        if r.i64()? != end_offset {
            return None;
        }
        let mut map = ProducerStateMap::default();
        while !r.0.is_empty() {
            let id = r.i64()?;
            let epoch = r.i16()?;
            let n = r.u8()?;
            let mut e = Entry {
                epoch,
                batches: VecDeque::new(),
            };
            for _ in 0..n {
                e.batches.push_back(CachedBatch {
                    first_seq: r.i32()?,
                    last_seq: r.i32()?,
                    base_offset: r.i64()?,
                });
            }
            map.producers.insert(id, e);
        }
        Some(map)
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take::<8>().map(i64::from_be_bytes)
    }
    fn i32(&mut self) -> Option<i32> {
        self.take::<4>().map(i32::from_be_bytes)
    }
    fn i16(&mut self) -> Option<i16> {
        self.take::<2>().map(i16::from_be_bytes)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|b| b[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_follow_kafka() {
        let mut m = ProducerStateMap::default();
        assert_eq!(m.check(7, 0, 5, 9), SequenceCheck::UnknownProducer);
        assert_eq!(m.check(7, 0, 0, 4), SequenceCheck::Append);
        m.update(
            7,
            0,
            CachedBatch {
                first_seq: 0,
                last_seq: 4,
                base_offset: 100,
            },
        );
        assert_eq!(m.check(7, 0, 0, 4), SequenceCheck::Duplicate { base_offset: 100 });
        assert_eq!(m.check(7, 0, 6, 8), SequenceCheck::OutOfOrder);
        assert_eq!(m.check(7, 0, 5, 8), SequenceCheck::Append);
        m.update(
            7,
            1,
            CachedBatch {
                first_seq: 0,
                last_seq: 0,
                base_offset: 200,
            },
        );
        assert_eq!(m.check(7, 0, 5, 8), SequenceCheck::InvalidEpoch);
        assert_eq!(m.check(7, 2, 3, 3), SequenceCheck::OutOfOrder, "a new epoch starts at sequence 0");
        assert_eq!(last_sequence(i32::MAX - 1, 3), 1, "sequences wrap");
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s");
        m.write_snapshot(&p, 201).unwrap();
        assert_eq!(ProducerStateMap::read_snapshot(&p, 201), Some(m.clone()));
        assert_eq!(
            ProducerStateMap::read_snapshot(&p, 202),
            None,
            "a snapshot of another offset is ignored"
        );
    }
}
