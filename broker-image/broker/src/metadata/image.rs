//! The metadata image: registered brokers, topics (by name and id), dynamic broker configs and
//! the producer-id high-water mark, as every broker serves them, changed only by applying [`Record`]s. Readers
//! share an `Arc` of it; an apply builds the next one. Its serialised form (a snapshot) is the
//! same JSON as the single-node store's file, so that file imports as it is.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::records::{AlterPartition, Outcome, Record};
use super::{MetadataError, TopicMeta};

/// A broker as it registered: where clients reach it, and which run of it this is (a new
/// incarnation per process start; the broker epoch is the metadata offset of its registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerRegistration {
    pub id: i32,
    pub incarnation: uuid::Uuid,
    /// Filled in when applied: the registration's offset in the metadata log.
    #[serde(default)]
    pub epoch: i64,
    pub host: String,
    pub port: u16,
    pub rack: Option<String>,
    /// Not heard from within its session: out of Metadata, given no new replicas.
    #[serde(default)]
    pub fenced: bool,
}

/// The image as stored: in snapshots, and in `__kaskade_metadata.json` before the quorum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageFile {
    pub topics: Vec<TopicMeta>,
    /// Every producer id below this has been (or may have been) handed out.
    #[serde(default)]
    pub producer_id_block_end: i64,
    /// Dynamic broker configs by entity (`""` = cluster default, else a node id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub brokers: BTreeMap<i32, BrokerRegistration>,
}

#[derive(Debug, Clone, Default)]
pub struct MetadataImage {
    brokers: BTreeMap<i32, BrokerRegistration>,
    by_name: HashMap<String, Arc<TopicMeta>>,
    by_id: HashMap<uuid::Uuid, Arc<TopicMeta>>,
    broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    producer_id_block_end: i64,
}

impl MetadataImage {
    pub fn from_file(file: ImageFile) -> Self {
        let mut image = MetadataImage {
            brokers: file.brokers,
            broker_configs: file.broker_configs,
            producer_id_block_end: file.producer_id_block_end,
            ..MetadataImage::default()
        };
        for t in file.topics {
            image.insert(Arc::new(t));
        }
        image
    }

    pub fn to_file(&self) -> ImageFile {
        ImageFile {
            topics: self.topics().iter().map(|t| (**t).clone()).collect(),
            producer_id_block_end: self.producer_id_block_end,
            broker_configs: self.broker_configs.clone(),
            brokers: self.brokers.clone(),
        }
    }

    /// The registered brokers, by id.
    pub fn brokers(&self) -> Vec<BrokerRegistration> {
        self.brokers.values().cloned().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty() && self.broker_configs.is_empty() && self.producer_id_block_end == 0
    }

    pub fn topic(&self, name: &str) -> Option<Arc<TopicMeta>> {
        self.by_name.get(name).cloned()
    }

    pub fn topic_by_id(&self, id: uuid::Uuid) -> Option<Arc<TopicMeta>> {
        self.by_id.get(&id).cloned()
    }

