//! The records inside a stored v2 batch, read without building owned records: each record's
//! key, whether it has a value, its offset and timestamp deltas, and its raw bytes. Used only
//! where records must be looked at — the log cleaner, the produce check that a compacted
//! topic's records have keys, offset lookups by timestamp — never on the ordinary produce or
//! fetch path. Compressed batches are decompressed with a ceiling (`decompress.rs`) and
//! recompressed with the codecs of the `kafka-protocol` crate.

use bytes::{Bytes, BytesMut};
use kafka_protocol::compression::{Compressor, Gzip, Lz4, Snappy, Zstd};
use thiserror::Error;

use super::batch::{BatchHeader, HEADER_SIZE};
use super::decompress::{decompress, DecompressError, MAX_DECOMPRESSED_BATCH_BYTES};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RecordsError {
    #[error("malformed record {index} in the batch at offset {base_offset}")]
    Malformed { base_offset: i64, index: usize },
    #[error("batch at offset {base_offset} uses unknown compression codec {codec}")]
    UnknownCodec { base_offset: i64, codec: i16 },
    #[error("cannot {what} the batch at offset {base_offset}: {reason}")]
    Codec {
        what: &'static str,
        base_offset: i64,
        reason: String,
    },
}

/// One record of a batch, borrowed from the (decompressed) records section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'a> {
    pub timestamp_delta: i64,
    pub offset_delta: i32,
    /// `None` for a null key.
    pub key: Option<&'a [u8]>,
    /// `false` for a null value (a tombstone).
    pub has_value: bool,
    /// The whole record, length prefix included: copied as is when the record is kept.
    pub bytes: &'a [u8],
    /// The record's attributes byte.
    pub attributes: u8,
    /// The record body after its timestamp delta (offset delta to the end of the headers).
    pub after_timestamp: &'a [u8],
}

/// Reads a zigzag varint (at most 10 bytes) at `*at`, advancing it.
pub fn read_varlong(b: &[u8], at: &mut usize) -> Option<i64> {
    let mut raw: u64 = 0;
    for shift in 0..10 {
        let byte = *b.get(*at)?;
        *at += 1;
        raw |= ((byte & 0x7f) as u64) << (7 * shift);
        if byte & 0x80 == 0 {
            return Some(((raw >> 1) as i64) ^ -((raw & 1) as i64));
        }
    }
    None
}

/// Appends `v` as a zigzag varint.
pub fn write_varlong(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Reads a length-prefixed byte field (`-1` = null) at `*at`.
fn read_field<'a>(b: &'a [u8], at: &mut usize) -> Option<Option<&'a [u8]>> {
    let len = read_varlong(b, at)?;
    if len < 0 {
        return Some(None);
    }
    let end = at.checked_add(usize::try_from(len).ok()?)?;
    let field = b.get(*at..end)?;
    *at = end;
    Some(Some(field))
}

/// The records section of a batch, decompressed when the batch is compressed (at most
/// [`MAX_DECOMPRESSED_BATCH_BYTES`]: a compression bomb is an error, not an allocation).
pub fn payload(batch: &[u8], header: &BatchHeader) -> Result<Bytes, RecordsError> {
    let body = batch.get(HEADER_SIZE..header.size.min(batch.len())).unwrap_or_default();
    let base_offset = header.base_offset;
    match decompress(header.compression(), body, MAX_DECOMPRESSED_BATCH_BYTES) {
        Ok(out) => Ok(Bytes::from(out)),
        Err(DecompressError::UnknownCodec(codec)) => Err(RecordsError::UnknownCodec { base_offset, codec }),
        Err(e) => Err(RecordsError::Codec {
            what: "decompress",
            base_offset,
            reason: e.to_string(),
        }),
    }
}

/// Compresses a records section with the batch's codec (0 = none).
pub fn compress(codec: i16, raw: &[u8], base_offset: i64) -> Result<Vec<u8>, RecordsError> {
    let mut out = BytesMut::new();
    let fill = |tmp: &mut BytesMut| {
        tmp.extend_from_slice(raw);
        Ok(())
    };
    let done = match codec {
        0 => return Ok(raw.to_vec()),
        1 => Gzip::compress(&mut out, fill),
        2 => Snappy::compress(&mut out, fill),
        3 => Lz4::compress(&mut out, fill),
        4 => Zstd::compress(&mut out, fill),
        codec => return Err(RecordsError::UnknownCodec { base_offset, codec }),
    };
    done.map_err(|e| RecordsError::Codec {
        what: "compress",
        base_offset,
        reason: e.to_string(),
    })?;
    Ok(out.to_vec())
}

