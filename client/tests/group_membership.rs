//! Classic group membership with a custom protocol type (`connect`, as Kafka Connect's workers
//! use it) against a `kaskade broker` process and Apache Kafka 4.4: members join one by one,
//! the leader syncs everyone's assignment, heartbeats keep them in, a newcomer makes the others'
//! heartbeats answer REBALANCE_IN_PROGRESS until they rejoin, and leaving works. Every step's
//! outcome (ok, or Kafka's error name) must be the same on both brokers.
//!
//! Needs `cargo build -p kaskade` (the broker binary) and the Kafka peer (`e2e/peers/install.sh`).

use std::time::{Duration, Instant};

use bytes::Bytes;
use kaskade_client::{JoinGroup, JoinedGroup, KafkaAdmin, MembershipError, ResponseError, SyncGroup, UNKNOWN_MEMBER_ID};
use kaskade_testkit::kafka_peer::GROUP_DELAY_ZERO;
use kaskade_testkit::BrokerProc;

const TIMEOUT: Duration = Duration::from_secs(10);
const GROUP: &str = "connect-cluster";

/// A step's outcome as both brokers must agree on it: `ok`, or Kafka's error name.
fn outcome<T>(broker: &str, step: &str, r: &Result<T, MembershipError>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(MembershipError::Kafka { error, .. }) => kaskade_client::error_name(error.code()),
        Err(e) => panic!("{broker}: {step}: {e}"),
    }
}

/// A client for the group's coordinator. The offsets topic may still be coming up:
/// COORDINATOR_NOT_AVAILABLE is retried.
async fn coordinator(bootstrap: &KafkaAdmin) -> KafkaAdmin {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match bootstrap.group_coordinator(GROUP).await {
            Ok(c) => return c,
            Err(e) if e.is_retriable() && Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => panic!("find the coordinator: {e}"),
        }
    }
}

/// One member: its own client (JoinGroup and SyncGroup block) and what its last join gave it.
struct Member {
    name: &'static str,
    bootstrap: KafkaAdmin,
    /// A client for the group's coordinator.
    admin: KafkaAdmin,
    /// Protocols it offers, most preferred first.
    protocols: Vec<&'static str>,
    member_id: String,
    generation: i32,
    protocol: String,
}

impl Member {
    async fn new(bootstrap: &str, name: &'static str, protocols: Vec<&'static str>) -> Member {
        let bootstrap = KafkaAdmin::new(bootstrap, TIMEOUT).with_client_id(name);
        Member {
            name,
            admin: coordinator(&bootstrap).await,
            bootstrap,
            protocols,
            member_id: UNKNOWN_MEMBER_ID.to_string(),
            generation: -1,
            protocol: String::new(),
        }
    }

    async fn join(&mut self) -> Result<JoinedGroup, MembershipError> {
        let join = JoinGroup {
            group_id: GROUP.to_string(),
            member_id: self.member_id.clone(),
            group_instance_id: None,
            protocol_type: "connect".to_string(),
            protocols: self
                .protocols
                .iter()
                .map(|p| (p.to_string(), Bytes::from(format!("{}/{p}", self.name))))
                .collect(),
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(10),
            reason: Some(format!("{} joins", self.name)),
        };
        // A coordinator still loading the group answers NOT_COORDINATOR or
        // COORDINATOR_LOAD_IN_PROGRESS for a moment: find it again and retry, as members do.
        let deadline = Instant::now() + Duration::from_secs(30);
        let joined = loop {
            match self.admin.join_group(&join).await {
                Err(e) if (e.coordinator_lost() || e.is_retriable()) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    self.admin = coordinator(&self.bootstrap).await;
                }
                r => break r?,
            }
        };
        self.member_id = joined.member_id.clone();
        self.generation = joined.generation_id;
        self.protocol = joined.protocol_name.clone();
        Ok(joined)
    }

    fn sync_request(&self, assignments: Vec<(String, Bytes)>) -> SyncGroup {
        SyncGroup {
            group_id: GROUP.to_string(),
            generation_id: self.generation,
            member_id: self.member_id.clone(),
            group_instance_id: None,
            protocol_type: "connect".to_string(),
            protocol_name: self.protocol.clone(),
            assignments,
        }
    }

    async fn heartbeat(&self) -> Result<(), MembershipError> {
        self.admin.heartbeat(GROUP, self.generation, &self.member_id, None).await
    }

    /// Heartbeats until the coordinator says a rebalance began (a join elsewhere reaches it a
    /// moment after it was sent).
    async fn heartbeat_until_rebalance(&self) -> Result<(), MembershipError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = self.heartbeat().await;
            if r.is_err() || Instant::now() > deadline {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What a member does when another joins: heartbeats until told of the rebalance, then
    /// rejoins. The heartbeat's outcome and the join's.
    async fn rejoin_on_rebalance(&mut self, broker: &str) -> (String, Result<JoinedGroup, MembershipError>) {
        let r = self.heartbeat_until_rebalance().await;
        let hb = outcome(broker, &format!("{} heartbeat", self.name), &r);
        (hb, self.join().await)
    }

    async fn leave(&self) -> Result<(), MembershipError> {
        self.admin.leave_group(GROUP, &self.member_id, None, Some("shutting down")).await
    }
}

