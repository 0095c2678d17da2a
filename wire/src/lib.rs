//! Kafka's wire format, bounded: the schema of every request and response Apache Kafka defines
//! (generated from Kafka's own JSON message specs by `kaskade-wire-codegen`) and a walk that
//! reads a frame by that schema without allocating, checking that every length and count it
//! declares fits in the bytes that remain. The broker walks each request, and
//! `kaskade-client` each response, before `kafka-protocol` decodes it: that decoder reserves
//! memory for a declared array length before reading any element, so a single 19-byte frame
//! claiming two billion topics would otherwise abort the process.

pub mod generated;
pub mod schema;
pub mod walk;

pub use walk::{check_request, check_response, RequestFrame, WireError};

/// The open end of a version range (`"3+"` in the specs).
pub const OPEN: i16 = i16::MAX;
