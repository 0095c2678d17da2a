//! SyncGroup: the leader hands in the assignment; every member waits for its share.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{SyncGroupRequest, SyncGroupResponse};
use kafka_protocol::protocol::StrBytes;

use crate::group::member::SyncOutcome;
use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: SyncGroupRequest, version: i16) -> SyncGroupResponse {
    let outcome = if req.group_id.is_empty() {
        SyncOutcome::error(ResponseError::InvalidGroupId.code())
    } else {
        let assignments = req
            .assignments
            .into_iter()
            .map(|a| (a.member_id.to_string(), a.assignment))
            .collect();
        broker
            .groups()
            .sync(
                req.group_id.as_str(),
                req.member_id.as_str(),
                req.group_instance_id.as_ref().map(|s| s.as_str()),
                req.generation_id,
                req.protocol_type.as_ref().map(|s| s.as_str()),
                req.protocol_name.as_ref().map(|s| s.as_str()),
                assignments,
            )
            .await
    };
    let mut r = SyncGroupResponse::default();
    r.error_code = outcome.error;
    if version >= 5 {
        r.protocol_type = outcome.protocol_type.map(StrBytes::from_string);
        r.protocol_name = outcome.protocol_name.map(StrBytes::from_string);
    }
    r.assignment = outcome.assignment;
    r
}
