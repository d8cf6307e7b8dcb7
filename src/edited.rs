//! The edited rule: is a pair of about the same length (src/verify.rs `judge` has
//! checked J and containment) an edited version — long verbatim runs each way, in
//! two or more places or after a rewritten lead — or something else that shares as
//! much (an overlap: the end of one story and the start of the next; words edited
//! all over)? The rules and their measurements are explained in dedup/verify.py.

use std::collections::HashSet;
use std::hash::Hash;

use crate::verify::{Fp, PASSAGE_BANDS};

/// Verbatim coverage and runs (verify.py).
pub const EDITED_RUN: usize = 2;
pub const EDITED_COVERAGE: f64 = 0.4;
pub const EDITED_RUNS: usize = 2;
/// Edited lead: a pair whose shared text is one run passes when, in each text, at
/// least `LEAD_EDITED` passages before it are not found in the other (the lead
/// rewritten) and none after it (the body shared to the end); verify.py.
pub const LEAD_EDITED: usize = 1;
/// Lead rewritten in both: a pair whose shared text is one run also passes when,
/// in each text, at least `LEAD_REWRITTEN` passages before it are not found in the
/// other, whatever follows it (an update appended, the last sentence cut). An
/// overlap starts one text with the shared run, losing at most the one passage
/// its cut splits; verify.py.
pub const LEAD_REWRITTEN: usize = 2;
/// Short texts (issue 15): when both have fine passages (src/passages.rs) and the
/// one with fewer passages has fewer than FINE_BELOW, the edited check runs on the
/// fine passages (one key each), with runs of FINE_RUN or more of them (verify.py).
/// FINE_BELOW is the length below which a text keeps them: whenever both have them.
pub const FINE_BELOW: usize = crate::passages::FINE_STORED_BELOW;
pub const FINE_RUN: usize = 3;
/// Short items (issue 15): when the shorter text has fewer than FINE_SHORT fine
/// passages (~190 shingles), runs of FINE_SHORT_RUN of them count (verify.py).
pub const FINE_SHORT: usize = 24;
pub const FINE_SHORT_RUN: usize = 2;

/// How my passages (in text order) lie in `theirs`: the share of them in runs of
/// at least `EDITED_RUN` consecutive passages found verbatim (every key in theirs
/// in one passage), and how many separate runs there are.
pub fn verbatim_runs(mine: &[u32], theirs: &[u32]) -> (f64, usize) {
    runs_of(mine, theirs, PASSAGE_BANDS, EDITED_RUN)
}

/// `verbatim_runs` for passages of `width` keys and runs of at least `min_run`.
pub fn runs_of<T: Copy + Eq + Hash>(
    mine: &[T],
    theirs: &[T],
    width: usize,
    min_run: usize,
) -> (f64, usize) {
    let width = width.max(1);
    let count = mine.len() / width;
    if count == 0 || theirs.is_empty() {
        return (0.0, 0);
    }
    let whole: HashSet<&[T]> = theirs.chunks_exact(width).collect();
    let (mut covered, mut run, mut runs) = (0, 0, 0);
    let passages = mine.chunks_exact(width).map(Some).chain([None]);
    for passage in passages {
        if passage.is_some_and(|p| whole.contains(p)) {
            run += 1;
            continue;
        }
        if run >= min_run {
            covered += run;
        }
        runs += usize::from(run > 0);
        run = 0;
    }
    (covered as f64 / count as f64, runs)
}

/// How many of my passages (`width` keys each) lie before the first and after the
/// last one found verbatim in `theirs` (all of them, both ways, when none is).
pub fn unshared_ends<T: Copy + Eq + Hash>(
    mine: &[T],
    theirs: &[T],
    width: usize,
) -> (usize, usize) {
    let width = width.max(1);
    let whole: HashSet<&[T]> = theirs.chunks_exact(width).collect();
    let found: Vec<bool> = mine
        .chunks_exact(width)
        .map(|p| whole.contains(p))
        .collect();
    match (
        found.iter().position(|&f| f),
        found.iter().rposition(|&f| f),
    ) {
        (Some(first), Some(last)) => (first, found.len() - 1 - last),
        _ => (found.len(), found.len()),
    }
}

