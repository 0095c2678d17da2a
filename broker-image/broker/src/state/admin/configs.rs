//! Changing configs at run time. Every topic config change goes through
//! `Broker::alter_topic_configs` and every dynamic broker config change through
//! `Broker::alter_broker_configs`: validate, persist in the metadata store, then apply to the
//! open partition logs, so a change takes effect without a restart.

use std::collections::BTreeMap;

use kafka_protocol::error::ResponseError;

use super::broker_configs;
use crate::config::check::validate_configs;
use crate::state::{ApiError, Broker};

/// A config map as it is (the input of a change).
pub type Configs = BTreeMap<String, String>;

impl Broker {
    /// Changes a topic's config overrides: `change` turns the current overrides into the new
    /// ones (AlterConfigs replaces them all, IncrementalAlterConfigs edits some). The result is
    /// validated as CreateTopics validates it; unless `validate_only`, it is persisted and
    /// applied to the topic's open logs.
    pub async fn alter_topic_configs(
        &self,
        name: &str,
        change: impl FnOnce(&Configs) -> Result<Configs, ApiError>,
        validate_only: bool,
    ) -> Result<(), ApiError> {
        let _guard = self.admin_lock().await;
        let Some(topic) = self.metadata.topic(name) else {
            return Err(ApiError::new(
                ResponseError::UnknownTopicOrPartition,
                format!("The topic '{name}' does not exist."),
            ));
        };
        let configs = change(&topic.configs)?;
        validate_configs(&configs).map_err(|m| ApiError::new(ResponseError::InvalidConfig, m))?;
        if validate_only {
            return Ok(());
        }
        let mut changed = (*topic).clone();
        changed.configs = configs;
        let updated = self.metadata.update_topic(changed).await?;
        self.sync_replicas()?;
        tracing::info!(topic = %name, configs = ?updated.configs, "altered topic configs");
        Ok(())
    }

    /// Checks the name of a broker resource: `""` (the cluster-wide default) or this node's id.
    pub fn check_broker_resource(&self, name: &str) -> Result<(), ApiError> {
        if name.is_empty() || name == self.node_id().to_string() {
            return Ok(());
        }
        Err(ApiError::new(
            ResponseError::InvalidRequest,
            format!("Unexpected broker id, expected {}, but received {name}", self.node_id()),
        ))
    }

    /// Changes the dynamic configs of a broker resource (`""` = the cluster-wide default, else
    /// this node's id) the same way; the new log defaults apply to every open log at once.
    pub async fn alter_broker_configs(
        &self,
        entity: &str,
        change: impl FnOnce(&Configs) -> Result<Configs, ApiError>,
        validate_only: bool,
    ) -> Result<(), ApiError> {
        self.check_broker_resource(entity)?;
        let _guard = self.admin_lock().await;
        let configs = change(&self.metadata.broker_configs(entity))?;
        broker_configs::validate(&configs).map_err(|m| ApiError::new(ResponseError::InvalidRequest, m))?;
        if validate_only {
            return Ok(());
        }
        self.metadata.set_broker_configs(entity, configs).await?;
        self.apply_dynamic_broker_configs();
        tracing::info!(entity = %entity, "altered dynamic broker configs");
        Ok(())
    }

    /// Recomputes the log defaults from the static and dynamic broker configs and re-applies
    /// every topic's config to its open logs (after a change, and at start-up).
    pub fn apply_dynamic_broker_configs(&self) {
        let defaults = broker_configs::effective_log_defaults(
            &self.config.log,
            &self.metadata.broker_configs(""),
            &self.metadata.broker_configs(&self.node_id().to_string()),
        );
        self.logs.set_defaults(defaults);
        for t in self.metadata.topics() {
            self.logs.update_topic_config(&t.name, &t.configs);
        }
    }
}
