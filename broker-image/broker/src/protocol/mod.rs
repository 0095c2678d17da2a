//! The Kafka protocol front: one request frame in, one response frame (or none, or "close this
//! connection") out. `request` checks and decodes a frame (walked by Kafka's schema first, then
//! decoded by the `kafka-protocol` crate); each served API has its own handler module that calls
//! into the broker state.

pub mod alter_configs;
pub mod api_versions;
pub mod compacted_keys;
pub mod create_partitions;
pub mod create_topics;
pub mod delete_groups;
pub mod delete_records;
pub mod delete_topics;
pub mod describe_cluster;
pub mod describe_configs;
pub mod describe_groups;
pub mod describe_log_dirs;
pub mod describe_quorum;
pub mod describe_topic_partitions;
pub mod fetch;
pub mod find_coordinator;
pub mod heartbeat;
pub mod incremental_alter_configs;
pub mod init_producer_id;
pub mod join_group;
pub mod leader_epoch;
pub mod leave_group;
pub mod list_groups;
pub mod list_offsets;
pub mod metadata;
pub mod offset_commit;
pub mod offset_delete;
pub mod offset_fetch;
pub mod offset_for_leader_epoch;
pub mod produce;
pub mod replica_fetch;
pub mod request;
pub mod sync_group;

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::future::BoxFuture;
use kafka_protocol::messages::ResponseHeader;
use kafka_protocol::protocol::{Encodable, HeaderVersion};

use crate::state::Broker;
use request::{Body, Request};
pub use request::{ServedApi, SERVED_APIS};

/// What the connection does with a request.
#[derive(Debug)]
pub enum Outcome {
    /// Send this frame (size prefix included).
    Respond(BytesMut),
    /// Send nothing (acks=0 produce).
    NoResponse,
    /// Close the connection: the request could not be understood.
    Close(String),
}

/// Who sent a request: the client id from its header and the address it connected from
/// (as Kafka shows it, `/127.0.0.1`). Group membership records both.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub client_id: String,
    pub client_host: Arc<str>,
}

/// Encodes a response frame: size, header (of the version the API's response uses), body.
pub fn encode_response<R: Encodable + HeaderVersion>(correlation_id: i32, version: i16, body: &R) -> Outcome {
    let mut buf = BytesMut::with_capacity(64);
    buf.put_i32(0);
    let mut header = ResponseHeader::default();
    header.correlation_id = correlation_id;
    let result = header
        .encode(&mut buf, R::header_version(version))
        .and_then(|_| body.encode(&mut buf, version));
    if let Err(e) = result {
        return Outcome::Close(format!("could not encode response: {e}"));
    }
    let size = (buf.len() - 4) as i32;
    buf[..4].copy_from_slice(&size.to_be_bytes());
    Outcome::Respond(buf)
}

