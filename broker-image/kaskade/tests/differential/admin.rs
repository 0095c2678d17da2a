//! Differential cases for the admin API: CreatePartitions, AlterConfigs,
//! IncrementalAlterConfigs, DescribeConfigs, DeleteRecords, OffsetForLeaderEpoch and
//! DescribeLogDirs, with their error paths, sent to Kafka 4.4 and to Kaskade.
//!
//! The Kafka peer is shared by every test of this binary (and may be reused across runs), so
//! nothing here changes a cluster-wide setting that other tests can see: broker-level changes
//! are validate-only, or set a custom key no topic reads.

use kafka_protocol::messages::alter_configs_request::{AlterConfigsResource, AlterableConfig};
use kafka_protocol::messages::create_partitions_request::{CreatePartitionsAssignment, CreatePartitionsTopic};
use kafka_protocol::messages::delete_records_request::{DeleteRecordsPartition, DeleteRecordsTopic};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::incremental_alter_configs_request as iac;
use kafka_protocol::messages::offset_for_leader_epoch_request::{OffsetForLeaderPartition, OffsetForLeaderTopic};
use kafka_protocol::messages::{
    AlterConfigsRequest, AlterConfigsResponse, CreatePartitionsRequest, CreatePartitionsResponse, DeleteRecordsRequest,
    DeleteRecordsResponse, DescribeConfigsRequest, DescribeConfigsResponse, DescribeLogDirsRequest, DescribeLogDirsResponse,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse,
};
use kafka_protocol::ResponseError;

use super::*;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
// IncrementalAlterConfigs operations.
const SET: i8 = 0;
const DELETE: i8 = 1;
const APPEND: i8 = 2;
const SUBTRACT: i8 = 3;

impl Normalise for CreatePartitionsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for r in &mut self.results {
            scrub_message(&mut r.error_message, messages);
        }
    }
}

impl Normalise for AlterConfigsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for r in &mut self.responses {
            scrub_message(&mut r.error_message, messages);
        }
    }
}

impl Normalise for IncrementalAlterConfigsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for r in &mut self.responses {
            scrub_message(&mut r.error_message, messages);
        }
    }
}

impl Normalise for DescribeConfigsResponse {
    fn normalise(&mut self, messages: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for r in &mut self.results {
            scrub_message(&mut r.error_message, messages);
            if r.resource_type == BROKER && r.resource_name.is_empty() {
                // Kafka 4.4's storage format sets min.insync.replicas=1 as a dynamic default.
                r.configs.retain(|c| c.name.as_str() != "min.insync.replicas");
            }
            r.configs.sort_by(|a, b| a.name.cmp(&b.name));
            for c in &mut r.configs {
                normalise_config_source(c.name.as_str(), &mut c.config_source);
                for s in &mut c.synonyms {
                    normalise_config_source(s.name.as_str(), &mut s.source);
                }
                if c.name.as_str() == "min.insync.replicas" {
                    c.synonyms.retain(|s| s.source != 5 || c.config_source == 5);
                    c.synonyms.dedup_by(|a, b| a.source == b.source);
                }
                // Kafka's documentation is longer: compare whether there is one.
                if c.documentation.is_some() {
                    c.documentation = Some(StrBytes::from_static_str("<doc>"));
                }
            }
        }
    }
}

impl Normalise for DeleteRecordsResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for t in &mut self.topics {
            t.partitions.sort_by_key(|p| p.partition_index);
        }
    }
}

impl Normalise for OffsetForLeaderEpochResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
    }
}

impl Normalise for DescribeLogDirsResponse {
    fn normalise(&mut self, _: &mut Vec<String>) {
        self.throttle_time_ms = 0;
        for r in &mut self.results {
            r.log_dir = StrBytes::from_static_str("<dir>");
            // Sizes of the file systems differ; whether they are reported must not.
            r.total_bytes = r.total_bytes.signum();
            r.usable_bytes = r.usable_bytes.signum();
            r.topics.sort_by(|a, b| a.name.cmp(&b.name));
            for t in &mut r.topics {
                t.partitions.sort_by_key(|p| p.partition_index);
            }
        }
    }
}

/// A topic to grow: (name, new count, replicas of each new partition).
type Growth<'a> = (&'a str, i32, Option<Vec<Vec<i32>>>);
/// A resource to change: (type, name, [(key, operation, value)]).
type Changes<'a> = (i8, &'a str, &'a [(&'a str, i8, Option<&'a str>)]);

