//! LeaveGroup: members leave (v3+: several at once, static ones by instance id) and the rest
//! rebalance.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::{LeaveGroupRequest, LeaveGroupResponse};

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: LeaveGroupRequest, version: i16) -> LeaveGroupResponse {
    let mut r = LeaveGroupResponse::default();
    if req.group_id.is_empty() {
        r.error_code = ResponseError::InvalidGroupId.code();
        return r;
    }
    let identities: Vec<(String, Option<String>)> = if version >= 3 {
        req.members
            .iter()
            .map(|m| (m.member_id.to_string(), m.group_instance_id.as_ref().map(|s| s.to_string())))
            .collect()
    } else {
        vec![(req.member_id.to_string(), None)]
    };
    match broker.groups().leave(req.group_id.as_str(), &identities).await {
        Err(e) => r.error_code = e,
        Ok(errors) if version >= 3 => {
            r.members = req
                .members
                .into_iter()
                .zip(errors)
                .map(|(m, e)| {
                    let mut mr = MemberResponse::default();
                    mr.member_id = m.member_id;
                    mr.group_instance_id = m.group_instance_id;
                    mr.error_code = e;
                    mr
                })
                .collect();
        }
        Ok(errors) => r.error_code = errors.first().copied().unwrap_or(0),
    }
    r
}
