//! The worker's small bodies: `ServerInfo` (`GET /`), `PluginInfo` (`GET /connector-plugins`),
//! Kafka Connect's error body and its `{"message":…}` answers.

use serde::{Deserialize, Serialize};

/// `ServerInfo` (`GET /`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub version: String,
    pub commit: String,
    pub kafka_cluster_id: String,
}

/// `PluginInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    pub class: String,
    /// `source`, `sink`, `transformation`, `predicate`, `converter` or `header_converter`.
    #[serde(rename = "type")]
    pub kind: String,
    pub version: String,
}

/// `{"error_code":N,"message":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub error_code: u16,
    pub message: String,
}

/// `{"message":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip() {
        let server = ServerInfo {
            version: "4.1.0".into(),
            commit: "abc".into(),
            kafka_cluster_id: "id".into(),
        };
        let text = serde_json::to_string(&server).unwrap();
        assert_eq!(text, r#"{"version":"4.1.0","commit":"abc","kafka_cluster_id":"id"}"#);
        assert_eq!(serde_json::from_str::<ServerInfo>(&text).unwrap(), server);

        let plugin = PluginInfo {
            class: "org.apache.kafka.connect.transforms.Cast$Value".into(),
            kind: "transformation".into(),
            version: "4.1.0".into(),
        };
        let text = serde_json::to_string(&plugin).unwrap();
        assert_eq!(
            text,
            r#"{"class":"org.apache.kafka.connect.transforms.Cast$Value","type":"transformation","version":"4.1.0"}"#
        );
        assert_eq!(serde_json::from_str::<PluginInfo>(&text).unwrap(), plugin);

        let error = ErrorMessage {
            error_code: 404,
            message: "Connector c not found".into(),
        };
        let text = serde_json::to_string(&error).unwrap();
        assert_eq!(text, r#"{"error_code":404,"message":"Connector c not found"}"#);
        assert_eq!(serde_json::from_str::<ErrorMessage>(&text).unwrap(), error);
    }
}
