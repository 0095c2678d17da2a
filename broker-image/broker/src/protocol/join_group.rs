//! JoinGroup: a member (re)joins and waits until the rebalance's join phase ends; the leader
//! gets every member's metadata to compute the assignment.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::{JoinGroupRequest, JoinGroupResponse};
use kafka_protocol::protocol::StrBytes;

use super::RequestContext;
use crate::group::member::JoinOutcome;
use crate::group::JoinParams;
use crate::state::Broker;

fn response(o: JoinOutcome, version: i16) -> JoinGroupResponse {
    let mut r = JoinGroupResponse::default();
    r.error_code = o.error;
    r.generation_id = o.generation;
    if version >= 7 {
        r.protocol_type = o.protocol_type.map(StrBytes::from_string);
        r.protocol_name = o.protocol_name.map(StrBytes::from_string);
    } else {
        r.protocol_name = Some(StrBytes::from_string(o.protocol_name.unwrap_or_default()));
    }
    r.leader = StrBytes::from_string(o.leader);
    r.skip_assignment = version >= 9 && o.skip_assignment;
    r.member_id = StrBytes::from_string(o.member_id);
    r.members = o
        .members
        .into_iter()
        .map(|m| {
            let mut jm = JoinGroupResponseMember::default();
            jm.member_id = StrBytes::from_string(m.member_id);
            if version >= 5 {
                jm.group_instance_id = m.instance_id.map(StrBytes::from_string);
            }
            jm.metadata = m.metadata;
            jm
        })
        .collect();
    r
}

pub async fn handle(broker: &Arc<Broker>, req: JoinGroupRequest, version: i16, ctx: &RequestContext) -> JoinGroupResponse {
    let member_id = req.member_id.to_string();
    if req.group_id.is_empty() {
        return response(JoinOutcome::error(ResponseError::InvalidGroupId.code(), &member_id), version);
    }
    let params = JoinParams {
        member_id,
        instance_id: req.group_instance_id.map(|s| s.to_string()),
        client_id: ctx.client_id.clone(),
        client_host: ctx.client_host.to_string(),
        session_timeout_ms: req.session_timeout_ms,
        rebalance_timeout_ms: if version >= 1 {
            req.rebalance_timeout_ms
        } else {
            req.session_timeout_ms
        },
        protocol_type: req.protocol_type.to_string(),
        protocols: req.protocols.into_iter().map(|p| (p.name.to_string(), p.metadata)).collect(),
        require_known_member_id: version >= 4,
        supports_skip_assignment: version >= 9,
    };
    let outcome = broker.groups().join(req.group_id.as_str(), params).await;
    response(outcome, version)
}
