//! A request frame into a decoded request, with no broker state: the API and version are
//! checked against what this broker serves, the whole frame is walked by Kafka's schema
//! (`kaskade-wire`) so no declared length can make the decoder allocate beyond the frame's
//! bytes, then header and body are decoded. Pure, so the fuzz targets drive exactly this.

use bytes::Bytes;
use kafka_protocol::messages::{
    AlterConfigsRequest, ApiKey, ApiVersionsRequest, CreatePartitionsRequest, CreateTopicsRequest, DeleteGroupsRequest,
    DeleteRecordsRequest, DeleteTopicsRequest, DescribeClusterRequest, DescribeConfigsRequest, DescribeGroupsRequest,
    DescribeLogDirsRequest, DescribeQuorumRequest, DescribeTopicPartitionsRequest, FetchRequest, FindCoordinatorRequest, HeartbeatRequest,
    IncrementalAlterConfigsRequest, InitProducerIdRequest, JoinGroupRequest, LeaveGroupRequest, ListGroupsRequest, ListOffsetsRequest,
    MetadataRequest, OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest, OffsetForLeaderEpochRequest, ProduceRequest,
    RequestHeader, SyncGroupRequest,
};
use kafka_protocol::protocol::{Decodable, Message, VersionRange};

use super::{api_versions, encode_response, Outcome};

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
    served(ApiKey::DescribeQuorum, DescribeQuorumRequest::VERSIONS),
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

/// A decoded request body, one variant per served API.
#[derive(Debug)]
pub enum Body {
    Produce(ProduceRequest),
    Fetch(FetchRequest),
    ListOffsets(ListOffsetsRequest),
    Metadata(MetadataRequest),
    ApiVersions(ApiVersionsRequest),
    CreateTopics(CreateTopicsRequest),
    DeleteTopics(DeleteTopicsRequest),
    DescribeCluster(DescribeClusterRequest),
    DescribeQuorum(DescribeQuorumRequest),
    DescribeTopicPartitions(DescribeTopicPartitionsRequest),
    DescribeConfigs(DescribeConfigsRequest),
    InitProducerId(InitProducerIdRequest),
    FindCoordinator(FindCoordinatorRequest),
    JoinGroup(JoinGroupRequest),
    SyncGroup(SyncGroupRequest),
    Heartbeat(HeartbeatRequest),
    LeaveGroup(LeaveGroupRequest),
    OffsetCommit(OffsetCommitRequest),
    OffsetFetch(OffsetFetchRequest),
    OffsetDelete(OffsetDeleteRequest),
    DescribeGroups(DescribeGroupsRequest),
    ListGroups(ListGroupsRequest),
    DeleteGroups(DeleteGroupsRequest),
    CreatePartitions(CreatePartitionsRequest),
    AlterConfigs(AlterConfigsRequest),
    IncrementalAlterConfigs(IncrementalAlterConfigsRequest),
    DeleteRecords(DeleteRecordsRequest),
    OffsetForLeaderEpoch(OffsetForLeaderEpochRequest),
    DescribeLogDirs(DescribeLogDirsRequest),
}

/// A request as the handlers take it.
#[derive(Debug)]
pub struct Request {
    pub api: ApiKey,
    pub version: i16,
    pub correlation_id: i32,
    pub header: RequestHeader,
    pub body: Body,
}

fn served_range(key: ApiKey) -> Option<VersionRange> {
    SERVED_APIS.iter().find(|a| a.key == key).map(|a| a.accepted)
}

