//! FindCoordinator: a group's coordinator is the leader of its `__consumer_offsets` partition
//! (created on the first group lookup, as Kafka does); a transactional id would be this node.
//! v4+ asks for several keys at once.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::{BrokerId, FindCoordinatorRequest, FindCoordinatorResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

const GROUP: i8 = 0;
const TRANSACTION: i8 = 1;

/// Finds the coordinator of one key: its node id, or an error with a message. A group's
/// coordinator is the leader of its `__consumer_offsets` partition.
async fn lookup(broker: &Broker, key: &str, key_type: i8) -> Result<i32, (ResponseError, String)> {
    match key_type {
        // Kafka answers an empty group id too (the group requests themselves refuse it).
        GROUP => {
            let unavailable = || (ResponseError::CoordinatorNotAvailable, String::new());
            broker.groups().ensure_ready().await.map_err(|_| unavailable())?;
            let partition = broker.groups().partition_for(key);
            let leader = broker
                .metadata()
                .topic(crate::group::OFFSETS_TOPIC)
                .and_then(|t| t.partition(partition).map(|s| s.leader))
                .ok_or_else(unavailable)?;
            if leader < 0 {
                return Err(unavailable());
            }
            Ok(leader)
        }
        TRANSACTION => {
            if key.is_empty() {
                return Err((ResponseError::InvalidRequest, "Transactional id must not be empty.".into()));
            }
            Ok(broker.node_id())
        }
        other => Err((
            ResponseError::InvalidRequest,
            format!("Unknown coordinator type {other} in FindCoordinator request"),
        )),
    }
}

fn coordinator(broker: &Broker, key: String, result: Result<i32, (ResponseError, String)>) -> Coordinator {
    let mut c = Coordinator::default();
    c.key = StrBytes::from_string(key);
    let endpoint = result.and_then(|id| {
        broker
            .metadata()
            .brokers()
            .into_iter()
            .find(|b| b.node_id == id)
            .ok_or((ResponseError::CoordinatorNotAvailable, String::new()))
    });
    match endpoint {
        Ok(b) => {
            c.node_id = BrokerId(b.node_id);
            c.host = StrBytes::from_string(b.host);
            c.port = b.port as i32;
            c.error_message = Some(StrBytes::from_static_str(""));
        }
        Err((e, message)) => {
            c.error_code = e.code();
            c.node_id = BrokerId(-1);
            c.host = StrBytes::from_static_str("");
            c.port = -1;
            c.error_message = Some(StrBytes::from_string(if message.is_empty() { e.to_string() } else { message }));
        }
    }
    c
}

pub async fn handle(broker: &Arc<Broker>, req: FindCoordinatorRequest, version: i16) -> FindCoordinatorResponse {
    let mut resp = FindCoordinatorResponse::default();
    if version >= 4 {
        for key in req.coordinator_keys {
            let result = lookup(broker, key.as_str(), req.key_type).await;
            resp.coordinators.push(coordinator(broker, key.to_string(), result));
        }
        return resp;
    }
    let result = lookup(broker, req.key.as_str(), req.key_type).await;
    let c = coordinator(broker, req.key.to_string(), result);
    resp.error_code = c.error_code;
    resp.error_message = match (version, c.error_code) {
        (0, _) => None,
        (_, 0) => Some(StrBytes::from_static_str("NONE")),
        _ => c.error_message,
    };
    resp.node_id = c.node_id;
    resp.host = c.host;
    resp.port = c.port;
    resp
}
