//! Memo: the one shape of every per-isolate map (purge generations, coalescing leaders,
//! remembered failures). Linear memory never shrinks and an isolate serves strangers, so a map
//! bounded by entries is not bounded at all when a stranger picks the keys' length (a 12,000
//! byte path, 10,000 times, is 120 MB). Here keys are 32-byte digests, whatever they name, and
//! each map is bounded by the bytes it holds: a new entry evicts the oldest until it fits.
//!
//! What is counted per entry: the key, the value's inline size and the heap bytes its owner
//! declares, each at twice their size for the hash table's slack (a table grows by doubling
//! and is at most 7/8 full), and one slot of the eviction queue (also twice). The queue keeps a
//! slot per insert (a replaced or removed entry's old slot stays until it reaches the front),
//! so its slots are counted too; they are dropped by eviction, and compacted away when they
//! outnumber the live entries (the coalescing map removes every entry it inserts).

use std::collections::{HashMap, VecDeque};
use std::mem::size_of;

/// A digest naming what an entry is about (`store::sha256` of its text).
pub type Key = [u8; 32];

pub struct Memo<V> {
    map: HashMap<Key, Slot<V>>,
    order: VecDeque<(Key, u64)>,
    bytes: usize,
    cap: usize,
    seq: u64,
}

struct Slot<V> {
    value: V,
    cost: usize,
    seq: u64,
}

const QUEUE_SLOT: usize = 2 * size_of::<(Key, u64)>();

impl<V> Memo<V> {
    /// An empty map holding at most `cap` bytes.
    pub fn new(cap: usize) -> Memo<V> {
        Memo {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            cap,
            seq: 0,
        }
    }

    /// What an entry with `heap` bytes of its own costs.
    fn cost(heap: usize) -> usize {
        2 * (size_of::<Key>() + size_of::<Slot<V>>() + heap)
    }

    pub fn get(&self, key: &Key) -> Option<&V> {
        self.map.get(key).map(|s| &s.value)
    }

    /// Keeps `value` (which owns `heap` bytes besides its inline size) under `key`, replacing
    /// what was there and evicting the oldest entries until the map fits its bound. An entry
    /// larger than the whole bound is not kept.
    pub fn insert(&mut self, key: Key, value: V, heap: usize) {
        self.remove(&key);
        let cost = Self::cost(heap);
        if cost + QUEUE_SLOT > self.cap {
            return;
        }
        while self.bytes + cost + QUEUE_SLOT > self.cap {
            if !self.evict_oldest() {
                break;
            }
        }
        self.seq += 1;
        self.order.push_back((key, self.seq));
        self.map.insert(
            key,
            Slot {
                value,
                cost,
                seq: self.seq,
            },
        );
        self.bytes += cost + QUEUE_SLOT;
    }

    pub fn remove(&mut self, key: &Key) -> Option<V> {
        let slot = self.map.remove(key)?;
        self.bytes -= slot.cost;
        if self.order.len() > 2 * self.map.len() + 16 {
            self.compact();
        }
        Some(slot.value)
    }

    /// Drops the queue's slots of entries removed or replaced since.
    fn compact(&mut self) {
        let map = &self.map;
        self.order
            .retain(|(k, seq)| map.get(k).is_some_and(|s| s.seq == *seq));
        self.bytes =
            self.map.values().map(|s| s.cost).sum::<usize>() + self.order.len() * QUEUE_SLOT;
    }

    /// Drops the front of the queue (and its entry, if the slot is the entry's current one).
    fn evict_oldest(&mut self) -> bool {
        let Some((key, seq)) = self.order.pop_front() else {
            return false;
        };
        self.bytes -= QUEUE_SLOT;
        if self.map.get(&key).is_some_and(|s| s.seq == seq) {
            self.remove(&key);
        }
        true
    }

    /// Bytes counted now (`DEBUG_MEMORY_HEADER`).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: u32) -> Key {
        let mut k = [0; 32];
        k[..4].copy_from_slice(&i.to_le_bytes());
        k
    }

    #[test]
    fn stays_within_its_bytes_and_evicts_the_oldest() {
        let mut m: Memo<u64> = Memo::new(4096);
        for i in 0..10_000 {
            m.insert(k(i), i as u64, 0);
            assert!(m.bytes() <= 4096);
        }
        assert!(m.get(&k(9_999)).is_some());
        assert!(m.get(&k(0)).is_none());
        assert!(m.len() > 10);
    }

    #[test]
    fn replacing_one_key_forever_stays_bounded() {
        let mut m: Memo<u64> = Memo::new(1024);
        for i in 0..10_000 {
            m.insert(k(1), i, 0);
            assert!(m.bytes() <= 1024);
        }
        assert_eq!(m.get(&k(1)), Some(&9_999));
        assert!(m.order.len() * QUEUE_SLOT <= 1024);
    }

    #[test]
    fn removed_entries_leave_no_slots_behind() {
        let mut m: Memo<u64> = Memo::new(1 << 20);
        for i in 0..10_000 {
            m.insert(k(i), 0, 0);
            m.remove(&k(i));
        }
        assert!(m.order.len() <= 16);
        assert_eq!(m.bytes(), m.order.len() * QUEUE_SLOT);
    }

    #[test]
    fn heap_bytes_count_and_an_entry_too_large_is_not_kept() {
        let mut m: Memo<Vec<u8>> = Memo::new(10_000);
        m.insert(k(1), vec![0; 20_000], 20_000);
        assert!(m.get(&k(1)).is_none());
        assert_eq!(m.bytes(), 0);
        for i in 0..100 {
            m.insert(k(i), vec![0; 1000], 1000);
        }
        assert!(m.bytes() <= 10_000);
        assert!(m.len() <= 5);
        assert_eq!(m.remove(&k(99)).map(|v| v.len()), Some(1000));
    }
}
