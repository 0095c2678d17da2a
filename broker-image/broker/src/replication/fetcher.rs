//! A follower's fetcher: one task per leader this broker follows partitions of (Kafka's
//! `num.replica.fetchers=1`). Each round sends one replica Fetch for all of them from their log
//! ends, appends what comes back as the leader stored it, waits until it is durable (so the
//! offset the next fetch reports is on this broker's disk: the leader counts it toward the
//! high watermark), and takes the leader's high watermark. A diverging epoch in the answer
//! truncates the log to where it agrees with the leader; an offset below the leader's log start
//! starts the log over there.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::{BrokerId, FetchRequest, FetchResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use tokio::sync::watch;

use super::fetch_conn::FetchConn;
use super::Replica;
use crate::metadata::MetadataStore;
use crate::storage::{Flusher, PartitionLog};
use crate::util;

/// Kafka's `replica.fetch.wait.max.ms`, `replica.fetch.max.bytes` and
/// `replica.fetch.response.max.bytes` defaults.
const FETCH_WAIT_MS: i32 = 500;
const PARTITION_MAX_BYTES: i32 = 1 << 20;
const RESPONSE_MAX_BYTES: i32 = 10 << 20;

/// Kafka's `replica.fetch.backoff.ms`: the pause after a failed round.
const BACKOFF: Duration = Duration::from_millis(200);

/// One partition this broker follows.
#[derive(Debug, Clone)]
pub struct Followed {
    pub topic: Arc<str>,
    pub partition: i32,
    pub replica: Arc<Replica>,
}

/// A followed partition as one fetch asked for it: the leader epoch it was sent under.
struct Asked<'a> {
    followed: &'a Followed,
    epoch: i32,
}

/// What every fetcher needs from the broker.
pub struct FetcherContext {
    pub node_id: i32,
    pub metadata: Arc<dyn MetadataStore>,
    pub flusher: Flusher,
}

/// Fetches from `leader` the partitions `followed` lists, until its sender is dropped.
pub async fn run(ctx: Arc<FetcherContext>, leader: i32, mut followed: watch::Receiver<Vec<Followed>>) {
    let mut conn: Option<FetchConn> = None;
    loop {
        let partitions = followed.borrow_and_update().clone();
        if partitions.is_empty() {
            if followed.changed().await.is_err() {
                return;
            }
            continue;
        }
        if followed.has_changed().is_err() {
            return;
        }
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match connect(&ctx, leader).await {
                Ok(c) => conn.insert(c),
                Err(why) => {
                    tracing::debug!(leader, error = %why, "cannot reach the leader to fetch from");
                    tokio::time::sleep(BACKOFF).await;
                    continue;
                }
            },
        };
        let asked: Vec<Asked> = partitions
            .iter()
            .map(|f| Asked {
                followed: f,
                epoch: f.replica.leader().1,
            })
            .collect();
        let req = request(ctx.node_id, &asked);
        let timeout = Duration::from_millis(FETCH_WAIT_MS as u64) + Duration::from_secs(30);
        match c.fetch(&req, timeout).await {
            Ok(resp) => {
                if !handle(&ctx, leader, &asked, resp).await {
                    tokio::time::sleep(BACKOFF).await;
                }
            }
            Err(e) => {
                tracing::debug!(leader, error = %e, "replica fetch failed");
                conn = None;
                tokio::time::sleep(BACKOFF).await;
            }
        }
    }
}

async fn connect(ctx: &FetcherContext, leader: i32) -> Result<FetchConn, String> {
    let endpoint = ctx
        .metadata
        .brokers()
        .into_iter()
        .find(|b| b.node_id == leader)
        .ok_or_else(|| format!("broker {leader} is not registered"))?;
    FetchConn::connect(&format!("{}:{}", endpoint.host, endpoint.port), ctx.node_id)
        .await
        .map_err(|e| e.to_string())
}

/// One replica Fetch for every followed partition, each from its log end.
fn request(node_id: i32, partitions: &[Asked]) -> FetchRequest {
    let mut topics: BTreeMap<&str, Vec<FetchPartition>> = BTreeMap::new();
    for a in partitions {
        let f = a.followed;
        let log = &f.replica.log;
        let mut p = FetchPartition::default();
        p.partition = f.partition;
        p.current_leader_epoch = a.epoch;
        p.fetch_offset = log.end_offset();
        p.last_fetched_epoch = log.latest_epoch().unwrap_or(-1);
        p.log_start_offset = log.log_start_offset();
        p.partition_max_bytes = PARTITION_MAX_BYTES;
        topics.entry(&f.topic).or_default().push(p);
    }
    let mut req = FetchRequest::default();
    req.replica_id = BrokerId(node_id);
    req.max_wait_ms = FETCH_WAIT_MS;
    req.min_bytes = 1;
    req.max_bytes = RESPONSE_MAX_BYTES;
    req.isolation_level = 0;
    req.session_id = 0;
    // No fetch session: a full request each round.
    req.session_epoch = -1;
    req.topics = topics
        .into_iter()
        .map(|(name, partitions)| {
            let mut t = FetchTopic::default();
            t.topic = TopicName(StrBytes::from_string(name.to_string()));
            t.partitions = partitions;
            t
        })
        .collect();
    req
}

