//! OffsetForLeaderEpoch: the end offset of a leader epoch, which clients ask after a leader
//! change to detect log truncation, answered from the partition's leader-epoch cache (Kafka's
//! `endOffsetFor`: the latest epoch ends at the log end offset, an earlier one where the next
//! began, an unknown one is (-1, -1)).

use std::sync::Arc;

use kafka_protocol::messages::offset_for_leader_epoch_response::{EpochEndOffset, OffsetForLeaderTopicResult};
use kafka_protocol::messages::{OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse};

use crate::state::Broker;

pub fn handle(broker: &Arc<Broker>, req: OffsetForLeaderEpochRequest) -> OffsetForLeaderEpochResponse {
    let mut resp = OffsetForLeaderEpochResponse::default();
    for topic in req.topics {
        let mut t = OffsetForLeaderTopicResult::default();
        t.topic = topic.topic.clone();
        for p in topic.partitions {
            let mut r = EpochEndOffset::default();
            r.partition = p.partition;
            r.leader_epoch = -1;
            r.end_offset = -1;
            match broker.leader_partition(topic.topic.as_str(), p.partition, p.current_leader_epoch) {
                Err(code) => r.error_code = code,
                Ok((log, _)) => (r.leader_epoch, r.end_offset) = log.end_offset_for_epoch(p.leader_epoch),
            }
            t.partitions.push(r);
        }
        resp.topics.push(t);
    }
    resp
}
