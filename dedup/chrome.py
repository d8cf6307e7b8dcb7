"""Site chrome: what one site repeats across its different stories.

A site wraps every article in the same short lines ("Leave a Reply", "Back To
Top", "分享到："); copies of one story share their body instead. So the rule works
on *paragraphs* (hard-wrapped lines rejoined first, `paragraphs`), is learnt
*per site* (the record's source, else its URL host; articles with neither share
one pool, `site_key`), and a short paragraph counts towards its site's chrome
only in articles that are otherwise dissimilar: each article carries a sketch
of its long paragraphs, and an article whose sketch matches that of an article
already counted for a line is a copy of the same story and does not count
again (`ChromeCounts`). Chrome lines are dropped before fingerprinting
(`drop_chrome`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import xxhash

from . import _core
from .wires import url_host

if TYPE_CHECKING:
    import numpy as np

# Hard wraps and the long-paragraph sketch: the core's settings (src/chrome.rs).
WRAP_MAX, WRAP_MIN, WRAP_SLACK, WRAP_SHARE = (_core.WRAP_MAX, _core.WRAP_MIN, _core.WRAP_SLACK,
                                              _core.WRAP_SHARE)
SKETCH = _core.SKETCH  # long-paragraph keys kept per article (bottom-k of their hashes)
SAME_STORY = _core.SAME_STORY  # shared sketch keys that make two articles copies of one story
# A text without a long paragraph (a table, short lines whose hard wrap was not
# recognised) is sketched by its short paragraphs, after the mark SHORT_SKETCH; two
# such sketches are copies of one story when they share SAME_SHORT_STORY keys (the
# mark counted): articles of one site all share its chrome lines, so copies must
# share more than that. Without it, three copies of one table on a site turned its
# rows into that site's chrome (bench.accuracy --corpus-kind reuters: whole-story
# F1 0.9848 -> 0.9865, hard-wrapped 0.9648 -> 0.9666; src/chrome_counts.rs says why 7).
SHORT_SKETCH = _core.SHORT_SKETCH
SAME_SHORT_STORY = _core.SAME_SHORT_STORY


def paragraphs(text: str) -> list[str]:
    """The text's non-blank paragraphs, hard-wrapped lines rejoined (src/chrome.rs).

    A text is hard-wrapped when its *full* lines — no wider than ``WRAP_MAX``
    columns and within ``WRAP_SLACK`` of the widest such line of two words or
    more — hold at least ``WRAP_SHARE`` of its columns (plain-text feeds,
    archives and newsletters break lines at 60–80 columns). A full line then
    continues on the next non-blank line; a shorter line, a blank line or a line
    wider than ``WRAP_MAX`` ends a paragraph. Text that is not wrapped keeps its
    lines as they are.

    Issue 15: a line of one word (a closing link's URL) may be wider than the
    wrap, since a word is never broken, so it does not set the width; and a
    short wire item wrapped amid a site's short lines ("Leave a Reply", "Name *")
    has few full lines but most of the columns. Of the hard-wrapped copies of
    ``bench.accuracy --corpus-kind reuters --n 3000`` 385 of 497 were seen as
    wrapped (368 of 524 with ``--seed 2``), now 482 and 484; on the generated
    corpus 477 of 502 -> 500; of the 621 L3S-GN1 pages (none wrapped) 32 had
    lines joined, now 20; no unwrapped copy of either corpus is joined.

    Example:
        >>> paragraphs("Rain fell on the city for most of the\\nday.\\n\\nLeave a Reply")
        ['Rain fell on the city for most of the', 'day.', 'Leave a Reply']
    """
    return _core.paragraphs(text)


def site_key(source: str | None, url: str | None) -> int:
    """The 64-bit key of the site an article comes from: its publisher name
    (case and spacing ignored), else its URL host (``www.`` ignored), else 0
    (the pool of articles whose site is unknown)."""
    if source and source.strip():
        return xxhash.xxh3_64_intdigest(("source:" + " ".join(source.casefold().split())).encode())
    host = url_host(url)
    if host:
        return xxhash.xxh3_64_intdigest(("host:" + host.removeprefix("www.")).encode())
    return 0


def chrome_key(site: int, line: int) -> int:
    """A short line's key within its site."""
    return _core.chrome_key(site, line)


@dataclass(frozen=True, slots=True)
class Observation:
    """What one article tells the chrome rule.

    Attributes:
        keys: `chrome_key` of each distinct short paragraph.
        sketch: the ``SKETCH`` lowest 32-bit keys of its long paragraphs, sorted.
    """

    keys: frozenset[int]
    sketch: tuple[int, ...]


def observe(text: str, site: int, max_words: int) -> Observation:
    """The short-paragraph keys and long-paragraph sketch of a raw text."""
    return observe_many([text], [site], max_words)[0]


def observe_many(texts: Sequence[str], sites: Sequence[int], max_words: int,
                 threads: int = 1) -> list[Observation]:
    """`observe` of each text (with its site), in the core on ``threads`` threads."""
    return [Observation(frozenset(keys), tuple(sketch))
            for keys, sketch in _core.observe(texts, sites, max_words, threads)]


def drop_chrome(text: str, chrome: Collection[int], site: int, max_words: int) -> str:
    """``text`` as paragraphs, without those that are chrome of its ``site``.

    If every paragraph would go, the text is kept as it was: an article made
    only of repeated short lines is still content (a weak fingerprint beats none).
    """
    if not chrome:
        return text
    return _core.drop_chrome(text, chrome_set(chrome), site, max_words)


def chrome_set(chrome: Collection[int]) -> set[int] | frozenset[int]:
    """``chrome`` as the set the core reads."""
    return chrome if isinstance(chrome, (set, frozenset)) else frozenset(chrome)


def pack_witnesses(witnesses: Sequence[Sequence[int]]) -> bytes:
    """Sketches as bytes for storage: per sketch its length, then its uint32 keys."""
    out = bytearray()
    for sketch in witnesses:
        out.append(len(sketch))
        for value in sketch:
            out += value.to_bytes(4, "little")
    return bytes(out)


def unpack_witnesses(data: bytes) -> list[tuple[int, ...]]:
    """The inverse of `pack_witnesses` (read by the core, as an index file's load does).

    Raises:
        ValueError: the bytes are not a packed list of sketches.
    """
    return [tuple(keys) for keys in _core.unpack_witnesses(data)]


def same_story(a: Sequence[int], b: Sequence[int]) -> bool:
    """Do two sketches belong to copies of one story? They share ``SAME_STORY``
    long-paragraph keys (or all of the smaller one's, when it has fewer); two
    sketches of short paragraphs ``SAME_SHORT_STORY``; one of each kind never."""
    return _core.same_story(list(a), list(b))


class _Entries(Mapping):
    """The counts' entries as ``[count, last_seen, witnesses]`` lists (read-only):
    what the backends store per line."""

    __slots__ = ("_core",)

    def __init__(self, core: _core.ChromeCounts) -> None:
        self._core = core

    def __getitem__(self, key: int) -> list:
        entry = self.get(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def get(self, key: int, default: Any = None) -> Any:
        entry = self._core.get(key)
        return default if entry is None else [entry[0], entry[1], [tuple(w) for w in entry[2]]]

    def __iter__(self) -> Iterator[int]:
        return iter(self._core.keys())

    def __len__(self) -> int:
        return len(self._core)


class ChromeCounts:
    """Per short line (of a site): in how many dissimilar articles it was seen.

    An entry is ``[count, last_seen, witnesses]``: ``last_seen`` numbers the
    observation that saw it last (observations are numbered from 1), and
    ``witnesses`` are the sketches of the articles counted, kept until the line
    becomes chrome (``count >= min_docs``). A line whose articles are all gone
    (retention) can be forgotten with `age` unless it is chrome. The counts are
    held in the core (src/chrome_counts.rs, ~110 bytes per line); ``entries``
    reads them.

    Args:
        min_docs: dissimilar articles that make a short line chrome.
    """

    __slots__ = ("min_docs", "entries", "_counts", "_chrome", "_frozen")

    def __init__(self, min_docs: int) -> None:
        self.min_docs = min_docs
        self._counts = _core.ChromeCounts(min_docs)
        self.entries = _Entries(self._counts)
        self._chrome: set[int] = set()
        self._frozen: frozenset[int] = frozenset()

    @property
    def seen(self) -> int:
        """Observations counted so far."""
        return self._counts.seen

    @seen.setter
    def seen(self, value: int) -> None:
        self._counts.seen = value

    @property
    def chrome(self) -> frozenset[int]:
        """The chrome keys (frozen again only after they changed)."""
        if len(self._frozen) != len(self._chrome):  # keys are only ever added
            self._frozen = frozenset(self._chrome)
        return self._frozen

    def nbytes(self) -> int:
        """Bytes the counts hold, about."""
        return self._counts.nbytes()

    def load(self, key: int, count: int, last_seen: int,
             witnesses: list[tuple[int, ...]]) -> None:
        """Restore one stored entry."""
        if self._counts.load(key, count, last_seen, [list(w) for w in witnesses]):
            self._chrome.add(key)

    def load_packed(self, rows: list[tuple[int, int, int, bytes]]) -> None:
        """Restore stored entries in one call, each as (key, count, last seen, the
        witnesses as `pack_witnesses` packs them).

        Raises:
            ValueError: a packing is damaged (nothing is restored).
        """
        self._chrome.update(self._counts.load_packed(rows))

    def columns(self) -> tuple[np.ndarray, ...]:
        """The entries as six arrays, for an index file's snapshot (`load_columns`)."""
        return self._counts.columns()

    def load_columns(self, columns: Sequence[np.ndarray]) -> None:
        """Restore the entries `columns` gave.

        Raises:
            ValueError: the arrays do not fit together (nothing is restored).
        """
        self._chrome.update(self._counts.load_columns(*columns))

    def observe(self, observations: Iterable[Observation]) -> set[int]:
        """Count articles in order; returns the keys whose entry changed."""
        touched, became = self._counts.observe([(list(o.keys), o.sketch) for o in observations])
        self._chrome.update(became)
        return set(touched)

    def age(self, horizon: int) -> list[int]:
        """Forget the lines that are not chrome and were last seen before
        observation ``horizon``; returns their keys."""
        return self._counts.age(horizon)
