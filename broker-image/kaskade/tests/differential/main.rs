//! Differential tests: the same raw Kafka-protocol requests go to Apache Kafka 4.4 (one
//! single-node KRaft peer for the whole test binary, started with `e2e/peers/kafka/start.sh`)
//! and to Kaskade (one broker per test), and the answers are compared after normalising only
//! what legitimately differs: cluster ids, topic ids, advertised hosts and ports, throttle times
//! and the wording of error messages (their presence is still compared; wording differences are
//! printed), plus the order of Metadata topics and ListOffsets partitions and the partial batch
//! Kafka may append to Fetch records. A failed comparison prints a line diff and both answers.
//! Where Kaskade deliberately answers differently the test asserts each broker's own behaviour
//! and `docs/compatibility.md` says why.
//!
//! One module per area: `api_versions`, `metadata`, `topics` (CreateTopics, DeleteTopics),
//! `produce`, `compaction`, `fetch` (Fetch, ListOffsets), `cluster` (DescribeCluster,
//! DescribeTopicPartitions), `admin` (configs, partitions, records, log dirs) and `groups` (the
//! group coordinator, with its own pair that also normalises member ids). This file holds what
//! they share: the pair of brokers, the normalisation, the request builders.
//!
//! Set `KASKADE_DIFF_KAFKA=host:port` to use a Kafka that is already running (topic names are
//! unique per run, so a peer can be reused).

mod admin;
mod api_versions;
mod cluster;
mod compaction;
mod fetch;
mod groups;
mod metadata;
mod produce;
mod topics;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::create_topics_request::{CreatableReplicaAssignment, CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, BrokerId, CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest,
    DeleteTopicsResponse, DescribeClusterRequest, DescribeClusterResponse, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse,
    FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse, MetadataRequest, MetadataResponse, ProduceRequest,
    ProduceResponse, ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, Message, Request, StrBytes};
use kafka_protocol::records::Compression;
use kafka_protocol::ResponseError;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{wait_for, BrokerProc};

/// No error (Kafka's `Errors.NONE`, which `ResponseError` has no variant for).
const NONE: i16 = 0;

// ---------------------------------------------------------------------------------------------
// The Kafka peer: started once per test binary, stopped by a watchdog when this process exits.
// ---------------------------------------------------------------------------------------------

/// Our broker joins group members at once, as the Kafka peer does (the group tests).
use kaskade_testkit::kafka_peer::GROUP_DELAY_ZERO as DELAY_ZERO;

/// Bootstrap address of the shared Apache Kafka peer.
fn kafka() -> &'static str {
    kaskade_testkit::kafka_peer::shared()
}

