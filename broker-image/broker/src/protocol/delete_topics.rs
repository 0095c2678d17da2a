//! DeleteTopics: by name (v1–5) or by name or id (v6+).

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::{DeleteTopicsRequest, DeleteTopicsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

pub async fn handle(broker: &Arc<Broker>, req: DeleteTopicsRequest, version: i16) -> DeleteTopicsResponse {
    let mut resp = DeleteTopicsResponse::default();
    let targets: Vec<(Option<TopicName>, uuid::Uuid)> = if version >= 6 {
        req.topics.into_iter().map(|t| (t.name, t.topic_id)).collect()
    } else {
        req.topic_names.into_iter().map(|n| (Some(n), uuid::Uuid::nil())).collect()
    };
    for (name, id) in targets {
        let mut r = DeletableTopicResult::default();
        r.name = name.clone();
        r.topic_id = id;
        let meta = match &name {
            Some(n) => broker.metadata().topic(n.0.as_str()),
            None => broker.metadata().topic_by_id(id),
        };
        match meta {
            None => {
                let code = if name.is_none() {
                    ResponseError::UnknownTopicId
                } else {
                    ResponseError::UnknownTopicOrPartition
                };
                r.error_code = code.code();
                r.error_message = Some(StrBytes::from_static_str(if name.is_none() {
                    "This server does not host this topic ID."
                } else {
                    "This server does not host this topic-partition."
                }));
            }
            Some(meta) => {
                r.name = Some(TopicName(StrBytes::from_string(meta.name.clone())));
                r.topic_id = meta.id;
                if let Err(e) = broker.delete_topic(&meta.name).await {
                    r.error_code = e.code;
                    r.error_message = Some(StrBytes::from_string(e.message));
                }
            }
        }
        resp.responses.push(r);
    }
    resp
}
