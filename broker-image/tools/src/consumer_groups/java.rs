//! The small pieces of Java behaviour Kafka's tool output depends on, so ours prints the same
//! bytes: `String.format`'s `%-Ns` padding (UTF-16 units), and (on `kaskade_common::java`'s
//! HashMap order) the iteration order of a `java.util.HashMap` keyed by group ids or
//! `TopicPartition`s — Kafka prints reset plans and deletion results straight out of such maps,
//! so their order is part of the output.

use kaskade_client::TopicPartition;

pub use kaskade_common::java::{hash_map_order_by, string_hash};

/// Java's `String.length()`: UTF-16 code units.
pub fn jlen(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `String.format("%-{width}s", s)`: `s` then spaces up to `width` (never truncated).
pub fn left(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(width.max(s.len()));
    out.push_str(s);
    for _ in jlen(s)..width {
        out.push(' ');
    }
    out
}

/// Kafka's `TopicPartition.hashCode()`.
pub fn partition_hash(tp: &TopicPartition) -> i32 {
    let result = 31i32.wrapping_add(tp.partition);
    31i32.wrapping_mul(result).wrapping_add(string_hash(&tp.topic))
}

/// A `new HashMap<>()`'s order of distinct string keys (group ids).
pub fn string_map_order(keys: Vec<String>) -> Vec<String> {
    hash_map_order_by(keys, |k| string_hash(k), None)
}

/// A `new HashMap<>()`'s order of distinct `TopicPartition` keys.
pub fn partition_map_order<V>(entries: Vec<(TopicPartition, V)>) -> Vec<(TopicPartition, V)> {
    hash_map_order_by(entries, |(tp, _)| partition_hash(tp), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_javas() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("g2"), 3243);
        assert_eq!(string_hash("billing"), -109_829_509);
        assert_eq!(string_hash("日本"), 26_085 * 31 + 26_412);
        assert_eq!(partition_hash(&TopicPartition::new("orders", 0)), 31 * 31 + string_hash("orders"));
    }

    /// Orders Kafka 4.4's tool printed against a real broker.
    #[test]
    fn map_orders_match_what_kafka_printed() {
        // `--reset-offsets --group billing --group g2`: g2's rows came first.
        assert_eq!(string_map_order(vec!["billing".into(), "g2".into()]), ["g2", "billing"]);
        let tps = |topic: &str, n: i32| (0..n).map(|p| (TopicPartition::new(topic, p), ())).collect::<Vec<_>>();
        let order = |v: Vec<(TopicPartition, ())>| v.into_iter().map(|(tp, _)| tp.partition).collect::<Vec<_>>();
        assert_eq!(order(partition_map_order(tps("orders", 2))), [0, 1]);
    }

    #[test]
    fn large_maps_use_larger_tables() {
        // 13 keys resize the table to 32 buckets: the order is by bucket in that table.
        let keys: Vec<String> = (0..13).map(|i| format!("g{i}")).collect();
        let ordered = string_map_order(keys.clone());
        let bucket = |k: &String| {
            let h = string_hash(k) as u32;
            (h ^ (h >> 16)) & 31
        };
        assert!(ordered.windows(2).all(|w| bucket(&w[0]) <= bucket(&w[1])));
        assert_eq!(ordered.len(), keys.len());
    }

    #[test]
    fn padding_counts_utf16_units_and_never_truncates() {
        assert_eq!(left("ab", 4), "ab  ");
        assert_eq!(left("abcdef", 4), "abcdef");
        assert_eq!(left("é", 2), "é ");
        assert_eq!(left("😀", 3), "😀 ");
    }
}
