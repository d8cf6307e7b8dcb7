//! LSH: band keys of signatures, and the band table that finds the stored slots
//! (internal document numbers) sharing a key.
//!
//! Each signature is cut into `bands` bands of `rows` values, each band hashed to one
//! 64-bit key with its band number mixed in, so all bands share one flat table. The
//! table is a few runs sorted by (key, slot), merged geometrically as in an LSM tree
//! (an insert is a run of its own; a run is merged into the one before it while it is
//! at least a quarter of that one's length, so each entry is merged O(log n) times and
//! there are O(log n) runs): 9 bytes per entry with each run's directory on the keys'
//! top bits, no per-key allocation. A table keeps a key's top 32 bits (`stored`):
//! another key that shares them finds the same slots, which verification, which
//! follows every lookup, turns away (at 1M articles of 21 bands about one lookup in
//! ten finds such a stranger; the passage table's holder cap counts it like any
//! holder). A query finds a key's slots in every run from
//! that directory; a capped query takes each key's `cap`
//! lowest live slots, which within a run are the first ones of the key's range.
//! Removed slots are marked dead and dropped when their run is next merged.

use std::cmp::Ordering;

pub const BAND_SALT: u64 = 0x9E37_79B9_7F4A_7C15;
const ROW_MULT_BASE: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// The multiplier of row `i` of a band (odd).
#[inline]
fn row_mult(i: usize) -> u64 {
    ROW_MULT_BASE.wrapping_mul(2 * (i as u64 % 64) + 1) | 1
}

/// The `bands` keys of one signature (its first `bands * rows` values).
pub fn band_keys(sig: &[u32], bands: usize, rows: usize, out: &mut Vec<u64>) {
    for b in 0..bands {
        let mut key = sig[b * rows..(b + 1) * rows]
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, &v)| {
                acc.wrapping_add((v as u64).wrapping_mul(row_mult(i)))
            });
        key = key.wrapping_add((b as u64 + 1).wrapping_mul(BAND_SALT));
        key ^= key >> 31;
        key = key.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        key ^= key >> 29;
        out.push(key);
    }
}

/// What a table keeps of a key: its top 32 bits (keys are hashes).
#[inline]
pub fn stored(key: u64) -> u32 {
    (key >> 32) as u32
}

/// One sorted run: `keys[i]` with `slots[i]`, ordered by (key, slot), and a
/// directory on the keys' top `bits` bits (keys are hashes, so about
/// `BUCKET` entries per bucket): a lookup is one directory read and a short scan.
#[derive(Default, Debug)]
struct Run {
    keys: Vec<u32>,
    slots: Vec<u32>,
    dir: Vec<u32>,
    bits: u32,
}

const BUCKET: usize = 4;

impl Run {
    fn new(keys: Vec<u32>, slots: Vec<u32>) -> Run {
        let mut run = Run {
            keys,
            slots,
            dir: Vec::new(),
            bits: 0,
        };
        let buckets = run.keys.len() / BUCKET;
        if buckets >= 2 {
            run.bits = buckets.ilog2();
            let mut dir = Vec::with_capacity((1 << run.bits) + 1);
            let mut at = 0usize;
            for b in 0..(1u32 << run.bits) {
                while at < run.keys.len() && run.keys[at] >> (32 - run.bits) < b {
                    at += 1;
                }
                dir.push(at as u32);
            }
            dir.push(run.keys.len() as u32);
            run.dir = dir;
        }
        run
    }

    /// The index range of `key`'s entries.
    fn range(&self, key: u32) -> std::ops::Range<usize> {
        let (start, end) = if self.bits == 0 {
            (0, self.keys.len())
        } else {
            let b = (key >> (32 - self.bits)) as usize;
            (self.dir[b] as usize, self.dir[b + 1] as usize)
        };
        let keys = &self.keys[start..end];
        let lo = keys.partition_point(|&k| k < key);
        let hi = lo + keys[lo..].partition_point(|&k| k == key);
        start + lo..start + hi
    }
}

/// Slots marked as removed (a bitset).
#[derive(Default, Debug)]
struct Dead {
    bits: Vec<u64>,
    count: usize,
}

impl Dead {
    #[inline]
    fn has(&self, slot: u32) -> bool {
        let (word, bit) = (slot as usize / 64, slot % 64);
        self.bits.get(word).is_some_and(|w| w >> bit & 1 == 1)
    }

