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
