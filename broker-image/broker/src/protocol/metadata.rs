//! Metadata: brokers, controller, cluster id and topics with their partitions. Unknown topics
//! are auto-created when the client allows it and `auto.create.topics.enable` is on.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::metadata_response::{MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic};
use kafka_protocol::messages::{BrokerId, MetadataRequest, MetadataResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::metadata::TopicMeta;
use crate::state::Broker;

/// "Not requested" for authorized-operations fields.
const NO_OPERATIONS: i32 = i32::MIN;

pub fn topic_entry(t: &TopicMeta) -> MetadataResponseTopic {
    let mut topic = MetadataResponseTopic::default();
    topic.name = Some(TopicName(StrBytes::from_string(t.name.clone())));
    topic.topic_id = t.id;
    topic.is_internal = t.internal;
    topic.topic_authorized_operations = NO_OPERATIONS;
    topic.partitions = (0..)
        .zip(&t.partition_states)
        .map(|(p, s)| {
            let mut part = MetadataResponsePartition::default();
            part.partition_index = p;
            part.leader_id = BrokerId(s.leader);
            part.leader_epoch = s.leader_epoch;
            part.replica_nodes = s.replicas.iter().copied().map(BrokerId).collect();
            part.isr_nodes = s.isr.iter().copied().map(BrokerId).collect();
            part
        })
        .collect();
    topic
}

fn error_entry(name: Option<String>, id: uuid::Uuid, code: i16) -> MetadataResponseTopic {
    let mut topic = MetadataResponseTopic::default();
    topic.name = name.map(|n| TopicName(StrBytes::from_string(n)));
    topic.topic_id = id;
    topic.error_code = code;
    topic.topic_authorized_operations = NO_OPERATIONS;
    topic
}

/// Kafka looks topics up by id only from v12 on: an earlier request with a null topic name is
/// answered as invalid, with no brokers, no cluster id and every topic in error.
fn invalid_request(req: &MetadataRequest) -> MetadataResponse {
    let mut resp = MetadataResponse::default();
    resp.controller_id = BrokerId(-1);
    resp.cluster_id = None;
    resp.cluster_authorized_operations = NO_OPERATIONS;
    resp.topics = req
        .topics
        .iter()
        .flatten()
        .map(|t| {
            let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
            error_entry(Some(name), t.topic_id, ResponseError::InvalidRequest.code())
        })
        .collect();
    resp
}

pub async fn handle(broker: &Arc<Broker>, req: MetadataRequest, version: i16) -> MetadataResponse {
    if version < 12 && req.topics.iter().flatten().any(|t| t.name.is_none()) {
        return invalid_request(&req);
    }
    let mut resp = MetadataResponse::default();
    resp.brokers = broker
        .metadata()
        .brokers()
        .into_iter()
        .map(|b| {
            let mut e = MetadataResponseBroker::default();
            e.node_id = BrokerId(b.node_id);
            e.host = StrBytes::from_string(b.host);
            e.port = b.port as i32;
            e.rack = b.rack.map(StrBytes::from_string);
            e
        })
        .collect();
    resp.cluster_id = Some(StrBytes::from_string(broker.metadata().cluster_id().to_string()));
    resp.controller_id = BrokerId(broker.metadata().controller_id());
    resp.cluster_authorized_operations = NO_OPERATIONS;
    let allow_auto_create = (version < 4 || req.allow_auto_topic_creation) && broker.config().auto_create_topics_enable;
    let all = match &req.topics {
        None => true,
        Some(t) if t.is_empty() && version == 0 => true,
        _ => false,
    };
    if all {
        resp.topics = broker.metadata().topics().iter().map(|t| topic_entry(t)).collect();
        return resp;
    }
    for requested in req.topics.unwrap_or_default() {
        let entry = match requested.name {
            Some(name) => {
                let name = name.0.to_string();
                match broker.metadata().topic(&name) {
                    Some(t) => topic_entry(&t),
                    None if kaskade_common::topic_name::validate_name(&name).is_err() => {
                        error_entry(Some(name), uuid::Uuid::nil(), ResponseError::InvalidTopicException.code())
                    }
                    None if allow_auto_create => match broker.auto_create_topic(&name).await {
                        Ok(t) => topic_entry(&t),
                        Err(e) => {
                            tracing::warn!(topic = %name, error = %e.message, "auto-creating topic failed");
                            error_entry(Some(name), uuid::Uuid::nil(), e.code)
                        }
                    },
                    None => error_entry(Some(name), uuid::Uuid::nil(), ResponseError::UnknownTopicOrPartition.code()),
                }
            }
            None => match broker.metadata().topic_by_id(requested.topic_id) {
                Some(t) => topic_entry(&t),
                None => error_entry(None, requested.topic_id, ResponseError::UnknownTopicId.code()),
            },
        };
        resp.topics.push(entry);
    }
    resp
}
