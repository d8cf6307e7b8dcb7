//! Verification: is a candidate a copy of a cluster's original, and of what kind?
//!
//! `compare` takes an article's fingerprints and those of candidate originals and
//! returns a `Found` per original — exact, near, edited, excerpt or expanded, with
//! its similarity and containment both ways — or None when it is no copy. The rules
//! and their measurements are explained in dedup/verify.py, which calls these; the
//! arithmetic is Python's, operation for operation, so that verdicts are the same to
//! the last bit as the Python rules gave (tests/test_verify_parity.py).
//!
//! The edited rule's runs and ends are in src/edited.rs.
//!
//! Whatever the shingles say, two texts whose numbers disagree are not copies
//! (`numbers_agree`): templated reports share most of their words from one day to
//! the next and differ in the figures.

use std::collections::HashSet;

pub use crate::edited::{
    edited, edited_pair, runs_of, unshared_ends, uses_fine, verbatim_runs, EDITED_COVERAGE,
    EDITED_RUN, EDITED_RUNS, FINE_BELOW, FINE_RUN, FINE_SHORT, FINE_SHORT_RUN, LEAD_EDITED,
    LEAD_REWRITTEN,
};

/// Fewer distinct numbers than this in either text: no number check.
pub const MIN_NUMBERS: usize = 3;
/// Share of the smaller set of numbers the other text must have.
pub const NUMBER_AGREEMENT: f64 = 0.5;
/// Passage checks need this share of the containment threshold.
pub const PARTIAL_PREFILTER: f64 = 0.25;
/// verify="exact" measures the pairs whose estimate is within this of a threshold.
pub const EXACT_MARGIN: f64 = 0.1;
/// Edited versions: J, containment both ways, verbatim coverage, runs (verify.py).
pub const EDITED_JACCARD: f64 = 0.45;
pub const EDITED_CONTAINMENT: f64 = 0.6;
/// Edited versions may differ in length down to this ratio (verify.py).
pub const EDITED_SIZE_RATIO: f64 = 0.75;
/// Keys per passage (dedup/fingerprint.py PASSAGE_BANDS).
pub const PASSAGE_BANDS: usize = 3;

/// The thresholds of an index's configuration.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub threshold: f64,
    pub containment: f64,
    pub size_ratio: f64,
    pub min_shingles: u64,
    /// verify="exact": measure near-threshold pairs on stored shingles.
    pub exact: bool,
    pub num_perm: usize,
}

/// One article's fingerprints.
#[derive(Clone, Copy, Debug)]
pub struct Fp<'a> {
    /// The signature as stored: each value's low 16 bits (b-bit minwise hashing;
    /// dedup/fingerprint.py `stored_signatures`).
    pub sig: &'a [u16],
    pub size: u64,
    pub hash: u64,
    /// Passage keys as a store keeps them (`lsh::stored`: their top 32 bits).
    pub passages: &'a [u32],
    pub numbers: &'a [u32],
    /// Sorted distinct shingle hashes (verify="exact"), if stored.
    pub shingles: Option<&'a [u32]>,
    /// Fine passage keys (short texts; empty when not stored).
    pub fine: &'a [u64],
}

impl<'a> Fp<'a> {
    /// Fingerprints for the tests: a signature, size, content hash and passages;
    /// no numbers, shingles or fine passages.
    #[cfg(test)]
    pub(crate) fn of(sig: &'a [u16], size: u64, hash: u64, passages: &'a [u32]) -> Fp<'a> {
        Fp {
            sig,
            size,
            hash,
            passages,
            numbers: &[],
            shingles: None,
            fine: &[],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Exact,
    Near,
    Edited,
    Excerpt,
    Expanded,
}

/// A copy, unrounded (Python rounds for the verdict).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    pub relation: Relation,
    pub similarity: f64,
    pub copy_in: f64,
    pub orig_in: f64,
}

impl Found {
    fn new(relation: Relation, similarity: f64, copy_in: f64, orig_in: f64) -> Found {
        Found {
            relation,
            similarity,
            copy_in,
            orig_in,
        }
    }
}

