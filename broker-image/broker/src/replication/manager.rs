//! The replicas this broker holds, kept in step with the metadata image: `sync` opens the log
//! of every partition the image places a replica of here, tells each replica its leader, epoch
//! and in-sync replicas, removes the logs of partitions and topics this broker no longer holds,
//! and gives each leader's fetcher the partitions followed from it. It runs after every image
//! change (a background task) and right after this broker's own topic changes (so a topic is
//! writable when CreateTopics answers).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

use super::fetcher::{self, FetcherContext, Followed};
use super::Replica;
use crate::metadata::records::AlterPartition;
use crate::metadata::{MetadataStore, TopicMeta};
use crate::storage::{Flusher, LogError, LogManager};
use crate::util;

/// The replicas of one topic held here, by partition.
type TopicReplicas = BTreeMap<i32, Arc<Replica>>;

/// What the replicas need from the broker's configuration.
#[derive(Debug, Clone, Copy)]
pub struct ReplicationConfig {
    /// `min.insync.replicas` for topics that do not set it.
    pub default_min_isr: usize,
    /// `replica.lag.time.max.ms`: a follower not caught up for this long leaves the ISR.
    pub lag_time_max_ms: i64,
}

impl Default for ReplicationConfig {
    fn default() -> Self {
        ReplicationConfig {
            default_min_isr: 1,
            lag_time_max_ms: 30_000,
        }
    }
}

pub struct ReplicaManager {
    node_id: i32,
    config: ReplicationConfig,
    logs: Arc<LogManager>,
    metadata: Arc<dyn MetadataStore>,
    fetch: Arc<FetcherContext>,
    hosted: RwLock<HashMap<Arc<str>, TopicReplicas>>,
    /// The topics as last synced (held while syncing: one sync at a time).
    synced: Mutex<HashMap<String, Arc<TopicMeta>>>,
    /// Each leader's fetcher, by the partitions it is given.
    fetchers: Mutex<HashMap<i32, watch::Sender<Vec<Followed>>>>,
}

impl ReplicaManager {
    pub fn new(
        node_id: i32,
        config: ReplicationConfig,
        logs: Arc<LogManager>,
        metadata: Arc<dyn MetadataStore>,
        flusher: Flusher,
    ) -> ReplicaManager {
        ReplicaManager {
            node_id,
            config,
            fetch: Arc::new(FetcherContext {
                node_id,
                metadata: Arc::clone(&metadata),
                flusher,
            }),
            logs,
            metadata,
            hosted: RwLock::new(HashMap::new()),
            synced: Mutex::new(HashMap::new()),
            fetchers: Mutex::new(HashMap::new()),
        }
    }

    pub fn logs(&self) -> &Arc<LogManager> {
        &self.logs
    }

    /// The replica of a partition this broker holds.
    pub fn get(&self, topic: &str, partition: i32) -> Option<Arc<Replica>> {
        let hosted = self.hosted.read().unwrap_or_else(|e| e.into_inner());
        hosted.get(topic)?.get(&partition).cloned()
    }

    /// Brings the hosted replicas in line with the metadata image.
    pub fn sync(&self) -> Result<(), LogError> {
        let mut synced = self.synced.lock().unwrap_or_else(|e| e.into_inner());
        let topics = self.metadata.topics();
        let now = util::now_ms();
        let mut result = Ok(());
        for t in &topics {
            let old = synced.get(&t.name);
            if old.is_some_and(|old| Arc::ptr_eq(old, t)) {
                continue;
            }
            if old.is_some_and(|old| old.id != t.id) {
                // Deleted and created again under the same name: the old logs go first.
                self.remove_topic(&t.name)?;
            }
            let configs_changed = old.is_some_and(|old| old.configs != t.configs);
            match self.sync_topic(t, now) {
                Ok(()) => {
                    if configs_changed {
                        self.logs.update_topic_config(&t.name, &t.configs);
                    }
                    synced.insert(t.name.clone(), Arc::clone(t));
                }
                Err(e) => {
                    tracing::error!(topic = %t.name, error = %e, "cannot open the topic's logs");
                    result = Err(e);
                }
            }
        }
        let present: std::collections::HashSet<&str> = topics.iter().map(|t| t.name.as_str()).collect();
        let gone: Vec<String> = synced.keys().filter(|n| !present.contains(n.as_str())).cloned().collect();
        for name in gone {
            self.remove_topic(&name)?;
            synced.remove(&name);
        }
        self.update_fetchers();
        result
    }

