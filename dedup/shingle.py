"""Script-aware shingling: normalized texts in, sets of 32-bit shingle hashes out.

Spaced scripts (Latin, Cyrillic, Arabic/Urdu, Devanagari, …) are cut into
words; Han, Kana and Hangul have no spaces, so every character is a token, and
a text whose tokens are mostly such characters gets character shingles. The
core (``dedup._core``, src/shingle.rs) reads each text's UTF-8 once, hashes
every token from its bytes and combines n-gram hashes arithmetically, so no
string is built per token or shingle. ``TOKEN`` is the same token rule as a
regular expression, for code that needs the tokens themselves (``explain``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import _core

_CJK_RANGES = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff"
               "\u3130-\u318f")
# One token per Han/Kana/Hangul character, one per run of other letters/digits.
TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W_{_CJK_RANGES}]+")


def tokens(normalized: str) -> list[str]:
    """Split normalized text into tokens (words, or single CJK characters)."""
    return TOKEN.findall(normalized)


@dataclass(frozen=True)
class Shingler:
    """Turns batches of normalized texts into shingle-hash sets.

    Attributes:
        word_ngram: shingle size in words for spaced scripts.
        cjk_ngram: shingle size in characters for Han/Kana/Hangul texts.
    """

    word_ngram: int = 5
    cjk_ngram: int = 4

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
        values, offsets, sequence, docs = _core.shingle_batch(texts, self.word_ngram,
                                                              self.cjk_ngram)
        return (values, offsets), (sequence, docs)
