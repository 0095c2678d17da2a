//! What the two console tools share on top of librdkafka (the `rdkafka` crate; Kafka's Java
//! client property names are mapped onto librdkafka's by `kaskade_common::client_props`): a client context that keeps
//! librdkafka's errors for the tool to report rather than logging them (`context`), the bounded
//! wait for a broker and a topic's metadata that turns "nothing answers" into one clear error
//! (`connect`), and Ctrl-C/SIGTERM handling with Kafka's exit codes (`signals`).

pub mod connect;
pub mod context;
pub mod signals;