fn create_partitions_req(topics: &[Growth], validate_only: bool) -> CreatePartitionsRequest {
    let mut r = CreatePartitionsRequest::default();
    r.timeout_ms = 30_000;
    r.validate_only = validate_only;
    r.topics = topics
        .iter()
        .map(|(name, count, assignments)| {
            let mut t = CreatePartitionsTopic::default();
            t.name = tn(name);
            t.count = *count;
            t.assignments = assignments.as_ref().map(|a| {
                a.iter()
                    .map(|replicas| {
                        let mut x = CreatePartitionsAssignment::default();
                        x.broker_ids = replicas.iter().map(|b| BrokerId(*b)).collect();
                        x
                    })
                    .collect()
            });
            t
        })
        .collect();
    r
}

/// DescribeConfigs with synonyms and (from v3, where the field exists) documentation.
fn describe_configs_req(version: i16, resource_type: i8, name: &str, keys: Option<&[&str]>) -> DescribeConfigsRequest {
    let mut res = DescribeConfigsResource::default();
    res.resource_type = resource_type;
    res.resource_name = StrBytes::from_string(name.to_string());
    res.configuration_keys = keys.map(|k| k.iter().map(|k| StrBytes::from_string(k.to_string())).collect());
    let mut r = DescribeConfigsRequest::default();
    r.resources = vec![res];
    r.include_synonyms = true;
    r.include_documentation = version >= 3;
    r
}

fn incremental_req(resources: &[Changes], validate_only: bool) -> IncrementalAlterConfigsRequest {
    let mut r = IncrementalAlterConfigsRequest::default();
    r.validate_only = validate_only;
    r.resources = resources
        .iter()
        .map(|(ty, name, configs)| {
            let mut res = iac::AlterConfigsResource::default();
            res.resource_type = *ty;
            res.resource_name = StrBytes::from_string(name.to_string());
            res.configs = configs
                .iter()
                .map(|(k, op, v)| {
                    let mut c = iac::AlterableConfig::default();
                    c.name = StrBytes::from_string(k.to_string());
                    c.config_operation = *op;
                    c.value = v.map(|v| StrBytes::from_string(v.to_string()));
                    c
                })
                .collect();
            res
        })
        .collect();
    r
}

fn alter_req(resource_type: i8, name: &str, configs: &[(&str, &str)], validate_only: bool) -> AlterConfigsRequest {
    let mut res = AlterConfigsResource::default();
    res.resource_type = resource_type;
    res.resource_name = StrBytes::from_string(name.to_string());
    res.configs = configs
        .iter()
        .map(|(k, v)| {
            let mut c = AlterableConfig::default();
            c.name = StrBytes::from_string(k.to_string());
            c.value = Some(StrBytes::from_string(v.to_string()));
            c
        })
        .collect();
    let mut r = AlterConfigsRequest::default();
    r.resources = vec![res];
    r.validate_only = validate_only;
    r
}

fn delete_records_req(topic: &str, parts: &[(i32, i64)]) -> DeleteRecordsRequest {
    let mut t = DeleteRecordsTopic::default();
    t.name = tn(topic);
    t.partitions = parts
        .iter()
        .map(|(p, o)| {
            let mut x = DeleteRecordsPartition::default();
            x.partition_index = *p;
            x.offset = *o;
            x
        })
        .collect();
    let mut r = DeleteRecordsRequest::default();
    r.topics = vec![t];
    r.timeout_ms = 30_000;
    r
}

fn epoch_req(topic: &str, parts: &[(i32, i32, i32)]) -> OffsetForLeaderEpochRequest {
    let mut t = OffsetForLeaderTopic::default();
    t.topic = tn(topic);
    t.partitions = parts
        .iter()
        .map(|(p, current, epoch)| {
            let mut x = OffsetForLeaderPartition::default();
            x.partition = *p;
            x.current_leader_epoch = *current;
            x.leader_epoch = *epoch;
            x
        })
        .collect();
    let mut r = OffsetForLeaderEpochRequest::default();
    r.replica_id = BrokerId(-1);
    r.topics = vec![t];
    r
}

/// A topic config as each broker describes it: (value, source).
fn topic_config(pair: &mut Pair, topic: &str, key: &str) -> (Option<String>, i8) {
    let (a, b) = pair.both(4, &describe_configs_req(4, TOPIC, topic, Some(&[key])));
    let k = same(&format!("DescribeConfigs {topic} {key}"), &a, &b);
    let c = &k.results[0].configs[0];
    (c.value.as_ref().map(|v| v.to_string()), c.config_source)
}

