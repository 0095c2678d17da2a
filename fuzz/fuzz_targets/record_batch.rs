//! A record batch as a producer sends it, through every place the broker reads one: the produce
//! validation (sizes, magic, CRC), the keyless-record check of compacted topics and the log
//! cleaner's record parse (both decompress), and the bounded decompression itself with each
//! codec. Nothing may crash, and no compression bomb may allocate beyond the cap.

#![no_main]

use kaskade_broker::storage::batch::{validate_produce, BatchHeader};
use kaskade_broker::storage::decompress::{decompress, MAX_DECOMPRESSED_BATCH_BYTES};
use kaskade_broker::storage::records;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: kaskade_fuzz::Capped = kaskade_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    // The decompression cap, and room for the vector holding it.
    kaskade_fuzz::set_allocation_limit(MAX_DECOMPRESSED_BATCH_BYTES + (1 << 20));
    let _ = validate_produce(data, 1 << 20);
    // Past the CRC check too (what a stored batch of any content would do to the cleaner and
    // the timestamp lookup): decompress and split the records.
    if let Ok(header) = BatchHeader::parse(data) {
        let _ = records::keyless_records(data, &header);
    }
    // Every codec over the same bytes, with a small cap.
    if let Some((codec, body)) = data.split_first() {
        let _ = decompress(i16::from(*codec % 5), body, 1 << 20);
    }
});
