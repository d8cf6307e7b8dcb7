//! Script-aware shingling: a normalized text in, its shingle hashes in text order out.
//!
//! A token is a maximal run of letters and digits (`str.isalnum`, Han/Kana/Hangul
//! excepted) or one Han/Kana/Hangul character. A text whose tokens are mostly such
//! characters is cut into `cjk_ngram`-character shingles, any other into
//! `word_ngram`-word shingles. Token hashes are polynomial over the token's UTF-8
//! bytes; n-gram hashes combine token hashes with position multipliers.

use crate::unicode::{class, ALNUM_BIT, CJK_BIT};

// The FNV-64 prime, doubled plus one (odd, so the map is invertible mod 2^64).
const P: u64 = 0x0100_0000_01B3 * 2 + 1;
const TOKEN_LENGTH_MULT: u64 = 0xD6E8_FEB8_6659_FD93;
pub const NGRAM_MULT: u64 = 0xBF58_476D_1CE4_E5B9;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

const fn powers() -> [u64; 64] {
    let mut out = [1u64; 64];
    let mut i = 1;
    while i < 64 {
        out[i] = out[i - 1].wrapping_mul(P);
        i += 1;
    }
    out
}
static POWERS: [u64; 64] = powers();

const fn positions() -> [u64; 16] {
    let mut out = [0u64; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = GOLDEN.wrapping_mul(2 * i as u64 + 1) | 1;
        i += 1;
    }
    out
}
static POSITION: [u64; 16] = positions();

#[inline]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Hashes a token byte by byte.
#[derive(Default)]
struct TokenHasher {
    h: u64,
    len: usize,
}

impl TokenHasher {
    #[inline]
    fn push(&mut self, byte: u8) {
        self.h = self
            .h
            .wrapping_add(u64::from(byte).wrapping_mul(POWERS[self.len.min(63)]));
        self.len += 1;
    }

    #[inline]
    fn finish(&mut self, out: &mut Vec<u64>) {
        if self.len > 0 {
            let h = self.h ^ (self.len as u64).wrapping_mul(TOKEN_LENGTH_MULT);
            out.push(fmix64(h));
            self.h = 0;
            self.len = 0;
        }
    }
}

/// The token hashes of `text` and how many tokens are Han/Kana/Hangul characters.
pub fn token_hashes(text: &str, out: &mut Vec<u64>) -> usize {
    out.clear();
    let mut token = TokenHasher::default();
    if text.is_ascii() {
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() {
                token.push(b);
            } else {
                token.finish(out);
            }
        }
        token.finish(out);
        return 0;
    }
    let mut cjk = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                token.push(b);
            } else {
                token.finish(out);
            }
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let width = c.len_utf8();
        let bits = class(c);
        if bits & CJK_BIT != 0 {
            token.finish(out);
            bytes[i..i + width].iter().for_each(|&b| token.push(b));
            token.finish(out);
            cjk += 1;
        } else if bits & ALNUM_BIT != 0 {
            bytes[i..i + width].iter().for_each(|&b| token.push(b));
        } else {
            token.finish(out);
        }
        i += width;
    }
    token.finish(out);
    cjk
}

/// The shingle hashes of a normalized text, in text order (`scratch` holds token hashes).
pub fn shingle_sequence(
    text: &str,
    word_ngram: usize,
    cjk_ngram: usize,
    scratch: &mut Vec<u64>,
    out: &mut Vec<u32>,
) {
    out.clear();
    let cjk = token_hashes(text, scratch);
    let ntok = scratch.len();
    if ntok == 0 {
        return;
    }
    let n = if 2 * cjk >= ntok {
        cjk_ngram
    } else {
        word_ngram
    };
    // A text shorter than n tokens is one shingle of all its tokens.
    let n = n.min(ntok).max(1);
    out.reserve(ntok - n + 1);
    for window in scratch.windows(n) {
        let mut acc = 0u64;
        for (i, &t) in window.iter().enumerate() {
            acc = acc.wrapping_add(t.wrapping_mul(POSITION[i & 15]));
        }
        acc ^= acc >> 29;
        acc = acc.wrapping_mul(NGRAM_MULT);
        out.push((acc >> 32) as u32);
    }
}

