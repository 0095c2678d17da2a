//! Fetch: a read of stored bytes per partition, bounded by the high watermark, `max_bytes` and
//! each partition's max bytes (the first batch always fits, as KIP-74 says). When there is less
//! than `min_bytes`, the request parks on the partitions' end-offset notifiers and is woken by
//! the next append (or its `max_wait_ms`), never by a polling timer. Fetch sessions are not
//! created (session id 0), so clients send full fetch requests, which Kafka allows.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::select_all;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::fetch_response::{AbortedTransaction, FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{BrokerId, FetchRequest, FetchResponse};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::state::Broker;
use crate::storage::{LogError, PartitionLog};

/// One requested partition and where its answer goes.
struct Slot {
    topic: usize,
    part: usize,
    log: Option<Arc<PartitionLog>>,
    offset: i64,
    max_bytes: usize,
}

/// Who is fetching: a follower replicating from this leader (it reads to the log end and its
/// fetch offset moves the high watermark), or a consumer (it reads below the high watermark).
fn replica_id(req: &FetchRequest, version: i16) -> i32 {
    if version >= 15 {
        req.replica_state.replica_id.0
    } else {
        req.replica_id.0
    }
}

/// A partition answer without data. As in Kafka, the offsets are -1 and the records empty;
/// `aborted` is what Kafka puts in `aborted_transactions` for that kind of answer.
fn empty_partition(index: i32, error: i16, aborted: Option<Vec<AbortedTransaction>>) -> PartitionData {
    let mut p = PartitionData::default();
    p.partition_index = index;
    p.error_code = error;
    p.high_watermark = -1;
    p.last_stable_offset = -1;
    p.log_start_offset = -1;
    p.preferred_read_replica = BrokerId(-1);
    p.aborted_transactions = aborted;
    p.records = Some(Default::default());
    p
}

/// `aborted_transactions` of a partition that was read: a (here always empty) list under
/// read_committed, null under read_uncommitted.
fn read_aborted(read_committed: bool) -> Option<Vec<AbortedTransaction>> {
    read_committed.then(Vec::new)
}

