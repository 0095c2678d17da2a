//! The Connect REST API's JSON bodies (`org.apache.kafka.connect.runtime.rest.entities`), serde
//! only, field names and order as Kafka Connect writes them. Config maps keep the order they are
//! given in ([`OrderedMap`]): Kafka answers with Java map orders, which the herder reproduces.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON object of strings, in a chosen order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderedMap(pub Vec<(String, String)>);

impl OrderedMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets a key, keeping its place when it is there, appending it otherwise.
    pub fn insert(&mut self, key: &str, value: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    pub fn to_btree(&self) -> std::collections::BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }

    /// The keys in `java.util.HashMap` iteration order, as Kafka answers configs it read back.
    pub fn java_hash_order(map: &std::collections::BTreeMap<String, String>) -> OrderedMap {
        let keys: Vec<&String> = map.keys().collect();
        OrderedMap(
            kaskade_common::java::hash_map_order(keys, None)
                .into_iter()
                .map(|k| (k.clone(), map[k].clone()))
                .collect(),
        )
    }
}

impl Serialize for OrderedMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A config patch: a null value removes the key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PatchMap(pub Vec<(String, Option<String>)>);

/// Reads a JSON object's entries in document order.
struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Vec<(String, Option<String>)>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = access.next_entry::<String, Option<Scalar>>()? {
            out.push((k, v.map(|s| s.0)));
        }
        Ok(out)
    }
}

/// A JSON string, number or boolean read as text (Jackson coerces scalars into a String map).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Scalar(s)),
            serde_json::Value::Number(n) => Ok(Scalar(n.to_string())),
            serde_json::Value::Bool(b) => Ok(Scalar(b.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "Cannot deserialize value of type `java.lang.String` from {}",
                kind(&other)
            ))),
        }
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "Array value",
        serde_json::Value::Object(_) => "Object value",
        _ => "value",
    }
}

impl<'de> Deserialize<'de> for PatchMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MapVisitor).map(PatchMap)
    }
}

impl<'de> Deserialize<'de> for OrderedMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patch = PatchMap::deserialize(d)?;
        Ok(OrderedMap(patch.0.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect()))
    }
}

/// `POST /connectors`.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateConnectorRequest {
    pub name: Option<String>,
    pub config: Option<OrderedMap>,
    pub initial_state: Option<String>,
}

/// `{"connector":…,"task":…}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

/// `ConnectorInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: OrderedMap,
    pub tasks: Vec<TaskId>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `TaskInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct TaskInfo {
    pub id: TaskId,
    pub config: OrderedMap,
}

/// The connector part of `ConnectorStateInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectorState {
    pub state: &'static str,
    pub worker_id: String,
    pub version: &'static str,
    /// Last, as Kafka writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `ConnectorStateInfo.TaskState`.
#[derive(Debug, Clone, Serialize)]
pub struct TaskState {
    pub id: u32,
    pub state: &'static str,
    pub worker_id: String,
    pub version: &'static str,
    /// Last, as Kafka writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `ConnectorStateInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectorStateInfo {
    pub name: String,
    pub connector: ConnectorState,
    pub tasks: Vec<TaskState>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `ServerInfo` (`GET /`).
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub version: &'static str,
    pub commit: &'static str,
    pub kafka_cluster_id: String,
}

/// `PluginInfo`.
#[derive(Debug, Clone, Serialize)]
pub struct PluginInfo {
    pub class: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub version: &'static str,
}

/// `{"error_code":N,"message":"…"}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorMessage {
    pub error_code: u16,
    pub message: String,
}

/// `{"message":"…"}`.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub message: String,
}

/// One entry of `ConnectorOffsets`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectorOffset {
    #[serde(serialize_with = "java_hash_order")]
    pub partition: serde_json::Value,
    #[serde(serialize_with = "java_hash_order")]
    pub offset: serde_json::Value,
}

/// A JSON value with every object's keys in `java.util.HashMap` order: Kafka Connect answers
/// offsets from the maps its JsonConverter read.
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

/// `ConnectorOffsets`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectorOffsets {
    pub offsets: Option<Vec<ConnectorOffset>>,
}