/// The leader's assignment for a join answer: each member gets `"<id's member name>:<gen>"`,
/// named by the metadata it joined with.
fn assign(joined: &JoinedGroup) -> Vec<(String, Bytes)> {
    joined
        .members
        .iter()
        .map(|m| {
            let name = String::from_utf8_lossy(&m.metadata)
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
            (m.member_id.clone(), Bytes::from(format!("{name}:{}", joined.generation_id)))
        })
        .collect()
}

/// Syncs every member of a generation at once (followers wait for the leader, so each syncs on
/// its own task); returns what each got, by member name.
async fn sync_all(members: &[&Member], leader: &JoinedGroup) -> Vec<(String, String)> {
    let calls: Vec<_> = members
        .iter()
        .map(|m| {
            let assignments = if m.member_id == leader.leader { assign(leader) } else { vec![] };
            let (admin, sync, name) = (m.admin.clone(), m.sync_request(assignments), m.name);
            tokio::spawn(async move {
                let got = admin.sync_group(&sync).await.unwrap_or_else(|e| panic!("{name}: sync: {e}"));
                (name.to_string(), String::from_utf8_lossy(&got.assignment).to_string())
            })
        })
        .collect();
    let mut out = Vec::new();
    for call in calls {
        out.push(call.await.expect("sync task"));
    }
    out
}

