//! Kafka's connection limits on a running `kaskade broker`, with Kafka's keys:
//! `max.connections.per.ip` (and its overrides) closes a connection over the limit at once;
//! `max.connections` makes the next client wait until a connection closes; `connections.max.idle.ms`
//! closes a connection that sends nothing, a half-sent frame included, but not one that keeps
//! asking; `queued.max.request.bytes` bounds the request bytes in flight across all connections.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{ApiVersionsRequest, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::BrokerProc;

/// Whether a fresh connection is served: ApiVersions answered within `wait`.
fn served(c: &mut RawClient, wait: Duration) -> bool {
    c.stream.set_read_timeout(Some(wait)).expect("timeout");
    c.try_call(3, &ApiVersionsRequest::default()).is_ok()
}

#[test]
fn max_connections_per_ip_closes_the_connection_over_the_limit() {
    let b = BrokerProc::start(&["max.connections.per.ip=3"]);
    let mut open: Vec<RawClient> = (0..3).map(|_| RawClient::connect(&b.bootstrap())).collect();
    for c in &mut open {
        assert!(served(c, Duration::from_secs(10)), "within the limit");
    }
    let mut fourth = RawClient::connect(&b.bootstrap());
    assert!(fourth.is_closed(), "the fourth connection from 127.0.0.1 is closed");
    drop(open.pop());
    let ok = kaskade_testkit::wait_for(Duration::from_secs(10), || {
        served(&mut RawClient::connect(&b.bootstrap()), Duration::from_secs(2)).then_some(())
    });
    assert!(ok.is_some(), "a slot freed by a closed connection is given again");
    assert!(
        b.logs()
            .contains("Rejected connection from /127.0.0.1, address already has the configured maximum of 3 connections."),
        "Kafka's log line"
    );
}

#[test]
fn an_override_sets_the_limit_of_one_address() {
    let b = BrokerProc::start(&["max.connections.per.ip=0", "max.connections.per.ip.overrides=127.0.0.1:2"]);
    let mut first = RawClient::connect(&b.bootstrap());
    let mut second = RawClient::connect(&b.bootstrap());
    assert!(served(&mut first, Duration::from_secs(10)) && served(&mut second, Duration::from_secs(10)));
    assert!(RawClient::connect(&b.bootstrap()).is_closed(), "the override's limit is 2");
}

#[test]
fn max_connections_makes_the_next_client_wait_for_a_slot() {
    let b = BrokerProc::start(&["max.connections=2"]);
    let mut first = RawClient::connect(&b.bootstrap());
    let mut second = RawClient::connect(&b.bootstrap());
    assert!(served(&mut first, Duration::from_secs(10)) && served(&mut second, Duration::from_secs(10)));
    // The third connects (the listen backlog holds it) but is not served while both are open.
    let mut third = RawClient::connect(&b.bootstrap());
    let (_, frame) = third.frame(3, &ApiVersionsRequest::default());
    third.send_bytes(&frame).expect("send");
    third.stream.set_read_timeout(Some(Duration::from_millis(1500))).expect("timeout");
    assert!(third.read_frame().is_err(), "no answer while the broker is at max.connections");
    drop(first);
    third.stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    assert!(third.read_frame().is_ok(), "answered once a connection closed");
}

#[test]
fn idle_connections_are_closed_but_busy_ones_are_not() {
    let b = BrokerProc::start(&["connections.max.idle.ms=1000"]);
    let started = Instant::now();
    let mut silent = RawClient::connect(&b.bootstrap());
    let mut half = TcpStream::connect(b.bootstrap()).expect("connect");
    // A frame of 100 bytes of which only 6 ever come.
    half.write_all(&[0, 0, 0, 100, 0, 18]).expect("send");
    let mut busy = RawClient::connect(&b.bootstrap());
    while started.elapsed() < Duration::from_millis(3000) {
        assert!(
            served(&mut busy, Duration::from_secs(10)),
            "a connection that keeps asking stays open"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    silent.stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    assert!(silent.is_closed(), "a silent connection is closed after connections.max.idle.ms");
    half.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    assert!(kaskade_testkit::raw::closed(&mut half), "so is one that stalled mid-frame");
    assert!(served(&mut busy, Duration::from_secs(10)));
}

fn long_poll(topic: &str, wait_ms: i32) -> FetchRequest {
    let mut p = FetchPartition::default();
    p.partition = 0;
    p.fetch_offset = 0;
    p.partition_max_bytes = 1 << 20;
    let mut t = FetchTopic::default();
    t.topic = TopicName(StrBytes::from_string(topic.to_string()));
    t.partitions = vec![p];
    let mut req = FetchRequest::default();
    req.max_wait_ms = wait_ms;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.session_epoch = -1;
    req.topics = vec![t];
    req
}

/// With a 1-byte budget, a long poll parked for 5 s on an empty partition holds all of it:
/// another connection's request waits for the poll to end. Without the key, it does not.
#[test]
fn queued_max_request_bytes_bounds_request_bytes_across_connections() {
    for (overrides, waits) in [(vec!["queued.max.request.bytes=1"], true), (vec![], false)] {
        let b = BrokerProc::start(&overrides);
        RawClient::connect(&b.bootstrap()).create_topic("empty", 1, &[]);
        let mut poller = RawClient::connect(&b.bootstrap());
        let (_, frame) = poller.frame(12, &long_poll("empty", 5000));
        let polled = Instant::now();
        poller.send_bytes(&frame).expect("send");
        std::thread::sleep(Duration::from_millis(300));
        let mut other = RawClient::connect(&b.bootstrap());
        assert!(served(&mut other, Duration::from_secs(15)));
        let answered_after = polled.elapsed();
        poller.read_frame().expect("the long poll's answer");
        if waits {
            assert!(
                answered_after >= Duration::from_millis(4500),
                "with queued.max.request.bytes=1 the second request waited for the poll ({answered_after:?})"
            );
        } else {
            assert!(
                answered_after < Duration::from_millis(4500),
                "without a budget the second request is answered at once ({answered_after:?})"
            );
        }
    }
}
