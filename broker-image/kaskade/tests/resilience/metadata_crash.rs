//! The metadata log across crashes: topics created by three clients while the broker is
//! SIGKILLed are there after the restart when they were acknowledged, and exist once or not at
//! all otherwise; a half-written entry at the log's tail is cut; a log directory from before
//! the metadata quorum has its `__kaskade_metadata.json` imported.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_protocol::messages::MetadataRequest;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::BrokerProc;

const PARTITIONS: i32 = 3;

/// CreateTopics v7 for one topic: `Ok(true)` created, `Ok(false)` refused, `Err` no answer.
fn create(client: &mut RawClient, name: &str) -> std::io::Result<bool> {
    Ok(client.try_create_topic(name, PARTITIONS, 1, &[])? == 0)
}

/// Every topic the broker lists, with its partition count and the leader of each partition.
fn listed(bootstrap: &str) -> Vec<(String, usize, Vec<i32>)> {
    let mut client = RawClient::connect(bootstrap);
    let mut req = MetadataRequest::default();
    req.topics = None; // all topics
    let resp = client.call(12, &req);
    resp.topics
        .iter()
        .map(|t| {
            let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
            let leaders = t.partitions.iter().map(|p| p.leader_id.0).collect();
            (name, t.partitions.len(), leaders)
        })
        .collect()
}

#[test]
fn topics_acknowledged_before_a_kill_survive_it_once() {
    let mut broker = BrokerProc::start(&[]);
    let mut acknowledged = BTreeSet::new();
    let mut attempted = BTreeSet::new();
    for round in 0..3 {
        let acked = Arc::new(Mutex::new(BTreeSet::new()));
        let tried = Arc::new(Mutex::new(BTreeSet::new()));
        let creators: Vec<_> = (0..3)
            .map(|c| {
                let (acked, tried, bootstrap) = (Arc::clone(&acked), Arc::clone(&tried), broker.bootstrap());
                std::thread::spawn(move || {
                    let mut client = RawClient::connect(&bootstrap);
                    for i in 0.. {
                        let name = format!("m-{round}-{c}-{i}");
                        tried.lock().unwrap().insert(name.clone());
                        match create(&mut client, &name) {
                            Ok(true) => acked.lock().unwrap().insert(name),
                            Ok(false) => panic!("{name} refused"),
                            Err(_) => return,
                        };
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(700));
        broker.kill9();
        for c in creators {
            c.join().expect("creator");
        }
        acknowledged.extend(acked.lock().unwrap().iter().cloned());
        attempted.extend(tried.lock().unwrap().iter().cloned());
        assert!(
            acked.lock().unwrap().len() > 10,
            "round {round} created too few topics to mean anything"
        );
        broker.spawn();
        let topics = listed(&broker.bootstrap());
        let names: BTreeSet<String> = topics.iter().map(|(n, _, _)| n.clone()).collect();
        assert_eq!(names.len(), topics.len(), "a topic listed twice");
        let missing: Vec<_> = acknowledged.difference(&names).collect();
        assert!(missing.is_empty(), "acknowledged topics lost by the kill: {missing:?}");
        let unknown: Vec<_> = names.difference(&attempted).collect();
        assert!(unknown.is_empty(), "topics nobody created: {unknown:?}");
        for (name, partitions, leaders) in &topics {
            assert_eq!(*partitions, PARTITIONS as usize, "{name}");
            assert!(leaders.iter().all(|l| *l == 1), "{name} leaders {leaders:?}");
        }
    }
}

#[test]
fn a_half_written_metadata_entry_is_cut_at_restart() {
    let mut broker = BrokerProc::start(&[]);
    let mut client = RawClient::connect(&broker.bootstrap());
    assert!(create(&mut client, "before").unwrap());
    drop(client);
    broker.kill9();
    let log = broker.log_dir().join("__cluster_metadata-0").join("raft.log");
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).expect("metadata log");
    // A frame header promising 500 bytes, and only some of them.
    f.write_all(&500u32.to_be_bytes()).unwrap();
    f.write_all(&[0xAB; 37]).unwrap();
    drop(f);
    broker.spawn();
    assert!(broker.logs().contains("metadata log: cut a torn tail"), "{}", broker.logs());
    let mut client = RawClient::connect(&broker.bootstrap());
    assert!(create(&mut client, "after").unwrap());
    drop(client);
    broker.kill9();
    broker.spawn();
    let names: BTreeSet<String> = listed(&broker.bootstrap()).into_iter().map(|(n, _, _)| n).collect();
    assert!(names.contains("before") && names.contains("after"), "{names:?}");
}

#[test]
fn a_single_node_metadata_file_is_imported_once() {
    let mut broker = BrokerProc::start(&[]);
    broker.terminate();
    let dir = broker.log_dir();
    std::fs::remove_dir_all(dir.join("__cluster_metadata-0")).unwrap();
    let legacy = r#"{"topics":[{"name":"legacy","id":"0f8a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b","partitions":2,"replication_factor":1,"configs":{"retention.ms":"1234"},"internal":false}],"producer_id_block_end":5000}"#;
    std::fs::write(dir.join("__kaskade_metadata.json"), legacy).unwrap();
    broker.spawn();
    let topics = listed(&broker.bootstrap());
    assert_eq!(topics, vec![("legacy".to_string(), 2, vec![1, 1])]);
    assert!(!dir.join("__kaskade_metadata.json").exists());
    assert!(dir.join("__kaskade_metadata.json.migrated").exists());
    broker.kill9();
    broker.spawn();
    assert_eq!(listed(&broker.bootstrap()), topics, "the imported image is in the metadata log");
}
