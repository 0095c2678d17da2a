//! A topic's own configuration: read it with DescribeConfigs (keeping only what was set on the
//! topic, source `DYNAMIC_TOPIC_CONFIG`, not broker defaults), change it with
//! IncrementalAlterConfigs (SET and DELETE of single keys, so keys set by others are untouched).

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};
use kafka_protocol::protocol::StrBytes;

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::versions::AdminRequest;

/// `ConfigResource.Type.TOPIC`.
const RESOURCE_TOPIC: i8 = 2;
/// `DescribeConfigsResponse.ConfigSource.DYNAMIC_TOPIC_CONFIG`.
const SOURCE_DYNAMIC_TOPIC_CONFIG: i8 = 1;
/// `AlterConfigOp.OpType`.
const OP_SET: i8 = 0;
const OP_DELETE: i8 = 1;

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

impl KafkaAdmin {
    /// The configs set on the topic itself (not defaults). Values Kafka hides as sensitive are
    /// left out. A topic that does not exist is `UNKNOWN_TOPIC_OR_PARTITION` (3).
    pub async fn topic_configs(&self, name: &str) -> Result<BTreeMap<String, String>, AdminError> {
        let resource = DescribeConfigsResource::default()
            .with_resource_type(RESOURCE_TOPIC)
            .with_resource_name(str_bytes(name))
            .with_configuration_keys(None);
        let req = DescribeConfigsRequest::default().with_resources(vec![resource]);
        let resp = self.call(|_| req.clone()).await?;
        let result = resp
            .results
            .iter()
            .find(|r| r.resource_type == RESOURCE_TOPIC && &*r.resource_name == name)
            .ok_or_else(|| AdminError::Protocol(format!("DescribeConfigs answer has no result for topic {name:?}")))?;
        check(DescribeConfigsRequest::NAME, result.error_code, result.error_message.as_ref())?;
        Ok(result
            .configs
            .iter()
            .filter(|c| c.config_source == SOURCE_DYNAMIC_TOPIC_CONFIG)
            .filter_map(|c| Some((c.name.to_string(), c.value.as_ref()?.to_string())))
            .collect())
    }

    /// Sets the keys in `set` and removes the keys in `delete` (back to the broker's default),
    /// in one request; other keys keep their values. Nothing to do sends nothing.
    pub async fn alter_topic_configs(&self, name: &str, set: &BTreeMap<String, String>, delete: &[String]) -> Result<(), AdminError> {
        if set.is_empty() && delete.is_empty() {
            return Ok(());
        }
        let sets = set.iter().map(|(k, v)| {
            AlterableConfig::default()
                .with_name(str_bytes(k))
                .with_config_operation(OP_SET)
                .with_value(Some(str_bytes(v)))
        });
        let deletes = delete.iter().map(|k| {
            AlterableConfig::default()
                .with_name(str_bytes(k))
                .with_config_operation(OP_DELETE)
                .with_value(None)
        });
        let resource = AlterConfigsResource::default()
            .with_resource_type(RESOURCE_TOPIC)
            .with_resource_name(str_bytes(name))
            .with_configs(sets.chain(deletes).collect());
        let req = IncrementalAlterConfigsRequest::default().with_resources(vec![resource]);
        let resp = self.call(|_| req.clone()).await?;
        let result = resp
            .responses
            .iter()
            .find(|r| r.resource_type == RESOURCE_TOPIC && &*r.resource_name == name)
            .ok_or_else(|| AdminError::Protocol(format!("IncrementalAlterConfigs answer has no result for topic {name:?}")))?;
        check(
            IncrementalAlterConfigsRequest::NAME,
            result.error_code,
            result.error_message.as_ref(),
        )
    }
}
