//! CreateTopics and DeleteTopics: rejections, duplicates, validate-only, reported configs, manual assignments.

use super::*;

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
        (
            "zero partitions",
            creatable(&unique("ct-p0"), 0, 1, &[]),
            ResponseError::InvalidPartitions.code(),
        ),
        (
            "negative partitions",
            creatable(&unique("ct-p-5"), -5, 1, &[]),
            ResponseError::InvalidPartitions.code(),
        ),
        (
            "zero replication factor",
            creatable(&unique("ct-rf0"), 1, 0, &[]),
            ResponseError::InvalidReplicationFactor.code(),
        ),
        (
            "replication factor 3",
            creatable(&unique("ct-rf3"), 1, 3, &[]),
            ResponseError::InvalidReplicationFactor.code(),
        ),
        (
            "existing topic",
            creatable(&existing, 1, 1, &[]),
            ResponseError::TopicAlreadyExists.code(),
        ),
        (
            "invalid name",
            creatable("bad name!", 1, 1, &[]),
            ResponseError::InvalidTopicException.code(),
        ),
        ("name '..'", creatable("..", 1, 1, &[]), ResponseError::InvalidTopicException.code()),
        ("name '.'", creatable(".", 1, 1, &[]), ResponseError::InvalidTopicException.code()),
        ("empty name", creatable("", 1, 1, &[]), ResponseError::InvalidTopicException.code()),
        (
            "name of 250 characters",
            creatable(&"n".repeat(250), 1, 1, &[]),
            ResponseError::InvalidTopicException.code(),
        ),
        (
            "unknown config",
            creatable(&unique("ct-unknown-config"), 1, 1, &[("no.such.config", "1")]),
            ResponseError::InvalidConfig.code(),
        ),
        (
            "invalid config value",
            creatable(&unique("ct-bad-value"), 1, 1, &[("retention.ms", "soon")]),
            ResponseError::InvalidConfig.code(),
        ),
        (
            "config value below minimum",
            creatable(&unique("ct-low-value"), 1, 1, &[("segment.bytes", "10")]),
            ResponseError::InvalidConfig.code(),
        ),
        (
            "assignment with partitions set",
            with_assignment(&unique("ct-assign-np"), 1, -1, &[(0, &[1])]),
            ResponseError::InvalidRequest.code(),
        ),
        (
            "assignment to an unknown broker",
            with_assignment(&unique("ct-assign-99"), -1, -1, &[(0, &[99])]),
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "assignment with replication factor set",
            with_assignment(&unique("ct-assign-rf"), -1, 1, &[(0, &[1])]),
            ResponseError::InvalidRequest.code(),
        ),
        (
            "assignment with an empty replica list",
            with_assignment(&unique("ct-assign-empty"), -1, -1, &[(0, &[1]), (1, &[])]),
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "assignment naming a broker twice",
            with_assignment(&unique("ct-assign-twice"), -1, -1, &[(0, &[1, 1])]),
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "partition assigned twice",
            with_assignment(&unique("ct-assign-dup"), -1, -1, &[(0, &[1]), (0, &[1])]),
            ResponseError::InvalidReplicaAssignment.code(),
        ),
        (
            "assignment with a gap",
            with_assignment(&unique("ct-assign-gap"), -1, -1, &[(0, &[1]), (2, &[1])]),
            ResponseError::InvalidReplicaAssignment.code(),
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
    assert_eq!(code(&dup), Some(ResponseError::InvalidRequest.code()));
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
        assert_eq!(k.topics[0].error_code, ResponseError::UnknownTopicOrPartition.code());
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
        assert_eq!(k.responses[0].error_code, ResponseError::UnknownTopicOrPartition.code());
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
    assert_eq!(k.responses[0].error_code, ResponseError::UnknownTopicId.code());
    let (a, b) = pair.both(6, &state(Some(&missing), "00000000-0000-0000-0000-000000000000"));
    let k = same("DeleteTopics v6 unknown name", &a, &b);
    assert_eq!(k.responses[0].error_code, ResponseError::UnknownTopicOrPartition.code());
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
            (r.topics[0].error_code == ResponseError::UnknownTopicOrPartition.code()).then_some(())
        });
        assert!(kafka_gone.is_some(), "Kafka still has {topic}");
        let (a, b) = pair.both(12, &metadata_req(Some(&[topic]), false));
        same("Metadata after delete", &a, &b);
    }
}
