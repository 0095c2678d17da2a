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
        // One fsync per distinct log in this round.
        let mut logs: Vec<(Arc<PartitionLog>, Result<i64, FlushError>)> = Vec::new();
        for r in &round {
            if logs.iter().any(|(l, _)| Arc::ptr_eq(l, &r.log)) {
                continue;
            }
            let result = if r.log.flushed_offset() >= max_offset(&round, &r.log) {
                Ok(r.log.flushed_offset())
            } else {
                r.log.flush(now_ms()).map_err(|e| FlushError::Io(e.to_string()))
            };
            if let Err(e) = &result {
                tracing::error!(topic = %r.log.topic, partition = r.log.partition, error = %e, "fsync failed");
            }
            logs.push((Arc::clone(&r.log), result));
        }
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
