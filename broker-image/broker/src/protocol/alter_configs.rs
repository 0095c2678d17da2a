//! AlterConfigs (the legacy, whole-set form): each resource's configs are replaced by the given
//! set — a topic's overrides, or a broker resource's dynamic configs.

use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::alter_configs_response::AlterConfigsResourceResponse;
use kafka_protocol::messages::{AlterConfigsRequest, AlterConfigsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::admin::{RESOURCE_BROKER, RESOURCE_TOPIC};
use crate::state::{ApiError, Broker};

pub async fn handle(broker: &Arc<Broker>, req: AlterConfigsRequest) -> AlterConfigsResponse {
    let mut resp = AlterConfigsResponse::default();
    for res in req.resources {
        let mut r = AlterConfigsResourceResponse::default();
        r.resource_type = res.resource_type;
        r.resource_name = res.resource_name.clone();
        r.error_message = None;
        let name = res.resource_name.to_string();
        let configs: Result<BTreeMap<String, String>, ApiError> = res
            .configs
            .iter()
            .map(|c| match &c.value {
                Some(v) => Ok((c.name.to_string(), v.to_string())),
                None => Err(ApiError::new(
                    ResponseError::InvalidRequest,
                    format!("Null value not supported for : {}", c.name.as_str()),
                )),
            })
            .collect();
        let result = match (configs, res.resource_type) {
            (Err(e), _) => Err(e),
            (Ok(c), RESOURCE_TOPIC) => broker.alter_topic_configs(&name, |_| Ok(c), req.validate_only).await,
            (Ok(c), RESOURCE_BROKER) => broker.alter_broker_configs(&name, |_| Ok(c), req.validate_only).await,
            (Ok(_), other) => Err(ApiError::new(
                ResponseError::InvalidRequest,
                format!("Unknown resource type {other}"),
            )),
        };
        if let Err(e) = result {
            r.error_code = e.code;
            r.error_message = Some(StrBytes::from_string(e.message));
        }
        resp.responses.push(r);
    }
    resp
}
