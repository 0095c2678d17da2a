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
//! Set `KASKADE_DIFF_KAFKA=host:port` to use a Kafka that is already running (topic names are
//! unique per run, so a peer can be reused).

#[path = "differential/admin.rs"]
mod admin;
mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use common::raw::RawClient;
use common::{wait_for, BrokerProc};
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

// Kafka error codes used below.
const NONE: i16 = 0;
const OFFSET_OUT_OF_RANGE: i16 = 1;
const CORRUPT_MESSAGE: i16 = 2;
const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
const MESSAGE_TOO_LARGE: i16 = 10;
const INVALID_TOPIC_EXCEPTION: i16 = 17;
const INVALID_REQUIRED_ACKS: i16 = 21;
const UNSUPPORTED_VERSION: i16 = 35;
const TOPIC_ALREADY_EXISTS: i16 = 36;
const INVALID_PARTITIONS: i16 = 37;
const INVALID_REPLICATION_FACTOR: i16 = 38;
const INVALID_REPLICA_ASSIGNMENT: i16 = 39;
const INVALID_CONFIG: i16 = 40;
const INVALID_REQUEST: i16 = 42;
const UNKNOWN_LEADER_EPOCH: i16 = 75;
const INVALID_RECORD: i16 = 87;
const UNKNOWN_TOPIC_ID: i16 = 100;
const MISMATCHED_ENDPOINT_TYPE: i16 = 114;
const UNSUPPORTED_ENDPOINT_TYPE: i16 = 115;

// ---------------------------------------------------------------------------------------------
// The Kafka peer: started once per test binary, stopped by a watchdog when this process exits.
// ---------------------------------------------------------------------------------------------

/// Bootstrap address of the shared Apache Kafka peer (Kafka's defaults).
fn kafka() -> &'static str {
    common::kafka_peer::shared(&[])
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
            common::compare::line_diff(&sa, &sb)
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
    common::batches::batch(values, base_ts, Compression::None)
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

// ---------------------------------------------------------------------------------------------
// ApiVersions
// ---------------------------------------------------------------------------------------------

#[test]
fn api_versions_ranges() {
    let mut pair = Pair::new();
    // The APIs this suite compares; Kaskade may serve more (each is checked the same way).
    let compared = [
        ApiKey::Produce,
        ApiKey::Fetch,
        ApiKey::ListOffsets,
        ApiKey::Metadata,
        ApiKey::ApiVersions,
        ApiKey::CreateTopics,
        ApiKey::DeleteTopics,
        ApiKey::DescribeCluster,
        ApiKey::DescribeTopicPartitions,
        ApiKey::DescribeConfigs,
        ApiKey::CreatePartitions,
        ApiKey::AlterConfigs,
        ApiKey::IncrementalAlterConfigs,
        ApiKey::DeleteRecords,
        ApiKey::OffsetForLeaderEpoch,
        ApiKey::DescribeLogDirs,
        ApiKey::FindCoordinator,
        ApiKey::JoinGroup,
        ApiKey::SyncGroup,
        ApiKey::Heartbeat,
        ApiKey::LeaveGroup,
        ApiKey::OffsetCommit,
        ApiKey::OffsetFetch,
        ApiKey::OffsetDelete,
        ApiKey::DescribeGroups,
        ApiKey::ListGroups,
        ApiKey::DeleteGroups,
    ];
    for version in 0..=4 {
        let mut req = ApiVersionsRequest::default();
        if version >= 3 {
            req.client_software_name = StrBytes::from_static_str("kaskade-differential");
            req.client_software_version = StrBytes::from_static_str("1.0");
        }
        let (a, b) = pair.both(version, &req);
        assert_eq!((a.error_code, b.error_code), (NONE, NONE), "ApiVersions v{version}");
        let range =
            |r: &ApiVersionsResponse, key: i16| r.api_keys.iter().find(|k| k.api_key == key).map(|k| (k.min_version, k.max_version));
        for key in compared {
            assert!(range(&b, key as i16).is_some(), "Kaskade does not advertise {key:?}");
        }
        let mut notes = Vec::new();
        for entry in &b.api_keys {
            let key = ApiKey::try_from(entry.api_key).expect("a known API key");
            let kaskade = (entry.min_version, entry.max_version);
            let kafka = range(&a, entry.api_key).unwrap_or_else(|| panic!("Kafka does not serve {key:?}"));
            assert_eq!(
                kaskade.0, kafka.0,
                "v{version}: {key:?} min version: Kaskade {kaskade:?}, Kafka {kafka:?}"
            );
            let crate_max = key.valid_versions().max;
            assert!(
                kaskade.1 <= crate_max,
                "v{version}: {key:?} max {} above the crate's {crate_max}",
                kaskade.1
            );
            if kaskade.1 != kafka.1 {
                notes.push(format!("{key:?}: Kafka {kafka:?}, Kaskade {kaskade:?}"));
            }
        }
        if version == 0 && !notes.is_empty() {
            eprintln!("max versions that differ from Kafka 4.4: {notes:?}");
        }
        // Fields that exist from v3 on: Kafka advertises its features, Kaskade none (see
        // docs/compatibility.md); both use -1 for "no finalized features epoch" only when none.
        if version >= 3 {
            assert!(!a.supported_features.is_empty(), "Kafka lists its supported features");
            assert!(b.supported_features.is_empty() && b.finalized_features.is_empty());
            assert_eq!(b.finalized_features_epoch, -1);
            assert!(!a.zk_migration_ready && !b.zk_migration_ready);
        }
    }
}

/// An ApiVersions request of a version the broker does not know: the broker answers in the v0
/// format with UNSUPPORTED_VERSION and its own ApiVersions range, so the client can retry.
#[test]
fn api_versions_unknown_version_falls_back_to_v0() {
    let mut pair = Pair::new();
    let frame = |correlation: i32| {
        let mut f = BytesMut::new();
        f.put_i32(0);
        f.put_i16(ApiKey::ApiVersions as i16);
        f.put_i16(127);
        f.put_i32(correlation);
        let client = b"kaskade-raw-test";
        f.put_i16(client.len() as i16);
        f.put_slice(client);
        f.put_u8(0); // header tagged fields (header v2)
        f.put_u8(1); // client_software_name: empty compact string
        f.put_u8(1); // client_software_version: empty compact string
        f.put_u8(0); // body tagged fields
        let size = (f.len() - 4) as i32;
        f[..4].copy_from_slice(&size.to_be_bytes());
        f
    };
    let mut answers = Vec::new();
    for (who, client) in [("Kafka", &mut pair.kafka), ("Kaskade", &mut pair.kaskade)] {
        client.send_bytes(&frame(4242)).expect("send");
        let body = client
            .read_frame()
            .unwrap_or_else(|e| panic!("{who} did not answer ApiVersions v127: {e}"));
        let mut buf = body.clone();
        let header = ResponseHeader::decode(&mut buf, 0).expect("v0 response header");
        assert_eq!(header.correlation_id, 4242, "{who}");
        let resp = ApiVersionsResponse::decode(&mut buf, 0).expect("v0 ApiVersions response");
        assert!(!buf.has_remaining(), "{who}: trailing bytes after a v0 body");
        assert_eq!(resp.error_code, UNSUPPORTED_VERSION, "{who}");
        assert!(
            resp.api_keys.iter().any(|k| k.api_key == ApiKey::ApiVersions as i16),
            "{who}: {resp:?}"
        );
        answers.push(body);
    }
    // Byte for byte the same, except the ApiVersions max version (the last two bytes): Kafka
    // 4.4 knows v5, Kaskade serves what the protocol crate knows.
    let (a, b) = (&answers[0], &answers[1]);
    assert_eq!(a.len(), b.len(), "v0 fallback answers: Kafka {a:?}, Kaskade {b:?}");
    let n = a.len() - 2;
    assert_eq!(a[..n], b[..n], "v0 fallback answers: Kafka {a:?}, Kaskade {b:?}");
    let max = |f: &Bytes| i16::from_be_bytes([f[n], f[n + 1]]);
    assert_eq!(max(b), ApiVersionsRequest::VERSIONS.max, "Kaskade's ApiVersions max");
    assert!(max(a) >= max(b), "Kafka's ApiVersions max {} is below Kaskade's {}", max(a), max(b));
}

