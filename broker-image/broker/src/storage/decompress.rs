//! Decompressing a batch's records section with a ceiling on the output. The broker reads
//! compressed records in three places (the keyless check of compacted topics, the log cleaner,
//! offset lookups by timestamp); a batch of a few kilobytes can claim, or really expand to,
//! gigabytes. Every codec here stops at `cap` bytes and refuses the batch instead, and no
//! declared length (snappy's block lengths) sizes a buffer before it is checked against `cap`.
//! zstd's window is held to zstd's own default limit (2^27): producers at the highest levels
//! use it, and its pages are only touched as output is written, which `cap` bounds.

use std::io::Read;

use thiserror::Error;

/// The ceiling for one batch's decompressed records: far above what real producers send (a
/// 1 MiB batch at 64:1), far below what would threaten the broker's memory.
pub const MAX_DECOMPRESSED_BATCH_BYTES: usize = 64 << 20;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecompressError {
    #[error("unknown compression codec {0}")]
    UnknownCodec(i16),
    #[error("the records decompress to more than {cap} bytes")]
    TooLarge { cap: usize },
    #[error("{0}")]
    Corrupt(String),
}

/// The decompressed form of `input`, compressed with Kafka codec `codec` (0 none, 1 gzip,
/// 2 snappy, 3 lz4, 4 zstd), refused once it would exceed `cap` bytes (uncompressed records
/// are copied as they are).
pub fn decompress(codec: i16, input: &[u8], cap: usize) -> Result<Vec<u8>, DecompressError> {
    match codec {
        // Uncompressed records are no larger than the batch already in memory.
        0 => Ok(input.to_vec()),
        1 => read_capped(flate2::read::MultiGzDecoder::new(input), cap),
        2 => snappy(input, cap),
        3 => read_capped(lz4::Decoder::new(input).map_err(corrupt)?, cap),
        4 => {
            let mut d = zstd::stream::read::Decoder::new(input).map_err(corrupt)?;
            d.window_log_max(ZSTD_WINDOW_LOG_MAX).map_err(corrupt)?;
            read_capped(d, cap)
        }
        other => Err(DecompressError::UnknownCodec(other)),
    }
}

fn corrupt(e: impl std::fmt::Display) -> DecompressError {
    DecompressError::Corrupt(e.to_string())
}

/// zstd's default `ZSTD_WINDOWLOG_LIMIT_DEFAULT`: what level 22 writes, and no more.
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// Reads a decompressing stream to its end, growing the output as bytes come (never past
/// `cap + 1`, so the vector itself stays within the cap), and stops one byte past `cap`.
fn read_capped(mut reader: impl Read, cap: usize) -> Result<Vec<u8>, DecompressError> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt(e)),
        };
        if out.len() + n > cap {
            return Err(DecompressError::TooLarge { cap });
        }
        if out.len() + n > out.capacity() {
            let grown = (out.capacity() * 2).max(out.len() + n).min(cap);
            out.reserve_exact(grown - out.len());
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// xerial's framing (what the Java client writes): a 16-byte magic header, then blocks of
/// `u32 length` + raw snappy. Without the magic, the whole input is one raw snappy block.
const XERIAL_MAGIC: &[u8; 8] = b"\x82SNAPPY\x00";
const XERIAL_HEADER: usize = 16;

fn snappy(input: &[u8], cap: usize) -> Result<Vec<u8>, DecompressError> {
    let mut out = Vec::new();
    if input.len() < XERIAL_HEADER || !input.starts_with(XERIAL_MAGIC) {
        snappy_block(input, &mut out, cap)?;
        return Ok(out);
    }
    let mut rest = &input[XERIAL_HEADER..];
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            return Err(corrupt("truncated snappy block length"));
        };
        let len = u32::from_be_bytes(*len) as usize;
        let block = tail.get(..len).ok_or_else(|| corrupt("truncated snappy block"))?;
        snappy_block(block, &mut out, cap)?;
        rest = &tail[len..];
    }
    Ok(out)
}

/// Appends one raw snappy block, after checking its declared length against what `cap` leaves.
fn snappy_block(block: &[u8], out: &mut Vec<u8>, cap: usize) -> Result<(), DecompressError> {
    let len = snap::raw::decompress_len(block).map_err(corrupt)?;
    if len > cap - out.len() {
        return Err(DecompressError::TooLarge { cap });
    }
    let start = out.len();
    out.resize(start + len, 0);
    let n = snap::raw::Decoder::new().decompress(block, &mut out[start..]).map_err(corrupt)?;
    out.truncate(start + n);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::records::compress;

    #[test]
    fn every_codec_round_trips_under_the_cap() {
        let raw: Vec<u8> = (0..100_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        for codec in 0..=4 {
            let packed = compress(codec, &raw, 0).unwrap();
            assert_eq!(decompress(codec, &packed, raw.len()).unwrap(), raw, "codec {codec}");
        }
    }

    #[test]
    fn a_bomb_stops_at_the_cap_in_every_codec() {
        // 16 MiB of zeros compresses to a few kilobytes; a 1 MiB cap refuses it.
        let raw = vec![0u8; 16 << 20];
        for codec in 1..=4 {
            let packed = compress(codec, &raw, 0).unwrap();
            assert_eq!(
                decompress(codec, &packed, 1 << 20),
                Err(DecompressError::TooLarge { cap: 1 << 20 }),
                "codec {codec}"
            );
        }
    }

    #[test]
    fn a_snappy_block_that_claims_four_gigabytes_allocates_nothing() {
        // A raw snappy block whose length preamble (a varint) says 2^32 - 1 bytes.
        let block = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        assert_eq!(decompress(2, &block, 1 << 20), Err(DecompressError::TooLarge { cap: 1 << 20 }));
        let mut framed = b"\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01".to_vec();
        framed.extend_from_slice(&(block.len() as u32).to_be_bytes());
        framed.extend_from_slice(&block);
        assert_eq!(decompress(2, &framed, 1 << 20), Err(DecompressError::TooLarge { cap: 1 << 20 }));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for codec in 1..=4 {
            for input in [&b"not compressed at all"[..], &[0xff; 64]] {
                assert!(decompress(codec, input, 1 << 20).is_err(), "codec {codec}, {input:?}");
            }
        }
        assert_eq!(decompress(9, b"x", 10), Err(DecompressError::UnknownCodec(9)));
    }
}
