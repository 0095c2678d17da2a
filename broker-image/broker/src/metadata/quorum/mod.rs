//! The metadata store backed by a Raft quorum (openraft): the brokers named in
//! `controller.quorum.voters` replicate the metadata log over their CONTROLLER listeners; every
//! broker serves reads from the image its state machine applied; a write is proposed as one
//! record (forwarded to the leader by the others) and answered once it is committed and
//! applied here. The log lives in `LOGDIR/__cluster_metadata-0/`. A log directory
//! from before the quorum has its `__kaskade_metadata.json` imported once, as the log's first
//! record, and renamed `.migrated`.

pub mod liveness;
pub mod log_store;
pub mod network;
pub mod rpc;
pub mod state_machine;
pub mod status;
pub mod types;

#[cfg(test)]
mod cluster_tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use openraft::{BasicNode, Config, ServerState, SnapshotPolicy};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::image::{BrokerRegistration, ImageFile};
use super::records::{Outcome, Record};
use super::{BrokerEndpoint, MetadataError, MetadataStore, TopicMeta};
use log_store::LogStore;
use state_machine::{SharedImage, StateMachine};
use types::{NodeId, Raft};

/// The metadata log's directory name (Kafka's `__cluster_metadata` partition 0).
pub const LOG_DIR_NAME: &str = "__cluster_metadata-0";

/// The single-node store's file, imported into the log once.
const LEGACY_FILE: &str = "__kaskade_metadata.json";

/// Producer ids are reserved in blocks, so only one InitProducerId in this many writes.
const PRODUCER_ID_BLOCK: i64 = 1000;

/// How long start-up waits for a single voter to elect itself.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a write waits for a leader and a commit before it is answered as unavailable
/// (Kafka's clients then see a retriable `REQUEST_TIMED_OUT`).
pub const PROPOSE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct ProducerIds {
    next: i64,
    end: i64,
}

pub struct QuorumMetadata {
    cluster_id: String,
    broker: BrokerEndpoint,
    node_id: NodeId,
    raft: Raft,
    /// Stops the CONTROLLER listener's server, the heartbeats and the liveness checks.
    stop: watch::Sender<bool>,
    /// Stops this broker's heartbeats only (controlled shutdown).
    stop_heartbeats: watch::Sender<bool>,
    /// The peers' progress and heartbeats, as this node (when it leads) knows them.
    peers: rpc::Peers,
    /// This run of the broker (its registration names it; so do its heartbeats).
    incarnation: uuid::Uuid,
    timing: liveness::Timing,
    image: Arc<SharedImage>,
    /// This broker's block of producer ids (held across the proposal that reserves the next).
    producer_ids: tokio::sync::Mutex<ProducerIds>,
}

fn unavailable(e: impl std::fmt::Display) -> MetadataError {
    MetadataError::Unavailable(e.to_string())
}

/// Kaskade's Raft timing: Kafka's KRaft defaults are a 2 s fetch timeout and a 1 s election
/// timeout; a lost voter is noticed within 0.5–1 s here.
fn raft_config(cluster_id: &str) -> Result<Config, MetadataError> {
    Config {
        cluster_name: cluster_id.to_string(),
        heartbeat_interval: 100,
        election_timeout_min: 500,
        election_timeout_max: 1000,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(1024),
        max_in_snapshot_log_to_keep: 1024,
        ..Config::default()
    }
    .validate()
    .map_err(|e| MetadataError::Storage(e.to_string()))
}

