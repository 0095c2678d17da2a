//! DescribeTopicPartitions (KIP-966): topics and partitions in name order, paged by a cursor and
//! a partition limit, as the Admin client's `describeTopics` uses it in Kafka 4.x.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::describe_topic_partitions_response::{
    Cursor, DescribeTopicPartitionsResponsePartition, DescribeTopicPartitionsResponseTopic,
};
use kafka_protocol::messages::{BrokerId, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::metadata::TopicMeta;
use crate::state::Broker;

/// DescribeTopicPartitions always reports the caller's topic operations (the request has no
/// flag to ask for them). Without an authorizer that is every topic operation, as in Kafka:
/// READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS and ALTER_CONFIGS.
const ALL_TOPIC_OPERATIONS: i32 = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

pub fn handle(broker: &Arc<Broker>, req: &DescribeTopicPartitionsRequest) -> DescribeTopicPartitionsResponse {
    let mut resp = DescribeTopicPartitionsResponse::default();
    let mut wanted: Vec<(String, Option<Arc<TopicMeta>>)> = if req.topics.is_empty() {
        broker.metadata().topics().into_iter().map(|t| (t.name.clone(), Some(t))).collect()
    } else {
        req.topics
            .iter()
            .map(|t| (t.name.0.to_string(), broker.metadata().topic(t.name.0.as_str())))
            .collect()
    };
    wanted.sort_by(|a, b| a.0.cmp(&b.0));
    wanted.dedup_by(|a, b| a.0 == b.0);
    let (cursor_topic, cursor_partition) = match &req.cursor {
        Some(c) => (Some(c.topic_name.0.to_string()), c.partition_index.max(0)),
        None => (None, 0),
    };
    let mut budget = if req.response_partition_limit > 0 {
        req.response_partition_limit
    } else {
        2000
    };
    let cursor_at = |name: &str, partition: i32| {
        let mut c = Cursor::default();
        c.topic_name = TopicName(StrBytes::from_string(name.to_string()));
        c.partition_index = partition;
        Some(c)
    };
    for (name, meta) in wanted {
        if cursor_topic.as_ref().is_some_and(|c| name < *c) {
            continue;
        }
        let first = if cursor_topic.as_deref() == Some(name.as_str()) {
            cursor_partition
        } else {
            0
        };
        // A full page ends before the next topic starts (no empty topic entry in it).
        if budget == 0 {
            resp.next_cursor = cursor_at(&name, first);
            return resp;
        }
        let mut t = DescribeTopicPartitionsResponseTopic::default();
        t.name = Some(TopicName(StrBytes::from_string(name.clone())));
        t.topic_authorized_operations = ALL_TOPIC_OPERATIONS;
        let Some(meta) = meta else {
            t.error_code = ResponseError::UnknownTopicOrPartition.code();
            resp.topics.push(t);
            continue;
        };
        t.topic_id = meta.id;
        t.is_internal = meta.internal;
        for p in first..meta.partitions {
            if budget == 0 {
                resp.next_cursor = cursor_at(&name, p);
                resp.topics.push(t);
                return resp;
            }
            budget -= 1;
            let mut part = DescribeTopicPartitionsResponsePartition::default();
            part.partition_index = p;
            if let Some(s) = meta.partition(p) {
                part.leader_id = BrokerId(s.leader);
                part.leader_epoch = s.leader_epoch;
                part.replica_nodes = s.replicas.iter().copied().map(BrokerId).collect();
                part.isr_nodes = s.isr.iter().copied().map(BrokerId).collect();
            }
            part.eligible_leader_replicas = Some(vec![]);
            part.last_known_elr = Some(vec![]);
            t.partitions.push(part);
        }
        resp.topics.push(t);
    }
    resp
}
