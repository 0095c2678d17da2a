//! Differential tests of the group coordinator: the same raw requests (FindCoordinator,
//! JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit/Fetch/Delete, DescribeGroups,
//! ListGroups, DeleteGroups), success and error paths, go to Apache Kafka 4.4 and to Kaskade,
//! and the answers must be equal after normalising what legitimately differs: throttle times,
//! hosts and ports, error-message wording, and member ids (random; each broker's ids are
//! replaced by the same labels before comparing). Both brokers run with
//! `group.initial.rebalance.delay.ms=0` so joins complete at once.

use std::thread;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::offset_commit_request::{OffsetCommitRequestPartition, OffsetCommitRequestTopic};
use kafka_protocol::messages::offset_delete_request::{OffsetDeleteRequestPartition, OffsetDeleteRequestTopic};
use kafka_protocol::messages::offset_fetch_request::{OffsetFetchRequestGroup, OffsetFetchRequestTopic, OffsetFetchRequestTopics};
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ConsumerProtocolSubscription, DeleteGroupsRequest, DescribeGroupsRequest, DescribeGroupsResponse, FindCoordinatorRequest, GroupId,
    HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, ListGroupsRequest, OffsetCommitRequest, OffsetDeleteRequest,
    OffsetFetchRequest, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::{Encodable, Request, StrBytes};
use kafka_protocol::ResponseError;
use kaskade_testkit::compare::assert_same_text;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{wait_for, BrokerProc};

use super::{kafka, DELAY_ZERO, NONE};

/// A group or topic name unique to this run, apart from the other areas' topics.
fn unique(name: &str) -> String {
    super::unique(&format!("groups-{name}"))
}

/// Connections to both brokers, and each broker's member ids with the label they compare as.
struct Pair {
    kafka_addr: String,
    kaskade_addr: String,
    kafka: RawClient,
    kaskade: RawClient,
    ids: [Vec<(String, String)>; 2],
    _broker: BrokerProc,
}

impl Pair {
    fn new() -> Pair {
        let kafka_addr = kafka().to_string();
        let broker = BrokerProc::start(&[DELAY_ZERO]);
        let kaskade_addr = broker.bootstrap();
        let mut pair = Pair {
            kafka: RawClient::connect(&kafka_addr),
            kaskade: RawClient::connect(&kaskade_addr),
            kafka_addr,
            kaskade_addr,
            ids: [Vec::new(), Vec::new()],
            _broker: broker,
        };
        pair.wait_coordinator();
        pair
    }

    /// Kafka creates `__consumer_offsets` on the first lookup and answers
    /// ResponseError::CoordinatorNotAvailable.code() until it is loaded: wait for both brokers to be ready.
    fn wait_coordinator(&mut self) {
        let mut req = FindCoordinatorRequest::default();
        req.key = StrBytes::from_static_str("warm-up");
        for c in [&mut self.kafka, &mut self.kaskade] {
            let ok = wait_for(Duration::from_secs(30), || (c.call(3, &req).error_code == NONE).then_some(()));
            assert!(ok.is_some(), "group coordinator did not become available");
        }
    }

    /// A group name unique to this run whose `__consumer_offsets` partition Kafka has loaded
    /// (until then it answers ResponseError::NotCoordinator.code() or ResponseError::CoordinatorLoadInProgress.code()).
    fn group(&mut self, name: &str) -> String {
        let group = unique(name);
        let req = describe_req(&[&group]);
        let ok = wait_for(Duration::from_secs(30), || {
            let code = self.kafka.call(5, &req).groups[0].error_code;
            (!matches!(code, 14..=16)).then_some(())
        });
        assert!(ok.is_some(), "Kafka's coordinator for {group} did not load");
        group
    }

    /// A topic name unique to this run, created on both brokers.
    fn topic(&mut self, name: &str, partitions: i32) -> String {
        let topic = unique(name);
        self.kafka.create_topic(&topic, partitions, &[]);
        self.kaskade.create_topic(&topic, partitions, &[]);
        topic
    }

    fn both<R: Request>(&mut self, version: i16, req: &R) -> (R::Response, R::Response) {
        (self.kafka.call(version, req), self.kaskade.call(version, req))
    }

    /// Remembers a member id (one per broker) under a label.
    fn label(&mut self, label: &str, kafka_id: &str, kaskade_id: &str) {
        self.ids[0].push((kafka_id.to_string(), label.to_string()));
        self.ids[1].push((kaskade_id.to_string(), label.to_string()));
    }