#[test]
fn create_partitions() {
    let mut pair = Pair::new();
    let topic = unique("cp-grow");
    pair.create(&topic, 2, &[]);
    let missing = unique("cp-missing");
    for version in 0..=3 {
        for (what, count, code) in [
            ("shrinking", 1, ResponseError::InvalidPartitions.code()),
            ("the same count", 2, ResponseError::InvalidPartitions.code()),
        ] {
            let (a, b) = pair.both(version, &create_partitions_req(&[(&topic, count, None)], false));
            let k = same(&format!("CreatePartitions v{version} {what}"), &a, &b);
            assert_eq!(k.results[0].error_code, code, "{what}");
        }
        let (a, b) = pair.both(version, &create_partitions_req(&[(&missing, 3, None)], false));
        let k = same(&format!("CreatePartitions v{version} unknown topic"), &a, &b);
        assert_eq!(k.results[0].error_code, ResponseError::UnknownTopicOrPartition.code());
        let (a, b) = pair.both(version, &create_partitions_req(&[(&topic, 5, None)], true));
        let k = same(&format!("CreatePartitions v{version} validate_only"), &a, &b);
        assert_eq!(k.results[0].error_code, NONE);
    }
    // Manual assignments: wrong count, unknown broker, wrong replica count, then a good one.
    for (what, assignment, code) in [
        ("too few assignments", vec![vec![1]], ResponseError::InvalidReplicaAssignment.code()),
        (
            "unknown broker",
            vec![vec![1], vec![7]],
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "empty replica list",
            vec![vec![1], vec![]],
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "a broker twice",
            vec![vec![1], vec![1, 1]],
            ResponseError::InvalidReplicaAssignment.code(),
        ),
    ] {
        let (a, b) = pair.both(3, &create_partitions_req(&[(&topic, 4, Some(assignment))], false));
        let k = same(&format!("CreatePartitions {what}"), &a, &b);
        assert_eq!(k.results[0].error_code, code, "{what}");
    }
    let (a, b) = pair.both(3, &create_partitions_req(&[(&topic, 3, None), (&topic, 4, None)], false));
    let k = same("CreatePartitions duplicate topic", &a, &b);
    assert_eq!(k.results[0].error_code, ResponseError::InvalidRequest.code());
    let (a, b) = pair.both(3, &create_partitions_req(&[(&topic, 3, None)], false));
    assert_eq!(same("CreatePartitions grow to 3", &a, &b).results[0].error_code, NONE);
    let (a, b) = pair.both(3, &create_partitions_req(&[(&topic, 4, Some(vec![vec![1]]))], false));
    assert_eq!(same("CreatePartitions manual", &a, &b).results[0].error_code, NONE);
    pair.wait_ready(&topic, 4);
    let (a, b) = pair.both(12, &metadata_req(Some(&[&topic]), false));
    let k = same("Metadata after CreatePartitions", &a, &b);
    assert_eq!(k.topics[0].partitions.len(), 4);
    // The new partitions take records.
    let (x, y) = pair.produce(&topic, 3, batch(&[b"new"], now_ms()));
    assert_eq!((x, y), (0, 0));
}

