//! CreatePartitions: grow topics (never shrink), optionally only validating, with manual
//! replica assignments checked as Kafka's controller checks them.

use std::collections::HashMap;
use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::create_partitions_response::CreatePartitionsTopicResult;
use kafka_protocol::messages::{CreatePartitionsRequest, CreatePartitionsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: CreatePartitionsRequest) -> CreatePartitionsResponse {
    let mut resp = CreatePartitionsResponse::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in &req.topics {
        *seen.entry(t.name.to_string()).or_default() += 1;
    }
    let mut duplicates = Vec::new();
    for t in req.topics {
        let name = t.name.to_string();
        let mut r = CreatePartitionsTopicResult::default();
        r.name = t.name.clone();
        r.error_message = None;
        if seen.get(&name).copied().unwrap_or(0) > 1 {
            // Kafka answers a topic named twice once, after the others.
            if !duplicates.iter().any(|d: &CreatePartitionsTopicResult| d.name == t.name) {
                r.error_code = ResponseError::InvalidRequest.code();
                r.error_message = Some(StrBytes::from_static_str("Duplicate topic name."));
                duplicates.push(r);
            }
            continue;
        }
        let assignments: Option<Vec<Vec<i32>>> = t
            .assignments
            .as_ref()
            .map(|a| a.iter().map(|a| a.broker_ids.iter().map(|b| b.0).collect()).collect());
        if let Err(e) = broker
            .create_partitions(&name, t.count, assignments.as_deref(), req.validate_only)
            .await
        {
            r.error_code = e.code;
            // Kafka sends no message for an unknown topic.
            r.error_message = (!e.message.is_empty()).then(|| StrBytes::from_string(e.message));
        }
        resp.results.push(r);
    }
    resp.results.extend(duplicates);
    resp
}
