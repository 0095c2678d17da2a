//! How the log cleaner rewrites one stored batch, following Kafka's `MemoryRecords.filterTo`:
//!
//! - a record is kept when it is past the offset map's latest offset, or when it has a key, is
//!   the newest record for that key, and is not a tombstone whose delete horizon has passed;
//!   keyless records are dropped (a compacted topic cannot hold them);
//! - a batch that loses nothing (and needs no delete horizon) is kept byte for byte;
//! - otherwise the kept records go into a batch with the same base offset and the same last
//!   offset delta (so the producer's last sequence survives), whose base timestamp is the first
//!   kept record's (or the delete horizon), recompressed with the batch's codec: the bytes
//!   Kafka's `MemoryRecordsBuilder` writes (records are copied as they are when their timestamp
//!   deltas stay valid);
//! - the first time a batch with tombstones is cleaned, its delete horizon (now +
//!   `delete.retention.ms`) is stored in the base timestamp with attribute bit 6, as KIP-534
//!   does; the records' timestamp deltas are re-encoded against it;
//! - a batch left with no records is dropped, unless it is an idempotent producer's last batch:
//!   then its header alone is kept, so the producer state can still be rebuilt from the log.

use super::offset_map::OffsetMap;
use crate::storage::batch::{compute_crc, BatchHeader, HEADER_SIZE, LOG_OVERHEAD};
use crate::storage::records::{self, write_varlong, RecordsError};

/// Attribute bit: the base timestamp holds the delete horizon (KIP-534).
pub const DELETE_HORIZON_FLAG: i16 = 0x40;
const TIMESTAMP_TYPE_FLAG: i16 = 0x08;
const TRANSACTIONAL_FLAG: i16 = 0x10;
const CONTROL_FLAG: i16 = 0x20;

/// What became of a batch.
#[derive(Debug, PartialEq, Eq)]
pub enum Filtered {
    /// Write the original bytes unchanged.
    Keep,
    /// Write these bytes instead.
    Rewritten(Vec<u8>),
    /// Write nothing.
    Drop,
}

#[derive(Debug, PartialEq, Eq)]
pub struct FilterOutcome {
    pub result: Filtered,
    pub records_removed: u64,
    /// When the tombstones the batch still holds may go (its delete horizon), if it holds any.
    pub tombstone_horizon: Option<i64>,
}

/// The inputs of the retention decision that are the same for every batch of a pass.
#[derive(Debug, Clone, Copy)]
pub struct FilterContext<'a> {
    pub map: &'a OffsetMap,
    pub now_ms: i64,
    pub delete_retention_ms: i64,
}

fn keep_as_is(horizon: Option<i64>) -> FilterOutcome {
    FilterOutcome {
        result: Filtered::Keep,
        records_removed: 0,
        tombstone_horizon: horizon,
    }
}