/// A topic name unique to this test run (so a reused Kafka peer never sees it twice).
fn unique(name: &str) -> String {
    static RUN: OnceLock<String> = OnceLock::new();
    let run = RUN.get_or_init(|| {
        format!(
            "{:x}",
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() % 0xffff_ffff
        )
    });
    format!("diff-{run}-{name}")
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// One connection to each broker: Kafka (shared) and a fresh Kaskade.
struct Pair {
    kafka: RawClient,
    kaskade: RawClient,
    _broker: BrokerProc,
}

impl Pair {
    fn new() -> Pair {
        let kafka_addr = kafka();
        let broker = BrokerProc::start(&[]);
        Pair {
            kafka: RawClient::connect(kafka_addr),
            kaskade: RawClient::connect(&broker.bootstrap()),
            _broker: broker,
        }
    }

    /// The same request to both: (Kafka's answer, Kaskade's answer).
    fn both<R: Request>(&mut self, version: i16, req: &R) -> (R::Response, R::Response) {
        (self.kafka.call(version, req), self.kaskade.call(version, req))
    }

    /// A request per broker (when it names broker-specific things such as topic ids).
    fn each<R: Request>(&mut self, version: i16, kafka_req: &R, kaskade_req: &R) -> (R::Response, R::Response) {
        (self.kafka.call(version, kafka_req), self.kaskade.call(version, kaskade_req))
    }

    /// Creates a topic on both and waits until Kafka's partitions can be written and read.
    fn create(&mut self, name: &str, partitions: i32, configs: &[(&str, &str)]) {
        let req = create_req(vec![creatable(name, partitions, 1, configs)], false);
        let (a, b) = self.both(7, &req);
        for (who, r) in [("Kafka", &a), ("Kaskade", &b)] {
            assert_eq!(r.topics[0].error_code, NONE, "{who} create {name}: {:?}", r.topics[0]);
        }
        self.wait_ready(name, partitions);
    }

    /// Kafka's metadata cache may show a new topic a moment before its partitions are led;
    /// ListOffsets goes through the replica manager, so it answers NONE only once they are.
    fn wait_ready(&mut self, name: &str, partitions: i32) {
        let parts: Vec<(i32, i64)> = (0..partitions).map(|p| (p, -1)).collect();
        let req = list_offsets_req(name, &parts);
        for client in [&mut self.kafka, &mut self.kaskade] {
            let ok = wait_for(Duration::from_secs(20), || {
                let r = client.call(7, &req);
                r.topics[0].partitions.iter().all(|p| p.error_code == NONE).then_some(())
            });
            assert!(ok.is_some(), "topic {name} did not become ready");
        }
    }

    /// The topic as each broker's Metadata v12 describes it (for its topic id).
    fn describe(&mut self, name: &str) -> (MetadataResponseTopic, MetadataResponseTopic) {
        let (a, b) = self.both(12, &metadata_req(Some(&[name]), false));
        (a.topics[0].clone(), b.topics[0].clone())
    }

    /// Produces one batch to both; returns the base offsets (Kafka, Kaskade).
    fn produce(&mut self, topic: &str, partition: i32, records: Bytes) -> (i64, i64) {
        let (a, b) = self.both(9, &produce_req(topic, partition, records, -1));
        let pa = &a.responses[0].partition_responses[0];
        let pb = &b.responses[0].partition_responses[0];
        assert_eq!(pa.error_code, NONE, "Kafka produce: {pa:?}");
        assert_eq!(pb.error_code, NONE, "Kaskade produce: {pb:?}");
        (pa.base_offset, pb.base_offset)
    }
}

// ---------------------------------------------------------------------------------------------
// Normalising and comparing answers.
// ---------------------------------------------------------------------------------------------

/// What a non-nil topic id becomes after normalising (ids are random per broker).
const SOME_TOPIC_ID: &str = "00000000-0000-0000-0000-0000000000ff";

/// Replaces what legitimately differs between two brokers; error messages are moved into
/// `messages` (their presence stays visible as `"<message>"`).
trait Normalise: Debug + Clone {
    fn normalise(&mut self, messages: &mut Vec<String>);
}

fn scrub_message(m: &mut Option<StrBytes>, messages: &mut Vec<String>) {
    if let Some(text) = m.take() {
        messages.push(text.to_string());
        *m = Some(StrBytes::from_static_str("<message>"));
    }
}

fn scrub_host(host: &mut StrBytes, port: &mut i32) {
    *host = StrBytes::from_static_str("<host>");
    *port = 0;
}

macro_rules! scrub_id {
    ($id:expr) => {
        if !$id.is_nil() {
            $id = SOME_TOPIC_ID.parse().unwrap();
        }
    };
}

impl Normalise for MetadataResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for b in &mut self.brokers {
            scrub_host(&mut b.host, &mut b.port);
        }
        if self.cluster_id.is_some() {
            self.cluster_id = Some(StrBytes::from_static_str("<cluster>"));
        }
        // Kafka lists existing topics before unknown ones; the order carries no meaning.
        self.topics.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.topics {
            scrub_id!(t.topic_id);
        }
    }
}

impl Normalise for CreateTopicsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for t in &mut self.topics {
            scrub_id!(t.topic_id);
            scrub_message(&mut t.error_message, messages);
            if let Some(c) = &mut t.configs {
                c.sort_by(|a, b| a.name.cmp(&b.name));
                for c in c.iter_mut() {
                    normalise_config_source(c.name.as_str(), &mut c.config_source);
                }
            }
        }
    }
}

/// Kafka 4.4's storage format writes `min.insync.replicas=1` as a cluster-wide dynamic default
/// (source 3, DYNAMIC_DEFAULT_BROKER_CONFIG); Kaskade has no dynamic configs and reports
/// Kafka's built-in default (source 5) for the same value.
fn normalise_config_source(name: &str, source: &mut i8) {
    if name == "min.insync.replicas" && *source == 3 {
        *source = 5;
    }
}

