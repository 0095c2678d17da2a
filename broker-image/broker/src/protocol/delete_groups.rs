//! DeleteGroups: removes empty groups and their committed offsets.

use std::sync::Arc;

use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::{DeleteGroupsRequest, DeleteGroupsResponse};

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: DeleteGroupsRequest) -> DeleteGroupsResponse {
    let ids: Vec<String> = req.groups_names.iter().map(|g| g.to_string()).collect();
    let errors = broker.groups().delete_groups(&ids).await;
    let mut resp = DeleteGroupsResponse::default();
    for (id, e) in req.groups_names.into_iter().zip(errors) {
        let mut r = DeletableGroupResult::default();
        r.group_id = id;
        r.error_code = e;
        resp.results.push(r);
    }
    resp
}
