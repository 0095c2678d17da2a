//! The Kafka protocol front: one request frame in, one response frame (or none, or "close this
//! connection") out. Decoding and encoding go through the `kafka-protocol` crate; each served
//! API has its own handler module that calls into the broker state.

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
pub mod sync_group;

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::future::BoxFuture;
use kafka_protocol::messages::{
    AlterConfigsRequest, ApiKey, ApiVersionsRequest, CreatePartitionsRequest, CreateTopicsRequest, DeleteGroupsRequest,
    DeleteRecordsRequest, DeleteTopicsRequest, DescribeClusterRequest, DescribeConfigsRequest, DescribeGroupsRequest,
    DescribeLogDirsRequest, DescribeTopicPartitionsRequest, FetchRequest, FindCoordinatorRequest, HeartbeatRequest,
    IncrementalAlterConfigsRequest, InitProducerIdRequest, JoinGroupRequest, LeaveGroupRequest, ListGroupsRequest, ListOffsetsRequest,
    MetadataRequest, OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest, OffsetForLeaderEpochRequest, ProduceRequest,
    RequestHeader, ResponseHeader, SyncGroupRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Message, VersionRange};

use crate::state::Broker;

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

/// An API this broker serves: the versions it accepts, and the lowest version it advertises.
pub struct ServedApi {
    pub key: ApiKey,
    pub accepted: VersionRange,
    pub advertised_min: i16,
}

const fn served(key: ApiKey, accepted: VersionRange) -> ServedApi {
    ServedApi {
        key,
        accepted,
        advertised_min: accepted.min,
    }
}

/// The APIs this broker serves: every version from Kafka 4.x's minimum to the newest the
/// protocol crate knows.
pub const SERVED_APIS: &[ServedApi] = &[
    // Kafka 4.x no longer accepts Produce v0–v2 but still advertises Produce from v0
    // (KAFKA-18659): librdkafka probes for gzip/snappy/lz4 support with Produce v0 and silently
    // stops compressing when the minimum is 3 (librdkafka#4956). Requests below v3 are still
    // refused (the connection is closed, as Kafka does).
    ServedApi {
        key: ApiKey::Produce,
        accepted: ProduceRequest::VERSIONS,
        advertised_min: 0,
    },
    served(ApiKey::Fetch, FetchRequest::VERSIONS),
    served(ApiKey::ListOffsets, ListOffsetsRequest::VERSIONS),
    served(ApiKey::Metadata, MetadataRequest::VERSIONS),
    served(ApiKey::ApiVersions, ApiVersionsRequest::VERSIONS),
    served(ApiKey::CreateTopics, CreateTopicsRequest::VERSIONS),
    served(ApiKey::DeleteTopics, DeleteTopicsRequest::VERSIONS),
    served(ApiKey::DescribeCluster, DescribeClusterRequest::VERSIONS),
    served(ApiKey::DescribeTopicPartitions, DescribeTopicPartitionsRequest::VERSIONS),
    served(ApiKey::DescribeConfigs, DescribeConfigsRequest::VERSIONS),
    served(ApiKey::InitProducerId, InitProducerIdRequest::VERSIONS),
    served(ApiKey::FindCoordinator, FindCoordinatorRequest::VERSIONS),
    served(ApiKey::JoinGroup, JoinGroupRequest::VERSIONS),
    served(ApiKey::SyncGroup, SyncGroupRequest::VERSIONS),
    served(ApiKey::Heartbeat, HeartbeatRequest::VERSIONS),
    served(ApiKey::LeaveGroup, LeaveGroupRequest::VERSIONS),
    served(ApiKey::OffsetCommit, OffsetCommitRequest::VERSIONS),
    served(ApiKey::OffsetFetch, OffsetFetchRequest::VERSIONS),
    served(ApiKey::OffsetDelete, OffsetDeleteRequest::VERSIONS),
    served(ApiKey::DescribeGroups, DescribeGroupsRequest::VERSIONS),
    served(ApiKey::ListGroups, ListGroupsRequest::VERSIONS),
    served(ApiKey::DeleteGroups, DeleteGroupsRequest::VERSIONS),
    // The admin API.
    served(ApiKey::CreatePartitions, CreatePartitionsRequest::VERSIONS),
    served(ApiKey::AlterConfigs, AlterConfigsRequest::VERSIONS),
    served(ApiKey::IncrementalAlterConfigs, IncrementalAlterConfigsRequest::VERSIONS),
    served(ApiKey::DeleteRecords, DeleteRecordsRequest::VERSIONS),
    served(ApiKey::OffsetForLeaderEpoch, OffsetForLeaderEpochRequest::VERSIONS),
    served(ApiKey::DescribeLogDirs, DescribeLogDirsRequest::VERSIONS),
];

