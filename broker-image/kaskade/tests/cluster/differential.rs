//! Replication-visible answers beside Apache Kafka 4.4's three-node KRaft cluster (the shared
//! peer of this binary): Metadata of a topic replicated three times (brokers, replicas, ISR,
//! leaders one per broker, epochs), DescribeQuorum v2 (leader among three voters, no observers,
//! each voter's CONTROLLER endpoint), and Produce to a follower. Ids, ports and offsets that
//! legitimately differ are compared by shape.

use std::collections::BTreeSet;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::MetadataRequest;
use kafka_protocol::records::Compression;
use kaskade_testkit::batches::{batch, produce_request};
use kaskade_testkit::kafka_peer;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::ClusterProc;

/// What a Metadata v12 answer says about the cluster and one topic, with addresses left out:
/// (broker ids, each partition's (leader, replicas, ISR, leader epoch, offline replicas)).
type Shape = (BTreeSet<i32>, Vec<(i32, Vec<i32>, Vec<i32>, i32, Vec<i32>)>);

fn first(bootstrap: &str) -> &str {
    bootstrap.split(',').next().expect("an address")
}

fn create(bootstrap: &str, name: &str) {
    let code = RawClient::connect(first(bootstrap)).try_create_topic(name, 3, 3, &[]);
    assert_eq!(code.expect("CreateTopics answered"), 0, "creating {name}");
}

fn shape(bootstrap: &str, name: &str) -> Shape {
    let mut client = RawClient::connect(first(bootstrap));
    let mut req = MetadataRequest::default();
    req.topics = Some(vec![]);
    let brokers = client.call(12, &req).brokers.iter().map(|b| b.node_id.0).collect();
    let parts = client.partitions(name).expect("Metadata answered");
    (
        brokers,
        parts
            .into_iter()
            .map(|p| (p.leader, p.replicas, p.isr, p.leader_epoch, p.offline))
            .collect(),
    )
}

/// The rules both clusters' placements must follow (their random start may differ).
fn check_placement(who: &str, (brokers, parts): &Shape) {
    assert_eq!(brokers, &BTreeSet::from([1, 2, 3]), "{who}: brokers");
    let leaders: BTreeSet<i32> = parts.iter().map(|p| p.0).collect();
    assert_eq!(leaders, BTreeSet::from([1, 2, 3]), "{who}: one leader per broker: {parts:?}");
    for (leader, replicas, isr, epoch, offline) in parts {
        assert_eq!(
            replicas.iter().copied().collect::<BTreeSet<_>>(),
            BTreeSet::from([1, 2, 3]),
            "{who}"
        );
        assert_eq!(replicas[0], *leader, "{who}: the preferred replica leads");
        assert_eq!(isr, replicas, "{who}: a new partition's ISR is its replicas, in order");
        assert_eq!(*epoch, 0, "{who}: a new partition's leader epoch");
        assert!(offline.is_empty(), "{who}");
    }
}

/// What DescribeQuorum v2 through a broker says, ids and offsets reduced to their shape.
#[derive(Debug, PartialEq, Eq)]
struct Quorum {
    leader_is_a_voter: bool,
    voters: BTreeSet<i32>,
    observers: BTreeSet<i32>,
    /// Each node's listener names.
    listeners: Vec<Vec<String>>,
    high_watermark_set: bool,
    /// Every voter's end offset is at most the leader's.
    leader_ahead: bool,
}

fn quorum(bootstrap: &str) -> Quorum {
    let resp = RawClient::connect(first(bootstrap))
        .describe_quorum()
        .expect("DescribeQuorum answered");
    assert_eq!(resp.error_code, 0);
    let p = &resp.topics[0].partitions[0];
    assert_eq!(p.error_code, 0);
    let voters: BTreeSet<i32> = p.current_voters.iter().map(|v| v.replica_id.0).collect();
    let leader_end = p
        .current_voters
        .iter()
        .find(|v| v.replica_id.0 == p.leader_id.0)
        .map(|v| v.log_end_offset);
    let mut listeners: Vec<Vec<String>> = resp
        .nodes
        .iter()
        .map(|n| n.listeners.iter().map(|l| l.name.to_string()).collect())
        .collect();
    listeners.sort();
    Quorum {
        leader_is_a_voter: voters.contains(&p.leader_id.0),
        observers: p.observers.iter().map(|v| v.replica_id.0).collect(),
        listeners,
        high_watermark_set: p.high_watermark > 0,
        leader_ahead: p.current_voters.iter().all(|v| Some(v.log_end_offset) <= leader_end),
        voters,
    }
}

/// Produce v9 to partition 0 through the broker with node id `to`: the error code.
fn produce_to(bootstrap: &str, to: i32, topic: &str) -> i16 {
    let addr = bootstrap.split(',').nth((to - 1) as usize).expect("node address");
    let mut client = RawClient::connect(addr);
    let req = produce_request(topic, 0, batch(&[b"v"], 1_700_000_000_000, Compression::None), -1);
    client.call(9, &req).responses[0].partition_responses[0].error_code
}

#[test]
fn a_replicated_topic_and_the_quorum_look_the_same_on_both_clusters() {
    let _serial = crate::serial_blocking();
    let kafka = kafka_peer::shared_cluster();
    let kaskade = ClusterProc::start(3, &[]);
    let ours = kaskade.bootstrap();
    create(kafka, "rf3");
    create(&ours, "rf3");
    let (theirs_shape, ours_shape) = (shape(kafka, "rf3"), shape(&ours, "rf3"));
    check_placement("Kafka", &theirs_shape);
    check_placement("Kaskade", &ours_shape);
    assert_eq!(quorum(kafka), quorum(&ours), "DescribeQuorum (Kafka, then Kaskade)");

    // A follower of partition 0 refuses a produce alike (node ids are the brokers' order).
    let follower = |s: &Shape| s.1[0].1[1];
    assert_eq!(
        produce_to(kafka, follower(&theirs_shape), "rf3"),
        ResponseError::NotLeaderOrFollower.code()
    );
    assert_eq!(
        produce_to(&ours, follower(&ours_shape), "rf3"),
        ResponseError::NotLeaderOrFollower.code()
    );
}
