//! A request frame (the bytes after the size prefix) through the broker's decoding: served API
//! and version, the bounded walk by Kafka's schema, then `kafka-protocol`'s header and body
//! decoders. Nothing may crash or allocate beyond the limit; and the walk accepts whatever
//! kafka-protocol decodes (checked on the request encoded again, whose lengths are all real).

#![no_main]

use bytes::{Bytes, BytesMut};
use kafka_protocol::protocol::Encodable;
use kaskade_broker::protocol::request::{self, Body};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: kaskade_fuzz::Capped = kaskade_fuzz::Capped;

fuzz_target!(|data: &[u8]| {
    // A frame of at most 64 KiB decodes into far less than this.
    kaskade_fuzz::set_allocation_limit(16 << 20);
    let Ok(req) = request::decode(Bytes::copy_from_slice(data)) else {
        return;
    };
    // The walk accepts whatever kafka-protocol decodes: encode the request again, and when the
    // encoding is whole (see round_trip), the walk must read it to its exact end.
    macro_rules! encoded {
        ($($variant:ident),*) => {
            match &req.body {
                $(Body::$variant(b) => round_trip(b, req.version),)*
            }
        };
    }
    let Some(buf) = encoded!(
        Produce,
        Fetch,
        ListOffsets,
        Metadata,
        ApiVersions,
        CreateTopics,
        DeleteTopics,
        DescribeCluster,
        DescribeQuorum,
        DescribeTopicPartitions,
        DescribeConfigs,
        InitProducerId,
        FindCoordinator,
        JoinGroup,
        SyncGroup,
        Heartbeat,
        LeaveGroup,
        OffsetCommit,
        OffsetFetch,
        OffsetDelete,
        DescribeGroups,
        ListGroups,
        DeleteGroups,
        CreatePartitions,
        AlterConfigs,
        IncrementalAlterConfigs,
        DeleteRecords,
        OffsetForLeaderEpoch,
        DescribeLogDirs
    ) else {
        return;
    };
    let spec = kaskade_wire::generated::request(req.api as i16).expect("a served API has a schema");
    match kaskade_wire::walk::check_body(spec, req.version, &buf) {
        Ok(len) => assert_eq!(len, buf.len(), "{:?} v{}: the walk stops short of the body", req.api, req.version),
        Err(e) => panic!("{:?} v{}: kafka-protocol decodes what the walk refuses: {e}", req.api, req.version),
    }
});

/// `body` encoded in `version`, when the encoding is whole: kafka-protocol's encoder writes
/// only unknown tags up to 2^31 - 1 but counts (and sizes) them all, so an encoding shorter
/// than `compute_size` announces fields it does not hold. Nothing here is decoded unwalked.
fn round_trip<T: Encodable>(body: &T, version: i16) -> Option<BytesMut> {
    let mut buf = BytesMut::new();
    body.encode(&mut buf, version).ok()?;
    (body.compute_size(version).ok()? == buf.len()).then_some(buf)
}
