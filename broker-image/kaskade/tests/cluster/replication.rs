//! Partition replication between three broker processes: a topic with replication factor 3 has
//! a log on every broker, leaders spread across them; records produced to a leader are served
//! by it and copied byte for byte (segments and leader epochs) to both followers; a follower refuses produce and consume
//! requests with `NOT_LEADER_OR_FOLLOWER`; consumers never see what the in-sync replicas do not
//! all have, and acks=all waits for them; a follower that lags leaves the ISR (acks=all then
//! answers `NOT_ENOUGH_REPLICAS` below `min.insync.replicas`) and rejoins once caught up.

use std::time::{Duration, Instant};

use kafka_protocol::error::ResponseError;
use kafka_protocol::records::Compression;
use kaskade_testkit::batches::{batch, produce_request};
use kaskade_testkit::cluster_proc::QUORUM_WAIT;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{send_signal, wait_for, ClusterProc};

const TOPIC: &str = "replicated";

fn create_replicated(client: &mut RawClient, name: &str, partitions: i32, rf: i16) {
    assert_eq!(
        client.try_create_topic(name, partitions, rf, &[]).expect("CreateTopics answered"),
        0,
        "creating {name}"
    );
}

/// Each partition's (leader, replicas, ISR) as a broker's Metadata lists them.
fn partitions(bootstrap: &str, topic: &str) -> Vec<(i32, Vec<i32>, Vec<i32>)> {
    let parts = RawClient::connect(bootstrap).partitions(topic).expect("Metadata answered");
    parts.into_iter().map(|p| (p.leader, p.replicas, p.isr)).collect()
}

/// Produce v9 of one batch; (error code, base offset).
fn produce(client: &mut RawClient, partition: i32, values: &[&[u8]], acks: i16, timeout_ms: i32) -> (i16, i64) {
    let mut req = produce_request(TOPIC, partition, batch(values, 1_700_000_000_000, Compression::None), acks);
    req.timeout_ms = timeout_ms;
    let resp = client.call(9, &req);
    let p = &resp.responses[0].partition_responses[0];
    (p.error_code, p.base_offset)
}

/// A consumer's Fetch v12 of one partition, not waiting: (error code, high watermark, records).
fn consume(client: &mut RawClient, partition: i32, offset: i64) -> (i16, i64, bytes::Bytes) {
    let p = client.fetch_partition(TOPIC, partition, offset, 0);
    (p.error_code, p.high_watermark, p.records.unwrap_or_default())
}

