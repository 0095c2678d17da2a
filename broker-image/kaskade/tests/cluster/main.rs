//! Several broker processes as one cluster: the metadata quorum across SIGKILLs of its leader
//! and the loss of its majority (`quorum`); partition replication (`replication`); librdkafka
//! producing and consuming across the brokers (`clients`); leaders SIGKILLed under an idempotent
//! producer (`failover`).

mod clients;
mod failover;
mod quorum;
mod replication;