#[test]
fn incremental_alter_topic_configs() {
    let mut pair = Pair::new();
    let topic = unique("iac-topic");
    pair.create(&topic, 1, &[("retention.ms", "100000")]);
    let missing = unique("iac-missing");
    type Case<'a> = (&'a str, Vec<(&'a str, i8, Option<&'a str>)>, bool, i16);
    let cases: Vec<Case> = vec![
        (
            "set",
            vec![("retention.ms", SET, Some("3600000")), ("max.message.bytes", SET, Some("5000"))],
            false,
            NONE,
        ),
        (
            "unknown key",
            vec![("no.such.config", SET, Some("1"))],
            false,
            ResponseError::InvalidConfig.code(),
        ),
        (
            "invalid value",
            vec![("retention.ms", SET, Some("soon"))],
            false,
            ResponseError::InvalidConfig.code(),
        ),
        (
            "below the minimum",
            vec![("segment.bytes", SET, Some("10"))],
            false,
            ResponseError::InvalidConfig.code(),
        ),
        (
            "append to a number",
            vec![("retention.ms", APPEND, Some("1"))],
            false,
            ResponseError::InvalidConfig.code(),
        ),
        (
            "subtract from a number",
            vec![("retention.ms", SUBTRACT, Some("1"))],
            false,
            ResponseError::InvalidConfig.code(),
        ),
        (
            "duplicate keys",
            vec![("retention.ms", SET, Some("1")), ("retention.ms", DELETE, None)],
            false,
            ResponseError::InvalidRequest.code(),
        ),
        ("validate_only", vec![("retention.ms", SET, Some("1"))], true, NONE),
        ("append to a list", vec![("cleanup.policy", APPEND, Some("compact"))], false, NONE),
        (
            "subtract from a list",
            vec![("cleanup.policy", SUBTRACT, Some("compact"))],
            false,
            NONE,
        ),
        ("delete", vec![("max.message.bytes", DELETE, None)], false, NONE),
        ("delete an unset key", vec![("flush.ms", DELETE, None)], false, NONE),
    ];
    for (what, configs, validate_only, code) in cases {
        for version in [0, 1] {
            let (a, b) = pair.both(version, &incremental_req(&[(TOPIC, &topic, &configs)], validate_only));
            let k = same(&format!("IncrementalAlterConfigs v{version} {what}"), &a, &b);
            assert_eq!(k.responses[0].error_code, code, "{what}");
        }
    }
    let (a, b) = pair.both(
        1,
        &incremental_req(&[(TOPIC, &missing, &[("retention.ms", SET, Some("1"))])], false),
    );
    let k = same("IncrementalAlterConfigs unknown topic", &a, &b);
    assert_eq!(k.responses[0].error_code, ResponseError::UnknownTopicOrPartition.code());
    let (a, b) = pair.both(1, &incremental_req(&[(7, "x", &[("retention.ms", SET, Some("1"))])], false));
    same("IncrementalAlterConfigs unknown resource type", &a, &b);
    // What was set, reverted and left alone, as DescribeConfigs (every version) reports it.
    for version in 1..=4 {
        let (a, b) = pair.both(version, &describe_configs_req(version, TOPIC, &topic, None));
        same(&format!("DescribeConfigs v{version} after IncrementalAlterConfigs"), &a, &b);
    }
    assert_eq!(topic_config(&mut pair, &topic, "retention.ms"), (Some("3600000".into()), 1));
    assert_eq!(topic_config(&mut pair, &topic, "max.message.bytes"), (Some("1048588".into()), 5));
    assert_eq!(topic_config(&mut pair, &topic, "cleanup.policy"), (Some("delete".into()), 1));
}

#[test]
fn alter_configs_replaces_the_whole_set() {
    let mut pair = Pair::new();
    let topic = unique("ac-topic");
    pair.create(&topic, 1, &[("retention.ms", "100000"), ("segment.ms", "100000")]);
    let missing = unique("ac-missing");
    for version in 0..=2 {
        for (what, configs, validate_only, code) in [
            (
                "unknown key",
                vec![("no.such.config", "1")],
                false,
                ResponseError::InvalidConfig.code(),
            ),
            (
                "invalid value",
                vec![("cleanup.policy", "sometimes")],
                false,
                ResponseError::InvalidConfig.code(),
            ),
            ("validate_only", vec![("retention.ms", "5")], true, NONE),
            ("replace", vec![("retention.ms", "7200000")], false, NONE),
        ] {
            let (a, b) = pair.both(version, &alter_req(TOPIC, &topic, &configs, validate_only));
            let k = same(&format!("AlterConfigs v{version} {what}"), &a, &b);
            assert_eq!(k.responses[0].error_code, code, "{what}");
        }
        let (a, b) = pair.both(version, &alter_req(TOPIC, &missing, &[("retention.ms", "1")], false));
        let k = same(&format!("AlterConfigs v{version} unknown topic"), &a, &b);
        assert_eq!(k.responses[0].error_code, ResponseError::UnknownTopicOrPartition.code());
    }
    assert_eq!(topic_config(&mut pair, &topic, "retention.ms"), (Some("7200000".into()), 1));
    assert_eq!(topic_config(&mut pair, &topic, "segment.ms").1, 5, "replaced away");
}

