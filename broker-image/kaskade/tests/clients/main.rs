//! Real clients against the real `kaskade broker`:
//!
//! - `rdkafka_roundtrip`, `interop`: librdkafka, the Java client, kafka-python,
//!   confluent-kafka, kafkajs and kcat round trips, records byte for byte;
//! - `admin`: the admin API through the Java, librdkafka and kafka-python admin clients and
//!   Kafka's tools;
//! - `compaction`: log compaction end to end;
//! - `connect_peer`: Apache Kafka Connect 4.3.1 (a distributed worker, FileStream connectors)
//!   against the broker;
//! - `groups`: consumer groups with members in four client libraries.

mod admin;
mod compaction;
mod connect_peer;
mod groups;
mod interop;
mod rdkafka_roundtrip;
