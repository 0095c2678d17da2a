//! Topics through the admin API: describe (Metadata v10+, for the topic id), create, add
//! partitions, delete; and the cluster id (also from Metadata). Every call goes to the bootstrap
//! broker: in KRaft any broker forwards CreateTopics and friends to the controller.

use std::collections::BTreeMap;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::create_partitions_request::{CreatePartitionsAssignment, CreatePartitionsTopic};
use kafka_protocol::messages::create_topics_request::{CreatableReplicaAssignment, CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::{BrokerId, CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, MetadataRequest};
use uuid::Uuid;

use super::client::KafkaAdmin;
use super::error::{check, AdminError};
use super::versions::AdminRequest;
use crate::strings::{str_bytes, topic_name};

/// What the Topic controller needs to know of an existing topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicInfo {
    pub topic_id: Uuid,
    pub partitions: i32,
    /// Replicas of the partition with the most (they are all equal unless a reassignment runs).
    pub replication_factor: i32,
}

/// A topic to create. `partitions` and `replication_factor` of -1 take the broker's defaults
/// (`num.partitions`, `default.replication.factor`); with `assignments` (one broker list per
/// partition) both must be -1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i16,
    pub assignments: Vec<Vec<i32>>,
    pub configs: BTreeMap<String, String>,
}

/// A topic's new partition count, and optionally where the new partitions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionIncrease {
    pub name: String,
    pub total: i32,
    pub assignments: Option<Vec<Vec<i32>>>,
}

/// The result for topic `name` among an answer's `results`; a protocol error when it is missing.
fn result_for<'a, T>(api: &'static str, results: &'a [T], name: &str, name_of: impl Fn(&T) -> Option<&str>) -> Result<&'a T, AdminError> {
    results
        .iter()
        .find(|r| name_of(r) == Some(name))
        .ok_or_else(|| AdminError::Protocol(format!("{api} answer has no result for topic {name:?}")))
}

impl KafkaAdmin {
    /// The cluster id the broker reports (Metadata), `None` when it reports none.
    pub async fn cluster_id(&self) -> Result<Option<String>, AdminError> {
        let req = MetadataRequest::default().with_topics(Some(Vec::new()));
        let resp = self.call(|_| req.clone()).await?;
        check(MetadataRequest::NAME, resp.error_code, None)?;
        Ok(resp.cluster_id.map(|id| id.to_string()))
    }

    /// The topic's id, partition count and replication factor; `None` when it does not exist.
    /// (Kafka's brokers learn of a new topic from the controller a moment after CreateTopics
    /// answers, so a describe right after a create may still say `None`.)
    pub async fn describe_topic(&self, name: &str) -> Result<Option<TopicInfo>, AdminError> {
        let topic = MetadataRequestTopic::default().with_name(Some(topic_name(name)));
        let req = MetadataRequest::default()
            .with_topics(Some(vec![topic]))
            .with_allow_auto_topic_creation(false);
        let resp = self.call(|_| req.clone()).await?;
        check(MetadataRequest::NAME, resp.error_code, None)?;
        let topic = result_for(MetadataRequest::NAME, &resp.topics, name, |t| t.name.as_deref().map(|n| &**n))?;
        if topic.error_code == ResponseError::UnknownTopicOrPartition.code() {
            return Ok(None);
        }
        check(MetadataRequest::NAME, topic.error_code, None)?;
        Ok(Some(TopicInfo {
            topic_id: topic.topic_id,
            partitions: i32::try_from(topic.partitions.len()).unwrap_or(i32::MAX),
            replication_factor: topic
                .partitions
                .iter()
                .map(|p| i32::try_from(p.replica_nodes.len()).unwrap_or(i32::MAX))
                .max()
                .unwrap_or(0),
        }))
    }