/// Applies one answer; returns whether any partition made progress or had nothing to do
/// (false: every partition failed, so the next round waits a little).
async fn handle(ctx: &FetcherContext, leader: i32, partitions: &[Asked<'_>], resp: FetchResponse) -> bool {
    let now = util::now_ms();
    let mut ok = false;
    let mut appended = Vec::new();
    for t in &resp.responses {
        for p in &t.partitions {
            let Some(a) = partitions
                .iter()
                .find(|a| *a.followed.topic == *t.topic.0 && a.followed.partition == p.partition_index)
            else {
                continue;
            };
            let (f, epoch) = (a.followed, a.epoch);
            // Applied only while this broker still follows that leader at that epoch.
            let applied = f.replica.while_following(leader, epoch, |log| apply(f, log, p, now));
            match applied.unwrap_or(Ok(None)) {
                Ok(Some(end)) => {
                    ok = true;
                    appended.push((f, epoch, end, p.high_watermark));
                }
                Ok(None) => ok = true,
                Err(why) => {
                    tracing::debug!(topic = %f.topic, partition = f.partition, error = %why, "replica fetch of a partition failed");
                }
            }
        }
    }
    let durable = appended
        .iter()
        .filter(|(f, _, _, _)| f.replica.log.config().flush_on_acks_all)
        .map(|(f, _, end, _)| ctx.flusher.wait_durable(Arc::clone(&f.replica.log), *end));
    for r in join_all(durable).await {
        if let Err(e) = r {
            tracing::error!(error = %e, "a follower could not make fetched records durable");
            return false;
        }
    }
    for (f, epoch, _, hw) in appended {
        f.replica.while_following(leader, epoch, |log| log.set_high_watermark(hw));
    }
    ok
}

/// Applies one partition's answer: `Ok(Some(end))` appended up to `end` (high watermark
/// taken after it is durable), `Ok(None)` nothing new (high watermark taken now).
fn apply(f: &Followed, log: &PartitionLog, p: &PartitionData, now: i64) -> Result<Option<i64>, String> {
    if p.error_code == ResponseError::OffsetOutOfRange.code() && p.log_start_offset > log.end_offset() {
        log.truncate_fully_and_start_at(p.log_start_offset, now)
            .map_err(|e| e.to_string())?;
        tracing::info!(topic = %f.topic, partition = f.partition, offset = p.log_start_offset, "behind the leader's log start: starting over there");
        return Ok(None);
    }
    if p.error_code != 0 {
        return Err(format!("error code {}", p.error_code));
    }
    if p.diverging_epoch.epoch >= 0 {
        let (_, own_end) = log.end_offset_for_epoch(p.diverging_epoch.epoch);
        let to = p.diverging_epoch.end_offset.min(own_end.max(0));
        let before = (log.end_offset(), log.latest_epoch());
        log.truncate_to(to, now).map_err(|e| e.to_string())?;
        if (log.end_offset(), log.latest_epoch()) == before {
            // Asking again would get the same answer: wait a round (a bug, or the image lags).
            return Err(format!("a diverging epoch {} at {to} changed nothing", p.diverging_epoch.epoch));
        }
        tracing::info!(topic = %f.topic, partition = f.partition, epoch = p.diverging_epoch.epoch, offset = to, "truncated a tail that diverged from the leader");
        return Ok(None);
    }
    if p.log_start_offset > log.log_start_offset() && p.log_start_offset <= log.high_watermark() {
        // DeleteRecords or retention moved the leader's log start: this replica follows.
        log.delete_records_before(p.log_start_offset).map_err(|e| e.to_string())?;
    }
    let records = p.records.as_deref().unwrap_or_default();
    if records.is_empty() {
        log.set_high_watermark(p.high_watermark);
        return Ok(None);
    }
    let appended = log.append_as_follower(records, now).map_err(|e| e.to_string())?;
    if appended.batches == 0 {
        log.set_high_watermark(p.high_watermark);
        return Ok(None);
    }
    Ok(Some(appended.end_offset))
}