/// Decides the fate of one batch (`bytes` is the whole stored batch). `keep_empty`: the batch
/// is an idempotent producer's last one.
pub fn filter_batch(bytes: &[u8], header: &BatchHeader, ctx: &FilterContext<'_>, keep_empty: bool) -> Result<FilterOutcome, RecordsError> {
    if header.is_control() {
        return Ok(keep_as_is(None));
    }
    if header.records_count == 0 {
        return Ok(FilterOutcome {
            result: if keep_empty { Filtered::Keep } else { Filtered::Drop },
            records_removed: 0,
            tombstone_horizon: None,
        });
    }
    let payload = records::payload(bytes, header)?;
    let all = records::parse(&payload, header.records_count, header.base_offset)?;
    let horizon = (header.attributes & DELETE_HORIZON_FLAG != 0).then_some(header.base_timestamp);
    let retain_deletes = horizon.is_none_or(|h| ctx.now_ms < h);
    let kept: Vec<_> = all
        .iter()
        .filter(|r| {
            let offset = header.base_offset + r.offset_delta as i64;
            if offset > ctx.map.latest_offset() {
                return true;
            }
            match r.key {
                None => false,
                Some(k) => ctx.map.get(k).is_none_or(|latest| offset >= latest) && (r.has_value || retain_deletes),
            }
        })
        .collect();
    let removed = (all.len() - kept.len()) as u64;
    let has_tombstones = kept.iter().any(|r| !r.has_value);
    let set_horizon = has_tombstones && horizon.is_none();
    let new_horizon = if set_horizon {
        Some(ctx.now_ms.saturating_add(ctx.delete_retention_ms))
    } else {
        horizon.filter(|_| has_tombstones)
    };
    if removed == 0 && !set_horizon {
        return Ok(keep_as_is(new_horizon));
    }
    let result = if kept.is_empty() {
        if keep_empty {
            Filtered::Rewritten(empty_batch(bytes, header))
        } else {
            Filtered::Drop
        }
    } else {
        // Kafka's builder: the base timestamp is the delete horizon when the batch has one, else
        // the first kept record's timestamp.
        let batch_horizon = if set_horizon { new_horizon } else { horizon };
        let base_ts = batch_horizon.unwrap_or_else(|| header.base_timestamp.wrapping_add(kept[0].timestamp_delta));
        let mut raw = Vec::with_capacity(payload.len());
        let mut max_ts = i64::MIN;
        for r in &kept {
            let ts = header.base_timestamp.wrapping_add(r.timestamp_delta);
            max_ts = max_ts.max(ts);
            if base_ts != header.base_timestamp {
                let mut body = vec![r.attributes];
                write_varlong(&mut body, ts.wrapping_sub(base_ts));
                body.extend_from_slice(r.after_timestamp);
                write_varlong(&mut raw, body.len() as i64);
                raw.extend_from_slice(&body);
            } else {
                raw.extend_from_slice(r.bytes);
            }
        }
        if header.is_log_append_time() {
            max_ts = header.max_timestamp;
        }
        let body = records::compress(header.compression(), &raw, header.base_offset)?;
        let mut attributes = header.attributes;
        if set_horizon {
            attributes |= DELETE_HORIZON_FLAG;
        }
        Filtered::Rewritten(build(bytes, attributes, base_ts, max_ts, kept.len() as i32, &body))
    };
    Ok(FilterOutcome {
        result,
        records_removed: removed,
        tombstone_horizon: if kept.is_empty() { None } else { new_horizon },
    })
}

/// A batch with the original's base offset, length, epoch, last offset delta and producer
/// fields, and the given attributes, timestamps, count and records section.
fn build(original: &[u8], attributes: i16, base_ts: i64, max_ts: i64, count: i32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(HEADER_SIZE + body.len());
    b.extend_from_slice(&original[..HEADER_SIZE]);
    b.extend_from_slice(body);
    let len = (b.len() - LOG_OVERHEAD) as i32;
    b[8..12].copy_from_slice(&len.to_be_bytes());
    b[21..23].copy_from_slice(&attributes.to_be_bytes());
    b[27..35].copy_from_slice(&base_ts.to_be_bytes());
    b[35..43].copy_from_slice(&max_ts.to_be_bytes());
    b[57..61].copy_from_slice(&count.to_be_bytes());
    let crc = compute_crc(&b);
    b[17..21].copy_from_slice(&crc.to_be_bytes());
    b
}

