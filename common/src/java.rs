//! Java's behaviour that Kafka's output depends on: `String.hashCode` (Kafka places groups on
//! `__consumer_offsets` partitions with it) and the iteration order of a `java.util.HashMap`
//! (the topic descriptions of `kafka-topics --describe`, the `Configs:` column and the topics of
//! `kafka-configs --describe` all come out of one), and `String.split`'s dropping of trailing
//! empty pieces, so our output matches Kafka's byte for byte.

use std::collections::HashMap;

/// Java's `String.hashCode`, over UTF-16 code units.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// The order a `java.util.HashMap` iterates string `keys` after they were put in this order
/// (`new HashMap<>()`, or `new HashMap<>(initial_capacity)`); a key put twice keeps its first
/// place. See [`hash_map_order_by`].
pub fn hash_map_order<T: AsRef<str>>(keys: impl IntoIterator<Item = T>, initial_capacity: Option<usize>) -> Vec<T> {
    let mut unique: Vec<T> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if seen.insert(key.as_ref().to_string()) {
            unique.push(key);
        }
    }
    hash_map_order_by(unique, |k| string_hash(k.as_ref()), initial_capacity)
}

/// The order a `java.util.HashMap` iterates distinct `keys` (with Java's `hashCode` given by
/// `hash`) after they were put in this order. A bucket keeps its keys in insertion order, and
/// resizing keeps that order, so the order is by bucket (`(h ^ h >>> 16) & (capacity - 1)`)
/// under the final table size, then by insertion. (Kafka's tools put tens of keys in these
/// maps: the red-black trees Java grows for buckets of 8 and more in tables of 64 and more are
/// out of reach.)
pub fn hash_map_order_by<T>(keys: Vec<T>, hash: impl Fn(&T) -> i32, initial_capacity: Option<usize>) -> Vec<T> {
    let hashes: Vec<u32> = keys
        .iter()
        .map(|k| {
            let h = hash(k) as u32;
            h ^ (h >> 16)
        })
        .collect();
    let mut capacity: usize = match initial_capacity {
        Some(n) => n.max(1).next_power_of_two(),
        None => 16,
    };
    let threshold = |cap: usize| (cap as f64 * 0.75) as usize;
    // Bucket sizes are tracked to replay Java's "treeify" resizes: a bucket reaching 9 keys in a
    // table smaller than 64 doubles the table instead.
    let mut buckets: HashMap<usize, usize> = HashMap::new();
    let rebucket = |cap: usize, upto: usize| {
        let mut b = HashMap::new();
        for h in &hashes[..upto] {
            *b.entry(*h as usize & (cap - 1)).or_insert(0) += 1;
        }
        b
    };
    for (i, h) in hashes.iter().enumerate() {
        let size = i + 1;
        let bucket = buckets.entry(*h as usize & (capacity - 1)).or_insert(0);
        *bucket += 1;
        let mut resized = false;
        if *bucket >= 9 && capacity < 64 {
            capacity *= 2;
            resized = true;
        }
        if size > threshold(capacity) {
            capacity *= 2;
            resized = true;
        }
        if resized {
            buckets = rebucket(capacity, size);
        }
    }
    let mut order: Vec<(usize, usize, T)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| (hashes[i] as usize & (capacity - 1), i, k))
        .collect();
    order.sort_by_key(|(bucket, i, _)| (*bucket, *i));
    order.into_iter().map(|(_, _, k)| k).collect()
}

/// Java's `String.split` on one character: trailing empty pieces are dropped.
pub fn split(text: &str, sep: char) -> Vec<&str> {
    let mut pieces: Vec<&str> = text.split(sep).collect();
    while pieces.len() > 1 && pieces.last().is_some_and(|p| p.is_empty()) {
        pieces.pop();
    }
    if pieces.len() == 1 && pieces[0].is_empty() && !text.is_empty() {
        pieces.clear();
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Orders the real kafka-topics (4.4) printed for these names.
    #[test]
    fn matches_what_kafkas_tools_printed() {
        let mut names: Vec<String> = [
            "ord-alpha",
            "ord-beta",
            "ord-gamma",
            "ord-delta",
            "ord-epsilon",
            "ord-zeta",
            "ord-eta",
            "ord-theta",
            "ord-iota",
            "ord-kappa",
            "ord-lambda",
            "ord-mu",
            "ord-nu",
            "ord-xi",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.sort();
        let described = hash_map_order(names.clone(), Some(names.len()));
        assert_eq!(
            described,
            [
                "ord-kappa",
                "ord-xi",
                "ord-zeta",
                "ord-iota",
                "ord-alpha",
                "ord-lambda",
                "ord-beta",
                "ord-mu",
                "ord-theta",
                "ord-nu",
                "ord-delta",
                "ord-eta",
                "ord-epsilon",
                "ord-gamma"
            ]
        );
        // The Configs column of a topic created with these overrides, among the 37 configs
        // Kafka 4.4 describes (its answer lists segment.bytes before retention.ms: they share a
        // bucket).
        let configs = [
            "compression.type",
            "min.insync.replicas",
            "cleanup.policy",
            "flush.ms",
            "segment.bytes",
            "retention.ms",
            "max.message.bytes",
            "delete.retention.ms",
        ];
        let all = "segment.bytes cleanup.policy compression.gzip.level compression.lz4.level compression.type \
            compression.zstd.level delete.retention.ms errors.deadletterqueue.group.enable file.delete.delay.ms \
            flush.messages flush.ms follower.replication.throttled.replicas index.interval.bytes \
            leader.replication.throttled.replicas local.retention.bytes local.retention.ms max.compaction.lag.ms \
            max.decompressed.message.bytes max.message.bytes message.timestamp.after.max.ms \
            message.timestamp.before.max.ms message.timestamp.type min.cleanable.dirty.ratio min.compaction.lag.ms \
            min.insync.replicas preallocate remote.copy.lag.bytes remote.copy.lag.ms remote.log.copy.disable \
            remote.log.delete.on.disable remote.storage.enable retention.bytes retention.ms segment.index.bytes \
            segment.jitter.ms segment.ms unclean.leader.election.enable";
        let ordered: Vec<&str> = hash_map_order(all.split_whitespace(), None)
            .into_iter()
            .filter(|k| configs.contains(k))
            .collect();
        assert_eq!(ordered, configs);
    }

    /// What Java's `String.split` returns for these.
    #[test]
    fn split_drops_trailing_empty_pieces() {
        assert_eq!(split("a,b,,", ','), ["a", "b"]);
        assert_eq!(split(",a", ','), ["", "a"]);
        assert_eq!(split("", ','), [""]);
        assert!(split(",,", ',').is_empty());
    }

    #[test]
    fn small_maps_and_duplicates() {
        assert_eq!(hash_map_order(["b", "a", "b"], Some(1)), ["a", "b"]);
        assert!(hash_map_order(Vec::<String>::new(), None).is_empty());
        // What Java 17's `String.hashCode` returned for these.
        assert_eq!(string_hash("retention.ms"), -1_339_220_362);
    }
}