/// The segment and index files of one partition's directory, by name.
fn segment_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("partition directory")
        .map_while(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log") || n == "leader-epoch-checkpoint")
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).expect("segment");
            (n, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn records_reach_every_replica_byte_for_byte_and_only_the_leader_serves_them() {
    let _serial = crate::serial_blocking();
    let mut cluster = ClusterProc::start(3, &[]);
    let mut admin = RawClient::connect(&cluster.brokers[0].bootstrap());
    create_replicated(&mut admin, TOPIC, 3, 3);
    let parts = partitions(&cluster.brokers[0].bootstrap(), TOPIC);
    let leaders: Vec<i32> = parts.iter().map(|(l, _, _)| *l).collect();
    let mut sorted = leaders.clone();
    sorted.sort();
    assert_eq!(sorted, vec![1, 2, 3], "one leader on each broker: {parts:?}");
    for (leader, replicas, isr) in &parts {
        let mut r = replicas.clone();
        r.sort();
        assert_eq!(r, vec![1, 2, 3]);
        assert_eq!(replicas[0], *leader, "the preferred replica leads");
        assert_eq!(isr.len(), 3);
    }
    // Every broker lists the same.
    for b in &cluster.brokers[1..] {
        assert_eq!(partitions(&b.bootstrap(), TOPIC), parts);
    }
    let mut clients: Vec<RawClient> = cluster.brokers.iter().map(|b| RawClient::connect(&b.bootstrap())).collect();
    for (p, leader) in leaders.iter().enumerate() {
        let p = p as i32;
        let at_leader = &mut clients[(*leader - 1) as usize];
        for i in 0..20 {
            let v1 = format!("p{p}-r{i}-a");
            let v2 = format!("p{p}-r{i}-b");
            let acks = if i % 2 == 0 { -1 } else { 1 };
            let (code, base) = produce(at_leader, p, &[v1.as_bytes(), v2.as_bytes()], acks, 10_000);
            assert_eq!((code, base), (0, i * 2), "partition {p} batch {i} acks={acks}");
        }
        let follower = (*leader % 3) as usize;
        let (code, _) = produce(&mut clients[follower], p, &[b"x"], -1, 10_000);
        assert_eq!(code, ResponseError::NotLeaderOrFollower.code(), "produce to a follower");
        let (code, _, _) = consume(&mut clients[follower], p, 0);
        assert_eq!(code, ResponseError::NotLeaderOrFollower.code(), "consume from a follower");
        // The last batch was acks=1: the high watermark reaches it once the followers fetch it.
        let at_leader = &mut clients[(*leader - 1) as usize];
        let hw = wait_for(QUORUM_WAIT, || {
            let (code, hw, _) = consume(at_leader, p, 0);
            assert_eq!(code, 0);
            (hw == 40).then_some(hw)
        });
        assert_eq!(hw, Some(40), "partition {p}: the high watermark reaches the log end");
        let (_, _, records) = consume(at_leader, p, 0);
        let text = String::from_utf8_lossy(&records);
        assert!(text.contains(&format!("p{p}-r0-a")) && text.contains(&format!("p{p}-r19-b")));
    }
    drop(clients);
    // Every replica has everything (the high watermarks reached the ends). SIGKILL keeps the
    // files as they are: a SIGTERM would first move leadership off each broker and give the
    // others a new epoch to record.
    for b in &mut cluster.brokers {
        b.kill9();
    }
    for p in 0..3 {
        let copies: Vec<_> = cluster
            .brokers
            .iter()
            .map(|b| segment_files(&b.log_dir().join(format!("{TOPIC}-{p}"))))
            .collect();
        assert!(!copies[0].is_empty());
        assert!(copies[0].iter().any(|(n, bytes)| n.ends_with(".log") && bytes.len() > 1000));
        assert_eq!(copies[0], copies[1], "partition {p}: brokers 1 and 2 differ");
        assert_eq!(copies[0], copies[2], "partition {p}: brokers 1 and 3 differ");
    }
}

#[test]
fn consumers_see_only_what_every_in_sync_replica_has_and_acks_all_waits_for_it() {
    let _serial = crate::serial_blocking();
    let mut cluster = ClusterProc::start(3, &[]);
    let mut admin = RawClient::connect(&cluster.brokers[0].bootstrap());
    create_replicated(&mut admin, TOPIC, 1, 3);
    let (leader, replicas, _) = partitions(&cluster.brokers[0].bootstrap(), TOPIC)[0].clone();
    let mut client = RawClient::connect(&cluster.node(leader).bootstrap());
    assert_eq!(produce(&mut client, 0, &[b"first"], -1, 10_000), (0, 0));
    // A follower stops fetching (SIGSTOP: it is alive, its session not yet expired).
    let follower = *replicas.iter().find(|r| **r != leader).expect("a follower");
    let pid = cluster.node(follower).pid().expect("running") as i32;
    send_signal(pid, libc_sigstop());
    assert_eq!(
        produce(&mut client, 0, &[b"second"], 1, 10_000),
        (0, 1),
        "acks=1 needs only the leader"
    );
    let started = Instant::now();
    let (code, _) = produce(&mut client, 0, &[b"third"], -1, 1_500);
    assert_eq!(
        code,
        ResponseError::RequestTimedOut.code(),
        "acks=all without every in-sync replica"
    );
    assert!(started.elapsed() >= Duration::from_millis(1_400), "{:?}", started.elapsed());
    let (code, hw, records) = consume(&mut client, 0, 0);
    assert_eq!((code, hw), (0, 1), "the high watermark waits for the stopped follower");
    assert!(String::from_utf8_lossy(&records).contains("first"));
    assert!(
        !String::from_utf8_lossy(&records).contains("second"),
        "a consumer saw a record not on every in-sync replica"
    );
    let (_, _, beyond) = consume(&mut client, 0, 1);
    assert!(beyond.is_empty(), "a read at the high watermark returns nothing");
    send_signal(pid, libc_sigcont());
    let hw = wait_for(QUORUM_WAIT, || {
        let (_, hw, _) = consume(&mut client, 0, 0);
        (hw == 3).then_some(hw)
    });
    assert_eq!(hw, Some(3), "the follower caught up\n{}", cluster.logs());
    assert_eq!(produce(&mut client, 0, &[b"fourth"], -1, 10_000), (0, 3));
}

#[test]
fn a_lagging_follower_leaves_the_isr_and_rejoins_once_caught_up() {
    let _serial = crate::serial_blocking();
    let mut cluster = ClusterProc::start(3, &["replica.lag.time.max.ms=1000"]);
    let mut admin = RawClient::connect(&cluster.brokers[0].bootstrap());
    create_with_min_isr(&mut admin, TOPIC, 2);
    create_with_min_isr(&mut admin, "strict", 3);
    let (leader, replicas, _) = partitions(&cluster.brokers[0].bootstrap(), TOPIC)[0].clone();
    assert_eq!(
        partitions(&cluster.brokers[0].bootstrap(), "strict")[0].1,
        replicas,
        "both placed alike"
    );
    let follower = *replicas.iter().rev().find(|r| **r != leader).expect("a follower");
    let mut client = RawClient::connect(&cluster.node(leader).bootstrap());
    assert_eq!(produce_to(&mut client, "strict", -1), 0, "min.insync.replicas=3 with three in sync");
    let pid = cluster.node(follower).pid().expect("running") as i32;
    send_signal(pid, libc_sigstop());
    let bootstrap = cluster.node(leader).bootstrap();
    let shrunk = wait_for(QUORUM_WAIT, || {
        let isr = partitions(&bootstrap, TOPIC)[0].2.clone();
        (!isr.contains(&follower)).then_some(isr)
    });
    assert_eq!(
        shrunk.map(|i| i.len()),
        Some(2),
        "the stopped follower left the ISR\n{}",
        cluster.logs()
    );
    assert_eq!(
        produce_to(&mut client, TOPIC, -1),
        0,
        "acks=all with two in sync and min.insync.replicas=2"
    );
    assert_eq!(
        produce_to(&mut client, "strict", -1),
        ResponseError::NotEnoughReplicas.code(),
        "acks=all below min.insync.replicas"
    );
    assert_eq!(produce_to(&mut client, "strict", 1), 0, "acks=1 needs only the leader");
    send_signal(pid, libc_sigcont());
    let rejoined = wait_for(QUORUM_WAIT, || {
        let isr = partitions(&bootstrap, "strict")[0].2.clone();
        (isr.len() == 3).then_some(isr)
    });
    assert!(
        rejoined.is_some(),
        "the follower rejoined the ISR once caught up\n{}",
        cluster.logs()
    );
    assert_eq!(produce_to(&mut client, "strict", -1), 0);
}

fn create_with_min_isr(client: &mut RawClient, name: &str, min_isr: i32) {
    let configs = [("min.insync.replicas", min_isr.to_string())];
    let configs: Vec<(&str, &str)> = configs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        client.try_create_topic(name, 1, 3, &configs).expect("CreateTopics answered"),
        0,
        "creating {name}"
    );
}

/// Produce v9 of one small batch to partition 0 of `topic`: the error code.
fn produce_to(client: &mut RawClient, topic: &str, acks: i16) -> i16 {
    let mut req = produce_request(topic, 0, batch(&[b"v"], 1_700_000_000_000, Compression::None), acks);
    req.timeout_ms = 10_000;
    client.call(9, &req).responses[0].partition_responses[0].error_code
}

fn libc_sigstop() -> i32 {
    19
}

fn libc_sigcont() -> i32 {
    18
}
