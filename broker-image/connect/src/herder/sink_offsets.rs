//! A sink connector's offsets are its consumer group's (`connect-NAME`) committed offsets: read,
//! altered and reset through the group's coordinator, in Kafka Connect's REST shape
//! (`{"partition":{"kafka_topic":…,"kafka_partition":…},"offset":{"kafka_offset":…}}`).

use std::collections::BTreeMap;

use kaskade_client::{KafkaAdmin, TopicPartition};
use serde_json::json;

use super::{HerderError, Result};
use crate::rest::entities::ConnectorOffset;

/// Kafka's `GROUP_ID_NOT_FOUND`: a group that never committed has no offsets.
const GROUP_ID_NOT_FOUND: i16 = 69;

fn group(connector: &str) -> String {
    format!("connect-{connector}")
}

async fn coordinator(admin: &KafkaAdmin, connector: &str) -> Result<KafkaAdmin> {
    admin.group_coordinator(&group(connector)).await.map_err(|e| {
        HerderError::new(
            500,
            format!("Failed to find the coordinator of the consumer group of sink connector {connector}: {e}"),
        )
    })
}

pub async fn get(admin: &KafkaAdmin, connector: &str) -> Result<Vec<ConnectorOffset>> {
    let c = coordinator(admin, connector).await?;
    let committed = match c.committed_offsets(&group(connector)).await {
        Ok(o) => o,
        Err(e) if e.kafka_code() == Some(GROUP_ID_NOT_FOUND) => BTreeMap::new(),
        Err(e) => {
            return Err(HerderError::new(
                500,
                format!("Failed to retrieve consumer group offsets for sink connector {connector}: {e}"),
            ))
        }
    };
    Ok(committed
        .into_iter()
        .map(|(tp, o)| ConnectorOffset {
            partition: json!({"kafka_topic": tp.topic, "kafka_partition": tp.partition}),
            offset: json!({"kafka_offset": o.offset}),
        })
        .collect())
}

/// The topic partition a REST offset entry names, with Kafka's messages for a bad one.
fn partition_of(o: &ConnectorOffset) -> Result<TopicPartition> {
    let topic = o.partition.get("kafka_topic").and_then(|t| t.as_str()).ok_or_else(|| {
        HerderError::new(400, "Kafka partitions must be in the format {\"kafka_topic\": \"some-topic\", \"kafka_partition\": 0}; missing or invalid \"kafka_topic\"")
    })?;
    let partition = o.partition.get("kafka_partition").and_then(|p| p.as_i64()).ok_or_else(|| {
        HerderError::new(400, "Kafka partitions must be in the format {\"kafka_topic\": \"some-topic\", \"kafka_partition\": 0}; missing or invalid \"kafka_partition\"")
    })?;
    Ok(TopicPartition {
        topic: topic.to_string(),
        partition: partition as i32,
    })
}

pub async fn alter(admin: &KafkaAdmin, connector: &str, offsets: &[ConnectorOffset]) -> Result<()> {
    let mut commit = BTreeMap::new();
    let mut delete = Vec::new();
    for o in offsets {
        let tp = partition_of(o)?;
        match o.offset.get("kafka_offset") {
            None if o.offset.is_null() => delete.push(tp),
            Some(v) => {
                let offset = v
                    .as_i64()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| HerderError::new(400, "Kafka offsets must be non-negative integers: {\"kafka_offset\": 1000}"))?;
                commit.insert(tp, offset);
            }
            None => {
                return Err(HerderError::new(
                    400,
                    "Kafka offsets must be in the format {\"kafka_offset\": 1000}",
                ))
            }
        }
    }
    let c = coordinator(admin, connector).await?;
    let failed = |e: &dyn std::fmt::Display| {
        HerderError::new(
            500,
            format!("Failed to alter consumer group offsets for connector {connector}: {e}"),
        )
    };
    if !commit.is_empty() {
        for (tp, code) in c.commit_offsets(&group(connector), &commit).await.map_err(|e| failed(&e))? {
            if code != 0 {
                return Err(failed(&format!(
                    "{}-{}: {}",
                    tp.topic,
                    tp.partition,
                    kaskade_client::error_name(code)
                )));
            }
        }
    }
    if !delete.is_empty() {
        let (code, _) = c
            .delete_committed_offsets(&group(connector), &delete)
            .await
            .map_err(|e| failed(&e))?;
        if code != 0 && code != GROUP_ID_NOT_FOUND {
            return Err(failed(&kaskade_client::error_name(code)));
        }
    }
    Ok(())
}

/// Deletes the connector's consumer group (Kafka's reset of a sink connector's offsets).
pub async fn reset(admin: &KafkaAdmin, connector: &str) -> Result<()> {
    let c = coordinator(admin, connector).await?;
    for (_, code) in c.delete_groups(&[group(connector)]).await.map_err(|e| {
        HerderError::new(
            500,
            format!("Failed to reset consumer group offsets for connector {connector}: {e}"),
        )
    })? {
        if code != 0 && code != GROUP_ID_NOT_FOUND {
            return Err(HerderError::new(
                500,
                format!(
                    "Failed to reset consumer group offsets for connector {connector}: {}",
                    kaskade_client::error_name(code)
                ),
            ));
        }
    }
    Ok(())
}
