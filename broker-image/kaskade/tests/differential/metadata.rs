//! Metadata: unknown and invalid topics, auto-creation, versions, topic lists and topic ids.

use super::*;

#[test]
fn metadata_unknown_topic_without_auto_create() {
    let mut pair = Pair::new();
    let missing = unique("md-missing");
    for version in [4, 9, 10, 12, 13] {
        let (a, b) = pair.both(version, &metadata_req(Some(&[&missing]), false));
        let k = same(&format!("Metadata v{version} unknown topic"), &a, &b);
        assert_eq!(k.topics[0].error_code, ResponseError::UnknownTopicOrPartition.code());
    }
    // Nothing was created by asking.
    let (a, b) = pair.both(12, &metadata_req(Some(&[&missing]), false));
    same("Metadata after asking", &a, &b);
    assert_eq!(a.topics[0].error_code, ResponseError::UnknownTopicOrPartition.code());
}

/// Known difference: Kafka 4.4 answers ResponseError::UnknownTopicOrPartition.code() (older Kafka answered
/// ResponseError::LeaderNotAvailable.code()) while it asks the controller to create the topic, and the client
/// retries; Kaskade creates it synchronously and answers NONE with its partitions. Once Kafka
/// has created it, both describe the same topic.
#[test]
fn metadata_auto_create() {
    let mut pair = Pair::new();
    for (version, label) in [(12, "v12"), (1, "v1")] {
        let topic = unique(&format!("md-auto-{label}"));
        let (a, b) = pair.both(version, &metadata_req(Some(&[&topic]), true));
        let (ka, kb) = (&a.topics[0], &b.topics[0]);
        assert_eq!(
            ka.error_code,
            ResponseError::UnknownTopicOrPartition.code(),
            "Kafka {label}: {ka:?}"
        );
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
            assert_eq!(k.topics[0].error_code, ResponseError::InvalidTopicException.code(), "{name:?}");
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
