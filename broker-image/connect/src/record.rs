//! `ConnectRecord` with its two origins: a `SourceRecord` (a source partition and offset, the
//! connector's place in its source) and a `SinkRecord` (the Kafka offset it was read from).
//! Transforms and converters see one type; what only one side has lives in [`Origin`].

use serde_json::Value as Json;

use crate::data::{SchemaRef, Value};

/// One header: `org.apache.kafka.connect.header.Header`.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub key: String,
    pub schema: Option<SchemaRef>,
    pub value: Value,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// From a source task: `sourcePartition` and `sourceOffset` (JSON objects, as Connect
    /// stores them in the offsets topic).
    Source { partition: Json, offset: Json },
    /// Read from Kafka for a sink task.
    Sink {
        kafka_offset: i64,
        /// `TimestampType` as Kafka names it (`CreateTime`, `LogAppendTime`, `NoTimestampType`).
        timestamp_type: &'static str,
        /// The topic, partition and offset before any transform renamed them.
        original_topic: String,
        original_partition: i32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    pub topic: String,
    pub kafka_partition: Option<i32>,
    pub key_schema: Option<SchemaRef>,
    pub key: Value,
    pub value_schema: Option<SchemaRef>,
    pub value: Value,
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
    pub origin: Origin,
}

impl ConnectRecord {
    /// `newRecord(...)`: the same record with another topic, partition, key, value and
    /// timestamp; headers and origin are kept.
    #[allow(clippy::too_many_arguments)]
    pub fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<SchemaRef>,
        key: Value,
        value_schema: Option<SchemaRef>,
        value: Value,
        timestamp: Option<i64>,
    ) -> ConnectRecord {
        ConnectRecord {
            topic,
            kafka_partition,
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            headers: self.headers.clone(),
            origin: self.origin.clone(),
        }
    }

    /// The same record with a new value and value schema.
    pub fn with_value(&self, value_schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord {
            value_schema,
            value,
            ..self.clone()
        }
    }

    /// The same record with a new key and key schema.
    pub fn with_key(&self, key_schema: Option<SchemaRef>, key: Value) -> ConnectRecord {
        ConnectRecord {
            key_schema,
            key,
            ..self.clone()
        }
    }

    /// The same record with a timestamp.
    pub fn with_timestamp(mut self, timestamp: i64) -> ConnectRecord {
        self.timestamp = Some(timestamp);
        self
    }

    /// A source record (partition unset, timestamp unset, no headers).
    pub fn source(partition: Json, offset: Json, topic: impl Into<String>, value_schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Vec::new(),
            origin: Origin::Source { partition, offset },
        }
    }
}
