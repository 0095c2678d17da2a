//! DescribeLogDirs: the broker's log directory with the size of each partition in it (offset
//! lag 0: there are no future replicas) and, from v4, the file system's total and usable bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_protocol::messages::describe_log_dirs_response::{DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic};
use kafka_protocol::messages::{DescribeLogDirsRequest, DescribeLogDirsResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;
use crate::storage::disk_space::disk_space;

pub fn handle(broker: &Arc<Broker>, req: DescribeLogDirsRequest, version: i16) -> DescribeLogDirsResponse {
    // Which partitions to describe: all (null) or the ones asked for.
    let wanted: Option<BTreeMap<String, Vec<i32>>> = req
        .topics
        .map(|ts| ts.into_iter().map(|t| (t.topic.to_string(), t.partitions)).collect());
    let mut by_topic: BTreeMap<String, Vec<DescribeLogDirsPartition>> = BTreeMap::new();
    for log in broker.logs.all() {
        if let Some(w) = &wanted {
            if !w.get(&log.topic).is_some_and(|ps| ps.contains(&log.partition)) {
                continue;
            }
        }
        let mut p = DescribeLogDirsPartition::default();
        p.partition_index = log.partition;
        p.partition_size = log.size_bytes() as i64;
        p.offset_lag = 0;
        p.is_future_key = false;
        by_topic.entry(log.topic.clone()).or_default().push(p);
    }
    let mut dir = DescribeLogDirsResult::default();
    let root = broker.logs.root();
    dir.log_dir = StrBytes::from_string(
        std::fs::canonicalize(root)
            .unwrap_or_else(|_| root.to_path_buf())
            .display()
            .to_string(),
    );
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
        if let Some((total, usable)) = disk_space(root) {
            dir.total_bytes = total as i64;
            dir.usable_bytes = usable as i64;
        }
    }
    let mut resp = DescribeLogDirsResponse::default();
    resp.results.push(dir);
    resp
}
