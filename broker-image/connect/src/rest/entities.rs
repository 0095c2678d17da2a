//! The Connect REST API's JSON bodies (`org.apache.kafka.connect.runtime.rest.entities`). The
//! types live in the shared `kaskade-connect-api` crate, so that the operator reads what this
//! worker writes without compiling the worker; they are re-exported here for the routes and the
//! herder.

pub use kaskade_connect_api::{
    ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorState, ConnectorStateInfo, CreateConnectorRequest, ErrorMessage, Message,
    OrderedMap, PatchMap, PluginInfo, ServerInfo, TaskId, TaskInfo, TaskState,
};