/// Python's `min(a, b)` and `max(a, b)` (the first unless the second is strictly
/// smaller / larger).
#[inline]
fn pmin(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

#[inline]
fn pmax(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Shingles two texts share, from their Jaccard and sizes.
#[inline]
fn intersection(sim: f64, size: u64, other: u64) -> f64 {
    sim * ((size + other) as f64) / (1.0 + sim)
}

/// How many values of two signatures are equal.
pub fn agreement(a: &[u16], b: &[u16]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// Size of the intersection of two sorted lists of distinct values.
pub fn shared_sorted<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard of two stored shingle sets; None when either was stored without them.
fn exact_jaccard(mine: &Fp, theirs: &Fp) -> Option<f64> {
    let (a, b) = (mine.shingles?, theirs.shingles?);
    if b.len() as u64 != theirs.size {
        return None;
    }
    let shared = shared_sorted(a, b) as u64;
    Some(shared as f64 / (mine.size + theirs.size - shared) as f64)
}

/// Whether two texts' numbers (sorted distinct keys) allow one to be a copy of the
/// other: the text with fewer distinct numbers (at least `MIN_NUMBERS`) has at
/// least half of them in the other.
pub fn numbers_agree(mine: &[u32], theirs: &[u32]) -> bool {
    let small = mine.len().min(theirs.len());
    if small < MIN_NUMBERS {
        return true;
    }
    shared_sorted(mine, theirs) as f64 >= NUMBER_AGREEMENT * small as f64
}

/// Share of my passages (`PASSAGE_BANDS` keys each) with a key in `theirs`; with
/// five passages or more the first and last are left out (dedup/fingerprint.py).
pub fn passage_containment(mine: &[u32], theirs: &[u32]) -> f64 {
    if mine.is_empty() || theirs.is_empty() {
        return 0.0;
    }
    let mut passages = mine.chunks_exact(PASSAGE_BANDS);
    let mut count = passages.len();
    let skip = if count >= 5 {
        count -= 2;
        1
    } else {
        0
    };
    let theirs: HashSet<u32> = theirs.iter().copied().collect();
    let found = passages
        .by_ref()
        .skip(skip)
        .take(count)
        .filter(|p| p.iter().any(|k| theirs.contains(k)))
        .count();
    found as f64 / count as f64
}

/// Verify `probe` against candidate originals: a loose test on all of them
/// (with more than two) leaves the ones that might be copies, `judge` decides.
pub fn compare(rules: &Rules, probe: &Fp, others: &[Fp]) -> Vec<Option<Found>> {
    let loose = others.len() > 2;
    let margin = if rules.exact { EXACT_MARGIN } else { 0.0 };
    let prefilter = PARTIAL_PREFILTER * rules.containment;
    others
        .iter()
        .map(|other| {
            let sim = agreement(probe.sig, other.sig) as f64 / rules.num_perm as f64;
            // Every rule of `judge` needs one of these (near by containment and the
            // passage check both need the estimated containment above the prefilter).
            if loose {
                let inter = intersection(sim, probe.size, other.size);
                let contained = inter >= prefilter * probe.size.min(other.size) as f64;
                let maybe = other.hash == probe.hash
                    || sim >= rules.threshold - margin
                    || (rules.containment < 1.0 && contained);
                if !maybe {
                    return None;
                }
            }
            judge(rules, probe, other, sim)
        })
        .collect()
}

/// Is `probe` a copy of one original (`sim`: their estimated Jaccard)?
pub fn judge(rules: &Rules, probe: &Fp, other: &Fp, sim: f64) -> Option<Found> {
    if other.hash == probe.hash {
        return Some(Found::new(Relation::Exact, 1.0, 1.0, 1.0));
    }
    let (size, other_size) = (probe.size, other.size);
    let (short, long) = (size.min(other_size), size.max(other_size));
    let by_containment = rules.containment < 1.0;
    // A copy of about the same length is near when J passes, or when the shorter
    // text is mostly inside the longer one (trimmed tail plus a local intro: J ≈
    // 0.75, containment ≈ 0.9).
    let similar_length = short as f64 > rules.size_ratio * long as f64;
    let mut sim = sim;
    if rules.exact && probe.shingles.is_some() {
        sim = exact_sim(rules, probe, other, sim, similar_length)?;
    }
    let inter = intersection(sim, size, other_size);
    let (copy_in, orig_in) = (
        pmin(1.0, inter / size as f64),
        pmin(1.0, inter / other_size as f64),
    );
    let near = sim >= rules.threshold
        || (by_containment && similar_length && pmax(copy_in, orig_in) >= rules.containment);
    // An edited version may be a little shorter or longer than its original (an
    // update longer than the paragraph it replaced): down to EDITED_SIZE_RATIO.
    let edited_candidate = !near
        && by_containment
        && (similar_length || short as f64 > EDITED_SIZE_RATIO * long as f64)
        && sim >= EDITED_JACCARD
        && pmin(copy_in, orig_in) >= EDITED_CONTAINMENT;
    if edited_candidate && similar_length {
        if !numbers_agree(probe.numbers, other.numbers) || !edited_pair(probe, other) {
            return None;
        }
        return Some(Found::new(Relation::Edited, sim, copy_in, orig_in));
    }
    // Passages are compared only where the MinHash estimate of the shorter text's
    // containment reaches a quarter of the threshold: of the 1,918 excerpts and
    // expansions the 10k bench corpus has, none estimates below 0.39 (at 0.8), and
    // the cut removes 90 % of the passage checks (bench/accuracy.py unchanged).
    // The number check is cheaper than passages: first.
    let partial_candidate = by_containment
        && !similar_length
        && short >= rules.min_shingles
        && pmax(copy_in, orig_in) >= PARTIAL_PREFILTER * rules.containment;
    if !near && !partial_candidate && !edited_candidate {
        return None;
    }
    if !numbers_agree(probe.numbers, other.numbers) {
        return None;
    }
    if near {
        return Some(Found::new(Relation::Near, sim, copy_in, orig_in));
    }
    // Of different length: an excerpt or expansion first, else an edited version.
    let found = if partial_candidate {
        partial(rules, probe, other, sim)
    } else {
        None
    };
    if found.is_none() && edited_candidate && edited_pair(probe, other) {
        return Some(Found::new(Relation::Edited, sim, copy_in, orig_in));
    }
    found
}

/// verify="exact": the exact Jaccard of a pair the estimate leaves near a
/// threshold (the estimate when either has no stored shingles), None when it is
/// clearly no copy.
fn exact_sim(rules: &Rules, probe: &Fp, other: &Fp, sim: f64, similar_length: bool) -> Option<f64> {
    let inter = intersection(sim, probe.size, other.size);
    let contained = pmin(
        1.0,
        pmax(inter / probe.size as f64, inter / other.size as f64),
    );
    let t = rules.containment;
    let close = if similar_length {
        contained >= t - EXACT_MARGIN || sim >= EDITED_JACCARD - EXACT_MARGIN
    } else {
        contained >= PARTIAL_PREFILTER * t
    };
    if sim < rules.threshold - EXACT_MARGIN && !(t < 1.0 && close) {
        return None;
    }
    Some(exact_jaccard(probe, other).unwrap_or(sim))
}

/// Excerpt/expanded check for articles of different length: containment on
/// passages and, when the shorter has half the longer's length or half the
/// passages are shared, also estimated from Jaccard and the sizes.
fn partial(rules: &Rules, probe: &Fp, other: &Fp, sim: f64) -> Option<Found> {
    let (size, other_size) = (probe.size, other.size);
    let (short, long) = (size.min(other_size), size.max(other_size));
    if rules.containment >= 1.0
        || short < rules.min_shingles
        || short as f64 > rules.size_ratio * long as f64
    {
        return None;
    }
    let mut copy_in = passage_containment(probe.passages, other.passages);
    let mut orig_in = passage_containment(other.passages, probe.passages);
    // The Jaccard-based estimate is unbiased at any length ratio but noisy when one
    // text is much shorter; it counts there too once half the passages are shared
    // (evidence that the two are related), which finds the excerpts whose last
    // passages a footer or a few edits broke (bench/accuracy.py, 10k articles:
    // excerpt recall 0.87 -> 0.91, precision unchanged).
    if 2 * short >= long || pmax(copy_in, orig_in) >= 0.5 {
        let inter = intersection(sim, size, other_size);
        copy_in = pmax(copy_in, pmin(1.0, inter / size as f64));
        orig_in = pmax(orig_in, pmin(1.0, inter / other_size as f64));
    }
    if size < other_size && copy_in >= rules.containment {
        return Some(Found::new(Relation::Excerpt, sim, copy_in, orig_in));
    }
    if size > other_size && orig_in >= rules.containment {
        return Some(Found::new(Relation::Expanded, sim, copy_in, orig_in));
    }
    None
}

/// What a member measures against its original when no rule matches any more.
pub fn measure(mine: &Fp, theirs: &Fp) -> Found {
    let sim = exact_jaccard(mine, theirs)
        .unwrap_or_else(|| agreement(mine.sig, theirs.sig) as f64 / mine.sig.len().max(1) as f64);
    let relation = match mine.size.cmp(&theirs.size) {
        std::cmp::Ordering::Equal => Relation::Near,
        std::cmp::Ordering::Less => Relation::Excerpt,
        std::cmp::Ordering::Greater => Relation::Expanded,
    };
    Found::new(
        relation,
        sim,
        passage_containment(mine.passages, theirs.passages),
        passage_containment(theirs.passages, mine.passages),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            threshold: 0.8,
            containment: 0.8,
            size_ratio: 0.85,
            min_shingles: 40,
            exact: false,
            num_perm: 4,
        }
    }

    #[test]
    fn the_same_hash_is_exact_and_agreement_decides_near() {
        let a = Fp::of(&[1, 2, 3, 4], 100, 7, &[]);
        let b = Fp::of(&[9, 9, 9, 9], 100, 7, &[]);
        assert_eq!(
            judge(&rules(), &a, &b, 0.0).unwrap().relation,
            Relation::Exact
        );
        let c = Fp::of(&[1, 2, 3, 4], 100, 8, &[]);
        let found = compare(&rules(), &a, &[c]);
        assert_eq!(found[0].unwrap().relation, Relation::Near);
        let d = Fp::of(&[1, 2, 0, 0], 100, 9, &[]);
        assert!(compare(&rules(), &a, &[d])[0].is_none());
    }

    #[test]
    fn numbers_that_disagree_stop_a_copy() {
        assert!(numbers_agree(&[1, 2], &[5, 6, 7]));
        assert!(numbers_agree(&[1, 2, 3], &[1, 2, 9]));
        assert!(!numbers_agree(&[1, 2, 3], &[1, 8, 9]));
        let (mut a, mut b) = (
            Fp::of(&[1, 2, 3, 4], 100, 1, &[]),
            Fp::of(&[1, 2, 3, 4], 100, 2, &[]),
        );
        a.numbers = &[1, 2, 3];
        b.numbers = &[4, 5, 6];
        assert!(judge(&rules(), &a, &b, 1.0).is_none());
    }

    #[test]
    fn passages_measure_containment_and_runs() {
        let mine: Vec<u32> = (0..18).collect(); // six passages
        let theirs: Vec<u32> = (0..12).collect(); // the first four
                                                  // Five or more: the first and last are left out, 3 of the 4 others found.
        assert_eq!(passage_containment(&mine, &theirs), 0.75);
        assert_eq!(passage_containment(&theirs, &mine), 1.0);
        assert_eq!(verbatim_runs(&mine, &theirs), (4.0 / 6.0, 1));
        let split: Vec<u32> = (0..6).chain(12..18).collect();
        assert_eq!(verbatim_runs(&mine, &split), (4.0 / 6.0, 2));
        assert!(!edited(&mine, &theirs));
        assert_eq!(verbatim_runs(&[], &theirs), (0.0, 0));
    }
}
