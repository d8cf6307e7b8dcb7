//! MinHash signatures of shingle sets: `oph32` and `affine32` (see dedup/fingerprint.py).
//!
//! The random parameters (datasketch's `a`, `b` and the densification probes) are
//! drawn in Python with numpy's `RandomState`, as the reference draws them, and
//! handed to the core once.

pub const EMPTY: u32 = 0xFFFF_FFFF;

/// MurmurHash3's 32-bit finalizer.
#[inline]
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// Which MinHash, with its parameters.
#[derive(Clone, Debug)]
pub enum Scheme {
    /// One-permutation hashing with densification by fixed probes.
    Oph {
        mix_bin: u32,
        mix_value: u32,
        /// `probes[attempt * k + bin]`: where an empty bin looks on `attempt`.
        probes: Vec<u32>,
    },
    /// datasketch's affine permutations of the MurmurHash3-mixed shingle hashes.
    Affine { a: Vec<u32>, b: Vec<u32> },
}

/// A MinHash of fixed width.
#[derive(Clone, Debug)]
pub struct MinHasher {
    pub k: usize,
    pub scheme: Scheme,
}

impl MinHasher {
    /// The signature of a set of shingle hashes (all `EMPTY` for an empty set).
    pub fn signature(&self, shingles: &[u32], out: &mut [u32]) {
        out.fill(EMPTY);
        if shingles.is_empty() {
            return;
        }
        match &self.scheme {
            Scheme::Oph {
                mix_bin,
                mix_value,
                probes,
            } => self.oph(shingles, *mix_bin, *mix_value, probes, out),
            Scheme::Affine { a, b } => {
                for &s in shingles {
                    let m = fmix32(s);
                    for ((slot, &ai), &bi) in out.iter_mut().zip(a).zip(b) {
                        let v = m.wrapping_mul(ai).wrapping_add(bi);
                        if v < *slot {
                            *slot = v;
                        }
                    }
                }
            }
        }
    }

    fn oph(&self, shingles: &[u32], mix_bin: u32, mix_value: u32, probes: &[u32], out: &mut [u32]) {
        let k = self.k;
        let mut sig = vec![EMPTY; k];
        for &s in shingles {
            let h = fmix32(s ^ mix_bin);
            let bin = ((u64::from(h) * k as u64) >> 32) as usize;
            // A real minimum of EMPTY would read as empty: nudge it (p = 2^-32).
            let v = fmix32(h.wrapping_add(mix_value)).min(EMPTY - 1);
            if v < sig[bin] {
                sig[bin] = v;
            }
        }
        let attempts = probes.len() / k.max(1);
        for c in 0..k {
            if sig[c] != EMPTY {
                out[c] = sig[c];
                continue;
            }
            let probed = (0..attempts)
                .map(|t| probes[t * k + c] as usize)
                .find(|&src| src < k && sig[src] != EMPTY);
            // After the probes, the next filled bin to the right.
            let src =
                probed.or_else(|| (1..k).map(|step| (c + step) % k).find(|&s| sig[s] != EMPTY));
            if let Some(src) = src {
                out[c] = sig[src];
            }
        }
    }
}

/// How many positions of `a` equal those of `b`.
#[inline]
pub fn agreement(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oph(k: usize) -> MinHasher {
        let probes = (0..64 * k).map(|i| ((i * 7919) % k) as u32).collect();
        MinHasher {
            k,
            scheme: Scheme::Oph {
                mix_bin: 0x1234_5677,
                mix_value: 0x9876_5433,
                probes,
            },
        }
    }

    #[test]
    fn empty_set_is_all_empty_and_one_shingle_fills_every_bin() {
        let m = oph(16);
        let mut sig = vec![0; 16];
        m.signature(&[], &mut sig);
        assert!(sig.iter().all(|&v| v == EMPTY));
        m.signature(&[42], &mut sig);
        assert!(sig.iter().all(|&v| v == sig[0] && v != EMPTY));
    }

    #[test]
    fn identical_sets_agree_and_different_sets_mostly_do_not() {
        let m = oph(128);
        let a: Vec<u32> = (0..500).collect();
        let b: Vec<u32> = (1000..1500).collect();
        let (mut sa, mut sb) = (vec![0; 128], vec![0; 128]);
        m.signature(&a, &mut sa);
        m.signature(&a, &mut sb);
        assert_eq!(agreement(&sa, &sb), 128);
        m.signature(&b, &mut sb);
        assert!(agreement(&sa, &sb) < 16);
    }

    #[test]
    fn affine_takes_the_minimum_per_permutation() {
        let m = MinHasher {
            k: 2,
            scheme: Scheme::Affine {
                a: vec![1, 3],
                b: vec![0, 5],
            },
        };
        let mut sig = vec![0; 2];
        m.signature(&[7, 9], &mut sig);
        let want: Vec<u32> = (0..2)
            .map(|i| {
                [7u32, 9]
                    .iter()
                    .map(|&s| fmix32(s).wrapping_mul([1, 3][i]).wrapping_add([0, 5][i]))
                    .min()
                    .unwrap()
            })
            .collect();
        assert_eq!(sig, want);
    }
}
