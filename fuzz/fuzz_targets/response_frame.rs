//! A response frame as `kaskade-client` reads one from a broker (the tools, the operator and
//! the Connect worker use it): the bounded walk by Kafka's schema, then `kafka-protocol`'s
//! decoders. The first two bytes pick the API and the version; a hostile broker must not crash
//! or exhaust its client.

#![no_main]

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::Decodable;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: kaskade_fuzz::Capped = kaskade_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    kaskade_fuzz::set_allocation_limit(16 << 20);
    let [a, v, frame @ ..] = data else { return };
    let apis: Vec<ApiKey> = ApiKey::iter().collect();
    let api = apis[*a as usize % apis.len()];
    let range = api.valid_versions();
    let span = (range.max - range.min + 1).max(1) as u8;
    let version = range.min + i16::from(*v % span);
    if kaskade_wire::check_response(api as i16, version, frame).is_err() {
        return;
    }
    let mut bytes = Bytes::copy_from_slice(frame);
    let header = ResponseHeader::decode(&mut bytes, api.response_header_version(version));
    if header.is_ok() {
        let _ = ResponseKind::decode(api, &mut bytes, version);
    }
});
