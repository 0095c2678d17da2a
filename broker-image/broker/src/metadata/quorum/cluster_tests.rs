//! Three voters in one process, over real TCP on loopback: writes made on any of them (the
//! followers forward to the leader) are read back on all; the quorum survives losing its
//! leader and answers "unavailable" without a majority, then recovers when a voter returns.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use super::*;

/// Short sessions, so a stopped broker is fenced within a test's patience.
const TIMING: liveness::Timing = liveness::Timing {
    heartbeat_interval: Duration::from_millis(100),
    session_timeout: Duration::from_millis(600),
};

struct Voter {
    dir: PathBuf,
    addr: String,
    store: Option<QuorumMetadata>,
}

fn endpoint(id: i32) -> BrokerEndpoint {
    BrokerEndpoint {
        node_id: id,
        host: "localhost".into(),
        port: 9092,
        rack: None,
    }
}

fn topic(name: &str) -> TopicMeta {
    TopicMeta::for_test(name, 1)
}

async fn start(id: usize, dir: PathBuf, listener: TcpListener, voters: BTreeMap<NodeId, String>) -> QuorumMetadata {
    QuorumMetadata::start(&dir, "cluster".into(), endpoint(id as i32 + 1), voters, Some(listener), TIMING)
        .await
        .expect("voter starts")
}

struct Cluster {
    _tmp: tempfile::TempDir,
    voters: Vec<Voter>,
}

