//! DeleteRecords: move each partition's log start offset forward (-1 = up to the high
//! watermark) and answer with the new low watermark, as Kafka's leader does.

use std::sync::Arc;

use kafka_protocol::messages::delete_records_response::{DeleteRecordsPartitionResult, DeleteRecordsTopicResult};
use kafka_protocol::messages::{DeleteRecordsRequest, DeleteRecordsResponse};

use crate::state::Broker;

pub fn handle(broker: &Arc<Broker>, req: DeleteRecordsRequest) -> DeleteRecordsResponse {
    let mut resp = DeleteRecordsResponse::default();
    for topic in req.topics {
        let mut t = DeleteRecordsTopicResult::default();
        t.name = topic.name.clone();
        for p in topic.partitions {
            let mut r = DeleteRecordsPartitionResult::default();
            r.partition_index = p.partition_index;
            match broker.delete_records(topic.name.as_str(), p.partition_index, p.offset) {
                Ok(low) => r.low_watermark = low,
                Err(e) => {
                    r.error_code = e.code();
                    r.low_watermark = -1;
                }
            }
            t.partitions.push(r);
        }
        resp.topics.push(t);
    }
    resp
}
