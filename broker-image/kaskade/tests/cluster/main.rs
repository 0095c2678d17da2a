//! Several broker processes as one cluster: the metadata quorum across SIGKILLs of its leader
//! and the loss of its majority (`quorum`); partition replication (`replication`); librdkafka
//! producing and consuming across the brokers (`clients`); leaders SIGKILLed under an idempotent
//! producer (`failover`); a consumer group whose coordinator is SIGKILLed (`groups`); the answers
//! replication shows beside a three-node Apache Kafka (`differential`).

mod clients;
mod differential;
mod failover;
mod groups;
mod quorum;
mod replication;

/// One cluster at a time: each test runs three brokers (one also three Kafka nodes), and a
/// two-core machine running several such clusters at once misses heartbeats and elections.
/// An async mutex: the guard lives across the async tests' awaits.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Held by an async test for its whole run.
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// Held by a synchronous test for its whole run.
fn serial_blocking() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.blocking_lock()
}
