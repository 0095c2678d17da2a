//! One client connection. Frames are read and each request is dispatched at once (clients keep
//! several in flight); responses are written strictly in request order through a queue of
//! pending answers, so a produce waiting for its fsync does not stall the fetch behind it from
//! being worked on. A frame that cannot be understood closes this connection only.
//!
//! What a connection costs is what it sent: an idle connection holds no read buffer, no answer
//! queue and no writer task until its first request, and a frame's buffer is reserved as its
//! bytes arrive (at most 1 MiB ahead of them; a size prefix alone reserves nothing). Request
//! bytes in flight are bounded per connection and, with `queued.max.request.bytes`, across the
//! broker; a connection with nothing in flight that sends nothing for `connections.max.idle.ms`
//! is closed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};
use tokio::task::JoinHandle;

use crate::connection_limits::{Admitted, ByteBudget, KIB};
use crate::protocol::{self, Dispatched, Outcome};
use crate::state::Broker;

/// Requests in flight per connection before the reader waits for the writer. Java clients keep
/// five in flight, librdkafka more; acks=all requests waiting together share one fsync.
const MAX_IN_FLIGHT: usize = 64;
/// Request bytes in flight per connection: bounds what one connection holds in memory while its
/// requests wait (a single larger request is still admitted, alone).
const IN_FLIGHT_BYTES: usize = 8 << 20;
/// The most a frame's buffer grows by ahead of its bytes: a produce request of up to 1 MiB is
/// read into one buffer of its size (no regrowth), while a size prefix announcing 100 MiB
/// reserves 1 MiB of address space, untouched until bytes come.
const READ_CHUNK: usize = 1 << 20;
/// Answers ready together are written together up to this many bytes.
const WRITE_BATCH: usize = 64 * 1024;

/// A request's answer as the writer awaits it.
enum Answer {
    Ready(Outcome),
    Task(JoinHandle<Outcome>),
}

/// An answer, and the shares of the connection's and the broker's in-flight budgets its request
/// holds until the answer is written.
struct Pending {
    answer: Answer,
    _budget: OwnedSemaphorePermit,
    _queued: Option<OwnedSemaphorePermit>,
}

/// What reading the next frame came to.
enum Next {
    Frame(Bytes),
    /// The client closed the connection (or the socket failed).
    Closed,
    /// `connections.max.idle.ms` passed with nothing in flight and nothing sent.
    Idle,
    /// The size prefix is negative or above `socket.request.max.bytes`.
    BadSize(i32),
}

/// Size-prefixed frames off the socket, with no buffer held between frames.
struct FrameReader {
    rd: OwnedReadHalf,
    buf: BytesMut,
    max: usize,
}

