//! DescribeConfigs: topic and broker configurations with their sources and synonyms (what
//! `kafka-topics --describe` and `kafka-configs --describe` print).

use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::describe_configs_response::{DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym};
use kafka_protocol::messages::{DescribeConfigsRequest, DescribeConfigsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::Broker;
use crate::topic_configs::{self, ConfigEntry};

pub use crate::admin::{RESOURCE_BROKER, RESOURCE_BROKER_LOGGER, RESOURCE_TOPIC};

fn entry(e: ConfigEntry, synonyms: bool, documentation: bool, version: i16) -> DescribeConfigsResourceResult {
    let mut r = DescribeConfigsResourceResult::default();
    r.name = StrBytes::from_string(e.name);
    r.value = e.value.map(StrBytes::from_string);
    r.read_only = e.read_only;
    r.config_source = e.source as i8;
    r.is_sensitive = e.sensitive;
    if synonyms {
        r.synonyms = e
            .synonyms
            .into_iter()
            .map(|s| {
                let mut y = DescribeConfigsSynonym::default();
                y.name = StrBytes::from_string(s.name);
                y.value = s.value.map(StrBytes::from_string);
                y.source = s.source as i8;
                y
            })
            .collect();
    }
    if version >= 3 {
        r.config_type = e.config_type;
        if documentation {
            // Kafka sends no documentation for keys it does not know.
            r.documentation = crate::config::docs::doc(r.name.as_str()).map(StrBytes::from_static_str);
        }
    }
    r
}

pub fn handle(broker: &Arc<Broker>, req: DescribeConfigsRequest, version: i16) -> DescribeConfigsResponse {
    let mut resp = DescribeConfigsResponse::default();
    for res in req.resources {
        let mut out = DescribeConfigsResult::default();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name.clone();
        let name = res.resource_name.to_string();
        let entries = match res.resource_type {
            RESOURCE_TOPIC => match broker.metadata().topic(&name) {
                Some(t) => Ok(topic_configs::describe(broker, &t.configs)),
                None => Err((ResponseError::UnknownTopicOrPartition, format!("Topic '{name}' does not exist."))),
            },
            RESOURCE_BROKER if name.is_empty() => Ok(topic_configs::describe_broker_defaults(broker)),
            RESOURCE_BROKER if name == broker.node_id().to_string() => Ok(topic_configs::describe_broker(broker)),
            RESOURCE_BROKER => Err((
                ResponseError::InvalidRequest,
                format!(
                    "Unexpected broker id, expected {} or empty string, but received {name}",
                    broker.node_id()
                ),
            )),
            RESOURCE_BROKER_LOGGER => Ok(Vec::new()),
            other => Err((ResponseError::InvalidRequest, format!("Unsupported resource type {other}"))),
        };
        match entries {
            Ok(entries) => {
                let wanted = res
                    .configuration_keys
                    .as_ref()
                    .map(|k| k.iter().map(|s| s.to_string()).collect::<Vec<_>>());
                out.configs = entries
                    .into_iter()
                    .filter(|e| wanted.as_ref().is_none_or(|w| w.contains(&e.name)))
                    .map(|e| entry(e, req.include_synonyms, req.include_documentation, version))
                    .collect();
            }
            Err((code, message)) => {
                out.error_code = code.code();
                out.error_message = Some(StrBytes::from_string(message));
            }
        }
        resp.results.push(out);
    }
    resp
}
