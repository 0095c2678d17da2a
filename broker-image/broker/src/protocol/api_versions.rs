//! ApiVersions: the list of served APIs and versions, and the v0-format answer Kafka gives a
//! client that asks with a version it does not know (so the client can retry with one it does).

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse};
use kafka_protocol::protocol::{Message, VersionRange};

use super::served_apis;

fn entry(key: ApiKey, range: VersionRange) -> ApiVersion {
    let mut v = ApiVersion::default();
    v.api_key = key as i16;
    v.min_version = range.min;
    v.max_version = range.max;
    v
}

/// Kafka 4.x no longer accepts Produce v0–v2 but still advertises Produce from v0
/// (KAFKA-18659): librdkafka checks for gzip/snappy/lz4 support with a Produce v0 probe and
/// silently stops compressing when the minimum is 3 (librdkafka#4956). Requests below v3 are
/// still refused (the connection is closed, as Kafka does).
const ADVERTISED_PRODUCE_MIN: i16 = 0;

pub fn handle(_req: &ApiVersionsRequest) -> ApiVersionsResponse {
    let mut resp = ApiVersionsResponse::default();
    resp.api_keys = served_apis()
        .into_iter()
        .map(|(k, r)| {
            let mut e = entry(k, r);
            if k == ApiKey::Produce {
                e.min_version = ADVERTISED_PRODUCE_MIN;
            }
            e
        })
        .collect();
    resp.finalized_features_epoch = -1;
    resp
}

/// The answer to an ApiVersions request of a version we do not support: encoded as v0, error
/// UNSUPPORTED_VERSION, listing the ApiVersions versions we do support.
pub fn unsupported_version() -> ApiVersionsResponse {
    let mut resp = ApiVersionsResponse::default();
    resp.error_code = ResponseError::UnsupportedVersion.code();
    resp.api_keys = vec![entry(ApiKey::ApiVersions, ApiVersionsRequest::VERSIONS)];
    resp
}