/// Who sent a request: the client id from its header and the address it connected from
/// (as Kafka shows it, `/127.0.0.1`). Group membership records both.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub client_id: String,
    pub client_host: Arc<str>,
}

fn served_range(key: ApiKey) -> Option<VersionRange> {
    SERVED_APIS.iter().find(|a| a.key == key).map(|a| a.accepted)
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

fn decode<T: Decodable>(buf: &mut Bytes, version: i16, api: ApiKey) -> Result<T, Outcome> {
    T::decode(buf, version).map_err(|e| Outcome::Close(format!("malformed {api:?} v{version} request: {e}")))
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
pub fn dispatch(broker: &Arc<Broker>, mut frame: Bytes, client_host: &Arc<str>) -> Dispatched {
    let (api, correlation_id, version) = match check_header(&frame) {
        Ok(h) => h,
        Err(outcome) => return Dispatched::Now(outcome),
    };
    let header = match RequestHeader::decode(&mut frame, api.request_header_version(version)) {
        Ok(h) => h,
        Err(e) => return Dispatched::Now(Outcome::Close(format!("malformed request header: {e}"))),
    };
    let ctx = RequestContext {
        client_id: header.client_id.map(|c| c.to_string()).unwrap_or_default(),
        client_host: Arc::clone(client_host),
    };
    let broker = Arc::clone(broker);
    if api == ApiKey::Produce {
        let req = match decode::<ProduceRequest>(&mut frame, version, api) {
            Ok(r) => r,
            Err(outcome) => return Dispatched::Now(outcome),
        };
        let appending = produce::append(&broker, req, version);
        return Dispatched::Later(Box::pin(async move {
            match produce::finish(&broker, appending).await {
                Ok(Some(resp)) => encode_response(correlation_id, version, &resp),
                Ok(None) => Outcome::NoResponse,
                Err(reason) => Outcome::Close(reason),
            }
        }));
    }
    if api == ApiKey::OffsetCommit {
        let req = match decode::<OffsetCommitRequest>(&mut frame, version, api) {
            Ok(r) => r,
            Err(outcome) => return Dispatched::Now(outcome),
        };
        let committing = offset_commit::begin(&broker, req, version);
        return Dispatched::Later(Box::pin(async move { encode_response(correlation_id, version, &committing.await) }));
    }
    Dispatched::Later(Box::pin(
        async move { handle(&broker, api, correlation_id, version, frame, &ctx).await },
    ))
}

/// Checks the fixed start of a request header: the API is served in this version. Returns the
/// API, the correlation id and the version.
fn check_header(frame: &Bytes) -> Result<(ApiKey, i32, i16), Outcome> {
    if frame.len() < 8 {
        return Err(Outcome::Close(format!(
            "request of {} bytes is too short for a request header",
            frame.len()
        )));
    }
    let key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let Ok(api) = ApiKey::try_from(key) else {
        return Err(Outcome::Close(format!("unknown API key {key}")));
    };
    let Some(range) = served_range(api) else {
        return Err(Outcome::Close(format!("API {api:?} (key {key}) is not served by this broker")));
    };
    if version < range.min || version > range.max {
        if api == ApiKey::ApiVersions {
            return Err(encode_response(correlation_id, 0, &api_versions::unsupported_version()));
        }
        return Err(Outcome::Close(format!(
            "{api:?} v{version} is not supported (supported: {}..{})",
            range.min, range.max
        )));
    }
    Ok((api, correlation_id, version))
}

/// Handles a request whose header was checked and read, all of it asynchronously.
async fn handle(broker: &Arc<Broker>, api: ApiKey, correlation_id: i32, version: i16, mut frame: Bytes, ctx: &RequestContext) -> Outcome {
    macro_rules! body {
        ($t:ty) => {
            match decode::<$t>(&mut frame, version, api) {
                Ok(r) => r,
                Err(outcome) => return outcome,
            }
        };
    }
    match api {
        ApiKey::ApiVersions => {
            let req = body!(ApiVersionsRequest);
            encode_response(correlation_id, version, &api_versions::handle(&req))
        }
        ApiKey::Metadata => {
            let req = body!(MetadataRequest);
            encode_response(correlation_id, version, &metadata::handle(broker, req, version).await)
        }
        ApiKey::Fetch => {
            let req = body!(FetchRequest);
            encode_response(correlation_id, version, &fetch::handle(broker, req, version).await)
        }
        ApiKey::ListOffsets => {
            let req = body!(ListOffsetsRequest);
            encode_response(correlation_id, version, &list_offsets::handle(broker, req, version))
        }
        ApiKey::CreateTopics => {
            let req = body!(CreateTopicsRequest);
            encode_response(correlation_id, version, &create_topics::handle(broker, req, version).await)
        }
        ApiKey::DeleteTopics => {
            let req = body!(DeleteTopicsRequest);
            encode_response(correlation_id, version, &delete_topics::handle(broker, req, version).await)
        }
        ApiKey::DescribeCluster => {
            let req = body!(DescribeClusterRequest);
            encode_response(correlation_id, version, &describe_cluster::handle(broker, &req))
        }
        ApiKey::DescribeTopicPartitions => {
            let req = body!(DescribeTopicPartitionsRequest);
            encode_response(correlation_id, version, &describe_topic_partitions::handle(broker, &req))
        }
        ApiKey::DescribeConfigs => {
            let req = body!(DescribeConfigsRequest);
            encode_response(correlation_id, version, &describe_configs::handle(broker, req, version))
        }
        ApiKey::InitProducerId => {
            let req = body!(InitProducerIdRequest);
            encode_response(correlation_id, version, &init_producer_id::handle(broker, req).await)
        }
        ApiKey::FindCoordinator => {
            let req = body!(FindCoordinatorRequest);
            encode_response(correlation_id, version, &find_coordinator::handle(broker, req, version).await)
        }
        ApiKey::JoinGroup => {
            let req = body!(JoinGroupRequest);
            encode_response(correlation_id, version, &join_group::handle(broker, req, version, ctx).await)
        }
        ApiKey::SyncGroup => {
            let req = body!(SyncGroupRequest);
            encode_response(correlation_id, version, &sync_group::handle(broker, req, version).await)
        }
        ApiKey::Heartbeat => {
            let req = body!(HeartbeatRequest);
            encode_response(correlation_id, version, &heartbeat::handle(broker, req).await)
        }
        ApiKey::LeaveGroup => {
            let req = body!(LeaveGroupRequest);
            encode_response(correlation_id, version, &leave_group::handle(broker, req, version).await)
        }
        ApiKey::OffsetFetch => {
            let req = body!(OffsetFetchRequest);
            encode_response(correlation_id, version, &offset_fetch::handle(broker, req, version).await)
        }
        ApiKey::OffsetDelete => {
            let req = body!(OffsetDeleteRequest);
            encode_response(correlation_id, version, &offset_delete::handle(broker, req).await)
        }
        ApiKey::DescribeGroups => {
            let req = body!(DescribeGroupsRequest);
            encode_response(correlation_id, version, &describe_groups::handle(broker, req, version).await)
        }
        ApiKey::ListGroups => {
            let req = body!(ListGroupsRequest);
            encode_response(correlation_id, version, &list_groups::handle(broker, req, version).await)
        }
        ApiKey::DeleteGroups => {
            let req = body!(DeleteGroupsRequest);
            encode_response(correlation_id, version, &delete_groups::handle(broker, req).await)
        }
        ApiKey::CreatePartitions => {
            let req = body!(CreatePartitionsRequest);
            encode_response(correlation_id, version, &create_partitions::handle(broker, req).await)
        }
        ApiKey::AlterConfigs => {
            let req = body!(AlterConfigsRequest);
            encode_response(correlation_id, version, &alter_configs::handle(broker, req).await)
        }
        ApiKey::IncrementalAlterConfigs => {
            let req = body!(IncrementalAlterConfigsRequest);
            encode_response(correlation_id, version, &incremental_alter_configs::handle(broker, req).await)
        }
        ApiKey::DeleteRecords => {
            let req = body!(DeleteRecordsRequest);
            encode_response(correlation_id, version, &delete_records::handle(broker, req))
        }
        ApiKey::OffsetForLeaderEpoch => {
            let req = body!(OffsetForLeaderEpochRequest);
            encode_response(correlation_id, version, &offset_for_leader_epoch::handle(broker, req))
        }
        ApiKey::DescribeLogDirs => {
            let req = body!(DescribeLogDirsRequest);
            encode_response(correlation_id, version, &describe_log_dirs::handle(broker, req, version))
        }
        // Produce and OffsetCommit are handled by `dispatch`; nothing else is served.
        other => Outcome::Close(format!("API {other:?} is not served by this broker")),
    }
}