#[test]
fn broker_configs() {
    let mut pair = Pair::new();
    let custom = unique("custom").replace('-', ".");
    for (what, name, configs, validate_only, code) in [
        (
            "a dynamic default, validated",
            "",
            vec![("log.retention.ms", SET, Some("3600000"))],
            true,
            NONE,
        ),
        (
            "a dynamic key of this broker, validated",
            "1",
            vec![("log.segment.bytes", SET, Some("2000000"))],
            true,
            NONE,
        ),
        (
            "a static key",
            "",
            vec![("log.dirs", SET, Some("/elsewhere"))],
            false,
            ResponseError::InvalidRequest.code(),
        ),
        (
            "a static key of this broker",
            "1",
            vec![("log.retention.hours", SET, Some("5"))],
            false,
            ResponseError::InvalidRequest.code(),
        ),
        (
            "an invalid value",
            "",
            vec![("log.retention.ms", SET, Some("soon"))],
            false,
            ResponseError::InvalidRequest.code(),
        ),
        (
            "another broker",
            "7",
            vec![("log.retention.ms", SET, Some("1"))],
            true,
            ResponseError::InvalidRequest.code(),
        ),
        (
            "append to a number",
            "",
            vec![("log.retention.ms", APPEND, Some("1"))],
            true,
            ResponseError::InvalidConfig.code(),
        ),
        ("a custom key", "", vec![(custom.as_str(), SET, Some("x"))], false, NONE),
    ] {
        let (a, b) = pair.both(1, &incremental_req(&[(BROKER, name, &configs)], validate_only));
        let k = same(&format!("IncrementalAlterConfigs broker: {what}"), &a, &b);
        assert_eq!(k.responses[0].error_code, code, "{what}");
    }
    // Kafka's brokers learn of the change from the metadata log, a moment later.
    let req = describe_configs_req(4, BROKER, "", None);
    let seen = wait_for(Duration::from_secs(10), || {
        let r = pair.kafka.call(4, &req);
        r.results[0].configs.iter().any(|c| c.name.as_str() == custom).then_some(())
    });
    assert!(seen.is_some(), "Kafka never showed {custom}");
    for version in 1..=4 {
        let (mut a, mut b) = pair.both(version, &describe_configs_req(version, BROKER, "", None));
        // A reused Kafka peer may hold other runs' custom keys (and other tests' changes).
        for r in [&mut a, &mut b] {
            r.results[0].configs.retain(|c| c.name.as_str() == custom);
        }
        let k = same(&format!("DescribeConfigs v{version} cluster defaults"), &a, &b);
        assert!(k.results[0]
            .configs
            .iter()
            .any(|c| c.name.as_str() == custom && c.is_sensitive && c.value.is_none()));
    }
    let (a, b) = pair.both(1, &incremental_req(&[(BROKER, "", &[(custom.as_str(), DELETE, None)])], false));
    assert_eq!(
        same("IncrementalAlterConfigs broker: delete the custom key", &a, &b).responses[0].error_code,
        NONE
    );
    let (a, b) = pair.both(2, &alter_req(BROKER, "", &[("log.dirs", "/x")], true));
    same("AlterConfigs broker: a static key", &a, &b);
    let (a, b) = pair.both(4, &describe_configs_req(4, BROKER, "7", None));
    same("DescribeConfigs another broker", &a, &b);
    // This broker's own keys: the ones both describe agree in value, source and read-only flag.
    let (a, b) = pair.both(
        4,
        &describe_configs_req(
            4,
            BROKER,
            "1",
            Some(&["log.retention.bytes", "log.segment.bytes", "num.partitions", "message.max.bytes"]),
        ),
    );
    let flags = |r: &DescribeConfigsResponse| {
        let mut v: Vec<_> = r.results[0]
            .configs
            .iter()
            .map(|c| {
                (
                    c.name.to_string(),
                    c.value.clone().map(|v| v.to_string()),
                    c.config_source,
                    c.read_only,
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(flags(&a), flags(&b), "DescribeConfigs of this broker's keys");
}

#[test]
fn delete_records() {
    let mut pair = Pair::new();
    let topic = unique("dr-topic");
    pair.create(&topic, 2, &[]);
    for i in 0..5 {
        pair.produce(&topic, 0, batch(&[b"a", b"b"], now_ms() + i));
    }
    let missing = unique("dr-missing");
    for (what, parts, code) in [
        ("inside the log", vec![(0, 3)], NONE),
        ("below the log start", vec![(0, 1)], NONE),
        ("beyond the high watermark", vec![(0, 11)], ResponseError::OffsetOutOfRange.code()),
        ("a negative offset", vec![(0, -5)], ResponseError::OffsetOutOfRange.code()),
        ("an unknown partition", vec![(9, 0)], ResponseError::UnknownTopicOrPartition.code()),
        ("an empty partition", vec![(1, 0)], NONE),
    ] {
        for version in 0..=2 {
            let (a, b) = pair.both(version, &delete_records_req(&topic, &parts));
            let k = same(&format!("DeleteRecords v{version} {what}"), &a, &b);
            assert_eq!(k.topics[0].partitions[0].error_code, code, "{what}");
        }
    }
    let (a, b) = pair.both(2, &delete_records_req(&missing, &[(0, 0)]));
    same("DeleteRecords unknown topic", &a, &b);
    let (a, b) = pair.both(7, &list_offsets_req(&topic, &[(0, -2)]));
    assert_eq!(
        same("ListOffsets earliest after DeleteRecords", &a, &b).topics[0].partitions[0].offset,
        3
    );
    for (what, offset, code) in [
        ("below the new start", 0, ResponseError::OffsetOutOfRange.code()),
        ("at the new start", 3, NONE),
    ] {
        let (a, b) = pair.both(12, &fetch_req(12, &topic, None, &[(0, offset, 1 << 20)]));
        let k = same(&format!("Fetch {what}"), &a, &b);
        assert_eq!(k.responses[0].partitions[0].error_code, code);
    }
    let (a, b) = pair.both(2, &delete_records_req(&topic, &[(0, -1)]));
    assert_eq!(
        same("DeleteRecords to the high watermark", &a, &b).topics[0].partitions[0].low_watermark,
        10
    );
    // A compacted topic refuses.
    let compacted = unique("dr-compacted");
    pair.create(&compacted, 1, &[("cleanup.policy", "compact")]);
    let (a, b) = pair.both(2, &delete_records_req(&compacted, &[(0, 0)]));
    assert_eq!(
        same("DeleteRecords compacted", &a, &b).topics[0].partitions[0].error_code,
        ResponseError::PolicyViolation.code()
    );
}

#[test]
fn offset_for_leader_epoch() {
    let mut pair = Pair::new();
    let topic = unique("ofle-topic");
    pair.create(&topic, 2, &[]);
    let missing = unique("ofle-missing");
    let probe = |pair: &mut Pair, what: &str| {
        for version in 2..=4 {
            let parts = [(0, -1, 0), (0, 0, 0), (0, -1, 1), (0, -1, -1), (1, -1, 0), (0, 3, 0), (7, -1, 0)];
            let (a, b) = pair.both(version, &epoch_req(&topic, &parts));
            same(&format!("OffsetForLeaderEpoch v{version} {what}"), &a, &b);
            let (a, b) = pair.both(version, &epoch_req(&missing, &[(0, -1, 0)]));
            same(&format!("OffsetForLeaderEpoch v{version} unknown topic"), &a, &b);
        }
    };
    probe(&mut pair, "empty log");
    pair.produce(&topic, 0, batch(&[b"a", b"b", b"c"], now_ms()));
    probe(&mut pair, "after a produce");
    let (a, _) = pair.both(4, &epoch_req(&topic, &[(0, -1, 0), (0, 3, 0)]));
    assert_eq!(a.topics[0].partitions[0].end_offset, 3);
    assert_ne!(a.topics[0].partitions[1].error_code, ResponseError::FencedLeaderEpoch.code());
}

#[test]
fn describe_log_dirs() {
    let mut pair = Pair::new();
    let topic = unique("dld-topic");
    pair.create(&topic, 2, &[]);
    pair.produce(&topic, 0, batch(&[b"a", b"b", b"c"], now_ms()));
    let missing = unique("dld-missing");
    for version in 1..=4 {
        let mut req = DescribeLogDirsRequest::default();
        let mut t = DescribableLogDirTopic::default();
        t.topic = tn(&topic);
        t.partitions = vec![0, 1, 5];
        let mut m = DescribableLogDirTopic::default();
        m.topic = tn(&missing);
        m.partitions = vec![0];
        req.topics = Some(vec![t, m]);
        let (a, b) = pair.both(version, &req);
        let k = same(&format!("DescribeLogDirs v{version}"), &a, &b);
        assert_eq!(k.results[0].topics.len(), 1);
        let mut empty = DescribeLogDirsRequest::default();
        empty.topics = Some(vec![]);
        let (a, b) = pair.both(version, &empty);
        same(&format!("DescribeLogDirs v{version} no topics"), &a, &b);
    }
}
