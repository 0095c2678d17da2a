//! Record-batch headers (magic v2): the broker validates what a producer sent and reads what it
//! stored through these accessors, without ever decoding or re-encoding the records themselves.
//!
//! Layout of a v2 batch header (61 bytes), all big-endian:
//! `baseOffset i64 | batchLength i32 | partitionLeaderEpoch i32 | magic i8 | crc u32 |
//!  attributes i16 | lastOffsetDelta i32 | baseTimestamp i64 | maxTimestamp i64 |
//!  producerId i64 | producerEpoch i16 | baseSequence i32 | recordsCount i32`.
//! The CRC-32C covers everything from `attributes` to the end of the batch, so the broker may
//! rewrite `baseOffset` and `partitionLeaderEpoch` in place without touching it.

use thiserror::Error;

/// Size of the fixed v2 header.
pub const HEADER_SIZE: usize = 61;
/// Bytes before `batchLength`'s payload starts: baseOffset + batchLength.
pub const LOG_OVERHEAD: usize = 12;
/// Where the magic byte sits (in a v2 batch and in a legacy message set alike).
pub const MAGIC_OFFSET: usize = 16;
const PARTITION_LEADER_EPOCH_OFFSET: usize = 12;
const CRC_OFFSET: usize = 17;
const ATTRIBUTES_OFFSET: usize = 21;
const LAST_OFFSET_DELTA_OFFSET: usize = 23;
const BASE_TIMESTAMP_OFFSET: usize = 27;
const MAX_TIMESTAMP_OFFSET: usize = 35;
const PRODUCER_ID_OFFSET: usize = 43;
const PRODUCER_EPOCH_OFFSET: usize = 51;
const BASE_SEQUENCE_OFFSET: usize = 53;
const RECORDS_COUNT_OFFSET: usize = 57;

/// Why a batch was refused; each maps onto the Kafka error code a client expects.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BatchError {
    #[error("record batch is truncated or its length field is inconsistent")]
    Truncated,
    #[error("unsupported record batch magic {0}: only magic 2 is accepted")]
    Magic(i8),
    #[error("record batch CRC mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    Crc { stored: u32, computed: u32 },
    #[error("record batch of {size} bytes exceeds max.message.bytes {max}")]
    TooLarge { size: usize, max: usize },
    #[error("record batch claims {count} records but lastOffsetDelta is {delta}")]
    Count { count: i32, delta: i32 },
    #[error("produce requests must carry exactly one record batch per partition")]
    NotOneBatch,
}

fn be_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}
fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn be_i64(b: &[u8], at: usize) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(a)
}

/// The fields of a batch header the log needs. Borrowed from stored or received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    /// Total size of the batch in bytes (12 + batchLength).
    pub size: usize,
    /// The epoch of the leader that appended the batch (set by the broker, not the client).
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records_count: i32,
}

impl BatchHeader {
    /// Reads a header from the start of `b`. Needs only the first 61 bytes; the total size is
    /// taken from the length field (callers check they hold that many bytes when they need them).
    pub fn parse(b: &[u8]) -> Result<Self, BatchError> {
        if b.len() < HEADER_SIZE {
            return Err(BatchError::Truncated);
        }
        let batch_length = be_i32(b, 8);
        if batch_length < (HEADER_SIZE - LOG_OVERHEAD) as i32 {
            return Err(BatchError::Truncated);
        }
        Ok(BatchHeader {
            base_offset: be_i64(b, 0),
            size: LOG_OVERHEAD + batch_length as usize,
            partition_leader_epoch: be_i32(b, PARTITION_LEADER_EPOCH_OFFSET),
            magic: b[MAGIC_OFFSET] as i8,
            crc: u32::from_be_bytes([b[CRC_OFFSET], b[CRC_OFFSET + 1], b[CRC_OFFSET + 2], b[CRC_OFFSET + 3]]),
            attributes: be_i16(b, ATTRIBUTES_OFFSET),
            last_offset_delta: be_i32(b, LAST_OFFSET_DELTA_OFFSET),
            base_timestamp: be_i64(b, BASE_TIMESTAMP_OFFSET),
            max_timestamp: be_i64(b, MAX_TIMESTAMP_OFFSET),
            producer_id: be_i64(b, PRODUCER_ID_OFFSET),
            producer_epoch: be_i16(b, PRODUCER_EPOCH_OFFSET),
            base_sequence: be_i32(b, BASE_SEQUENCE_OFFSET),
            records_count: be_i32(b, RECORDS_COUNT_OFFSET),
        })
    }

