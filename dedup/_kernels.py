"""Compiled (numba) kernels for the text → fingerprint hot path; optional.

Each kernel computes exactly what the numpy code in ``shingle.py`` and
``fingerprint.py`` computes, in one pass per document instead of many
whole-batch temporaries: tokenising UTF-8 bytes, hashing tokens, combining
n-grams, sorting each set, one-permutation MinHash and passage keys. Importing
this module imports numba; ``shingle.Engine`` does it only when the kernels are
wanted, so ``import dedup`` stays fast and dedup works without numba. Kernels
are compiled once and cached on disk (``cache=True``: next to this file, or
numba's user-wide cache directory when the package directory is read-only), so
later processes, ``--jobs`` workers included, load them instead of compiling.
All hashing is done in uint64 so that it wraps around exactly as numpy does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .shingle import char_classes

_M32 = np.uint64(0xFFFFFFFF)
_TOKEN_LENGTH_MULT = np.uint64(0xD6E8FEB86659FD93)
_NGRAM_MULT = np.uint64(0xBF58476D1CE4E5B9)
_PASSAGE_SALT = np.uint64(0x9E3779B97F4A7C15)
# Character classes of the table built by ``shingle.char_classes`` (read-only).
SEPARATOR, WORD, CJK = 0, 1, 2
CLASSES = char_classes()


@njit(inline="always")
def _fmix64(h):
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@njit(inline="always")
def _fmix32(h):
    """MurmurHash3's 32-bit finalizer of a uint64 holding a 32-bit value."""
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _M32
    return h ^ (h >> np.uint64(16))


@njit(cache=True, nogil=True)
def _grown(array, size):
    out = np.empty(size, dtype=array.dtype)
    out[:len(array)] = array
    return out


@njit(inline="always")
def _token_hash(h, length):
    h ^= np.uint64(length) * _TOKEN_LENGTH_MULT
    return _fmix64(h)


@njit(cache=True, nogil=True)
def _sort_distinct(src, lo, hi, out, at, scratch):
    """Write the sorted distinct values of ``src[lo:hi]`` to ``out[at:]``; return the new end.

    An LSD radix sort (4 passes of 8 bits): no data-dependent branches, so
    ~4x faster than quicksort on random hashes.
    """
    n = hi - lo
    counts = np.zeros((4, 256), dtype=np.int64)
    for i in range(lo, hi):
        v = src[i]
        counts[0, v & 0xFF] += 1
        counts[1, (v >> 8) & 0xFF] += 1
        counts[2, (v >> 16) & 0xFF] += 1
        counts[3, v >> 24] += 1
    a = scratch[:n]
    b = scratch[n:2 * n]
    a[:] = src[lo:hi]
    for p in range(4):
        total = 0
        for j in range(256):
            c = counts[p, j]
            counts[p, j] = total
            total += c
        shift = 8 * p
        for i in range(n):
            v = a[i]
            j = (v >> shift) & 0xFF
            b[counts[p, j]] = v
            counts[p, j] += 1
        a, b = b, a
    if n > 0:
        out[at] = a[0]
        at += 1
        for i in range(1, n):
            if a[i] != a[i - 1]:
                out[at] = a[i]
                at += 1
    return at


@njit(cache=True, nogil=True)
def shingle_docs(data, starts, ends, classes, word_ngram, cjk_ngram, powers, position):
    """Shingle documents ``data[starts[i]:ends[i]]`` (UTF-8 of normalized texts).

    A token is a maximal run of WORD characters or a single CJK character, as
    ``shingle.TOKEN`` finds them; ``classes`` gives the class of each BMP code
    point, and characters beyond the BMP count as WORD (texts holding such
    characters are passed in token form, where only token characters remain).

    Returns:
        ``(values, offsets, sequence, sequence_docs)`` as
        ``Shingler.batch_with_sequence`` returns them.
    """
    ndocs = len(starts)
    capacity = 16
    longest = 0
    for d in range(ndocs):
        capacity += (ends[d] - starts[d]) // 3
        longest = max(longest, ends[d] - starts[d])
    # Outputs sized for ~3 bytes per shingle (a CJK character; English words
    # take ~6) and grown when a text needs more: allocating for the worst case
    # (1 per byte) was measured 2x slower end to end (page faults).
    sequence = np.empty(capacity, dtype=np.uint32)
    sequence_docs = np.empty(capacity, dtype=np.int64)
    values = np.empty(capacity, dtype=np.uint32)
    offsets = np.zeros(ndocs + 1, dtype=np.int64)
    hashes = np.empty(longest + 1, dtype=np.uint64)
    scratch = np.empty(2 * longest + 2, dtype=np.uint32)
    used = 0
    kept = 0
    for d in range(ndocs):
        ntok = 0
        ncjk = 0
        h = np.uint64(0)
        length = 0  # bytes in the current word token; 0 = between tokens
        pos = starts[d]
        end = ends[d]
        while pos < end:
            b0 = data[pos]
            if b0 < 0x80:  # ASCII: a letter or digit continues the word
                if classes[b0] == WORD:
                    h += np.uint64(b0) * powers[min(length, 63)]
                    length += 1
                elif length > 0:
                    hashes[ntok] = _token_hash(h, length)
                    ntok += 1
                    h = np.uint64(0)
                    length = 0
                pos += 1
                continue
            if b0 < 0xE0:
                cls = classes[((b0 & 0x1F) << 6) | (data[pos + 1] & 0x3F)]
                width = 2
            elif b0 < 0xF0:
                cls = classes[((b0 & 0x0F) << 12) | ((data[pos + 1] & 0x3F) << 6)
                              | (data[pos + 2] & 0x3F)]
                width = 3
            else:
                cls = WORD
                width = 4
            if cls == WORD:
                for i in range(width):
                    h += np.uint64(data[pos + i]) * powers[min(length, 63)]
                    length += 1
            else:
                if length > 0:
                    hashes[ntok] = _token_hash(h, length)
                    ntok += 1
                    h = np.uint64(0)
                    length = 0
                if cls == CJK:
                    for i in range(width):
                        h += np.uint64(data[pos + i]) * powers[i]
                    hashes[ntok] = _token_hash(h, width)
                    ntok += 1
                    ncjk += 1
                    h = np.uint64(0)
            pos += width
        if length > 0:
            hashes[ntok] = _token_hash(h, length)
            ntok += 1
        n = cjk_ngram if ntok > 0 and 2 * ncjk >= ntok else word_ngram
        n = min(n, ntok)
        if used + ntok > len(sequence):
            capacity = 2 * (used + ntok)
            sequence = _grown(sequence, capacity)
            sequence_docs = _grown(sequence_docs, capacity)
            values = _grown(values, capacity)
        first = used
        for p in range(ntok - n + 1 if ntok > 0 else 0):
            acc = np.uint64(0)
            for i in range(n):
                acc += hashes[p + i] * position[i & 15]
            acc ^= acc >> np.uint64(29)
            acc *= _NGRAM_MULT
            sequence[used] = np.uint32(acc >> np.uint64(32))
            sequence_docs[used] = d
            used += 1
        kept = _sort_distinct(sequence, first, used, values, kept, scratch)
        offsets[d + 1] = kept
    return values[:kept].copy(), offsets, sequence[:used].copy(), sequence_docs[:used].copy()


