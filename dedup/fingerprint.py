"""MinHash signatures of shingle sets, many documents at a time.

Two schemes, recorded in every index's configuration:

``oph32`` (default): one-permutation hashing with optimal densification
(Li, Owen & Zhang 2012; Shrivastava, ICML 2017). Each shingle is hashed once
into one of ``num_perm`` bins; a bin keeps its minimum; an empty bin copies the
bin found by a probe sequence fixed by (bin, attempt), the same for every
document. The share of equal positions is an unbiased Jaccard estimate (tested
against exact Jaccard), at ~1/40 of the cost of 128 permutations.

The ``affine32`` scheme is datasketch's (2.0): each 32-bit shingle hash is
pre-mixed with the MurmurHash3 finalizer, then permuted as ``a·h + b mod 2^32``
with ``a, b`` drawn from ``numpy.random.RandomState(seed)`` exactly as
``datasketch.MinHash`` draws them. A signature therefore equals the
``hashvalues`` of a ``datasketch.MinHash(num_perm, seed, scheme="affine32")``
fed the same shingle hashes, and can be wrapped in a ``LeanMinHash``.
"""

from __future__ import annotations

import numpy as np

from . import _core

EMPTY = np.uint32(0xFFFFFFFF)
_MAX_PROBES = 64


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters datasketch's affine32 scheme draws for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def text_stages(num_perm: int, seed: int, scheme: str = "oph32", *, word_ngram: int = 5,
                cjk_ngram: int = 4, keep_shingles: bool = False) -> _core.TextStages:
    """The core's text stages for these settings, with their random parameters.

    The parameters are drawn here with numpy's ``RandomState``, as dedup has
    always drawn them, and handed to the core once: datasketch's ``a, b`` for
    ``affine32``; for ``oph32`` the two seeded mixes (``a[0]``, ``b[0]``) and the
    densification probes; the passage salts.
    """
    a, b = permutations(num_perm, seed)
    probes = np.random.RandomState(seed ^ 0x5EED).randint(0, num_perm, size=(_MAX_PROBES, num_perm))
    salts = _passage_salts(seed)
    return _core.TextStages(
        word_ngram=word_ngram, cjk_ngram=cjk_ngram, num_perm=num_perm, scheme=scheme,
        mix_bin=int(a[0]), mix_value=int(b[0]), probes=probes.astype(np.int64), a=a, b=b,
        passage_mean=PASSAGE_MEAN, passage_min=PASSAGE_MIN, passage_bands=PASSAGE_BANDS,
        passage_salts=salts, keep_shingles=keep_shingles)