impl Cluster {
    async fn start() -> Cluster {
        let tmp = tempfile::tempdir().unwrap();
        let mut listeners = Vec::new();
        for _ in 0..3 {
            listeners.push(TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let addrs: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
        let voters: BTreeMap<NodeId, String> = (0..3).map(|i| (i as NodeId + 1, addrs[i].clone())).collect();
        let dirs: Vec<PathBuf> = (0..3).map(|i| tmp.path().join(format!("n{i}"))).collect();
        let started = futures_util::future::join_all(
            listeners
                .into_iter()
                .enumerate()
                .map(|(i, l)| start(i, dirs[i].clone(), l, voters.clone())),
        )
        .await;
        let voters = started
            .into_iter()
            .enumerate()
            .map(|(i, s)| Voter {
                dir: dirs[i].clone(),
                addr: addrs[i].clone(),
                store: Some(s),
            })
            .collect();
        Cluster { _tmp: tmp, voters }
    }

    fn voters_map(&self) -> BTreeMap<NodeId, String> {
        (0..3).map(|i| (i as NodeId + 1, self.voters[i].addr.clone())).collect()
    }

    fn store(&self, i: usize) -> &QuorumMetadata {
        self.voters[i].store.as_ref().expect("running")
    }

    /// The index of the voter that leads, once they agree on one.
    async fn leader(&self) -> usize {
        for _ in 0..200 {
            let views: Vec<Option<NodeId>> = self.voters.iter().filter_map(|v| v.store.as_ref()).map(|s| s.leader()).collect();
            if let Some(Some(l)) = views.first() {
                if views.iter().all(|v| *v == Some(*l)) && self.voters[*l as usize - 1].store.is_some() {
                    return *l as usize - 1;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the voters never agreed on a running leader");
    }

    async fn stop(&mut self, i: usize) {
        let store = self.voters[i].store.take().expect("running");
        store.shutdown().await;
    }

    async fn restart(&mut self, i: usize) {
        let listener = TcpListener::bind(&self.voters[i].addr).await.unwrap();
        let store = start(i, self.voters[i].dir.clone(), listener, self.voters_map()).await;
        self.voters[i].store = Some(store);
    }

    /// Waits until every running voter lists `name`.
    async fn everywhere(&self, name: &str) {
        for _ in 0..100 {
            if self.voters.iter().filter_map(|v| v.store.as_ref()).all(|s| s.topic(name).is_some()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{name} never reached every voter");
    }

    /// Waits until every running voter's broker list satisfies `ok`.
    async fn listed_by_all(&self, ok: impl Fn(&[i32]) -> bool) {
        let lists = || -> Vec<Vec<i32>> {
            self.voters
                .iter()
                .filter_map(|v| v.store.as_ref())
                .map(|s| s.brokers().iter().map(|b| b.node_id).collect())
                .collect()
        };
        for _ in 0..150 {
            if lists().iter().all(|ids| ok(ids)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("broker lists never settled: {:?}", lists());
    }

    async fn shutdown(mut self) {
        for i in 0..3 {
            if self.voters[i].store.is_some() {
                self.stop(i).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_on_any_voter_are_read_on_all() {
    let cluster = Cluster::start().await;
    let leader = cluster.leader().await;
    for i in 0..3 {
        let name = format!("from-{i}");
        let created = cluster.store(i).create_topic(topic(&name)).await.unwrap();
        // Read-your-writes on the voter that was asked, leader or not.
        assert_eq!(
            cluster.store(i).topic(&name).map(|t| t.id),
            Some(created.id),
            "voter {i} (leader {leader})"
        );
        cluster.everywhere(&name).await;
    }
    let ids: Vec<i64> = futures_util::future::join_all((0..3).map(|i| cluster.store(i).allocate_producer_id()))
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 3, "each voter reserved its own block: {ids:?}");
    assert!(matches!(
        cluster.store((leader + 1) % 3).create_topic(topic("from-0")).await,
        Err(MetadataError::TopicExists(_))
    ));
    // Each voter registered; every voter lists the three, and partitions are placed on all.
    cluster.listed_by_all(|ids| ids == [1, 2, 3]).await;
    let mut spread = topic("spread");
    spread.partitions = 3;
    let spread = cluster.store(leader).create_topic(spread).await.unwrap();
    let mut leaders: Vec<i32> = spread.partition_states.iter().map(|s| s.leader).collect();
    leaders.sort_unstable();
    assert_eq!(leaders, vec![1, 2, 3]);
    // DescribeQuorum from a follower is the leader's answer: all three voters caught up.
    let follower = (leader + 1) % 3;
    let mut status = cluster.store(follower).describe_quorum().await.unwrap();
    for _ in 0..50 {
        if status.voters.iter().all(|v| v.log_end_offset == status.high_watermark) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = cluster.store(follower).describe_quorum().await.unwrap();
    }
    assert_eq!(status.leader_id, leader as i32 + 1);
    assert_eq!(status.voters.iter().map(|v| v.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(
        status.voters.iter().all(|v| v.log_end_offset == status.high_watermark),
        "{status:?}"
    );
    assert!(status.voters.iter().all(|v| v.last_caught_up_timestamp > 0), "{status:?}");
    assert_eq!(status.endpoints.len(), 3);
    assert!(status.observers.is_empty());
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_leader_is_replaced_and_a_lost_majority_answers_unavailable() {
    let mut cluster = Cluster::start().await;
    let first = cluster.leader().await;
    cluster.store(first).create_topic(topic("before")).await.unwrap();
    cluster.stop(first).await;
    let second = cluster.leader().await;
    assert_ne!(second, first);
    let survivor = (0..3).find(|i| *i != first && *i != second).unwrap();
    cluster.store(survivor).create_topic(topic("during")).await.unwrap();
    // The stopped broker is fenced once its session passes: out of Metadata's brokers, and no
    // new partition is placed on it.
    let lost = first as i32 + 1;
    cluster.listed_by_all(|ids| !ids.contains(&lost)).await;
    let mut placed = topic("placed-while-fenced");
    placed.partitions = 4;
    let placed = cluster.store(survivor).create_topic(placed).await.unwrap();
    assert!(placed.partition_states.iter().all(|s| s.leader != lost), "{placed:?}");
    cluster.restart(first).await;
    // Its next run registers and is listed again.
    cluster.listed_by_all(|ids| ids == [1, 2, 3]).await;
    cluster.everywhere("during").await;
    assert!(cluster.store(first).topic("before").is_some());

    // Two of three gone: writes fail, retriably, within the propose timeout.
    let leader = cluster.leader().await;
    let last = (leader + 1) % 3;
    for i in (0..3).filter(|i| *i != last) {
        cluster.stop(i).await;
    }
    let started = tokio::time::Instant::now();
    let refused = cluster.store(last).create_topic(topic("no-quorum")).await;
    assert!(matches!(refused, Err(MetadataError::Unavailable(_))), "{refused:?}");
    assert!(started.elapsed() < PROPOSE_TIMEOUT + Duration::from_secs(2));
    // One back: a majority again, and the write goes through.
    let back = (last + 1) % 3;
    cluster.restart(back).await;
    let created = cluster.store(last).create_topic(topic("quorum-again")).await;
    assert!(created.is_ok(), "{created:?}");
    cluster.shutdown().await;
}