    fn mark(&mut self, slot: u32) {
        let word = slot as usize / 64;
        if word >= self.bits.len() {
            self.bits.resize((word + 1).max(self.bits.len() * 2), 0);
        }
        let bit = 1u64 << (slot % 64);
        if self.bits[word] & bit == 0 {
            self.bits[word] |= bit;
            self.count += 1;
        }
    }
}

/// A run's keys and slots, as `BandTable::parts` lends them.
pub type RunParts<'a> = (&'a [u32], &'a [u32]);

/// Maps band keys to the slots that have them.
#[derive(Default, Debug)]
pub struct BandTable {
    runs: Vec<Run>,
    dead: Dead,
}

impl BandTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Entries held (dead ones included until their run is merged).
    pub fn len(&self) -> usize {
        self.runs.iter().map(|r| r.keys.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the runs, their directories and the dead set.
    pub fn nbytes(&self) -> usize {
        let dirs: usize = self.runs.iter().map(|r| 4 * r.dir.len()).sum();
        8 * self.len() + dirs + 8 * self.dead.bits.len()
    }

    /// Add `(key, slot)` entries (a pair given twice is kept once).
    pub fn insert(&mut self, entries: Vec<(u64, u32)>) {
        if entries.is_empty() {
            return;
        }
        let mut entries: Vec<(u32, u32)> = entries
            .into_iter()
            .map(|(key, slot)| (stored(key), slot))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        let (keys, slots) = entries.into_iter().unzip();
        self.runs.push(Run::new(keys, slots));
        while self.runs.len() > 1 {
            let n = self.runs.len();
            if 4 * self.runs[n - 1].keys.len() < self.runs[n - 2].keys.len() {
                break;
            }
            let newer = self.runs.pop().unwrap_or_default();
            let older = self.runs.pop().unwrap_or_default();
            self.runs.push(self.merged(older, newer));
        }
    }

    /// Two runs as one, dead entries dropped.
    fn merged(&self, a: Run, b: Run) -> Run {
        let total = a.keys.len() + b.keys.len();
        let mut out = Run {
            keys: Vec::with_capacity(total),
            slots: Vec::with_capacity(total),
            ..Run::default()
        };
        let (mut i, mut j) = (0, 0);
        let push = |out: &mut Run, key: u32, slot: u32| {
            if self.dead.count == 0 || !self.dead.has(slot) {
                out.keys.push(key);
                out.slots.push(slot);
            }
        };
        while i < a.keys.len() && j < b.keys.len() {
            match (a.keys[i], a.slots[i]).cmp(&(b.keys[j], b.slots[j])) {
                Ordering::Less => {
                    push(&mut out, a.keys[i], a.slots[i]);
                    i += 1;
                }
                Ordering::Greater => {
                    push(&mut out, b.keys[j], b.slots[j]);
                    j += 1;
                }
                Ordering::Equal => {
                    push(&mut out, a.keys[i], a.slots[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        for k in i..a.keys.len() {
            push(&mut out, a.keys[k], a.slots[k]);
        }
        for k in j..b.keys.len() {
            push(&mut out, b.keys[k], b.slots[k]);
        }
        out.keys.shrink_to_fit();
        out.slots.shrink_to_fit();
        Run::new(out.keys, out.slots)
    }

    /// Forget slots; their entries are dropped at the next merge.
    pub fn discard(&mut self, slots: &[u32]) {
        for &s in slots {
            self.dead.mark(s);
        }
    }

    /// The runs, as `(keys, slots)`, and the dead set's words: what `from_parts`
    /// rebuilds the table from (an index file's snapshot).
    pub fn parts(&self) -> (Vec<RunParts<'_>>, &[u64]) {
        let runs = self
            .runs
            .iter()
            .map(|r| (&r.keys[..], &r.slots[..]))
            .collect();
        (runs, &self.dead.bits)
    }

    /// The table `parts` gave, checked: each run sorted by (key, slot) without
    /// repeats and every slot below `slots`; else what is wrong.
    pub fn from_parts(
        runs: Vec<(Vec<u32>, Vec<u32>)>,
        dead: Vec<u64>,
        slots: u32,
    ) -> Result<BandTable, String> {
        let mut table = BandTable::new();
        for (i, (keys, run_slots)) in runs.into_iter().enumerate() {
            if keys.len() != run_slots.len() {
                return Err(format!(
                    "run {i}: {} keys but {} slots",
                    keys.len(),
                    run_slots.len()
                ));
            }
            let ascending = keys
                .windows(2)
                .zip(run_slots.windows(2))
                .all(|(k, s)| (k[0], s[0]) < (k[1], s[1]));
            if !ascending {
                return Err(format!("run {i} is not sorted"));
            }
            if run_slots.iter().any(|&s| s >= slots) {
                return Err(format!("run {i} holds a slot beyond the {slots} stored"));
            }
            table.runs.push(Run::new(keys, run_slots));
        }
        let count = dead.iter().map(|w| w.count_ones() as usize).sum();
        table.dead = Dead { bits: dead, count };
        Ok(table)
    }

    /// Append to `out` the live slots of `key` (all, or its `cap` lowest when
    /// `cap > 0`).
    pub fn find(&self, key: u64, cap: usize, out: &mut Vec<u32>) {
        let start = out.len();
        let key = stored(key);
        for run in &self.runs {
            let range = run.range(key);
            let mut taken = 0;
            for &slot in &run.slots[range] {
                if self.dead.count > 0 && self.dead.has(slot) {
                    continue;
                }
                out.push(slot);
                taken += 1;
                if cap > 0 && taken == cap {
                    break; // a run's slots of one key ascend: the rest are higher
                }
            }
        }
        if cap > 0 && out.len() - start > cap {
            let mine = &mut out[start..];
            mine.sort_unstable();
            out.truncate(start + cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key whose top 32 bits are `x` (what a table keeps of it).
    fn k(x: u64) -> u64 {
        x << 32 | 0xABCD
    }

    #[test]
    fn a_table_finds_what_was_inserted_and_forgets_the_discarded() {
        let mut table = BandTable::new();
        for slot in 0..1000u32 {
            table.insert(vec![
                (k(u64::from(slot % 7)), slot),
                (k(1_000 + u64::from(slot)), slot),
            ]);
        }
        assert!(
            table.runs.len() < 20,
            "runs are merged: {}",
            table.runs.len()
        );
        let mut out = Vec::new();
        table.find(k(3), 0, &mut out);
        out.sort_unstable();
        assert_eq!(out, (0..1000).filter(|s| s % 7 == 3).collect::<Vec<_>>());
        table.discard(&[3, 10]);
        out.clear();
        table.find(k(3), 2, &mut out);
        assert_eq!(out, vec![17, 24]);
        out.clear();
        table.find(k(1_003), 0, &mut out);
        assert!(out.is_empty());
        out.clear();
        table.find(k(99), 0, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn a_table_from_its_parts_answers_as_it_did() {
        let mut table = BandTable::new();
        table.insert(vec![(k(5), 1), (k(7), 2), (k(5), 3)]);
        table.insert(vec![(k(7), 4), (k(9), 5)]);
        table.discard(&[3]);
        let (runs, dead) = table.parts();
        let runs: Vec<_> = runs.iter().map(|(k, s)| (k.to_vec(), s.to_vec())).collect();
        let copy = BandTable::from_parts(runs.clone(), dead.to_vec(), 6).unwrap();
        for key in [5, 7, 9, 11] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            table.find(k(key), 0, &mut a);
            copy.find(k(key), 0, &mut b);
            assert_eq!(a, b);
        }
        assert!(BandTable::from_parts(runs.clone(), vec![], 5).is_err()); // slot 5
        let mut unsorted = runs;
        unsorted[0].0.reverse();
        assert!(BandTable::from_parts(unsorted, vec![], 6).is_err());
    }

    #[test]
    fn a_pair_is_held_once() {
        let mut table = BandTable::new();
        table.insert(vec![(k(5), 1), (k(5), 1), (k(5), 2)]);
        table.insert(vec![(k(5), 1)]);
        table.insert(vec![(k(5), 1), (k(6), 1)]);
        let mut out = Vec::new();
        table.find(k(5), 0, &mut out);
        out.sort_unstable();
        assert_eq!(out, vec![1, 2]);
    }

    #[test]
    fn keys_are_kept_by_their_top_32_bits() {
        let mut table = BandTable::new();
        table.insert(vec![(k(5), 1), (k(5) + 1, 2), (k(5), 2), (7 << 32, 3)]);
        let mut out = Vec::new();
        table.find(k(5) ^ 0xFFFF_FFFF, 0, &mut out);
        out.sort_unstable();
        assert_eq!(out, vec![1, 2]); // a stranger sharing the top bits: verification's
        assert_eq!(table.len(), 3); // (5, 2) held once, under both keys
    }

    #[test]
    fn band_keys_mix_the_band_number() {
        let mut keys = Vec::new();
        band_keys(&[1, 2, 1, 2], 2, 2, &mut keys);
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0], keys[1]);
    }
}
