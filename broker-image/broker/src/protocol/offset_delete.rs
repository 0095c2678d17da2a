//! OffsetDelete: removes a group's committed offsets, except for topics its members still
//! consume.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_delete_response::{OffsetDeleteResponsePartition, OffsetDeleteResponseTopic};
use kafka_protocol::messages::{OffsetDeleteRequest, OffsetDeleteResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::group::subscription;
use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: OffsetDeleteRequest) -> OffsetDeleteResponse {
    let mut resp = OffsetDeleteResponse::default();
    if req.group_id.is_empty() {
        resp.error_code = ResponseError::InvalidGroupId.code();
        return resp;
    }
    let mut unknown: Vec<(String, i32)> = Vec::new();
    let mut known: Vec<(String, i32)> = Vec::new();
    for t in &req.topics {
        let meta = broker.metadata().topic(t.name.as_str());
        for p in &t.partitions {
            let exists = meta.as_ref().is_some_and(|m| (0..m.partitions).contains(&p.partition_index));
            let entry = (t.name.to_string(), p.partition_index);
            if exists {
                known.push(entry);
            } else {
                unknown.push(entry);
            }
        }
    }
    let results = match broker
        .groups()
        .delete_offsets(req.group_id.as_str(), known, |topic, metadata| {
            subscription::subscribes_to(metadata, topic)
        })
        .await
    {
        Err(e) => {
            resp.error_code = e;
            return resp;
        }
        Ok(r) => r,
    };
    let unknown_code = ResponseError::UnknownTopicOrPartition.code();
    let all = results.into_iter().chain(unknown.into_iter().map(|(t, p)| (t, p, unknown_code)));
    // Answer in the request's order.
    let all: Vec<(String, i32, i16)> = all.collect();
    for t in req.topics {
        let mut rt = OffsetDeleteResponseTopic::default();
        rt.name = TopicName(StrBytes::from_string(t.name.to_string()));
        for p in t.partitions {
            let mut rp = OffsetDeleteResponsePartition::default();
            rp.partition_index = p.partition_index;
            rp.error_code = all
                .iter()
                .find(|(topic, part, _)| topic == t.name.as_str() && *part == p.partition_index)
                .map(|(_, _, e)| *e)
                .unwrap_or(0);
            rt.partitions.push(rp);
        }
        resp.topics.push(rt);
    }
    resp
}