/// Whether two texts of about the same length share long verbatim runs each way,
/// and either in two or more places (edits inside the story), or up to the end of
/// both after a lead that differs in both, or after a lead of at least
/// `LEAD_REWRITTEN` passages that differs in both (the lead rewritten): an
/// edited version.
pub fn edited(mine: &[u32], theirs: &[u32]) -> bool {
    edited_by(mine, theirs, PASSAGE_BANDS, EDITED_RUN)
}

fn edited_by<T: Copy + Eq + Hash>(mine: &[T], theirs: &[T], width: usize, min_run: usize) -> bool {
    let ways = [(mine, theirs), (theirs, mine)];
    let runs = ways.map(|(a, b)| runs_of(a, b, width, min_run));
    if runs.iter().any(|&(coverage, _)| coverage < EDITED_COVERAGE) {
        return false;
    }
    if runs.iter().all(|&(_, count)| count >= EDITED_RUNS) {
        return true;
    }
    // One stretch shared: an edited lead when it ends both texts and neither begins
    // with it, or when neither begins with it by more than the one passage a cut
    // splits. An overlap (the end of one story and the start of the next) has it
    // at the end of one text and the start of the other, never at the end of both,
    // and the text it starts has at most that one passage before it.
    let ends = ways.map(|(a, b)| unshared_ends(a, b, width));
    ends.iter()
        .all(|&(head, tail)| head >= LEAD_EDITED && tail == 0)
        || ends.iter().all(|&(head, _)| head >= LEAD_REWRITTEN)
}

/// Whether the edited check of two texts runs on their fine passages: both have
/// them and the one with fewer passages has fewer than `FINE_BELOW`.
pub fn uses_fine(mine: &Fp, theirs: &Fp) -> bool {
    !mine.fine.is_empty()
        && !theirs.fine.is_empty()
        && mine.passages.len().min(theirs.passages.len()) < FINE_BELOW * PASSAGE_BANDS
}

/// The fine passages' shortest verbatim run that counts: `FINE_SHORT_RUN` when the
/// shorter text has fewer than `FINE_SHORT` of them (a short item's paragraph kept
/// between two edits keeps one or two whole clauses), else `FINE_RUN`.
pub fn fine_run(mine: &[u64], theirs: &[u64]) -> usize {
    if mine.len().min(theirs.len()) < FINE_SHORT {
        FINE_SHORT_RUN
    } else {
        FINE_RUN
    }
}

