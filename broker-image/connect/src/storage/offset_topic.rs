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

/// The record key of a connector's source partition, byte for byte as Kafka Connect writes it
/// (its JsonConverter without schemas: objects in `java.util.HashMap` order), so a key we
/// write replaces, under compaction, the one Apache's worker wrote for the same partition.
pub fn key(connector: &str, partition: &Json) -> Vec<u8> {
    java_json(&serde_json::json!([connector, partition]))
}

/// An offset value as Kafka Connect writes it.
pub fn value(offset: &Json) -> Vec<u8> {
    java_json(offset)
}

/// JSON as Kafka Connect's schemaless JsonConverter writes it: read into Connect data (maps in
/// HashMap order, numbers as Java reads them) and written back.
fn java_json(value: &Json) -> Vec<u8> {
    use std::sync::LazyLock;
    static CONVERTER: LazyLock<Option<Box<dyn crate::converters::Converter>>> = LazyLock::new(|| {
        let configs = [("schemas.enable".to_string(), "false".to_string())].into();
        crate::converters::new_converter(crate::config::worker::JSON_CONVERTER, &configs, true).ok()
    });
    let plain = serde_json::to_vec(value).unwrap_or_default();
    let Some(c) = CONVERTER.as_ref() else { return plain };
    c.to_connect("", Some(&plain))
        .and_then(|sv| c.from_connect("", sv.schema.as_ref(), &sv.value))
        .ok()
        .flatten()
        .unwrap_or(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_as_kafka_connect_writes_them() {
        let k = key("src", &serde_json::json!({"filename": "/tmp/in.txt"}));
        assert_eq!(String::from_utf8(k).unwrap(), r#"["src",{"filename":"/tmp/in.txt"}]"#);
        // java.util.HashMap order: "protocol" is in bucket 2, "table" in bucket 14, whatever
        // the order they were put in.
        let k = key("jdbc", &serde_json::json!({"table": "db.users", "protocol": "1"}));
        assert_eq!(String::from_utf8(k).unwrap(), r#"["jdbc",{"protocol":"1","table":"db.users"}]"#);
        assert_eq!(
            String::from_utf8(value(&serde_json::json!({"position": 10}))).unwrap(),
            r#"{"position":10}"#
        );
    }
}
