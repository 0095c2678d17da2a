//! The Kafka Connect REST API's JSON bodies (`org.apache.kafka.connect.runtime.rest.entities`),
//! serde only, in a crate of their own so that a client (the operator) can read what the worker
//! (`kaskade-connect`) writes without compiling the worker's rdkafka and SQL drivers.
//!
//! Every type serializes with Kafka Connect's field names in Kafka Connect's order (the worker's
//! bodies are compared byte for byte with Apache Kafka Connect's), and deserializes too, so a
//! client reads the worker's answers, and Apache Kafka Connect's, with the same types.
//!
//! Files: `ordered_map` (string maps kept in a chosen order, config patches), `connector`
//! (create requests, connector and task infos), `status` (connector and task states), `server`
//! (the root, plugins, error and message bodies), `offsets` (connector offsets in Java's map
//! order), `validate` (the config validation answer).

mod connector;
mod offsets;
mod ordered_map;
mod server;
mod status;
mod validate;

pub use connector::{ConnectorInfo, CreateConnectorRequest, TaskId, TaskInfo};
pub use offsets::{ConnectorOffset, ConnectorOffsets};
pub use ordered_map::{OrderedMap, PatchMap};
pub use server::{ErrorMessage, Message, PluginInfo, ServerInfo};
pub use status::{ConnectorState, ConnectorStateInfo, TaskState};
pub use validate::{ConfigInfo, ConfigInfos, KeyInfo, ValueInfo};