/// `edited` on the fine passages where `uses_fine`, else on the passages.
pub fn edited_pair(mine: &Fp, theirs: &Fp) -> bool {
    if uses_fine(mine, theirs) {
        edited_by(mine.fine, theirs.fine, 1, fine_run(mine.fine, theirs.fine))
    } else {
        edited(mine.passages, theirs.passages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_judged_on_their_fine_passages() {
        let (sig, pa, pb) = ([1, 2, 3, 4], [1, 2, 3], [4, 5, 6]);
        // Ten fine passages, two runs of four kept verbatim (an edit between).
        let a: Vec<u64> = (0..10).collect();
        let b: Vec<u64> = (0..4).chain([77, 78]).chain(6..10).collect();
        let (mut x, mut y) = (Fp::of(&sig, 100, 1, &pa), Fp::of(&sig, 100, 2, &pb));
        assert!(!uses_fine(&x, &y));
        assert!(!edited_pair(&x, &y));
        x.fine = &a;
        y.fine = &b;
        assert!(uses_fine(&x, &y));
        assert!(edited_pair(&x, &y));
        // One stretch shared: an overlap, not an edit.
        let c: Vec<u64> = (0..6).chain(50..54).collect();
        y.fine = &c;
        assert!(!edited_pair(&x, &y));
        assert_eq!(runs_of(&a, &c, 1, FINE_RUN), (0.6, 1));
    }

    #[test]
    fn a_rewritten_lead_and_an_appended_update_are_an_edited_version() {
        // Two passages of lead rewritten in each, the body shared, an update after
        // it in the copy; the wire's last passage is split where the update joins.
        let wire: Vec<u64> = (0..10).collect();
        let copy: Vec<u64> = [70, 71].into_iter().chain(2..9).chain([72, 73]).collect();
        assert_eq!(runs_of(&copy, &wire, 1, FINE_RUN), (7.0 / 11.0, 1));
        assert_eq!(unshared_ends(&copy, &wire, 1), (2, 2));
        assert_eq!(unshared_ends(&wire, &copy, 1), (2, 1));
        assert!(edited_by(&copy, &wire, 1, FINE_RUN));
        // A lead of one passage in either text is no more than an overlap's cut.
        let short_lead: Vec<u64> = [70].into_iter().chain(1..9).chain([72, 73]).collect();
        assert_eq!(unshared_ends(&wire, &short_lead, 1), (1, 1));
        assert!(!edited_by(&short_lead, &wire, 1, FINE_RUN));
    }

    #[test]
    fn a_rewritten_lead_before_a_shared_body_is_an_edited_version() {
        // Both leads differ (two and three passages), the rest is shared to the end.
        let wire: Vec<u64> = (0..10).collect();
        let copy: Vec<u64> = [70, 71, 72].into_iter().chain(2..10).collect();
        assert_eq!(runs_of(&copy, &wire, 1, FINE_RUN).1, 1);
        assert_eq!(unshared_ends(&copy, &wire, 1), (3, 0));
        assert_eq!(unshared_ends(&wire, &copy, 1), (2, 0));
        assert!(edited_by(&copy, &wire, 1, FINE_RUN));
        // The end of one story and the start of the next: the shared stretch ends
        // the wire and starts the overlap.
        let overlap: Vec<u64> = (3..10).chain([80, 81, 82]).collect();
        assert_eq!(unshared_ends(&overlap, &wire, 1), (0, 3));
        assert!(!edited_by(&overlap, &wire, 1, FINE_RUN));
        // A copy that differs only after the shared text is no edited lead either.
        let tail: Vec<u64> = (0..7).chain([90, 91, 92]).collect();
        assert!(!edited_by(&tail, &wire, 1, FINE_RUN));
        // The overlap's cut splits the passage it starts in: one passage before
        // the shared run in the overlap, still no rewritten lead.
        let split: Vec<u64> = [83].into_iter().chain(4..10).chain([80, 81, 82]).collect();
        assert_eq!(unshared_ends(&split, &wire, 1), (1, 3));
        assert!(!edited_by(&split, &wire, 1, FINE_RUN));
        assert_eq!(unshared_ends(&[1u64, 2], &[3, 4], 1), (2, 2));
    }

    #[test]
    fn a_short_items_paragraphs_kept_between_edits_count_as_runs_of_two() {
        // Twelve fine passages: the lead rewritten, an update after the second
        // paragraph, a paragraph cut, a clause rewritten; kept paragraphs leave runs
        // of two, two and three.
        let wire: Vec<u64> = (0..12).collect();
        let copy: Vec<u64> = [70, 71, 2, 3, 72, 73, 4, 5, 74, 9, 10, 11].into();
        assert_eq!(fine_run(&copy, &wire), FINE_SHORT_RUN);
        assert!(runs_of(&copy, &wire, 1, FINE_RUN).0 < EDITED_COVERAGE);
        assert!(edited_by(&copy, &wire, 1, FINE_SHORT_RUN));
        let (sig, pa) = ([1, 2, 3, 4], [1, 2, 3]);
        let (mut x, mut y) = (Fp::of(&sig, 100, 1, &pa), Fp::of(&sig, 100, 2, &pa));
        (x.fine, y.fine) = (&copy, &wire);
        assert!(edited_pair(&x, &y));
        // A longer text needs runs of three: the same shape at 24 passages and more.
        let long_wire: Vec<u64> = (0..30).collect();
        assert_eq!(fine_run(&long_wire, &long_wire), FINE_RUN);
    }
}
