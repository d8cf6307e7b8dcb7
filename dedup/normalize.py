"""Normalization: Unicode, case, punctuation, and short-line keys.

``normalize`` maps every spelling of the same text to one form (NFKC, case
folding, one kind of quote/dash/space, unescaped ``\\"``). ``line_key`` keys a
*short* line by its letters and digits, for the site-chrome rule (``dedup.chrome``).
Both are computed by the core (``dedup._core``: src/normalize.rs, src/chrome.rs).
"""

from __future__ import annotations

from . import _core


def normalize(text: str) -> str:
    """Return the canonical form of ``text``: one line per paragraph.

    NFKC (full-width letters, ligatures, compatibility forms), case folding,
    curly quotes and dashes unified, JSON-escaped quotes unescaped, runs of
    spaces collapsed and blank lines removed; a lone surrogate (a JSON escape
    can leave one) becomes U+FFFD.

    Example:
        >>> normalize("\u201cHello\u201d \u2014 World")
        '"hello" - world'
    """
    return _core.normalize(text)


def line_key(line: str, max_words: int) -> int | None:
    """Return a 64-bit key for a short line (≤ ``max_words`` tokens), else None.

    Works on raw lines; only the line's letters and digits count, after NFKC
    and case folding, so "Back To Top ↑" and "back to top" share a key. A line
    of more than ``2 * max_words`` words or ``24 * max_words`` characters is
    not short.
    """
    return _core.line_keys([line], max_words)[0]


def line_keys_of(lines: list[str], max_words: int) -> list[int | None]:
    """`line_key` of each of ``lines``, at once."""
    return _core.line_keys(lines, max_words)


def content_key(line: str) -> int | None:
    """A 64-bit key of a line of any length from its letters and digits (after
    NFKC and case folding, as `line_key`); None when it has none."""
    return _core.content_key(line)