    /// Creates the topic with these topic configs. An existing topic is
    /// `AdminError::Kafka` with `TOPIC_ALREADY_EXISTS` (36).
    pub async fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        replication_factor: i16,
        configs: &BTreeMap<String, String>,
    ) -> Result<(), AdminError> {
        self.create_topic_with(&NewTopic {
            name: name.to_string(),
            partitions,
            replication_factor,
            assignments: Vec::new(),
            configs: configs.clone(),
        })
        .await
    }

    /// Creates the topic as `topic` describes it; see [`NewTopic`] for the broker's defaults.
    pub async fn create_topic_with(&self, topic: &NewTopic) -> Result<(), AdminError> {
        let configs = topic
            .configs
            .iter()
            .map(|(k, v)| {
                CreatableTopicConfig::default()
                    .with_name(str_bytes(k))
                    .with_value(Some(str_bytes(v)))
            })
            .collect();
        let assignments = topic
            .assignments
            .iter()
            .enumerate()
            .map(|(i, brokers)| {
                CreatableReplicaAssignment::default()
                    .with_partition_index(i32::try_from(i).unwrap_or(i32::MAX))
                    .with_broker_ids(brokers.iter().map(|&b| BrokerId(b)).collect())
            })
            .collect();
        let creatable = CreatableTopic::default()
            .with_name(topic_name(&topic.name))
            .with_num_partitions(topic.partitions)
            .with_replication_factor(topic.replication_factor)
            .with_assignments(assignments)
            .with_configs(configs);
        let req = CreateTopicsRequest::default()
            .with_topics(vec![creatable])
            .with_timeout_ms(self.timeout_ms());
        let resp = self.call(|_| req.clone()).await?;
        let result = result_for(CreateTopicsRequest::NAME, &resp.topics, &topic.name, |t| Some(&**t.name))?;
        check(CreateTopicsRequest::NAME, result.error_code, result.error_message.as_ref())
    }

    /// Raises the topic's partition count to `total`. Kafka refuses a count that is not higher
    /// than the current one with `INVALID_PARTITIONS` (37).
    pub async fn create_partitions(&self, name: &str, total: i32) -> Result<(), AdminError> {
        let increase = PartitionIncrease {
            name: name.to_string(),
            total,
            assignments: None,
        };
        match self.create_partitions_for(std::slice::from_ref(&increase)).await?.pop() {
            Some(result) => result,
            None => Err(AdminError::Protocol(format!(
                "CreatePartitions answer has no result for topic {name:?}"
            ))),
        }
    }

    /// Raises each topic's partition count to its total, in one request; one result per topic
    /// in the order given. `assignments`, when given, places the new partitions (one broker list
    /// each); otherwise (null, not the crate's default empty list) the controller places them.
    pub async fn create_partitions_for(&self, topics: &[PartitionIncrease]) -> Result<Vec<Result<(), AdminError>>, AdminError> {
        let req = CreatePartitionsRequest::default()
            .with_topics(
                topics
                    .iter()
                    .map(|t| {
                        CreatePartitionsTopic::default()
                            .with_name(topic_name(&t.name))
                            .with_count(t.total)
                            .with_assignments(t.assignments.as_ref().map(|a| {
                                a.iter()
                                    .map(|brokers| {
                                        CreatePartitionsAssignment::default()
                                            .with_broker_ids(brokers.iter().map(|&b| BrokerId(b)).collect())
                                    })
                                    .collect()
                            }))
                    })
                    .collect(),
            )
            .with_timeout_ms(self.timeout_ms());
        let resp = self.call(|_| req.clone()).await?;
        Ok(topics
            .iter()
            .map(|t| {
                let r = result_for(CreatePartitionsRequest::NAME, &resp.results, &t.name, |r| Some(&**r.name))?;
                check(CreatePartitionsRequest::NAME, r.error_code, r.error_message.as_ref())
            })
            .collect())
    }

    /// Deletes the topic; a topic that does not exist is `Ok(())`.
    pub async fn delete_topic(&self, name: &str) -> Result<(), AdminError> {
        let mut results = self.delete_topics(&[name.to_string()]).await?;
        match results.pop() {
            Some(Err(e)) if e.is(ResponseError::UnknownTopicOrPartition) => Ok(()),
            Some(result) => result,
            None => Err(AdminError::Protocol(format!(
                "DeleteTopics answer has no result for topic {name:?}"
            ))),
        }
    }

    /// Deletes the topics in one request; one result per topic in the order given (a topic
    /// that does not exist is `UNKNOWN_TOPIC_OR_PARTITION`).
    pub async fn delete_topics(&self, names: &[String]) -> Result<Vec<Result<(), AdminError>>, AdminError> {
        // v6 names topics in `topics` (by name or id), earlier versions in `topic_names`.
        let resp = self
            .call(|version| {
                let req = DeleteTopicsRequest::default().with_timeout_ms(self.timeout_ms());
                if version >= 6 {
                    req.with_topics(
                        names
                            .iter()
                            .map(|n| DeleteTopicState::default().with_name(Some(topic_name(n))))
                            .collect(),
                    )
                } else {
                    req.with_topic_names(names.iter().map(|n| topic_name(n)).collect())
                }
            })
            .await?;
        Ok(names
            .iter()
            .map(|name| {
                let r = result_for(DeleteTopicsRequest::NAME, &resp.responses, name, |r| {
                    r.name.as_deref().map(|n| &**n)
                })?;
                check(DeleteTopicsRequest::NAME, r.error_code, r.error_message.as_ref())
            })
            .collect())
    }
}
