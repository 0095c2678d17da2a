//! OffsetForLeaderEpoch: the end offset of a leader epoch, which clients ask after a leader
//! change to detect log truncation. A single node has one epoch (0), which Kafka's leader-epoch
//! cache records when the replica becomes leader, so it reduces to: epoch 0 ends at the log end
//! offset (even for an empty log); any other epoch is unknown (-1, -1).

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_for_leader_epoch_response::{EpochEndOffset, OffsetForLeaderTopicResult};
use kafka_protocol::messages::{OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse};

use super::leader_epoch::{self, LEADER_EPOCH};
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
            match broker.partition(topic.topic.as_str(), p.partition) {
                None => r.error_code = ResponseError::UnknownTopicOrPartition.code(),
                Some(log) => match leader_epoch::check(p.current_leader_epoch) {
                    Some(code) => r.error_code = code,
                    None if p.leader_epoch == LEADER_EPOCH => {
                        r.leader_epoch = LEADER_EPOCH;
                        r.end_offset = log.end_offset();
                    }
                    None => {}
                },
            }
            t.partitions.push(r);
        }
        resp.topics.push(t);
    }
    resp
}
