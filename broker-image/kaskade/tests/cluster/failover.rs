//! Failover: an idempotent acks=all producer (librdkafka) keeps writing while the leader of its
//! partitions is SIGKILLed, again and again, each time started again: a new leader is elected
//! from the in-sync replicas with a higher leader epoch, the restarted broker catches up and
//! rejoins the ISR, and every acknowledged record is read back exactly once, where the producer
//! was told it is. A rolling restart (SIGTERM, one broker at a time) moves leadership off each
//! broker before it stops, and loses nothing either.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kaskade_testkit::clients::assigned_consumer;
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::{wait_for, ClusterProc};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::Consumer;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

const TOPIC: &str = "failover";
const PARTITIONS: i32 = 2;
const KILLS: usize = 3;

/// Short sessions, so a dead broker is fenced (and its partitions led elsewhere) within 2 s.
const TIMING: &[&str] = &[
    "broker.session.timeout.ms=2000",
    "broker.heartbeat.interval.ms=250",
    "replica.lag.time.max.ms=4000",
    "min.insync.replicas=2",
];

/// (leader, leader epoch, ISR) of each partition, as `bootstrap` lists them.
fn partitions(bootstrap: &str) -> Option<Vec<(i32, i32, Vec<i32>)>> {
    let parts = RawClient::connect(bootstrap).partitions(TOPIC).ok()?;
    (!parts.is_empty()).then(|| parts.into_iter().map(|p| (p.leader, p.leader_epoch, p.isr)).collect())
}

fn create_topic(cluster: &ClusterProc) {
    let mut admin = RawClient::connect(&cluster.brokers[0].bootstrap());
    let code = admin.try_create_topic(TOPIC, PARTITIONS, 3, &[("min.insync.replicas", "2")]);
    assert_eq!(code.expect("CreateTopics answered"), 0);
}

/// An idempotent acks=all producer writing windows of 20 records until stopped; every record
/// must be delivered (a non-retriable error fails the test).
struct Load {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<BTreeMap<(i32, i64), String>>>,
    writer: tokio::task::JoinHandle<()>,
}

impl Load {
    fn start(bootstrap: &str) -> Load {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "2")
            .set("message.timeout.ms", "120000")
            .set("request.timeout.ms", "5000")
            .create()
            .expect("producer");
        let stop = Arc::new(AtomicBool::new(false));
        let acked: Arc<Mutex<BTreeMap<(i32, i64), String>>> = Arc::default();
        let writer = {
            let (stop, acked) = (Arc::clone(&stop), Arc::clone(&acked));
            tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let sends: Vec<_> = (0..20)
                        .map(|_| {
                            i += 1;
                            let value = format!("record-{i}");
                            let producer = producer.clone();
                            tokio::spawn(async move {
                                let record = FutureRecord::<(), _>::to(TOPIC)
                                    .payload(&value)
                                    .partition((i % PARTITIONS as u64) as i32);
                                let d = producer.send(record, Duration::from_secs(120)).await.map_err(|(e, _)| e);
                                (d, value)
                            })
                        })
                        .collect();
                    for s in sends {
                        let (d, value) = s.await.expect("send task");
                        let d = d.expect("an idempotent producer delivers every record");
                        assert!(
                            acked.lock().unwrap().insert((d.partition, d.offset), value).is_none(),
                            "two records acknowledged at one offset"
                        );
                    }
                }
            })
        };
        Load { stop, acked, writer }
    }

    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    /// Waits until `more` records beyond `from` are acknowledged.
    fn wait_progress(&self, from: usize, more: usize, cluster: &ClusterProc, what: &str) {
        let progressed = wait_for(Duration::from_secs(60), || (self.acked() >= from + more).then_some(()));
        assert!(progressed.is_some(), "{what}: writes did not go on\n{}", cluster.logs());
    }

    /// Stops writing, then reads every partition from the start: every acknowledged record
    /// must be there once, where the producer was told, and no record twice.
    async fn stop_and_check(self, cluster: &ClusterProc) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        self.writer.await.expect("writer");
        let acked = self.acked.lock().unwrap().clone();
        let consumer = assigned_consumer(&cluster.bootstrap(), TOPIC, PARTITIONS, &[]);
        let mut read: BTreeMap<(i32, i64), String> = BTreeMap::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while read.len() < acked.len() && std::time::Instant::now() < deadline {
            if let Some(m) = consumer.poll(Duration::from_millis(200)) {
                let m = m.expect("consume");
                let value = String::from_utf8(m.payload().unwrap_or_default().to_vec()).expect("utf8");
                assert!(read.insert((m.partition(), m.offset()), value).is_none(), "read twice");
            }
        }
        let missing: Vec<_> = acked.iter().filter(|(k, v)| read.get(k) != Some(v)).take(5).collect();
        assert!(
            missing.is_empty(),
            "acknowledged records lost or moved: {missing:?} ({} acknowledged, {} read)",
            acked.len(),
            read.len()
        );
        let mut values: Vec<&String> = read.values().collect();
        values.sort();
        let before = values.len();
        values.dedup();
        assert_eq!(values.len(), before, "a record was written twice");
        consumer.unsubscribe();
        acked.len()
    }
}