/// A request after its synchronous part ran: either answered already or still working.
pub enum Dispatched {
    Now(Outcome),
    Later(BoxFuture<'static, Outcome>),
}

/// Takes one request frame (without its size prefix). The connection calls this in arrival
/// order: whatever must happen in request order (appending produced batches) happens here,
/// synchronously; the rest (waiting for fsync, long polls, metadata changes) is returned as a
/// future that runs concurrently with the requests behind it. OffsetCommit is applied here
/// too, so one client's asynchronous commits land in the order it sent them.
pub fn dispatch(broker: &Arc<Broker>, frame: Bytes, client_host: &Arc<str>) -> Dispatched {
    let req = match request::decode(frame) {
        Ok(r) => r,
        Err(outcome) => return Dispatched::Now(outcome),
    };
    let Request {
        version,
        correlation_id,
        header,
        body,
        ..
    } = req;
    let broker = Arc::clone(broker);
    let body = match body {
        Body::Produce(req) => {
            let appending = produce::append(&broker, req, version);
            return Dispatched::Later(Box::pin(async move {
                match produce::finish(&broker, appending).await {
                    Ok(Some(resp)) => encode_response(correlation_id, version, &resp),
                    Ok(None) => Outcome::NoResponse,
                    Err(reason) => Outcome::Close(reason),
                }
            }));
        }
        Body::OffsetCommit(req) => {
            let committing = offset_commit::begin(&broker, req, version);
            return Dispatched::Later(Box::pin(async move { encode_response(correlation_id, version, &committing.await) }));
        }
        other => other,
    };
    let ctx = RequestContext {
        client_id: header.client_id.map(|c| c.to_string()).unwrap_or_default(),
        client_host: Arc::clone(client_host),
    };
    Dispatched::Later(Box::pin(async move { handle(&broker, correlation_id, version, body, &ctx).await }))
}

/// Handles a decoded request, all of it asynchronously.
async fn handle(broker: &Arc<Broker>, correlation_id: i32, version: i16, body: Body, ctx: &RequestContext) -> Outcome {
    macro_rules! respond {
        ($resp:expr) => {
            encode_response(correlation_id, version, &$resp)
        };
    }
    match body {
        Body::ApiVersions(req) => respond!(api_versions::handle(&req)),
        Body::Metadata(req) => respond!(metadata::handle(broker, req, version).await),
        Body::Fetch(req) => respond!(fetch::handle(broker, req, version).await),
        Body::ListOffsets(req) => respond!(list_offsets::handle(broker, req, version)),
        Body::CreateTopics(req) => respond!(create_topics::handle(broker, req, version).await),
        Body::DeleteTopics(req) => respond!(delete_topics::handle(broker, req, version).await),
        Body::DescribeCluster(req) => respond!(describe_cluster::handle(broker, &req)),
        Body::DescribeQuorum(req) => respond!(describe_quorum::handle(broker, req).await),
        Body::DescribeTopicPartitions(req) => respond!(describe_topic_partitions::handle(broker, &req)),
        Body::DescribeConfigs(req) => respond!(describe_configs::handle(broker, req, version)),
        Body::InitProducerId(req) => respond!(init_producer_id::handle(broker, req).await),
        Body::FindCoordinator(req) => respond!(find_coordinator::handle(broker, req, version).await),
        Body::JoinGroup(req) => respond!(join_group::handle(broker, req, version, ctx).await),
        Body::SyncGroup(req) => respond!(sync_group::handle(broker, req, version).await),
        Body::Heartbeat(req) => respond!(heartbeat::handle(broker, req).await),
        Body::LeaveGroup(req) => respond!(leave_group::handle(broker, req, version).await),
        Body::OffsetFetch(req) => respond!(offset_fetch::handle(broker, req, version).await),
        Body::OffsetDelete(req) => respond!(offset_delete::handle(broker, req).await),
        Body::DescribeGroups(req) => respond!(describe_groups::handle(broker, req, version).await),
        Body::ListGroups(req) => respond!(list_groups::handle(broker, req, version).await),
        Body::DeleteGroups(req) => respond!(delete_groups::handle(broker, req).await),
        Body::CreatePartitions(req) => respond!(create_partitions::handle(broker, req).await),
        Body::AlterConfigs(req) => respond!(alter_configs::handle(broker, req).await),
        Body::IncrementalAlterConfigs(req) => respond!(incremental_alter_configs::handle(broker, req).await),
        Body::DeleteRecords(req) => respond!(delete_records::handle(broker, req)),
        Body::OffsetForLeaderEpoch(req) => respond!(offset_for_leader_epoch::handle(broker, req)),
        Body::DescribeLogDirs(req) => respond!(describe_log_dirs::handle(broker, req, version)),
        // Produce and OffsetCommit are handled by `dispatch`.
        Body::Produce(_) | Body::OffsetCommit(_) => Outcome::Close("internal: produce and offset commit are dispatched in order".into()),
    }
}
