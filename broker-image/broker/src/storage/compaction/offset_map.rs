//! The cleaner's bounded map from record key to the latest offset holding it (Kafka's
//! `SkimpyOffsetMap`): each key is hashed to 128 bits and stored beside its offset in one
//! open-addressing table of 24-byte slots, so memory is fixed by `log.cleaner.dedupe.buffer.size`
//! whatever the keys' sizes. Two keys sharing a 128-bit hash are taken as equal (as Kafka takes
//! two keys with the same MD5); the odds are negligible.

use std::hash::{DefaultHasher, Hasher};

/// Bytes one entry takes: the 128-bit key hash and the offset.
pub const ENTRY_BYTES: usize = 24;

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: [u64; 2],
    /// -1: empty.
    offset: i64,
}

const EMPTY: Slot = Slot { hash: [0, 0], offset: -1 };

#[derive(Debug)]
pub struct OffsetMap {
    slots: Vec<Slot>,
    /// Entries allowed before the map counts as full (the load factor keeps probes short).
    capacity: usize,
    used: usize,
    latest_offset: i64,
}

fn hash_key(key: &[u8]) -> [u64; 2] {
    let mut a = DefaultHasher::new();
    a.write(key);
    let mut b = DefaultHasher::new();
    b.write_u8(0x5a);
    b.write(key);
    [a.finish(), b.finish()]
}

impl OffsetMap {
    /// A map using at most `buffer_bytes`, and no more than `expected_keys` need (at `load_factor`).
    pub fn new(buffer_bytes: usize, load_factor: f64, expected_keys: usize) -> Self {
        let by_buffer = (buffer_bytes / ENTRY_BYTES).max(2);
        let by_need = ((expected_keys.max(1) as f64 / load_factor).ceil() as usize).max(2);
        let slots = by_buffer.min(by_need);
        let capacity = ((slots as f64 * load_factor) as usize).clamp(1, slots - 1);
        OffsetMap {
            slots: vec![EMPTY; slots],
            capacity,
            used: 0,
            latest_offset: -1,
        }
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Whether no new key can be added.
    pub fn is_full(&self) -> bool {
        self.used >= self.capacity
    }

    /// The largest offset put so far (-1 when empty).
    pub fn latest_offset(&self) -> i64 {
        self.latest_offset
    }

    /// Marks offsets up to `offset` as covered by the map (records there without an entry are
    /// the newest for their key).
    pub fn update_latest_offset(&mut self, offset: i64) {
        self.latest_offset = self.latest_offset.max(offset);
    }

    /// Bytes the table occupies.
    pub fn memory_bytes(&self) -> usize {
        self.slots.len() * ENTRY_BYTES
    }

    fn find(&self, hash: [u64; 2]) -> usize {
        let n = self.slots.len();
        let mut i = (hash[0] % n as u64) as usize;
        loop {
            let s = &self.slots[i];
            if s.offset < 0 || s.hash == hash {
                return i;
            }
            i = (i + 1) % n;
        }
    }

    /// Records `offset` as the latest for `key`. `false` (nothing stored) when the key is new
    /// and the map is full.
    pub fn put(&mut self, key: &[u8], offset: i64) -> bool {
        let hash = hash_key(key);
        let i = self.find(hash);
        if self.slots[i].offset < 0 {
            if self.is_full() {
                return false;
            }
            self.used += 1;
        }
        self.slots[i] = Slot { hash, offset };
        self.latest_offset = self.latest_offset.max(offset);
        true
    }

    /// The latest offset recorded for `key`.
    pub fn get(&self, key: &[u8]) -> Option<i64> {
        let s = self.slots[self.find(hash_key(key))];
        (s.offset >= 0).then_some(s.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #[test]
        fn behaves_like_a_hash_map_until_full(puts in proptest::collection::vec((0u16..300, 0i64..1_000_000), 0..2_000), buffer in 48usize..10_000) {
            let mut m = OffsetMap::new(buffer, 0.9, 300);
            let mut model: HashMap<u16, i64> = HashMap::new();
            for (k, o) in puts {
                let key = k.to_be_bytes();
                let stored = m.put(&key, o);
                if model.contains_key(&k) || model.len() < m.capacity {
                    prop_assert!(stored);
                    model.insert(k, o);
                } else {
                    prop_assert!(!stored, "a full map refuses new keys");
                }
                prop_assert!(m.memory_bytes() <= buffer.max(48));
            }
            for (k, o) in &model {
                prop_assert_eq!(m.get(&k.to_be_bytes()), Some(*o));
            }
            prop_assert_eq!(m.len(), model.len());
        }
    }

    #[test]
    fn sized_by_need_when_the_buffer_is_larger() {
        let m = OffsetMap::new(128 << 20, 0.9, 10);
        assert!(m.memory_bytes() < 1024);
        assert!(!m.is_full());
        assert_eq!(m.get(b"missing"), None);
    }
}
