//! Passage keys: content-defined passages of the shingle sequence, banded.
//!
//! A passage ends after a shingle whose hash is 0 mod `mean` (as rsync/LBFS chunking
//! cuts), so texts sharing a stretch cut it alike; each passage of at least `min`
//! shingles gets `bands` keys of two salted min-hashes each (dedup/fingerprint.py).

use xxhash_rust::xxh3::xxh3_64;

use crate::minhash::fmix32;
use crate::shingle::NGRAM_MULT;

const PASSAGE_SALT: u64 = 0x9E37_79B9_7F4A_7C15;
pub const ROWS: usize = 2;

/// Passage parameters.
#[derive(Clone, Debug)]
pub struct Passages {
    pub mean: u32,
    pub min: usize,
    pub bands: usize,
    /// `bands * ROWS` salts.
    pub salts: Vec<u32>,
}

impl Passages {
    /// Append the keys of one text's passages (`bands` per passage) to `out`.
    pub fn keys(&self, sequence: &[u32], out: &mut Vec<u64>) {
        let mean = self.mean.max(1);
        let mut mins = vec![u32::MAX; self.salts.len()];
        let mut start = 0;
        while start < sequence.len() {
            let mut end = start + 1;
            while end < sequence.len() && !sequence[end - 1].is_multiple_of(mean) {
                end += 1;
            }
            if end - start >= self.min {
                mins.fill(u32::MAX);
                for &s in &sequence[start..end] {
                    for (m, &salt) in mins.iter_mut().zip(&self.salts) {
                        *m = (*m).min(fmix32(s ^ salt));
                    }
                }
                for b in 0..self.bands {
                    let mut key = (u64::from(mins[b * ROWS]) << 32) | u64::from(mins[b * ROWS + 1]);
                    key = key.wrapping_add((b as u64 + 1).wrapping_mul(PASSAGE_SALT));
                    key ^= key >> 31;
                    key = key.wrapping_mul(NGRAM_MULT);
                    key ^= key >> 29;
                    out.push(key);
                }
            }
            start = end;
        }
    }
}

/// Fine passages (issue 15): a text with fewer than `FINE_STORED_BELOW` passages
/// is also cut after every shingle whose hash is 0 mod `FINE_MEAN` (about 8
/// shingles, a clause; the cuts of the passages above are among these), and each
/// fine passage of at least `FINE_MIN` shingles gets one key: the hash of its
/// shingles in order. These keys only ever tell whether a stretch is verbatim in
/// the other text (src/verify.rs `edited`), never find candidates, so a key needs
/// no tolerance of edits (the passages' banded min-hashes are for lookup): one exact
/// key per passage, equal when the stretch is the same.
pub const FINE_MEAN: u32 = 8;
pub const FINE_MIN: usize = 3;
/// Texts with fewer passages than this keep fine passage keys; verification uses
/// them when both texts have them (`verify::FINE_BELOW` is this); long articles
/// cost nothing.
pub const FINE_STORED_BELOW: usize = 16;

/// Append the fine passage keys of `sequence` to `out` (one per fine passage).
pub fn fine_keys(sequence: &[u32], out: &mut Vec<u64>) {
    let mut start = 0;
    let mut bytes = Vec::new();
    while start < sequence.len() {
        let mut end = start + 1;
        while end < sequence.len() && !sequence[end - 1].is_multiple_of(FINE_MEAN) {
            end += 1;
        }
        if end - start >= FINE_MIN {
            bytes.clear();
            bytes.extend(sequence[start..end].iter().flat_map(|s| s.to_le_bytes()));
            out.push(xxh3_64(&bytes));
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passages() -> Passages {
        Passages {
            mean: 24,
            min: 8,
            bands: 3,
            salts: vec![11, 22, 33, 44, 55, 66],
        }
    }

    #[test]
    fn short_texts_have_no_passage_and_shared_stretches_share_keys() {
        let p = passages();
        let mut out = Vec::new();
        p.keys(&[1, 2, 3], &mut out);
        assert!(out.is_empty());
        // Cuts after multiples of 24: 48 ends the first passage in both texts.
        let a: Vec<u32> = (25..49).chain(100..140).collect();
        let b: Vec<u32> = (25..49).chain(500..540).collect();
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        p.keys(&a, &mut ka);
        p.keys(&b, &mut kb);
        assert_eq!(ka.len() % 3, 0);
        assert_eq!(ka[..3], kb[..3]);
        assert_ne!(ka[3..], kb[3..]);
    }

    #[test]
    fn fine_passages_cut_every_multiple_of_eight_and_key_the_stretch() {
        let mut out = Vec::new();
        fine_keys(&[1, 2], &mut out);
        assert!(out.is_empty());
        // Cuts after 8 and 16: passages 1..=8, 9..=16, 17..=20.
        let a: Vec<u32> = (1..21).collect();
        let mut b = a.clone();
        b[18] = 99; // inside the last passage
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        fine_keys(&a, &mut ka);
        fine_keys(&b, &mut kb);
        assert_eq!(ka.len(), 3);
        assert_eq!(ka[..2], kb[..2]);
        assert_ne!(ka[2], kb[2]);
    }
}
