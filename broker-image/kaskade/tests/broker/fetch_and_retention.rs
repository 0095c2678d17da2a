//! Long-polling fetches and log maintenance through the running broker: a consumer parked on an
//! idle partition is woken by the next produce (not by its timeout), an idle fetch answers at
//! its max wait, and retention by time deletes whole segments while the log start offset moves.

use std::time::{Duration, Instant};

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{BrokerId, FetchRequest, ListOffsetsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::Compression;
use kaskade_testkit::batches::{batch, produce_request};
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::InProcessBroker;

fn create(c: &mut RawClient, name: &str, configs: &[(&str, &str)]) {
    c.create_topic(name, 1, configs);
}

fn fetch(topic: &str, offset: i64, max_wait_ms: i32) -> FetchRequest {
    let mut p = FetchPartition::default();
    p.partition = 0;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    let mut t = FetchTopic::default();
    t.topic = TopicName(StrBytes::from_string(topic.to_string()));
    t.partitions = vec![p];
    let mut r = FetchRequest::default();
    r.replica_id = BrokerId(-1);
    r.max_wait_ms = max_wait_ms;
    r.min_bytes = 1;
    r.max_bytes = 50 << 20;
    r.session_epoch = -1;
    r.topics = vec![t];
    r
}

fn offsets(c: &mut RawClient, topic: &str) -> (i64, i64) {
    let mut at = |ts: i64| {
        let mut p = ListOffsetsPartition::default();
        p.timestamp = ts;
        let mut t = ListOffsetsTopic::default();
        t.name = TopicName(StrBytes::from_string(topic.to_string()));
        t.partitions = vec![p];
        let mut r = ListOffsetsRequest::default();
        r.replica_id = BrokerId(-1);
        r.topics = vec![t];
        c.call(7, &r).topics[0].partitions[0].offset
    };
    (at(-2), at(-1))
}

#[test]
fn a_parked_fetch_is_woken_by_the_next_produce() {
    let b = InProcessBroker::start(&[]);
    let mut c = RawClient::connect(&b.bootstrap());
    create(&mut c, "poll", &[]);
    let bs = b.bootstrap();
    let producer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        let mut p = RawClient::connect(&bs);
        let resp = p.call(
            9,
            &produce_request("poll", 0, batch(&[b"wake up"], 1_700_000_000_000, Compression::None), 1),
        );
        assert_eq!(resp.responses[0].partition_responses[0].error_code, 0);
    });
    let start = Instant::now();
    let resp = c.call(12, &fetch("poll", 0, 20_000));
    let waited = start.elapsed();
    producer.join().expect("producer");
    let records = resp.responses[0].partitions[0].records.clone().unwrap_or_default();
    assert!(!records.is_empty(), "the fetch returned the new record");
    assert!(waited >= Duration::from_millis(600), "it waited for the produce ({waited:?})");
    assert!(
        waited < Duration::from_secs(5),
        "woken by the produce, not by its 20 s max wait ({waited:?})"
    );

    // Nothing arrives: the answer comes at max_wait_ms, empty.
    let start = Instant::now();
    let resp = c.call(12, &fetch("poll", 1, 400));
    let waited = start.elapsed();
    assert!(resp.responses[0].partitions[0].records.as_ref().is_none_or(|r| r.is_empty()));
    assert!(
        waited >= Duration::from_millis(380) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[test]
fn retention_by_time_deletes_old_segments() {
    let b = InProcessBroker::start(&["log.retention.check.interval.ms=200"]);
    let mut c = RawClient::connect(&b.bootstrap());
    create(&mut c, "short", &[("retention.ms", "2000"), ("segment.bytes", "1048576")]);
    create(&mut c, "long", &[("segment.bytes", "1048576")]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let value = vec![3u8; 200_000];
    for topic in ["short", "long"] {
        for _ in 0..12 {
            let resp = c.call(9, &produce_request(topic, 0, batch(&[&value], now, Compression::None), 1));
            assert_eq!(resp.responses[0].partitions_error(), 0);
        }
    }
    assert_eq!(offsets(&mut c, "short"), (0, 12));
    let segments = |t: &str| {
        std::fs::read_dir(b.log_dir().join(format!("{t}-0")))
            .expect("dir")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "log")))
            .count()
    };
    assert!(segments("short") >= 2, "the log rolled at segment.bytes");
    let gone = kaskade_testkit::wait_for(Duration::from_secs(15), || (offsets(&mut c, "short") == (12, 12)).then_some(()));
    assert!(
        gone.is_some(),
        "expired segments deleted, log start moved to the end: {:?}",
        offsets(&mut c, "short")
    );
    assert_eq!(segments("short"), 1, "only the (new, empty) active segment is left");
    assert_eq!(offsets(&mut c, "long"), (0, 12), "a topic with default retention keeps everything");
    // Offsets continue where they were.
    let resp = c.call(9, &produce_request("short", 0, batch(&[b"after"], now, Compression::None), 1));
    assert_eq!(resp.responses[0].partition_responses[0].base_offset, 12);
}

trait PartitionsError {
    fn partitions_error(&self) -> i16;
}

impl PartitionsError for kafka_protocol::messages::produce_response::TopicProduceResponse {
    fn partitions_error(&self) -> i16 {
        self.partition_responses.iter().map(|p| p.error_code).find(|e| *e != 0).unwrap_or(0)
    }
}

#[test]
fn segments_roll_by_time_even_when_idle() {
    let b = InProcessBroker::start(&[]);
    let mut c = RawClient::connect(&b.bootstrap());
    create(&mut c, "timed", &[("segment.ms", "500")]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let resp = c.call(9, &produce_request("timed", 0, batch(&[b"one"], now, Compression::None), 1));
    assert_eq!(resp.responses[0].partitions_error(), 0);
    let segments = || {
        std::fs::read_dir(b.log_dir().join("timed-0"))
            .expect("dir")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "log")))
            .count()
    };
    assert_eq!(segments(), 1);
    // No more traffic: the background task rolls the segment once segment.ms has passed.
    let rolled = kaskade_testkit::wait_for(Duration::from_secs(10), || (segments() == 2).then_some(()));
    assert!(rolled.is_some(), "the idle active segment was rolled after segment.ms");
    let resp = c.call(9, &produce_request("timed", 0, batch(&[b"two"], now, Compression::None), 1));
    assert_eq!(
        resp.responses[0].partition_responses[0].base_offset, 1,
        "offsets continue in the new segment"
    );
    let resp = c.call(12, &fetch("timed", 0, 0));
    assert!(
        !resp.responses[0].partitions[0].records.clone().unwrap_or_default().is_empty(),
        "the rolled segment is still read"
    );
}
