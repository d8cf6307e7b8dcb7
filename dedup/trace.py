"""Tracing articles to the source texts they reuse, well below the duplicate threshold.

``trace(articles, sources)`` ranks, for each article, the sources it shares the most
text with, by *exact* Jaccard similarity and containment on short shingles (word
bigrams, CJK character bigrams) of the credit- and chrome-free text — so that a
heavily rewritten newspaper story can still be traced to the wire story it came from
("find the press release"). An inverted index from shingle hash to source numbers
finds the candidates; the sets of the few best are then intersected in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import credits as credit_lines
from .chrome import ChromeCounts, drop_chrome, observe, site_key
from .errors import BadRecord
from .normalize import normalize
from .records import Article
from .shingle import Shingler
from .wires import WireRegistry

# Shingle sizes for tracing, chosen by measurement on COUNTER (300 real Urdu agency ->
# newspaper pairs; bench/counter_eval.py), n = 1..5 words:
#   P@1 of the gold agency story among all 300, ranked by Jaccard:
#                                        0.86, 0.86, 0.80, 0.70, 0.60;
#   derived-vs-not ROC AUC of containment: 0.89, 0.89, 0.85, 0.80, 0.74;
#   median best containment in an *unrelated* story: 0.40, 0.11, 0.04, 0.02, 0.01.
# Rewriting breaks long n-grams (the COUNTER paper also found short n-grams best), but
# unigrams share function words with everything; bigrams keep the accuracy of unigrams
# at a quarter of their background. For Han/Kana/Hangul, character bigrams have the same
# background on real Chinese news (CRUD-RAG sample, best containment in 300 unrelated
# articles: median 0.095, vs 0.108 for Urdu word bigrams; trigrams 0.032) and follow
# the engine's own ratio (5 words ~ 4 characters).
TRACE_WORD_NGRAM = 2
TRACE_CJK_NGRAM = 2
# Candidates sharing less than this share of the article's shingles are not listed:
# below the typical containment of a partly derived COUNTER article (0.04-0.3 with
# bigrams) but above what two texts share by grammar alone (0.01-0.05 on average).
DEFAULT_FLOOR = 0.05
DEFAULT_TOP = 5
# Candidate generation counts shared shingles held by at most this many sources (or
# this share of them): frequent bigrams ("of the", "کے لیے") say nothing about where a
# text came from. The candidates' full sets are intersected afterwards, so the scores
# reported are exact whatever this cut.
_RARE_MIN = 64
_RARE_SHARE = 0.01
_CANDIDATES_MIN = 32  # candidates scored exactly per article: max(this, 4 × top)
_CHUNK = 256  # articles traced together


@dataclass(frozen=True)
class Candidate:
    """A source an article shares text with.

    Attributes:
        id: the source's id.
        containment: share of the article's shingles found in the source.
        similarity: Jaccard similarity of the two shingle sets.
        source: the source's publisher, if known.
        coverage: share of the source's shingles found in the article (high
            when the article embeds the whole source in a longer text).
        shared: number of shingles the two have in common.
    """

    id: str
    containment: float
    similarity: float
    source: str | None
    coverage: float
    shared: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"id": self.id, "containment": self.containment, "similarity": self.similarity,
                "source": self.source, "coverage": self.coverage, "shared": self.shared}


@dataclass(frozen=True)
class TraceResult:
    """The sources of one article, best first (highest similarity, then containment)."""

    id: str
    candidates: list[Candidate]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"id": …, "candidates": [...]}``."""
        return {"id": self.id, "candidates": [c.to_dict() for c in self.candidates]}


