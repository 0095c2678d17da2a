//! The pure half of the Topic controller: what to ask Kafka for, given the spec and what Kafka
//! holds, and which resource owns a Kafka topic when two name the same one.

pub mod conflict;
pub mod plan;
pub mod status;
