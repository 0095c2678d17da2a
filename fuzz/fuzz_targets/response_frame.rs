//! A response frame as `kaskade-client` reads one from a broker (the tools, the operator and
//! the Connect worker use it): the bounded walk by Kafka's schema, then `kafka-protocol`'s
//! decoders. The input is the request's API key and version (2 bytes each, big-endian) and the
//! response frame after its size; the corpus holds the broker's real answers to real clients.
//! A hostile broker must not crash or exhaust its client.

#![no_main]

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::Decodable;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: kaskade_fuzz::Capped = kaskade_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    kaskade_fuzz::set_allocation_limit(16 << 20);
    let [k0, k1, v0, v1, frame @ ..] = data else { return };
    let Ok(api) = ApiKey::try_from(i16::from_be_bytes([*k0, *k1])) else {
        return;
    };
    let version = i16::from_be_bytes([*v0, *v1]);
    let range = api.valid_versions();
    if version < range.min || version > range.max {
        return;
    }
    if kaskade_wire::check_response(api as i16, version, frame).is_err() {
        return;
    }
    let mut bytes = Bytes::copy_from_slice(frame);
    let header = ResponseHeader::decode(&mut bytes, api.response_header_version(version));
    if header.is_ok() {
        let _ = ResponseKind::decode(api, &mut bytes, version);
    }
});