// ---------------------------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------------------------

#[test]
fn metadata_unknown_topic_without_auto_create() {
    let mut pair = Pair::new();
    let missing = unique("md-missing");
    for version in [4, 9, 10, 12, 13] {
        let (a, b) = pair.both(version, &metadata_req(Some(&[&missing]), false));
        let k = same(&format!("Metadata v{version} unknown topic"), &a, &b);
        assert_eq!(k.topics[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
    }
    // Nothing was created by asking.
    let (a, b) = pair.both(12, &metadata_req(Some(&[&missing]), false));
    same("Metadata after asking", &a, &b);
    assert_eq!(a.topics[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
}

/// Known difference: Kafka 4.4 answers UNKNOWN_TOPIC_OR_PARTITION (older Kafka answered
/// LEADER_NOT_AVAILABLE) while it asks the controller to create the topic, and the client
/// retries; Kaskade creates it synchronously and answers NONE with its partitions. Once Kafka
/// has created it, both describe the same topic.
#[test]
fn metadata_auto_create() {
    let mut pair = Pair::new();
    for (version, label) in [(12, "v12"), (1, "v1")] {
        let topic = unique(&format!("md-auto-{label}"));
        let (a, b) = pair.both(version, &metadata_req(Some(&[&topic]), true));
        let (ka, kb) = (&a.topics[0], &b.topics[0]);
        assert_eq!(ka.error_code, UNKNOWN_TOPIC_OR_PARTITION, "Kafka {label}: {ka:?}");
        assert!(ka.partitions.is_empty(), "Kafka {label}: {ka:?}");
        assert_eq!(kb.error_code, NONE, "Kaskade {label}: {kb:?}");
        assert_eq!(kb.partitions.len(), 1, "Kaskade {label}: {kb:?}");
        pair.wait_ready(&topic, 1);
        let (a, b) = pair.both(version, &metadata_req(Some(&[&topic]), version < 4));
        let k = same(&format!("Metadata {label} after auto-creation"), &a, &b);
        assert_eq!(k.topics[0].error_code, NONE);
        assert_eq!(k.topics[0].partitions.len(), 1);
    }
}

#[test]
fn metadata_invalid_topic_names() {
    let mut pair = Pair::new();
    let long = "x".repeat(250);
    for name in ["bad name!", "..", "é", long.as_str()] {
        for auto in [false, true] {
            let (a, b) = pair.both(12, &metadata_req(Some(&[name]), auto));
            let k = same(&format!("Metadata {name:?} auto={auto}"), &a, &b);
            assert_eq!(k.topics[0].error_code, INVALID_TOPIC_EXCEPTION, "{name:?}");
        }
    }
}

#[test]
fn metadata_versions_and_topic_lists() {
    let mut pair = Pair::new();
    let topic = unique("md-versions");
    pair.create(&topic, 3, &[]);
    for version in [1, 4, 9, 12, 13] {
        let (a, b) = pair.both(version, &metadata_req(Some(&[&topic]), version < 4));
        let k = same(&format!("Metadata v{version}"), &a, &b);
        assert_eq!(k.topics[0].partitions.len(), 3);
        // An empty list asks for no topics (v1+), brokers and cluster only.
        let (a, b) = pair.both(version, &metadata_req(Some(&[]), version < 4));
        let k = same(&format!("Metadata v{version} empty topic list"), &a, &b);
        assert!(k.topics.is_empty());
        // Null asks for all topics: the shared Kafka holds other tests' topics, so compare ours.
        let (mut a, mut b) = pair.both(version, &metadata_req(None, version < 4));
        for r in [&mut a, &mut b] {
            r.topics.retain(|t| t.name.as_ref().is_some_and(|n| n.0.as_str() == topic));
        }
        let k = same(&format!("Metadata v{version} all topics (ours)"), &a, &b);
        assert_eq!(k.topics.len(), 1);
    }
}

#[test]
fn metadata_by_topic_id() {
    let mut pair = Pair::new();
    let topic = unique("md-by-id");
    pair.create(&topic, 2, &[]);
    let (ta, tb) = pair.describe(&topic);
    assert!(!ta.topic_id.is_nil() && !tb.topic_id.is_nil());
    let by_id = |t: &MetadataResponseTopic| {
        let mut m = MetadataRequestTopic::default();
        m.topic_id = t.topic_id;
        m.name = None;
        let mut r = MetadataRequest::default();
        r.topics = Some(vec![m]);
        r.allow_auto_topic_creation = false;
        r
    };
    let mut unknown = MetadataResponseTopic::default();
    unknown.topic_id = "6c0b6f3c-4a8e-4f6d-9d55-2f5a3e1b7c11".parse().unwrap();
    for version in [10, 12, 13] {
        let (a, b) = pair.each(version, &by_id(&ta), &by_id(&tb));
        same(&format!("Metadata v{version} by known topic id"), &a, &b);
        let (a, b) = pair.both(version, &by_id(&unknown));
        same(&format!("Metadata v{version} by unknown topic id"), &a, &b);
    }
}

// ---------------------------------------------------------------------------------------------
// CreateTopics and DeleteTopics
// ---------------------------------------------------------------------------------------------

/// Each rejected topic: the same error code (and a message) on both, at v4 and v7.
#[test]
fn create_topics_rejections() {
    let mut pair = Pair::new();
    let existing = unique("ct-existing");
    pair.create(&existing, 1, &[]);
    let with_assignment = |name: &str, partitions: i32, rf: i16, assignment: &[(i32, &[i32])]| {
        let mut t = creatable(name, partitions, rf, &[]);
        t.assignments = assignment
            .iter()
            .map(|(p, brokers)| {
                let mut a = CreatableReplicaAssignment::default();
                a.partition_index = *p;
                a.broker_ids = brokers.iter().map(|b| BrokerId(*b)).collect();
                a
            })
            .collect();
        t
    };
    let cases: Vec<(&str, CreatableTopic, i16)> = vec![
        ("zero partitions", creatable(&unique("ct-p0"), 0, 1, &[]), INVALID_PARTITIONS),
        ("negative partitions", creatable(&unique("ct-p-5"), -5, 1, &[]), INVALID_PARTITIONS),
        (
            "zero replication factor",
            creatable(&unique("ct-rf0"), 1, 0, &[]),
            INVALID_REPLICATION_FACTOR,
        ),
        (
            "replication factor 3",
            creatable(&unique("ct-rf3"), 1, 3, &[]),
            INVALID_REPLICATION_FACTOR,
        ),
        ("existing topic", creatable(&existing, 1, 1, &[]), TOPIC_ALREADY_EXISTS),
        ("invalid name", creatable("bad name!", 1, 1, &[]), INVALID_TOPIC_EXCEPTION),
        ("name '..'", creatable("..", 1, 1, &[]), INVALID_TOPIC_EXCEPTION),
        ("name '.'", creatable(".", 1, 1, &[]), INVALID_TOPIC_EXCEPTION),
        ("empty name", creatable("", 1, 1, &[]), INVALID_TOPIC_EXCEPTION),
        (
            "name of 250 characters",
            creatable(&"n".repeat(250), 1, 1, &[]),
            INVALID_TOPIC_EXCEPTION,
        ),
        (
            "unknown config",
            creatable(&unique("ct-unknown-config"), 1, 1, &[("no.such.config", "1")]),
            INVALID_CONFIG,
        ),
        (
            "invalid config value",
            creatable(&unique("ct-bad-value"), 1, 1, &[("retention.ms", "soon")]),
            INVALID_CONFIG,
        ),
        (
            "config value below minimum",
            creatable(&unique("ct-low-value"), 1, 1, &[("segment.bytes", "10")]),
            INVALID_CONFIG,
        ),
        (
            "assignment with partitions set",
            with_assignment(&unique("ct-assign-np"), 1, -1, &[(0, &[1])]),
            INVALID_REQUEST,
        ),
        (
            "assignment to an unknown broker",
            with_assignment(&unique("ct-assign-99"), -1, -1, &[(0, &[99])]),
            INVALID_REPLICA_ASSIGNMENT,
        ),
        (
            "assignment with replication factor set",
            with_assignment(&unique("ct-assign-rf"), -1, 1, &[(0, &[1])]),
            INVALID_REQUEST,
        ),
        (
            "assignment with an empty replica list",
            with_assignment(&unique("ct-assign-empty"), -1, -1, &[(0, &[1]), (1, &[])]),
            INVALID_REPLICA_ASSIGNMENT,
        ),
        (
            "assignment naming a broker twice",
            with_assignment(&unique("ct-assign-twice"), -1, -1, &[(0, &[1, 1])]),
            INVALID_REPLICA_ASSIGNMENT,
        ),
        (
            "partition assigned twice",
            with_assignment(&unique("ct-assign-dup"), -1, -1, &[(0, &[1]), (0, &[1])]),
            INVALID_REPLICA_ASSIGNMENT,
        ),
        (
            "assignment with a gap",
            with_assignment(&unique("ct-assign-gap"), -1, -1, &[(0, &[1]), (2, &[1])]),
            INVALID_REPLICA_ASSIGNMENT,
        ),
    ];
    for (what, topic, code) in cases {
        for version in [4, 7] {
            let (a, b) = pair.both(version, &create_req(vec![topic.clone()], false));
            let k = same(&format!("CreateTopics v{version} {what}"), &a, &b);
            assert_eq!(k.topics[0].error_code, code, "{what}: {k:?}");
        }
    }
}

#[test]
fn create_topics_duplicate_names_in_one_request() {
    let mut pair = Pair::new();
    let dup = unique("ct-dup");
    let other = unique("ct-dup-other");
    let req = create_req(
        vec![creatable(&dup, 1, 1, &[]), creatable(&other, 1, 1, &[]), creatable(&dup, 2, 1, &[])],
        false,
    );
    let (a, b) = pair.both(7, &req);
    let k = same("CreateTopics with a name given twice", &a, &b);
    let code = |n: &str| k.topics.iter().find(|t| t.name.0.as_str() == n).map(|t| t.error_code);
    assert_eq!(code(&dup), Some(INVALID_REQUEST));
    assert_eq!(code(&other), Some(NONE));
}

#[test]
fn create_topics_validate_only_creates_nothing() {
    let mut pair = Pair::new();
    let topic = unique("ct-validate");
    for version in [4, 7] {
        let req = create_req(vec![creatable(&topic, 3, 1, &[("retention.ms", "1000")])], true);
        let (a, b) = pair.both(version, &req);
        let k = same(&format!("CreateTopics v{version} validate_only"), &a, &b);
        assert_eq!(k.topics[0].error_code, NONE);
        let (a, b) = pair.both(12, &metadata_req(Some(&[&topic]), false));
        let k = same("Metadata after validate_only", &a, &b);
        assert_eq!(k.topics[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
    }
}

/// v5+ answers carry the partition count, replication factor and every topic config with its
/// value and source; the names and default values must match Kafka's.
#[test]
fn create_topics_reports_configs() {
    let mut pair = Pair::new();
    for (version, configs) in [
        (5, vec![]),
        (7, vec![]),
        (
            7,
            vec![
                ("retention.ms", "3600000"),
                ("cleanup.policy", "compact"),
                ("max.message.bytes", "2000"),
            ],
        ),
    ] {
        let topic = unique(&format!("ct-configs-v{version}-{}", configs.len()));
        let (a, b) = pair.both(version, &create_req(vec![creatable(&topic, 2, -1, &configs)], false));
        let (ca, cb) = (a.topics[0].configs.clone(), b.topics[0].configs.clone());
        let as_map = |c: Option<Vec<kafka_protocol::messages::create_topics_response::CreatableTopicConfigs>>| {
            c.unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    normalise_config_source(c.name.as_str(), &mut c.config_source);
                    let v = (c.value.map(|v| v.to_string()), c.read_only, c.config_source, c.is_sensitive);
                    (c.name.to_string(), v)
                })
                .collect::<BTreeMap<_, _>>()
        };
        let (ma, mb) = (as_map(ca), as_map(cb));
        let only_kafka: Vec<_> = ma.iter().filter(|(k, _)| !mb.contains_key(*k)).collect();
        let only_kaskade: Vec<_> = mb.iter().filter(|(k, _)| !ma.contains_key(*k)).collect();
        assert!(
            only_kafka.is_empty() && only_kaskade.is_empty(),
            "v{version}: config names differ: only Kafka {only_kafka:?}, only Kaskade {only_kaskade:?}"
        );
        let differ: Vec<_> = ma.iter().filter(|(k, v)| mb[*k] != **v).map(|(k, v)| (k, v, &mb[k])).collect();
        assert!(differ.is_empty(), "v{version}: (name, Kafka, Kaskade) differ: {differ:#?}");
        same(&format!("CreateTopics v{version} answer"), &a, &b);
        pair.wait_ready(&topic, 2);
    }
}

#[test]
fn create_topics_manual_assignment() {
    let mut pair = Pair::new();
    let topic = unique("ct-manual");
    let mut t = creatable(&topic, -1, -1, &[]);
    t.assignments = (0..3)
        .map(|p| {
            let mut a = CreatableReplicaAssignment::default();
            a.partition_index = p;
            a.broker_ids = vec![BrokerId(1)];
            a
        })
        .collect();
    let (a, b) = pair.both(7, &create_req(vec![t], false));
    let k = same("CreateTopics with a manual assignment", &a, &b);
    assert_eq!(
        (k.topics[0].error_code, k.topics[0].num_partitions, k.topics[0].replication_factor),
        (NONE, 3, 1)
    );
    pair.wait_ready(&topic, 3);
    let (a, b) = pair.both(12, &metadata_req(Some(&[&topic]), false));
    same("Metadata of a manually assigned topic", &a, &b);
}

#[test]
fn delete_topics_unknown() {
    let mut pair = Pair::new();
    let missing = unique("dt-missing");
    for version in 1..=5 {
        let mut req = DeleteTopicsRequest::default();
        req.topic_names = vec![tn(&missing)];
        req.timeout_ms = 30_000;
        let (a, b) = pair.both(version, &req);
        let k = same(&format!("DeleteTopics v{version} unknown name"), &a, &b);
        assert_eq!(k.responses[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
    }
    let state = |name: Option<&str>, id: &str| {
        let mut s = DeleteTopicState::default();
        s.name = name.map(tn);
        s.topic_id = id.parse().unwrap();
        let mut req = DeleteTopicsRequest::default();
        req.topics = vec![s];
        req.timeout_ms = 30_000;
        req
    };
    let (a, b) = pair.both(6, &state(None, "0b0d7e36-1111-4a35-9f55-0c1a4f3e2d01"));
    let k = same("DeleteTopics v6 unknown id", &a, &b);
    assert_eq!(k.responses[0].error_code, UNKNOWN_TOPIC_ID);
    let (a, b) = pair.both(6, &state(Some(&missing), "00000000-0000-0000-0000-000000000000"));
    let k = same("DeleteTopics v6 unknown name", &a, &b);
    assert_eq!(k.responses[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
}

#[test]
fn delete_topics_existing() {
    let mut pair = Pair::new();
    let by_name = unique("dt-by-name");
    let by_id = unique("dt-by-id");
    pair.create(&by_name, 1, &[]);
    pair.create(&by_id, 1, &[]);
    let mut req = DeleteTopicsRequest::default();
    req.topic_names = vec![tn(&by_name)];
    req.timeout_ms = 30_000;
    let (a, b) = pair.both(5, &req);
    let k = same("DeleteTopics v5 existing", &a, &b);
    assert_eq!(k.responses[0].error_code, NONE);
    let (ta, tb) = pair.describe(&by_id);
    let req_for = |t: &MetadataResponseTopic| {
        let mut s = DeleteTopicState::default();
        s.topic_id = t.topic_id;
        let mut req = DeleteTopicsRequest::default();
        req.topics = vec![s];
        req.timeout_ms = 30_000;
        req
    };
    let (a, b) = pair.each(6, &req_for(&ta), &req_for(&tb));
    let k = same("DeleteTopics v6 by id", &a, &b);
    assert_eq!(k.responses[0].error_code, NONE);
    for topic in [&by_name, &by_id] {
        let kafka_gone = wait_for(Duration::from_secs(20), || {
            let r = pair.kafka.call(12, &metadata_req(Some(&[topic]), false));
            (r.topics[0].error_code == UNKNOWN_TOPIC_OR_PARTITION).then_some(())
        });
        assert!(kafka_gone.is_some(), "Kafka still has {topic}");
        let (a, b) = pair.both(12, &metadata_req(Some(&[topic]), false));
        same("Metadata after delete", &a, &b);
    }
}

// ---------------------------------------------------------------------------------------------
// Produce
// ---------------------------------------------------------------------------------------------

#[test]
fn produce_offsets_across_versions() {
    let mut pair = Pair::new();
    let topic = unique("pr-offsets");
    pair.create(&topic, 2, &[]);
    let ts = now_ms() - 60_000;
    let mut expected = 0;
    for version in [3, 7, 8, 9, 11, 12] {
        let req = produce_req(&topic, 1, batch(&[b"a", b"b", b"c"], ts), -1);
        let (a, b) = pair.both(version, &req);
        let k = same(&format!("Produce v{version}"), &a, &b);
        let p = &k.responses[0].partition_responses[0];
        assert_eq!((p.error_code, p.base_offset), (NONE, expected), "v{version}: {p:?}");
        expected += 3;
    }
    // acks=1 answers the same way.
    let (a, b) = pair.both(9, &produce_req(&topic, 0, batch(&[b"x"], ts), 1));
    same("Produce acks=1", &a, &b);
    assert_eq!(latest(&mut pair, &topic, 1), (expected, expected));
    assert_eq!(latest(&mut pair, &topic, 0), (1, 1));
}

#[test]
fn produce_errors() {
    let mut pair = Pair::new();
    let topic = unique("pr-errors");
    pair.create(&topic, 1, &[("max.message.bytes", "1000")]);
    let ts = now_ms() - 60_000;
    let good = batch(&[b"one", b"two"], ts);
    let mut bad_crc = BytesMut::from(&good[..]);
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 0xff;
    let bad_crc = bad_crc.freeze();
    let big_value = vec![b'x'; 2000];
    let mut two_batches = BytesMut::from(&good[..]);
    two_batches.extend_from_slice(&batch(&[b"three"], ts));
    let cases: Vec<(&str, ProduceRequest, i16)> = vec![
        (
            "missing topic",
            produce_req(&unique("pr-missing"), 0, good.clone(), -1),
            UNKNOWN_TOPIC_OR_PARTITION,
        ),
        (
            "missing partition",
            produce_req(&topic, 7, good.clone(), -1),
            UNKNOWN_TOPIC_OR_PARTITION,
        ),
        ("bad CRC", produce_req(&topic, 0, bad_crc.clone(), -1), CORRUPT_MESSAGE),
        (
            "batch above max.message.bytes",
            produce_req(&topic, 0, batch(&[&big_value], ts), -1),
            MESSAGE_TOO_LARGE,
        ),
        ("two batches", produce_req(&topic, 0, two_batches.freeze(), -1), INVALID_RECORD),
        (
            "magic 1",
            produce_req(&topic, 0, magic1_message(b"k", b"old", ts), -1),
            INVALID_RECORD,
        ),
        ("acks=5", produce_req(&topic, 0, good.clone(), 5), INVALID_REQUIRED_ACKS),
        // Which check comes first when several fail.
        (
            "acks=5 to a missing topic",
            produce_req(&unique("pr-missing"), 0, good.clone(), 5),
            UNKNOWN_TOPIC_OR_PARTITION,
        ),
        (
            "acks=5 with magic 1",
            produce_req(&topic, 0, magic1_message(b"k", b"old", ts), 5),
            INVALID_RECORD,
        ),
        ("acks=5 with a bad CRC", produce_req(&topic, 0, bad_crc, 5), INVALID_REQUIRED_ACKS),
    ];
    for (what, req, code) in cases {
        for version in [3, 9, 12] {
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Produce v{version} {what}"), &a, &b);
            let p = &k.responses[0].partition_responses[0];
            assert_eq!(p.error_code, code, "{what}: {p:?}");
        }
        // Nothing was written.
        assert_eq!(latest(&mut pair, &topic, 0), (0, 0), "after {what}");
    }
    // Still writable afterwards.
    assert_eq!(pair.produce(&topic, 0, good), (0, 0));
}

/// A compacted topic refuses records without a key (Kafka's `LogValidator.validateKey`):
/// INVALID_RECORD, one record error per keyless record, and Kafka's summary message, word for
/// word; compressed batches are looked into too. Keyed batches are accepted.
#[test]
fn produce_keyless_records_to_a_compacted_topic() {
    let mut pair = Pair::new();
    let topic = unique("pr-compacted");
    pair.create(&topic, 1, &[("cleanup.policy", "compact")]);
    let ts = now_ms() - 60_000;
    let mut recs = common::batches::records(&[b"a", b"b", b"c", b"d", b"e"], ts, common::batches::Writer::Plain);
    recs[1].key = None;
    recs[3].key = None;
    for compression in [Compression::None, Compression::Gzip] {
        let keyless = common::batches::encode(&recs, compression);
        for version in [3, 9, 12] {
            let (a, b) = pair.both(version, &produce_req(&topic, 0, keyless.clone(), -1));
            let k = same(
                &format!("Produce v{version} keyless to a compacted topic ({compression:?})"),
                &a,
                &b,
            );
            let p = &k.responses[0].partition_responses[0];
            assert_eq!(p.error_code, INVALID_RECORD, "{p:?}");
            let (pa, pb) = (&a.responses[0].partition_responses[0], &b.responses[0].partition_responses[0]);
            assert_eq!(pb.error_message, pa.error_message, "message word for word");
            let indexes = |r: &kafka_protocol::messages::produce_response::PartitionProduceResponse| {
                r.record_errors
                    .iter()
                    .map(|e| (e.batch_index, e.batch_index_error_message.clone()))
                    .collect::<Vec<_>>()
            };
            if version >= 8 {
                assert_eq!(indexes(pb), indexes(pa), "record errors");
                assert_eq!(pa.record_errors.len(), 2, "{pa:?}");
            }
        }
    }
    assert_eq!(latest(&mut pair, &topic, 0), (0, 0), "nothing written");
    assert_eq!(pair.produce(&topic, 0, batch(&[b"keyed"], ts)), (0, 0));
}

/// Produce v13 names topics by id (KIP-516): each broker's own id, and an id nobody knows.
#[test]
fn produce_by_topic_id() {
    let mut pair = Pair::new();
    let topic = unique("pr-by-id");
    pair.create(&topic, 1, &[]);
    let (ta, tb) = pair.describe(&topic);
    let ts = now_ms() - 60_000;
    let by_id = |t: &MetadataResponseTopic| {
        let mut req = produce_req("", 0, batch(&[b"a", b"b"], ts), -1);
        req.topic_data[0].topic_id = t.topic_id;
        req
    };
    for expected in [0, 2] {
        let (a, b) = pair.each(13, &by_id(&ta), &by_id(&tb));
        let k = same("Produce v13 by topic id", &a, &b);
        let p = &k.responses[0].partition_responses[0];
        assert_eq!((p.error_code, p.base_offset), (NONE, expected), "{p:?}");
    }
    let mut unknown = MetadataResponseTopic::default();
    unknown.topic_id = "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706".parse().unwrap();
    let (a, b) = pair.both(13, &by_id(&unknown));
    let k = same("Produce v13 unknown topic id", &a, &b);
    assert_eq!(k.responses[0].partition_responses[0].error_code, UNKNOWN_TOPIC_ID);
    assert_eq!(latest(&mut pair, &topic, 0), (4, 4));
}

/// acks=0: no answer at all; the next request's answer is the next frame. A failed acks=0
/// produce closes the connection (Kafka's way of telling the client to refresh metadata).
#[test]
fn produce_acks_zero() {
    let mut pair = Pair::new();
    let topic = unique("pr-acks0");
    pair.create(&topic, 1, &[]);
    let ts = now_ms() - 60_000;
    for client in [&mut pair.kafka, &mut pair.kaskade] {
        let (_, frame) = client.frame(9, &produce_req(&topic, 0, batch(&[b"a", b"b"], ts), 0));
        client.send_bytes(&frame).expect("send acks=0 produce");
    }
    let hw = wait_for(Duration::from_secs(10), || {
        let hw = latest(&mut pair, &topic, 0);
        (hw == (2, 2)).then_some(hw)
    });
    assert_eq!(hw, Some((2, 2)), "acks=0 records are written");
    for (who, client) in [("Kafka", &mut pair.kafka), ("Kaskade", &mut pair.kaskade)] {
        let (_, frame) = client.frame(9, &produce_req(&unique("pr-acks0-missing"), 0, batch(&[b"a"], ts), 0));
        client.send_bytes(&frame).expect("send");
        assert!(client.is_closed(), "{who} closes the connection after a failed acks=0 produce");
    }
}

// ---------------------------------------------------------------------------------------------
// Log compaction
// ---------------------------------------------------------------------------------------------

/// A stored batch as a consumer sees it: (base offset, last offset delta, record count,
/// attributes, raw bytes) and its records (offset, key, value, timestamp).
type FetchedBatch = ((i64, i32, i32, i16, Bytes), Vec<(i64, Option<Bytes>, Option<Bytes>, i64)>);

/// Every batch of partition 0, fetched from offset 0 up to the high watermark (a fetch stops at
/// the end of a segment on both brokers).
fn fetch_all(client: &mut RawClient, topic: &str) -> Vec<FetchedBatch> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let r = client.call(12, &fetch_req(12, topic, None, &[(0, offset, 50 * 1024 * 1024)]));
        let p = &r.responses[0].partitions[0];
        let records = p.records.clone().unwrap_or_default();
        let records = records.slice(..whole_batches_len(&records));
        let before = out.len();
        decode_batches(&records, &mut out);
        match out.last() {
            Some(((base, delta, ..), _)) if out.len() > before => offset = base + *delta as i64 + 1,
            _ => return out,
        }
        if offset >= p.high_watermark {
            return out;
        }
    }
}

fn decode_batches(records: &Bytes, out: &mut Vec<FetchedBatch>) {
    let mut pos = 0;
    while pos < records.len() {
        let size = 12 + i32::from_be_bytes(records[pos + 8..pos + 12].try_into().unwrap()) as usize;
        let b = records.slice(pos..pos + size);
        let base = i64::from_be_bytes(b[..8].try_into().unwrap());
        let attributes = i16::from_be_bytes(b[21..23].try_into().unwrap());
        let delta = i32::from_be_bytes(b[23..27].try_into().unwrap());
        let count = i32::from_be_bytes(b[57..61].try_into().unwrap());
        let recs = if count == 0 {
            Vec::new()
        } else {
            let mut bytes = b.clone();
            let set = kafka_protocol::records::RecordBatchDecoder::decode(&mut bytes).expect("decodable batch");
            set.records.into_iter().map(|r| (r.offset, r.key, r.value, r.timestamp)).collect()
        };
        out.push(((base, delta, count, attributes, b), recs));
        pos += size;
    }
}

/// The same batches (updates of ten keys, tombstones among them, 1 MiB segments) to a compacted
/// topic on both brokers, uncompressed and gzip; once both cleaners have run, a fetch from offset
/// 0 returns the same batches (base offsets, last offset deltas, record counts) holding the same
/// records (offsets, keys, values, timestamps), and every uncompressed batch without a delete
/// horizon is byte-identical.
#[test]
fn compaction_leaves_the_same_batches_and_records() {
    let broker = BrokerProc::start(&["log.cleaner.backoff.ms=500"]);
    let mut pair = Pair {
        kafka: RawClient::connect(kafka()),
        kaskade: RawClient::connect(&broker.bootstrap()),
        _broker: broker,
    };
    let configs = [
        ("cleanup.policy", "compact"),
        ("segment.bytes", "1048576"),
        ("min.cleanable.dirty.ratio", "0.01"),
    ];
    // (topic, codec, whether an idempotent producer writes first: its records all get superseded,
    // so its last batch stays as an empty batch).
    let topics: Vec<(String, Compression, bool)> = [
        ("compacted", Compression::None, false),
        ("compacted-gzip", Compression::Gzip, false),
        ("compacted-idempotent", Compression::None, true),
    ]
    .into_iter()
    .map(|(name, c, idempotent)| (unique(name), c, idempotent))
    .collect();
    let ts = now_ms() - 600_000;
    let mut totals = Vec::new();
    for (topic, compression, idempotent) in &topics {
        pair.create(topic, 1, &configs);
        let mut total = 0;
        if *idempotent {
            let init = |c: &mut RawClient| {
                let mut r = kafka_protocol::messages::InitProducerIdRequest::default();
                r.transactional_id = None;
                r.producer_id = kafka_protocol::messages::ProducerId(-1);
                r.producer_epoch = -1;
                r.transaction_timeout_ms = 60_000;
                // Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its producer-id manager is up.
                let resp = wait_for(Duration::from_secs(30), || {
                    let resp = c.call(4, &r);
                    (resp.error_code == NONE).then_some(resp)
                });
                let resp = resp.expect("InitProducerId");
                (resp.producer_id.0, resp.producer_epoch)
            };
            let (ka, kb) = (init(&mut pair.kafka), init(&mut pair.kaskade));
            for s in 0..5 {
                let batch_of = |(producer_id, epoch): (i64, i16)| {
                    let writer = common::batches::Writer::Idempotent {
                        producer_id,
                        epoch,
                        first_seq: s * 4,
                    };
                    let mut recs = common::batches::records(&[b"i0", b"i1", b"i2", b"i3"], ts, writer);
                    for (j, r) in recs.iter_mut().enumerate() {
                        r.key = Some(Bytes::from(format!("key-{}", (s as usize * 4 + j) % 10)));
                    }
                    common::batches::encode(&recs, Compression::None)
                };
                let (a, b) = pair.each(
                    9,
                    &produce_req(topic, 0, batch_of(ka), -1),
                    &produce_req(topic, 0, batch_of(kb), -1),
                );
                assert_eq!(a.responses[0].partition_responses[0].error_code, NONE);
                assert_eq!(b.responses[0].partition_responses[0].error_code, NONE);
                total += 4;
            }
        }
        for i in 0..400i64 {
            let mut recs = common::batches::records(&[b"", b"", b"", b""], ts + i * 4, common::batches::Writer::Plain);
            for (j, r) in recs.iter_mut().enumerate() {
                let n = i * 4 + j as i64;
                r.key = Some(Bytes::from(format!("key-{}", n % 10)));
                // Values that compress poorly (pseudo-random hex), so the gzip topic rolls too.
                let mut state = n as u64;
                let mut v = format!("{n}-");
                for _ in 0..128 {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    v.push_str(&format!("{state:016x}"));
                }
                r.value = (n % 37 != 5).then(|| Bytes::from(v));
            }
            pair.produce(topic, 0, common::batches::encode(&recs, *compression));
            total += 4;
        }
        totals.push(total);
    }
    for ((topic, compression, _), total) in topics.iter().zip(totals) {
        // Each cleaner may have run while the topic was still being written (cleaning what was
        // sealed then) and runs again later: Kafka's looks every 15 s (log.cleaner.backoff.ms).
        // Both end at the same log.
        let count = |x: &Vec<FetchedBatch>| x.iter().map(|(_, r)| r.len()).sum::<usize>();
        let shape = |x: &Vec<FetchedBatch>| x.iter().map(|((o, d, c, _, _), _)| (*o, *d, *c)).collect::<Vec<_>>();
        let records = |x: &Vec<FetchedBatch>| x.iter().flat_map(|(_, r)| r.clone()).collect::<Vec<_>>();
        let mut answers = None;
        let cleaned = wait_for(Duration::from_secs(120), || {
            let a = fetch_all(&mut pair.kafka, topic);
            let b = fetch_all(&mut pair.kaskade, topic);
            let done = count(&a) < total && records(&a) == records(&b);
            answers = Some((a, b));
            if !done {
                std::thread::sleep(Duration::from_millis(500));
            }
            done.then_some(())
        });
        let (a, b) = answers.expect("fetched");
        assert!(
            cleaned.is_some(),
            "{topic}: the compacted logs differ: Kafka {} records in {} batches, Kaskade {} in {}",
            count(&a),
            a.len(),
            count(&b),
            b.len()
        );
        assert_eq!(shape(&b), shape(&a), "{topic}: batch boundaries");
        // Uncompressed batches without a delete horizon (whose time is each broker's own clock)
        // are byte-identical; recompressed ones hold the same records.
        // Producer ids are each broker's own: compared with the id and the CRC masked.
        for (((o, _, _, attributes, kafka_bytes), _), ((_, _, _, _, kaskade_bytes), _)) in a.iter().zip(&b) {
            if attributes & 0x40 == 0 && matches!(compression, Compression::None) {
                let mask = |b: &Bytes| {
                    let mut v = b.to_vec();
                    if i64::from_be_bytes(v[43..51].try_into().unwrap()) >= 0 {
                        v[17..21].fill(0);
                        v[43..51].fill(0);
                    }
                    v
                };
                assert_eq!(mask(kaskade_bytes), mask(kafka_bytes), "{topic}: batch at offset {o} byte for byte");
            }
        }
        if topic.ends_with("idempotent") {
            assert_eq!(
                shape(&a).first().map(|s| s.2),
                Some(0),
                "{topic}: the producer's last batch kept empty"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fetch
// ---------------------------------------------------------------------------------------------

/// A topic with `partitions` partitions and batches of three records at offsets 0, 3, 6 in
/// partition 0 (and one batch in the others), the same bytes on both brokers.
fn fetch_fixture(pair: &mut Pair, name: &str, partitions: i32) -> (String, i64) {
    let topic = unique(name);
    pair.create(&topic, partitions, &[]);
    let ts = now_ms() - 60_000;
    for i in 0..3 {
        let values: Vec<Vec<u8>> = (0..3).map(|r| format!("value-{i}-{r}-{}", "x".repeat(40)).into_bytes()).collect();
        let values: Vec<&[u8]> = values.iter().map(|v| v.as_slice()).collect();
        assert_eq!(pair.produce(&topic, 0, batch(&values, ts + i * 10)), (i * 3, i * 3));
    }
    for p in 1..partitions {
        let value = format!("partition-{p}-{}", "y".repeat(100)).into_bytes();
        assert_eq!(pair.produce(&topic, p, batch(&[&value], ts)), (0, 0));
    }
    (topic, ts)
}

#[test]
fn fetch_versions_and_offsets() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-versions", 1);
    let (ta, tb) = pair.describe(&topic);
    for version in [4, 7, 11, 12, 13, 15, 16, 17] {
        for (what, offset) in [("from 0", 0), ("mid-batch offset 4", 4), ("last batch", 6)] {
            let (a, b) = pair.each(
                version,
                &fetch_req(version, &topic, Some(&ta), &[(0, offset, 1 << 20)]),
                &fetch_req(version, &topic, Some(&tb), &[(0, offset, 1 << 20)]),
            );
            let k = same(&format!("Fetch v{version} {what}"), &a, &b);
            let p = &k.responses[0].partitions[0];
            let log_start = if version >= 5 { 0 } else { -1 }; // a v5+ field
            assert_eq!((p.error_code, p.high_watermark, p.log_start_offset), (NONE, 9, log_start));
        }
    }
}

#[test]
fn fetch_out_of_range_and_at_the_end() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-range", 1);
    for version in [4, 12] {
        for (what, offset, code) in [
            ("above the high watermark", 10, OFFSET_OUT_OF_RANGE),
            ("far above", 1_000_000, OFFSET_OUT_OF_RANGE),
            ("below the log start", -1, OFFSET_OUT_OF_RANGE),
            ("at the high watermark", 9, NONE),
        ] {
            let req = fetch_req(version, &topic, None, &[(0, offset, 1 << 20)]);
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Fetch v{version} {what}"), &a, &b);
            assert_eq!(k.responses[0].partitions[0].error_code, code, "{what}");
        }
    }
}

#[test]
fn fetch_unknown_topic_and_partition() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-unknown", 1);
    let (a, b) = pair.both(12, &fetch_req(12, &unique("fe-missing"), None, &[(0, 0, 1 << 20)]));
    let k = same("Fetch v12 unknown topic", &a, &b);
    assert_eq!(k.responses[0].partitions[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
    let (a, b) = pair.both(12, &fetch_req(12, &topic, None, &[(3, 0, 1 << 20)]));
    let k = same("Fetch v12 unknown partition", &a, &b);
    assert_eq!(k.responses[0].partitions[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
    let mut unknown = MetadataResponseTopic::default();
    unknown.topic_id = "3f1e2d4c-5b6a-4798-8a9b-0c1d2e3f4a5b".parse().unwrap();
    for version in [13, 16] {
        let (a, b) = pair.both(version, &fetch_req(version, "", Some(&unknown), &[(0, 0, 1 << 20)]));
        let k = same(&format!("Fetch v{version} unknown topic id"), &a, &b);
        assert_eq!(k.responses[0].partitions[0].error_code, UNKNOWN_TOPIC_ID);
    }
}

/// KIP-74: the first batch is returned whole even when it is larger than the partition's (or
/// the request's) max bytes; after that the limits cut at whole batches.
#[test]
fn fetch_size_limits() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-limits", 3);
    for (what, max_bytes, parts) in [
        ("partition max 10 bytes", 50 << 20, vec![(0, 0, 10)]),
        ("partition max between one and two batches", 50 << 20, vec![(0, 0, 300)]),
        ("request max 10 bytes", 10, vec![(0, 0, 1 << 20), (1, 0, 1 << 20), (2, 0, 1 << 20)]),
        (
            "request max 400 bytes",
            400,
            vec![(0, 0, 1 << 20), (1, 0, 1 << 20), (2, 0, 1 << 20)],
        ),
        (
            "request max 700 bytes",
            700,
            vec![(1, 0, 1 << 20), (0, 0, 1 << 20), (2, 0, 1 << 20)],
        ),
    ] {
        let mut req = fetch_req(12, &topic, None, &parts);
        req.max_bytes = max_bytes;
        let (a, b) = pair.both(12, &req);
        let k = same(&format!("Fetch {what}"), &a, &b);
        assert!(
            k.responses[0].partitions[0].records.as_ref().is_some_and(|r| !r.is_empty()),
            "{what}"
        );
        // Known difference: Kafka may end a partition's records with part of a batch (the
        // client drops it); Kaskade's records are those whole batches only.
        for (pa, pb) in a.responses[0].partitions.iter().zip(&b.responses[0].partitions) {
            let (ra, rb) = (pa.records.clone().unwrap_or_default(), pb.records.clone().unwrap_or_default());
            assert_eq!(whole_batches_len(&rb), rb.len(), "{what}: Kaskade sends whole batches");
            assert!(ra.starts_with(&rb), "{what}: Kafka's records start with Kaskade's");
            if ra.len() > rb.len() {
                eprintln!(
                    "{what}: partition {}: Kafka adds {} bytes of a partial batch",
                    pa.partition_index,
                    ra.len() - rb.len()
                );
            }
        }
    }
}

#[test]
fn fetch_read_committed_and_leader_epochs() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-isolation", 1);
    for version in [4, 12] {
        for isolation in [0, 1] {
            let mut req = fetch_req(version, &topic, None, &[(0, 0, 1 << 20)]);
            req.isolation_level = isolation;
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("Fetch v{version} isolation {isolation}"), &a, &b);
            let p = &k.responses[0].partitions[0];
            assert_eq!(p.last_stable_offset, 9);
            // The shapes of error answers under each isolation level.
            for (what, name, offset, epoch) in [
                ("out of range", topic.clone(), 100, -1),
                ("unknown topic", unique("fe-isolation-missing"), 0, -1),
                ("leader epoch ahead", topic.clone(), 0, 7),
            ] {
                if epoch >= 0 && version < 9 {
                    continue; // current_leader_epoch is a v9+ field
                }
                let mut req = fetch_req(version, &name, None, &[(0, offset, 1 << 20)]);
                req.isolation_level = isolation;
                req.topics[0].partitions[0].current_leader_epoch = epoch;
                let (a, b) = pair.both(version, &req);
                let k = same(&format!("Fetch v{version} isolation {isolation} {what}"), &a, &b);
                assert_ne!(k.responses[0].partitions[0].error_code, NONE);
            }
        }
    }
    // The leader epoch of a fresh single-node partition is 0: -1 and other negative values are
    // "not given"; a larger one is UNKNOWN_LEADER_EPOCH. (FENCED_LEADER_EPOCH needs an epoch
    // above 0, which a single node never reaches.)
    for (epoch, code) in [(-1, NONE), (-2, NONE), (0, NONE), (5, UNKNOWN_LEADER_EPOCH)] {
        let mut req = fetch_req(12, &topic, None, &[(0, 0, 1 << 20)]);
        req.topics[0].partitions[0].current_leader_epoch = epoch;
        let (a, b) = pair.both(12, &req);
        let k = same(&format!("Fetch current_leader_epoch {epoch}"), &a, &b);
        assert_eq!(k.responses[0].partitions[0].error_code, code, "epoch {epoch}");
    }
}

/// Known difference: Kaskade does not create fetch sessions (session id 0 answers a request
/// with epoch 0), which KIP-227 allows; the records are the same.
#[test]
fn fetch_session_request() {
    let mut pair = Pair::new();
    let (topic, _) = fetch_fixture(&mut pair, "fe-session", 1);
    let mut req = fetch_req(12, &topic, None, &[(0, 0, 1 << 20)]);
    req.session_epoch = 0;
    let (mut a, mut b) = pair.both(12, &req);
    assert_ne!(a.session_id, 0, "Kafka creates a fetch session");
    assert_eq!(b.session_id, 0, "Kaskade answers without a session");
    a.session_id = 0;
    b.session_id = 0;
    same("Fetch with session epoch 0 (session id aside)", &a, &b);
}

// ---------------------------------------------------------------------------------------------
// ListOffsets
// ---------------------------------------------------------------------------------------------

#[test]
fn list_offsets() {
    let mut pair = Pair::new();
    let (topic, first) = fetch_fixture(&mut pair, "lo", 2);
    let empty = unique("lo-empty");
    pair.create(&empty, 1, &[]);
    // fetch_fixture: partition 0 holds offsets 0..9 with timestamps first..first+2,
    // first+10..first+12, first+20..first+22; partition 1 one record at `first`.
    let queries: Vec<(&str, i64)> = vec![
        ("earliest", -2),
        ("latest", -1),
        ("max timestamp", -3),
        ("before the first record", first - 1_000),
        ("the first record", first),
        ("between batches", first + 5),
        ("inside a batch", first + 11),
        ("the last record", first + 22),
        ("after the last record", first + 23),
    ];
    for version in [1, 2, 4, 5, 7, 8, 9, 10] {
        for (what, ts) in &queries {
            if *ts == -3 && version < 7 {
                continue;
            }
            let req = list_offsets_req(&topic, &[(0, *ts), (1, *ts)]);
            let (a, b) = pair.both(version, &req);
            same(&format!("ListOffsets v{version} {what}"), &a, &b);
            let req = list_offsets_req(&empty, &[(0, *ts)]);
            let (a, b) = pair.both(version, &req);
            same(&format!("ListOffsets v{version} {what} on an empty partition"), &a, &b);
        }
        let (a, b) = pair.both(version, &list_offsets_req(&topic, &[(5, -1)]));
        let k = same(&format!("ListOffsets v{version} unknown partition"), &a, &b);
        assert_eq!(k.topics[0].partitions[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
        let (a, b) = pair.both(version, &list_offsets_req(&unique("lo-missing"), &[(0, -1)]));
        let k = same(&format!("ListOffsets v{version} unknown topic"), &a, &b);
        assert_eq!(k.topics[0].partitions[0].error_code, UNKNOWN_TOPIC_OR_PARTITION);
        if version >= 4 {
            let mut req = list_offsets_req(&topic, &[(0, -1)]);
            req.topics[0].partitions[0].current_leader_epoch = 3;
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("ListOffsets v{version} leader epoch ahead"), &a, &b);
            assert_eq!(k.topics[0].partitions[0].error_code, UNKNOWN_LEADER_EPOCH);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeCluster and DescribeTopicPartitions
// ---------------------------------------------------------------------------------------------

#[test]
fn describe_cluster() {
    let mut pair = Pair::new();
    for version in 0..=2 {
        for endpoint_type in [1, 2, 3] {
            if version == 0 && endpoint_type != 1 {
                continue;
            }
            let mut req = DescribeClusterRequest::default();
            if version >= 1 {
                req.endpoint_type = endpoint_type;
            }
            let (a, b) = pair.both(version, &req);
            let k = same(&format!("DescribeCluster v{version} endpoint type {endpoint_type}"), &a, &b);
            let code = match endpoint_type {
                1 => NONE,
                2 => MISMATCHED_ENDPOINT_TYPE,
                _ => UNSUPPORTED_ENDPOINT_TYPE,
            };
            assert_eq!(k.error_code, code, "endpoint type {endpoint_type}");
        }
    }
}

#[test]
fn describe_topic_partitions_paging() {
    let mut pair = Pair::new();
    let a_topic = unique("dtp-a");
    let b_topic = unique("dtp-b");
    let missing = unique("dtp-c-missing");
    pair.create(&a_topic, 3, &[]);
    pair.create(&b_topic, 2, &[]);
    let request = |limit: i32, cursor: Option<(&str, i32)>| {
        let mut r = DescribeTopicPartitionsRequest::default();
        r.topics = [&b_topic, &missing, &a_topic]
            .iter()
            .map(|n| {
                let mut t = TopicRequest::default();
                t.name = tn(n);
                t
            })
            .collect();
        r.response_partition_limit = limit;
        r.cursor = cursor.map(|(n, p)| {
            let mut c = Cursor::default();
            c.topic_name = tn(n);
            c.partition_index = p;
            c
        });
        r
    };
    for limit in [1, 2, 3, 5, 2000] {
        let mut cursor: Option<(String, i32)> = None;
        for page in 0.. {
            assert!(page < 10, "paging does not end");
            let req = request(limit, cursor.as_ref().map(|(n, p)| (n.as_str(), *p)));
            let (a, b) = pair.both(0, &req);
            let k = same(&format!("DescribeTopicPartitions limit {limit} page {page}"), &a, &b);
            match k.next_cursor {
                Some(c) => cursor = Some((c.topic_name.0.to_string(), c.partition_index)),
                None => break,
            }
        }
    }
}
