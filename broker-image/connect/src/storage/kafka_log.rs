//! `KafkaBasedLog`: one of the worker's compacted topics, read from the beginning and then
//! tailed by a thread that hands every record to its store, written with an acks=all producer,
//! and a `read_to_end` barrier (the high watermarks now, then wait until the tail has applied
//! everything below them) — the one way the worker learns what the cluster agreed on.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kaskade_client::{KafkaAdmin, OffsetSpec, TopicPartition};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::sync::watch;

use super::StoreError;

/// What the tail thread calls for each record: key, value (None for a tombstone), partition.
pub type Apply = Box<dyn FnMut(Option<&[u8]>, Option<&[u8]>, i32) + Send>;

pub struct KafkaLog {
    topic: String,
    producer: FutureProducer,
    admin: KafkaAdmin,
    partitions: i32,
    /// Next offset to read, per partition, as the tail thread advances.
    positions: watch::Receiver<BTreeMap<i32, i64>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How long a write or a read to the end may take (Kafka's `READ_WRITE_TOTAL_TIMEOUT_MS`).
pub const TIMEOUT: Duration = Duration::from_secs(30);

impl KafkaLog {
    /// Starts tailing `topic` (all its partitions, from the beginning) with `consumer_config`
    /// and `apply`; writes go through `producer_config`.
    pub fn start(
        topic: &str,
        producer_config: &ClientConfig,
        consumer_config: &ClientConfig,
        admin: KafkaAdmin,
        mut apply: Apply,
    ) -> Result<KafkaLog, StoreError> {
        let producer: FutureProducer = producer_config.create().map_err(|e| StoreError::kafka(topic, e))?;
        let mut consumer_config = consumer_config.clone();
        // librdkafka wants a group id even for assigned partitions; nothing joins or commits it.
        consumer_config
            .set("enable.partition.eof", "true")
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", "50")
            .set("group.id", format!("kaskade-connect-log-{topic}"));
        let consumer: BaseConsumer = consumer_config.create().map_err(|e| StoreError::kafka(topic, e))?;
        let metadata = consumer
            .fetch_metadata(Some(topic), TIMEOUT)
            .map_err(|e| StoreError::kafka(topic, e))?;
        let partitions = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .map(|t| t.partitions().len() as i32)
            .unwrap_or(0);
        if partitions == 0 {
            return Err(StoreError::Other(format!("topic {topic} has no partitions")));
        }
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .map_err(|e| StoreError::kafka(topic, e))?;
        }
        consumer.assign(&tpl).map_err(|e| StoreError::kafka(topic, e))?;
        tracing::debug!(topic, partitions, "tailing");
        let consumer = Arc::new(consumer);
        let (tx, positions) = watch::channel((0..partitions).map(|p| (p, 0i64)).collect::<BTreeMap<_, _>>());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let consumer = consumer.clone();
            let stop = stop.clone();
            let name = topic.to_string();
            std::thread::Builder::new()
                .name(format!("log-{topic}"))
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match consumer.poll(Duration::from_millis(100)) {
                            Some(Ok(m)) => {
                                apply(m.key(), m.payload(), m.partition());
                                let (p, next) = (m.partition(), m.offset() + 1);
                                tx.send_modify(|pos| {
                                    pos.insert(p, next);
                                });
                            }
                            // At the end of a partition the fetch position is its high watermark,
                            // even when the records just below it were compacted away.
                            Some(Err(rdkafka::error::KafkaError::PartitionEOF(p))) => {
                                let at = consumer.position().ok().and_then(|tpl| {
                                    tpl.find_partition(&name, p).and_then(|e| match e.offset() {
                                        Offset::Offset(o) => Some(o),
                                        _ => None,
                                    })
                                });
                                if let Some(at) = at {
                                    tx.send_modify(|pos| {
                                        let e = pos.entry(p).or_insert(0);
                                        *e = (*e).max(at);
                                    });
                                }
                            }
                            Some(Err(e)) => tracing::warn!(topic = name, "reading the log: {e}"),
                            None => {}
                        }
                    }
                })
                .map_err(|e| StoreError::Other(format!("spawning the reader of {topic}: {e}")))?
        };
        Ok(KafkaLog {
            topic: topic.to_string(),
            producer,
            admin,
            partitions,
            positions,
            stop,
            thread: Some(thread),
        })
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    pub fn partitions(&self) -> i32 {
        self.partitions
    }

    /// The next offset the tail will read in `partition` (its position in the log).
    pub fn position(&self, partition: i32) -> i64 {
        self.positions.borrow().get(&partition).copied().unwrap_or(0)
    }

    /// Writes one record and waits for the broker to acknowledge it.
    pub async fn send(&self, key: &[u8], value: Option<&[u8]>, partition: Option<i32>) -> Result<(), StoreError> {
        let mut record = FutureRecord::<[u8], [u8]>::to(&self.topic).key(key);
        if let Some(v) = value {
            record = record.payload(v);
        }
        if let Some(p) = partition {
            record = record.partition(p);
        }
        self.producer
            .send(record, TIMEOUT)
            .await
            .map(|_| ())
            .map_err(|(e, _)| StoreError::kafka(&self.topic, e))
    }

    /// Waits until every record written before this call has been applied.
    pub async fn read_to_end(&self) -> Result<(), StoreError> {
        // One ListOffsets for every partition (librdkafka's watermark query is one round trip
        // per partition, seconds for the 25 of the offsets topic).
        let wanted: BTreeSet<TopicPartition> = (0..self.partitions)
            .map(|partition| TopicPartition {
                topic: self.topic.clone(),
                partition,
            })
            .collect();
        let answers = self
            .admin
            .list_offsets(&wanted, OffsetSpec::Latest)
            .await
            .map_err(|e| StoreError::kafka(&self.topic, e))?;
        let ends = answers
            .into_iter()
            .map(|(tp, r)| {
                r.map(|high| (tp.partition, high))
                    .map_err(|code| StoreError::kafka(&self.topic, kaskade_client::error_name(code)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut positions = self.positions.clone();
        let reached = |pos: &BTreeMap<i32, i64>| ends.iter().all(|(p, high)| pos.get(p).copied().unwrap_or(0) >= *high);
        tokio::time::timeout(TIMEOUT, positions.wait_for(reached))
            .await
            .map_err(|_| StoreError::Other(format!("Timed out reading to the end of {}", self.topic)))?
            .map_err(|_| StoreError::Other(format!("the reader of {} stopped", self.topic)))?;
        Ok(())
    }
}

impl Drop for KafkaLog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
