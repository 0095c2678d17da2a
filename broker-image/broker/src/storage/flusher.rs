//! Group commit. Producers with acks=all hand their partition and offset to one flusher thread
//! and wait; the thread takes everything queued, fsyncs each dirty log once, and completes every
//! waiter together. While it fsyncs, new requests queue up for the next round, so the number of
//! fsyncs follows the disk's speed, not the request rate.

use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use thiserror::Error;
use tokio::sync::oneshot;

use super::log::PartitionLog;

#[derive(Debug, Error, Clone)]
pub enum FlushError {
    #[error("fsync failed: {0}")]
    Io(String),
    #[error("the flusher has stopped")]
    Stopped,
}

struct FlushRequest {
    log: Arc<PartitionLog>,
    offset: i64,
    done: Option<oneshot::Sender<Result<(), FlushError>>>,
}

/// Handle to the flusher thread. Cheap to clone.
#[derive(Clone)]
pub struct Flusher {
    tx: mpsc::Sender<FlushRequest>,
}

impl Flusher {
    /// Starts the flusher thread. It ends when every handle is dropped.
    pub fn start(now_ms: fn() -> i64) -> (Flusher, thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<FlushRequest>();
        let handle = thread::Builder::new()
            .name("kaskade-flusher".into())
            .spawn(move || run(rx, now_ms))
            .expect("spawn flusher thread");
        (Flusher { tx }, handle)
    }

    /// Waits until `log` is durable up to `offset` (exclusive end of the caller's append).
    pub async fn wait_durable(&self, log: Arc<PartitionLog>, offset: i64) -> Result<(), FlushError> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(FlushRequest {
                log,
                offset,
                done: Some(done),
            })
            .map_err(|_| FlushError::Stopped)?;
        rx.await.map_err(|_| FlushError::Stopped)?
    }

    /// Asks for a flush without waiting (for `flush.messages` / `flush.ms`).
    pub fn request(&self, log: Arc<PartitionLog>) {
        let offset = log.end_offset();
        let _ = self.tx.send(FlushRequest { log, offset, done: None });
    }
}

fn run(rx: mpsc::Receiver<FlushRequest>, now_ms: fn() -> i64) {
    while let Ok(first) = rx.recv() {
        let mut round = vec![first];
        while let Ok(more) = rx.try_recv() {
            round.push(more);
        }
        // One fsync per distinct log in this round; several logs are fsynced in parallel (the
        // file system merges concurrent syncs into fewer journal commits).
        let mut distinct: Vec<Arc<PartitionLog>> = Vec::new();
        for r in &round {
            if !distinct.iter().any(|l| Arc::ptr_eq(l, &r.log)) {
                distinct.push(Arc::clone(&r.log));
            }
        }
        let sync = |log: &Arc<PartitionLog>| -> Result<i64, FlushError> {
            let result = if log.flushed_offset() >= max_offset(&round, log) {
                Ok(log.flushed_offset())
            } else {
                log.flush(now_ms()).map_err(|e| FlushError::Io(e.to_string()))
            };
            if let Err(e) = &result {
                tracing::error!(topic = %log.topic, partition = log.partition, error = %e, "fsync failed");
            }
            result
        };
        let results: Vec<Result<i64, FlushError>> = if distinct.len() == 1 {
            vec![sync(&distinct[0])]
        } else {
            thread::scope(|scope| {
                let handles: Vec<_> = distinct.iter().map(|log| scope.spawn(|| sync(log))).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(FlushError::Io("fsync thread panicked".into()))))
                    .collect()
            })
        };
        let logs: Vec<(Arc<PartitionLog>, Result<i64, FlushError>)> = distinct.into_iter().zip(results).collect();
        for r in round {
            let Some(done) = r.done else { continue };
            let result = logs.iter().find(|(l, _)| Arc::ptr_eq(l, &r.log)).map(|(_, res)| res.clone());
            let outcome = match result {
                Some(Ok(flushed)) if flushed >= r.offset => Ok(()),
                Some(Ok(_)) => Err(FlushError::Io("log was truncated or deleted".into())),
                Some(Err(e)) => Err(e),
                None => Err(FlushError::Stopped),
            };
            let _ = done.send(outcome);
        }
    }
}

fn max_offset(round: &[FlushRequest], log: &Arc<PartitionLog>) -> i64 {
    round
        .iter()
        .filter(|r| Arc::ptr_eq(&r.log, log))
        .map(|r| r.offset)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::batch::{tests::make_batch, validate_produce};
    use crate::storage::LogConfig;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_waiters_share_fsyncs() {
        let dir = tempfile::tempdir().unwrap();
        let (log, _) = PartitionLog::open(&dir.path().join("t-0"), "t", 0, LogConfig::default(), false, 0).unwrap();
        let log = Arc::new(log);
        let (flusher, thread) = Flusher::start(|| 0);
        let b = make_batch(4, 0, b"group commit");
        let h = validate_produce(&b, 1 << 20).unwrap();
        // Eight producers, each appending and then waiting for durability, 50 times over: with
        // one fsync per request this would be 400 fsyncs.
        let b = Arc::new(b);
        let mut producers = Vec::new();
        for _ in 0..8 {
            let (f, l, b) = (flusher.clone(), Arc::clone(&log), Arc::clone(&b));
            producers.push(tokio::spawn(async move {
                for _ in 0..50 {
                    let info = l.append(&b, &h, 0, 0).unwrap();
                    f.wait_durable(Arc::clone(&l), info.last_offset + 1).await.unwrap();
                    assert!(l.flushed_offset() > info.last_offset, "acknowledged only once durable");
                }
            }));
        }
        for p in producers {
            p.await.unwrap();
        }
        assert_eq!(log.flushed_offset(), 400 * 4);
        let fsyncs = log.fsync_count();
        assert!(
            fsyncs < 300,
            "400 acks=all appends took {fsyncs} fsyncs: requests are not sharing them"
        );
        drop(flusher);
        thread.join().unwrap();
    }
}