impl FrameReader {
    /// The size of the frame at the front of the buffer, once its prefix is in.
    fn size(&self) -> Option<i32> {
        let b = self.buf.get(..4)?;
        Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads what the socket has, once it is readable. While the next frame's size prefix is
    /// incomplete, the bytes go through the stack into a buffer of exactly their size (a client
    /// that sends a few bytes and stalls holds a few bytes); once the size is known, straight
    /// into the frame's buffer, grown by at most [`READ_CHUNK`] ahead of what has arrived. `Ok(false)` when the
    /// client closed the connection, `None` when it was idle for `idle` with nothing in flight.
    async fn fill(&mut self, idle: Option<Duration>, in_flight: impl Fn() -> bool) -> std::io::Result<Option<bool>> {
        loop {
            let ready = match idle {
                Some(t) => match tokio::time::timeout(t, self.rd.readable()).await {
                    Ok(r) => r,
                    Err(_) if in_flight() => continue,
                    Err(_) => return Ok(None),
                },
                None => self.rd.readable().await,
            };
            ready?;
            let read = match self.size() {
                None => read_small(&self.rd, &mut self.buf),
                Some(size) => {
                    let missing = (size.max(0) as usize + 4).saturating_sub(self.buf.len());
                    self.buf.reserve(missing.clamp(1, READ_CHUNK));
                    self.rd.try_read_buf(&mut self.buf)
                }
            };
            match read {
                Ok(0) => return Ok(Some(false)),
                Ok(_) => return Ok(Some(true)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next frame's size once its prefix is in: `Err` for what ends the connection.
    async fn next_size(&mut self, idle: Option<Duration>, in_flight: impl Fn() -> bool + Copy) -> Result<usize, Next> {
        while self.buf.len() < 4 {
            if self.buf.is_empty() {
                // Nothing of the next frame yet: hold no memory while waiting.
                self.buf = BytesMut::new();
            }
            match self.fill(idle, in_flight).await {
                Ok(Some(true)) => {}
                Ok(None) => return Err(Next::Idle),
                Ok(Some(false)) | Err(_) => return Err(Next::Closed),
            }
        }
        match self.size() {
            Some(size) if size >= 0 && size as usize <= self.max => Ok(size as usize),
            Some(size) => Err(Next::BadSize(size)),
            None => Err(Next::Closed),
        }
    }

    /// The rest of a frame of `size` bytes (its prefix already in).
    async fn frame(&mut self, size: usize, idle: Option<Duration>, in_flight: impl Fn() -> bool + Copy) -> Next {
        while self.buf.len() < 4 + size {
            match self.fill(idle, in_flight).await {
                Ok(Some(true)) => {}
                Ok(None) => return Next::Idle,
                Ok(Some(false)) | Err(_) => return Next::Closed,
            }
        }
        let mut frame = self.buf.split_to(4 + size);
        frame.advance(4);
        Next::Frame(frame.freeze())
    }
}

/// Reads what the socket has (up to 16 KiB) through the stack, and appends exactly that to `buf`.
fn read_small(rd: &OwnedReadHalf, buf: &mut BytesMut) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * KIB];
    let n = rd.try_read(&mut chunk)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// The writer of a connection's answers, started with its first request.
struct Writer {
    tx: mpsc::Sender<Pending>,
    task: JoinHandle<()>,
}

/// Resolves when the writer closed the connection (never, before there is a writer).
async fn writer_closed(writer: &Option<Writer>) {
    match writer {
        Some(w) => w.tx.closed().await,
        None => std::future::pending().await,
    }
}

pub async fn serve(stream: TcpStream, broker: Arc<Broker>, mut shutdown: watch::Receiver<bool>, admitted: Admitted) {
    let _admitted = admitted;
    let peer_addr = stream.peer_addr().ok();
    let peer = peer_addr.map(|a| a.to_string()).unwrap_or_default();
    let client_host: Arc<str> = Arc::from(peer_addr.map(|a| format!("/{}", a.ip())).unwrap_or_default());
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let mut wr = Some(wr);
    let mut writer: Option<Writer> = None;
    // Requests dispatched and not yet answered: while there are some, the connection is not idle.
    let unanswered = Arc::new(AtomicUsize::new(0));
    let mut reader = FrameReader {
        rd,
        buf: BytesMut::new(),
        max: broker.config().socket_request_max_bytes,
    };
    let idle = broker.quotas().config().idle_timeout;
    let queued = broker.quotas().queued_budget().cloned();
    let budget = ByteBudget::new(IN_FLIGHT_BYTES);
    let in_flight = || unanswered.load(Ordering::Relaxed) > 0;
    loop {
        let size = tokio::select! {
            r = reader.next_size(idle, &in_flight) => r,
            _ = writer_closed(&writer) => break, // the writer closed the connection
            _ = shutdown.changed() => break,
        };
        let size = match size {
            Ok(size) => size,
            Err(next) => {
                log_end(&peer, &next, reader.max);
                break;
            }
        };
        let permit = tokio::select! {
            p = budget.take(size) => p,
            _ = writer_closed(&writer) => break,
        };
        let queued_permit = match &queued {
            Some(q) => tokio::select! {
                p = q.take(size) => Some(p),
                _ = writer_closed(&writer) => break,
                _ = shutdown.changed() => break,
            },
            None => None,
        };
        let frame = tokio::select! {
            f = reader.frame(size, idle, &in_flight) => f,
            _ = shutdown.changed() => break,
        };
        let frame = match frame {
            Next::Frame(f) => f,
            other => {
                log_end(&peer, &other, reader.max);
                break;
            }
        };
        // In arrival order: the synchronous part (appends) now, the rest as its own task.
        let answer = match protocol::dispatch(&broker, frame, &client_host) {
            Dispatched::Now(outcome) => Answer::Ready(outcome),
            Dispatched::Later(future) => Answer::Task(tokio::spawn(future)),
        };
        let pending = Pending {
            answer,
            _budget: permit,
            _queued: queued_permit,
        };
        // The answer queue and its writer exist from the first request on: a connection that
        // never completes a frame costs neither.
        if writer.is_none() {
            if let Some(wr) = wr.take() {
                let (tx, rx) = mpsc::channel::<Pending>(MAX_IN_FLIGHT);
                let task = tokio::spawn(write_responses(wr, rx, peer.clone(), Arc::clone(&unanswered)));
                writer = Some(Writer { tx, task });
            }
        }
        let Some(w) = &writer else { break };
        unanswered.fetch_add(1, Ordering::Relaxed);
        if w.tx.send(pending).await.is_err() {
            break;
        }
    }
    // Answer what is in flight, then close.
    if let Some(Writer { tx, task }) = writer {
        drop(tx);
        let _ = task.await;
    }
}

fn log_end(peer: &str, next: &Next, max: usize) {
    match next {
        Next::BadSize(size) => tracing::warn!(
            %peer, size, max,
            "closing connection: request size is negative or above socket.request.max.bytes"
        ),
        Next::Idle => tracing::debug!(%peer, "closing connection idle for connections.max.idle.ms"),
        Next::Closed | Next::Frame(_) => tracing::debug!(%peer, "connection closed by the client"),
    }
}

async fn write_responses(
    mut wr: tokio::net::tcp::OwnedWriteHalf,
    mut rx: mpsc::Receiver<Pending>,
    peer: String,
    unanswered: Arc<AtomicUsize>,
) {
    // Answers queued together go out in one write; a lone answer is written as it is. Nothing
    // is held between bursts.
    let mut batch = BytesMut::new();
    while let Some(pending) = rx.recv().await {
        let outcome = match pending.answer {
            Answer::Ready(o) => o,
            Answer::Task(handle) => match handle.await {
                Ok(o) => o,
                Err(e) => Outcome::Close(format!("request handler failed: {e}")),
            },
        };
        unanswered.fetch_sub(1, Ordering::Relaxed);
        match outcome {
            Outcome::Respond(frame) if batch.is_empty() && rx.is_empty() => {
                if wr.write_all(&frame).await.is_err() {
                    return;
                }
            }
            Outcome::Respond(frame) => batch.extend_from_slice(&frame),
            Outcome::NoResponse => {}
            Outcome::Close(reason) => {
                tracing::warn!(%peer, %reason, "closing connection");
                let _ = wr.write_all(&batch).await;
                rx.close();
                return;
            }
        }
        if !batch.is_empty() && (rx.is_empty() || batch.len() >= WRITE_BATCH) {
            if wr.write_all(&batch).await.is_err() {
                return;
            }
            batch = BytesMut::new();
        }
    }
    let _ = wr.write_all(&batch).await;
    let _ = wr.shutdown().await;
}
