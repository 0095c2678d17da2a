//! OffsetCommit: partitions of unknown topics and oversized metadata are refused one by one;
//! the rest are checked against the group (member, generation, state) and written to
//! `__consumer_offsets` together.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_commit_response::{OffsetCommitResponsePartition, OffsetCommitResponseTopic};
use kafka_protocol::messages::{OffsetCommitRequest, OffsetCommitResponse};

use crate::group::OffsetValue;
use crate::state::Broker;
use crate::util;

pub async fn handle(broker: &Arc<Broker>, req: OffsetCommitRequest, version: i16) -> OffsetCommitResponse {
    let max_metadata = broker.groups.config().offset_metadata_max_bytes;
    let now = util::now_ms();
    let group_error = req.group_id.is_empty().then(|| ResponseError::InvalidGroupId.code());
    // (topic index, partition index) of each offset sent to the coordinator.
    let mut accepted: Vec<(usize, usize)> = Vec::new();
    let mut offsets: Vec<(String, i32, OffsetValue)> = Vec::new();
    let mut resp = OffsetCommitResponse::default();
    for (ti, topic) in req.topics.into_iter().enumerate() {
        let meta = broker.metadata.topic(topic.name.as_str());
        let mut rt = OffsetCommitResponseTopic::default();
        rt.name = topic.name.clone();
        for p in topic.partitions {
            let mut rp = OffsetCommitResponsePartition::default();
            rp.partition_index = p.partition_index;
            let metadata = p.committed_metadata.map(|m| m.to_string()).unwrap_or_default();
            if let Some(e) = group_error {
                rp.error_code = e;
            } else if !meta.as_ref().is_some_and(|m| (0..m.partitions).contains(&p.partition_index)) {
                rp.error_code = ResponseError::UnknownTopicOrPartition.code();
            } else if metadata.len() > max_metadata {
                rp.error_code = ResponseError::OffsetMetadataTooLarge.code();
            } else {
                accepted.push((ti, rt.partitions.len()));
                offsets.push((
                    topic.name.to_string(),
                    p.partition_index,
                    OffsetValue {
                        offset: p.committed_offset,
                        leader_epoch: if version >= 6 { p.committed_leader_epoch } else { -1 },
                        metadata,
                        commit_timestamp: now,
                    },
                ));
            }
            rt.partitions.push(rp);
        }
        resp.topics.push(rt);
    }
    if group_error.is_some() || (offsets.is_empty() && accepted.is_empty() && !resp.topics.is_empty()) {
        return resp;
    }
    let result = broker
        .groups
        .commit(
            req.group_id.as_str(),
            req.member_id.as_str(),
            req.group_instance_id.as_ref().map(|s| s.as_str()),
            req.generation_id_or_member_epoch,
            version,
            offsets,
        )
        .await;
    if let Err(e) = result {
        for (ti, pi) in accepted {
            resp.topics[ti].partitions[pi].error_code = e;
        }
    }
    resp
}
