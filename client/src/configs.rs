//! Configs through the admin API: DescribeConfigs for topics and brokers (with the sources and
//! synonyms `kafka-configs --describe` prints) and IncrementalAlterConfigs (SET and DELETE of
//! single keys, so keys set by others are untouched). [`KafkaAdmin::topic_configs`] and
//! [`KafkaAdmin::alter_topic_configs`] are the Topic controller's view: only what was set on the
//! topic itself.

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::versions::AdminRequest;
use crate::strings::str_bytes;

/// `ConfigResource.Type`: what a config belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigResourceType {
    Topic,
    /// A broker by id, or every broker's default when the name is empty.
    Broker,
    BrokerLogger,
}

impl ConfigResourceType {
    fn code(self) -> i8 {
        match self {
            ConfigResourceType::Topic => 2,
            ConfigResourceType::Broker => 4,
            ConfigResourceType::BrokerLogger => 8,
        }
    }
}

/// Where a config's value comes from, as Kafka's `ConfigEntry.ConfigSource` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigSource {
    DynamicTopic,
    DynamicBroker,
    DynamicDefaultBroker,
    StaticBroker,
    Default,
    DynamicBrokerLogger,
    DynamicClientMetrics,
    DynamicGroup,
    Unknown,
}

impl ConfigSource {
    /// From the DescribeConfigs wire code.
    pub fn from_code(code: i8) -> ConfigSource {
        match code {
            1 => ConfigSource::DynamicTopic,
            2 => ConfigSource::DynamicBroker,
            3 => ConfigSource::DynamicDefaultBroker,
            4 => ConfigSource::StaticBroker,
            5 => ConfigSource::Default,
            6 => ConfigSource::DynamicBrokerLogger,
            7 => ConfigSource::DynamicClientMetrics,
            8 => ConfigSource::DynamicGroup,
            _ => ConfigSource::Unknown,
        }
    }

    /// Kafka's name, e.g. `DYNAMIC_TOPIC_CONFIG`.
    pub fn java_name(self) -> &'static str {
        match self {
            ConfigSource::DynamicTopic => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBroker => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBroker => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::StaticBroker => "STATIC_BROKER_CONFIG",
            ConfigSource::Default => "DEFAULT_CONFIG",
            ConfigSource::DynamicBrokerLogger => "DYNAMIC_BROKER_LOGGER_CONFIG",
            ConfigSource::DynamicClientMetrics => "DYNAMIC_CLIENT_METRICS_CONFIG",
            ConfigSource::DynamicGroup => "DYNAMIC_GROUP_CONFIG",
            ConfigSource::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.java_name())
    }
}

/// One config of a resource. `value` is `None` for sensitive configs and unset ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    pub value: Option<String>,
    pub source: ConfigSource,
    pub sensitive: bool,
    pub read_only: bool,
    /// Where else the value could come from, highest precedence first (asked for with
    /// `include_synonyms`).
    pub synonyms: Vec<ConfigSynonym>,
}

/// One synonym of a config (`log.retention.ms` for a topic's `retention.ms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSynonym {
    pub name: String,
    pub value: Option<String>,
    pub source: ConfigSource,
}

/// One change of IncrementalAlterConfigs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterConfigOp {
    Set(String, String),
    /// Back to the default (Kafka accepts a key that is not set).
    Delete(String),
}

/// `AlterConfigOp.OpType`.
const OP_SET: i8 = 0;
const OP_DELETE: i8 = 1;