/// Checks the fixed start of a request header: the API is served in this version. Returns the
/// API, the correlation id and the version. An ApiVersions request in a version this broker
/// does not know is answered (v0, UNSUPPORTED_VERSION, the versions served), as Kafka does.
fn check_header(frame: &[u8]) -> Result<(ApiKey, i32, i16), Outcome> {
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

/// Decodes one request frame (without its size prefix). `Err` is what to answer instead: close
/// the connection (anything malformed), or ApiVersions' unsupported-version answer.
pub fn decode(mut frame: Bytes) -> Result<Request, Outcome> {
    let (api, correlation_id, version) = check_header(&frame)?;
    let walked = kaskade_wire::check_request(&frame).map_err(|e| Outcome::Close(format!("malformed {api:?} v{version} request: {e}")))?;
    let header = RequestHeader::decode(&mut frame, walked.header_version)
        .map_err(|e| Outcome::Close(format!("malformed {api:?} v{version} request header: {e}")))?;
    macro_rules! body {
        ($variant:ident) => {
            Body::$variant(
                Decodable::decode(&mut frame, version).map_err(|e| Outcome::Close(format!("malformed {api:?} v{version} request: {e}")))?,
            )
        };
    }
    let body = match api {
        ApiKey::Produce => body!(Produce),
        ApiKey::Fetch => body!(Fetch),
        ApiKey::ListOffsets => body!(ListOffsets),
        ApiKey::Metadata => body!(Metadata),
        ApiKey::ApiVersions => body!(ApiVersions),
        ApiKey::CreateTopics => body!(CreateTopics),
        ApiKey::DeleteTopics => body!(DeleteTopics),
        ApiKey::DescribeCluster => body!(DescribeCluster),
        ApiKey::DescribeQuorum => body!(DescribeQuorum),
        ApiKey::DescribeTopicPartitions => body!(DescribeTopicPartitions),
        ApiKey::DescribeConfigs => body!(DescribeConfigs),
        ApiKey::InitProducerId => body!(InitProducerId),
        ApiKey::FindCoordinator => body!(FindCoordinator),
        ApiKey::JoinGroup => body!(JoinGroup),
        ApiKey::SyncGroup => body!(SyncGroup),
        ApiKey::Heartbeat => body!(Heartbeat),
        ApiKey::LeaveGroup => body!(LeaveGroup),
        ApiKey::OffsetCommit => body!(OffsetCommit),
        ApiKey::OffsetFetch => body!(OffsetFetch),
        ApiKey::OffsetDelete => body!(OffsetDelete),
        ApiKey::DescribeGroups => body!(DescribeGroups),
        ApiKey::ListGroups => body!(ListGroups),
        ApiKey::DeleteGroups => body!(DeleteGroups),
        ApiKey::CreatePartitions => body!(CreatePartitions),
        ApiKey::AlterConfigs => body!(AlterConfigs),
        ApiKey::IncrementalAlterConfigs => body!(IncrementalAlterConfigs),
        ApiKey::DeleteRecords => body!(DeleteRecords),
        ApiKey::OffsetForLeaderEpoch => body!(OffsetForLeaderEpoch),
        ApiKey::DescribeLogDirs => body!(DescribeLogDirs),
        other => return Err(Outcome::Close(format!("API {other:?} is not served by this broker"))),
    };
    Ok(Request {
        api,
        version,
        correlation_id,
        header,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_version_is_one_kafka_defines() {
        for api in SERVED_APIS {
            let spec = kaskade_wire::generated::request(api.key as i16).expect("Kafka defines every served API");
            for v in api.accepted.min..=api.accepted.max {
                assert!(
                    spec.valid.contains(v),
                    "{:?} v{v} is served but Kafka 4.4 does not define it",
                    api.key
                );
            }
        }
    }

    #[test]
    fn the_nineteen_byte_frame_closes_the_connection() {
        // Metadata v1, client id "x", a topic array claiming 2,147,483,647 entries.
        let frame = Bytes::from_static(&[0, 3, 0, 1, 0, 0, 0, 1, 0, 1, b'x', 0x7f, 0xff, 0xff, 0xff]);
        match decode(frame) {
            Err(Outcome::Close(reason)) => assert!(reason.contains("Topics") && reason.contains("2147483647"), "{reason}"),
            other => panic!("expected the connection to close, got {other:?}"),
        }
    }
}
