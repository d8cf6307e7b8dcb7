"""Normalization: Unicode, case, punctuation, and site chrome.

``normalize`` maps every spelling of the same text to one form (NFKC, case
folding, one kind of quote/dash/space, unescaped ``\\"``). ``line_keys`` and
``drop_chrome`` implement the corpus rule for site chrome: a *short* line that
appears in many articles ("Leave a Reply", "Back To Top") is not content.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

import xxhash

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"', "\u300e": '"', "\u300f": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2e3a": "-", "\u2e3b": "-", "\ufe58": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\u200b": "", "\u200c": "",
    "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
})
_ESCAPED_QUOTE = re.compile(r"\\([\"'])")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
# Characters that do not count as content when deciding whether a line is short.
_LINE_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")


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
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if "\\" in text:
        text = _ESCAPED_QUOTE.sub(r"\1", text)
    text = text.casefold()
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def line_key(line: str, max_words: int) -> int | None:
    """Return a 64-bit key for a short line (≤ ``max_words`` tokens), else None.

    Works on raw lines; only the line's letters and digits count, after NFKC
    and case folding, so "Back To Top ↑" and "back to top" share a key.
    """
    if len(line) > max_words * 24:
        return None
    if not line.isascii():
        line = unicodedata.normalize("NFKC", line)
    tokens = _LINE_TOKEN.findall(line.casefold())
    if not tokens or len(tokens) > max_words:
        return None
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode("utf-8"))


def line_keys(text: str, max_words: int) -> set[int]:
    """Keys of the distinct short lines of a text (see :func:`line_key`)."""
    keys = set()
    for line in text.splitlines():
        key = line_key(line, max_words)
        if key is not None:
            keys.add(key)
    return keys


def drop_chrome(text: str, chrome: Collection[int], max_words: int) -> str:
    """Remove the lines whose short-line key is in ``chrome``.

    If every line would go, the text is kept as it was: an article made only
    of repeated short lines is still content (a weak fingerprint beats none).
    """
    if not chrome:
        return text
    lines = text.splitlines()
    kept = [line for line in lines if line_key(line, max_words) not in chrome]
    return "\n".join(kept) if any(line.strip() for line in kept) else text
