//! A real client against three brokers: librdkafka's idempotent acks=all producer writes to a
//! topic replicated three times, finding each partition's leader from Metadata, and an assigned
//! consumer reads every record back once, in order, from the leaders.

use std::collections::BTreeMap;
use std::time::Duration;

use kaskade_testkit::clients::assigned_consumer;
use kaskade_testkit::ClusterProc;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::Consumer;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

const TOPIC: &str = "rdkafka-rf3";
const PARTITIONS: i32 = 4;
const RECORDS: usize = 2000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotent_acks_all_producer_and_a_consumer_work_across_three_brokers() {
    let _serial = crate::serial().await;
    let cluster = ClusterProc::start(3, &[]);
    let bootstrap = cluster.bootstrap();
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .expect("admin client");
    let topic = NewTopic::new(TOPIC, PARTITIONS, TopicReplication::Fixed(3));
    for r in admin.create_topics(&[topic], &AdminOptions::new()).await.expect("create_topics") {
        r.expect("topic created");
    }
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create()
        .expect("producer");
    let sends: Vec<_> = (0..RECORDS)
        .map(|i| {
            let producer = producer.clone();
            tokio::spawn(async move {
                let value = format!("value-{i}");
                let key = format!("key-{}", i % 97);
                let record = FutureRecord::to(TOPIC)
                    .key(&key)
                    .payload(&value)
                    .partition((i % PARTITIONS as usize) as i32);
                let d = producer
                    .send(record, Duration::from_secs(60))
                    .await
                    .map_err(|(e, _)| e)
                    .expect("delivered");
                (d.partition, d.offset, value)
            })
        })
        .collect();
    let mut delivered = Vec::new();
    for s in sends {
        delivered.push(s.await.expect("send task"));
    }
    let mut expected: BTreeMap<(i32, i64), String> = BTreeMap::new();
    for (p, o, v) in delivered {
        assert!(expected.insert((p, o), v).is_none(), "two records at {p}/{o}");
    }
    let consumer = assigned_consumer(&bootstrap, TOPIC, PARTITIONS, &[]);
    let mut read: BTreeMap<(i32, i64), String> = BTreeMap::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while read.len() < RECORDS && std::time::Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            let m = m.expect("consume");
            let value = String::from_utf8(m.payload().expect("payload").to_vec()).expect("utf8");
            assert!(read.insert((m.partition(), m.offset()), value).is_none(), "read twice");
        }
    }
    assert_eq!(read, expected, "every acknowledged record, once, where the producer was told");
    for p in 0..PARTITIONS {
        let offsets: Vec<i64> = read.keys().filter(|(q, _)| *q == p).map(|(_, o)| *o).collect();
        assert_eq!(offsets, (0..offsets.len() as i64).collect::<Vec<_>>(), "partition {p} has gaps");
    }
    consumer.unsubscribe();
}
