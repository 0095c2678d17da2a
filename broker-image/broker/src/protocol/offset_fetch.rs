//! OffsetFetch: committed offsets (with their metadata strings) of named partitions or of
//! everything the group committed; -1 where nothing was committed. v8+ asks for several groups.

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions, OffsetFetchResponseTopic,
    OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{OffsetFetchRequest, OffsetFetchResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::group::FetchedOffset;
use crate::state::Broker;

/// The offsets of one group, grouped by topic in first-seen order.
fn by_topic(fetched: Vec<FetchedOffset>) -> Vec<(String, Vec<FetchedOffset>)> {
    let mut out: Vec<(String, Vec<FetchedOffset>)> = Vec::new();
    for f in fetched {
        match out.iter_mut().find(|(t, _)| *t == f.topic) {
            Some((_, v)) => v.push(f),
            None => out.push((f.topic.clone(), vec![f])),
        }
    }
    out
}

/// (offset, leader epoch, metadata) as sent for a partition.
fn values(f: &FetchedOffset) -> (i64, i32, StrBytes) {
    match &f.offset {
        Some(v) => (v.offset, v.leader_epoch, StrBytes::from_string(v.metadata.clone())),
        None => (-1, -1, StrBytes::from_static_str("")),
    }
}

async fn fetch(broker: &Broker, group: &str, topics: Option<Vec<(String, Vec<i32>)>>) -> Result<Vec<FetchedOffset>, i16> {
    if group.is_empty() {
        return Err(ResponseError::InvalidGroupId.code());
    }
    broker.groups().ready_for(group).await?;
    Ok(broker.groups().fetch(group, topics))
}

pub async fn handle(broker: &Arc<Broker>, req: OffsetFetchRequest, version: i16) -> OffsetFetchResponse {
    let mut resp = OffsetFetchResponse::default();
    if version >= 8 {
        for g in req.groups {
            let topics = g
                .topics
                .map(|ts| ts.into_iter().map(|t| (t.name.to_string(), t.partition_indexes)).collect());
            let mut rg = OffsetFetchResponseGroup::default();
            rg.group_id = g.group_id.clone();
            match fetch(broker, g.group_id.as_str(), topics).await {
                Err(e) => rg.error_code = e,
                Ok(fetched) => {
                    for (topic, parts) in by_topic(fetched) {
                        let mut rt = OffsetFetchResponseTopics::default();
                        rt.name = TopicName(StrBytes::from_string(topic));
                        for f in parts {
                            let (offset, epoch, metadata) = values(&f);
                            let mut rp = OffsetFetchResponsePartitions::default();
                            rp.partition_index = f.partition;
                            rp.committed_offset = offset;
                            rp.committed_leader_epoch = epoch;
                            rp.metadata = Some(metadata);
                            rt.partitions.push(rp);
                        }
                        rg.topics.push(rt);
                    }
                }
            }
            resp.groups.push(rg);
        }
        return resp;
    }
    let topics = req
        .topics
        .map(|ts| ts.into_iter().map(|t| (t.name.to_string(), t.partition_indexes)).collect());
    match fetch(broker, req.group_id.as_str(), topics).await {
        Err(e) => resp.error_code = if version >= 2 { e } else { 0 },
        Ok(fetched) => {
            for (topic, parts) in by_topic(fetched) {
                let mut rt = OffsetFetchResponseTopic::default();
                rt.name = TopicName(StrBytes::from_string(topic));
                for f in parts {
                    let (offset, epoch, metadata) = values(&f);
                    let mut rp = OffsetFetchResponsePartition::default();
                    rp.partition_index = f.partition;
                    rp.committed_offset = offset;
                    if version >= 5 {
                        rp.committed_leader_epoch = epoch;
                    }
                    rp.metadata = Some(metadata);
                    rt.partitions.push(rp);
                }
                resp.topics.push(rt);
            }
        }
    }
    resp
}
