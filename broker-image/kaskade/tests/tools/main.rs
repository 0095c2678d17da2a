//! Kafka's command-line tools against the real `kaskade broker`:
//!
//! - `topics`, `console`, `consumer_groups`: `kaskade topics`, `console-producer` and
//!   `console-consumer`, `consumer-groups` (and `configs`) beside Apache Kafka 4.4's own, output
//!   compared byte for byte;
//! - `kafka_tools`: Apache Kafka's own tools against Kaskade, as the quickstart runs them;
//! - `hostile_broker`: a hostile broker's answers cannot crash the tools.

mod console;
mod consumer_groups;
mod hostile_broker;
mod kafka_tools;
mod topics;
