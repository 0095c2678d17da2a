//! The offsets topic in Kafka Connect's format (`KafkaOffsetBackingStore` with JsonConverter,
//! schemas off): key `["CONNECTOR",{source partition}]`, value `{source offset}` or null. The
//! offsets of every connector are kept, read by source tasks when they start and by
//! `GET /connectors/{c}/offsets`.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// Source offsets per connector, keyed by the partition's canonical JSON text.
#[derive(Debug, Clone, Default)]
pub struct SourceOffsets {
    pub connectors: BTreeMap<String, BTreeMap<String, (Json, Json)>>,
}

impl SourceOffsets {
    pub fn apply(&mut self, key: &[u8], value: Option<&[u8]>) {
        let Ok(Json::Array(parts)) = serde_json::from_slice::<Json>(key) else {
            tracing::warn!("ignoring an offsets record whose key is not [connector, partition]");
            return;
        };
        let (Some(Json::String(connector)), Some(partition)) = (parts.first(), parts.get(1)) else {
            return;
        };
        let offsets = self.connectors.entry(connector.clone()).or_default();
        let id = partition.to_string();
        match value.and_then(|v| serde_json::from_slice::<Json>(v).ok()) {
            Some(Json::Null) | None => {
                offsets.remove(&id);
            }
            Some(offset) => {
                offsets.insert(id, (partition.clone(), offset));
            }
        }
    }

    /// The offset stored for one source partition.
    pub fn get(&self, connector: &str, partition: &Json) -> Option<&Json> {
        self.connectors.get(connector)?.get(&partition.to_string()).map(|(_, o)| o)
    }
}

/// The record key of a connector's source partition.
pub fn key(connector: &str, partition: &Json) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([connector, partition])).unwrap_or_default()
}
