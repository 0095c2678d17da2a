//! Group coordination across brokers: a group's coordinator is the leader of its
//! `__consumer_offsets` partition; when that broker is SIGKILLed another replica takes the
//! partition over with the committed offsets, and the consumer (librdkafka) finds it and goes on
//! consuming from where it committed.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kafka_protocol::messages::FindCoordinatorRequest;
use kafka_protocol::protocol::StrBytes;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{wait_for, ClusterProc};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

const TOPIC: &str = "grouped";
const GROUP: &str = "survivors";
const RECORDS: usize = 400;

/// The group's coordinator as a broker answers FindCoordinator v3.
fn coordinator(bootstrap: &str) -> Option<i32> {
    let mut client = RawClient::connect(bootstrap);
    let mut req = FindCoordinatorRequest::default();
    req.key = StrBytes::from_static_str(GROUP);
    let resp = client.try_call(3, &req).ok()?;
    (resp.error_code == 0).then_some(resp.node_id.0)
}

/// The leader of every `__consumer_offsets` partition, as a broker lists them.
fn offsets_leaders(bootstrap: &str) -> Vec<i32> {
    let parts = RawClient::connect(bootstrap)
        .partitions("__consumer_offsets")
        .expect("Metadata answered");
    parts.iter().map(|p| p.leader).collect()
}

/// Polls until `want` records arrived or a minute passed; commits what it got.
fn consume(consumer: &BaseConsumer, want: usize, seen: &mut BTreeSet<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = 0;
    while got < want && Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(100)) {
            let m = m.expect("consume");
            seen.insert(String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned());
            got += 1;
        }
    }
    consumer.commit_consumer_state(CommitMode::Sync).expect("commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_keeps_its_offsets_and_consumes_on_when_its_coordinator_dies() {
    let _serial = crate::serial().await;
    let mut cluster = ClusterProc::start(3, &["broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=250"]);
    let bootstrap = cluster.bootstrap();
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().expect("admin");
    let topic = NewTopic::new(TOPIC, 3, TopicReplication::Fixed(3));
    for r in admin.create_topics(&[topic], &AdminOptions::new()).await.expect("create") {
        r.expect("created");
    }
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("acks", "all")
        .create()
        .expect("producer");
    for i in 0..RECORDS {
        let value = format!("record-{i}");
        producer
            .send(FutureRecord::<(), _>::to(TOPIC).payload(&value), Duration::from_secs(30))
            .await
            .map_err(|(e, _)| e)
            .expect("produced");
    }
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", GROUP)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "6000")
        .create()
        .expect("consumer");
    consumer.subscribe(&[TOPIC]).expect("subscribe");
    let mut seen = BTreeSet::new();
    consume(&consumer, RECORDS / 2, &mut seen);
    assert!(seen.len() >= RECORDS / 2, "consumed {} before the kill", seen.len());

    let any = cluster.brokers[0].bootstrap();
    let old = wait_for(Duration::from_secs(30), || coordinator(&any)).expect("a coordinator");
    let partitions_led_before: Vec<usize> = offsets_leaders(&any)
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == old)
        .map(|(p, _)| p)
        .collect();
    assert!(!partitions_led_before.is_empty());
    cluster.node(old).kill9();
    let survivor = cluster.brokers.iter().find(|b| b.child.is_some()).expect("a survivor").bootstrap();
    let new = wait_for(Duration::from_secs(30), || coordinator(&survivor).filter(|c| *c != old))
        .unwrap_or_else(|| panic!("no new coordinator\n{}", cluster.logs()));
    assert_ne!(new, old);

    consume(&consumer, RECORDS - seen.len(), &mut seen);
    assert_eq!(seen.len(), RECORDS, "every record consumed\n{}", cluster.logs());
    drop(consumer);

    // A new member of the group starts from the committed offsets: nothing is left to read.
    let late: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", cluster.bootstrap())
        .set("group.id", GROUP)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    late.subscribe(&[TOPIC]).expect("subscribe");
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut again = 0;
    while Instant::now() < deadline {
        if let Some(m) = late.poll(Duration::from_millis(100)) {
            m.expect("consume");
            again += 1;
        }
    }
    assert_eq!(again, 0, "records read again: the commits were lost with the coordinator");
}
