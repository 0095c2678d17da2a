//! Heartbeat: keeps a member's session alive and tells it when a rebalance has started.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{HeartbeatRequest, HeartbeatResponse};

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: HeartbeatRequest) -> HeartbeatResponse {
    let mut r = HeartbeatResponse::default();
    r.error_code = if req.group_id.is_empty() {
        ResponseError::InvalidGroupId.code()
    } else {
        broker
            .groups()
            .heartbeat(
                req.group_id.as_str(),
                req.member_id.as_str(),
                req.group_instance_id.as_ref().map(|s| s.as_str()),
                req.generation_id,
            )
            .await
    };
    r
}
