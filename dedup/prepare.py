"""The per-article stages composed: raw text in, fingerprint and credits out.

``Preparer.run`` hands a chunk of raw texts to the core (``dedup._core``), which
takes each through credit/dateline removal and site-chrome removal, normalizes,
shingles, MinHashes and keys it, on a thread pool with the GIL released, and gives
the index one ``Prepared`` chunk. It holds no index state.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _core
from .chrome import Observation, chrome_set, observe_many
from .config import Config
from .fingerprint import text_stages
from .records import Credit, Mention
from .wires import WireRegistry

MAX_NUMBERS = _core.MAX_NUMBERS  # per article, in order of appearance (a results table has more)


def number_keys(text: str) -> np.ndarray:
    """The distinct numbers of a normalized text as sorted 32-bit hashes.

    Numbers as written ("1,250.5", "2026", "8"; ASCII, Arabic-Indic, Urdu/Persian
    and Devanagari digits), once URLs are taken out (src/numbers.rs). Templated
    reports (exchange rates, weather, market closes) share most of their words
    and differ in their numbers; the index compares these sets
    (see ``verify.numbers_agree``).
    """
    return _core.number_keys(text)


@dataclass
class Prepared:
    """Fingerprints of a chunk of articles, row ``i`` for text ``i``.

    Attributes:
        signatures: ``(n, num_perm)`` uint32 MinHash signatures.
        sizes: number of distinct shingles per article.
        content_hashes: 64-bit hash of the shingle sequence of the credit- and
            chrome-free text (equal hashes mean an exact duplicate).
        credits: per article, the wire credits found (``credits.Credit``).
        mentions: per article, the wire mentions found (weaker evidence).
        passage_keys: band keys of every article's passages, concatenated.
        passage_offsets: article ``i``'s passage keys are
            ``passage_keys[passage_offsets[i]:passage_offsets[i + 1]]``.
        number_keys: every article's ``number_keys``, concatenated.
        number_offsets: offsets into ``number_keys``, as for passages.
        shingle_values: every article's sorted distinct shingle hashes,
            concatenated (only with ``Config.verify == "exact"``; else empty).
        shingle_offsets: offsets into ``shingle_values``, as for passages.
        fine_keys: the fine passage keys (one per fine passage, in text order) of
            the articles with fewer than ``FINE_STORED_BELOW`` passages,
            concatenated; none for the others (src/passages.rs, issue 15).
        fine_offsets: offsets into ``fine_keys``, as for passages.
    """

    signatures: np.ndarray
    sizes: np.ndarray
    content_hashes: np.ndarray
    credits: list[tuple]
    mentions: list[tuple]
    passage_keys: np.ndarray
    passage_offsets: np.ndarray
    number_keys: np.ndarray
    number_offsets: np.ndarray
    shingle_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    shingle_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fine_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    fine_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def passages(self, i: int) -> np.ndarray:
        """The passage band keys of article ``i``."""
        return self.passage_keys[self.passage_offsets[i]:self.passage_offsets[i + 1]]

    def fine(self, i: int) -> np.ndarray:
        """The fine passage keys of article ``i`` (empty for a long article)."""
        if not len(self.fine_offsets):
            return self.fine_keys[:0]
        return self.fine_keys[self.fine_offsets[i]:self.fine_offsets[i + 1]]

    def numbers(self, i: int) -> np.ndarray:
        """The number keys of article ``i``."""
        return self.number_keys[self.number_offsets[i]:self.number_offsets[i + 1]]

    def shingles(self, i: int) -> np.ndarray | None:
        """The sorted distinct shingle hashes of article ``i`` (None unless kept)."""
        if not len(self.shingle_offsets):
            return None
        return self.shingle_values[self.shingle_offsets[i]:self.shingle_offsets[i + 1]]


class Preparer:
    """Runs the text stages for one configuration and wire registry."""

    def __init__(self, config: Config, wires: WireRegistry, threads: int = 1) -> None:
        """Set up the stages.

        Args:
            config: the index configuration.
            wires: the wire registry.
            threads: how many threads the core spreads a chunk's articles over.
        """
        self.config = config
        self.wires = wires
        self.threads = max(1, threads)
        self._stages = text_stages(config.num_perm, config.seed, config.scheme,
                                   word_ngram=config.word_ngram, cjk_ngram=config.cjk_ngram,
                                   keep_shingles=config.verify == "exact")

    def run(self, texts: Sequence[str], chrome: Collection[int] = (),
            sites: Sequence[int] = (), *, threads: int | None = None) -> Prepared:
        """Fingerprint ``texts`` after removing credits and the ``chrome`` lines.

        Args:
            texts: raw article texts.
            chrome: `chrome.chrome_key` keys known to be site chrome.
            sites: each text's `chrome.site_key` (default: all unknown, 0).
            threads: core threads for this chunk (default: this preparer's).
        """
        (signatures, sizes, hashes, pkeys, poffsets, nkeys, noffsets, values, offsets,
         credit_rows, mention_rows, fkeys, foffsets) = self._stages.run(
            texts, threads or self.threads, sites=list(sites) if sites else None,
            chrome=chrome_set(chrome) if chrome else None,
            max_words=self.config.chrome_max_words, wires=self.wires.core)
        found = [tuple(Credit(*row) for row in rows) for rows in credit_rows]
        mentioned = [tuple(Mention(*row) for row in rows) for rows in mention_rows]
        return Prepared(signatures, sizes, hashes, found, mentioned, pkeys, poffsets, nkeys,
                        noffsets, values, offsets, fkeys, foffsets)

    def observe(self, texts: Sequence[str], sites: Sequence[int], *,
                threads: int | None = None) -> list[Observation]:
        """What each raw text tells the site-chrome rule (`chrome.observe`), on
        ``threads`` threads (default: this preparer's)."""
        return observe_many(texts, sites, self.config.chrome_max_words, threads or self.threads)
