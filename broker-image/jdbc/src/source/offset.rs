//! Source partitions and offsets in Confluent's format, so a connector moved from Confluent's
//! worker to ours (or back) keeps its place: the partition `{"protocol":"1","table":"db.users"}`
//! (or `{"query":"query"}`), the offset `{"incrementing":N}`, `{"timestamp":ms,
//! "timestamp_nanos":ns}` or both. Ours adds `kaskade.gaps` — ids seen missing that an open
//! transaction may still commit — only while there are some, so the offset stays Confluent's.

use serde_json::{json, Map, Value as Json};

/// Confluent's current offset protocol.
pub const PROTOCOL: &str = "1";
const GAPS: &str = "kaskade.gaps";

/// The partition of a table (protocol 1) and its legacy form (protocol 0, the bare table name),
/// which Confluent still reads.
pub fn table_partition(full_name: &str) -> Json {
    json!({ "protocol": PROTOCOL, "table": full_name })
}

pub fn legacy_table_partition(table: &str) -> Json {
    json!({ "table": table })
}

pub fn query_partition() -> Json {
    json!({ "query": "query" })
}

/// Where a table's incremental copy stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    pub incrementing: Option<i64>,
    /// Milliseconds since the epoch and the nanoseconds of that second.
    pub timestamp: Option<(i64, u32)>,
    /// Ids below `incrementing` not seen yet that may still be committed.
    pub gaps: Vec<i64>,
}

impl Position {
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        if let Some(i) = self.incrementing {
            m.insert("incrementing".into(), json!(i));
        }
        if let Some((ms, nanos)) = self.timestamp {
            m.insert("timestamp".into(), json!(ms));
            m.insert("timestamp_nanos".into(), json!(nanos));
        }
        if !self.gaps.is_empty() {
            m.insert(GAPS.into(), json!(self.gaps));
        }
        Json::Object(m)
    }

    pub fn from_json(offset: &Json) -> Position {
        let int = |k: &str| offset.get(k).and_then(Json::as_i64);
        Position {
            incrementing: int("incrementing"),
            timestamp: int("timestamp").map(|ms| {
                let nanos = int("timestamp_nanos")
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or_else(|| (ms.rem_euclid(1000) * 1_000_000) as u32);
                (ms, nanos)
            }),
            gaps: offset
                .get(GAPS)
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(Json::as_i64).collect())
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confluent_shapes() {
        assert_eq!(table_partition("db.users").to_string(), r#"{"protocol":"1","table":"db.users"}"#);
        let p = Position {
            incrementing: Some(7),
            ..Default::default()
        };
        assert_eq!(p.to_json().to_string(), r#"{"incrementing":7}"#);
        let p = Position {
            incrementing: Some(7),
            timestamp: Some((1680643371123, 123_456_000)),
            gaps: vec![5],
        };
        let j = p.to_json();
        assert_eq!(j["timestamp_nanos"], 123_456_000);
        assert_eq!(Position::from_json(&j), p);
        let confluent = json!({"timestamp": 1680643371123i64});
        assert_eq!(Position::from_json(&confluent).timestamp, Some((1680643371123, 123_000_000)));
    }
}
