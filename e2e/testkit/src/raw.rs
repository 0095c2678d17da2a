//! A minimal raw Kafka-protocol client for tests: encode one request with `kafka-protocol`,
//! send it over a plain TCP socket, decode the response. Used by the differential and
//! bad-input tests, where the exact bytes and error codes matter.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};

pub struct RawClient {
    pub stream: TcpStream,
    next_correlation: i32,
}

impl RawClient {
    pub fn connect(addr: &str) -> RawClient {
        let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        RawClient {
            stream,
            next_correlation: 1,
        }
    }

    /// Encodes a request frame (size prefix included).
    pub fn frame<R: Request>(&mut self, version: i16, req: &R) -> (i32, BytesMut) {
        let correlation = self.next_correlation;
        self.next_correlation += 1;
        let mut header = RequestHeader::default();
        header.request_api_key = R::KEY;
        header.request_api_version = version;
        header.correlation_id = correlation;
        header.client_id = Some(StrBytes::from_static_str("kaskade-raw-test"));
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        header.encode(&mut buf, R::header_version(version)).expect("encode header");
        req.encode(&mut buf, version).expect("encode request");
        let size = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        (correlation, buf)
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Reads one response frame body (after the size).
    pub fn read_frame(&mut self) -> std::io::Result<Bytes> {
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size)?;
        let size = i32::from_be_bytes(size) as usize;
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body)?;
        Ok(Bytes::from(body))
    }

    /// Sends a request and decodes its response.
    pub fn call<R: Request>(&mut self, version: i16, req: &R) -> R::Response {
        self.try_call(version, req).unwrap_or_else(|e| panic!("request failed: {e}"))
    }

    pub fn try_call<R: Request>(&mut self, version: i16, req: &R) -> std::io::Result<R::Response> {
        let (correlation, frame) = self.frame(version, req);
        self.send_bytes(&frame)?;
        let mut body = self.read_frame()?;
        let header = ResponseHeader::decode(&mut body, <R::Response as HeaderVersion>::header_version(version))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        assert_eq!(header.correlation_id, correlation, "correlation id");
        let resp = R::Response::decode(&mut body, version).map_err(|e| std::io::Error::other(e.to_string()))?;
        assert!(!body.has_remaining(), "{} trailing bytes in response", body.remaining());
        Ok(resp)
    }

    /// True when the peer closed the connection (read returns EOF or reset); false when it is
    /// still open at the read timeout, or sent something.
    pub fn is_closed(&mut self) -> bool {
        closed(&mut self.stream)
    }
}

/// True when the peer closed `stream` (read returns EOF or reset); false when it is still open at
/// the read timeout, or sent something.
pub fn closed(stream: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    match stream.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

/// One partition as Metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionMeta {
    pub leader: i32,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub offline: Vec<i32>,
}

impl RawClient {
    /// Creates a topic with CreateTopics v7 and asserts it was created.
    pub fn create_topic(&mut self, name: &str, partitions: i32, configs: &[(&str, &str)]) {
        let code = self.try_create_topic(name, partitions, 1, configs).expect("CreateTopics answered");
        assert_eq!(code, 0, "creating {name}");
    }

