//! OffsetCommit: partitions of unknown topics and oversized metadata are refused one by one;
//! the rest are checked against the group (member, generation, state) and written to
//! `__consumer_offsets` together. The check and the write happen when the request arrives (in
//! the connection's request order, as Kafka processes one request per connection at a time),
//! so pipelined asynchronous commits apply in the order they were sent; only the wait for
//! durability runs concurrently.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_commit_response::{OffsetCommitResponsePartition, OffsetCommitResponseTopic};
use kafka_protocol::messages::{OffsetCommitRequest, OffsetCommitResponse};

use crate::group::OffsetValue;
use crate::state::Broker;
use crate::util;

/// A commit after its per-partition checks: the answer so far and what goes to the group.
struct Checked {
    resp: OffsetCommitResponse,
    /// (topic index, partition index) in `resp` of each offset sent to the coordinator.
    accepted: Vec<(usize, usize)>,
    offsets: Vec<(String, i32, OffsetValue)>,
}

impl Checked {
    fn finish(mut self, result: Result<(), i16>) -> OffsetCommitResponse {
        if let Err(e) = result {
            for (ti, pi) in self.accepted {
                self.resp.topics[ti].partitions[pi].error_code = e;
            }
        }
        self.resp
    }
}

fn check(broker: &Broker, req: &OffsetCommitRequest, version: i16) -> Checked {
    let max_metadata = broker.groups().config().offset_metadata_max_bytes;
    let now = util::now_ms();
    let group_error = req.group_id.is_empty().then(|| ResponseError::InvalidGroupId.code());
    let mut checked = Checked {
        resp: OffsetCommitResponse::default(),
        accepted: Vec::new(),
        offsets: Vec::new(),
    };
    for (ti, topic) in req.topics.iter().enumerate() {
        let meta = broker.metadata().topic(topic.name.as_str());
        let mut rt = OffsetCommitResponseTopic::default();
        rt.name = topic.name.clone();
        for p in &topic.partitions {
            let mut rp = OffsetCommitResponsePartition::default();
            rp.partition_index = p.partition_index;
            let metadata = p.committed_metadata.as_ref().map(|m| m.to_string()).unwrap_or_default();
            if let Some(e) = group_error {
                rp.error_code = e;
            } else if !meta.as_ref().is_some_and(|m| (0..m.partitions).contains(&p.partition_index)) {
                rp.error_code = ResponseError::UnknownTopicOrPartition.code();
            } else if metadata.len() > max_metadata {
                rp.error_code = ResponseError::OffsetMetadataTooLarge.code();
            } else {
                checked.accepted.push((ti, rt.partitions.len()));
                checked.offsets.push((
                    topic.name.to_string(),
                    p.partition_index,
                    OffsetValue {
                        offset: p.committed_offset,
                        leader_epoch: if version >= 6 { p.committed_leader_epoch } else { -1 },
                        metadata,
                        commit_timestamp: now,
                    },
                ));
            }
            rt.partitions.push(rp);
        }
        checked.resp.topics.push(rt);
    }
    checked
}

/// Checks and applies the commit now; the returned future waits for durability.
pub fn begin(broker: &Arc<Broker>, req: OffsetCommitRequest, version: i16) -> BoxFuture<'static, OffsetCommitResponse> {
    let mut checked = check(broker, &req, version);
    if req.group_id.is_empty() || (checked.offsets.is_empty() && !req.topics.is_empty()) {
        return Box::pin(async move { checked.resp });
    }
    let offsets = std::mem::take(&mut checked.offsets);
    let broker = Arc::clone(broker);
    let instance = req.group_instance_id.as_ref().map(|s| s.to_string());
    let generation = req.generation_id_or_member_epoch;
    if broker.groups().is_ready() {
        let applied = broker.groups().commit_now(
            req.group_id.as_str(),
            req.member_id.as_str(),
            instance.as_deref(),
            generation,
            version,
            offsets,
        );
        return Box::pin(async move {
            let result = match applied {
                Ok(appended) => broker.groups().wait_durable(appended).await,
                Err(e) => Err(e),
            };
            checked.finish(result)
        });
    }
    // The first commit ever creates `__consumer_offsets` (clients call FindCoordinator first,
    // which creates it, so this is rare).
    Box::pin(async move {
        let result = broker
            .groups()
            .commit(
                req.group_id.as_str(),
                req.member_id.as_str(),
                instance.as_deref(),
                generation,
                version,
                offsets,
            )
            .await;
        checked.finish(result)
    })
}
