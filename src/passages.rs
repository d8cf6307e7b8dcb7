//! Passage keys: content-defined passages of the shingle sequence, banded.
//!
//! A passage ends after a shingle whose hash is 0 mod `mean` (as rsync/LBFS chunking
//! cuts), so texts sharing a stretch cut it alike; each passage of at least `min`
//! shingles gets `bands` keys of two salted min-hashes each (dedup/fingerprint.py).

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
}
