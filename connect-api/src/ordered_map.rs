//! Config maps as JSON objects in a chosen order: Kafka answers with Java map orders, which the
//! herder reproduces, so a config cannot be a `BTreeMap`. [`OrderedMap`] reads and writes a JSON
//! object of strings keeping its entries' order; [`PatchMap`] is a config patch, where a null
//! value removes the key. Both read scalars as text, as Jackson does into a `Map<String, String>`.

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

impl Serialize for PatchMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_map_keeps_document_order_both_ways() {
        let text = r#"{"z":"1","a":"2","m":"3"}"#;
        let map: OrderedMap = serde_json::from_str(text).unwrap();
        assert_eq!(map.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["z", "a", "m"]);
        assert_eq!(serde_json::to_string(&map).unwrap(), text);
    }

    #[test]
    fn scalars_are_read_as_text() {
        let map: OrderedMap = serde_json::from_str(r#"{"tasks.max":1,"enabled":true}"#).unwrap();
        assert_eq!(map.get("tasks.max"), Some("1"));
        assert_eq!(map.get("enabled"), Some("true"));
        let err = serde_json::from_str::<OrderedMap>(r#"{"a":[1]}"#).unwrap_err().to_string();
        assert!(
            err.starts_with("Cannot deserialize value of type `java.lang.String` from Array value"),
            "{err}"
        );
    }

    #[test]
    fn patch_map_round_trips_its_nulls() {
        let text = r#"{"b":null,"a":"x"}"#;
        let patch: PatchMap = serde_json::from_str(text).unwrap();
        assert_eq!(patch.0, vec![("b".to_string(), None), ("a".to_string(), Some("x".to_string()))]);
        assert_eq!(serde_json::to_string(&patch).unwrap(), text);
    }
}