    /// Renders an answer for comparison: throttle time, hosts and ports, error messages and
    /// member ids normalised.
    fn render<T: std::fmt::Debug>(&self, broker: usize, resp: &T) -> String {
        let mut text = format!("{resp:#?}");
        for (id, label) in &self.ids[broker] {
            if !id.is_empty() {
                text = text.replace(id, label);
            }
        }
        let mut out = Vec::new();
        let mut in_message = false;
        for line in text.lines() {
            if in_message {
                // The wording of error messages may differ; only their presence is compared.
                out.push("<message text>".to_string());
                in_message = false;
                continue;
            }
            in_message = line.trim_start() == "error_message: Some(";
            out.push(normalise_line(line));
        }
        out.join("\n")
    }

    /// Kafka lists a leader's members in hash order: compare them sorted by label.
    fn sort_members(&self, kafka: &mut JoinGroupResponse, kaskade: &mut JoinGroupResponse) {
        for (broker, r) in [(0, kafka), (1, kaskade)] {
            let label = |id: &str| {
                self.ids[broker]
                    .iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            };
            r.members.sort_by_key(|m| label(m.member_id.as_str()));
        }
    }

    /// The same for DescribeGroups' member lists.
    fn sort_described(&self, kafka: &mut DescribeGroupsResponse, kaskade: &mut DescribeGroupsResponse) {
        for (broker, r) in [(0, kafka), (1, kaskade)] {
            let label = |id: &str| {
                self.ids[broker]
                    .iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            };
            for g in &mut r.groups {
                g.members.sort_by_key(|m| label(m.member_id.as_str()));
            }
        }
    }

    #[track_caller]
    fn same<T: std::fmt::Debug>(&self, what: &str, kafka: &T, kaskade: &T) {
        assert_same_text(what, &self.render(0, kafka), &self.render(1, kaskade));
    }
}

/// Line-level normalisation of a `{:#?}` rendering.
fn normalise_line(line: &str) -> String {
    let key = line.trim_start().split(':').next().unwrap_or_default();
    let indent = &line[..line.len() - line.trim_start().len()];
    match key {
        "throttle_time_ms" => format!("{indent}throttle_time_ms: 0,"),
        "port" => format!("{indent}port: <port>,"),
        _ => line.to_string(),
    }
}

fn gid(name: &str) -> GroupId {
    GroupId(StrBytes::from_string(name.to_string()))
}

fn tn(name: &str) -> TopicName {
    TopicName(StrBytes::from_string(name.to_string()))
}

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_string())
}

/// A `consumer` member's subscription metadata (ConsumerProtocolSubscription v0).
fn subscription(topics: &[&str]) -> Bytes {
    let mut sub = ConsumerProtocolSubscription::default();
    sub.topics = topics.iter().map(|t| s(t)).collect();
    let mut buf = BytesMut::new();
    buf.put_i16(0);
    sub.encode(&mut buf, 0).expect("encode subscription");
    buf.freeze()
}

fn join_req(group: &str, member: &str, instance: Option<&str>, topics: &[&str]) -> JoinGroupRequest {
    let mut r = JoinGroupRequest::default();
    r.group_id = gid(group);
    r.session_timeout_ms = 30_000;
    r.rebalance_timeout_ms = 30_000;
    r.member_id = s(member);
    r.group_instance_id = instance.map(s);
    r.protocol_type = s("consumer");
    let mut p = JoinGroupRequestProtocol::default();
    p.name = s("range");
    p.metadata = subscription(topics);
    r.protocols = vec![p];
    r
}

fn sync_req(group: &str, member: &str, generation: i32, assignments: &[(&str, &[u8])]) -> SyncGroupRequest {
    let mut r = SyncGroupRequest::default();
    r.group_id = gid(group);
    r.generation_id = generation;
    r.member_id = s(member);
    r.protocol_type = Some(s("consumer"));
    r.protocol_name = Some(s("range"));
    r.assignments = assignments
        .iter()
        .map(|(m, a)| {
            let mut x = SyncGroupRequestAssignment::default();
            x.member_id = s(m);
            x.assignment = Bytes::copy_from_slice(a);
            x
        })
        .collect();
    r
}

fn heartbeat_req(group: &str, member: &str, generation: i32) -> HeartbeatRequest {
    let mut r = HeartbeatRequest::default();
    r.group_id = gid(group);
    r.member_id = s(member);
    r.generation_id = generation;
    r
}

