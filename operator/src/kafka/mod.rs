//! STUB
use std::collections::BTreeMap;
use std::time::Duration;
#[derive(Clone)]
pub struct KafkaAdmin;
pub struct TopicInfo {
    pub topic_id: uuid::Uuid,
    pub partitions: i32,
    pub replication_factor: i32,
}
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("x")]
    Unreachable { address: String, reason: String },
    #[error("x")]
    Timeout { api: &'static str },
    #[error("x")]
    Kafka {
        api: &'static str,
        code: i16,
        name: String,
        message: Option<String>,
    },
    #[error("x")]
    Protocol(String),
}
impl KafkaAdmin {
    pub fn new(_: &str, _: Duration) -> Self {
        KafkaAdmin
    }
    pub async fn cluster_id(&self) -> Result<Option<String>, AdminError> {
        todo!()
    }
    pub async fn describe_topic(&self, _: &str) -> Result<Option<TopicInfo>, AdminError> {
        todo!()
    }
    pub async fn create_topic(&self, _: &str, _: i32, _: i16, _: &BTreeMap<String, String>) -> Result<(), AdminError> {
        todo!()
    }
    pub async fn create_partitions(&self, _: &str, _: i32) -> Result<(), AdminError> {
        todo!()
    }
    pub async fn topic_configs(&self, _: &str) -> Result<BTreeMap<String, String>, AdminError> {
        todo!()
    }
    pub async fn alter_topic_configs(&self, _: &str, _: &BTreeMap<String, String>, _: &[String]) -> Result<(), AdminError> {
        todo!()
    }
    pub async fn delete_topic(&self, _: &str) -> Result<(), AdminError> {
        todo!()
    }
}
