//! LSH: band keys of signatures, and the band table that finds the stored slots
//! (internal document numbers) sharing a key.
//!
//! Each signature is cut into `bands` bands of `rows` values, each band hashed to one
//! 64-bit key with its band number mixed in, so all bands share one flat table. The
//! table is a few runs sorted by (key, slot), merged geometrically as in an LSM tree
//! (an insert is a run of its own; a run is merged into the one before it while it is
//! at least a quarter of that one's length, so each entry is merged O(log n) times and
//! there are O(log n) runs): 9 bytes per entry with each run's directory on the keys'
//! top bits (7 in a run of `NARROW_FROM` entries or more, which keeps only the bits
//! of a key below its directory's), no per-key allocation. A table keeps a key's top 32 bits (`stored`):
//! another key that shares them finds the same slots, which verification, which
//! follows every lookup, turns away (at 1M articles of 21 bands about one lookup in
//! ten finds such a stranger; the passage table's holder cap counts it like any
//! holder). A query finds a key's slots in every run from
//! that directory; a capped query takes each key's `cap`
//! lowest live slots, which within a run are the first ones of the key's range.
//! Removed slots are marked dead and dropped when their run is next merged.

use std::borrow::Cow;
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

/// One sorted run: entry `i` is key `i` with `slots[i]`, ordered by (key, slot), and
/// a directory on the keys' top `bits` bits (keys are hashes, so about `BUCKET`
/// entries per bucket): a lookup is one directory read and a short scan.
#[derive(Default, Debug)]
struct Run {
    keys: Keys,
    slots: Vec<u32>,
    dir: Vec<u32>,
    bits: u32,
}

const BUCKET: usize = 4;

/// A run's keys: whole, or in a run of `NARROW_FROM` entries or more (whose
/// directory is on at least `32 - LOW_BITS` top bits) only their low `LOW_BITS`
/// bits, the bucket an entry is in saying the rest: 6 bytes an entry, not 8, and
/// the same 32 bits of each key (measured on `bench.memory`, 20k -> 100k: band and
/// passage tables 178 + 497 -> 138 + 386 B/article).
#[derive(Debug)]
enum Keys {
    Whole(Vec<u32>),
    Low(Vec<u16>),
}

impl Default for Keys {
    fn default() -> Self {
        Keys::Whole(Vec::new())
    }
}

const LOW_BITS: u32 = 16;
/// Entries from which a run keeps its keys' low bits only (its directory, on at
/// least 16 bits, then costs no more than the two bytes an entry saves).
const NARROW_FROM: usize = 1 << 17;

impl Run {
    fn new(keys: Vec<u32>, slots: Vec<u32>) -> Run {
        let n = keys.len();
        let buckets = n / BUCKET;
        let mut bits = if buckets >= 2 { buckets.ilog2() } else { 0 };
        let narrow = n >= NARROW_FROM;
        if narrow {
            bits = bits.max(32 - LOW_BITS);
        }
        let mut dir = Vec::new();
        if bits > 0 {
            dir.reserve_exact((1 << bits) + 1);
            let mut at = 0usize;
            for b in 0..(1u32 << bits) {
                while at < n && keys[at] >> (32 - bits) < b {
                    at += 1;
                }
                dir.push(at as u32);
            }
            dir.push(n as u32);
        }
        let keys = if narrow {
            Keys::Low(keys.iter().map(|&k| k as u16).collect())
        } else {
            Keys::Whole(keys)
        };
        Run {
            keys,
            slots,
            dir,
            bits,
        }
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Bytes of the keys, slots and directory.
    fn nbytes(&self) -> usize {
        let key = match self.keys {
            Keys::Whole(_) => 4,
            Keys::Low(_) => 2,
        };
        (key + 4) * self.len() + 4 * self.dir.len()
    }

    /// The index range of `key`'s entries.
    fn range(&self, key: u32) -> std::ops::Range<usize> {
        let (start, end) = if self.bits == 0 {
            (0, self.len())
        } else {
            let b = (key >> (32 - self.bits)) as usize;
            (self.dir[b] as usize, self.dir[b + 1] as usize)
        };
        // within a bucket the keys share their top bits: the low ones order them
        let (lo, hi) = match &self.keys {
            Keys::Whole(keys) => equal_range(&keys[start..end], key),
            Keys::Low(keys) => equal_range(&keys[start..end], key as u16),
        };
        start + lo..start + hi
    }

    /// The keys in order, whole (a narrow run's rebuilt bucket by bucket).
    fn whole_keys(&self) -> Cow<'_, [u32]> {
        let low = match &self.keys {
            Keys::Whole(keys) => return Cow::Borrowed(keys),
            Keys::Low(low) => low,
        };
        let shift = 32 - self.bits;
        let mask = (1u32 << shift) - 1;
        let mut keys = Vec::with_capacity(low.len());
        for (bucket, ends) in self.dir.windows(2).enumerate() {
            let top = (bucket as u32) << shift;
            let range = ends[0] as usize..ends[1] as usize;
            keys.extend(low[range].iter().map(|&k| top | (u32::from(k) & mask)));
        }
        Cow::Owned(keys)
    }
}

