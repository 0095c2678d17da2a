//! ListGroups: every group with its protocol type, state (v4+, filterable) and type (v5+).

use std::sync::Arc;

use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::{GroupId, ListGroupsRequest, ListGroupsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: ListGroupsRequest, version: i16) -> ListGroupsResponse {
    let mut resp = ListGroupsResponse::default();
    if let Err(e) = broker.groups().ensure_ready().await {
        resp.error_code = e;
        return resp;
    }
    let wants_state = |s: &str| req.states_filter.is_empty() || req.states_filter.iter().any(|f| f.eq_ignore_ascii_case(s));
    let wants_type = req.types_filter.is_empty() || req.types_filter.iter().any(|f| f.eq_ignore_ascii_case("classic"));
    if !wants_type {
        return resp;
    }
    for g in broker.groups().list() {
        if !wants_state(g.state.name()) {
            continue;
        }
        let mut lg = ListedGroup::default();
        lg.group_id = GroupId(StrBytes::from_string(g.group_id));
        lg.protocol_type = StrBytes::from_string(g.protocol_type);
        if version >= 4 {
            lg.group_state = StrBytes::from_static_str(g.state.name());
        }
        if version >= 5 {
            lg.group_type = StrBytes::from_static_str("classic");
        }
        resp.groups.push(lg);
    }
    resp
}