async fn scenario(broker: &str, bootstrap: &str) -> Vec<(&'static str, String)> {
    let mut steps = Vec::new();
    let mut record = |step: &'static str, outcome: String| steps.push((step, outcome));

    // A speaks both of Connect's incremental protocols, B and C only `compatible`.
    let mut a = Member::new(bootstrap, "a", vec!["sessioned", "compatible"]).await;
    let mut b = Member::new(bootstrap, "b", vec!["compatible"]).await;
    let mut c = Member::new(bootstrap, "c", vec!["compatible"]).await;

    // A alone: generation 1, A leads with its first protocol.
    let r = a.join().await;
    record("a joins an empty group", outcome(broker, "a joins", &r));
    let ja = r.expect("a joins");
    assert!(ja.is_leader(), "{broker}: {ja:?}");
    assert!(!ja.member_id.is_empty(), "{broker}: member id given on MEMBER_ID_REQUIRED");
    assert_eq!(ja.protocol_type.as_deref(), Some("connect"), "{broker}");
    assert_eq!(ja.protocol_name, "sessioned", "{broker}");
    assert_eq!(ja.members.len(), 1, "{broker}");
    assert_eq!(&ja.members[0].metadata[..], b"a/sessioned", "{broker}");
    let g1 = ja.generation_id;
    assert_eq!(sync_all(&[&a], &ja).await, vec![("a".to_string(), format!("a:{g1}"))], "{broker}");
    let r = a.heartbeat().await;
    record("a heartbeats", outcome(broker, "a heartbeats", &r));

    // B joins: its join waits until A rejoins, which A learns from its heartbeat.
    let (rb, (hb, ra)) = tokio::join!(b.join(), a.rejoin_on_rebalance(broker));
    record("a heartbeat while b joins", hb);
    record("b joins", outcome(broker, "b joins", &rb));
    record("a rejoins", outcome(broker, "a rejoins", &ra));
    let (ja, jb) = (ra.expect("a rejoins"), rb.expect("b joins"));
    let g2 = ja.generation_id;
    assert!(g2 > g1, "{broker}: generation {g1} then {g2}");
    assert_eq!(jb.generation_id, g2, "{broker}");
    assert_eq!(ja.member_id, a.member_id, "{broker}: a keeps its id");
    assert!(ja.is_leader() && !jb.is_leader(), "{broker}: the leader rejoined and stays leader");
    assert_eq!(jb.leader, a.member_id, "{broker}");
    assert!(jb.members.is_empty(), "{broker}: followers get no member list");
    assert_eq!(
        (ja.protocol_name.as_str(), jb.protocol_name.as_str()),
        ("compatible", "compatible"),
        "{broker}"
    );
    let mut metadata: Vec<_> = ja
        .members
        .iter()
        .map(|m| String::from_utf8_lossy(&m.metadata).to_string())
        .collect();
    metadata.sort();
    assert_eq!(
        metadata,
        ["a/compatible", "b/compatible"],
        "{broker}: metadata of the chosen protocol"
    );
    let got = sync_all(&[&a, &b], &ja).await;
    assert_eq!(
        got,
        vec![("a".to_string(), format!("a:{g2}")), ("b".to_string(), format!("b:{g2}"))],
        "{broker}: each member gets its own assignment"
    );

    let described = a.admin.describe_groups(&[GROUP.to_string()]).await.expect("describe");
    assert_eq!(described.len(), 1);
    let d = &described[0];
    assert_eq!(
        (d.state.as_str(), d.protocol_type.as_str(), d.assignor.as_str(), d.members.len()),
        ("Stable", "connect", "compatible", 2),
        "{broker}: {d:?}"
    );

    let r = a.heartbeat().await;
    record("a heartbeats in generation 2", outcome(broker, "a hb", &r));
    let r = b.heartbeat().await;
    record("b heartbeats in generation 2", outcome(broker, "b hb", &r));
    let r = a.admin.heartbeat(GROUP, g1, &a.member_id, None).await;
    assert!(r.as_ref().is_err_and(|e| e.resets_member()), "{broker}: {r:?}");
    record("heartbeat with the old generation", outcome(broker, "old generation", &r));
    let r = a.admin.heartbeat(GROUP, g2, "nobody", None).await;
    record("heartbeat of an unknown member", outcome(broker, "unknown member", &r));

    // C joins: both others are told to rejoin; C's join is answered once they have.
    let (rc, (hb_a, ra), (hb_b, rb)) = tokio::join!(c.join(), a.rejoin_on_rebalance(broker), b.rejoin_on_rebalance(broker));
    record("a heartbeat while c joins", hb_a);
    record("b heartbeat while c joins", hb_b);
    record("c joins", outcome(broker, "c joins", &rc));
    record("a rejoins with c", outcome(broker, "a rejoins", &ra));
    record("b rejoins with c", outcome(broker, "b rejoins", &rb));
    let (ja, jb, jc) = (ra.expect("a"), rb.expect("b"), rc.expect("c"));
    let g3 = ja.generation_id;
    assert!(g3 > g2, "{broker}: generation {g2} then {g3}");
    assert_eq!((jb.generation_id, jc.generation_id), (g3, g3), "{broker}");
    assert!(ja.is_leader(), "{broker}");
    assert_eq!(
        (jb.leader.as_str(), jc.leader.as_str()),
        (a.member_id.as_str(), a.member_id.as_str())
    );
    assert_eq!(ja.members.len(), 3, "{broker}");
    let got = sync_all(&[&a, &b, &c], &ja).await;
    assert_eq!(
        got,
        ["a", "b", "c"].map(|m| (m.to_string(), format!("{m}:{g3}"))).to_vec(),
        "{broker}: three members, three assignments"
    );
    for m in [&a, &b, &c] {
        let r = m.heartbeat().await;
        assert_eq!(r, Ok(()), "{broker}: {} heartbeats in generation {g3}", m.name);
    }

    // C leaves: the others rebalance without it.
    let r = c.leave().await;
    record("c leaves", outcome(broker, "c leaves", &r));
    let ((hb_a, ra), (hb_b, rb)) = tokio::join!(a.rejoin_on_rebalance(broker), b.rejoin_on_rebalance(broker));
    record("a heartbeat after c left", hb_a);
    record("b heartbeat after c left", hb_b);
    record("a rejoins without c", outcome(broker, "a rejoins", &ra));
    record("b rejoins without c", outcome(broker, "b rejoins", &rb));
    let (ja, jb) = (ra.expect("a"), rb.expect("b"));
    let g4 = ja.generation_id;
    assert!(g4 > g3 && jb.generation_id == g4, "{broker}: generation {g3} then {g4}");
    assert_eq!(ja.members.len(), 2, "{broker}");
    let got = sync_all(&[&a, &b], &ja).await;
    assert_eq!(got, ["a", "b"].map(|m| (m.to_string(), format!("{m}:{g4}"))).to_vec(), "{broker}");
    let r = c.heartbeat().await;
    assert!(r.as_ref().is_err_and(|e| e.resets_member()), "{broker}: {r:?}");
    record("heartbeat after leaving", outcome(broker, "c hb", &r));

    // Everyone leaves; leaving twice is refused.
    let r = b.leave().await;
    record("b leaves", outcome(broker, "b leaves", &r));
    let r = a.leave().await;
    record("a leaves", outcome(broker, "a leaves", &r));
    let r = a.leave().await;
    record("a leaves again", outcome(broker, "a leaves again", &r));
    let described = a.admin.describe_groups(&[GROUP.to_string()]).await.expect("describe");
    assert_eq!(described[0].state, "Empty", "{broker}: {:?}", described[0]);
    assert!(described[0].members.is_empty(), "{broker}");
    steps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kaskade_and_kafka_run_a_connect_group_alike() {
    let kafka = tokio::task::spawn_blocking(|| kaskade_testkit::kafka_peer::shared().to_string());
    let kaskade = BrokerProc::start(&[GROUP_DELAY_ZERO]);
    let kafka = kafka.await.expect("Kafka peer");
    let ours = kaskade.bootstrap();
    let (a, b) = tokio::join!(scenario("kaskade", &ours), scenario("kafka", &kafka));
    for (i, (k, j)) in a.iter().zip(&b).enumerate() {
        println!("{i:2} {:<40} kaskade {:<28} kafka {}", k.0, k.1, j.1);
    }
    assert_eq!(a, b, "outcomes differ: kaskade (left) and Kafka (right)");
    let expected = [
        ("a joins an empty group", "ok"),
        ("a heartbeats", "ok"),
        ("a heartbeat while b joins", "REBALANCE_IN_PROGRESS"),
        ("b joins", "ok"),
        ("a rejoins", "ok"),
        ("a heartbeats in generation 2", "ok"),
        ("b heartbeats in generation 2", "ok"),
        ("heartbeat with the old generation", "ILLEGAL_GENERATION"),
        ("heartbeat of an unknown member", "UNKNOWN_MEMBER_ID"),
        ("a heartbeat while c joins", "REBALANCE_IN_PROGRESS"),
        ("b heartbeat while c joins", "REBALANCE_IN_PROGRESS"),
        ("c joins", "ok"),
        ("a rejoins with c", "ok"),
        ("b rejoins with c", "ok"),
        ("c leaves", "ok"),
        ("a heartbeat after c left", "REBALANCE_IN_PROGRESS"),
        ("b heartbeat after c left", "REBALANCE_IN_PROGRESS"),
        ("a rejoins without c", "ok"),
        ("b rejoins without c", "ok"),
        ("heartbeat after leaving", "UNKNOWN_MEMBER_ID"),
        ("b leaves", "ok"),
        ("a leaves", "ok"),
        ("a leaves again", "UNKNOWN_MEMBER_ID"),
    ];
    let expected: Vec<_> = expected.iter().map(|(s, o)| (*s, o.to_string())).collect();
    assert_eq!(a, expected);
}

/// A join the coordinator refuses comes back as Kafka's error, typed: a second protocol type in
/// the same group is INCONSISTENT_GROUP_PROTOCOL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_protocol_type_is_refused() {
    let kaskade = BrokerProc::start(&[GROUP_DELAY_ZERO]);
    let mut a = Member::new(&kaskade.bootstrap(), "a", vec!["compatible"]).await;
    a.join().await.expect("a joins");
    let admin = KafkaAdmin::new(&kaskade.bootstrap(), TIMEOUT);
    let r = admin
        .join_group(&JoinGroup {
            group_id: GROUP.to_string(),
            member_id: UNKNOWN_MEMBER_ID.to_string(),
            group_instance_id: None,
            protocol_type: "consumer".to_string(),
            protocols: vec![("range".to_string(), Bytes::new())],
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(10),
            reason: None,
        })
        .await;
    assert!(
        matches!(
            r,
            Err(MembershipError::Kafka {
                error: ResponseError::InconsistentGroupProtocol,
                api: "JoinGroup",
                ..
            })
        ),
        "{r:?}"
    );
}