pub async fn handle(broker: &Arc<Broker>, req: FetchRequest, version: i16) -> FetchResponse {
    let mut resp = FetchResponse::default();
    if version >= 7 && (req.session_id != 0 || req.session_epoch > 0) {
        resp.error_code = ResponseError::FetchSessionIdNotFound.code();
        return resp;
    }
    let read_committed = req.isolation_level == 1;
    let follower = Some(replica_id(&req, version)).filter(|id| *id >= 0);
    let mut slots = Vec::new();
    for (ti, topic) in req.topics.iter().enumerate() {
        let mut t = FetchableTopicResponse::default();
        t.topic = topic.topic.clone();
        t.topic_id = topic.topic_id;
        let (meta, unknown) = if version >= 13 {
            (broker.metadata().topic_by_id(topic.topic_id), ResponseError::UnknownTopicId)
        } else {
            (
                broker.metadata().topic(topic.topic.0.as_str()),
                ResponseError::UnknownTopicOrPartition,
            )
        };
        for p in &topic.partitions {
            let replica = meta.as_ref().and_then(|m| broker.replicas().get(&m.name, p.partition));
            let log = replica.as_ref().map(|r| Arc::clone(&r.log));
            // Kafka answers partitions it does not know before reading anything (with an empty
            // aborted-transactions list); a wrong leader epoch fails the read (with none), and
            // so does a replica that does not lead.
            let (error, aborted) = match &replica {
                None => (unknown.code(), Some(vec![])),
                Some(r) => match r.check_leader(p.current_leader_epoch) {
                    Err(code) => (code, None),
                    Ok(_) => (0, read_aborted(read_committed)),
                },
            };
            t.partitions.push(empty_partition(p.partition, error, aborted));
            if let (0, Some(r), Some(id)) = (error, &replica, follower) {
                if let Some(diverging) = super::replica_fetch::diverging(&r.log, p.last_fetched_epoch, p.fetch_offset) {
                    let out = t.partitions.last_mut().expect("just pushed");
                    out.diverging_epoch = diverging;
                    out.high_watermark = r.log.high_watermark();
                    out.log_start_offset = r.log.log_start_offset();
                    continue;
                }
                if let Some(change) = r.follower_fetched(id, p.fetch_offset, crate::util::now_ms()) {
                    broker.replicas().propose_isr(Arc::clone(r), change);
                }
            }
            if error == 0 {
                slots.push(Slot {
                    topic: ti,
                    part: t.partitions.len() - 1,
                    log,
                    offset: p.fetch_offset,
                    max_bytes: p.partition_max_bytes.max(0) as usize,
                });
            }
        }
        resp.responses.push(t);
    }
    let max_bytes = if version >= 3 { req.max_bytes.max(0) as usize } else { usize::MAX };
    let min_bytes = req.min_bytes.max(0) as usize;
    let may_wait = req.max_wait_ms > 0 && min_bytes > 0 && slots.len() == req.topics.iter().map(|t| t.partitions.len()).sum::<usize>();
    let mut receivers: Vec<watch::Receiver<i64>> = if may_wait {
        // A follower waits for the log end to move, a consumer for the high watermark.
        slots
            .iter()
            .filter_map(|s| {
                s.log
                    .as_ref()
                    .map(|l| if follower.is_some() { l.subscribe_end() } else { l.subscribe() })
            })
            .collect()
    } else {
        Vec::new()
    };
    let deadline = Instant::now() + Duration::from_millis(req.max_wait_ms.max(0) as u64);
    loop {
        let (total, errors) = read_all(&mut resp, &slots, max_bytes, read_committed, follower.is_some());
        if !may_wait || errors || total >= min_bytes || receivers.is_empty() || Instant::now() >= deadline {
            break;
        }
        let changes = select_all(receivers.iter_mut().map(|r| Box::pin(r.changed())));
        match tokio::time::timeout_at(deadline, changes).await {
            Ok((Ok(()), _, _)) => continue,
            // A log was deleted under us, or the wait is over: answer with what there is.
            Ok((Err(_), _, _)) | Err(_) => {
                read_all(&mut resp, &slots, max_bytes, read_committed, follower.is_some());
                break;
            }
        }
    }
    resp
}

/// Reads every slot into the response; returns bytes read and whether any partition errored.
fn read_all(resp: &mut FetchResponse, slots: &[Slot], max_bytes: usize, read_committed: bool, to_end: bool) -> (usize, bool) {
    let mut total = 0usize;
    let mut errors = false;
    for s in slots {
        let Some(log) = &s.log else { continue };
        let out = &mut resp.responses[s.topic].partitions[s.part];
        let index = out.partition_index;
        *out = empty_partition(index, 0, read_aborted(read_committed));
        let budget = s.max_bytes.min(max_bytes.saturating_sub(total));
        let min_one = total == 0;
        let read = if to_end {
            log.read_to_end(s.offset, budget, min_one)
        } else {
            log.read(s.offset, budget, min_one)
        };
        match read {
            Ok(r) => {
                total += r.records.len();
                out.high_watermark = r.high_watermark;
                out.last_stable_offset = r.high_watermark;
                out.log_start_offset = r.log_start_offset;
                out.records = Some(r.records);
            }
            // A failed read: Kafka reports no offsets and no aborted-transactions list.
            Err(LogError::OffsetOutOfRange { .. }) => {
                *out = empty_partition(index, ResponseError::OffsetOutOfRange.code(), None);
                errors = true;
            }
            Err(e) => {
                tracing::error!(topic = %log.topic, partition = index, error = %e, "fetch read failed");
                *out = empty_partition(index, ResponseError::KafkaStorageError.code(), None);
                errors = true;
            }
        }
    }
    (total, errors)
}
