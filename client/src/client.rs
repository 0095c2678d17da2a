//! [`KafkaAdmin`]: the handle a reconciler holds for one cluster. It keeps one connection
//! behind an async mutex (requests to one cluster go one at a time, in order), opens it on
//! first use, drops it after any I/O, protocol or timeout error and opens a new one on the next
//! call. A call that finds its kept connection dead (the broker restarted, or closed it as idle)
//! is retried once on a fresh one.

use std::sync::Arc;
use std::time::Duration;

use kafka_protocol::protocol::StrBytes;
use tokio::sync::Mutex;
use tokio::time::timeout;

use super::connection::{ConnError, Connection};
use super::error::AdminError;
use super::versions::AdminRequest;
use crate::strings::str_bytes;

/// A Kafka admin client for one bootstrap address; cheap to clone (clones share the connection).
#[derive(Clone)]
pub struct KafkaAdmin {
    inner: Arc<Inner>,
}

struct Inner {
    bootstrap: String,
    timeout: Duration,
    client_id: StrBytes,
    conn: Mutex<Option<Connection>>,
}

impl std::fmt::Debug for KafkaAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaAdmin")
            .field("bootstrap", &self.inner.bootstrap)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl KafkaAdmin {
    /// A client for `bootstrap` (`host:port`, or several comma-separated); no I/O until the
    /// first call. Connecting (TCP and ApiVersions) and each request are each bounded by
    /// `request_timeout`, which is also the timeout the broker is given for CreateTopics,
    /// CreatePartitions and DeleteTopics.
    /// Requests carry the client id `kaskade` until [`KafkaAdmin::with_client_id`] names another.
    pub fn new(bootstrap: &str, request_timeout: Duration) -> Self {
        Self::build(bootstrap, request_timeout, StrBytes::from_static_str("kaskade"))
    }

    /// The same client under another client id (Kafka's request logs and quotas show it).
    pub fn with_client_id(self, client_id: &str) -> Self {
        Self::build(&self.inner.bootstrap, self.inner.timeout, str_bytes(client_id))
    }

    /// A client with the same timeout and client id for another broker, e.g. a group's
    /// coordinator or a partition's leader.
    pub fn at(&self, address: &str) -> Self {
        if address == self.inner.bootstrap {
            // The same broker: share this client's connection.
            return self.clone();
        }
        Self::build(address, self.inner.timeout, self.inner.client_id.clone())
    }

    fn build(bootstrap: &str, timeout: Duration, client_id: StrBytes) -> Self {
        KafkaAdmin {
            inner: Arc::new(Inner {
                bootstrap: bootstrap.to_string(),
                timeout,
                client_id,
                conn: Mutex::new(None),
            }),
        }
    }

    /// The request timeout every connect and request is bounded by.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The request timeout in milliseconds, for the requests that carry one.
    pub(crate) fn timeout_ms(&self) -> i32 {
        i32::try_from(self.inner.timeout.as_millis()).unwrap_or(i32::MAX)
    }

    /// Sends the request `build` makes for the highest version both sides serve, and returns
    /// the answer.
    pub(crate) async fn call<R: AdminRequest>(&self, build: impl Fn(i16) -> R) -> Result<R::Response, AdminError> {
        self.call_within(self.inner.timeout, build).await
    }

    /// [`KafkaAdmin::call`] with its own time limit for the answer, for requests the broker
    /// holds on purpose (JoinGroup waits for the rebalance).
    pub(crate) async fn call_within<R: AdminRequest>(&self, limit: Duration, build: impl Fn(i16) -> R) -> Result<R::Response, AdminError> {
        let mut slot = self.inner.conn.lock().await;
        let mut retried = false;
        loop {
            // Taken out for the call: if this future is dropped mid-request, the half-used
            // connection is dropped with it.
            let (mut conn, reused) = match slot.take() {
                Some(conn) => (conn, true),
                None => (self.connect().await?, false),
            };
            match timeout(limit, conn.call(&build)).await {
                Ok(Ok(answer)) => {
                    *slot = Some(conn);
                    return Ok(answer);
                }
                Ok(Err(ConnError::Io { .. })) if reused && !retried => {
                    tracing::debug!(bootstrap = %self.inner.bootstrap, api = R::NAME, "kept connection is dead; reconnecting");
                    retried = true;
                }
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => return Err(AdminError::Timeout { api: R::NAME }),
            }
        }
    }

    /// Whether the broker serves a version of `R` this client speaks (connecting first if needed).
    pub(crate) async fn serves<R: AdminRequest>(&self) -> Result<bool, AdminError> {
        let mut slot = self.inner.conn.lock().await;
        if slot.is_none() {
            *slot = Some(self.connect().await?);
        }
        Ok(slot.as_ref().is_some_and(|conn| conn.serves::<R>()))
    }

    async fn connect(&self) -> Result<Connection, AdminError> {
        let bootstrap = &self.inner.bootstrap;
        match timeout(self.inner.timeout, Connection::open(bootstrap, &self.inner.client_id)).await {
            Ok(result) => result,
            Err(_) => Err(AdminError::Unreachable {
                address: bootstrap.clone(),
                reason: format!("no connection within {:?}", self.inner.timeout),
            }),
        }
    }
}