impl QuorumMetadata {
    /// Opens the metadata log under `log_dir` and joins the quorum of `voters` (node id →
    /// CONTROLLER address; this broker alone when empty), serving the voters' RPCs on
    /// `controller` when given; returns once this broker has applied everything the quorum had
    /// committed when it started.
    pub async fn start(
        log_dir: &Path,
        cluster_id: String,
        broker: BrokerEndpoint,
        voters: BTreeMap<NodeId, String>,
        controller: Option<TcpListener>,
        timing: liveness::Timing,
    ) -> Result<Self, MetadataError> {
        let storage = |e: std::io::Error| MetadataError::Storage(format!("{}: {e}", log_dir.join(LOG_DIR_NAME).display()));
        let dir = log_dir.join(LOG_DIR_NAME);
        let log = LogStore::open(&dir).map_err(storage)?;
        let pristine = log.is_pristine();
        let state_machine = StateMachine::open(&dir).map_err(storage)?;
        let image = state_machine.shared();
        let node_id = broker.node_id as NodeId;
        let voters: BTreeMap<NodeId, BasicNode> = if voters.is_empty() {
            BTreeMap::from([(node_id, BasicNode::default())])
        } else {
            voters.into_iter().map(|(id, addr)| (id, BasicNode { addr })).collect()
        };
        let config = Arc::new(raft_config(&cluster_id)?);
        let peers = rpc::Peers::default();
        let network = network::TcpNetwork {
            progress: peers.progress.clone(),
        };
        let raft = Raft::new(node_id, config, network, log, state_machine).await.map_err(unavailable)?;
        let (stop, stop_rx) = watch::channel(false);
        if let Some(listener) = controller {
            tokio::spawn(rpc::serve(listener, raft.clone(), peers.clone(), PROPOSE_TIMEOUT, stop_rx));
        }
        if pristine {
            // Every voter of a new cluster initializes with the same voters: only one such
            // membership can be elected, so doing it on each is safe. A voter another one has
            // already asked for its vote is part of the cluster already: nothing to do.
            match raft.initialize(voters.clone()).await {
                Ok(()) | Err(openraft::error::RaftError::APIError(openraft::error::InitializeError::NotAllowed(_))) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        let store = QuorumMetadata {
            cluster_id,
            broker,
            node_id,
            raft,
            stop,
            stop_heartbeats: watch::channel(false).0,
            peers,
            incarnation: uuid::Uuid::new_v4(),
            timing,
            image,
            producer_ids: tokio::sync::Mutex::new(ProducerIds::default()),
        };
        if voters.len() == 1 && voters.contains_key(&node_id) {
            // Alone: no need to wait out an election timeout.
            store.raft.trigger().elect().await.map_err(unavailable)?;
            store
                .raft
                .wait(Some(START_TIMEOUT))
                .state(ServerState::Leader, "single voter elected")
                .await
                .map_err(unavailable)?;
            store.raft.ensure_linearizable().await.map_err(unavailable)?;
        } else {
            store.catch_up().await;
        }
        store.import_legacy(log_dir).await?;
        store.register().await?;
        store.start_liveness();
        Ok(store)
    }

    /// Starts this broker's heartbeats, and the fencing checks it runs while it leads.
    fn start_liveness(&self) {
        let liveness = Arc::clone(&self.peers.liveness);
        tokio::spawn(liveness::run_heartbeats(
            self.raft.clone(),
            Arc::clone(&liveness),
            self.broker.node_id,
            self.incarnation,
            self.timing,
            self.stop_heartbeats.subscribe(),
        ));
        tokio::spawn(liveness::run_controller(
            self.raft.clone(),
            Arc::clone(&self.image),
            liveness,
            self.timing,
            self.stop.subscribe(),
        ));
    }

    /// Registers this run of the broker (its client endpoint and rack; a new incarnation).
    async fn register(&self) -> Result<(), MetadataError> {
        let registration = BrokerRegistration {
            id: self.broker.node_id,
            incarnation: self.incarnation,
            epoch: 0,
            fenced: false,
            host: self.broker.host.clone(),
            port: self.broker.port,
            rack: self.broker.rack.clone(),
        };
        self.propose(Record::RegisterBroker(registration)).await.map(|_| ())
    }

    /// The ids of the registered brokers (replicas are placed on them), this one at least.
    fn broker_ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self.image.get().brokers().iter().filter(|b| !b.fenced).map(|b| b.id).collect();
        if ids.is_empty() {
            ids.push(self.broker.node_id);
        }
        ids
    }

    /// Waits, as long as it takes, until a leader is elected and this broker has applied a
    /// barrier proposed after its start (so it serves nothing older than that).
    async fn catch_up(&self) {
        let started = tokio::time::Instant::now();
        let mut last_said = started;
        loop {
            match self.propose(Record::Barrier).await {
                Ok(_) => {
                    tracing::info!(
                        leader = ?self.leader(),
                        waited_ms = started.elapsed().as_millis() as u64,
                        "caught up with the metadata quorum"
                    );
                    return;
                }
                Err(e) => {
                    if last_said.elapsed() >= Duration::from_secs(5) {
                        tracing::info!(error = %e, "waiting for the metadata quorum");
                        last_said = tokio::time::Instant::now();
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Imports the single-node store's file into an empty log, then renames it.
    async fn import_legacy(&self, log_dir: &Path) -> Result<(), MetadataError> {
        let path = log_dir.join(LEGACY_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(MetadataError::Storage(format!("{}: {e}", path.display()))),
        };
        let mut file: ImageFile = serde_json::from_slice(&bytes).map_err(|e| MetadataError::Storage(format!("{}: {e}", path.display())))?;
        for t in &mut file.topics {
            t.place_missing(&[self.broker.node_id]);
        }
        if self.image.get().is_empty() {
            let topics = file.topics.len();
            self.propose(Record::Import(file)).await?;
            tracing::info!(topics, from = %path.display(), "imported the single-node metadata into the metadata log");
        }
        let done = path.with_extension("json.migrated");
        std::fs::rename(&path, &done).map_err(|e| MetadataError::Storage(format!("{}: {e}", path.display())))?;
        Ok(())
    }

    /// Proposes one record, on this broker when it leads, else forwarded to the leader (waiting
    /// out an election); answers its outcome once it is committed and applied here.
    async fn propose(&self, record: Record) -> Result<Outcome, MetadataError> {
        use rpc::ProposeResult;
        let deadline = tokio::time::Instant::now() + PROPOSE_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let answer = match self.leader_address() {
                Some((leader, _)) if leader == self.node_id => rpc::propose_here(&self.raft, record.clone(), left).await,
                Some((leader, addr)) => match network::PeerClient::to(leader, addr).propose(&record, left).await {
                    Ok(answer) => answer,
                    // Never reached the leader: safe to ask again.
                    Err(network::CallError::Connect(_)) => ProposeResult::NotLeader,
                    // Reached it, answer lost: the write may or may not have happened.
                    Err(network::CallError::Io(e)) => ProposeResult::Unavailable(format!("forwarding to the leader {leader}: {e}")),
                },
                None => ProposeResult::NotLeader,
            };
            match answer {
                ProposeResult::Applied { outcome, index } => {
                    self.wait_applied(index, deadline).await?;
                    return match outcome {
                        Outcome::Failed(e) => Err(e),
                        other => Ok(other),
                    };
                }
                ProposeResult::NotLeader if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                ProposeResult::NotLeader => return Err(unavailable(format!("no leader within {} ms", PROPOSE_TIMEOUT.as_millis()))),
                ProposeResult::Unavailable(why) => return Err(unavailable(why)),
            }
        }
    }

    fn leader_address(&self) -> Option<(NodeId, String)> {
        network::leader_address(&self.raft)
    }

    /// Waits until this broker's state machine has applied entry `index` (read-your-writes
    /// for a write the leader applied first).
    async fn wait_applied(&self, index: u64, deadline: tokio::time::Instant) -> Result<(), MetadataError> {
        let mut applied = self.image.applied();
        let reached = tokio::time::timeout_at(deadline, applied.wait_for(|a| *a >= index))
            .await
            .is_ok_and(|r| r.is_ok());
        if reached {
            Ok(())
        } else {
            Err(unavailable(format!("entry {index} committed but not applied here in time")))
        }
    }

    async fn propose_topic(&self, record: Record) -> Result<Arc<TopicMeta>, MetadataError> {
        match self.propose(record).await? {
            Outcome::Topic(t) => Ok(Arc::new(t)),
            other => Err(MetadataError::Storage(format!("unexpected outcome {other:?}"))),
        }
    }

    /// The node the quorum last elected, if known.
    pub fn leader(&self) -> Option<NodeId> {
        self.raft.metrics().borrow().current_leader
    }
}

impl MetadataStore for QuorumMetadata {
    fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    fn controller_id(&self) -> i32 {
        self.leader().map_or(self.broker.node_id, |l| l as i32)
    }

    fn brokers(&self) -> Vec<BrokerEndpoint> {
        let registered = self.image.get().brokers();
        if registered.is_empty() {
            return vec![self.broker.clone()];
        }
        registered
            .into_iter()
            .filter(|b| !b.fenced)
            .map(|b| BrokerEndpoint {
                node_id: b.id,
                host: b.host,
                port: b.port,
                rack: b.rack,
            })
            .collect()
    }

    fn topic(&self, name: &str) -> Option<Arc<TopicMeta>> {
        self.image.get().topic(name)
    }

    fn topic_by_id(&self, id: uuid::Uuid) -> Option<Arc<TopicMeta>> {
        self.image.get().topic_by_id(id)
    }

    fn topics(&self) -> Vec<Arc<TopicMeta>> {
        self.image.get().topics()
    }

    fn create_topic(&self, mut topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        Box::pin(async move {
            topic.place_missing(&self.broker_ids());
            self.propose_topic(Record::CreateTopic(topic)).await
        })
    }

    fn allocate_producer_id(&self) -> BoxFuture<'_, Result<i64, MetadataError>> {
        Box::pin(async move {
            let mut ids = self.producer_ids.lock().await;
            if ids.next >= ids.end {
                let first = match self.propose(Record::ProducerIds { size: PRODUCER_ID_BLOCK }).await? {
                    Outcome::ProducerIdBlock(first) => first,
                    other => return Err(MetadataError::Storage(format!("unexpected outcome {other:?}"))),
                };
                ids.next = first;
                ids.end = first + PRODUCER_ID_BLOCK;
            }
            let id = ids.next;
            ids.next += 1;
            Ok(id)
        })
    }

    fn delete_topic(&self, name: &str) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        let name = name.to_string();
        Box::pin(async move { self.propose_topic(Record::RemoveTopic { name }).await })
    }

    fn update_topic(&self, mut topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        Box::pin(async move {
            topic.place_missing(&self.broker_ids());
            self.propose_topic(Record::UpdateTopic(topic)).await
        })
    }

    fn broker_configs(&self, entity: &str) -> BTreeMap<String, String> {
        self.image.get().broker_configs(entity)
    }

    fn set_broker_configs(&self, entity: &str, configs: BTreeMap<String, String>) -> BoxFuture<'_, Result<(), MetadataError>> {
        let entity = entity.to_string();
        Box::pin(async move { self.propose(Record::BrokerConfigs { entity, configs }).await.map(|_| ()) })
    }

    fn alter_partition(&self, change: super::records::AlterPartition) -> BoxFuture<'_, Result<(), MetadataError>> {
        Box::pin(async move { self.propose(Record::AlterPartition(change)).await.map(|_| ()) })
    }

    fn describe_quorum(&self) -> BoxFuture<'_, Result<super::QuorumStatus, MetadataError>> {
        Box::pin(async move {
            if let Some(status) = status::local(&self.raft, &self.peers.progress) {
                return Ok(status);
            }
            let (leader, addr) = self.leader_address().ok_or_else(|| unavailable("no leader"))?;
            match network::PeerClient::to(leader, addr).describe_quorum(PROPOSE_TIMEOUT).await {
                Ok(Some(status)) => Ok(status),
                Ok(None) => Err(unavailable(format!("node {leader} no longer leads"))),
                Err(network::CallError::Connect(e) | network::CallError::Io(e)) => Err(unavailable(e)),
            }
        })
    }

