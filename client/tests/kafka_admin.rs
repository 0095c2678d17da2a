//! The operator's Kafka admin client against real brokers: a `kaskade broker` process and
//! Apache Kafka 4.x run the same scenario, and every step's outcome (Ok, or Kafka's error name)
//! must be the same on both. Plus what no broker decides: unreachable addresses, a silent
//! broker, a restarted broker, concurrent callers.
//!
//! Needs `cargo build -p kaskade` (the broker binary) and the Kafka peer (`e2e/peers/install.sh`
//! fetches it; `e2e/peers/kafka/start.sh` runs it).

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use kaskade_client::{AdminError, KafkaAdmin, TopicInfo};
use kaskade_testkit::BrokerProc;

const TIMEOUT: Duration = Duration::from_secs(10);

fn configs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A step's outcome as both brokers must agree on it: `ok`, or Kafka's error name.
fn outcome<T: Debug>(broker: &str, step: &str, r: &Result<T, AdminError>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(AdminError::Kafka { name, .. }) => name.clone(),
        Err(e) => panic!("{broker}: {step}: {e}"),
    }
}

/// Polls `f` until `done` holds for its result (brokers learn of metadata changes from the
/// controller a moment after the change is acknowledged).
async fn eventually<T: Debug, F: Future<Output = T>>(what: &str, mut f: impl FnMut() -> F, done: impl Fn(&T) -> bool) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = f().await;
        if done(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: still {v:?} after 15 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The Topic controller's life cycle of one topic, checked step by step; returns each step's
/// outcome for the comparison between brokers.
async fn scenario(broker: &str, admin: &KafkaAdmin, topic: &str) -> Vec<(&'static str, String)> {
    let mut steps = Vec::new();
    let mut record = |step: &'static str, outcome: String| steps.push((step, outcome));

    let id = admin.cluster_id().await.unwrap_or_else(|e| panic!("{broker}: cluster_id: {e}"));
    assert!(id.as_deref().is_some_and(|id| !id.is_empty()), "{broker}: cluster id {id:?}");

    let r = admin.describe_topic(topic).await;
    assert_eq!(r, Ok(None), "{broker}: describe before create");

    let initial = configs(&[("cleanup.policy", "compact"), ("retention.ms", "86400000")]);
    let r = admin.create_topic(topic, 3, 1, &initial).await;
    record("create", outcome(broker, "create", &r));
    let info = eventually(
        &format!("{broker}: describe after create"),
        || admin.describe_topic(topic),
        |r| matches!(r, Ok(Some(_))),
    )
    .await
    .ok()
    .flatten();
    let Some(TopicInfo {
        topic_id,
        partitions,
        replication_factor,
    }) = info
    else {
        unreachable!()
    };
    assert!(!topic_id.is_nil(), "{broker}: topic id");
    assert_eq!((partitions, replication_factor), (3, 1), "{broker}: describe after create");

    let r = admin.create_topic(topic, 3, 1, &BTreeMap::new()).await;
    assert!(
        r.as_ref().is_err_and(|e| e.is(kaskade_client::ResponseError::TopicAlreadyExists)),
        "{broker}: create again: {r:?}"
    );
    record("create again", outcome(broker, "create again", &r));

    let r = admin.create_topic(&format!("{topic}-rf3"), 1, 3, &BTreeMap::new()).await;
    record("create with more replicas than brokers", outcome(broker, "create rf 3", &r));

    let r = admin.topic_configs(topic).await;
    assert_eq!(r, Ok(initial.clone()), "{broker}: configs after create");

    let r = admin.create_partitions(topic, 5).await;
    record("grow partitions", outcome(broker, "grow", &r));
    let grown = eventually(
        &format!("{broker}: describe after growing"),
        || admin.describe_topic(topic),
        |r| matches!(r, Ok(Some(i)) if i.partitions == 5),
    )
    .await;
    assert_eq!(grown.ok().flatten().map(|i| i.topic_id), Some(topic_id), "{broker}: id kept");

    let r = admin.create_partitions(topic, 2).await;
    assert!(
        r.as_ref().is_err_and(|e| e.is(kaskade_client::ResponseError::InvalidPartitions)),
        "{broker}: lower: {r:?}"
    );
    record("lower partitions", outcome(broker, "lower", &r));
    let r = admin.create_partitions(topic, 5).await;
    record("same partition count", outcome(broker, "same count", &r));

    let set = configs(&[("max.message.bytes", "2000000"), ("retention.ms", "3600000")]);
    let r = admin.alter_topic_configs(topic, &set, &["cleanup.policy".to_string()]).await;
    record("set and delete configs", outcome(broker, "alter", &r));
    let r = admin.topic_configs(topic).await;
    assert_eq!(r, Ok(set.clone()), "{broker}: configs after alter");

    let r = admin
        .alter_topic_configs(topic, &BTreeMap::new(), &["segment.ms".to_string()])
        .await;
    record("delete a config not set", outcome(broker, "delete unset", &r));
    let r = admin.alter_topic_configs(topic, &configs(&[("retention.ms", "soon")]), &[]).await;
    record("set an invalid value", outcome(broker, "invalid value", &r));
    let r = admin.alter_topic_configs(topic, &BTreeMap::new(), &[]).await;
    assert_eq!(r, Ok(()), "{broker}: nothing to alter");
    assert_eq!(admin.topic_configs(topic).await, Ok(set), "{broker}: configs unchanged");

    let missing = format!("{topic}-missing");
    let r = admin.topic_configs(&missing).await;
    record("configs of a missing topic", outcome(broker, "configs missing", &r));
    let r = admin.create_partitions(&missing, 3).await;
    record("grow a missing topic", outcome(broker, "grow missing", &r));

    let r = admin.delete_topic(topic).await;
    record("delete", outcome(broker, "delete", &r));
    let gone = eventually(
        &format!("{broker}: describe after delete"),
        || admin.describe_topic(topic),
        |r| *r == Ok(None),
    )
    .await;
    assert_eq!(gone, Ok(None));
    let r = admin.delete_topic(topic).await;
    assert_eq!(r, Ok(()), "{broker}: delete again");
    steps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kaskade_and_kafka_answer_alike() {
    let kafka = tokio::task::spawn_blocking(|| kaskade_testkit::kafka_peer::shared().to_string());
    let kaskade = BrokerProc::start(&[]);
    let kafka = kafka.await.expect("Kafka peer");
    let on_kaskade = KafkaAdmin::new(&kaskade.bootstrap(), TIMEOUT);
    let on_kafka = KafkaAdmin::new(&kafka, TIMEOUT);
    let (a, b) = tokio::join!(
        scenario("kaskade", &on_kaskade, "admin-scenario"),
        scenario("kafka", &on_kafka, "admin-scenario")
    );
    for (i, (k, j)) in a.iter().zip(&b).enumerate() {
        println!("{i:2} {:<40} kaskade {:<28} kafka {}", k.0, k.1, j.1);
    }
    assert_eq!(a, b, "outcomes differ: kaskade (left) and Kafka (right)");
    let expected = [
        ("create", "ok"),
        ("create again", "TOPIC_ALREADY_EXISTS"),
        ("create with more replicas than brokers", "INVALID_REPLICATION_FACTOR"),
        ("grow partitions", "ok"),
        ("lower partitions", "INVALID_PARTITIONS"),
        ("same partition count", "INVALID_PARTITIONS"),
        ("set and delete configs", "ok"),
        ("delete a config not set", "ok"),
        ("set an invalid value", "INVALID_CONFIG"),
        ("configs of a missing topic", "UNKNOWN_TOPIC_OR_PARTITION"),
        ("grow a missing topic", "UNKNOWN_TOPIC_OR_PARTITION"),
        ("delete", "ok"),
    ];
    let expected: Vec<_> = expected.iter().map(|(s, o)| (*s, o.to_string())).collect();
    assert_eq!(a, expected);
}

fn assert_unreachable(r: Result<Option<String>, AdminError>, started: Instant, bound: Duration) {
    assert!(matches!(r, Err(AdminError::Unreachable { .. })), "{r:?}");
    assert!(started.elapsed() < bound, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn unreachable_addresses_fail_within_the_timeout() {
    let timeout = Duration::from_millis(500);
    let bound = timeout + Duration::from_millis(500);

    let closed = format!("127.0.0.1:{}", kaskade_testkit::free_port());
    let t = Instant::now();
    assert_unreachable(KafkaAdmin::new(&closed, timeout).cluster_id().await, t, bound);

    let t = Instant::now();
    assert_unreachable(KafkaAdmin::new("no-such-host.invalid:9092", timeout).cluster_id().await, t, bound);

    // Something that is not Kafka (here an HTTP server answering garbage, as a proxy would):
    // a protocol error, not a hang.
    let http = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = http.local_addr().expect("addr").to_string();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = http.accept().expect("accept");
        let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let r = KafkaAdmin::new(&addr, timeout).cluster_id().await;
    assert!(
        matches!(&r, Err(AdminError::Protocol(m)) if m.contains("response frame of")),
        "{r:?}"
    );
    server.join().expect("http server");

    // A listener that accepts but never answers ApiVersions.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = silent.local_addr().expect("addr").to_string();
    let t = Instant::now();
    let r = KafkaAdmin::new(&addr, timeout).cluster_id().await;
    assert_unreachable(r, t, bound);
}

/// An ApiVersions v3 answer that serves Metadata v0..v13 only, by hand (the crate encodes
/// responses only with its `broker` feature).
fn api_versions_answer(correlation: i32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&correlation.to_be_bytes()); // response header v0
    body.extend_from_slice(&0i16.to_be_bytes()); // error code
    body.push(2); // compact array of 1
    body.extend_from_slice(&3i16.to_be_bytes()); // Metadata
    body.extend_from_slice(&0i16.to_be_bytes());
    body.extend_from_slice(&13i16.to_be_bytes());
    body.push(0); // tagged fields
    body.extend_from_slice(&0i32.to_be_bytes()); // throttle time
    body.push(0); // tagged fields
    let mut frame = (body.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    frame
}

#[tokio::test]
async fn a_broker_that_stops_answering_is_a_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    // Two connections: each gets its ApiVersions answer, then silence until the client hangs up.
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut sock, _) = listener.accept().expect("accept");
            let mut size = [0u8; 4];
            sock.read_exact(&mut size).expect("ApiVersions size");
            let mut req = vec![0u8; i32::from_be_bytes(size) as usize];
            sock.read_exact(&mut req).expect("ApiVersions");
            let correlation = i32::from_be_bytes([req[4], req[5], req[6], req[7]]);
            sock.write_all(&api_versions_answer(correlation)).expect("answer");
            let mut buf = [0u8; 1024];
            while sock.read(&mut buf).map(|n| n > 0).unwrap_or(false) {}
        }
    });
    let admin = KafkaAdmin::new(&addr, Duration::from_millis(500));
    let t = Instant::now();
    let r = admin.describe_topic("t").await;
    assert_eq!(r, Err(AdminError::Timeout { api: "Metadata" }));
    assert!(t.elapsed() < Duration::from_secs(2), "took {:?}", t.elapsed());

    // An API the broker does not serve is refused before anything is sent.
    let r = admin.delete_topic("t").await;
    assert_eq!(r, Err(AdminError::Protocol("the broker does not serve DeleteTopics".into())));
    drop(admin);
    // Both connections were dropped (after the timeout, after the refusal): the server ends.
    server.join().expect("fake broker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_the_broker_restarts() {
    let mut broker = BrokerProc::start(&[]);
    let admin = KafkaAdmin::new(&broker.bootstrap(), TIMEOUT);
    let id = admin.cluster_id().await.expect("cluster id");
    assert!(id.is_some());

    // The kept connection dies with the broker; the next call reconnects on its own.
    broker.kill9();
    broker.spawn();
    assert_eq!(admin.cluster_id().await, Ok(id.clone()), "after a restart");

    broker.kill9();
    let r = admin.cluster_id().await;
    assert!(matches!(r, Err(AdminError::Unreachable { .. })), "broker down: {r:?}");
    broker.spawn();
    assert_eq!(admin.cluster_id().await, Ok(id), "back up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_client() {
    let broker = BrokerProc::start(&[]);
    let admin = KafkaAdmin::new(&broker.bootstrap(), TIMEOUT);
    admin.create_topic("shared", 2, 1, &BTreeMap::new()).await.expect("create");
    let calls: Vec<_> = (0..32)
        .map(|i| {
            let admin = admin.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    admin.describe_topic("shared").await.map(|i| i.map(|i| i.partitions))
                } else {
                    admin.topic_configs("shared").await.map(|c| Some(c.len() as i32))
                }
            })
        })
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let expected = if i % 2 == 0 { Some(2) } else { Some(0) };
        assert_eq!(call.await.expect("task"), Ok(expected), "call {i}");
    }
}
