//! A request frame (the bytes after the size prefix) through the broker's decoding: served API
//! and version, the bounded walk by Kafka's schema, then `kafka-protocol`'s header and body
//! decoders. Nothing may crash or allocate beyond the limit; and a request that decodes,
//! encoded again, walks to exactly its end (the walk and the codec agree on the format).

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
    let mut buf = BytesMut::new();
    macro_rules! encode {
        ($($variant:ident),*) => {
            match &req.body {
                $(Body::$variant(b) => b.encode(&mut buf, req.version),)*
            }
        };
    }
    let encoded = encode!(
        Produce, Fetch, ListOffsets, Metadata, ApiVersions, CreateTopics, DeleteTopics, DescribeCluster,
        DescribeTopicPartitions, DescribeConfigs, InitProducerId, FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
        LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete, DescribeGroups, ListGroups, DeleteGroups, CreatePartitions,
        AlterConfigs, IncrementalAlterConfigs, DeleteRecords, OffsetForLeaderEpoch, DescribeLogDirs
    );
    if encoded.is_ok() {
        let spec = kaskade_wire::generated::request(req.api as i16).expect("a served API has a schema");
        match kaskade_wire::walk::check_body(spec, req.version, &buf) {
            Ok(len) => assert_eq!(len, buf.len(), "{:?} v{}: the walk stops short of the re-encoded body", req.api, req.version),
            Err(e) => panic!("{:?} v{}: kafka-protocol's own encoding fails the walk: {e}", req.api, req.version),
        }
    }
});
