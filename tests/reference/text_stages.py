"""The text stages as dedup 0.1 implemented them in Python: the reference the core is held to.

Kept only for tests/test_core_parity.py: ``dedup._core`` must give these
answers bit for bit (normalized text, shingles, both MinHash schemes, passage
keys, number keys, content hashes), so that indexes written before the core
open and give the same verdicts. Not part of the product.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash

_QUOTE_TABLE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"', "\u300e": '"', "\u300f": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2e3a": "-", "\u2e3b": "-", "\ufe58": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\u200b": "", "\u200c": "",
    "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
}
_QUOTE_CHARS = re.compile("[" + re.escape("".join(_QUOTE_TABLE)) + "]")
# Characters with a compatibility decomposition that is itself in NFKC
# (full-width forms, NBSP and other spaces, "…", "™", "℃", circled digits).
# Since every character of an NFKD is final, NFKC(text) equals ``text`` with
# these replaced by their NFKD whenever that result is already in NFKC (both
# have the same NFKD). Replacing the few distinct ones a text holds is ~10x
# faster than NFKC on a Chinese article, whose full-width punctuation is what
# NFKC changes.
_COMPAT = {
    c: d for c, d in ((chr(i), unicodedata.normalize("NFKD", chr(i)))
                      for r in ((0xA0, 0x100), (0x2000, 0x2190), (0x2460, 0x2500),
                                (0x3000, 0x3040), (0x3200, 0x3400), (0xFE10, 0xFE70),
                                (0xFF00, 0xFFF0)) for i in range(*r))
    if d != c and unicodedata.is_normalized("NFKC", d)}
_COMPAT_CHARS = re.compile("[" + re.escape("".join(_COMPAT)) + "]")
# Whitespace other than " " and "\n" (what str.split() splits on; none lies beyond U+3000).
_ODD_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
_ODD_ASCII_SPACES = tuple(c for c in _ODD_SPACES if c.isascii())
_ESCAPED_QUOTE = re.compile(r"\\([\"'])")
def normalize(text: str) -> str:
    """Return the canonical form of ``text``: one line per paragraph.

    NFKC (full-width letters, ligatures, compatibility forms), case folding,
    curly quotes and dashes unified, JSON-escaped quotes unescaped, runs of
    spaces collapsed and blank lines removed.

    Example:
        >>> normalize("\u201cHello\u201d \u2014 World")
        '"hello" - world'
    """
    if not text.isascii():
        text = _replace_chars(_nfkc(text), _QUOTE_CHARS, _QUOTE_TABLE)
    if "\\" in text:
        text = _ESCAPED_QUOTE.sub(r"\1", text)
    text = text.casefold()
    # Most texts only need their blank lines dropped: check that (~10 µs) before
    # collapsing spaces line by line (~40 µs per article).
    dropped = "\n".join(filter(None, text.split("\n")))
    if (dropped[:1] != " " and dropped[-1:] != " " and "  " not in dropped.replace("\n", " ")
            and not any(c in text for c in (_ODD_ASCII_SPACES if text.isascii() else _ODD_SPACES))):
        return dropped
    # str.split() is ~50x faster than a whitespace regex on article-sized text.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``; ~10x faster when only `_COMPAT` ones change."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    mapped = _replace_chars(text, _COMPAT_CHARS, _COMPAT)
    if mapped is not text and unicodedata.is_normalized("NFKC", mapped):
        return mapped
    return unicodedata.normalize("NFKC", text)


def _replace_chars(text: str, chars: re.Pattern[str], table: dict[str, str]) -> str:
    """``text.translate(str.maketrans(table))``, replacing only the characters present.

    ``str.translate`` looks every character up in a dict: ~300 µs for a non-ASCII article.
    """
    for char in set(chars.findall(text)):
        text = text.replace(char, table[char])
    return text


_CJK_RANGES = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff"
               "\u3130-\u318f")
# One token per Han/Kana/Hangul character, one per run of other letters/digits.
TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W_{_CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
# Bytes that are part of a token once a text is in "token form": ASCII letters
# and digits, plus every byte of a multi-byte UTF-8 character (non-ASCII
# texts are first rewritten by the regex as space-separated tokens).
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True

# Polynomial token hash: T = Σ byte_i · P^i (mod 2^64), then a 64-bit finalizer.
_P = 0x100000001B3 * 2 + 1
_POWERS = np.array([pow(_P, i, 2**64) for i in range(64)], dtype=np.uint64)
# Odd multipliers, one per position in an n-gram, so "a b" and "b a" differ.
_POSITION = np.array([(0x9E3779B97F4A7C15 * (2 * i + 1)) % 2**64 | 1 for i in range(16)],
                     dtype=np.uint64)
_U32 = np.uint64(32)
# The numpy engine works on sub-batches of about this many bytes of text, so
# that its whole-array temporaries (8 bytes per byte of text each) stay in the
# CPU caches: measured 1.35x faster than one pass over a 512-article chunk
# (1.8 MB of text); 16 KB sub-batches are as slow as none (per-call overhead).
_SUB_BATCH_BYTES = 1 << 18


def token_form(normalized: str, word_ngram: int, cjk_ngram: int) -> tuple[bytes, int]:
    """Rewrite a text so that tokens are maximal runs of word bytes.

    Returns:
        ``(data, n)``: the UTF-8 bytes to tokenise and the shingle size,
        ``cjk_ngram`` when most tokens are Han/Kana/Hangul characters.
    """
    if normalized.isascii():
        return normalized.encode("ascii"), word_ngram
    toks = TOKEN.findall(normalized)
    cjk = len(_CJK_CHAR.findall(normalized))
    n = cjk_ngram if toks and 2 * cjk >= len(toks) else word_ngram
    return " ".join(toks).encode("utf-8"), n


def shingle_batch(texts: list[str], word_ngram: int = 5, cjk_ngram: int = 4):
    """``((values, offsets), (sequence, sequence_docs))`` of normalized texts."""
    return _numpy_batch([token_form(t, word_ngram, cjk_ngram) for t in texts])


def _numpy_batch(forms: list[tuple[bytes, int]]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                          tuple[np.ndarray, np.ndarray]]:
    """The numpy engine over token forms, in cache-sized sub-batches."""
    groups, size, first = [], 0, 0
    for i, (form, _) in enumerate(forms):
        size += len(form) + 1
        if size >= _SUB_BATCH_BYTES:
            groups.append((first, i + 1))
            first, size = i + 1, 0
    if first < len(forms) or not groups:
        groups.append((first, len(forms)))
    if len(groups) == 1:
        return _numpy_group(forms)
    values, offsets, sequence, docs = [], [np.zeros(1, dtype=np.int64)], [], []
    done = 0
    for lo, hi in groups:
        (v, o), (s, d) = _numpy_group(forms[lo:hi])
        values.append(v)
        offsets.append(o[1:] + done)
        done += len(v)
        sequence.append(s)
        docs.append(d + lo)
    return ((np.concatenate(values), np.concatenate(offsets)),
            (np.concatenate(sequence), np.concatenate(docs)))


def _numpy_group(forms: list[tuple[bytes, int]]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                          tuple[np.ndarray, np.ndarray]]:
    data = b"\n".join(f for f, _ in forms) + b"\n"
    buf = np.frombuffer(data, dtype=np.uint8)
    doc_end = np.cumsum([len(f) + 1 for f, _ in forms])  # byte after each doc's "\n"
    token_hash, token_start = _token_hashes(buf)
    token_doc = np.searchsorted(doc_end, token_start, side="right")
    sizes = np.array([n for _, n in forms], dtype=np.int64)
    return _ngram_sets(token_hash, token_doc, sizes, len(forms))


def _token_hashes(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hash every token (maximal run of word bytes) of ``buf`` at once.

    ``T = Σ byte_i · P^i`` over the token's bytes (position ``i`` from the
    token start, capped at 63), plus its length, through a 64-bit finalizer.
    """
    idx = np.flatnonzero(_WORD_BYTE[buf])
    if len(idx) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    new = np.empty(len(idx), dtype=bool)
    new[0] = True
    np.not_equal(idx[1:], idx[:-1] + 1, out=new[1:])
    first = np.flatnonzero(new)
    lengths = np.diff(first, append=len(idx))
    rel = np.arange(len(idx)) - np.repeat(first, lengths)
    vals = buf[idx].astype(np.uint64) * _POWERS[np.minimum(rel, 63)]
    h = np.add.reduceat(vals, first)
    h ^= lengths.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
    return _fmix64(h), idx[first]


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _ngram_sets(token_hash: np.ndarray, token_doc: np.ndarray, sizes: np.ndarray,
                ndocs: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Combine token hashes into per-document n-gram sets, and the ordered sequence."""
    counts = np.bincount(token_doc, minlength=ndocs)
    n_of_token = sizes[token_doc]
    docs_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(len(token_hash)) - docs_first[token_doc]
    # A document shorter than its n yields one shingle of all its tokens: use
    # its own length as n (the window starting at its first token).
    n_eff = np.minimum(n_of_token, counts[token_doc])
    valid = position + n_eff <= counts[token_doc]
    total = len(token_hash)
    acc = token_hash * _POSITION[0]
    for i in range(1, min(int(sizes.max(initial=1)), total)):
        shifted = np.zeros(total, dtype=np.uint64)
        shifted[:total - i] = token_hash[i:]
        acc += np.where(i < n_eff, shifted * _POSITION[i % 16], np.uint64(0))
    acc ^= acc >> np.uint64(29)
    acc *= np.uint64(0xBF58476D1CE4E5B9)
    values = (acc >> _U32)[valid]
    sequence = values.astype(np.uint32)
    docs = token_doc[valid].astype(np.uint64)
    keyed = np.sort((docs << _U32) | values)  # by doc, then hash
    if len(keyed) > 1:  # np.unique is hash-based and 30x slower here (numpy 2.4)
        keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))]
    out_docs = keyed >> _U32
    offsets = np.searchsorted(out_docs, np.arange(ndocs + 1, dtype=np.uint64), side="left")
    sets = ((keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets)
    return sets, (sequence, token_doc[valid])
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

    def __init__(self, num_perm: int, seed: int, scheme: str = "oph32") -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.scheme = scheme
        self._a, self._b = permutations(num_perm, seed)
        # oph32: the bin hash and the in-bin value hash are two seeded
        # bijections of the shingle hash; probes[t, i] is where empty bin i
        # looks on attempt t.
        self._mix_bin, self._mix_value = int(self._a[0]), int(self._b[0])
        probe_gen = np.random.RandomState(seed ^ 0x5EED)
        self._probes = probe_gen.randint(0, num_perm, size=(_MAX_PROBES, num_perm))

    def signatures(self, values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of documents whose shingles are ``values[offsets[i]:offsets[i+1]]``.

        Returns:
            uint32 array of shape ``(ndocs, num_perm)``; a document without
            shingles gets the all-``0xFFFFFFFF`` signature (datasketch's empty).
        """
        if self.scheme == "affine32":
            return self._affine(values, offsets)
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
        for r, c in zip(rows.tolist(), cols.tolist(), strict=False):
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
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
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
    salt = np.uint64(0x9E3779B97F4A7C15)
    keys += (np.arange(PASSAGE_BANDS, dtype=np.uint64) + np.uint64(1)) * salt
    keys ^= keys >> np.uint64(31)
    keys *= np.uint64(0xBF58476D1CE4E5B9)
    keys ^= keys >> np.uint64(29)
    per_doc = np.bincount(docs, minlength=ndocs) * PASSAGE_BANDS
    offsets = np.concatenate(([0], np.cumsum(per_doc)))
    return keys.ravel(), offsets


_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f"
_NUMBER = re.compile(f"[{_DIGITS}][{_DIGITS}.,]*")
_URL = re.compile(r"(?:https?://|www\.)\S+")
MAX_NUMBERS = 256  # per article, in order of appearance (a results table has more)


def number_keys(text: str) -> np.ndarray:
    """The distinct numbers of a normalized text as sorted 32-bit hashes.

    Templated reports (exchange rates, weather, market closes) share most of
    their words and differ in their numbers; the index compares these sets
    (see ``verify.numbers_agree``).
    """
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    found = dict.fromkeys(n.rstrip(".,") for n in _NUMBER.findall(text))
    if not found:
        return np.zeros(0, dtype=np.uint32)
    keys = {xxhash.xxh32_intdigest(n.encode()) for n in list(found)[:MAX_NUMBERS]}
    return np.array(sorted(keys), dtype=np.uint32)