class Fingerprinter:
    """Computes MinHash signatures for a fixed ``num_perm``/``seed``/``scheme``.

    ``oph32`` (one-permutation hashing, densified by probes fixed per bin and
    attempt) or ``affine32`` (datasketch's permutations); computed by the core
    (src/minhash.rs).

    Example:
        >>> fp = Fingerprinter(128, 1)
        >>> sig = fp.signatures(np.array([1, 2, 3], dtype=np.uint32), np.array([0, 3]))
        >>> sig.shape
        (1, 128)
    """

    def __init__(self, num_perm: int, seed: int, scheme: str = "oph32") -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.scheme = scheme
        self._stages = text_stages(num_perm, seed, scheme)

    def signatures(self, values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of documents whose shingles are ``values[offsets[i]:offsets[i+1]]``.

        Returns:
            uint32 array of shape ``(ndocs, num_perm)``; a document without
            shingles gets the all-``0xFFFFFFFF`` signature (datasketch's empty).
        """
        return self._stages.signatures(np.ascontiguousarray(values, dtype=np.uint32),
                                       np.ascontiguousarray(offsets, dtype=np.int64))


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
    """Estimated Jaccard: share of equal positions (rows broadcast)."""
    return np.mean(sig_a == sig_b, axis=-1)


# -- passage fingerprints (partial republication) ------------------------------

# Content-defined passages: a passage ends after a shingle whose hash is 0 mod
# PASSAGE_MEAN, so two texts sharing a stretch cut it at the same places (as
# rsync/LBFS chunking does) whatever comes before it. ~24 shingles ≈ one or two
# sentences: long enough to be specific, short enough that a 30 % excerpt of a
# short story still holds five or more (see `passage_containment`; on the
# generated corpus, bench/accuracy.py, 64-shingle passages left excerpt F1 at
# 0.88 and 32 at 0.94, while 16 let templated reports merge more often). Each
# passage gets PASSAGE_BANDS keys of PASSAGE_ROWS min-hashes: a passage kept
# with light edits (J = 0.8) matches with p = 0.95, an unrelated one sharing a
# stock phrase (J = 0.1) with p = 0.03.
PASSAGE_MEAN = 24
PASSAGE_MIN = 8
PASSAGE_BANDS: int = _core.PASSAGE_BANDS  # the core reads passages of this many keys
PASSAGE_ROWS: int = _core.PASSAGE_ROWS  # and salts of this many min-hashes per key
# A passage key finds at most the PASSAGE_HOLDERS earliest stored articles that
# have it. Copies of one story share its keys within one cluster, whose earliest
# members come first; a key held by more is a stock phrase or the sentence of a
# template (weather, markets), and without the cap every templated report was a
# candidate of every earlier one. On the 100k bench corpus: 89 candidate clusters
# per article (p99 1,273, growing with the index) -> 14, the index stage ~20 %
# faster, and bench/accuracy.py the same or better on every line (false template
# pairs 124 -> 78); 32 leaves 88 such pairs, 8 loses edited copies (recall 0.9446 -> 0.9444).
PASSAGE_HOLDERS = 16


def _passage_salts(seed: int) -> np.ndarray:
    return np.random.RandomState(seed ^ 0xFA55).randint(
        0, 1 << 32, PASSAGE_BANDS * PASSAGE_ROWS, dtype=np.uint32)


def passage_keys(sequence: np.ndarray, sequence_docs: np.ndarray, ndocs: int,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of the content-defined passages of each document (src/passages.rs).

    Args:
        sequence: shingle hashes in text order, all documents concatenated.
        sequence_docs: the document number of each shingle (non-decreasing).
        ndocs: number of documents.
        seed: index seed (salts the passage min-hashes).

    Returns:
        ``(keys, offsets)``: document ``i``'s keys are
        ``keys[offsets[i]:offsets[i+1]]``, ``PASSAGE_BANDS`` per passage.
    """
    return _core.passage_keys(np.ascontiguousarray(sequence, dtype=np.uint32),
                              np.ascontiguousarray(sequence_docs, dtype=np.int64), ndocs,
                              _passage_salts(seed), PASSAGE_MEAN, PASSAGE_MIN, PASSAGE_BANDS)


def stored_signatures(signatures: np.ndarray) -> np.ndarray:
    """Signatures as a store keeps them and verification compares them: each value's
    low 16 bits (uint16; b-bit minwise hashing, Li and König 2010). Two different
    minimum values agree on them with odds of 2^-16, so an estimate of Jaccard J
    from 128 values reads on average (1 - J) * 128 / 65,536 of one value high (under
    0.002), at half the memory. Band keys are made from these values too
    (`stored_band_keys`). Signatures already in that form (uint16) are returned as
    they are."""
    signatures = np.asarray(signatures)
    return signatures if signatures.dtype == np.uint16 else signatures.astype(np.uint16)


def stored_band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Whole-text band keys made from the signatures as stored (`stored_signatures`),
    so that a table rebuilt from a store's signatures holds what insertion put in it."""
    return _core.band_keys(stored_signatures(signatures).astype(np.uint32), bands, rows)


def stored_passages(keys: np.ndarray) -> np.ndarray:
    """Passage keys as a store keeps them and verification compares them: their top
    32 bits (uint32; the core's rule, src/lsh.rs ``stored``). Two different passages
    share them with odds of 2^-32 a pair. Keys already in that form (uint32) are
    returned as they are."""
    keys = np.asarray(keys)
    if keys.dtype == np.uint32:
        return keys
    return _core.stored_keys(np.ascontiguousarray(keys, dtype=np.uint64))


def passage_containment(mine: np.ndarray, theirs: np.ndarray) -> float:
    """Share of my passages (``PASSAGE_BANDS`` keys each) with a key in ``theirs``.

    With five passages or more, my first and last passage are left out: a
    content-defined passage that straddles the edge of the shared text (an
    excerpt's last passage runs into "Read the full story…"; a wire story's
    first passage starts, inside an expanded article, in the middle of local
    text) differs even when every word of the wire text is kept. On the
    generated corpus (bench/accuracy.py, pairs measured without site-chrome
    removal) this raises the share of excerpts measured at ≥ 0.8 from 53 % to
    77 % (expanded: 93 % to 95 %). With fewer than three passages left the
    share is too coarse to trust (two borrowed sentences would be "all" of
    them), so shorter texts count every passage.
    """
    return _core.passage_containment(np.ascontiguousarray(mine, dtype=np.uint64),
                                     np.ascontiguousarray(theirs, dtype=np.uint64))
