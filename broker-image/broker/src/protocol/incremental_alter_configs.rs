//! IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on single keys of a topic's
//! overrides or a broker resource's dynamic configs; the rest of the configs stay as they are.

use std::collections::HashSet;
use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::incremental_alter_configs_response::AlterConfigsResourceResponse;
use kafka_protocol::messages::{IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::admin::config_ops::{self, Op};
use crate::admin::{RESOURCE_BROKER, RESOURCE_TOPIC};
use crate::config::check::Kind;
use crate::config::topic::{topic_config, topic_config_of_broker_key};
use crate::state::{ApiError, Broker};

fn topic_kind(key: &str) -> Option<(Kind, &'static str)> {
    topic_config(key).map(|d| (d.kind, d.default))
}

fn broker_kind(key: &str) -> Option<(Kind, &'static str)> {
    topic_config_of_broker_key(key).map(|d| (d.kind, d.default))
}

pub async fn handle(broker: &Arc<Broker>, req: IncrementalAlterConfigsRequest) -> IncrementalAlterConfigsResponse {
    let mut resp = IncrementalAlterConfigsResponse::default();
    for res in req.resources {
        let mut r = AlterConfigsResourceResponse::default();
        r.resource_type = res.resource_type;
        r.resource_name = res.resource_name.clone();
        r.error_message = None;
        let name = res.resource_name.to_string();
        let ops: Vec<Op> = res
            .configs
            .iter()
            .map(|c| Op {
                key: c.name.to_string(),
                op: c.config_operation,
                value: c.value.as_ref().map(|v| v.to_string()),
            })
            .collect();
        let mut keys = HashSet::new();
        let result = if !ops.iter().all(|o| keys.insert(o.key.clone())) {
            Err(ApiError::new(ResponseError::InvalidRequest, "Error due to duplicate config keys"))
        } else {
            match res.resource_type {
                RESOURCE_TOPIC => {
                    broker
                        .alter_topic_configs(&name, |cur| config_ops::apply(cur, &ops, topic_kind, false), req.validate_only)
                        .await
                }
                RESOURCE_BROKER => {
                    broker
                        .alter_broker_configs(&name, |cur| config_ops::apply(cur, &ops, broker_kind, true), req.validate_only)
                        .await
                }
                other => Err(ApiError::new(
                    ResponseError::InvalidRequest,
                    format!("Unknown resource type {other}"),
                )),
            }
        };
        if let Err(e) = result {
            r.error_code = e.code;
            r.error_message = Some(StrBytes::from_string(e.message));
        }
        resp.responses.push(r);
    }
    resp
}
