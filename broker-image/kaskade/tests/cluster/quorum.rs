//! The metadata quorum of three broker processes: topics created through any broker are listed
//! by all; SIGKILLing the quorum's leader under topic-creation load from three clients loses no
//! acknowledged topic and creates none twice; losing two of three voters makes writes fail with
//! Kafka's retriable `REQUEST_TIMED_OUT`, and they work again when the voters return.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::MetadataRequest;
use kaskade_testkit::cluster_proc::QUORUM_WAIT;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{wait_for, ClusterProc};

const PARTITIONS: i32 = 2;

/// CreateTopics v7 for one topic: the error code, or `Err` when the connection is gone.
fn create(client: &mut RawClient, name: &str) -> std::io::Result<i16> {
    client.try_create_topic(name, PARTITIONS, 1, &[])
}

/// Every topic a broker lists, with its partition count, sorted by name.
fn listed(bootstrap: &str) -> Vec<(String, usize)> {
    let mut client = RawClient::connect(bootstrap);
    let mut req = MetadataRequest::default();
    req.topics = None;
    let resp = client.call(12, &req);
    let mut topics: Vec<_> = resp
        .topics
        .iter()
        .map(|t| (t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default(), t.partitions.len()))
        .collect();
    topics.sort();
    topics
}

/// The quorum's leader as DescribeQuorum v2 through `bootstrap` reports it.
fn quorum_leader(bootstrap: &str) -> Option<i32> {
    let resp = RawClient::connect(bootstrap).describe_quorum().ok()?;
    let p = resp.topics.first()?.partitions.first()?;
    (p.error_code == 0 && p.leader_id.0 >= 0).then_some(p.leader_id.0)
}

/// One creator's tally: topics acknowledged (created, or already there when retried after a
/// timeout, which means the timed-out attempt committed) and topics attempted.
#[derive(Default)]
struct Tally {
    acked: BTreeSet<String>,
    tried: BTreeSet<String>,
    /// Acknowledgements after the kill.
    acked_after_kill: usize,
}

#[test]
fn killing_the_quorum_leader_under_topic_creation_loses_no_topic_and_makes_none_twice() {
    let _serial = crate::serial_blocking();
    let mut cluster = ClusterProc::start(3, &[]);
    let mut acknowledged = BTreeSet::new();
    let mut attempted = BTreeSet::new();
    for round in 0..2 {
        let leader = wait_for(QUORUM_WAIT, || quorum_leader(&cluster.brokers[0].bootstrap())).expect("a quorum leader");
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let creators: Vec<_> = (0..3)
            .map(|c| {
                let (tally, killed, bootstrap) = (Arc::clone(&tally), Arc::clone(&killed), cluster.brokers[c].bootstrap());
                std::thread::spawn(move || {
                    let mut client = RawClient::connect(&bootstrap);
                    let started = Instant::now();
                    let mut mine_after_kill = 0;
                    for i in 0.. {
                        let name = format!("q-{round}-{c}-{i}");
                        tally.lock().unwrap().tried.insert(name.clone());
                        let mut retried = false;
                        loop {
                            match create(&mut client, &name) {
                                Ok(0) => {}
                                Ok(code) if retried && code == ResponseError::TopicAlreadyExists.code() => {}
                                Ok(code) if code == ResponseError::RequestTimedOut.code() => {
                                    retried = true;
                                    continue;
                                }
                                Ok(code) => panic!("{name}: error code {code}"),
                                // This creator's broker was killed.
                                Err(_) => return,
                            }
                            break;
                        }
                        let mut t = tally.lock().unwrap();
                        t.acked.insert(name);
                        if killed.load(std::sync::atomic::Ordering::SeqCst) {
                            t.acked_after_kill += 1;
                            mine_after_kill += 1;
                        }
                        drop(t);
                        // Enough to show writes go on without the old leader; the deadline
                        // only ends a test that would otherwise hang.
                        if mine_after_kill >= 10 || started.elapsed() > Duration::from_secs(60) {
                            return;
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        cluster.node(leader).kill9();
        for c in creators {
            c.join().expect("creator");
        }
        let tally = tally.lock().unwrap();
        assert!(
            tally.acked_after_kill >= 20,
            "round {round}: the two survivors created only {} topics after the leader's kill\n{}",
            tally.acked_after_kill,
            cluster.logs()
        );
        acknowledged.extend(tally.acked.iter().cloned());
        attempted.extend(tally.tried.iter().cloned());
        drop(tally);
        cluster.start_stopped();
        let expected = listed(&cluster.brokers[0].bootstrap());
        for b in &cluster.brokers[1..] {
            assert_eq!(listed(&b.bootstrap()), expected, "brokers disagree about the topics");
        }
        let names: BTreeSet<String> = expected.iter().map(|(n, _)| n.clone()).collect();
        let missing: Vec<_> = acknowledged.difference(&names).collect();
        assert!(missing.is_empty(), "acknowledged topics lost: {missing:?}");
        let unknown: Vec<_> = names.difference(&attempted).collect();
        assert!(unknown.is_empty(), "topics nobody created: {unknown:?}");
        assert!(expected.iter().all(|(_, p)| *p == PARTITIONS as usize), "{expected:?}");
    }
}

#[test]
fn without_a_majority_writes_time_out_and_recover_when_voters_return() {
    let _serial = crate::serial_blocking();
    let mut cluster = ClusterProc::start(3, &[]);
    let mut client = RawClient::connect(&cluster.brokers[0].bootstrap());
    assert_eq!(create(&mut client, "before").unwrap(), 0);
    cluster.node(2).kill9();
    // One voter lost: the other two are a majority.
    assert_eq!(create(&mut client, "one-down").unwrap(), 0);
    cluster.node(3).kill9();
    let started = Instant::now();
    assert_eq!(
        create(&mut client, "no-majority").unwrap(),
        ResponseError::RequestTimedOut.code(),
        "a write without a majority"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "answered after {:?}",
        started.elapsed()
    );
    // Reads are served from the image the survivor has.
    let names: Vec<String> = listed(&cluster.brokers[0].bootstrap()).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"before".to_string()) && names.contains(&"one-down".to_string()),
        "{names:?}"
    );
    cluster.start_stopped();
    let code = wait_for(QUORUM_WAIT, || match create(&mut client, "after") {
        Ok(c) if c == ResponseError::RequestTimedOut.code() => None,
        other => Some(other),
    })
    .expect("writes resume once the voters return");
    // The timed-out write may have committed once the majority came back; it is there at most once.
    assert_eq!(code.unwrap(), 0);
    for b in &cluster.brokers {
        let names: Vec<String> = listed(&b.bootstrap()).into_iter().map(|(n, _)| n).collect();
        assert!(
            names.contains(&"after".to_string()) && names.contains(&"before".to_string()),
            "{names:?}"
        );
    }
}