fn commit_req(group: &str, member: &str, generation: i32, topic: &str, offsets: &[(i32, i64, &str)]) -> OffsetCommitRequest {
    let mut r = OffsetCommitRequest::default();
    r.group_id = gid(group);
    r.member_id = s(member);
    r.generation_id_or_member_epoch = generation;
    let mut t = OffsetCommitRequestTopic::default();
    t.name = tn(topic);
    t.partitions = offsets
        .iter()
        .map(|(p, o, m)| {
            let mut x = OffsetCommitRequestPartition::default();
            x.partition_index = *p;
            x.committed_offset = *o;
            x.committed_leader_epoch = -1;
            x.committed_metadata = Some(s(m));
            x
        })
        .collect();
    r.topics = vec![t];
    r
}

fn fetch_req(version: i16, group: &str, topic: Option<(&str, &[i32])>) -> OffsetFetchRequest {
    let mut r = OffsetFetchRequest::default();
    if version >= 8 {
        let mut g = OffsetFetchRequestGroup::default();
        g.group_id = gid(group);
        g.topics = topic.map(|(t, ps)| {
            let mut x = OffsetFetchRequestTopics::default();
            x.name = tn(t);
            x.partition_indexes = ps.to_vec();
            vec![x]
        });
        r.groups = vec![g];
    } else {
        r.group_id = gid(group);
        r.topics = topic.map(|(t, ps)| {
            let mut x = OffsetFetchRequestTopic::default();
            x.name = tn(t);
            x.partition_indexes = ps.to_vec();
            vec![x]
        });
    }
    r
}

fn describe_req(groups: &[&str]) -> DescribeGroupsRequest {
    let mut r = DescribeGroupsRequest::default();
    r.groups = groups.iter().map(|g| gid(g)).collect();
    r
}

fn leave_req(group: &str, members: &[(&str, Option<&str>)]) -> LeaveGroupRequest {
    let mut r = LeaveGroupRequest::default();
    r.group_id = gid(group);
    r.members = members
        .iter()
        .map(|(m, i)| {
            let mut x = MemberIdentity::default();
            x.member_id = s(m);
            x.group_instance_id = i.map(s);
            x
        })
        .collect();
    r
}

fn delete_groups_req(groups: &[&str]) -> DeleteGroupsRequest {
    let mut r = DeleteGroupsRequest::default();
    r.groups_names = groups.iter().map(|g| gid(g)).collect();
    r
}

/// Joins a new dynamic member (v9: ResponseError::MemberIdRequired.code(), then the rejoin), returning the
/// first answer and the final one per broker.
fn join_new(pair: &mut Pair, label: &str, group: &str, topics: &[&str]) -> (JoinGroupResponse, JoinGroupResponse) {
    let (a, b) = pair.both(9, &join_req(group, "", None, topics));
    assert_eq!(
        (a.error_code, b.error_code),
        (ResponseError::MemberIdRequired.code(), ResponseError::MemberIdRequired.code())
    );
    pair.label(label, a.member_id.as_str(), b.member_id.as_str());
    pair.same(&format!("JoinGroup v9 {label} without a member id"), &a, &b);
    let (ka, kb) = (a.member_id.to_string(), b.member_id.to_string());
    let (a, b) = (
        pair.kafka.call(9, &join_req(group, &ka, None, topics)),
        pair.kaskade.call(9, &join_req(group, &kb, None, topics)),
    );
    (a, b)
}

/// A second member joins a stable group of one (on its own connections: its JoinGroup waits
/// for the first member), the first learns of the rebalance from its heartbeat and rejoins.
/// `req(member_id)` builds either member's JoinGroup; `leader` are the first member's ids.
/// Returns the first member's answers and the second's, per broker, leader lists sorted.
type Answers = (JoinGroupResponse, JoinGroupResponse);
fn second_member_joins(
    pair: &mut Pair,
    group: &str,
    label: &str,
    leader: (&str, &str),
    req: impl Fn(&str) -> JoinGroupRequest,
) -> (Answers, Answers) {
    let mut second = [RawClient::connect(&pair.kafka_addr), RawClient::connect(&pair.kaskade_addr)];
    let first = [second[0].call(9, &req("")), second[1].call(9, &req(""))];
    assert_eq!(
        (first[0].error_code, first[1].error_code),
        (ResponseError::MemberIdRequired.code(), ResponseError::MemberIdRequired.code())
    );
    pair.label(label, first[0].member_id.as_str(), first[1].member_id.as_str());
    let handles: Vec<_> = second
        .into_iter()
        .zip([first[0].member_id.to_string(), first[1].member_id.to_string()])
        .map(|(mut c, id)| {
            let r = req(&id);
            thread::spawn(move || c.call(9, &r))
        })
        .collect();
    let rebalancing = |c: &mut RawClient, id: &str| {
        wait_for(Duration::from_secs(20), || {
            (c.call(4, &heartbeat_req(group, id, 1)).error_code == ResponseError::RebalanceInProgress.code()).then_some(())
        })
        .is_some()
    };
    assert!(rebalancing(&mut pair.kafka, leader.0) && rebalancing(&mut pair.kaskade, leader.1));
    let (mut la, mut lb) = (pair.kafka.call(9, &req(leader.0)), pair.kaskade.call(9, &req(leader.1)));
    let mut results = handles.into_iter().map(|h| h.join().expect("join thread"));
    let (na, nb) = (results.next().expect("kafka"), results.next().expect("kaskade"));
    pair.sort_members(&mut la, &mut lb);
    ((la, lb), (na, nb))
}

