//! The per-article stages composed: credit- and chrome-free bodies in, fingerprints out.
//!
//! Each body is normalized, its numbers keyed, shingled, MinHashed and cut into
//! passages; the content hash is XXH3-64 of the shingle sequence (equal hashes: the
//! same token sequence). Articles are independent, so a batch runs on a thread pool.

use std::cell::RefCell;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::minhash::MinHasher;
use crate::numbers::number_keys;
use crate::passages::{fine_keys, Passages, FINE_STORED_BELOW};
use crate::shingle::{distinct_sorted, shingle_sequence};

/// Buffers one thread reuses from article to article.
#[derive(Default)]
struct Scratch {
    tokens: Vec<u64>,
    sequence: Vec<u32>,
    bytes: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The settings of the text stages (fixed by an index's `Config`).
#[derive(Clone, Debug)]
pub struct Stages {
    pub word_ngram: usize,
    pub cjk_ngram: usize,
    pub minhash: MinHasher,
    pub passages: Passages,
    /// Keep each article's distinct shingles (`Config.verify == "exact"`).
    pub keep_shingles: bool,
}

/// One article's fingerprints.
#[derive(Default)]
pub struct Fingerprint {
    pub signature: Vec<u32>,
    pub shingles: Vec<u32>,
    pub size: u32,
    pub content_hash: u64,
    pub passages: Vec<u64>,
    /// Fine passage keys, only when there are fewer than `FINE_STORED_BELOW` passages.
    pub fine: Vec<u64>,
    pub numbers: Vec<u32>,
}

/// A batch's fingerprints, concatenated (article `i`'s passages are
/// `passage_keys[passage_offsets[i]..passage_offsets[i + 1]]`, and so on).
#[derive(Default)]
pub struct Batch {
    pub signatures: Vec<u32>,
    pub sizes: Vec<u32>,
    pub content_hashes: Vec<u64>,
    pub passage_keys: Vec<u64>,
    pub passage_offsets: Vec<i64>,
    pub number_keys: Vec<u32>,
    pub number_offsets: Vec<i64>,
    pub shingle_values: Vec<u32>,
    pub shingle_offsets: Vec<i64>,
    pub fine_keys: Vec<u64>,
    pub fine_offsets: Vec<i64>,
}

impl Stages {
    /// Fingerprint one normalized text.
    pub fn fingerprint(&self, text: &str) -> Fingerprint {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.fingerprint_with(text, &mut scratch),
            Err(_) => self.fingerprint_with(text, &mut Scratch::default()),
        })
    }

    fn fingerprint_with(&self, text: &str, scratch: &mut Scratch) -> Fingerprint {
        let mut fp = Fingerprint::default();
        number_keys(text, &mut fp.numbers);
        let Scratch {
            tokens,
            sequence,
            bytes,
        } = scratch;
        shingle_sequence(text, self.word_ngram, self.cjk_ngram, tokens, sequence);
        distinct_sorted(sequence, &mut fp.shingles);
        fp.size = fp.shingles.len() as u32;
        fp.signature = vec![0; self.minhash.k];
        self.minhash.signature(&fp.shingles, &mut fp.signature);
        self.passages.keys(sequence, &mut fp.passages);
        if fp.passages.len() < FINE_STORED_BELOW * self.passages.bands.max(1) {
            fine_keys(sequence, &mut fp.fine);
        }
        bytes.clear();
        bytes.extend(sequence.iter().flat_map(|s| s.to_le_bytes()));
        fp.content_hash = xxh3_64(bytes);
        if !self.keep_shingles {
            fp.shingles = Vec::new();
        }
        fp
    }

    /// Fingerprint texts `0..n`, text `i` normalized by `text(i)` (which also
    /// gives what else is kept of it, handed back in order), on `pool` (None: this
    /// thread). Each article goes through every stage before the next begins.
    pub fn run<R: Send>(
        &self,
        n: usize,
        text: impl Fn(usize) -> (String, R) + Sync,
        pool: Option<&rayon::ThreadPool>,
    ) -> (Batch, Vec<R>) {
        let one = |i: usize| {
            let (normalized, kept) = text(i);
            (self.fingerprint(&normalized), kept)
        };
        let prints: Vec<(Fingerprint, R)> = match pool {
            Some(pool) => pool.install(|| (0..n).into_par_iter().map(one).collect()),
            None => (0..n).map(one).collect(),
        };
        let mut batch = Batch {
            passage_offsets: vec![0],
            number_offsets: vec![0],
            fine_offsets: vec![0],
            shingle_offsets: if self.keep_shingles {
                vec![0]
            } else {
                Vec::new()
            },
            ..Batch::default()
        };
        batch.signatures.reserve(prints.len() * self.minhash.k);
        let mut kept = Vec::with_capacity(prints.len());
        for (fp, other) in prints {
            kept.push(other);
            batch.signatures.extend_from_slice(&fp.signature);
            batch.sizes.push(fp.size);
            batch.content_hashes.push(fp.content_hash);
            batch.passage_keys.extend_from_slice(&fp.passages);
            batch.passage_offsets.push(batch.passage_keys.len() as i64);
            batch.fine_keys.extend_from_slice(&fp.fine);
            batch.fine_offsets.push(batch.fine_keys.len() as i64);
            batch.number_keys.extend_from_slice(&fp.numbers);
            batch.number_offsets.push(batch.number_keys.len() as i64);
            if self.keep_shingles {
                batch.shingle_values.extend_from_slice(&fp.shingles);
                batch
                    .shingle_offsets
                    .push(batch.shingle_values.len() as i64);
            }
        }
        (batch, kept)
    }
}