impl Normalise for DeleteTopicsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for t in &mut self.responses {
            scrub_id!(t.topic_id);
            scrub_message(&mut t.error_message, messages);
        }
    }
}

impl Normalise for ProduceResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for e in &mut self.node_endpoints {
            scrub_host(&mut e.host, &mut e.port);
        }
        for t in &mut self.responses {
            scrub_id!(t.topic_id);
            for p in &mut t.partition_responses {
                scrub_message(&mut p.error_message, messages);
                for r in &mut p.record_errors {
                    scrub_message(&mut r.batch_index_error_message, messages);
                }
            }
        }
    }
}

impl Normalise for FetchResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for e in &mut self.node_endpoints {
            scrub_host(&mut e.host, &mut e.port);
        }
        for t in &mut self.responses {
            scrub_id!(t.topic_id);
            for p in &mut t.partitions {
                // Kafka sends a raw slice of the log that may end in part of a batch; Kaskade
                // sends whole batches (see fetch_size_limits and docs/compatibility.md).
                if let Some(r) = &mut p.records {
                    *r = r.slice(..whole_batches_len(r));
                }
            }
        }
    }
}

/// The length of the whole record batches at the start of `records`.
fn whole_batches_len(records: &[u8]) -> usize {
    let mut pos = 0;
    while records.len() >= pos + 12 {
        let size = 12 + i32::from_be_bytes(records[pos + 8..pos + 12].try_into().unwrap()) as usize;
        if records.len() < pos + size {
            break;
        }
        pos += size;
    }
    pos
}

impl Normalise for ListOffsetsResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        // Kafka answers partitions in its own (hash) order; clients match them by index.
        self.topics.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.topics {
            t.partitions.sort_by_key(|p| p.partition_index);
        }
    }
}

impl Normalise for DescribeClusterResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        self.cluster_id = StrBytes::from_static_str("<cluster>");
        scrub_message(&mut self.error_message, messages);
        for b in &mut self.brokers {
            scrub_host(&mut b.host, &mut b.port);
        }
    }
}

impl Normalise for DescribeTopicPartitionsResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for t in &mut self.topics {
            scrub_id!(t.topic_id);
        }
    }
}

/// Asserts that the two answers are the same after normalising; prints both and a line diff
/// when not. Error-message wording differences are printed, not failed. Returns Kafka's answer,
/// normalised.
#[track_caller]
fn same<T: Normalise>(what: &str, kafka: &T, kaskade: &T) -> T {
    let (mut a, mut b) = (kafka.clone(), kaskade.clone());
    let (mut ma, mut mb) = (Vec::new(), Vec::new());
    a.normalise(&mut ma);
    b.normalise(&mut mb);
    let (sa, sb) = (format!("{a:#?}"), format!("{b:#?}"));
    if sa != sb {
        panic!(
            "{what}: Kaskade's answer differs from Kafka's\n--- diff (- Kafka, + Kaskade)\n{}\n--- Kafka\n{sa}\n--- Kaskade\n{sb}",
            kaskade_testkit::compare::line_diff(&sa, &sb)
        );
    }
    if ma != mb {
        eprintln!("{what}: error message wording differs\n  Kafka:   {ma:?}\n  Kaskade: {mb:?}");
    }
    a
}

// ---------------------------------------------------------------------------------------------
// Requests and record batches.
// ---------------------------------------------------------------------------------------------

fn tn(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_string()))
}

fn metadata_req(topics: Option<&[&str]>, allow_auto_create: bool) -> MetadataRequest {
    let mut r = MetadataRequest::default();
    r.topics = topics.map(|ts| {
        ts.iter()
            .map(|t| {
                let mut m = MetadataRequestTopic::default();
                m.name = Some(tn(t));
                m
            })
            .collect()
    });
    r.allow_auto_topic_creation = allow_auto_create;
    r
}

