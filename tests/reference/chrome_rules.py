"""The site-chrome text rules as dedup implemented them in Python before the core.

Kept only for the parity tests: ``dedup._core`` must give the same paragraphs,
short-line keys, content keys, observations and chrome-free texts, so that the
chrome counts stored in existing indexes keep meaning the same lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

import xxhash

from .text_stages import _nfkc  # the same NFKC shortcut as normalize had

WRAP_MAX, WRAP_MIN, WRAP_SLACK, WRAP_SHARE, SKETCH = 110, 30, 20, 0.4, 8
SHORT_SKETCH = 0  # the mark of a sketch of short paragraphs (new since 0.2, issue 15)
_MASK = (1 << 64) - 1
_SITE_MULT = 0x9E3779B97F4A7C15


def chrome_key(site: int, line: int) -> int:
    """A short line's key within its site."""
    key = ((line ^ site) * _SITE_MULT) & _MASK
    return key ^ (key >> 29)


_LINE_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_LINE_TOKEN = re.compile(f"[{_LINE_CJK}]|[^\\W_]+")
# ASCII lines: lower-case letters and digits stay, every other byte becomes a
# space, so ``split()`` yields the tokens (~3x faster than the regex).
_ASCII_TOKEN_BYTES = bytes(c if chr(c).isalnum() else 32
                           for c in bytes(range(128)).lower()) + b" " * 128
_ASCII_TOKEN_BYTES_BY_LINE = bytes(c if c in b"\n\r" else t
                                   for c, t in enumerate(_ASCII_TOKEN_BYTES))
# Line breaks of str.splitlines() that bytes.splitlines() does not know.
_BYTES_UNSEEN_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ASCII_BYTES = bytes(range(128))
# A non-ASCII character that is (part of) a short-line token.
_NON_ASCII_TOKEN = re.compile(f"[^\\W\x00-\x7f]|[{_LINE_CJK}]")


def line_key(line: str, max_words: int) -> int | None:
    """Return a 64-bit key for a short line (≤ ``max_words`` tokens), else None.

    Works on raw lines; only the line's letters and digits count, after NFKC
    and case folding, so "Back To Top ↑" and "back to top" share a key.
    """
    if len(line) > max_words * 24:
        return None
    if line.isascii():
        return _ascii_key(line, line.encode("ascii").translate(_ASCII_TOKEN_BYTES), max_words)
    return _unicode_key(line, _nfkc(line).casefold(), max_words)


def _unicode_key(line: str, folded: str, max_words: int) -> int | None:
    """`line_key` of a line whose NFKC and case-folded form is ``folded``."""
    words = line.split()
    if not words or len(words) > 2 * max_words:
        return None
    # A CJK paragraph has few spaces but a token per character: a prefix with
    # too many tokens settles it (a prefix never has more tokens than the line).
    if len(words) < 4 and len(_LINE_TOKEN.findall(folded, 0, 2 * max_words + 2)) > max_words:
        return None
    tokens = _LINE_TOKEN.findall(folded)
    if not tokens or len(tokens) > max_words:
        return None
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode("utf-8"))


def _ascii_key(line: str, token_bytes: bytes, max_words: int) -> int | None:
    """`line_key` of an ASCII line whose letters and digits (lower-cased) are ``token_bytes``."""
    tokens = token_bytes.split()
    if not tokens or len(tokens) > max_words or len(line.split()) > 2 * max_words:
        return None
    return xxhash.xxh3_64_intdigest(b" ".join(tokens))


def _line_keys(text: str, lines: list[str], max_words: int) -> list[int | None]:
    """`line_key` of every line of ``lines = text.splitlines()``."""
    limit = max_words * 24
    if any(c in text for c in _BYTES_UNSEEN_BREAKS):
        token_lines = None
    elif text.isascii():
        token_lines = text.encode("ascii").translate(_ASCII_TOKEN_BYTES_BY_LINE).splitlines()
    else:
        # NFKC and case folding neither make nor remove line breaks: normalize the
        # text once. When no non-ASCII character is (or folds into) a token
        # character, as in English with curly quotes, the ASCII way applies too.
        text = _nfkc(text)
        raw = text.encode("utf-8", "surrogatepass")
        if _ascii_tokens_only(raw):  # non-ASCII bytes translate to separators
            token_lines = raw.translate(_ASCII_TOKEN_BYTES_BY_LINE).splitlines()
        else:
            return [_unicode_key(line, folded, max_words) if line and len(line) <= limit
                    else None for line, folded in zip(lines, text.casefold().splitlines(),
                                                      strict=True)]
    if token_lines is None:
        return [line_key(line, max_words) if line and len(line) <= limit else None
                for line in lines]
    # One translate for the whole text; bytes.splitlines() cuts the same lines
    # as str.splitlines() once the separators it does not know are ruled out.
    return [_ascii_key(line, tokens, max_words) if line and len(line) <= limit else None
            for line, tokens in zip(lines, token_lines, strict=True)]


def _ascii_tokens_only(raw: bytes) -> bool:
    """Is no non-ASCII character of the UTF-8 text ``raw`` a short-line token
    character, once case-folded?"""
    # Deleting the ASCII bytes leaves whole UTF-8 sequences: the non-ASCII characters,
    # in ~2 µs for an article (a regex scan of the text took ~40).
    others = raw.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    if not others:
        return True
    if _token_char(others[0]):  # a Han text stops at its first character
        return False
    return not any(map(_token_char, set(others)))