impl KafkaAdmin {
    /// Every config of each resource, in the broker's order, one result per resource in the
    /// order asked. A resource Kafka refuses (an unknown topic: `UNKNOWN_TOPIC_OR_PARTITION`)
    /// is an `Err` in its place; the call fails only when the request does. Configs of a broker
    /// by id must be asked of that broker ([`KafkaAdmin::at`]).
    pub async fn describe_configs(
        &self,
        resources: &[(ConfigResourceType, String)],
        include_synonyms: bool,
    ) -> Result<Vec<Result<Vec<ConfigEntry>, AdminError>>, AdminError> {
        let req = DescribeConfigsRequest::default()
            .with_resources(
                resources
                    .iter()
                    .map(|(kind, name)| {
                        DescribeConfigsResource::default()
                            .with_resource_type(kind.code())
                            .with_resource_name(str_bytes(name))
                            .with_configuration_keys(None)
                    })
                    .collect(),
            )
            .with_include_synonyms(include_synonyms);
        let resp = self.call(|_| req.clone()).await?;
        Ok(resources
            .iter()
            .map(|(kind, name)| {
                let result = resp
                    .results
                    .iter()
                    .find(|r| r.resource_type == kind.code() && &*r.resource_name == name)
                    .ok_or_else(|| AdminError::Protocol(format!("DescribeConfigs answer has no result for {kind:?} {name:?}")))?;
                check(DescribeConfigsRequest::NAME, result.error_code, result.error_message.as_ref())?;
                Ok(result
                    .configs
                    .iter()
                    .map(|c| ConfigEntry {
                        name: c.name.to_string(),
                        value: c.value.as_ref().map(|v| v.to_string()),
                        source: ConfigSource::from_code(c.config_source),
                        sensitive: c.is_sensitive,
                        read_only: c.read_only,
                        synonyms: c
                            .synonyms
                            .iter()
                            .map(|s| ConfigSynonym {
                                name: s.name.to_string(),
                                value: s.value.as_ref().map(|v| v.to_string()),
                                source: ConfigSource::from_code(s.source),
                            })
                            .collect(),
                    })
                    .collect())
            })
            .collect())
    }

    /// Applies `ops` to one resource in one request; keys not named keep their values. Nothing
    /// to do sends nothing. Changes to a broker by id must be sent to that broker.
    pub async fn incremental_alter_configs(&self, kind: ConfigResourceType, name: &str, ops: &[AlterConfigOp]) -> Result<(), AdminError> {
        if ops.is_empty() {
            return Ok(());
        }
        let configs = ops
            .iter()
            .map(|op| match op {
                AlterConfigOp::Set(k, v) => AlterableConfig::default()
                    .with_name(str_bytes(k))
                    .with_config_operation(OP_SET)
                    .with_value(Some(str_bytes(v))),
                AlterConfigOp::Delete(k) => AlterableConfig::default()
                    .with_name(str_bytes(k))
                    .with_config_operation(OP_DELETE)
                    .with_value(None),
            })
            .collect();
        let resource = AlterConfigsResource::default()
            .with_resource_type(kind.code())
            .with_resource_name(str_bytes(name))
            .with_configs(configs);
        let req = IncrementalAlterConfigsRequest::default().with_resources(vec![resource]);
        let resp = self.call(|_| req.clone()).await?;
        let result = resp
            .responses
            .iter()
            .find(|r| r.resource_type == kind.code() && &*r.resource_name == name)
            .ok_or_else(|| AdminError::Protocol(format!("IncrementalAlterConfigs answer has no result for {kind:?} {name:?}")))?;
        check(
            IncrementalAlterConfigsRequest::NAME,
            result.error_code,
            result.error_message.as_ref(),
        )
    }

    /// The configs set on the topic itself (not defaults). Values Kafka hides as sensitive are
    /// left out. A topic that does not exist is `UNKNOWN_TOPIC_OR_PARTITION` (3).
    pub async fn topic_configs(&self, name: &str) -> Result<BTreeMap<String, String>, AdminError> {
        let mut results = self
            .describe_configs(&[(ConfigResourceType::Topic, name.to_string())], false)
            .await?;
        let configs = results
            .pop()
            .ok_or_else(|| AdminError::Protocol(format!("DescribeConfigs answer has no result for topic {name:?}")))??;
        Ok(configs
            .into_iter()
            .filter(|c| c.source == ConfigSource::DynamicTopic)
            .filter_map(|c| Some((c.name, c.value?)))
            .collect())
    }

    /// Sets the keys in `set` and removes the keys in `delete` (back to the broker's default),
    /// in one request; other keys keep their values. Nothing to do sends nothing.
    pub async fn alter_topic_configs(&self, name: &str, set: &BTreeMap<String, String>, delete: &[String]) -> Result<(), AdminError> {
        let ops: Vec<AlterConfigOp> = set
            .iter()
            .map(|(k, v)| AlterConfigOp::Set(k.clone(), v.clone()))
            .chain(delete.iter().map(|k| AlterConfigOp::Delete(k.clone())))
            .collect();
        self.incremental_alter_configs(ConfigResourceType::Topic, name, &ops).await
    }
}