#[test]
fn find_coordinator_versions_and_errors() {
    let mut pair = Pair::new();
    let group = pair.group("fc");
    for version in 0..=3 {
        let mut req = FindCoordinatorRequest::default();
        req.key = s(&group);
        let (a, b) = pair.both(version, &req);
        pair.same(&format!("FindCoordinator v{version}"), &a, &b);
        assert_eq!(b.error_code, NONE);
    }
    for version in 4..=6 {
        let mut req = FindCoordinatorRequest::default();
        req.coordinator_keys = vec![s(&group), s(&unique("fc-2"))];
        let (a, b) = pair.both(version, &req);
        pair.same(&format!("FindCoordinator v{version} two keys"), &a, &b);
    }
    let mut bad_type = FindCoordinatorRequest::default();
    bad_type.key = s(&group);
    bad_type.key_type = 5;
    let (a, b) = pair.both(3, &bad_type);
    pair.same("FindCoordinator unknown key type", &a, &b);
    let empty = FindCoordinatorRequest::default();
    let (a, b) = pair.both(3, &empty);
    pair.same("FindCoordinator empty group id", &a, &b);
}

#[test]
fn one_member_lifecycle() {
    let mut pair = Pair::new();
    let group = pair.group("life");
    let topic = pair.topic("life-t", 2);
    let (a, b) = join_new(&mut pair, "M1", &group, &[&topic]);
    pair.same("JoinGroup v9 first member", &a, &b);
    assert_eq!((b.error_code, b.generation_id, b.members.len()), (NONE, 1, 1));
    let (ma, mb) = (a.member_id.to_string(), b.member_id.to_string());

    // SyncGroup from the leader with an assignment, then the assignment is returned again.
    let assignment: &[u8] = b"\x00\x00\x00\x00\x00\x00";
    let (a, b) = (
        pair.kafka.call(5, &sync_req(&group, &ma, 1, &[(&ma, assignment)])),
        pair.kaskade.call(5, &sync_req(&group, &mb, 1, &[(&mb, assignment)])),
    );
    pair.same("SyncGroup v5 leader", &a, &b);
    assert_eq!(b.assignment.as_ref(), assignment);
    for version in [0, 3, 5] {
        let mut ra = sync_req(&group, &ma, 1, &[]);
        let mut rb = sync_req(&group, &mb, 1, &[]);
        if version < 5 {
            (ra.protocol_type, ra.protocol_name, rb.protocol_type, rb.protocol_name) = (None, None, None, None);
        }
        let (a, b) = (pair.kafka.call(version, &ra), pair.kaskade.call(version, &rb));
        pair.same(&format!("SyncGroup v{version} when stable"), &a, &b);
    }

    // Heartbeats: fine, wrong generation, unknown member.
    for (what, gen, known) in [("current", 1, true), ("wrong generation", 7, true), ("unknown member", 1, false)] {
        let (ia, ib) = if known { (ma.as_str(), mb.as_str()) } else { ("nobody", "nobody") };
        for version in [0, 4] {
            let (a, b) = (
                pair.kafka.call(version, &heartbeat_req(&group, ia, gen)),
                pair.kaskade.call(version, &heartbeat_req(&group, ib, gen)),
            );
            pair.same(&format!("Heartbeat v{version} {what}"), &a, &b);
        }
    }
    let wrong = pair.kaskade.call(4, &heartbeat_req(&group, &mb, 7)).error_code;
    assert_eq!(wrong, ResponseError::IllegalGeneration.code());

    // OffsetCommit: by the member, wrong generation, unknown member, metadata too large,
    // unknown topic, and an unknown partition.
    let big = "x".repeat(5000);
    let cases: Vec<(&str, i32, bool, String, i32)> = vec![
        ("member", 1, true, topic.clone(), 0),
        ("wrong generation", 3, true, topic.clone(), 0),
        ("unknown member", 1, false, topic.clone(), 0),
        ("unknown topic", 1, true, unique("no-such-topic"), 0),
        ("unknown partition", 1, true, topic.clone(), 9),
    ];
    for (what, gen, known, t, p) in cases {
        for version in [2, 8, 9] {
            let (ia, ib) = if known { (ma.as_str(), mb.as_str()) } else { ("nobody", "nobody") };
            let (a, b) = (
                pair.kafka.call(version, &commit_req(&group, ia, gen, &t, &[(p, 5, "meta")])),
                pair.kaskade.call(version, &commit_req(&group, ib, gen, &t, &[(p, 5, "meta")])),
            );
            pair.same(&format!("OffsetCommit v{version} {what}"), &a, &b);
        }
    }
    let (a, b) = (
        pair.kafka
            .call(8, &commit_req(&group, &ma, 1, &topic, &[(0, 7, &big), (1, 11, "m1")])),
        pair.kaskade
            .call(8, &commit_req(&group, &mb, 1, &topic, &[(0, 7, &big), (1, 11, "m1")])),
    );
    pair.same("OffsetCommit metadata too large", &a, &b);

    // OffsetFetch in every version, for named partitions and for all.
    for version in 1..=9 {
        let (a, b) = pair.both(version, &fetch_req(version, &group, Some((&topic, &[0, 1]))));
        pair.same(&format!("OffsetFetch v{version} named partitions"), &a, &b);
        if version >= 2 {
            let (a, b) = pair.both(version, &fetch_req(version, &group, None));
            pair.same(&format!("OffsetFetch v{version} all partitions"), &a, &b);
        }
    }
    let fetched = pair.kaskade.call(8, &fetch_req(8, &group, Some((&topic, &[0, 1]))));
    let parts = &fetched.groups[0].topics[0].partitions;
    assert_eq!((parts[0].committed_offset, parts[1].committed_offset), (5, 11));
    assert_eq!(parts[1].metadata.as_ref().map(|m| m.as_str()), Some("m1"));

    // DescribeGroups, ListGroups.
    for version in 0..=6 {
        let (a, b) = pair.both(version, &describe_req(&[&group]));
        pair.same(&format!("DescribeGroups v{version} stable"), &a, &b);
    }
    for version in [0, 4, 5] {
        let mut req = ListGroupsRequest::default();
        if version >= 4 {
            req.states_filter = vec![s("Stable")];
        }
        let (mut a, mut b) = pair.both(version, &req);
        a.groups.retain(|g| g.group_id.as_str() == group);
        b.groups.retain(|g| g.group_id.as_str() == group);
        pair.same(&format!("ListGroups v{version}"), &a, &b);
        assert_eq!(b.groups.len(), 1);
    }

    // OffsetDelete while the member consumes the topic, DeleteGroups while it has a member.
    let mut del = OffsetDeleteRequest::default();
    del.group_id = gid(&group);
    let mut t = OffsetDeleteRequestTopic::default();
    t.name = tn(&topic);
    let mut p = OffsetDeleteRequestPartition::default();
    p.partition_index = 0;
    t.partitions = vec![p];
    del.topics = vec![t];
    let (a, b) = pair.both(0, &del);
    pair.same("OffsetDelete of a subscribed topic", &a, &b);
    assert_eq!(b.topics[0].partitions[0].error_code, ResponseError::GroupSubscribedToTopic.code());
    let (a, b) = pair.both(2, &delete_groups_req(&[&group]));
    pair.same("DeleteGroups with a member", &a, &b);
    assert_eq!(b.results[0].error_code, ResponseError::NonEmptyGroup.code());

    // LeaveGroup, then the group is empty.
    let (a, b) = (
        pair.kafka.call(5, &leave_req(&group, &[(&ma, None), ("nobody", None)])),
        pair.kaskade.call(5, &leave_req(&group, &[(&mb, None), ("nobody", None)])),
    );
    pair.same("LeaveGroup v5", &a, &b);
    for version in [0, 5, 6] {
        let (a, b) = pair.both(version, &describe_req(&[&group]));
        pair.same(&format!("DescribeGroups v{version} after leaving"), &a, &b);
    }
    let (a, b) = pair.both(0, &del);
    pair.same("OffsetDelete of an empty group", &a, &b);
    let (a, b) = pair.both(1, &fetch_req(1, &group, Some((&topic, &[0, 1]))));
    pair.same("OffsetFetch after OffsetDelete", &a, &b);
    let (mut a, mut b) = pair.both(2, &delete_groups_req(&[&group, &unique("never-existed")]));
    // Kafka answers groups in coordinator-partition order; the order carries no meaning.
    a.results.sort_by(|x, y| x.group_id.cmp(&y.group_id));
    b.results.sort_by(|x, y| x.group_id.cmp(&y.group_id));
    pair.same("DeleteGroups", &a, &b);
    assert_eq!(
        b.results.iter().map(|r| r.error_code).collect::<Vec<_>>(),
        vec![NONE, ResponseError::GroupIdNotFound.code()]
    );
    // `…-life` sorts before `…-never-existed`.
}