    /// Every topic, by name.
    pub fn topics(&self) -> Vec<Arc<TopicMeta>> {
        let mut v: Vec<_> = self.by_name.values().cloned().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    pub fn broker_configs(&self, entity: &str) -> BTreeMap<String, String> {
        self.broker_configs.get(entity).cloned().unwrap_or_default()
    }

    pub fn producer_id_block_end(&self) -> i64 {
        self.producer_id_block_end
    }

    /// Applies `change` to every topic, replacing those it changed.
    fn change_topics(&mut self, change: impl Fn(&mut TopicMeta, &dyn Fn(i32) -> bool, Option<&str>) -> bool) {
        let live: std::collections::BTreeSet<i32> = self.brokers.values().filter(|b| !b.fenced).map(|b| b.id).collect();
        let is_live = |b: i32| live.contains(&b);
        let unclean = self
            .broker_configs
            .get("")
            .and_then(|c| c.get(super::election::UNCLEAN_KEY))
            .cloned();
        let changed: Vec<Arc<TopicMeta>> = self
            .by_name
            .values()
            .filter_map(|t| {
                let mut t = (**t).clone();
                change(&mut t, &is_live, unclean.as_deref()).then(|| Arc::new(t))
            })
            .collect();
        for t in changed {
            self.insert(t);
        }
    }

    fn broker_lost(&mut self, id: i32) {
        self.change_topics(|t, live, unclean| super::election::broker_lost(t, id, live, unclean));
    }

    fn broker_back(&mut self, id: i32) {
        self.change_topics(|t, live, unclean| super::election::broker_back(t, id, live, unclean));
    }

    /// A leader's ISR change, applied only when it was made against the partition as it is
    /// (same leader, leader epoch and partition epoch) and adds only live replicas.
    fn alter_partition(&mut self, c: &AlterPartition) -> Outcome {
        let rejected = |why: String| Outcome::Failed(MetadataError::Rejected(why));
        let Some(topic) = self.by_id.get(&c.topic_id) else {
            return Outcome::Failed(MetadataError::UnknownTopic(c.topic_id.to_string()));
        };
        let Some(s) = topic.partition(c.partition) else {
            return Outcome::Failed(MetadataError::UnknownTopic(format!("{}-{}", topic.name, c.partition)));
        };
        if s.leader != c.leader || s.leader_epoch != c.leader_epoch {
            return rejected(format!("leader {} epoch {} is not the partition's", c.leader, c.leader_epoch));
        }
        if s.partition_epoch != c.partition_epoch {
            return rejected(format!("partition epoch {} where it is {}", c.partition_epoch, s.partition_epoch));
        }
        if !c.isr.contains(&c.leader) || c.isr.iter().any(|b| !s.replicas.contains(b)) {
            return rejected(format!("ISR {:?} of replicas {:?} without leader {}", c.isr, s.replicas, c.leader));
        }
        let added_dead = c
            .isr
            .iter()
            .filter(|b| !s.isr.contains(b))
            .find(|b| self.brokers.get(b).is_none_or(|r| r.fenced));
        if let Some(b) = added_dead {
            return rejected(format!("broker {b} is not live"));
        }
        let mut t = (**topic).clone();
        let s = &mut t.partition_states[c.partition as usize];
        s.isr = c.isr.clone();
        s.partition_epoch += 1;
        self.insert(Arc::new(t));
        Outcome::Done
    }

    fn insert(&mut self, t: Arc<TopicMeta>) {
        self.by_id.insert(t.id, Arc::clone(&t));
        self.by_name.insert(t.name.clone(), t);
    }

    /// Applies one record, at `offset` in the metadata log. A record that cannot apply (a name
    /// taken meanwhile) changes nothing and answers why.
    pub fn apply(&mut self, record: &Record, offset: u64) -> Outcome {
        match record {
            Record::FenceBroker { id, incarnation } | Record::UnfenceBroker { id, incarnation } => {
                let fence = matches!(record, Record::FenceBroker { .. });
                match self.brokers.get_mut(id) {
                    Some(b) if b.incarnation == *incarnation && b.fenced != fence => b.fenced = fence,
                    _ => return Outcome::Done,
                }
                if fence {
                    self.broker_lost(*id);
                } else {
                    self.broker_back(*id);
                }
                Outcome::Done
            }
            Record::RegisterBroker(b) => {
                let old_run = self.brokers.get(&b.id).map(|old| old.incarnation);
                if old_run != Some(b.incarnation) {
                    if old_run.is_some() {
                        // The old run is gone: whatever it led or had in sync may be lost with it.
                        if let Some(old) = self.brokers.get_mut(&b.id) {
                            old.fenced = true;
                        }
                        self.broker_lost(b.id);
                    }
                    let mut b = b.clone();
                    b.epoch = offset as i64;
                    b.fenced = false;
                    let id = b.id;
                    self.brokers.insert(id, b);
                    self.broker_back(id);
                }
                Outcome::Done
            }
            Record::AlterPartition(change) => self.alter_partition(change),
            Record::CreateTopic(t) => {
                if self.by_name.contains_key(&t.name) {
                    return Outcome::Failed(MetadataError::TopicExists(t.name.clone()));
                }
                let canon = kaskade_common::topic_name::collision_key(&t.name);
                if let Some(existing) = self.by_name.keys().find(|n| kaskade_common::topic_name::collision_key(n) == canon) {
                    return Outcome::Failed(MetadataError::TopicCollision {
                        name: t.name.clone(),
                        existing: existing.clone(),
                    });
                }
                self.insert(Arc::new(t.clone()));
                Outcome::Topic(t.clone())
            }
            Record::UpdateTopic(t) => match self.by_name.get(&t.name) {
                Some(old) if old.id == t.id => {
                    self.insert(Arc::new(t.clone()));
                    Outcome::Topic(t.clone())
                }
                _ => Outcome::Failed(MetadataError::UnknownTopic(t.name.clone())),
            },
            Record::RemoveTopic { name } => match self.by_name.remove(name) {
                Some(t) => {
                    self.by_id.remove(&t.id);
                    Outcome::Topic((*t).clone())
                }
                None => Outcome::Failed(MetadataError::UnknownTopic(name.clone())),
            },
            Record::BrokerConfigs { entity, configs } => {
                if configs.is_empty() {
                    self.broker_configs.remove(entity);
                } else {
                    self.broker_configs.insert(entity.clone(), configs.clone());
                }
                Outcome::Done
            }
            Record::ProducerIds { size } => {
                let first = self.producer_id_block_end;
                self.producer_id_block_end += size.max(&1);
                Outcome::ProducerIdBlock(first)
            }
            Record::Barrier => Outcome::Done,
            Record::Import(file) => {
                if self.is_empty() {
                    let registered = std::mem::take(&mut self.brokers);
                    *self = MetadataImage::from_file(file.clone());
                    self.brokers.extend(registered);
                }
                Outcome::Done
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::records::AlterPartition;

    fn topic(name: &str) -> TopicMeta {
        let mut t = TopicMeta::for_test(name, 1);
        t.place_missing(&[1]);
        t
    }

    #[test]
    fn records_apply_as_the_single_node_store_did() {
        let mut image = MetadataImage::default();
        let t = topic("a.b");
        assert_eq!(image.apply(&Record::CreateTopic(t.clone()), 1), Outcome::Topic(t.clone()));
        assert!(matches!(
            image.apply(&Record::CreateTopic(topic("a.b")), 2),
            Outcome::Failed(MetadataError::TopicExists(_))
        ));
        assert!(matches!(
            image.apply(&Record::CreateTopic(topic("a_b")), 3),
            Outcome::Failed(MetadataError::TopicCollision { .. })
        ));
        let mut grown = t.clone();
        grown.partitions = 2;
        assert_eq!(image.apply(&Record::UpdateTopic(grown.clone()), 4), Outcome::Topic(grown));
        assert!(matches!(
            image.apply(&Record::UpdateTopic(topic("a.b")), 5),
            Outcome::Failed(MetadataError::UnknownTopic(_))
        ));
        assert_eq!(image.apply(&Record::ProducerIds { size: 1000 }, 6), Outcome::ProducerIdBlock(0));
        assert_eq!(image.apply(&Record::ProducerIds { size: 1000 }, 7), Outcome::ProducerIdBlock(1000));
        let configs = BTreeMap::from([("log.retention.ms".to_string(), "1".to_string())]);
        image.apply(
            &Record::BrokerConfigs {
                entity: "".into(),
                configs: configs.clone(),
            },
            8,
        );
        assert_eq!(image.broker_configs(""), configs);
        assert!(matches!(
            image.apply(&Record::RemoveTopic { name: "a.b".into() }, 9),
            Outcome::Topic(_)
        ));
        assert!(image.topic_by_id(t.id).is_none());
    }

    #[test]
    fn a_broker_registers_once_per_run_and_its_epoch_is_the_offset() {
        let mut image = MetadataImage::default();
        let run = registration(2);
        image.apply(&Record::RegisterBroker(run.clone()), 10);
        image.apply(&Record::RegisterBroker(run.clone()), 11);
        assert_eq!(image.brokers()[0].epoch, 10, "the same run registering again keeps its epoch");
        let next = BrokerRegistration {
            incarnation: uuid::Uuid::new_v4(),
            port: 9093,
            ..run
        };
        image.apply(&Record::RegisterBroker(next.clone()), 12);
        assert_eq!((image.brokers()[0].epoch, image.brokers()[0].port), (12, 9093));
        // Fencing names the run: an old run's fence changes nothing.
        image.apply(
            &Record::FenceBroker {
                id: 2,
                incarnation: run.incarnation,
            },
            13,
        );
        assert!(!image.brokers()[0].fenced);
        image.apply(
            &Record::FenceBroker {
                id: 2,
                incarnation: next.incarnation,
            },
            14,
        );
        assert!(image.brokers()[0].fenced);
        image.apply(
            &Record::UnfenceBroker {
                id: 2,
                incarnation: next.incarnation,
            },
            15,
        );
        assert!(!image.brokers()[0].fenced);
        assert_eq!(MetadataImage::from_file(image.to_file()).brokers(), image.brokers());
    }

    #[test]
    fn an_import_fills_only_an_empty_image() {
        let file = ImageFile {
            topics: vec![topic("x")],
            producer_id_block_end: 3000,
            broker_configs: BTreeMap::new(),
            brokers: BTreeMap::new(),
        };
        let mut image = MetadataImage::default();
        image.apply(&Record::Import(file.clone()), 1);
        assert_eq!(image.to_file(), file);
        image.apply(&Record::Import(ImageFile::default()), 2);
        assert_eq!(image.to_file(), file, "a second import changes nothing");
    }

    fn registration(id: i32) -> BrokerRegistration {
        BrokerRegistration {
            id,
            incarnation: uuid::Uuid::new_v4(),
            epoch: 0,
            host: "h".into(),
            port: 9092,
            rack: None,
            fenced: false,
        }
    }

    #[test]
    fn fencing_a_leader_elects_another_and_isr_changes_apply_only_to_the_current_state() {
        let mut image = MetadataImage::default();
        let runs: Vec<BrokerRegistration> = (1..=3).map(registration).collect();
        for (i, r) in runs.iter().enumerate() {
            image.apply(&Record::RegisterBroker(r.clone()), i as u64);
        }
        let mut t = TopicMeta::for_test("t", 1);
        t.replication_factor = 3;
        t.place_missing(&[1, 2, 3]);
        image.apply(&Record::CreateTopic(t.clone()), 5);
        image.apply(
            &Record::FenceBroker {
                id: 1,
                incarnation: runs[0].incarnation,
            },
            6,
        );
        let s = image.topic("t").unwrap().partition_states[0].clone();
        assert_eq!((s.leader, s.leader_epoch, s.partition_epoch, s.isr.clone()), (2, 1, 1, vec![2, 3]));
        let change = |isr: Vec<i32>, partition_epoch: i32| {
            Record::AlterPartition(AlterPartition {
                topic_id: t.id,
                partition: 0,
                leader: 2,
                leader_epoch: 1,
                partition_epoch,
                isr,
            })
        };
        assert!(
            matches!(
                image.apply(&change(vec![2, 3, 1], 1), 7),
                Outcome::Failed(MetadataError::Rejected(_))
            ),
            "a fenced broker does not join"
        );
        assert!(
            matches!(image.apply(&change(vec![2], 0), 8), Outcome::Failed(MetadataError::Rejected(_))),
            "a stale partition epoch"
        );
        assert_eq!(image.apply(&change(vec![2], 1), 9), Outcome::Done);
        assert_eq!(image.topic("t").unwrap().partition_states[0].isr, vec![2]);
        // Broker 1 restarts (a new run): live again, it may join.
        image.apply(&Record::RegisterBroker(registration(1)), 10);
        assert_eq!(image.apply(&change(vec![2, 1], 2), 11), Outcome::Done);
        // Broker 2's run is replaced while it leads: broker 1, in sync, takes over.
        image.apply(&Record::RegisterBroker(registration(2)), 12);
        let s = image.topic("t").unwrap().partition_states[0].clone();
        assert_eq!((s.leader, s.leader_epoch, s.isr.clone()), (1, 2, vec![1]));
    }
}
