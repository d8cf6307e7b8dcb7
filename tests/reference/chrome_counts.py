"""The site-chrome counts as dedup 0.2 implemented them in Python (dedup/chrome.py
before the core held them): the reference tests/test_chrome.py holds
``dedup.chrome.ChromeCounts`` (src/chrome_counts.rs) to. Not part of the product.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dedup.chrome import Observation

SAME_STORY = 3
# New since 0.2 (issue 15): sketches of short paragraphs start with this mark and
# need this many shared keys (the mark counted).
SHORT_SKETCH, SAME_SHORT_STORY = 0, 7


def same_story(a: Sequence[int], b: Sequence[int]) -> bool:
    """Do two sketches belong to copies of one story? They share ``SAME_STORY``
    long-paragraph keys (or all of the smaller one's, when it has fewer); two
    sketches of short paragraphs ``SAME_SHORT_STORY``; one of each kind never."""
    if not a or not b:
        return False
    short = a[0] == SHORT_SKETCH
    if short != (b[0] == SHORT_SKETCH):
        return False
    need = min(SAME_SHORT_STORY if short else SAME_STORY, len(a), len(b))
    return len(set(a).intersection(b)) >= need


class ChromeCounts:
    """Per short line (of a site): in how many dissimilar articles it was seen.

    An entry is ``[count, last_seen, witnesses]``: ``last_seen`` numbers the
    observation that saw it last (observations are numbered from 1), and
    ``witnesses`` are the sketches of the articles counted, kept until the line
    becomes chrome (``count >= min_docs``). A line whose articles are all gone
    (retention) can be forgotten with `age` unless it is chrome.

    Args:
        min_docs: dissimilar articles that make a short line chrome.
    """

    __slots__ = ("min_docs", "entries", "seen", "_chrome", "_frozen")

    def __init__(self, min_docs: int) -> None:
        self.min_docs = min_docs
        self.entries: dict[int, list] = {}
        self.seen = 0
        self._chrome: set[int] = set()
        self._frozen: frozenset[int] = frozenset()

    @property
    def chrome(self) -> frozenset[int]:
        """The chrome keys (frozen again only after they changed)."""
        if len(self._frozen) != len(self._chrome):  # keys are only ever added
            self._frozen = frozenset(self._chrome)
        return self._frozen

    def load(self, key: int, count: int, last_seen: int,
             witnesses: list[tuple[int, ...]]) -> None:
        """Restore one stored entry."""
        self.entries[key] = [count, last_seen, witnesses]
        if count >= self.min_docs:
            self._chrome.add(key)

    def observe(self, observations: Iterable[Observation]) -> set[int]:
        """Count articles in order; returns the keys whose entry changed."""
        touched: set[int] = set()
        entries, threshold = self.entries, self.min_docs
        for obs in observations:
            self.seen += 1
            for key in obs.keys:
                touched.add(key)
                entry = entries.get(key)
                if entry is None:
                    entries[key] = [1, self.seen, [obs.sketch] if threshold > 1 else []]
                    if threshold <= 1:
                        self._chrome.add(key)
                    continue
                entry[1] = self.seen
                if entry[0] >= threshold or any(same_story(obs.sketch, w) for w in entry[2]):
                    continue
                entry[0] += 1
                if entry[0] >= threshold:
                    entry[2] = []
                    self._chrome.add(key)
                else:
                    entry[2].append(obs.sketch)
        return touched

    def age(self, horizon: int) -> list[int]:
        """Forget the lines that are not chrome and were last seen before
        observation ``horizon``; returns their keys."""
        gone = [k for k, e in self.entries.items() if e[0] < self.min_docs and e[1] < horizon]
        for key in gone:
            del self.entries[key]
        return gone