/// Kafka's `writeEmptyHeader`: no records, no compression, no base timestamp (-1), the
/// batch's max timestamp.
fn empty_batch(original: &[u8], header: &BatchHeader) -> Vec<u8> {
    let attributes = header.attributes & (TIMESTAMP_TYPE_FLAG | TRANSACTIONAL_FLAG | CONTROL_FLAG);
    build(original, attributes, -1, header.max_timestamp, 0, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::batch::BatchHeader;
    use crate::storage::records::tests::keyed_batch;

    fn map_of(entries: &[(&[u8], i64)], latest: i64) -> OffsetMap {
        let mut m = OffsetMap::new(1 << 16, 0.9, 100);
        for (k, o) in entries {
            m.put(k, *o);
        }
        if latest >= 0 {
            m.put(b"__latest__", latest);
        }
        m
    }

    /// (offset, key, value, timestamp) of each record.
    type Decoded = Vec<(i64, Option<Vec<u8>>, Option<Vec<u8>>, i64)>;

    fn decode(b: &[u8]) -> Decoded {
        let mut bytes = bytes::Bytes::copy_from_slice(b);
        let set = kafka_protocol::records::RecordBatchDecoder::decode(&mut bytes).unwrap();
        set.records
            .into_iter()
            .map(|r| (r.offset, r.key.map(|k| k.to_vec()), r.value.map(|v| v.to_vec()), r.timestamp))
            .collect()
    }

    #[test]
    fn unchanged_batches_stay_byte_identical_and_filtered_ones_keep_their_offsets() {
        for codec in 0..=4 {
            let b = keyed_batch(
                &[(Some(b"a"), Some(b"1")), (Some(b"b"), Some(b"2")), (Some(b"a"), Some(b"3"))],
                1000,
                codec,
            );
            let h = BatchHeader::parse(&b).unwrap();
            let map = map_of(&[(b"a", 2), (b"b", 1)], 10);
            let ctx = FilterContext {
                map: &map,
                now_ms: 5000,
                delete_retention_ms: 100,
            };
            // Offset 0 ("a"=1) is superseded by offset 2.
            let out = filter_batch(&b, &h, &ctx, false).unwrap();
            assert_eq!(out.records_removed, 1);
            let Filtered::Rewritten(nb) = out.result else { panic!("rewritten") };
            let nh = crate::storage::batch::BatchHeader::parse(&nb).unwrap();
            assert_eq!(
                (nh.base_offset, nh.last_offset_delta, nh.records_count, nh.compression()),
                (0, 2, 2, codec)
            );
            assert_eq!(nh.crc, compute_crc(&nb));
            assert_eq!(
                decode(&nb),
                vec![
                    (1, Some(b"b".to_vec()), Some(b"2".to_vec()), 1001),
                    (2, Some(b"a".to_vec()), Some(b"3".to_vec()), 1002)
                ]
            );
            // Nothing superseded: kept as is.
            let map = map_of(&[(b"a", 0), (b"b", 1)], -1);
            let b2 = keyed_batch(&[(Some(b"a"), Some(b"1")), (Some(b"b"), Some(b"2"))], 1000, codec);
            let h2 = BatchHeader::parse(&b2).unwrap();
            let ctx = FilterContext {
                map: &map,
                now_ms: 5000,
                delete_retention_ms: 100,
            };
            assert_eq!(filter_batch(&b2, &h2, &ctx, false).unwrap().result, Filtered::Keep);
        }
    }

    #[test]
    fn tombstones_get_a_horizon_then_go() {
        let b = keyed_batch(&[(Some(b"a"), Some(b"1")), (Some(b"a"), None)], 1000, 0);
        let h = BatchHeader::parse(&b).unwrap();
        let map = map_of(&[(b"a", 1)], -1);
        let ctx = FilterContext {
            map: &map,
            now_ms: 5000,
            delete_retention_ms: 100,
        };
        let out = filter_batch(&b, &h, &ctx, false).unwrap();
        assert_eq!(out.tombstone_horizon, Some(5100));
        let Filtered::Rewritten(nb) = out.result else { panic!("rewritten") };
        let nh = BatchHeader::parse(&nb).unwrap();
        assert_eq!(nh.attributes & DELETE_HORIZON_FLAG, DELETE_HORIZON_FLAG);
        assert_eq!(nh.base_timestamp, 5100);
        assert_eq!(
            decode(&nb),
            vec![(1, Some(b"a".to_vec()), None, 1001)],
            "record timestamps survive the horizon"
        );
        // Before the horizon: kept as is; after: gone (the batch too).
        let early = FilterContext { now_ms: 5099, ..ctx };
        assert_eq!(filter_batch(&nb, &nh, &early, false).unwrap().result, Filtered::Keep);
        let late = FilterContext { now_ms: 5100, ..ctx };
        assert_eq!(filter_batch(&nb, &nh, &late, false).unwrap().result, Filtered::Drop);
        // A producer's last batch is kept empty, with its offsets.
        let Filtered::Rewritten(e) = filter_batch(&nb, &nh, &late, true).unwrap().result else {
            panic!("empty batch")
        };
        let eh = BatchHeader::parse(&e).unwrap();
        assert_eq!(
            (e.len(), eh.records_count, eh.last_offset_delta, eh.crc),
            (HEADER_SIZE, 0, 1, compute_crc(&e))
        );
    }

    #[test]
    fn keyless_records_are_dropped_and_records_past_the_map_are_kept() {
        let b = keyed_batch(&[(None, Some(b"x")), (Some(b"a"), Some(b"1")), (None, Some(b"y"))], 0, 0);
        let h = BatchHeader::parse(&b).unwrap();
        let map = map_of(&[(b"a", 0)], -1);
        // latest offset 0: offsets 1 and 2 are past the map.
        let ctx = FilterContext {
            map: &map,
            now_ms: 0,
            delete_retention_ms: 0,
        };
        let out = filter_batch(&b, &h, &ctx, false).unwrap();
        assert_eq!(out.records_removed, 1);
    }
}
