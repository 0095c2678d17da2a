//! How a running connector or task tells the cluster its state: a record in the status topic
//! with this worker's id and the group generation it runs under (and the `status` metrics).

use std::sync::Arc;

use crate::storage::status_topic::{self, State, Status};
use crate::storage::Stores;

#[derive(Clone)]
pub struct Reporter {
    pub stores: Arc<Stores>,
    pub worker_id: String,
    pub generation: i32,
}

impl Reporter {
    async fn write(&self, key: String, state: State, trace: Option<String>) {
        let status = Status {
            state,
            trace,
            worker_id: self.worker_id.clone(),
            generation: self.generation,
        };
        if let Err(e) = self.stores.write_status(&key, Some(status_topic::status_value(&status))).await {
            tracing::error!(key, "could not write the status: {e}");
        }
    }

    pub async fn connector(&self, name: &str, state: State, trace: Option<String>) {
        crate::metrics::set_connector_state(name, state);
        self.write(status_topic::connector_key(name), state, trace).await
    }

    pub async fn task(&self, name: &str, task: u32, state: State, trace: Option<String>) {
        crate::metrics::set_task_state(name, task, state);
        self.write(status_topic::task_key(name, task), state, trace).await
    }

    /// Records that `connector`'s task used `topic` (`GET /connectors/{c}/topics`), once.
    pub async fn topic(&self, topic: &str, connector: &str, task: u32) {
        let known = self.stores.status().topics.get(connector).is_some_and(|t| t.contains(topic));
        if known {
            return;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let key = status_topic::topic_key(topic, connector);
        let value = status_topic::topic_value(topic, connector, task, now);
        if let Err(e) = self.stores.write_status(&key, Some(value)).await {
            tracing::error!(key, "could not record the topic: {e}");
        }
    }
}
