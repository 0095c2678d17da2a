//! DescribeGroups: state, protocol and members (with metadata and assignment once stable).

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::{DescribeGroupsRequest, DescribeGroupsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

/// Kafka's value when authorized operations were not asked for.
const NOT_REQUESTED: i32 = i32::MIN;

pub async fn handle(broker: &Arc<Broker>, req: DescribeGroupsRequest, version: i16) -> DescribeGroupsResponse {
    let mut resp = DescribeGroupsResponse::default();
    let ready = broker.groups().ensure_ready().await;
    for id in req.groups {
        let mut g = DescribedGroup::default();
        g.group_id = id.clone();
        g.authorized_operations = NOT_REQUESTED;
        if let Err(e) = ready.and_then(|_| broker.groups().owns(id.as_str())) {
            g.error_code = e;
            resp.groups.push(g);
            continue;
        }
        match broker.groups().describe(id.as_str()) {
            None if version >= 6 => {
                g.error_code = ResponseError::GroupIdNotFound.code();
                g.error_message = Some(StrBytes::from_string(format!("Group {} not found.", id.as_str())));
                g.group_state = StrBytes::from_static_str("Dead");
            }
            None => g.group_state = StrBytes::from_static_str("Dead"),
            Some(s) => {
                g.group_state = StrBytes::from_static_str(s.state.name());
                g.protocol_type = StrBytes::from_string(s.protocol_type);
                g.protocol_data = StrBytes::from_string(s.protocol);
                g.members = s
                    .members
                    .into_iter()
                    .map(|m| {
                        let mut dm = DescribedGroupMember::default();
                        dm.member_id = StrBytes::from_string(m.member_id);
                        if version >= 4 {
                            dm.group_instance_id = m.instance_id.map(StrBytes::from_string);
                        }
                        dm.client_id = StrBytes::from_string(m.client_id);
                        dm.client_host = StrBytes::from_string(m.client_host);
                        dm.member_metadata = m.metadata;
                        dm.member_assignment = m.assignment;
                        dm
                    })
                    .collect();
            }
        }
        resp.groups.push(g);
    }
    resp
}
