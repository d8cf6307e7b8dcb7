"""Script-aware shingling: normalized texts in, sets of 32-bit shingle hashes out.

Spaced scripts (Latin, Cyrillic, Arabic/Urdu, Devanagari, …) are cut into
words; Han, Kana and Hangul have no spaces, so every character is a token.
Whole batches of documents are tokenised and hashed in numpy: each token is
hashed once from its UTF-8 bytes, and n-gram hashes are combined
arithmetically from token hashes, so no string is built per token or shingle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
# One token per Han/Kana/Hangul character, one per run of other letters/digits.
TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W_{_CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")

# Bytes that are part of a token once a text is in "token form": ASCII letters
# and digits, plus every byte of a multi-byte UTF-8 character (non-ASCII
# texts are first rewritten by the regex as space-separated tokens).
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True

# Polynomial token hash: T = Σ byte_j · P^j (mod 2^64), then a 64-bit finalizer.
_P = np.uint64(0x100000001B3 * 2 + 1)
_P_INV = np.uint64(pow(int(_P), -1, 2**64))
# Odd multipliers, one per position in an n-gram, so "a b" and "b a" differ.
_POSITION = np.array([(0x9E3779B97F4A7C15 * (2 * i + 1)) % 2**64 | 1 for i in range(16)],
                     dtype=np.uint64)
_U32 = np.uint64(32)


def tokens(normalized: str) -> list[str]:
    """Split normalized text into tokens (words, or single CJK characters)."""
    return TOKEN.findall(normalized)


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


@dataclass
class Shingler:
    """Turns batches of normalized texts into shingle-hash sets.

    Holds only a cache of powers of the hash base (grown on demand), so one
    instance per index or worker is enough.
    """

    word_ngram: int = 5
    cjk_ngram: int = 4
    _pow: np.ndarray = field(default_factory=lambda: np.ones(1, dtype=np.uint64), repr=False)
    _inv: np.ndarray = field(default_factory=lambda: np.ones(1, dtype=np.uint64), repr=False)

    def shingles(self, normalized: str) -> np.ndarray:
        """Sorted distinct uint32 shingle hashes of one normalized text.

        Example:
            >>> len(Shingler(5, 4).shingles("the quick brown fox jumps over the lazy dog"))
            5
        """
        values, offsets = self.batch([normalized])
        return values[offsets[0]:offsets[1]]

    def batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Shingle many texts at once.

        Returns:
            ``(values, offsets)``: document ``i``'s sorted distinct hashes are
            ``values[offsets[i]:offsets[i + 1]]``.
        """
        sets, _ = self.batch_with_sequence(texts)
        return sets

    def batch_with_sequence(self, texts: list[str]) -> tuple[tuple[np.ndarray, np.ndarray],
                                                             tuple[np.ndarray, np.ndarray]]:
        """Like :meth:`batch`, also returning the shingles in text order.

        Returns:
            ``((values, offsets), (sequence, sequence_docs))``: the sets as in
            :meth:`batch`, and every shingle in text order with its document
            number (for passage fingerprints).
        """
        forms = [token_form(t, self.word_ngram, self.cjk_ngram) for t in texts]
        data = b"\n".join(f for f, _ in forms) + b"\n"
        buf = np.frombuffer(data, dtype=np.uint8)
        doc_end = np.cumsum([len(f) + 1 for f, _ in forms])  # byte after each doc's "\n"
        token_hash, token_start = self._token_hashes(buf)
        token_doc = np.searchsorted(doc_end, token_start, side="right")
        sizes = np.array([n for _, n in forms], dtype=np.int64)
        return _ngram_sets(token_hash, token_doc, sizes, len(texts))

    def _powers(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self._pow) < length:
            size = max(length, 2 * len(self._pow))
            self._pow = np.multiply.accumulate(np.full(size, _P, dtype=np.uint64))
            self._pow = np.concatenate(([np.uint64(1)], self._pow[:-1]))
            self._inv = np.multiply.accumulate(np.full(size, _P_INV, dtype=np.uint64))
            self._inv = np.concatenate(([np.uint64(1)], self._inv[:-1]))
        return self._pow[:length], self._inv[:length]

    def _token_hashes(self, buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        word = _WORD_BYTE[buf]
        edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        powers, inverse = self._powers(len(buf) + 1)
        prefix = np.zeros(len(buf) + 1, dtype=np.uint64)
        np.cumsum(buf.astype(np.uint64) * powers[:len(buf)], out=prefix[1:])
        h = (prefix[ends] - prefix[starts]) * inverse[starts]
        h ^= (ends - starts).astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
        return _fmix64(h), starts


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