    pub fn last_offset(&self) -> i64 {
        self.base_offset + self.last_offset_delta as i64
    }

    /// Compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
    pub fn compression(&self) -> i16 {
        self.attributes & 0x07
    }

    /// An idempotent producer's batch: it carries a producer id and a sequence.
    pub fn is_idempotent(&self) -> bool {
        self.producer_id >= 0 && self.base_sequence >= 0
    }

    pub fn is_transactional(&self) -> bool {
        self.attributes & 0x10 != 0
    }

    pub fn is_control(&self) -> bool {
        self.attributes & 0x20 != 0
    }

    /// LogAppendTime: every record's timestamp is the batch's max timestamp.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes & 0x08 != 0
    }
}

/// CRC-32C of a whole batch as Kafka computes it (attributes..end).
pub fn compute_crc(batch: &[u8]) -> u32 {
    crc32c::crc32c(&batch[ATTRIBUTES_OFFSET..])
}

/// Validates the bytes of one produce partition: exactly one magic-2 batch, consistent sizes,
/// a matching CRC, and within `max_message_bytes`. Returns its header.
pub fn validate_produce(records: &[u8], max_message_bytes: usize) -> Result<BatchHeader, BatchError> {
    let header = BatchHeader::parse(records)?;
    if header.magic != 2 {
        return Err(BatchError::Magic(header.magic));
    }
    if header.size > records.len() {
        return Err(BatchError::Truncated);
    }
    if header.size < records.len() {
        return Err(BatchError::NotOneBatch);
    }
    if header.size > max_message_bytes {
        return Err(BatchError::TooLarge {
            size: header.size,
            max: max_message_bytes,
        });
    }
    let computed = compute_crc(records);
    if computed != header.crc {
        return Err(BatchError::Crc {
            stored: header.crc,
            computed,
        });
    }
    if header.records_count <= 0 || header.last_offset_delta != header.records_count - 1 {
        return Err(BatchError::Count {
            count: header.records_count,
            delta: header.last_offset_delta,
        });
    }
    Ok(header)
}

/// The two header fields the broker owns, written over the client's values when appending:
/// `(base offset and batch length as 12 bytes, partition leader epoch as 4 bytes)`.
pub fn assigned_header(base_offset: i64, batch_size: usize, leader_epoch: i32) -> ([u8; 12], [u8; 4]) {
    let mut a = [0u8; 12];
    a[..8].copy_from_slice(&base_offset.to_be_bytes());
    a[8..].copy_from_slice(&((batch_size - LOG_OVERHEAD) as i32).to_be_bytes());
    (a, leader_epoch.to_be_bytes())
}

