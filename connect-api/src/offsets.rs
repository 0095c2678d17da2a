//! `ConnectorOffsets` (`GET`/`PATCH /connectors/{c}/offsets`). Partitions and offsets are free
//! JSON; they are written with every object's keys in `java.util.HashMap` order, as Kafka
//! Connect answers offsets from the maps its JsonConverter read.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// One entry of `ConnectorOffsets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorOffset {
    #[serde(serialize_with = "java_hash_order")]
    pub partition: serde_json::Value,
    #[serde(serialize_with = "java_hash_order")]
    pub offset: serde_json::Value,
}

/// `ConnectorOffsets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorOffsets {
    pub offsets: Option<Vec<ConnectorOffset>>,
}

/// A JSON value with every object's keys in `java.util.HashMap` order.
fn java_hash_order<S: Serializer>(value: &serde_json::Value, s: S) -> Result<S::Ok, S::Error> {
    JavaOrder(value).serialize(s)
}

struct JavaOrder<'a>(&'a serde_json::Value);

impl Serialize for JavaOrder<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::Object(m) => {
                let keys = kaskade_common::java::hash_map_order(m.keys(), None);
                let mut map = s.serialize_map(Some(m.len()))?;
                for k in keys {
                    map.serialize_entry(k, &JavaOrder(&m[k]))?;
                }
                map.end()
            }
            serde_json::Value::Array(items) => s.collect_seq(items.iter().map(JavaOrder)),
            other => other.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_java_key_order() {
        let offsets = ConnectorOffsets {
            offsets: Some(vec![ConnectorOffset {
                partition: serde_json::json!({"kafka_topic": "t", "kafka_partition": 0}),
                offset: serde_json::json!({"kafka_offset": 5}),
            }]),
        };
        let text = serde_json::to_string(&offsets).unwrap();
        let keys = kaskade_common::java::hash_map_order(["kafka_partition", "kafka_topic"], None);
        let expected = format!(
            r#"{{"offsets":[{{"partition":{{"{}":{},"{}":{}}},"offset":{{"kafka_offset":5}}}}]}}"#,
            keys[0],
            if keys[0] == "kafka_topic" { r#""t""# } else { "0" },
            keys[1],
            if keys[1] == "kafka_topic" { r#""t""# } else { "0" },
        );
        assert_eq!(text, expected);
        assert_eq!(serde_json::from_str::<ConnectorOffsets>(&text).unwrap(), offsets);
    }

    #[test]
    fn no_offsets_is_null() {
        let none = ConnectorOffsets { offsets: None };
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"offsets":null}"#);
        assert_eq!(serde_json::from_str::<ConnectorOffsets>(r#"{"offsets":null}"#).unwrap(), none);
        assert_eq!(serde_json::from_str::<ConnectorOffsets>("{}").unwrap(), none);
    }
}
