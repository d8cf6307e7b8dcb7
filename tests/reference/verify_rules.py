"""Verification as dedup 0.2 implemented it in Python: the reference the core's
rules (src/verify.rs, through dedup.verify) are held to by
tests/test_verify_parity.py. Not part of the product; the rules are explained in
dedup/verify.py. One rule is new since 0.2 and marked so: short texts' edited
check on their fine passages (issue 15, ``edited_pair``).

Verification: is a candidate a copy of a cluster's original, and of what kind?

``compare`` takes an article's fingerprints and those of candidate originals
(with the signature agreement already measured) and returns a ``Match`` per
original — ``exact``, ``near``, ``edited``, ``excerpt`` or ``expanded`` with
its similarity and containment both ways — or ``None`` when it is no copy. The
index (``dedup.index``) keeps the best match.

Whatever the shingles say, two texts whose numbers disagree are not copies
(``numbers_agree``): templated reports — exchange rates, market closes,
weather — share most of their words from one day to the next (estimated
Jaccard 0.55–0.7 on the bench corpus) and differ in the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from dedup.config import Config
from dedup.fingerprint import PASSAGE_BANDS
from dedup.storage.store import Probe
from dedup.verify import Match

MIN_NUMBERS = 3  # fewer distinct numbers than this in either text: no number check
NUMBER_AGREEMENT = 0.5  # share of the smaller set of numbers the other text must have
PARTIAL_PREFILTER = 0.25  # passage checks need this share of the containment threshold
SCREEN_NUMBERS = 4  # more candidates than this left: their numbers checked at once
# verify="exact" measures the pairs whose estimate is within this of a threshold
# (about 3 σ of a 128-value estimate at J = 0.8).
EXACT_MARGIN = 0.1
# Edited versions (issue 15): a copy of about the same length with its lead
# rewritten, a paragraph cut and an update merged in has J 0.5-0.8 and 60-85 % of
# each text in the other. Those figures alone do not tell it from a copy whose
# words were edited all over (J 0.5-0.6 at 6-10 % of the words replaced,
# tests/test_index.py) or from a text that keeps 70 % of a story in one stretch
# and goes on with another story (the chaining test). What an edited version has
# is long verbatim runs (EDITED_COVERAGE of each text's passages lie in runs of
# EDITED_RUN or more consecutive passages found verbatim in the other; words
# edited all over leave at most 0.32, measured on the 200 pairs of that test) and
# edits inside the story, not only at its ends: the shared text is in
# EDITED_RUNS or more separate runs in each. A text that shares one stretch with
# another and differs at both ends is an overlap, e.g. the end of one story and
# the start of the next (a chaining link: in one run by construction, whatever
# the seed); a lead rewritten, a paragraph cut or an update merged inside the
# story split the shared text. On the bench corpus the run-count condition
# costs 7 of the 220 edited copies (bench/accuracy.py --n 3000 --seed 1).
EDITED_JACCARD = 0.45
EDITED_CONTAINMENT = 0.6
EDITED_RUN = 2
EDITED_COVERAGE = 0.4
EDITED_RUNS = 2
# New since 0.2 (issue 15): a pair sharing one stretch is an edited lead when it ends
# both texts and at least LEAD_EDITED passages precede it in each.
LEAD_EDITED = 1
# New since 0.2 (issue 15): or when at least LEAD_REWRITTEN passages precede it in
# each, whatever follows it.
LEAD_REWRITTEN = 2
# New since 0.2 (issue 15): edited versions down to this length ratio.
EDITED_SIZE_RATIO = 0.75
# New since 0.2 (issue 15): when both texts have fine passage keys (one per
# ~8-shingle passage, kept for texts of fewer than 16 passages) and the one with
# fewer passages has fewer than FINE_BELOW (16: whenever both have them), the
# edited check runs on the fine passages with runs of at least FINE_RUN of them.
FINE_BELOW = 16
FINE_RUN = 3
# New since 0.2 (issue 15): when the shorter text has fewer than FINE_SHORT fine
# passages, runs of FINE_SHORT_RUN of them count.
FINE_SHORT = 24
FINE_SHORT_RUN = 2


def shared_shingles(mine: np.ndarray, theirs: np.ndarray) -> int:
    """Size of the intersection of two sorted arrays of distinct shingle hashes."""
    if not len(mine) or not len(theirs):
        return 0
    at = np.searchsorted(theirs, mine)
    at[at == len(theirs)] = 0
    return int(np.count_nonzero(theirs[at] == mine))


def exact_jaccard(mine: Probe, theirs: Probe) -> float | None:
    """Jaccard of two stored shingle sets (verify="exact"); None when either
    was stored without them (it is then estimated)."""
    if mine.shingles is None or theirs.shingles is None or len(theirs.shingles) != theirs.size:
        return None
    shared = shared_shingles(mine.shingles, theirs.shingles)
    return shared / (mine.size + theirs.size - shared)


def _intersection(sim: float, size: float | np.ndarray, other: float | np.ndarray):
    """Shingles two texts share, from their Jaccard and sizes."""
    return sim * (size + other) / (1.0 + sim)


def numbers_agree(mine: np.ndarray, theirs: np.ndarray) -> bool:
    """Whether two texts' numbers are compatible with one being a copy of the other.

    Args:
        mine, theirs: sorted distinct number keys (``prepare.number_keys``).

    Returns:
        False when the text with fewer distinct numbers (at least
        ``MIN_NUMBERS``) has less than half of them in the other: a copy keeps
        its source's figures (an excerpt keeps a prefix of them, an expansion
        all of them), a templated report of another day does not.
    """
    small, big = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
    if len(small) < MIN_NUMBERS:
        return True
    shared = int(np.count_nonzero(np.isin(small, big, assume_unique=True))) if len(small) > 32 \
        else len(set(small.tolist()).intersection(big.tolist()))
    return bool(shared >= NUMBER_AGREEMENT * len(small))


def compare(config: Config, probe: Probe, others: Sequence[int], sims: np.ndarray,
            sizes: np.ndarray, hashes: np.ndarray, fetch: Callable[[int], Probe],
            shared_numbers: Callable[[np.ndarray, np.ndarray],
                                     tuple[np.ndarray, np.ndarray] | None] | None = None
            ) -> list[Match | None]:
    """Verify ``probe`` against candidate originals.

    A loose test on all candidates at once (numpy) leaves the ones that might
    be copies; :func:`judge` decides each of those, fetching (``fetch``)
    passages and numbers only for them.

    Args:
        config: thresholds.
        probe: the article's fingerprints.
        others: the candidate clusters' originals (store slots).
        sims: estimated Jaccard of ``probe`` with each (share of equal
            signature values).
        sizes: their shingle counts.
        hashes: their content hashes.
        fetch: a stored slot's fingerprints.
        shared_numbers: ``Store.shared_numbers``: with it the number check runs
            on all remaining candidates at once, before any fetch (templated
            reports of one family are candidates of each other by the hundred).

    Returns:
        A ``Match`` per candidate, or ``None`` where it is not a copy.
    """
    out: list[Match | None] = [None] * len(others)
    if len(others) > 2:
        # Every rule of judge() needs one of these (near by containment and the
        # passage check both need the estimated containment above the prefilter).
        inter = _intersection(sims, probe.size, sizes)
        contained = inter >= PARTIAL_PREFILTER * config.containment_threshold * \
            np.minimum(probe.size, sizes)
        margin = EXACT_MARGIN if config.verify == "exact" else 0.0
        maybe = (hashes == np.uint64(probe.content_hash)) | (sims >= config.threshold - margin)
        if config.containment_threshold < 1.0:
            maybe |= contained
        rows = np.flatnonzero(maybe).tolist()
    else:
        rows = list(range(len(others)))
    checked = False
    mine = len(probe.numbers)
    if shared_numbers is not None and len(rows) > SCREEN_NUMBERS and mine < MIN_NUMBERS:
        checked = True  # numbers_agree passes every pair
    elif shared_numbers is not None and len(rows) > SCREEN_NUMBERS:
        picked = np.array(rows)
        counted = shared_numbers(np.asarray(others)[picked], probe.numbers)
        if counted is not None:
            shared, theirs = counted
            small = np.minimum(theirs, mine)
            agree = (small < MIN_NUMBERS) | (shared >= NUMBER_AGREEMENT * small) | \
                (hashes[picked] == np.uint64(probe.content_hash))
            rows, checked = picked[agree].tolist(), True
    for j in rows:
        out[j] = judge(config, probe, int(sizes[j]), int(hashes[j]), float(sims[j]),
                       lambda j=j: fetch(int(others[j])), numbers_checked=checked)
    return out


def judge(config: Config, probe: Probe, other_size: int, other_hash: int, sim: float,
          fetch: Callable[[], Probe], numbers_checked: bool = False) -> Match | None:
    """Is ``probe`` a copy of one original (its size, content hash and estimated
    Jaccard given; ``fetch`` returns its fingerprints, when they are needed)?
    ``numbers_checked``: the caller has applied :func:`numbers_agree` already."""
    if other_hash == probe.content_hash:
        return Match("exact", 1.0, 1.0, 1.0)
    size = probe.size
    short, long_ = min(size, other_size), max(size, other_size)
    by_containment = config.containment_threshold < 1.0
    # A copy of about the same length is near when J passes, or when the
    # shorter text is mostly inside the longer one (trimmed tail plus a
    # local intro: J ≈ 0.75, containment ≈ 0.9).
    similar_length = short > config.partial_size_ratio * long_
    if config.verify == "exact" and probe.shingles is not None:
        sim, fetch = _exact(config, probe, other_size, sim, fetch, similar_length)
        if sim is None:
            return None
    inter = _intersection(sim, size, other_size)
    copy_in, orig_in = min(1.0, inter / size), min(1.0, inter / other_size)
    near = sim >= config.threshold or (by_containment and similar_length and
                                       max(copy_in, orig_in) >= config.containment_threshold)
    # New since 0.2 (issue 15): an edited version may differ in length down to
    # EDITED_SIZE_RATIO; of different length, excerpt/expanded are tried first.
    edited_candidate = not near and by_containment and \
        (similar_length or short > EDITED_SIZE_RATIO * long_) and sim >= EDITED_JACCARD and \
        min(copy_in, orig_in) >= EDITED_CONTAINMENT
    if edited_candidate and similar_length:
        theirs = fetch()
        if (not numbers_checked and not numbers_agree(probe.numbers, theirs.numbers)) or \
                not edited_pair(probe, theirs):
            return None
        return Match("edited", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
    # Passages are compared only where the MinHash estimate of the shorter text's
    # containment reaches a quarter of the threshold: of the 1,918 excerpts and
    # expansions the 10k bench corpus has, none estimates below 0.39 (at 0.8), and
    # the cut removes 90 % of the passage checks (bench/accuracy.py unchanged).
    partial_candidate = by_containment and not similar_length and \
        short >= config.min_shingles and \
        max(copy_in, orig_in) >= PARTIAL_PREFILTER * config.containment_threshold
    if not near and not partial_candidate and not edited_candidate:
        return None
    if near:
        if not numbers_checked and not numbers_agree(probe.numbers, fetch().numbers):
            return None
        return Match("near", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
    theirs = fetch()
    if not numbers_checked and not numbers_agree(probe.numbers, theirs.numbers):
        return None  # cheaper than passages: first
    found = partial(config, probe, theirs, sim) if partial_candidate else None
    if found is None and edited_candidate and edited_pair(probe, theirs):
        return Match("edited", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
    return found


def _exact(config: Config, probe: Probe, other_size: int, sim: float,
           fetch: Callable[[], Probe], similar_length: bool
           ) -> tuple[float | None, Callable[[], Probe]]:
    """verify="exact": the exact Jaccard of a pair the estimate leaves near a
    threshold (None when it is clearly no copy), and a fetch of the fetched."""
    size = probe.size
    inter = _intersection(sim, size, other_size)
    contained = min(1.0, max(inter / size, inter / other_size))
    threshold = config.containment_threshold
    if sim < config.threshold - EXACT_MARGIN and not (
            threshold < 1.0 and (contained >= threshold - EXACT_MARGIN or
                                 sim >= EDITED_JACCARD - EXACT_MARGIN if similar_length
                                 else contained >= PARTIAL_PREFILTER * threshold)):
        return None, fetch
    theirs = fetch()
    exact = exact_jaccard(probe, theirs)
    return (sim if exact is None else exact), lambda: theirs


def verbatim_runs(mine: np.ndarray, theirs: np.ndarray, width: int = PASSAGE_BANDS,
                  min_run: int = EDITED_RUN) -> tuple[float, int]:
    """How my passages (``PASSAGE_BANDS`` keys each, in text order) lie in ``theirs``.

    A passage is found verbatim when every key of it is in theirs: the same
    stretch of text, cut at the same places (one word changed in it keeps all
    its keys with p ≈ 0.08).

    Returns:
        ``(coverage, runs)``: the share of my passages that lie in runs of at
        least ``EDITED_RUN`` consecutive passages found verbatim, and how many
        separate runs of verbatim passages there are.
    """
    count = len(mine) // width
    if not count or not len(theirs):
        return 0.0, 0
    whole = set(map(tuple, theirs[:len(theirs) // width * width].reshape(-1, width).tolist()))
    covered = run = runs = 0
    for passage in [*map(tuple, mine[:count * width].reshape(count, width).tolist()), None]:
        if passage is not None and passage in whole:
            run += 1
            continue
        covered += run if run >= min_run else 0
        runs += run > 0
        run = 0
    return covered / count, runs


def unshared_ends(mine: np.ndarray, theirs: np.ndarray, width: int = PASSAGE_BANDS
                  ) -> tuple[int, int]:
    """How many of my passages lie before the first and after the last found
    verbatim in ``theirs`` (all of them, both ways, when none is)."""
    count = len(mine) // width
    whole = set(map(tuple, theirs[:len(theirs) // width * width].reshape(-1, width).tolist()))
    found = [tuple(p) in whole for p in mine[:count * width].reshape(count, width).tolist()]
    if not any(found):
        return count, count
    return found.index(True), found[::-1].index(True)


def edited(mine: np.ndarray, theirs: np.ndarray, width: int = PASSAGE_BANDS,
           min_run: int = EDITED_RUN) -> bool:
    """Whether two texts of about the same length (their passage keys given)
    share long verbatim runs, in two or more places (or, new since 0.2, in one
    that ends both texts after a lead that differs in each): an edited version."""
    ways = ((mine, theirs), (theirs, mine))
    runs = [verbatim_runs(a, b, width, min_run) for a, b in ways]
    if any(coverage < EDITED_COVERAGE for coverage, _ in runs):
        return False
    if all(count >= EDITED_RUNS for _, count in runs):
        return True
    ends = [unshared_ends(a, b, width) for a, b in ways]
    return (all(head >= LEAD_EDITED and tail == 0 for head, tail in ends)
            or all(head >= LEAD_REWRITTEN for head, _ in ends))


def edited_pair(mine: Probe, theirs: Probe) -> bool:
    """New since 0.2 (issue 15): ``edited`` on the fine passages (one key each,
    runs of FINE_RUN, of FINE_SHORT_RUN in a short text) when both texts have them
    and the one with fewer passages has fewer than FINE_BELOW; else on the
    passages, as 0.2 did."""
    if len(mine.fine) and len(theirs.fine) and \
            min(len(mine.passages), len(theirs.passages)) < FINE_BELOW * PASSAGE_BANDS:
        short = min(len(mine.fine), len(theirs.fine)) < FINE_SHORT
        return edited(mine.fine, theirs.fine, 1, FINE_SHORT_RUN if short else FINE_RUN)
    return edited(mine.passages, theirs.passages)


def partial(config: Config, probe: Probe, theirs: Probe, sim: float) -> Match | None:
    """Excerpt/expanded check for articles of different length.

    Containment is measured on passages (robust to any length ratio) and,
    when the shorter text has at least half the length of the longer or half
    the passages are shared, also estimated from Jaccard and the sizes
    (robust to scattered edits that break passages); the larger counts.
    """
    size, other_size = probe.size, theirs.size
    short, long_ = min(size, other_size), max(size, other_size)
    if config.containment_threshold >= 1.0 or short < config.min_shingles or \
            short > config.partial_size_ratio * long_:
        return None
    copy_in = passage_containment(probe.passages, theirs.passages)
    orig_in = passage_containment(theirs.passages, probe.passages)
    # The Jaccard-based estimate is unbiased at any length ratio but noisy when one
    # text is much shorter; it counts there too once half the passages are shared
    # (evidence that the two are related), which finds the excerpts whose last
    # passages a footer or a few edits broke (bench/accuracy.py, 10k articles:
    # excerpt recall 0.87 -> 0.91, precision unchanged).
    if 2 * short >= long_ or max(copy_in, orig_in) >= 0.5:
        inter = _intersection(sim, size, other_size)
        copy_in = max(copy_in, min(1.0, inter / size))
        orig_in = max(orig_in, min(1.0, inter / other_size))
    if size < other_size and copy_in >= config.containment_threshold:
        return Match("excerpt", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
    if size > other_size and orig_in >= config.containment_threshold:
        return Match("expanded", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
    return None


def low16(sig: np.ndarray) -> np.ndarray:
    """New since 0.2 (issue 17): signatures are stored and compared by each value's
    low 16 bits (dedup.fingerprint.stored_signatures), not its 32."""
    return np.asarray(sig).astype(np.uint16)


def measure(mine: Probe, theirs: Probe) -> Match:
    """What a member measures against its original when no rule matches any more
    (it matched an earlier original of its cluster)."""
    sim = exact_jaccard(mine, theirs)
    if sim is None:
        sim = float(np.mean(low16(mine.sig) == low16(theirs.sig)))
    a, b = mine.size, theirs.size
    return Match("near" if a == b else ("excerpt" if a < b else "expanded"), round(sim, 4),
                 round(passage_containment(mine.passages, theirs.passages), 4),
                 round(passage_containment(theirs.passages, mine.passages), 4))


def passage_containment(mine: np.ndarray, theirs: np.ndarray) -> float:
    """dedup 0.2's ``fingerprint.passage_containment``."""
    if len(mine) == 0 or len(theirs) == 0:
        return 0.0
    keys = mine.tolist()
    count = len(keys) // PASSAGE_BANDS
    if count >= 5:
        keys, count = keys[PASSAGE_BANDS:-PASSAGE_BANDS], count - 2
    passages = zip(*[iter(keys)] * PASSAGE_BANDS, strict=True)
    missed = sum(map(set(theirs.tolist()).isdisjoint, passages))
    return (count - missed) / count
