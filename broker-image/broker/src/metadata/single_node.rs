//! The single-node metadata store: the image lives in memory and is persisted as one JSON file
//! in the log directory, replaced atomically (write, fsync, rename) on every change. Topic
//! changes are rare, so simplicity wins here; the quorum-backed store replaces this later.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::{BrokerEndpoint, MetadataError, MetadataStore, TopicMeta};

const FILE_NAME: &str = "__kaskade_metadata.json";

/// Producer ids are reserved in blocks so that only one in this many allocations writes the file.
const PRODUCER_ID_BLOCK: i64 = 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Image {
    topics: Vec<TopicMeta>,
    /// Every producer id below this has been (or may have been) handed out.
    #[serde(default)]
    producer_id_block_end: i64,
    /// Dynamic broker configs by entity (`""` = cluster default, else a node id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    broker_configs: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default)]
struct ProducerIds {
    next: i64,
    block_end: i64,
}

#[derive(Debug, Default, Clone)]
struct Topics {
    by_name: HashMap<String, Arc<TopicMeta>>,
    by_id: HashMap<uuid::Uuid, Arc<TopicMeta>>,
    broker_configs: BTreeMap<String, BTreeMap<String, String>>,
}

pub struct SingleNodeMetadata {
    cluster_id: String,
    broker: BrokerEndpoint,
    path: PathBuf,
    topics: RwLock<Topics>,
    /// Serialises writers so the file always matches the image; also guards producer ids.
    write_lock: Mutex<ProducerIds>,
}

impl SingleNodeMetadata {
    pub fn open(dir: &Path, cluster_id: String, broker: BrokerEndpoint) -> Result<Self, MetadataError> {
        let path = dir.join(FILE_NAME);
        let image: Image = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| MetadataError::Storage(format!("{}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Image::default(),
            Err(e) => return Err(MetadataError::Storage(format!("{}: {e}", path.display()))),
        };
        let mut topics = Topics {
            broker_configs: image.broker_configs,
            ..Topics::default()
        };
        let ids = ProducerIds {
            next: image.producer_id_block_end,
            block_end: image.producer_id_block_end,
        };
        for mut t in image.topics {
            // Written before partitions had state: each on this broker, as it always was.
            t.place_missing(&[broker.node_id]);
            let t = Arc::new(t);
            topics.by_id.insert(t.id, Arc::clone(&t));
            topics.by_name.insert(t.name.clone(), t);
        }
        Ok(SingleNodeMetadata {
            cluster_id,
            broker,
            path,
            topics: RwLock::new(topics),
            write_lock: Mutex::new(ids),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Topics> {
        self.topics.read().unwrap_or_else(|e| e.into_inner())
    }

    fn persist(&self, topics: &Topics, producer_id_block_end: i64) -> Result<(), MetadataError> {
        let mut list: Vec<TopicMeta> = topics.by_name.values().map(|t| (**t).clone()).collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        let image = Image {
            topics: list,
            producer_id_block_end,
            broker_configs: topics.broker_configs.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&image).map_err(|e| MetadataError::Storage(e.to_string()))?;
        let tmp = self.path.with_extension("json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| MetadataError::Storage(format!("{}: {e}", self.path.display())))
    }

    /// Applies a change to a copy of the image, persists it, then publishes it.
    fn change(&self, f: impl FnOnce(&mut Topics) -> Result<Arc<TopicMeta>, MetadataError>) -> Result<Arc<TopicMeta>, MetadataError> {
        let ids = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = self.read().clone();
        let result = f(&mut next)?;
        self.persist(&next, ids.block_end)?;
        *self.topics.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok(result)
    }
}

impl MetadataStore for SingleNodeMetadata {
    fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    fn controller_id(&self) -> i32 {
        self.broker.node_id
    }

    fn brokers(&self) -> Vec<BrokerEndpoint> {
        vec![self.broker.clone()]
    }

    fn topic(&self, name: &str) -> Option<Arc<TopicMeta>> {
        self.read().by_name.get(name).cloned()
    }

    fn topic_by_id(&self, id: uuid::Uuid) -> Option<Arc<TopicMeta>> {
        self.read().by_id.get(&id).cloned()
    }

    fn topics(&self) -> Vec<Arc<TopicMeta>> {
        let mut v: Vec<_> = self.read().by_name.values().cloned().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    fn create_topic(&self, topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        let result = self.change(|t| {
            if t.by_name.contains_key(&topic.name) {
                return Err(MetadataError::TopicExists(topic.name.clone()));
            }
            let canon = kaskade_common::topic_name::collision_key(&topic.name);
            if let Some(existing) = t.by_name.keys().find(|n| kaskade_common::topic_name::collision_key(n) == canon) {
                return Err(MetadataError::TopicCollision {
                    name: topic.name.clone(),
                    existing: existing.clone(),
                });
            }
            let mut topic = topic;
            topic.place_missing(&[self.broker.node_id]);
            let topic = Arc::new(topic);
            t.by_id.insert(topic.id, Arc::clone(&topic));
            t.by_name.insert(topic.name.clone(), Arc::clone(&topic));
            Ok(topic)
        });
        Box::pin(std::future::ready(result))
    }

    fn allocate_producer_id(&self) -> BoxFuture<'_, Result<i64, MetadataError>> {
        let result = (|| {
            let mut ids = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
            if ids.next >= ids.block_end {
                let end = ids.block_end + PRODUCER_ID_BLOCK;
                self.persist(&self.read(), end)?;
                ids.block_end = end;
            }
            let id = ids.next;
            ids.next += 1;
            Ok(id)
        })();
        Box::pin(std::future::ready(result))
    }

    fn delete_topic(&self, name: &str) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        let result = self.change(|t| {
            let topic = t
                .by_name
                .remove(name)
                .ok_or_else(|| MetadataError::UnknownTopic(name.to_string()))?;
            t.by_id.remove(&topic.id);
            Ok(topic)
        });
        Box::pin(std::future::ready(result))
    }

    fn update_topic(&self, topic: TopicMeta) -> BoxFuture<'_, Result<Arc<TopicMeta>, MetadataError>> {
        let result = self.change(|t| {
            match t.by_name.get(&topic.name) {
                Some(old) if old.id == topic.id => {}
                _ => return Err(MetadataError::UnknownTopic(topic.name.clone())),
            }
            let mut topic = topic;
            topic.place_missing(&[self.broker.node_id]);
            let topic = Arc::new(topic);
            t.by_id.insert(topic.id, Arc::clone(&topic));
            t.by_name.insert(topic.name.clone(), Arc::clone(&topic));
            Ok(topic)
        });
        Box::pin(std::future::ready(result))
    }

    fn broker_configs(&self, entity: &str) -> BTreeMap<String, String> {
        self.read().broker_configs.get(entity).cloned().unwrap_or_default()
    }

    fn set_broker_configs(&self, entity: &str, configs: BTreeMap<String, String>) -> BoxFuture<'_, Result<(), MetadataError>> {
        let ids = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = self.read().clone();
        if configs.is_empty() {
            next.broker_configs.remove(entity);
        } else {
            next.broker_configs.insert(entity.to_string(), configs);
        }
        let result = self.persist(&next, ids.block_end).map(|()| {
            *self.topics.write().unwrap_or_else(|e| e.into_inner()) = next;
        });
        drop(ids);
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::PartitionState;

    fn endpoint() -> BrokerEndpoint {
        BrokerEndpoint {
            node_id: 3,
            host: "localhost".into(),
            port: 9092,
            rack: None,
        }
    }

    #[test]
    fn an_image_from_before_partition_state_reads_as_led_by_this_broker() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"topics":[{"name":"t","id":"6d6a3b8e-8f5b-4f0e-9a51-1f1e3c2b1a00","partitions":2,"replication_factor":1}],"producer_id_block_end":1000}"#;
        fs::write(dir.path().join(FILE_NAME), old).unwrap();
        let store = SingleNodeMetadata::open(dir.path(), "c".into(), endpoint()).unwrap();
        let t = store.topic("t").unwrap();
        assert_eq!(t.partition_states, vec![PartitionState::new(vec![3]); 2]);
        assert_eq!(t.leader_epochs(), vec![0, 0]);
    }

    #[tokio::test]
    async fn new_partitions_are_placed_and_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let store = SingleNodeMetadata::open(dir.path(), "c".into(), endpoint()).unwrap();
        let topic = TopicMeta {
            name: "t".into(),
            id: uuid::Uuid::new_v4(),
            partitions: 1,
            replication_factor: 1,
            configs: BTreeMap::new(),
            internal: false,
            partition_states: Vec::new(),
        };
        let created = store.create_topic(topic).await.unwrap();
        let mut grown = (*created).clone();
        grown.partitions = 3;
        store.update_topic(grown).await.unwrap();
        drop(store);
        let store = SingleNodeMetadata::open(dir.path(), "c".into(), endpoint()).unwrap();
        let t = store.topic("t").unwrap();
        assert_eq!(t.partition_states.len(), 3);
        assert!(t.partition_states.iter().all(|s| s.replicas == [3] && s.leader == 3));
        let json = fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(json.contains("\"partition_states\""), "{json}");
    }
}