/// Where `key`'s entries are in the sorted `keys`.
fn equal_range<T: Ord + Copy>(keys: &[T], key: T) -> (usize, usize) {
    let lo = keys.partition_point(|&k| k < key);
    (lo, lo + keys[lo..].partition_point(|&k| k == key))
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

/// A run's keys (whole) and slots, as `BandTable::parts` gives them.
pub type RunParts<'a> = (Cow<'a, [u32]>, &'a [u32]);

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
        self.runs.iter().map(Run::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the runs, their directories and the dead set.
    pub fn nbytes(&self) -> usize {
        let runs: usize = self.runs.iter().map(Run::nbytes).sum();
        runs + 8 * self.dead.bits.len()
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
            if 4 * self.runs[n - 1].len() < self.runs[n - 2].len() {
                break;
            }
            let newer = self.runs.pop().unwrap_or_default();
            let older = self.runs.pop().unwrap_or_default();
            self.runs.push(self.merged(older, newer));
        }
    }

    /// Two runs as one, dead entries dropped.
    fn merged(&self, a: Run, b: Run) -> Run {
        let total = a.len() + b.len();
        let (mut keys, mut slots) = (Vec::with_capacity(total), Vec::with_capacity(total));
        let mut push = |key: u32, slot: u32| {
            if self.dead.count == 0 || !self.dead.has(slot) {
                keys.push(key);
                slots.push(slot);
            }
        };
        let (a_keys, b_keys) = (a.whole_keys(), b.whole_keys());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match (a_keys[i], a.slots[i]).cmp(&(b_keys[j], b.slots[j])) {
                Ordering::Less => {
                    push(a_keys[i], a.slots[i]);
                    i += 1;
                }
                Ordering::Greater => {
                    push(b_keys[j], b.slots[j]);
                    j += 1;
                }
                Ordering::Equal => {
                    push(a_keys[i], a.slots[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        for k in i..a.len() {
            push(a_keys[k], a.slots[k]);
        }
        for k in j..b.len() {
            push(b_keys[k], b.slots[k]);
        }
        keys.shrink_to_fit();
        slots.shrink_to_fit();
        Run::new(keys, slots)
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
            .map(|r| (r.whole_keys(), &r.slots[..]))
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

    /// `n` pseudo-random `(key, slot)` entries over `keys` distinct keys (an LCG).
    fn entries(n: usize, keys: u64, seed: u64) -> Vec<(u64, u32)> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let key = (x >> 33) % keys;
                // spread over all 32 stored bits, buckets' edges included
                let top = key.wrapping_mul(0x9E37_79B9) & 0xFFFF_FFFF;
                (top << 32 | 0x1234, (i / 3) as u32)
            })
            .collect()
    }

    #[test]
    fn a_large_run_keeps_low_key_bits_and_answers_as_a_whole_one() {
        let mut table = BandTable::new();
        let all = entries(3 * NARROW_FROM / 2, 40_000, 7);
        table.insert(all.clone());
        let more = entries(NARROW_FROM / 2, 40_000, 9);
        table.insert(more.clone()); // merged with the first: a run of ~2 * NARROW_FROM
        assert_eq!(table.runs.len(), 1);
        assert!(matches!(table.runs[0].keys, Keys::Low(_)));
        assert!(table.nbytes() < 7 * table.len() + 4 * (1 << 16) + 64);
        let mut model: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for &(key, slot) in all.iter().chain(&more) {
            model.entry(stored(key)).or_default().push(slot);
        }
        for slots in model.values_mut() {
            slots.sort_unstable();
            slots.dedup();
        }
        table.discard(&[5, 6]);
        for (&key, slots) in model.iter().step_by(97) {
            let mut out = Vec::new();
            table.find(u64::from(key) << 32, 0, &mut out);
            let live: Vec<u32> = slots
                .iter()
                .copied()
                .filter(|s| ![5, 6].contains(s))
                .collect();
            assert_eq!(out, live, "key {key:#x}");
            out.clear();
            table.find(u64::from(key) << 32, 2, &mut out);
            assert_eq!(out, live[..live.len().min(2)]);
        }
        for absent in [0u32, 1, u32::MAX, 0x8000_0000] {
            if !model.contains_key(&absent) {
                let mut out = Vec::new();
                table.find(u64::from(absent) << 32, 0, &mut out);
                assert!(out.is_empty());
            }
        }
        // the parts give the whole keys back, and a table of them is the same
        let (runs, dead) = table.parts();
        let whole: Vec<u32> = model
            .iter()
            .flat_map(|(&k, s)| std::iter::repeat_n(k, s.len()))
            .collect();
        assert_eq!(&runs[0].0[..], &whole[..]);
        let runs: Vec<_> = runs.iter().map(|(k, s)| (k.to_vec(), s.to_vec())).collect();
        let copy = BandTable::from_parts(runs, dead.to_vec(), 1 << 20).unwrap();
        assert!(matches!(copy.runs[0].keys, Keys::Low(_)));
        assert_eq!(copy.runs[0].dir, table.runs[0].dir);
    }

    #[test]
    fn band_keys_mix_the_band_number() {
        let mut keys = Vec::new();
        band_keys(&[1, 2, 1, 2], 2, 2, &mut keys);
        assert_eq!(keys.len(), 2);
        assert_ne!(keys[0], keys[1]);
    }
}