/// From this many values on, `radix_sort` beats a comparison sort (an article has
/// hundreds of shingles).
const RADIX_FROM: usize = 128;

/// Sort `values` a byte at a time from the lowest (four stable counting passes); a
/// pass whose byte is the same in every value is skipped.
fn radix_sort(values: &mut [u32]) {
    let mut counts = [[0usize; 256]; 4];
    for &v in values.iter() {
        for (k, count) in counts.iter_mut().enumerate() {
            count[(v >> (8 * k)) as usize & 0xFF] += 1;
        }
    }
    let mut other = vec![0u32; values.len()];
    let mut sorted_in_values = true;
    for (k, count) in counts.iter().enumerate() {
        if count.contains(&values.len()) {
            continue; // one byte value throughout: this pass would not move anything
        }
        let mut at = [0usize; 256];
        let mut sum = 0;
        for (slot, &c) in at.iter_mut().zip(count) {
            *slot = sum;
            sum += c;
        }
        let (from, to): (&[u32], &mut [u32]) = if sorted_in_values {
            (values, &mut other)
        } else {
            (&other, values)
        };
        for &v in from {
            let byte = (v >> (8 * k)) as usize & 0xFF;
            to[at[byte]] = v;
            at[byte] += 1;
        }
        sorted_in_values = !sorted_in_values;
    }
    if !sorted_in_values {
        values.copy_from_slice(&other);
    }
}

/// The sorted distinct values of `sequence`, appended to `out`.
pub fn distinct_sorted(sequence: &[u32], out: &mut Vec<u32>) {
    let start = out.len();
    out.extend_from_slice(sequence);
    sort_distinct_from(out, start);
}

/// Sort `out[start..]` and keep each value once.
pub fn sort_distinct_from(out: &mut Vec<u32>, start: usize) {
    if out.len() - start >= RADIX_FROM {
        radix_sort(&mut out[start..]);
    } else {
        out[start..].sort_unstable();
    }
    let mut kept = start;
    for i in start..out.len() {
        if i == start || out[i] != out[kept - 1] {
            out[kept] = out[i];
            kept += 1;
        }
    }
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(text: &str) -> Vec<u32> {
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        shingle_sequence(text, 5, 4, &mut scratch, &mut out);
        out
    }

    #[test]
    fn word_and_character_shingles() {
        assert_eq!(seq("the quick brown fox jumps over the lazy dog").len(), 5);
        assert_eq!(seq("新华社北京电").len(), 3); // 6 characters, 4-grams
        assert_eq!(seq("one two").len(), 1); // shorter than n: one shingle
        assert!(seq("").is_empty());
        assert!(seq(" ,.;\n").is_empty());
    }

    #[test]
    fn order_matters_and_punctuation_does_not() {
        assert_ne!(seq("a b c d e"), seq("e d c b a"));
        assert_eq!(seq("a b, c d. e"), seq("a b c d e"));
    }

    #[test]
    fn radix_sort_sorts() {
        let mut state: u64 = 3;
        for n in [0, 1, 2, 127, 128, 129, 1000, 5000] {
            for spread in [u32::MAX, 0xFF, 0xFFFF_FF00, 0x00FF_00FF] {
                let mut values: Vec<u32> = (0..n)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (state >> 32) as u32 & spread
                    })
                    .collect();
                let mut want = values.clone();
                want.sort_unstable();
                radix_sort(&mut values);
                assert_eq!(values, want);
            }
        }
    }

    #[test]
    fn distinct_sorted_dedups() {
        let mut out = vec![7];
        distinct_sorted(&[3, 1, 3, 2, 1], &mut out);
        assert_eq!(out, vec![7, 1, 2, 3]);
    }
}