#[test]
fn requests_for_groups_that_do_not_exist_and_bad_joins() {
    let mut pair = Pair::new();
    let group = pair.group("nogroup");
    let topic = pair.topic("nogroup-t", 1);
    for version in [0, 4] {
        let (a, b) = pair.both(version, &heartbeat_req(&group, "m", 1));
        pair.same(&format!("Heartbeat v{version} unknown group"), &a, &b);
    }
    let (a, b) = pair.both(5, &sync_req(&group, "m", 1, &[]));
    pair.same("SyncGroup unknown group", &a, &b);
    let mut leave = LeaveGroupRequest::default();
    leave.group_id = gid(&group);
    leave.member_id = s("m");
    let (a, b) = pair.both(2, &leave);
    pair.same("LeaveGroup v2 unknown group", &a, &b);
    let (a, b) = pair.both(5, &leave_req(&group, &[("m", None)]));
    pair.same("LeaveGroup v5 unknown group", &a, &b);
    for version in [2, 8, 9] {
        let (a, b) = pair.both(version, &commit_req(&group, "m", 1, &topic, &[(0, 1, "")]));
        pair.same(&format!("OffsetCommit v{version} generation 1, unknown group"), &a, &b);
    }
    for version in [1, 7, 8] {
        let (a, b) = pair.both(version, &fetch_req(version, &group, Some((&topic, &[0]))));
        pair.same(&format!("OffsetFetch v{version} unknown group"), &a, &b);
    }
    for version in [5, 6] {
        let (a, b) = pair.both(version, &describe_req(&[&group]));
        pair.same(&format!("DescribeGroups v{version} unknown group"), &a, &b);
    }
    let mut del = OffsetDeleteRequest::default();
    del.group_id = gid(&group);
    let (a, b) = pair.both(0, &del);
    pair.same("OffsetDelete unknown group", &a, &b);

    // A simple (generation -1) commit creates an empty group without a protocol.
    let simple = pair.group("simple");
    let (a, b) = pair.both(8, &commit_req(&simple, "", -1, &topic, &[(0, 3, "s")]));
    pair.same("OffsetCommit simple group", &a, &b);
    let (a, b) = pair.both(5, &describe_req(&[&simple]));
    pair.same("DescribeGroups simple group", &a, &b);

    // Bad joins.
    let mut short = join_req(&group, "", None, &[&topic]);
    short.session_timeout_ms = 1000;
    let (a, b) = pair.both(9, &short);
    pair.same("JoinGroup session timeout below the minimum", &a, &b);
    assert_eq!(b.error_code, ResponseError::InvalidSessionTimeout.code());
    let mut no_type = join_req(&group, "", None, &[&topic]);
    no_type.protocol_type = s("");
    let (a, b) = pair.both(9, &no_type);
    pair.same("JoinGroup empty protocol type", &a, &b);
    let (a, b) = pair.both(9, &join_req("", "", None, &[&topic]));
    pair.same("JoinGroup empty group id", &a, &b);
    let (a, b) = pair.both(9, &join_req(&group, "someone", None, &[&topic]));
    pair.same("JoinGroup unknown member id, unknown group", &a, &b);
    assert_eq!(b.error_code, ResponseError::UnknownMemberId.code());
}