def _token_char(char: str) -> bool:
    folded = char.casefold()
    return any(c.isalnum() for c in folded) or _NON_ASCII_TOKEN.search(folded) is not None


def line_keys_of(lines: list[str], max_words: int) -> list[int | None]:
    """`line_key` of each of ``lines`` (strings without line breaks), at once."""
    text = "\n".join(lines)
    if len(text.splitlines()) != len(lines):  # empty lines, or breaks inside one
        return [line_key(line, max_words) for line in lines]
    return _line_keys(text, lines, max_words)


def content_key(line: str) -> int | None:
    """A 64-bit key of a line of any length from its letters and digits (after
    NFKC and case folding, as `line_key`); None when it has none."""
    if line.isascii():
        tokens = line.encode("ascii").translate(_ASCII_TOKEN_BYTES).split()
        return xxhash.xxh3_64_intdigest(b" ".join(tokens)) if tokens else None
    tokens = _LINE_TOKEN.findall(_nfkc(line).casefold())
    return xxhash.xxh3_64_intdigest(" ".join(tokens).encode("utf-8")) if tokens else None


def _width(line: str) -> int:
    """Display columns: wide (CJK) characters count two."""
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _one_word(line: str) -> bool:
    """No space and no wide character: a URL, a sign-off."""
    return not any(c.isspace() for c in line) and _width(line) == len(line)


def paragraphs(text: str) -> list[str]:
    """The text's non-blank paragraphs, hard-wrapped lines rejoined.

    A text is hard-wrapped when at least ``WRAP_SHARE`` of its non-blank lines
    are *full*: no wider than ``WRAP_MAX`` columns and within ``WRAP_SLACK`` of
    the widest such line (plain-text feeds, archives and newsletters break lines
    at 60–80 columns). A full line then continues on the next non-blank line; a
    shorter line, a blank line or a line wider than ``WRAP_MAX`` ends a paragraph.
    Text that is not wrapped keeps its lines as they are.

    Example:
        >>> paragraphs("Rain fell on the city for most of the\\nday.\\n\\nLeave a Reply")
        ['Rain fell on the city for most of the', 'day.', 'Leave a Reply']
    """
    stripped = [line.strip() for line in text.splitlines()]
    lines = [line for line in stripped if line]
    if len(lines) < 3:
        return lines
    widths = [_width(line) for line in stripped]  # 0 for a blank line
    # New since 0.2 (issue 15): a one-word line (a URL) says nothing of the wrap
    # width, and the full lines must hold WRAP_SHARE of the columns, not of the lines.
    wrappable = [w for w, line in zip(widths, stripped, strict=True)
                 if line and w <= WRAP_MAX and not _one_word(line)]
    if not wrappable or max(wrappable) < WRAP_MIN:
        return lines
    wrap = max(wrappable)
    full = [wrap - WRAP_SLACK <= w <= wrap for w in widths]
    if sum(full) < 3 or sum(w for w, f in zip(widths, full, strict=True) if f) < WRAP_SHARE * sum(
            widths):
        return lines
    out: list[str] = []
    joining = False  # the last paragraph ends in a full line
    wide = False  # new since 0.2 (issue 15): the last line has wide characters, no space
    for line, is_full in zip(stripped, full, strict=True):
        if not line:
            joining = False
            continue
        if joining:
            out[-1] = f"{out[-1]}{'' if wide else ' '}{line}"
        else:
            out.append(line)
        joining = is_full
        wide = _width(line) > len(line)
    return out


def observe(text: str, site: int, max_words: int) -> tuple[frozenset[int], tuple[int, ...]]:
    """The short-paragraph keys and long-paragraph sketch of a raw text."""
    paras = paragraphs(text)
    keys = line_keys_of(paras, max_words)
    short = frozenset(chrome_key(site, k) for k in keys if k is not None)
    long_keys = {max(c >> 32, SHORT_SKETCH + 1) for p, k in zip(paras, keys, strict=True)
                 if k is None and (c := content_key(p)) is not None}
    if not long_keys and short:  # new since 0.2 (issue 15): sketched by its short paragraphs
        marked = [SHORT_SKETCH, *sorted({k >> 32 for k in keys if k is not None} - {SHORT_SKETCH})]
        return short, tuple(marked[:SKETCH])
    return short, tuple(sorted(long_keys)[:SKETCH])


def drop_chrome(text: str, chrome: Collection[int], site: int, max_words: int) -> str:
    """``text`` as paragraphs, without those that are chrome of its ``site``.

    If every paragraph would go, the text is kept as it was: an article made
    only of repeated short lines is still content (a weak fingerprint beats none).
    """
    if not chrome:
        return text
    paras = paragraphs(text)
    keys = [None if k is None else chrome_key(site, k) for k in line_keys_of(paras, max_words)]
    chromed = [k is not None and k in chrome for k in keys]
    # New since 0.2 (issue 15): two short paragraphs that together are a chrome
    # line (one broken by a hard wrap the text did not show) go together.
    for i in range(1, len(paras)):
        if keys[i - 1] is not None and keys[i] is not None:
            joined = line_key(f"{paras[i - 1]} {paras[i]}", max_words)
            if joined is not None and chrome_key(site, joined) in chrome:
                chromed[i - 1] = chromed[i] = True
    kept = [p for p, c in zip(paras, chromed, strict=True) if not c]
    return "\n".join(kept) if kept else text