/// Walks whole batches in `buf` (stored bytes, possibly ending mid-batch), yielding each header
/// and its position. Stops at the first incomplete or unparsable batch.
pub struct BatchIter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> BatchIter<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        BatchIter { buf, pos: 0 }
    }
    /// Bytes consumed by the complete batches yielded so far.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl Iterator for BatchIter<'_> {
    type Item = (usize, BatchHeader);
    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.buf[self.pos..];
        let header = BatchHeader::parse(rest).ok()?;
        if header.size > rest.len() {
            return None;
        }
        let at = self.pos;
        self.pos += header.size;
        Some((at, header))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a minimal valid uncompressed batch with `count` empty records (for storage tests).
    pub fn make_batch(count: i32, base_ts: i64, payload: &[u8]) -> Vec<u8> {
        let mut records = Vec::new();
        for i in 0..count {
            // record: length varint, attributes i8, tsDelta varint, offsetDelta varint,
            // keyLen varint(-1), valueLen varint, value, headers varint(0)
            let mut r = vec![0u8];
            r.push(zigzag(i as i64)); // timestamp delta
            r.push(zigzag(i as i64)); // offset delta
            r.push(zigzag(-1)); // null key
            r.push(zigzag(payload.len() as i64));
            r.extend_from_slice(payload);
            r.push(0); // no headers
            records.push(zigzag(r.len() as i64));
            records.extend_from_slice(&r);
        }
        wrap_records(&records, count, base_ts, 0)
    }

    /// A batch header (magic 2, no producer, timestamps `base_ts + i`) around `count` encoded
    /// records (`body`, compressed with `codec` or not), with its CRC.
    pub fn wrap_records(body: &[u8], count: i32, base_ts: i64, codec: i16) -> Vec<u8> {
        let mut b = vec![0u8; HEADER_SIZE];
        b.extend_from_slice(body);
        let len = (b.len() - LOG_OVERHEAD) as i32;
        b[8..12].copy_from_slice(&len.to_be_bytes());
        b[16] = 2;
        b[21..23].copy_from_slice(&codec.to_be_bytes());
        b[23..27].copy_from_slice(&(count - 1).to_be_bytes());
        b[27..35].copy_from_slice(&base_ts.to_be_bytes());
        b[35..43].copy_from_slice(&(base_ts + count as i64 - 1).to_be_bytes());
        b[43..51].copy_from_slice(&(-1i64).to_be_bytes());
        b[51..53].copy_from_slice(&(-1i16).to_be_bytes());
        b[53..57].copy_from_slice(&(-1i32).to_be_bytes());
        b[57..61].copy_from_slice(&count.to_be_bytes());
        let crc = compute_crc(&b);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        b
    }

    /// `make_batch` stamped as an idempotent producer's batch.
    pub fn make_idempotent_batch(count: i32, producer_id: i64, epoch: i16, first_seq: i32) -> Vec<u8> {
        let mut b = make_batch(count, 1_000, b"idempotent");
        b[43..51].copy_from_slice(&producer_id.to_be_bytes());
        b[51..53].copy_from_slice(&epoch.to_be_bytes());
        b[53..57].copy_from_slice(&first_seq.to_be_bytes());
        let crc = compute_crc(&b);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        b
    }

    fn zigzag(v: i64) -> u8 {
        let z = ((v << 1) ^ (v >> 63)) as u64;
        assert!(z < 128, "test helper only encodes one-byte varints");
        z as u8
    }

    #[test]
    fn valid_batch_passes_and_corruption_is_caught() {
        let b = make_batch(3, 1000, b"hello");
        let h = validate_produce(&b, 1 << 20).unwrap();
        assert_eq!(h.records_count, 3);
        assert_eq!(h.max_timestamp, 1002);
        let mut bad = b.clone();
        let last = bad.len() - 2;
        bad[last] ^= 0xff;
        assert!(matches!(validate_produce(&bad, 1 << 20), Err(BatchError::Crc { .. })));
        assert!(matches!(validate_produce(&b, 10), Err(BatchError::TooLarge { .. })));
        assert_eq!(validate_produce(&b[..b.len() - 1], 1 << 20), Err(BatchError::Truncated));
        let mut two = b.clone();
        two.extend_from_slice(&b);
        assert_eq!(validate_produce(&two, 1 << 20), Err(BatchError::NotOneBatch));
        let mut magic = b.clone();
        magic[16] = 1;
        assert_eq!(validate_produce(&magic, 1 << 20), Err(BatchError::Magic(1)));
    }

    #[test]
    fn rewriting_offsets_keeps_crc_valid() {
        let b = make_batch(2, 5, b"x");
        let (head, epoch) = assigned_header(42, b.len(), 7);
        let mut stored = b.clone();
        stored[..12].copy_from_slice(&head);
        stored[12..16].copy_from_slice(&epoch);
        let h = validate_produce(&stored, 1 << 20).unwrap();
        assert_eq!(h.base_offset, 42);
        assert_eq!(h.last_offset(), 43);
    }
}
