//! A well-behaved client producing and consuming in the background while a test attacks the
//! broker: it checks every record it reads back (value `v<offset>`, in order) and counts round
//! trips, so a test can wait for progress and assert nothing was lost.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaResult;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

/// Checks one record read back (`v<offset>`) and counts it as consumed.
fn check(m: KafkaResult<BorrowedMessage<'_>>, consumed: &AtomicU64) {
    let m = m.expect("bystander consume");
    let expect = format!("v{}", m.offset());
    assert_eq!(m.payload(), Some(expect.as_bytes()), "bystander record at {}", m.offset());
    consumed.fetch_max(m.offset() as u64 + 1, Ordering::Relaxed);
}

pub struct Bystander {
    stop: Arc<AtomicBool>,
    produced: Arc<AtomicU64>,
    consumed: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Bystander {
    pub fn start(bootstrap: String) -> Bystander {
        let stop = Arc::new(AtomicBool::new(false));
        let produced = Arc::new(AtomicU64::new(0));
        let consumed = Arc::new(AtomicU64::new(0));
        let (s, p, c) = (stop.clone(), produced.clone(), consumed.clone());
        let handle = std::thread::spawn(move || {
            let producer: BaseProducer = ClientConfig::new()
                .set("bootstrap.servers", &bootstrap)
                .set("acks", "all")
                .set("enable.idempotence", "false")
                .set("linger.ms", "1")
                .create()
                .expect("producer");
            let consumer: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &bootstrap)
                .set("group.id", "assign-only")
                .set("enable.auto.commit", "false")
                .create()
                .expect("consumer");
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset("bystander", 0, Offset::Beginning).expect("tpl");
            consumer.assign(&tpl).expect("assign");
            let mut n = 0u64;
            while !s.load(Ordering::Relaxed) {
                let v = format!("v{n}");
                if producer
                    .send(BaseRecord::<(), str>::to("bystander").partition(0).payload(&v))
                    .is_ok()
                {
                    n += 1;
                }
                producer.flush(Duration::from_secs(10)).expect("bystander flush");
                p.store(n, Ordering::Relaxed);
                while let Some(m) = consumer.poll(Duration::from_millis(20)) {
                    check(m, &c);
                }
            }
            // Stopped: read back everything produced.
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while c.load(Ordering::Relaxed) < n && std::time::Instant::now() < deadline {
                if let Some(m) = consumer.poll(Duration::from_millis(100)) {
                    check(m, &c);
                }
            }
        });
        Bystander {
            stop,
            produced,
            consumed,
            handle: Some(handle),
        }
    }

    /// Waits until the bystander completes a few more round trips (it is still being served).
    pub fn assert_progress(&self, what: &str) {
        let before = self.consumed.load(Ordering::Relaxed);
        let ok = crate::wait_for(Duration::from_secs(20), || {
            (self.consumed.load(Ordering::Relaxed) >= before + 3).then_some(())
        });
        assert!(ok.is_some(), "bystander stalled after {what}: consumed {before}");
    }

    /// Stops, reads back what is left, and returns (produced, consumed): every record produced
    /// was read back with its value, in order, when the two are equal.
    pub fn finish(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().expect("thread").join().expect("bystander thread panicked");
        (self.produced.load(Ordering::Relaxed), self.consumed.load(Ordering::Relaxed))
    }
}