#[test]
fn second_member_triggers_a_rebalance() {
    let mut pair = Pair::new();
    let group = pair.group("rebalance");
    let topic = pair.topic("rebalance-t", 4);
    let (a, b) = join_new(&mut pair, "M1", &group, &[&topic]);
    let (m1a, m1b) = (a.member_id.to_string(), b.member_id.to_string());
    let _ = pair.kafka.call(5, &sync_req(&group, &m1a, 1, &[(&m1a, b"a1")]));
    let _ = pair.kaskade.call(5, &sync_req(&group, &m1b, 1, &[(&m1b, b"a1")]));

    let ((r1a, r1b), (r2a, r2b)) = second_member_joins(&mut pair, &group, "M2", (&m1a, &m1b), |id| join_req(&group, id, None, &[&topic]));
    pair.same("JoinGroup rejoin of the leader", &r1a, &r1b);
    pair.same("JoinGroup of the second member", &r2a, &r2b);
    assert_eq!((r1b.generation_id, r1b.members.len(), r2b.members.len()), (2, 2, 0));
    // The old generation is fenced.
    let (a, b) = (
        pair.kafka.call(4, &heartbeat_req(&group, &m1a, 1)),
        pair.kaskade.call(4, &heartbeat_req(&group, &m1b, 1)),
    );
    pair.same("Heartbeat of the old generation", &a, &b);
    let (a, b) = (
        pair.kafka.call(8, &commit_req(&group, &m1a, 2, &topic, &[(0, 1, "")])),
        pair.kaskade.call(8, &commit_req(&group, &m1b, 2, &topic, &[(0, 1, "")])),
    );
    pair.same("OffsetCommit while the assignment is pending", &a, &b);
    for version in [0, 5] {
        let (mut a, mut b) = pair.both(version, &describe_req(&[&group]));
        pair.sort_described(&mut a, &mut b);
        pair.same(&format!("DescribeGroups v{version} completing the rebalance"), &a, &b);
    }
    let (a, b) = (
        pair.kafka.call(4, &heartbeat_req(&group, &m1a, 2)),
        pair.kaskade.call(4, &heartbeat_req(&group, &m1b, 2)),
    );
    pair.same("Heartbeat while the assignment is pending", &a, &b);
}

