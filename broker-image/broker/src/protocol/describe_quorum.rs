//! DescribeQuorum: the metadata quorum's leader, epoch, high watermark and each voter's log end
//! and last fetch/caught-up times (what `kafka-metadata-quorum describe --status` and
//! `--replication` print). Asked of any broker, answered by the leader (forwarded, as Kafka's
//! brokers forward it to the active controller). Only `__cluster_metadata` partition 0 exists.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::describe_quorum_response::{Listener, Node, PartitionData, ReplicaState, TopicData};
use kafka_protocol::messages::{BrokerId, DescribeQuorumRequest, DescribeQuorumResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::metadata::{QuorumStatus, ReplicaStatus};
use crate::state::Broker;

const METADATA_TOPIC: &str = "__cluster_metadata";

fn replica(r: &ReplicaStatus) -> ReplicaState {
    let mut s = ReplicaState::default();
    s.replica_id = BrokerId(r.id);
    s.log_end_offset = r.log_end_offset;
    s.last_fetch_timestamp = r.last_fetch_timestamp;
    s.last_caught_up_timestamp = r.last_caught_up_timestamp;
    s
}

fn answer(status: &QuorumStatus) -> (TopicData, Vec<Node>) {
    let mut p = PartitionData::default();
    p.partition_index = 0;
    p.leader_id = BrokerId(status.leader_id);
    p.leader_epoch = status.leader_epoch;
    p.high_watermark = status.high_watermark;
    p.current_voters = status.voters.iter().map(replica).collect();
    p.observers = status.observers.iter().map(replica).collect();
    let mut t = TopicData::default();
    t.topic_name = TopicName(StrBytes::from_static_str(METADATA_TOPIC));
    t.partitions = vec![p];
    let nodes = status
        .endpoints
        .iter()
        .map(|(id, host, port)| {
            let mut l = Listener::default();
            l.name = StrBytes::from_static_str("CONTROLLER");
            l.host = StrBytes::from_string(host.clone());
            l.port = *port;
            let mut n = Node::default();
            n.node_id = BrokerId(*id);
            n.listeners = vec![l];
            n
        })
        .collect();
    (t, nodes)
}

pub async fn handle(broker: &Arc<Broker>, req: DescribeQuorumRequest) -> DescribeQuorumResponse {
    let mut resp = DescribeQuorumResponse::default();
    let valid = matches!(req.topics.as_slice(), [t] if t.topic_name.0.as_str() == METADATA_TOPIC
        && matches!(t.partitions.as_slice(), [p] if p.partition_index == 0));
    if !valid {
        // Kafka's partition-level answer: each partition asked for, unknown.
        for t in &req.topics {
            let mut td = TopicData::default();
            td.topic_name = t.topic_name.clone();
            td.partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let mut pd = PartitionData::default();
                    pd.partition_index = p.partition_index;
                    pd.error_code = ResponseError::UnknownTopicOrPartition.code();
                    pd.error_message = Some(StrBytes::from_static_str("This server does not host this topic-partition."));
                    pd
                })
                .collect();
            resp.topics.push(td);
        }
        return resp;
    }
    match broker.metadata().describe_quorum().await {
        Ok(status) => {
            let (topic, nodes) = answer(&status);
            resp.topics = vec![topic];
            resp.nodes = nodes;
        }
        Err(e) => {
            tracing::debug!(error = %e, "DescribeQuorum: no leader to answer");
            resp.error_code = ResponseError::RequestTimedOut.code();
            resp.error_message = Some(StrBytes::from_static_str("The request timed out."));
        }
    }
    resp
}