fn creatable(name: &str, partitions: i32, rf: i16, configs: &[(&str, &str)]) -> CreatableTopic {
    let mut t = CreatableTopic::default();
    t.name = tn(name);
    t.num_partitions = partitions;
    t.replication_factor = rf;
    t.configs = configs
        .iter()
        .map(|(k, v)| {
            let mut c = CreatableTopicConfig::default();
            c.name = StrBytes::from_string(k.to_string());
            c.value = Some(StrBytes::from_string(v.to_string()));
            c
        })
        .collect();
    t
}

fn create_req(topics: Vec<CreatableTopic>, validate_only: bool) -> CreateTopicsRequest {
    let mut r = CreateTopicsRequest::default();
    r.topics = topics;
    r.timeout_ms = 30_000;
    r.validate_only = validate_only;
    r
}

/// One uncompressed magic-2 batch.
fn batch(values: &[&[u8]], base_ts: i64) -> Bytes {
    kaskade_testkit::batches::batch(values, base_ts, Compression::None)
}

/// A legacy magic-1 message set of one message (the encoder only writes magic 2):
/// offset, size, CRC-32 (IEEE, over magic..end), magic, attributes, timestamp, key, value.
fn magic1_message(key: &[u8], value: &[u8], ts: i64) -> Bytes {
    let mut body = BytesMut::new();
    body.put_i8(1);
    body.put_i8(0);
    body.put_i64(ts);
    body.put_i32(key.len() as i32);
    body.put_slice(key);
    body.put_i32(value.len() as i32);
    body.put_slice(value);
    let mut m = BytesMut::new();
    m.put_i64(0);
    m.put_i32(4 + body.len() as i32);
    m.put_u32(kafka_protocol::records::IEEE.checksum(&body));
    m.put_slice(&body);
    m.freeze()
}

fn produce_req(topic: &str, partition: i32, records: Bytes, acks: i16) -> ProduceRequest {
    let mut p = PartitionProduceData::default();
    p.index = partition;
    p.records = Some(records);
    let mut t = TopicProduceData::default();
    t.name = tn(topic);
    t.partition_data = vec![p];
    let mut r = ProduceRequest::default();
    r.acks = acks;
    r.timeout_ms = 30_000;
    r.topic_data = vec![t];
    r
}

/// A full (sessionless) fetch of `(partition, offset, partition_max_bytes)` of one topic, named
/// by name (v < 13) or by the given id.
fn fetch_req(version: i16, topic: &str, id: Option<&MetadataResponseTopic>, parts: &[(i32, i64, i32)]) -> FetchRequest {
    let mut t = FetchTopic::default();
    if version >= 13 {
        t.topic_id = id.expect("v13+ fetches by topic id").topic_id;
    } else {
        t.topic = tn(topic);
    }
    t.partitions = parts
        .iter()
        .map(|(p, offset, max)| {
            let mut fp = FetchPartition::default();
            fp.partition = *p;
            fp.fetch_offset = *offset;
            fp.partition_max_bytes = *max;
            if version < 18 {
                fp.high_watermark = i64::MAX;
            }
            fp
        })
        .collect();
    let mut r = FetchRequest::default();
    r.max_wait_ms = 100;
    r.min_bytes = 1;
    r.max_bytes = 50 * 1024 * 1024;
    r.session_id = 0;
    r.session_epoch = -1;
    r.topics = vec![t];
    r
}

fn list_offsets_req(topic: &str, parts: &[(i32, i64)]) -> ListOffsetsRequest {
    let mut t = ListOffsetsTopic::default();
    t.name = tn(topic);
    t.partitions = parts
        .iter()
        .map(|(p, ts)| {
            let mut lp = ListOffsetsPartition::default();
            lp.partition_index = *p;
            lp.timestamp = *ts;
            lp
        })
        .collect();
    let mut r = ListOffsetsRequest::default();
    r.replica_id = BrokerId(-1);
    r.topics = vec![t];
    r
}

/// The high watermark of `partition` as ListOffsets(latest) reports it: (Kafka, Kaskade).
fn latest(pair: &mut Pair, topic: &str, partition: i32) -> (i64, i64) {
    let (a, b) = pair.both(7, &list_offsets_req(topic, &[(partition, -1)]));
    (a.topics[0].partitions[0].offset, b.topics[0].partitions[0].offset)
}