@njit(cache=True, nogil=True)
def oph_signatures(values, offsets, k, mix_bin, mix_value, probes):
    """One-permutation MinHash with densification, as ``Fingerprinter._oph``."""
    ndocs = len(offsets) - 1
    empty = np.uint32(0xFFFFFFFF)
    out = np.full((ndocs, k), empty, dtype=np.uint32)
    sig = np.empty(k, dtype=np.uint32)
    filled = np.empty(k, dtype=np.bool_)
    kk = np.uint64(k)
    for d in range(ndocs):
        lo, hi = offsets[d], offsets[d + 1]
        if hi == lo:
            continue
        sig[:] = empty
        for j in range(lo, hi):
            h = _fmix32(np.uint64(values[j]) ^ mix_bin)
            b = (h * kk) >> np.uint64(32)
            v = _fmix32((h + mix_value) & _M32)
            if v == np.uint64(0xFFFFFFFF):
                v = np.uint64(0xFFFFFFFE)
            if np.uint32(v) < sig[b]:
                sig[b] = np.uint32(v)
        for c in range(k):
            filled[c] = sig[c] != empty
        for c in range(k):
            if filled[c]:
                out[d, c] = sig[c]
                continue
            done = False
            for attempt in range(probes.shape[0]):
                src = probes[attempt, c]
                if filled[src]:
                    out[d, c] = sig[src]
                    done = True
                    break
            if not done:  # the next filled bin to the right
                for step in range(1, k):
                    src = (c + step) % k
                    if filled[src]:
                        out[d, c] = sig[src]
                        break
    return out


@njit(cache=True, nogil=True)
def passage_keys(sequence, sequence_docs, ndocs, salts, mean, min_size, bands, rows):
    """Band keys of content-defined passages, as ``fingerprint.passage_keys``."""
    total = len(sequence)
    width = bands * rows
    keys = np.empty(((total // min_size) + ndocs + 1) * bands, dtype=np.uint64)
    counts = np.zeros(ndocs, dtype=np.int64)
    mins = np.empty(width, dtype=np.uint64)
    used = 0
    i = 0
    m = np.uint32(mean)
    while i < total:
        # One passage: from i up to and including the next cut shingle.
        j = i
        while True:
            j += 1
            if j == total or sequence_docs[j] != sequence_docs[j - 1] \
                    or sequence[j - 1] % m == 0:
                break
        if j - i >= min_size:
            for r in range(width):
                mins[r] = np.uint64(0xFFFFFFFF)
            for t in range(i, j):
                s = np.uint64(sequence[t])
                for r in range(width):
                    v = _fmix32(s ^ np.uint64(salts[r]))
                    if v < mins[r]:
                        mins[r] = v
            for b in range(bands):
                key = (mins[b * rows] << np.uint64(32)) | mins[b * rows + 1]
                key += np.uint64(b + 1) * _PASSAGE_SALT
                key ^= key >> np.uint64(31)
                key *= _NGRAM_MULT
                key ^= key >> np.uint64(29)
                keys[used] = key
                used += 1
            counts[sequence_docs[i]] += bands
        i = j
    offsets = np.zeros(ndocs + 1, dtype=np.int64)
    for d in range(ndocs):
        offsets[d + 1] = offsets[d] + counts[d]
    return keys[:used].copy(), offsets


@njit(cache=True, nogil=True)
def agreement(sigs, rows, sig):
    """Signature values equal to ``sig`` in each of ``sigs[rows]`` (what
    ``np.count_nonzero(sigs[rows] == sig, axis=1)`` gives, without the copies)."""
    out = np.empty(len(rows), dtype=np.int64)
    width = sig.shape[0]
    for i in range(len(rows)):
        row = rows[i]
        same = 0
        for j in range(width):
            if sigs[row, j] == sig[j]:
                same += 1
        out[i] = same
    return out
