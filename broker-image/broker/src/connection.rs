//! One client connection. Frames are read and each request is dispatched at once (clients keep
//! several in flight); responses are written strictly in request order through a queue of
//! pending answers, so a produce waiting for its fsync does not stall the fetch behind it from
//! being worked on. A frame that cannot be understood closes this connection only.

use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use crate::protocol::{self, Dispatched, Outcome};
use crate::state::Broker;

/// Requests in flight per connection before the reader waits for the writer. Java clients keep
/// five in flight, librdkafka more; acks=all requests waiting together share one fsync.
const MAX_IN_FLIGHT: usize = 64;
/// Request bytes in flight per connection (KiB): bounds what one connection holds in memory
/// while its requests wait (a single larger request is still admitted, alone).
const IN_FLIGHT_KIB: u32 = 8 * 1024;

/// A request's answer as the writer awaits it.
enum Answer {
    Ready(Outcome),
    Task(JoinHandle<Outcome>),
}

/// An answer and the share of the connection's in-flight budget its request holds until the
/// answer is written.
struct Pending {
    answer: Answer,
    _budget: OwnedSemaphorePermit,
}

pub async fn serve(stream: TcpStream, broker: Arc<Broker>, mut shutdown: watch::Receiver<bool>) {
    let peer_addr = stream.peer_addr().ok();
    let peer = peer_addr.map(|a| a.to_string()).unwrap_or_default();
    let client_host: Arc<str> = Arc::from(peer_addr.map(|a| format!("/{}", a.ip())).unwrap_or_default());
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::channel::<Pending>(MAX_IN_FLIGHT);
    let writer = tokio::spawn(write_responses(wr, rx, peer.clone()));
    let mut rd = BufReader::with_capacity(64 * 1024, rd);
    let max = broker.config.socket_request_max_bytes;
    let budget = Arc::new(Semaphore::new(IN_FLIGHT_KIB as usize));
    loop {
        let size = tokio::select! {
            r = rd.read_i32() => match r {
                Ok(s) => s,
                Err(_) => break, // closed by the client
            },
            _ = tx.closed() => break, // the writer closed the connection
            _ = shutdown.changed() => break,
        };
        if size < 0 || size as usize > max {
            tracing::warn!(%peer, size, max, "closing connection: request size is negative or above socket.request.max.bytes");
            break;
        }
        let kib = (size as u32).div_ceil(1024).clamp(1, IN_FLIGHT_KIB);
        let permit = tokio::select! {
            p = Arc::clone(&budget).acquire_many_owned(kib) => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = tx.closed() => break,
        };
        let mut frame = BytesMut::zeroed(size as usize);
        if rd.read_exact(&mut frame).await.is_err() {
            tracing::debug!(%peer, "connection closed mid-frame");
            break;
        }
        // In arrival order: the synchronous part (appends) now, the rest as its own task.
        let answer = match protocol::dispatch(&broker, frame.freeze(), &client_host) {
            Dispatched::Now(outcome) => Answer::Ready(outcome),
            Dispatched::Later(future) => Answer::Task(tokio::spawn(future)),
        };
        let pending = Pending { answer, _budget: permit };
        if tx.send(pending).await.is_err() {
            break;
        }
    }
    drop(tx);
    // Answer what is in flight, then close.
    let _ = writer.await;
}

async fn write_responses(wr: tokio::net::tcp::OwnedWriteHalf, mut rx: mpsc::Receiver<Pending>, peer: String) {
    let mut wr = BufWriter::with_capacity(64 * 1024, wr);
    while let Some(pending) = rx.recv().await {
        let outcome = match pending.answer {
            Answer::Ready(o) => o,
            Answer::Task(handle) => match handle.await {
                Ok(o) => o,
                Err(e) => Outcome::Close(format!("request handler failed: {e}")),
            },
        };
        match outcome {
            Outcome::Respond(frame) => {
                if wr.write_all(&frame).await.is_err() {
                    return;
                }
            }
            Outcome::NoResponse => {}
            Outcome::Close(reason) => {
                tracing::warn!(%peer, %reason, "closing connection");
                let _ = wr.flush().await;
                rx.close();
                return;
            }
        }
        if rx.is_empty() && wr.flush().await.is_err() {
            return;
        }
    }
    let _ = wr.flush().await;
    let _ = wr.shutdown().await;
}
