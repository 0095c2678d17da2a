//! CreateTopics: each topic validated as Kafka's controller does (name, partitions, replication
//! factor, assignments, configs), created unless `validate_only`; v5+ answers carry the
//! resulting partition count, replication factor and configs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::create_topics_response::{CreatableTopicConfigs, CreatableTopicResult};
use kafka_protocol::messages::{CreateTopicsRequest, CreateTopicsResponse};
use kafka_protocol::protocol::StrBytes;

use crate::state::{Broker, NewTopic};
use crate::topic_configs;

/// Kafka's config source for a topic-level setting.
const SOURCE_TOPIC: i8 = 1;
const SOURCE_DEFAULT: i8 = 5;

pub async fn handle(broker: &Arc<Broker>, req: CreateTopicsRequest, version: i16) -> CreateTopicsResponse {
    let mut resp = CreateTopicsResponse::default();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in &req.topics {
        *counts.entry(t.name.0.to_string()).or_default() += 1;
    }
    let mut duplicates = Vec::new();
    for t in req.topics {
        let name = t.name.0.to_string();
        let mut result = CreatableTopicResult::default();
        result.name = t.name.clone();
        result.error_message = None;
        result.num_partitions = -1;
        result.replication_factor = -1;
        if counts[&name] > 1 {
            // Kafka answers a name given twice once, with INVALID_REQUEST, after the others.
            if !duplicates.iter().any(|d: &CreatableTopicResult| d.name == t.name) {
                result.error_code = ResponseError::InvalidRequest.code();
                result.error_message = Some(StrBytes::from_static_str("Duplicate topic name."));
                duplicates.push(result);
            }
            continue;
        }
        let mut configs = BTreeMap::new();
        for c in &t.configs {
            if let Some(v) = &c.value {
                configs.insert(c.name.to_string(), v.to_string());
            }
        }
        let new = NewTopic {
            name: name.clone(),
            num_partitions: t.num_partitions,
            replication_factor: t.replication_factor,
            assignments: t
                .assignments
                .iter()
                .map(|a| (a.partition_index, a.broker_ids.iter().map(|b| b.0).collect()))
                .collect(),
            configs,
        };
        match broker.create_topic(new, req.validate_only).await {
            Ok(created) => {
                // Kafka answers validate_only with the id the topic would get, too.
                result.topic_id = created.id;
                result.num_partitions = created.partitions;
                result.replication_factor = created.replication_factor;
                if version >= 5 {
                    result.configs = Some(
                        topic_configs::describe(broker, &created.configs)
                            .into_iter()
                            .map(|e| {
                                let mut c = CreatableTopicConfigs::default();
                                c.name = StrBytes::from_string(e.name);
                                c.value = e.value.map(StrBytes::from_string);
                                c.read_only = e.read_only;
                                c.config_source = if e.is_default { SOURCE_DEFAULT } else { SOURCE_TOPIC };
                                c.is_sensitive = false;
                                c
                            })
                            .collect(),
                    );
                }
            }
            Err(e) => {
                result.error_code = e.code;
                result.error_message = Some(StrBytes::from_string(e.message));
            }
        }
        resp.topics.push(result);
    }
    resp.topics.extend(duplicates);
    resp
}
