//! ApiVersions: the list of served APIs and versions, and the v0-format answer Kafka gives a
//! client that asks with a version it does not know (so the client can retry with one it does).

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse};
use kafka_protocol::protocol::{Message, VersionRange};

use super::SERVED_APIS;

fn entry(key: ApiKey, range: VersionRange) -> ApiVersion {
    let mut v = ApiVersion::default();
    v.api_key = key as i16;
    v.min_version = range.min;
    v.max_version = range.max;
    v
}

pub fn handle(_req: &ApiVersionsRequest) -> ApiVersionsResponse {
    let mut resp = ApiVersionsResponse::default();
    resp.api_keys = SERVED_APIS
        .iter()
        .map(|a| {
            entry(
                a.key,
                VersionRange {
                    min: a.advertised_min,
                    max: a.accepted.max,
                },
            )
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