    /// CreateTopics v7 of one topic (10 s timeout): its error code, or `Err` when the
    /// connection is gone.
    pub fn try_create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: i16,
        configs: &[(&str, &str)],
    ) -> std::io::Result<i16> {
        use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
        use kafka_protocol::messages::{CreateTopicsRequest, TopicName};
        let mut t = CreatableTopic::default();
        t.name = TopicName(StrBytes::from_string(name.to_string()));
        t.num_partitions = partitions;
        t.replication_factor = replication_factor;
        for (k, v) in configs {
            let mut cfg = CreatableTopicConfig::default();
            cfg.name = StrBytes::from_string(k.to_string());
            cfg.value = Some(StrBytes::from_string(v.to_string()));
            t.configs.push(cfg);
        }
        let mut req = CreateTopicsRequest::default();
        req.topics = vec![t];
        req.timeout_ms = 10_000;
        Ok(self.try_call(7, &req)?.topics[0].error_code)
    }

    /// Metadata v12 of one topic: its partitions in order, or `Err` when the connection is gone.
    pub fn partitions(&mut self, topic: &str) -> std::io::Result<Vec<PartitionMeta>> {
        use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
        use kafka_protocol::messages::{MetadataRequest, TopicName};
        let mut t = MetadataRequestTopic::default();
        t.name = Some(TopicName(StrBytes::from_string(topic.to_string())));
        let mut req = MetadataRequest::default();
        req.topics = Some(vec![t]);
        let resp = self.try_call(12, &req)?;
        let mut parts: Vec<_> = resp.topics.first().map(|t| t.partitions.iter().collect()).unwrap_or_default();
        parts.sort_by_key(|p| p.partition_index);
        let ids = |v: &[kafka_protocol::messages::BrokerId]| v.iter().map(|b| b.0).collect();
        Ok(parts
            .into_iter()
            .map(|p| PartitionMeta {
                leader: p.leader_id.0,
                leader_epoch: p.leader_epoch,
                replicas: ids(&p.replica_nodes),
                isr: ids(&p.isr_nodes),
                offline: ids(&p.offline_replicas),
            })
            .collect())
    }

    /// DescribeQuorum v2 of `__cluster_metadata` partition 0.
    pub fn describe_quorum(&mut self) -> std::io::Result<kafka_protocol::messages::DescribeQuorumResponse> {
        use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
        use kafka_protocol::messages::{DescribeQuorumRequest, TopicName};
        let mut p = PartitionData::default();
        p.partition_index = 0;
        let mut t = TopicData::default();
        t.topic_name = TopicName(StrBytes::from_static_str("__cluster_metadata"));
        t.partitions = vec![p];
        let mut req = DescribeQuorumRequest::default();
        req.topics = vec![t];
        self.try_call(2, &req)
    }

    /// The record batches of one partition from `offset`, as stored (Fetch v12 by topic name,
    /// at most 1 MiB, no session).
    pub fn fetch_records(&mut self, topic: &str, partition: i32, offset: i64) -> Bytes {
        let part = self.fetch_partition(topic, partition, offset, 100);
        assert_eq!(part.error_code, 0, "{part:?}");
        part.records.unwrap_or_default()
    }

    /// A consumer's Fetch v12 of one partition by topic name (at most 1 MiB, no session,
    /// waiting up to `max_wait_ms` for one byte): the partition's answer.
    pub fn fetch_partition(
        &mut self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_wait_ms: i32,
    ) -> kafka_protocol::messages::fetch_response::PartitionData {
        use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
        use kafka_protocol::messages::{FetchRequest, TopicName};
        let mut p = FetchPartition::default();
        p.partition = partition;
        p.fetch_offset = offset;
        p.partition_max_bytes = 1 << 20;
        let mut t = FetchTopic::default();
        t.topic = TopicName(StrBytes::from_string(topic.to_string()));
        t.partitions = vec![p];
        let mut req = FetchRequest::default();
        req.max_wait_ms = max_wait_ms;
        req.min_bytes = 1;
        req.max_bytes = 1 << 20;
        req.session_epoch = -1;
        req.topics = vec![t];
        let mut resp = self.call(12, &req);
        resp.responses.swap_remove(0).partitions.swap_remove(0)
    }
}

/// The attributes of each whole record batch in `records` (bits 0-2: the compression codec).
pub fn batch_attributes(records: &[u8]) -> Vec<i16> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 23 <= records.len() {
        let size = 12 + i32::from_be_bytes(records[pos + 8..pos + 12].try_into().unwrap()) as usize;
        if pos + size > records.len() {
            break;
        }
        out.push(i16::from_be_bytes(records[pos + 21..pos + 23].try_into().unwrap()));
        pos += size;
    }
    out
}