/// Splits a (decompressed) records section into `count` records.
pub fn parse(payload: &[u8], count: i32, base_offset: i64) -> Result<Vec<RawRecord<'_>>, RecordsError> {
    let mut out = Vec::with_capacity(count.clamp(0, 4096) as usize);
    let mut at = 0usize;
    for index in 0..count.max(0) as usize {
        let bad = || RecordsError::Malformed { base_offset, index };
        let start = at;
        let len = read_varlong(payload, &mut at).ok_or_else(bad)?;
        let body_start = at;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| body_start.checked_add(l))
            .filter(|e| *e <= payload.len())
            .ok_or_else(bad)?;
        let body = &payload[..end];
        let attributes = *body.get(at).ok_or_else(bad)?;
        at += 1;
        let timestamp_delta = read_varlong(body, &mut at).ok_or_else(bad)?;
        let after_ts = at;
        let offset_delta = read_varlong(body, &mut at).and_then(|d| i32::try_from(d).ok()).ok_or_else(bad)?;
        let key = read_field(body, &mut at).ok_or_else(bad)?;
        let value = read_field(body, &mut at).ok_or_else(bad)?;
        out.push(RawRecord {
            timestamp_delta,
            offset_delta,
            key,
            has_value: value.is_some(),
            bytes: &payload[start..end],
            attributes,
            after_timestamp: &payload[after_ts..end],
        });
        at = end;
    }
    Ok(out)
}

/// Indexes (within the batch) of records without a key; what a compacted topic refuses.
pub fn keyless_records(batch: &[u8], header: &BatchHeader) -> Result<Vec<usize>, RecordsError> {
    let payload = payload(batch, header)?;
    let records = parse(&payload, header.records_count, header.base_offset)?;
    Ok(records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.key.is_none())
        .map(|(i, _)| i)
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A record: `(key, value)`, `None` for null.
    pub type KV<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

    /// Encodes one record with the given deltas.
    pub fn encode_record(out: &mut Vec<u8>, ts_delta: i64, offset_delta: i32, key: Option<&[u8]>, value: Option<&[u8]>) {
        let mut body = vec![0u8];
        write_varlong(&mut body, ts_delta);
        write_varlong(&mut body, offset_delta as i64);
        for f in [key, value] {
            match f {
                Some(b) => {
                    write_varlong(&mut body, b.len() as i64);
                    body.extend_from_slice(b);
                }
                None => write_varlong(&mut body, -1),
            }
        }
        write_varlong(&mut body, 0);
        write_varlong(out, body.len() as i64);
        out.extend_from_slice(&body);
    }

    /// A valid batch of keyed records (timestamps `base_ts + i`), compressed with `codec`.
    pub fn keyed_batch(records: &[KV<'_>], base_ts: i64, codec: i16) -> Vec<u8> {
        let mut raw = Vec::new();
        for (i, (k, v)) in records.iter().enumerate() {
            encode_record(&mut raw, i as i64, i as i32, *k, *v);
        }
        let body = compress(codec, &raw, 0).unwrap();
        crate::storage::batch::tests::wrap_records(&body, records.len() as i32, base_ts, codec)
    }

    #[test]
    fn varints_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 64, 300, -300, i32::MAX as i64, i64::MIN, i64::MAX] {
            let mut b = Vec::new();
            write_varlong(&mut b, v);
            let mut at = 0;
            assert_eq!(read_varlong(&b, &mut at), Some(v));
            assert_eq!(at, b.len());
        }
        assert_eq!(read_varlong(&[0x80, 0x80], &mut 0), None);
    }

    #[test]
    fn parses_keys_values_and_keyless_records_in_every_codec() {
        for codec in 0..=4 {
            let b = keyed_batch(&[(Some(b"k1"), Some(b"v1")), (None, Some(b"x")), (Some(b"k2"), None)], 100, codec);
            let h = crate::storage::batch::validate_produce(&b, 1 << 20).unwrap();
            let p = payload(&b, &h).unwrap();
            let r = parse(&p, h.records_count, 0).unwrap();
            assert_eq!(r.len(), 3);
            assert_eq!(r[0].key, Some(&b"k1"[..]));
            assert!(r[0].has_value);
            assert_eq!(r[2].offset_delta, 2);
            assert!(!r[2].has_value, "tombstone");
            assert_eq!(keyless_records(&b, &h).unwrap(), vec![1], "codec {codec}");
        }
    }

    #[test]
    fn malformed_records_are_errors_not_panics() {
        let b = keyed_batch(&[(Some(b"k"), Some(b"v"))], 0, 0);
        let h = crate::storage::batch::BatchHeader::parse(&b).unwrap();
        let p = payload(&b, &h).unwrap();
        for cut in 0..p.len() {
            assert!(parse(&p[..cut], 1, 0).is_err());
        }
        assert!(parse(&p, 2, 0).is_err());
    }
}