    fn barrier(&self) -> BoxFuture<'_, Result<(), MetadataError>> {
        Box::pin(async move { self.propose(Record::Barrier).await.map(|_| ()) })
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.image.applied()
    }

    fn controlled_shutdown(&self) -> BoxFuture<'_, Result<(), MetadataError>> {
        Box::pin(async move {
            // Silent first, so the leader does not unfence this run when it hears it again.
            self.stop_heartbeats.send_replace(true);
            let fence = Record::FenceBroker {
                id: self.broker.node_id,
                incarnation: self.incarnation,
            };
            self.propose(fence).await.map(|_| ())
        })
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.stop_heartbeats.send_replace(true);
            self.stop.send_replace(true);
            if let Err(e) = self.raft.shutdown().await {
                tracing::warn!(error = %e, "metadata quorum did not stop cleanly");
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> BrokerEndpoint {
        BrokerEndpoint {
            node_id: 1,
            host: "localhost".into(),
            port: 9092,
            rack: None,
        }
    }

    fn topic(name: String) -> TopicMeta {
        TopicMeta::for_test(&name, 2)
    }

    #[tokio::test]
    async fn a_snapshot_replaces_the_log_it_covers_and_a_restart_starts_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = QuorumMetadata::start(dir.path(), "c".into(), endpoint(), BTreeMap::new(), None, Default::default())
            .await
            .unwrap();
        // Past the snapshot policy's 1024 entries.
        for i in 0..1100 {
            store.create_topic(topic(format!("t{i}"))).await.unwrap();
        }
        let first = store.allocate_producer_id().await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !dir.path().join(LOG_DIR_NAME).join("snapshot.json").exists() {
            assert!(tokio::time::Instant::now() < deadline, "no snapshot was built");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.shutdown().await;
        drop(store);
        let store = QuorumMetadata::start(dir.path(), "c".into(), endpoint(), BTreeMap::new(), None, Default::default())
            .await
            .unwrap();
        let topics = store.topics();
        assert_eq!(topics.len(), 1100);
        assert!(topics
            .iter()
            .all(|t| t.partition_states.len() == 2 && t.partition_states[0].leader == 1));
        let next = store.allocate_producer_id().await.unwrap();
        assert!(
            next >= first + PRODUCER_ID_BLOCK,
            "a restart takes a new block: {first} then {next}"
        );
        assert!(matches!(
            store.create_topic(topic("t7".into())).await,
            Err(MetadataError::TopicExists(_))
        ));
        store.shutdown().await;
    }
}