/// Waits until every partition has a leader and all three replicas in sync.
fn wait_full_isr(cluster: &ClusterProc, what: &str) -> Vec<(i32, i32, Vec<i32>)> {
    let any = cluster
        .brokers
        .iter()
        .find(|b| b.child.is_some())
        .expect("a running broker")
        .bootstrap();
    wait_for(Duration::from_secs(60), || {
        partitions(&any).filter(|p| p.iter().all(|(l, _, isr)| *l > 0 && isr.len() == 3))
    })
    .unwrap_or_else(|| panic!("{what}: every partition led with a full ISR\n{}", cluster.logs()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_records_survive_repeated_leader_kills_exactly_once() {
    let _serial = crate::serial().await;
    let mut cluster = ClusterProc::start(3, TIMING);
    create_topic(&cluster);
    let load = Load::start(&cluster.bootstrap());
    for kill in 0..KILLS {
        let what = format!("kill {kill}");
        let before = load.acked();
        let (victim, epoch, _) = wait_full_isr(&cluster, &what)[0].clone();
        cluster.node(victim).kill9();
        let survivor = cluster.brokers.iter().find(|b| b.child.is_some()).expect("a survivor").bootstrap();
        let moved = wait_for(Duration::from_secs(60), || {
            partitions(&survivor)
                .filter(|p| p[0].0 > 0 && p[0].0 != victim)
                .map(|p| p[0].clone())
        })
        .unwrap_or_else(|| panic!("{what}: no new leader for partition 0\n{}", cluster.logs()));
        assert!(moved.1 > epoch, "{what}: the leader epoch went from {epoch} to {}", moved.1);
        assert!(!moved.2.contains(&victim), "{what}: the dead broker is out of the ISR: {moved:?}");
        // Writes go on without it (two in-sync replicas meet min.insync.replicas).
        load.wait_progress(before, 200, &cluster, &what);
        cluster.start_stopped();
    }
    wait_full_isr(&cluster, "after the last restart");
    let acked = load.stop_and_check(&cluster).await;
    assert!(acked >= KILLS * 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_moves_leaders_first_and_loses_nothing() {
    let _serial = crate::serial().await;
    let mut cluster = ClusterProc::start(3, TIMING);
    create_topic(&cluster);
    let load = Load::start(&cluster.bootstrap());
    for id in 1..=3 {
        let what = format!("restart of broker {id}");
        wait_full_isr(&cluster, &what);
        let before = load.acked();
        assert!(cluster.node(id).terminate().success(), "{what}: a clean stop");
        let log = cluster.node(id).logs();
        assert!(
            log.contains("controlled shutdown: leadership moved off this broker"),
            "{what}:\n{log}"
        );
        assert!(
            log.contains("still_leading=0"),
            "{what}: it still led partitions when it stopped\n{log}"
        );
        load.wait_progress(before, 100, &cluster, &what);
        cluster.start_stopped();
    }
    wait_full_isr(&cluster, "after the roll");
    load.stop_and_check(&cluster).await;
}
