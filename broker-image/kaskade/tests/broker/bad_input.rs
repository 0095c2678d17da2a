//! Bad input on one connection while another client keeps producing and consuming: malformed,
//! truncated and oversize frames close only their own connection; corrupt and oversize batches
//! and unknown topics get Kafka's error codes; nothing is written for a rejected batch.

use std::io::Write;

use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{ListOffsetsRequest, MetadataRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::Compression;
use kafka_protocol::ResponseError;
use kaskade_testkit::batches::{batch, produce_request};
use kaskade_testkit::bystander::Bystander;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::BrokerProc;

fn metadata(topics: &[&str], auto_create: bool) -> MetadataRequest {
    let mut r = MetadataRequest::default();
    r.allow_auto_topic_creation = auto_create;
    r.topics = Some(
        topics
            .iter()
            .map(|t| {
                let mut m = MetadataRequestTopic::default();
                m.name = Some(TopicName(StrBytes::from_string(t.to_string())));
                m
            })
            .collect(),
    );
    r
}

fn end_offset(b: &BrokerProc, topic: &str) -> i64 {
    use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
    let mut p = ListOffsetsPartition::default();
    p.partition_index = 0;
    p.timestamp = -1;
    let mut t = ListOffsetsTopic::default();
    t.name = TopicName(StrBytes::from_string(topic.to_string()));
    t.partitions = vec![p];
    let mut r = ListOffsetsRequest::default();
    r.replica_id = kafka_protocol::messages::BrokerId(-1);
    r.topics = vec![t];
    let resp = RawClient::connect(&b.bootstrap()).call(7, &r);
    let p = &resp.topics[0].partitions[0];
    assert_eq!(p.error_code, 0);
    p.offset
}

#[test]
fn bad_input_is_contained_to_its_connection() {
    let b = BrokerProc::start(&[
        "auto.create.topics.enable=false",
        "socket.request.max.bytes=1048576",
        "message.max.bytes=10000",
    ]);
    let mut admin = RawClient::connect(&b.bootstrap());
    admin.create_topic("bystander", 1, &[]);
    admin.create_topic("target", 1, &[]);
    let by = Bystander::start(b.bootstrap());
    by.assert_progress("start");

    // 1. Garbage: a frame with an API key no one knows.
    let mut c = RawClient::connect(&b.bootstrap());
    c.send_bytes(&[0, 0, 0, 10, 0x7f, 0x7f, 0, 0, 0, 0, 0, 1, 2, 3]).expect("send");
    assert!(c.is_closed(), "garbage frame closes the connection");
    by.assert_progress("garbage frame");

    // 2. A frame shorter than a request header.
    let mut c = RawClient::connect(&b.bootstrap());
    c.send_bytes(&[0, 0, 0, 3, 0, 3, 0]).expect("send");
    assert!(c.is_closed(), "short frame closes the connection");

    // 3. A truncated frame: the size promises more than ever arrives.
    let mut c = RawClient::connect(&b.bootstrap());
    c.send_bytes(&[0, 0, 0, 100, 0, 18, 0, 3]).expect("send");
    c.stream.shutdown(std::net::Shutdown::Write).expect("half-close");
    assert!(c.is_closed(), "truncated frame closes the connection");
    by.assert_progress("truncated frame");

    // 4. An oversize frame is refused before its body is read.
    let mut c = RawClient::connect(&b.bootstrap());
    c.send_bytes(&(200_000_000i32).to_be_bytes()).expect("send");
    assert!(c.is_closed(), "oversize frame closes the connection");
    let mut c = RawClient::connect(&b.bootstrap());
    c.send_bytes(&(-5i32).to_be_bytes()).expect("send");
    assert!(c.is_closed(), "negative size closes the connection");

    // 5. A well-framed Metadata request whose body is cut short.
    let mut c = RawClient::connect(&b.bootstrap());
    let (_, frame) = c.frame(12, &metadata(&["target"], false));
    let mut cut = frame[..frame.len() - 3].to_vec();
    let size = (cut.len() - 4) as i32;
    cut[..4].copy_from_slice(&size.to_be_bytes());
    c.send_bytes(&cut).expect("send");
    assert!(c.is_closed(), "malformed body closes the connection");
    by.assert_progress("malformed body");

    // 6. A batch with a bad CRC: ResponseError::CorruptMessage.code(), nothing written.
    let before = end_offset(&b, "target");
    let mut corrupt = batch(&[b"one", b"two"], 1_700_000_000_000, Compression::None).to_vec();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0x55;
    let mut c = RawClient::connect(&b.bootstrap());
    let resp = c.call(9, &produce_request("target", 0, corrupt.into(), -1));
    assert_eq!(
        resp.responses[0].partition_responses[0].error_code,
        ResponseError::CorruptMessage.code()
    );
    // The connection stays usable after an error answer.
    let resp = c.call(
        9,
        &produce_request("target", 0, batch(&[b"ok"], 1_700_000_000_000, Compression::Lz4), -1),
    );
    assert_eq!(resp.responses[0].partition_responses[0].error_code, 0);
    assert_eq!(resp.responses[0].partition_responses[0].base_offset, before);
    assert_eq!(end_offset(&b, "target"), before + 1, "the corrupt batch wrote nothing");

    // 7. A batch over max.message.bytes: ResponseError::MessageTooLarge.code(), nothing written.
    let big = vec![7u8; 20_000];
    let resp = c.call(
        9,
        &produce_request("target", 0, batch(&[&big], 1_700_000_000_000, Compression::None), -1),
    );
    assert_eq!(
        resp.responses[0].partition_responses[0].error_code,
        ResponseError::MessageTooLarge.code()
    );
    assert_eq!(end_offset(&b, "target"), before + 1, "the oversize batch wrote nothing");

    // 8. Unknown topic with auto-create off: metadata and produce say ResponseError::UnknownTopicOrPartition.code().
    let md = c.call(12, &metadata(&["nope"], true));
    assert_eq!(md.topics[0].error_code, ResponseError::UnknownTopicOrPartition.code());
    let resp = c.call(
        9,
        &produce_request("nope", 0, batch(&[b"x"], 1_700_000_000_000, Compression::None), -1),
    );
    assert_eq!(
        resp.responses[0].partition_responses[0].error_code,
        ResponseError::UnknownTopicOrPartition.code()
    );
    let resp = c.call(
        9,
        &produce_request("target", 5, batch(&[b"x"], 1_700_000_000_000, Compression::None), -1),
    );
    assert_eq!(
        resp.responses[0].partition_responses[0].error_code,
        ResponseError::UnknownTopicOrPartition.code(),
        "missing partition"
    );
    assert!(
        RawClient::connect(&b.bootstrap()).call(12, &metadata(&["nope"], true)).topics[0].error_code
            == ResponseError::UnknownTopicOrPartition.code(),
        "not created"
    );

    // 9. Many connections opened and dropped mid-request do not leak into others.
    for _ in 0..50 {
        let mut s = std::net::TcpStream::connect(b.bootstrap()).expect("connect");
        let _ = s.write_all(&[0, 0, 1, 0, 0, 1]);
    }
    by.assert_progress("dropped connections");

    let (produced, consumed) = by.finish();
    assert!(produced >= 10, "bystander produced {produced}");
    assert_eq!(consumed, produced, "the bystander read back everything it produced");
    assert!(b.logs().contains("closing connection"), "the broker logs why it closed connections");
}
