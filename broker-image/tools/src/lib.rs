//! Apache Kafka's command-line tools, rebuilt as a library the `kaskade` binary calls, so a Kafka
//! tutorial works by swapping the script name: `kaskade topics` for `kafka-topics.sh`, and so on. Flags, defaults,
//! output and exit codes follow Kafka 4.x's tools (`org.apache.kafka.tools.*`); where they
//! differ, `docs/compatibility.md` says so.
//!
//! Files: `props` (Java `.properties` files and `k=v` flags, shared by every tool), `exit`
//! (Kafka's exit-code and error-line conventions), `admin` (the admin client from
//! `--bootstrap-server` and `--command-config`), `kafka_errors` (Kafka's wording of a failed
//! admin call), then one module per tool. Java's orders and formats that Kafka's output inherits
//! and the property formats are `kaskade-common`'s.

pub mod admin;
pub mod configs;
pub mod console_consumer;
pub mod console_producer;
pub mod console_shared;
pub mod consumer_groups;
pub mod exit;
pub mod kafka_errors;
pub mod props;
pub mod topics;