class Tracer:
    """Shingle sets of a set of sources and an inverted index over them.

    Build it once, then trace any number of articles against it. Candidates are
    the sources sharing the most shingles held by at most max(64, 1 %) of the
    sources; their scores then count every shingle (exact), but a source that
    shares only frequent shingles with an article is not its candidate.

    Args:
        sources: the texts articles may come from (ids must be unique).
        wires: wire registry for credit and dateline removal (default: packaged).
        word_ngram: shingle size in words for spaced scripts.
        cjk_ngram: shingle size in characters for Han/Kana/Hangul.
        chrome_min_docs: a short line in at least this many sources (or articles
            traced together) is site chrome and is not shingled.
        chrome_max_words: lines of at most this many tokens count as short.

    Raises:
        BadRecord: two sources have the same id.

    Example:
        >>> tracer = Tracer([Article(id="wire", text="Rain fell on the city all day long.")])
        >>> found = next(tracer.trace([Article(id="a", text="rain fell on the city")]))
        >>> [c.id for c in found.candidates]
        ['wire']
    """

    def __init__(self, sources: Sequence[Article], *, wires: WireRegistry | None = None,
                 word_ngram: int = TRACE_WORD_NGRAM, cjk_ngram: int = TRACE_CJK_NGRAM,
                 chrome_min_docs: int = 3, chrome_max_words: int = 16) -> None:
        self.wires = wires or WireRegistry.default()
        self.chrome_min_docs = chrome_min_docs
        self.chrome_max_words = chrome_max_words
        self._shingler = Shingler(word_ngram, cjk_ngram)
        seen: set[str] = set()
        for article in sources:
            if article.id in seen:
                raise BadRecord("duplicate source id: source ids must be unique",
                                record_id=article.id)
            seen.add(article.id)
        self.ids = [a.id for a in sources]
        self.publishers = [a.source for a in sources]
        texts = [a.text for a in sources]
        self._chrome = self._chrome_of(sources)
        values, offsets = self._shingle(sources, self._chrome)
        self._sizes = np.diff(offsets).astype(np.int64)
        docs = np.repeat(np.arange(len(texts), dtype=np.int64), self._sizes)
        # Each source's sorted set, keyed by (source, hash): one searchsorted tests
        # membership of any (source, shingle) pairs.
        self._keyed = (docs.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64)
        order = np.argsort(values, kind="stable")
        self._post_hash = values[order]
        self._post_doc = docs[order].astype(np.int32)  # ~16 bytes per source shingle in all
        self._rare = max(_RARE_MIN, int(_RARE_SHARE * len(texts)))

    def __len__(self) -> int:
        return len(self.ids)

    def trace(self, articles: Iterable[Article], *, top: int = DEFAULT_TOP,
              floor: float = DEFAULT_FLOOR) -> Iterator[TraceResult]:
        """Rank the sources of each article.

        Args:
            articles: the articles to trace. Site chrome is learnt from the
                sources and from the articles: all of them when they come as a
                sequence, else each chunk of 256 as it arrives. A source with the
                article's own id is never its candidate.
            top: list at most this many candidates per article.
            floor: leave out candidates whose containment is below this.

        Yields:
            One ``TraceResult`` per article, in order; ``candidates`` may be empty.
        """
        chrome = None
        if isinstance(articles, Sequence):
            chrome = self._chrome | self._chrome_of(articles)
        chunk: list[Article] = []
        for article in articles:
            chunk.append(article)
            if len(chunk) == _CHUNK:
                yield from self._trace_chunk(chunk, top, floor, chrome)
                chunk = []
        if chunk:
            yield from self._trace_chunk(chunk, top, floor, chrome)

    # -- internals -------------------------------------------------------------

    def _chrome_of(self, articles: Sequence[Article]) -> frozenset[int]:
        """Site chrome among ``articles``, by the rule the index uses (`dedup.chrome`)."""
        counts = ChromeCounts(self.chrome_min_docs)
        counts.observe(observe(a.text, site_key(a.source, a.url), self.chrome_max_words)
                       for a in articles)
        return counts.chrome

    def _shingle(self, articles: Sequence[Article], chrome: Collection[int]
                 ) -> tuple[np.ndarray, np.ndarray]:
        bodies = []
        for article in articles:
            text = article.text
            body = credit_lines.detect(text, self.wires, mentions=False).body
            body = body if body.strip() else text
            site = site_key(article.source, article.url)
            bodies.append(normalize(drop_chrome(body, chrome, site, self.chrome_max_words)))
        return self._shingler.batch(bodies)

    def _trace_chunk(self, chunk: Sequence[Article], top: int, floor: float,
                     chrome: frozenset[int] | None) -> list[TraceResult]:
        if chrome is None:
            chrome = self._chrome | self._chrome_of(chunk)
        values, offsets = self._shingle(chunk, chrome)
        sizes = np.diff(offsets).astype(np.int64)
        qdoc = np.repeat(np.arange(len(chunk), dtype=np.int64), sizes)
        pairs, shared = self._candidates(values, qdoc, max(_CANDIDATES_MIN, 4 * top))
        q, s = pairs
        inter = shared.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            containment = np.where(sizes[q] > 0, inter / sizes[q], 0.0)
            coverage = np.where(self._sizes[s] > 0, inter / self._sizes[s], 0.0)
            union = sizes[q] + self._sizes[s] - inter
            similarity = np.where(union > 0, inter / union, 0.0)
        ids = self.ids
        keep = containment >= floor
        pairs = zip(q.tolist(), s.tolist(), strict=True)
        keep &= np.array([ids[j] != chunk[i].id for i, j in pairs], dtype=bool)
        q, s = q[keep], s[keep]
        containment, coverage, similarity = containment[keep], coverage[keep], similarity[keep]
        inter = shared[keep]
        # Best first: similarity, then containment, then id (a stable, total order).
        order = np.lexsort((s, -containment, -similarity, q))
        out: list[list[Candidate]] = [[] for _ in chunk]
        for k in order.tolist():
            listed = out[int(q[k])]
            if len(listed) < top:
                j = int(s[k])
                listed.append(Candidate(ids[j], round(float(containment[k]), 4),
                                        round(float(similarity[k]), 4), self.publishers[j],
                                        round(float(coverage[k]), 4), int(inter[k])))
        return [TraceResult(a.id, c) for a, c in zip(chunk, out, strict=True)]

    def _candidates(self, values: np.ndarray, qdoc: np.ndarray,
                    limit: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """Candidate (article, source) pairs and their exact shared-shingle counts."""
        nsrc = len(self.ids)
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)), np.zeros(0, np.int64)
        if nsrc == 0 or len(values) == 0:
            return empty
        lo = np.searchsorted(self._post_hash, values, side="left")
        hi = np.searchsorted(self._post_hash, values, side="right")
        df = hi - lo
        rare = (df > 0) & (df <= self._rare)
        # Expand the postings of the rare shingles into (article, source) keys.
        counts = df[rare]
        total = int(counts.sum())
        if total == 0:
            return empty
        starts = np.repeat(lo[rare], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        keys = np.repeat(qdoc[rare], counts) * nsrc + self._post_doc[starts + within]
        pair_keys, rare_shared = np.unique(keys, return_counts=True)
        q, s = pair_keys // nsrc, pair_keys % nsrc
        # Keep the `limit` sources sharing the most rare shingles with each article.
        order = np.lexsort((s, -rare_shared, q))
        q, s, rare_shared = q[order], s[order], rare_shared[order]
        first = np.searchsorted(q, q, side="left")
        chosen = (np.arange(len(q)) - first) < limit
        q, s, rare_shared = q[chosen], s[chosen], rare_shared[chosen]
        # Add the frequent shingles each chosen source also has: exact intersection.
        common = np.flatnonzero(df > self._rare)
        if len(common) == 0:
            return (q, s), rare_shared
        common_doc = qdoc[common]
        per_article = np.bincount(common_doc, minlength=int(qdoc.max()) + 1)
        ask = per_article[q]
        pair_of = np.repeat(np.arange(len(q)), ask)
        bounds = np.concatenate(([0], np.cumsum(per_article)))
        pos = np.repeat(bounds[q], ask) + (np.arange(int(ask.sum())) -
                                           np.repeat(np.cumsum(ask) - ask, ask))
        probe = (s[pair_of].astype(np.uint64) << np.uint64(32)) | \
            values[common[pos]].astype(np.uint64)
        at = np.searchsorted(self._keyed, probe)
        at = np.minimum(at, len(self._keyed) - 1)
        found = self._keyed[at] == probe
        extra = np.bincount(pair_of[found], minlength=len(q))
        return (q, s), rare_shared + extra


def trace(articles: Iterable[Article], sources: Sequence[Article], *, top: int = DEFAULT_TOP,
          floor: float = DEFAULT_FLOOR, wires: WireRegistry | None = None,
          word_ngram: int = TRACE_WORD_NGRAM,
          cjk_ngram: int = TRACE_CJK_NGRAM) -> Iterator[TraceResult]:
    """Trace each article to the sources it reuses text from, best first.

    A convenience for ``Tracer(sources, ...).trace(articles, ...)``.

    Args:
        articles: the articles to trace.
        sources: the candidate sources (e.g. wire stories); ids must be unique.
        top: at most this many candidates per article.
        floor: leave out candidates whose containment (share of the article's
            shingles found in the source) is below this.
        wires: wire registry for credit removal.
        word_ngram: shingle size in words for spaced scripts.
        cjk_ngram: shingle size in characters for Han/Kana/Hangul.

    Yields:
        One ``TraceResult`` per article.

    Example:
        >>> sources = [Article(id="wire", text="The council approved the new budget on Monday.")]
        >>> article = Article(id="a", text="On Monday the council approved the new budget")
        >>> result = next(trace([article], sources))
        >>> result.candidates[0].id, result.candidates[0].containment
        ('wire', 0.8571)
    """
    return Tracer(sources, wires=wires, word_ngram=word_ngram,
                  cjk_ngram=cjk_ngram).trace(articles, top=top, floor=floor)
