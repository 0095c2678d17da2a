//! DescribeLogDirs: the broker's log directory with the size of each partition in it (offset
//! lag 0: there are no future replicas) and, from v4, the file system's total and usable bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_protocol::messages::describe_log_dirs_response::{DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic};
use kafka_protocol::messages::{DescribeLogDirsRequest, DescribeLogDirsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;

pub fn handle(broker: &Arc<Broker>, req: DescribeLogDirsRequest, version: i16) -> DescribeLogDirsResponse {
    // Which partitions to describe: all (null) or the ones asked for.
    let wanted: Option<BTreeMap<String, Vec<i32>>> = req
        .topics
        .map(|ts| ts.into_iter().map(|t| (t.topic.to_string(), t.partitions)).collect());
    let report = broker.log_dir_report(|topic, partition| {
        wanted
            .as_ref()
            .is_none_or(|w| w.get(topic).is_some_and(|ps| ps.contains(&partition)))
    });
    let mut by_topic: BTreeMap<String, Vec<DescribeLogDirsPartition>> = BTreeMap::new();
    for (topic, partition, size) in report.partitions {
        let mut p = DescribeLogDirsPartition::default();
        p.partition_index = partition;
        p.partition_size = size as i64;
        p.offset_lag = 0;
        p.is_future_key = false;
        by_topic.entry(topic).or_default().push(p);
    }
    let mut dir = DescribeLogDirsResult::default();
    dir.log_dir = StrBytes::from_string(report.dir.display().to_string());
    dir.topics = by_topic
        .into_iter()
        .map(|(name, mut partitions)| {
            partitions.sort_by_key(|p| p.partition_index);
            let mut t = DescribeLogDirsTopic::default();
            t.name = TopicName(StrBytes::from_string(name));
            t.partitions = partitions;
            t
        })
        .collect();
    if version >= 4 {
        if let Some((total, usable)) = report.space {
            dir.total_bytes = total as i64;
            dir.usable_bytes = usable as i64;
        }
    }
    let mut resp = DescribeLogDirsResponse::default();
    resp.results.push(dir);
    resp
}