#[test]
fn static_member_rejoins_without_a_rebalance() {
    let mut pair = Pair::new();
    let group = pair.group("static");
    let topic = pair.topic("static-t", 2);
    let (a, b) = pair.both(9, &join_req(&group, "", Some("instance-1"), &[&topic]));
    pair.label("S1", a.member_id.as_str(), b.member_id.as_str());
    pair.same("JoinGroup v9 static member", &a, &b);
    let (s1a, s1b) = (a.member_id.to_string(), b.member_id.to_string());
    let mut sa = sync_req(&group, &s1a, 1, &[(&s1a, b"asg")]);
    sa.group_instance_id = Some(s("instance-1"));
    let mut sb = sync_req(&group, &s1b, 1, &[(&s1b, b"asg")]);
    sb.group_instance_id = Some(s("instance-1"));
    let (a, b) = (pair.kafka.call(5, &sa), pair.kaskade.call(5, &sb));
    pair.same("SyncGroup static leader", &a, &b);

    // The instance restarts: a new member id, same generation, the leader skips assigning.
    let (a, b) = pair.both(9, &join_req(&group, "", Some("instance-1"), &[&topic]));
    pair.label("S1'", a.member_id.as_str(), b.member_id.as_str());
    pair.same("JoinGroup v9 static member again", &a, &b);
    assert_eq!((b.generation_id, b.skip_assignment), (1, true));
    let (a, b) = (
        pair.kafka.call(4, &heartbeat_req(&group, &s1a, 1)),
        pair.kaskade.call(4, &heartbeat_req(&group, &s1b, 1)),
    );
    pair.same("Heartbeat of the replaced member id", &a, &b);
    let mut fenced_a = heartbeat_req(&group, &s1a, 1);
    fenced_a.group_instance_id = Some(s("instance-1"));
    let mut fenced_b = heartbeat_req(&group, &s1b, 1);
    fenced_b.group_instance_id = Some(s("instance-1"));
    let (a, b) = (pair.kafka.call(4, &fenced_a), pair.kaskade.call(4, &fenced_b));
    pair.same("Heartbeat of the replaced static member", &a, &b);
    assert_eq!(b.error_code, ResponseError::FencedInstanceId.code());
    let (a, b) = pair.both(5, &describe_req(&[&group]));
    pair.same("DescribeGroups after the static rejoin", &a, &b);
    let (a, b) = pair.both(5, &leave_req(&group, &[("", Some("instance-1")), ("", Some("instance-2"))]));
    pair.same("LeaveGroup by instance id", &a, &b);
}

/// A `connect`-type member (as Kafka Connect workers join) with its protocols in preference order.
fn connect_join(group: &str, member: &str, protocols: &[&str]) -> JoinGroupRequest {
    let mut r = join_req(group, member, None, &[]);
    r.protocol_type = s("connect");
    r.protocols = protocols
        .iter()
        .map(|name| {
            let mut p = JoinGroupRequestProtocol::default();
            p.name = s(name);
            p.metadata = Bytes::from_static(b"worker-metadata");
            p
        })
        .collect();
    r
}