    fn sync_topic(&self, t: &TopicMeta, now: i64) -> Result<(), LogError> {
        let min_isr = t
            .configs
            .get("min.insync.replicas")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(self.config.default_min_isr);
        for (p, state) in (0i32..).zip(&t.partition_states) {
            let existing = self.get(&t.name, p);
            if !state.replicas.contains(&self.node_id) {
                if existing.is_some() {
                    if let Some(topic) = self.hosted.write().unwrap_or_else(|e| e.into_inner()).get_mut(t.name.as_str()) {
                        topic.remove(&p);
                    }
                    self.logs.delete_partition(&t.name, p)?;
                    tracing::info!(topic = %t.name, partition = p, "removed a replica this broker no longer holds");
                }
                continue;
            }
            match existing {
                Some(r) => r.update(state, min_isr, now)?,
                None => {
                    let log = self.logs.open_partition(&t.name, t.id, p, &t.configs, now)?;
                    let replica = Arc::new(Replica::new(self.node_id, t.id, p, log, state, min_isr, now)?);
                    let mut hosted = self.hosted.write().unwrap_or_else(|e| e.into_inner());
                    hosted.entry(Arc::from(t.name.as_str())).or_default().insert(p, replica);
                }
            }
        }
        Ok(())
    }

    fn remove_topic(&self, name: &str) -> Result<(), LogError> {
        self.hosted.write().unwrap_or_else(|e| e.into_inner()).remove(name);
        self.logs.delete_topic(name)
    }

    /// Gives each leader's fetcher the partitions followed from it; starts and stops fetchers.
    fn update_fetchers(&self) {
        let mut by_leader: BTreeMap<i32, Vec<Followed>> = BTreeMap::new();
        let hosted = self.hosted.read().unwrap_or_else(|e| e.into_inner());
        for ((topic, partition), replica) in hosted.iter().flat_map(|(t, ps)| ps.iter().map(move |(p, r)| ((t, p), r))) {
            let (leader, _) = replica.leader();
            if leader >= 0 && leader != self.node_id {
                by_leader.entry(leader).or_default().push(Followed {
                    topic: Arc::clone(topic),
                    partition: *partition,
                    replica: Arc::clone(replica),
                });
            }
        }
        drop(hosted);
        let mut fetchers = self.fetchers.lock().unwrap_or_else(|e| e.into_inner());
        // A fetcher whose sender is dropped stops.
        fetchers.retain(|leader, _| by_leader.contains_key(leader));
        for (leader, mut followed) in by_leader {
            followed.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
            match fetchers.get(&leader) {
                Some(tx) => {
                    tx.send_if_modified(|old| {
                        let same = old.len() == followed.len()
                            && old
                                .iter()
                                .zip(&followed)
                                .all(|(a, b)| a.topic == b.topic && a.partition == b.partition && Arc::ptr_eq(&a.replica, &b.replica));
                        if !same {
                            *old = followed;
                        }
                        !same
                    });
                }
                None => {
                    let (tx, rx) = watch::channel(followed);
                    tokio::spawn(fetcher::run(Arc::clone(&self.fetch), leader, rx));
                    fetchers.insert(leader, tx);
                }
            }
        }
    }

    /// Syncs after every change of the metadata image, until `shutdown`.
    pub async fn follow_image(self: Arc<Self>, mut changes: watch::Receiver<u64>, mut shutdown: watch::Receiver<bool>) {
        // A change between start-up's sync and the subscription would otherwise wait for the next.
        if let Err(e) = self.sync() {
            tracing::error!(error = %e, "the logs could not follow the metadata image");
        }
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                _ = shutdown.changed() => return,
            }
            if let Err(e) = self.sync() {
                tracing::error!(error = %e, "the logs could not follow the metadata image");
            }
        }
    }

    /// Proposes a leader's ISR change in the background (the image brings the outcome).
    pub fn propose_isr(&self, replica: Arc<Replica>, change: AlterPartition) {
        let metadata = Arc::clone(&self.metadata);
        tokio::spawn(async move {
            let isr = change.isr.clone();
            match metadata.alter_partition(change).await {
                Ok(()) => tracing::info!(topic = %replica.log.topic, partition = replica.partition, ?isr, "ISR changed"),
                Err(e) => tracing::debug!(topic = %replica.log.topic, partition = replica.partition, error = %e, "ISR change not made"),
            }
            replica.isr_change_done();
        });
    }

    /// Every half `replica.lag.time.max.ms`, drops the followers that lag from the ISRs of the
    /// partitions this broker leads; until `shutdown`.
    pub async fn shrink_isrs(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let every = std::time::Duration::from_millis((self.config.lag_time_max_ms / 2).max(50) as u64);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => return,
            }
            let now = util::now_ms();
            let replicas: Vec<Arc<Replica>> = {
                let hosted = self.hosted.read().unwrap_or_else(|e| e.into_inner());
                hosted.values().flat_map(|t| t.values().cloned()).collect()
            };
            for r in replicas {
                if let Some(change) = r.lagging_followers(now, self.config.lag_time_max_ms) {
                    tracing::info!(topic = %r.log.topic, partition = r.partition, isr = ?change.isr, "followers lag: shrinking the ISR");
                    self.propose_isr(r, change);
                }
            }
        }
    }

    /// How many partitions with other replicas this broker still leads.
    pub fn shared_leaderships(&self) -> usize {
        let hosted = self.hosted.read().unwrap_or_else(|e| e.into_inner());
        hosted
            .values()
            .flat_map(|t| t.values())
            .filter(|r| r.is_leader() && r.has_followers())
            .count()
    }

    /// Stops every fetcher (shutdown).
    pub fn stop_fetchers(&self) {
        self.fetchers.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
