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

from types import ModuleType

import numpy as np

from .shingle import Engine

EMPTY = np.uint32(0xFFFFFFFF)
# Work in slices of about this many (shingle × permutation) cells (~32 MB).
_CELLS_PER_SLICE = 1 << 23


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters datasketch's affine32 scheme draws for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (a bijection), element-wise."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


_MAX_PROBES = 64


class Fingerprinter:
    """Computes MinHash signatures for a fixed ``num_perm``/``seed``/``scheme``.

    ``engine`` is ``"numba"`` (compiled kernel, ``oph32`` only), ``"numpy"``
    or ``"auto"`` (see `shingle.Engine`); the signatures are identical.

    Example:
        >>> fp = Fingerprinter(128, 1)
        >>> sig = fp.signatures(np.array([1, 2, 3], dtype=np.uint32), np.array([0, 3]))
        >>> sig.shape
        (1, 128)
    """

    def __init__(self, num_perm: int, seed: int, scheme: str = "oph32",
                 engine: str = "auto") -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.scheme = scheme
        self.engine = engine
        self._engine = Engine(engine)
        self._a, self._b = permutations(num_perm, seed)
        # oph32: the bin hash and the in-bin value hash are two seeded
        # bijections of the shingle hash; probes[t, i] is where empty bin i
        # looks on attempt t.
        self._mix_bin, self._mix_value = int(self._a[0]), int(self._b[0])
        probe_gen = np.random.RandomState(seed ^ 0x5EED)
        self._probes = probe_gen.randint(0, num_perm, size=(_MAX_PROBES, num_perm))

    def expect(self, docs: int, *, only: bool = False) -> None:
        """See `shingle.Engine.expect`."""
        self._engine.expect(docs, only=only)

    def signatures(self, values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of documents whose shingles are ``values[offsets[i]:offsets[i+1]]``.

        Returns:
            uint32 array of shape ``(ndocs, num_perm)``; a document without
            shingles gets the all-``0xFFFFFFFF`` signature (datasketch's empty).
        """
        if self.scheme == "affine32":
            return self._affine(values, offsets)
        kernels = self._engine.kernels(len(offsets) - 1)
        if kernels is not None:
            return kernels.oph_signatures(
                values.astype(np.uint32, copy=False), offsets.astype(np.int64, copy=False),
                self.num_perm, np.uint64(self._mix_bin), np.uint64(self._mix_value),
                self._probes)
        return self._oph(values, offsets)

    def _oph(self, values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        ndocs, k = len(offsets) - 1, self.num_perm
        sig = np.full(ndocs * k, EMPTY, dtype=np.uint32)
        if ndocs == 0 or len(values) == 0:
            return sig.reshape(ndocs, k)
        values = values.astype(np.uint32, copy=False)
        h = fmix32(values ^ np.uint32(self._mix_bin))
        bins = (h.astype(np.uint64) * np.uint64(k)) >> np.uint64(32)
        value = fmix32(h + np.uint32(self._mix_value))
        # A real minimum of 0xFFFFFFFF would read as empty; nudge it (p = 2^-32).
        value = np.minimum(value, EMPTY - np.uint32(1))
        doc = np.repeat(np.arange(ndocs, dtype=np.int64), np.diff(offsets))
        np.minimum.at(sig, doc * k + bins.astype(np.int64), value)
        sig = sig.reshape(ndocs, k)
        return self._densify(sig)

    def _densify(self, sig: np.ndarray) -> np.ndarray:
        filled = sig != EMPTY
        rows, cols = np.nonzero(~filled & filled.any(axis=1)[:, None])
        if rows.size == 0:
            return sig
        out = sig.copy()
        for attempt in range(_MAX_PROBES):
            src = self._probes[attempt, cols]
            ok = filled[rows, src]
            out[rows[ok], cols[ok]] = sig[rows[ok], src[ok]]
            rows, cols = rows[~ok], cols[~ok]
            if rows.size == 0:
                return out
        # Very small documents: after the random probes, take the next filled
        # bin to the right (still a rule fixed by position, not by document).
        for r, c in zip(rows.tolist(), cols.tolist()):
            row = filled[r]
            nxt = np.flatnonzero(np.concatenate((row[c:], row[:c])))[0]
            out[r, c] = sig[r, (c + nxt) % self.num_perm]
        return out

    def _affine(self, values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        ndocs = len(offsets) - 1
        out = np.full((ndocs, self.num_perm), EMPTY, dtype=np.uint32)
        if ndocs == 0 or len(values) == 0:
            return out
        mixed = fmix32(values.astype(np.uint32, copy=False))
        rows_per_slice = max(1, _CELLS_PER_SLICE // self.num_perm)
        start_doc = 0
        while start_doc < ndocs:
            # Take whole documents until the slice holds about rows_per_slice shingles.
            limit = offsets[start_doc] + rows_per_slice
            end_doc = int(np.searchsorted(offsets, limit, side="right")) - 1
            end_doc = min(max(end_doc, start_doc + 1), ndocs)
            lo, hi = int(offsets[start_doc]), int(offsets[end_doc])
            if hi > lo:
                cells = mixed[lo:hi, None] * self._a[None, :]
                cells += self._b[None, :]
                local = offsets[start_doc:end_doc] - lo
                nonempty = offsets[start_doc + 1:end_doc + 1] > offsets[start_doc:end_doc]
                reduced = np.minimum.reduceat(cells, local[nonempty], axis=0)
                out[start_doc:end_doc][nonempty] = reduced
            start_doc = end_doc
        return out


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
PASSAGE_BANDS = 3
PASSAGE_ROWS = 2
# A passage key finds at most the PASSAGE_HOLDERS earliest stored articles that
# have it. Copies of one story share its keys within one cluster, whose earliest
# members come first; a key held by more is a stock phrase or the sentence of a
# template (weather, markets), and without the cap every templated report was a
# candidate of every earlier one. On the 100k bench corpus: 89 candidate clusters
# per article (p99 1,273, growing with the index) -> 14, the index stage ~20 %
# faster, and bench/accuracy.py the same or better on every line (false template
# pairs 124 -> 78); 32 leaves 88 such pairs, 8 loses edited copies (recall 0.9446 -> 0.9444).
PASSAGE_HOLDERS = 16


def passage_keys(sequence: np.ndarray, sequence_docs: np.ndarray, ndocs: int,
                 seed: int, *, kernels: ModuleType | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of the content-defined passages of each document.

    Args:
        sequence: shingle hashes in text order, all documents concatenated.
        sequence_docs: the document number of each shingle (non-decreasing).
        ndocs: number of documents.
        seed: index seed (salts the passage min-hashes).
        kernels: the compiled kernels to use (`shingle.Engine`), or None
            for numpy; the keys are the same.

    Returns:
        ``(keys, offsets)``: document ``i``'s keys are
        ``keys[offsets[i]:offsets[i+1]]``, ``PASSAGE_BANDS`` per passage.
    """
    width = PASSAGE_BANDS * PASSAGE_ROWS
    salts = np.random.RandomState(seed ^ 0xFA55).randint(0, 1 << 32, width, dtype=np.uint32)
    if kernels is not None:
        return kernels.passage_keys(sequence.astype(np.uint32, copy=False),
                                    sequence_docs.astype(np.int64, copy=False), ndocs, salts,
                                    PASSAGE_MEAN, PASSAGE_MIN, PASSAGE_BANDS, PASSAGE_ROWS)
    empty = np.zeros(0, dtype=np.uint64), np.zeros(ndocs + 1, dtype=np.int64)
    if len(sequence) == 0:
        return empty
    seq = sequence.astype(np.uint32, copy=False)
    starts = np.ones(len(seq), dtype=bool)
    starts[1:] = (sequence_docs[1:] != sequence_docs[:-1]) | ((seq[:-1] % PASSAGE_MEAN) == 0)
    pid = np.cumsum(starts) - 1
    count = int(pid[-1]) + 1
    sizes = np.bincount(pid, minlength=count)
    mins = np.full((width, count), EMPTY, dtype=np.uint32)  # rows contiguous for ufunc.at
    for r in range(width):
        np.minimum.at(mins[r], pid, fmix32(seq ^ salts[r]))
    mins = mins.T
    keep = sizes >= PASSAGE_MIN
    mins = mins[keep].astype(np.uint64)
    docs = sequence_docs[np.flatnonzero(starts)][keep]
    pairs = mins.reshape(len(mins), PASSAGE_BANDS, PASSAGE_ROWS)
    keys = (pairs[:, :, 0] << np.uint64(32)) | pairs[:, :, 1]
    keys += (np.arange(PASSAGE_BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    keys ^= keys >> np.uint64(31)
    keys *= np.uint64(0xBF58476D1CE4E5B9)
    keys ^= keys >> np.uint64(29)
    per_doc = np.bincount(docs, minlength=ndocs) * PASSAGE_BANDS
    offsets = np.concatenate(([0], np.cumsum(per_doc)))
    return keys.ravel(), offsets


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
    if len(mine) == 0 or len(theirs) == 0:
        return 0.0
    # A Python set over a few dozen keys, tested a passage at a time in C (map over
    # zip): ~5x cheaper than sorting and searching in numpy (~10 calls at ~1.5 µs),
    # and verification calls this ~15 times per article.
    keys = mine.tolist()
    count = len(keys) // PASSAGE_BANDS
    if count >= 5:
        keys, count = keys[PASSAGE_BANDS:-PASSAGE_BANDS], count - 2
    passages = zip(*[iter(keys)] * PASSAGE_BANDS, strict=True)
    missed = sum(map(set(theirs.tolist()).isdisjoint, passages))
    return (count - missed) / count