#[test]
fn connect_protocols_are_chosen_as_kafka_chooses_them() {
    let mut pair = Pair::new();
    let group = pair.group("connect");
    // Alone, the first worker gets its first preference.
    let (a, b) = pair.both(9, &connect_join(&group, "", &["sessioned", "compatible"]));
    pair.label("W1", a.member_id.as_str(), b.member_id.as_str());
    let (w1a, w1b) = (a.member_id.to_string(), b.member_id.to_string());
    let (a, b) = (
        pair.kafka.call(9, &connect_join(&group, &w1a, &["sessioned", "compatible"])),
        pair.kaskade.call(9, &connect_join(&group, &w1b, &["sessioned", "compatible"])),
    );
    pair.same("JoinGroup connect, one worker", &a, &b);
    assert_eq!(b.protocol_name.as_ref().map(|p| p.as_str()), Some("sessioned"));
    let mut sa = sync_req(&group, &w1a, 1, &[]);
    let mut sb = sync_req(&group, &w1b, 1, &[]);
    for r in [&mut sa, &mut sb] {
        r.protocol_type = Some(s("connect"));
        r.protocol_name = Some(s("sessioned"));
    }
    let (a, b) = (pair.kafka.call(5, &sa), pair.kaskade.call(5, &sb));
    pair.same("SyncGroup connect", &a, &b);
    // A member of another protocol type, or with no protocol in common, cannot join.
    let (a, b) = pair.both(9, &join_req(&group, "", None, &["t"]));
    pair.same("JoinGroup consumer into a connect group", &a, &b);
    let (a, b) = pair.both(9, &connect_join(&group, "", &["v9-only"]));
    pair.same("JoinGroup connect without a common protocol", &a, &b);

    // A worker that supports only `compatible` joins: the group moves to `compatible`.
    let ((a, b), _) = second_member_joins(&mut pair, &group, "W2", (&w1a, &w1b), |id| {
        if id == w1a || id == w1b {
            connect_join(&group, id, &["sessioned", "compatible"])
        } else {
            connect_join(&group, id, &["compatible"])
        }
    });
    pair.same("JoinGroup connect, two workers", &a, &b);
    assert_eq!(b.protocol_name.as_ref().map(|p| p.as_str()), Some("compatible"));
}

#[test]
fn offsets_of_several_groups_in_one_fetch_and_the_internal_topic() {
    let mut pair = Pair::new();
    let (g1, g2) = (pair.group("multi-1"), pair.group("multi-2"));
    let topic = pair.topic("multi-t", 2);
    for (g, o) in [(&g1, 4), (&g2, 8)] {
        let (a, b) = pair.both(8, &commit_req(g, "", -1, &topic, &[(0, o, "x")]));
        pair.same("OffsetCommit simple", &a, &b);
    }
    let mut req = fetch_req(9, &g1, Some((&topic, &[0, 1])));
    let mut other = OffsetFetchRequestGroup::default();
    other.group_id = gid(&g2);
    other.topics = None;
    req.groups.push(other);
    let mut missing = OffsetFetchRequestGroup::default();
    missing.group_id = gid(&unique("multi-missing"));
    missing.topics = None;
    req.groups.push(missing);
    let (a, b) = pair.both(9, &req);
    pair.same("OffsetFetch v9, three groups", &a, &b);
    assert_eq!(b.groups[1].topics[0].partitions[0].committed_offset, 8);

    // Clients cannot write to `__consumer_offsets`.
    let batch = kaskade_testkit::batches::encode(
        &kaskade_testkit::batches::records(&[b"forged"], 1_700_000_000_000, kaskade_testkit::batches::Writer::Plain),
        kafka_protocol::records::Compression::None,
    );
    let mut produce = kafka_protocol::messages::ProduceRequest::default();
    produce.acks = -1;
    produce.timeout_ms = 30_000;
    let mut td = kafka_protocol::messages::produce_request::TopicProduceData::default();
    td.name = tn("__consumer_offsets");
    let mut pd = kafka_protocol::messages::produce_request::PartitionProduceData::default();
    pd.index = 0;
    pd.records = Some(batch);
    td.partition_data = vec![pd];
    produce.topic_data = vec![td];
    let (a, b) = pair.both(9, &produce);
    pair.same("Produce to __consumer_offsets", &a, &b);
}
