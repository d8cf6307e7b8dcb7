//! Article ids to slots, by the ids' 64-bit hashes (XXH3 of their UTF-8).
//!
//! A hash map of `u64 -> u32` costs ~30 bytes an article where a Python dict of
//! `str -> int` cost ~130 (the key object, the int, the entry). A hash names an id
//! only almost surely: the caller checks the id stored in the slot it gets back,
//! and keeps the rare id whose hash another id already holds in a small map of its
//! own (`insert` says when).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_64;

/// The hash of an id: XXH3-64 of its UTF-8.
pub fn id_hash(id: &str) -> u64 {
    xxh3_64(id.as_bytes())
}

/// Keys that are hashes already: used as they are.
#[derive(Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Id hashes to slots.
#[derive(Default, Debug)]
pub struct IdMap {
    slots: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
}

impl IdMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slot held under `hash`, if any (the caller checks it is the id's).
    pub fn get(&self, hash: u64) -> Option<u32> {
        self.slots.get(&hash).copied()
    }

    /// Hold `slot` under `hash`; false (nothing changed) when another slot holds it.
    pub fn insert(&mut self, hash: u64, slot: u32) -> bool {
        match self.slots.entry(hash) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(slot);
                true
            }
        }
    }

    /// Forget `hash` if it holds `slot`; whether it did.
    pub fn remove(&mut self, hash: u64, slot: u32) -> bool {
        if self.slots.get(&hash) == Some(&slot) {
            self.slots.remove(&hash);
            true
        } else {
            false
        }
    }

    /// Renumber: slot `live[i]` becomes `i`; entries of other slots are dropped.
    pub fn keep(&mut self, live: &[u32]) {
        let mut new_of: HashMap<u32, u32> = HashMap::with_capacity(live.len());
        for (i, &old) in live.iter().enumerate() {
            new_of.insert(old, i as u32);
        }
        self.slots.retain(|_, slot| match new_of.get(slot) {
            Some(&new) => {
                *slot = new;
                true
            }
            None => false,
        });
    }

    /// `(hashes, slots)`, by hash: what `from_parts` takes back.
    pub fn parts(&self) -> (Vec<u64>, Vec<u32>) {
        let mut pairs: Vec<(u64, u32)> = self.slots.iter().map(|(&h, &s)| (h, s)).collect();
        pairs.sort_unstable();
        pairs.into_iter().unzip()
    }

    /// The map of `parts`, checked: no hash twice, every slot below `slots`.
    pub fn from_parts(hashes: &[u64], held: &[u32], slots: u32) -> Result<IdMap, String> {
        if hashes.len() != held.len() {
            return Err(format!("{} hashes but {} slots", hashes.len(), held.len()));
        }
        let mut map = IdMap::default();
        map.slots.reserve(hashes.len());
        for (&h, &s) in hashes.iter().zip(held) {
            if s >= slots {
                return Err(format!("slot {s} beyond the {slots} stored"));
            }
            if !map.insert(h, s) {
                return Err(format!("id hash {h:#x} twice"));
            }
        }
        Ok(map)
    }

    /// Bytes held (the map's table at its capacity).
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_hash_is_refused_and_removal_needs_the_slot() {
        let mut ids = IdMap::new();
        let (a, b) = (id_hash("a"), id_hash("b"));
        assert_ne!(a, b);
        assert!(ids.insert(a, 0) && ids.insert(b, 1));
        assert!(!ids.insert(a, 2));
        assert_eq!(ids.get(a), Some(0));
        assert!(!ids.remove(a, 2) && ids.remove(a, 0));
        assert_eq!(ids.get(a), None);
    }

    #[test]
    fn renumbering_and_parts() {
        let mut ids = IdMap::new();
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            ids.insert(id_hash(name), i as u32);
        }
        ids.keep(&[1, 3]);
        assert_eq!(ids.len(), 2);
        assert_eq!(ids.get(id_hash("b")), Some(0));
        assert_eq!(ids.get(id_hash("d")), Some(1));
        let (h, s) = ids.parts();
        let copy = IdMap::from_parts(&h, &s, 2).unwrap();
        assert_eq!(copy.get(id_hash("d")), Some(1));
        assert!(IdMap::from_parts(&h, &s, 1).is_err());
        assert!(IdMap::from_parts(&[h[0], h[0]], &[0, 1], 2).is_err());
    }
}
