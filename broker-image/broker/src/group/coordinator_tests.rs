//! The coordinator over a real log directory: committed offsets and group state are written to
//! `__consumer_offsets` and read back by a new coordinator (a restart), and offsets of an empty
//! group expire after `offsets.retention.minutes` while a group with members keeps its own.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::watch;

use super::config::GroupConfig;
use super::coordinator::GroupCoordinator;
use super::records::OffsetValue;
use super::state_machine::{GroupState, JoinParams};
use super::store::OffsetsStore;
use crate::metadata::{BrokerEndpoint, MetadataStore, QuorumMetadata};
use crate::replication::ReplicaManager;
use crate::storage::{Flusher, LogConfig, LogManager};
use crate::util;

/// A coordinator over `dir`, and its metadata store (shut down before the next one starts).
async fn coordinator(dir: &std::path::Path, cfg: GroupConfig) -> (Arc<GroupCoordinator>, Arc<dyn MetadataStore>) {
    let endpoint = BrokerEndpoint {
        node_id: 1,
        host: "localhost".into(),
        port: 9092,
        rack: None,
    };
    let metadata = QuorumMetadata::start(dir, "test-cluster".into(), endpoint, Default::default(), None, Default::default())
        .await
        .expect("metadata");
    let metadata: Arc<dyn MetadataStore> = Arc::new(metadata);
    let logs = Arc::new(LogManager::new(dir, LogConfig::default()).expect("logs"));
    let (flusher, _thread) = Flusher::start(util::now_ms);
    let replicas = Arc::new(ReplicaManager::new(
        1,
        Default::default(),
        logs,
        Arc::clone(&metadata),
        flusher.clone(),
    ));
    replicas.sync().expect("open");
    let store = OffsetsStore::new(Arc::clone(&metadata), replicas, flusher, &cfg);
    let c = Arc::new(GroupCoordinator::new(cfg, store));
    c.load();
    (c, metadata)
}

fn cfg() -> GroupConfig {
    GroupConfig {
        initial_rebalance_delay_ms: 0,
        offsets_partitions: 3,
        ..GroupConfig::default()
    }
}

fn offset(n: i64, now: i64) -> OffsetValue {
    OffsetValue {
        offset: n,
        leader_epoch: -1,
        metadata: format!("m{n}"),
        commit_timestamp: now,
    }
}

fn join_params() -> JoinParams {
    JoinParams {
        member_id: String::new(),
        instance_id: None,
        client_id: "c".into(),
        client_host: "/127.0.0.1".into(),
        session_timeout_ms: 30_000,
        rebalance_timeout_ms: 30_000,
        protocol_type: "consumer".into(),
        protocols: vec![("range".into(), Bytes::from_static(b"sub"))],
        require_known_member_id: false,
        supports_skip_assignment: true,
    }
}

/// A stable one-member group `g` with generation 1 and assignment `asg`; returns the member id.
async fn stable_group(c: &Arc<GroupCoordinator>) -> String {
    let joined = c.join("g", join_params()).await;
    assert_eq!((joined.error, joined.generation), (0, 1));
    let synced = c
        .sync(
            "g",
            &joined.member_id,
            None,
            1,
            None,
            None,
            vec![(joined.member_id.clone(), Bytes::from_static(b"asg"))],
        )
        .await;
    assert_eq!((synced.error, synced.assignment.as_ref()), (0, b"asg".as_ref()));
    joined.member_id
}

#[tokio::test]
async fn offsets_and_groups_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (stop, stopped) = watch::channel(false);
    let now = util::now_ms();
    {
        let (c, metadata) = coordinator(dir.path(), cfg()).await;
        tokio::spawn(Arc::clone(&c).run_timers(stopped.clone()));
        c.commit(
            "simple",
            "",
            None,
            -1,
            8,
            vec![("t".into(), 0, offset(5, now)), ("t".into(), 1, offset(7, now))],
        )
        .await
        .expect("simple commit");
        let member = stable_group(&c).await;
        c.commit("g", &member, None, 1, 8, vec![("t".into(), 0, offset(3, now))])
            .await
            .expect("member commit");
        c.commit("simple", "", None, -1, 8, vec![("t".into(), 1, offset(9, now))])
            .await
            .expect("second commit");
        metadata.shutdown().await;
    }
    let _ = stop.send(true);
    let (c, _metadata) = coordinator(dir.path(), cfg()).await;
    let fetched: Vec<(String, i32, Option<i64>)> = c
        .fetch("simple", None)
        .into_iter()
        .map(|f| (f.topic, f.partition, f.offset.map(|o| o.offset)))
        .collect();
    assert_eq!(
        fetched,
        vec![("t".into(), 0, Some(5)), ("t".into(), 1, Some(9))],
        "the newest commit wins"
    );
    let g = c.describe("g").expect("group g is back");
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.members.len(), 1);
    assert_eq!(g.members[0].assignment.as_ref(), b"asg");
    let member = g.members[0].member_id.clone();
    assert_eq!(
        c.heartbeat("g", &member, None, 1).await,
        0,
        "the member carries on in its generation"
    );
    assert_eq!(
        c.fetch("g", Some(vec![("t".into(), vec![0])]))[0]
            .offset
            .as_ref()
            .map(|o| o.metadata.as_str()),
        Some("m3")
    );
}

#[tokio::test]
async fn offsets_of_empty_groups_expire_after_the_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_stop, stopped) = watch::channel(false);
    let cfg = GroupConfig {
        offsets_retention_ms: 60_000,
        ..cfg()
    };
    let now = util::now_ms();
    let (c, metadata) = coordinator(dir.path(), cfg.clone()).await;
    tokio::spawn(Arc::clone(&c).run_timers(stopped.clone()));
    c.commit("simple", "", None, -1, 8, vec![("t".into(), 0, offset(5, now))])
        .await
        .expect("commit");
    let member = stable_group(&c).await;
    c.commit("g", &member, None, 1, 8, vec![("t".into(), 0, offset(3, now))])
        .await
        .expect("commit");
    assert_eq!(c.expire_offsets(now + 59_000), 0, "not yet");
    assert_eq!(
        c.expire_offsets(now + 61_000),
        1,
        "the empty group's offset expires; the stable group's does not"
    );
    assert!(c.fetch("simple", Some(vec![("t".into(), vec![0])]))[0].offset.is_none());
    assert!(
        c.list().iter().all(|g| g.group_id != "simple"),
        "an empty group with no offsets is gone"
    );
    assert!(c.fetch("g", Some(vec![("t".into(), vec![0])]))[0].offset.is_some());
    // The expiry is durable.
    metadata.shutdown().await;
    let (c, _metadata) = coordinator(dir.path(), cfg).await;
    assert!(c.fetch("simple", None).is_empty());
    assert_eq!(c.fetch("g", None).len(), 1);
}
