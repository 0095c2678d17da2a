//! The Kafka protocol front: one request frame in, one response frame (or none, or "close this
//! connection") out. Decoding and encoding go through the `kafka-protocol` crate; each served
//! API has its own handler module that calls into the broker state.

pub mod api_versions;
pub mod compacted_keys;
pub mod create_topics;
pub mod delete_topics;
pub mod describe_cluster;
pub mod describe_configs;
pub mod describe_topic_partitions;
pub mod fetch;
pub mod init_producer_id;
pub mod leader_epoch;
pub mod list_offsets;
pub mod metadata;
pub mod produce;

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::future::BoxFuture;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeClusterRequest, DescribeConfigsRequest,
    DescribeTopicPartitionsRequest, FetchRequest, InitProducerIdRequest, ListOffsetsRequest, MetadataRequest, ProduceRequest,
    RequestHeader, ResponseHeader,
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
];

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
/// future that runs concurrently with the requests behind it.
pub fn dispatch(broker: &Arc<Broker>, mut frame: Bytes) -> Dispatched {
    let (api, correlation_id, version) = match check_header(&frame) {
        Ok(h) => h,
        Err(outcome) => return Dispatched::Now(outcome),
    };
    if let Err(e) = RequestHeader::decode(&mut frame, api.request_header_version(version)) {
        return Dispatched::Now(Outcome::Close(format!("malformed request header: {e}")));
    }
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
    Dispatched::Later(Box::pin(async move { handle(&broker, api, correlation_id, version, frame).await }))
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
async fn handle(broker: &Arc<Broker>, api: ApiKey, correlation_id: i32, version: i16, mut frame: Bytes) -> Outcome {
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
        // Produce is handled by `dispatch`; nothing else is served.
        other => Outcome::Close(format!("API {other:?} is not served by this broker")),
    }
}
