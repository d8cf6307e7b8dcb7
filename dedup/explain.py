"""Explaining a pair of articles: what they share, how much, and which one is the original.

``shared_passages(text_a, text_b)`` finds the maximal runs of word (or CJK character)
n-grams two texts have in common and maps them back to character offsets in the
original strings, for highlighting. ``explain(a, b)`` adds the exact similarity and
containments on the engine's shingles, the engine's verdict for the pair, and the
attribution evidence (credits, wire publishers, dates) with the original it implies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import credits as credit_lines
from .attribution import Member, attribute, iso
from .chrome import site_key
from .config import Config
from .errors import BadRecord
from .index import Index
from .prepare import Preparer
from .records import Article, Verdict
from .shingle import TOKEN
from .verify import shared_shingles
from .wires import WireRegistry

# The characters the shingler makes one token each of (Han, Kana, Hangul).
_CJK_CHAR = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                       "\u1100-\u11ff\u3130-\u318f]")
_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")
_MAX_SEEDS = 8  # positions in B tried per n-gram of A (bounds repeated boilerplate)


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A run of text two articles share.

    Offsets are character offsets into the original (raw) strings:
    ``text_a[a_start:a_end]`` and ``text_b[b_start:b_end]`` are the same tokens up
    to case, Unicode form and punctuation.

    Attributes:
        a_start: start of the passage in text A.
        a_end: end (exclusive) in text A.
        b_start: start in text B.
        b_end: end (exclusive) in text B.
        text: the passage as written in A (``text_a[a_start:a_end]``).
        tokens: length of the passage in tokens (words, or CJK characters).
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    text: str
    tokens: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"a_start": self.a_start, "a_end": self.a_end, "b_start": self.b_start,
                "b_end": self.b_end, "tokens": self.tokens, "text": self.text}


def _tokens(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Token keys of a raw text (NFKC, case-folded), their start and end offsets, and
    how many tokens are CJK characters."""
    parts = _TOKEN_SPLIT.split(text)  # separator, token, separator, …, separator
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    starts, ends = bounds[0:-1:2], bounds[1::2]
    tokens = parts[1::2]
    folded = text.casefold()
    words = None
    # Fast path: folding kept every offset and the text is already in NFKC form, so
    # the tokens of the folded text are the folded tokens, one for one.
    if len(folded) == len(text) and (text.isascii() or unicodedata.is_normalized("NFKC", folded)):
        words = TOKEN.findall(folded)
        if len(words) != len(tokens):
            words = None
    if words is None:
        words = [unicodedata.normalize("NFKC", t).casefold() for t in tokens]
    cjk = 0 if text.isascii() else len(_CJK_CHAR.findall(text))
    keys = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
    return keys, starts, ends, cjk


def _ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit key per n-gram start (``len(ids) - n + 1`` of them)."""
    count = len(ids) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    key = np.zeros(count, dtype=np.uint64)
    for k in range(n):
        key = key * np.uint64(0x9E3779B97F4A7C15) + ids[k:k + count].astype(np.uint64)
        key += np.uint64(1)
    return key


def shared_passages(text_a: str, text_b: str, *, word_ngram: int = 5,
                    cjk_ngram: int = 4) -> list[SharedPassage]:
    """The passages two texts share: maximal runs of common n-grams, by offset in A.

    Both texts are cut into tokens as the engine cuts them (words for spaced
    scripts, one token per Han/Kana/Hangul character; NFKC and case folding), but
    offsets are kept into the raw strings. A passage is a run of at least ``n``
    tokens that appears in both, extended as far as the tokens agree; ``n`` is
    ``cjk_ngram`` when most tokens of the two texts are CJK characters, else
    ``word_ngram``. Passages do not overlap in A and are sorted by ``a_start``;
    text repeated in B is matched once (the occurrence giving the longest run).
    Runs in O(len(a) + len(b)) time for ordinary texts.

    Args:
        text_a: the first raw text.
        text_b: the second raw text.
        word_ngram: shortest shared run, in words, for spaced scripts.
        cjk_ngram: shortest shared run, in characters, for CJK text.

    Returns:
        The shared passages, sorted by position in A.

    Example:
        >>> a = "BEIJING -- The river rose two metres overnight, officials said on Monday."
        >>> b = "Officials said the river rose two metres overnight in the north."
        >>> [(p.text, b[p.b_start:p.b_end]) for p in shared_passages(a, b)]
        [('The river rose two metres overnight', 'the river rose two metres overnight')]
    """
    ids_a, starts_a, ends_a, cjk_a = _tokens(text_a)
    ids_b, starts_b, ends_b, cjk_b = _tokens(text_b)
    la, lb = len(ids_a), len(ids_b)
    n = cjk_ngram if la + lb and 2 * (cjk_a + cjk_b) >= la + lb else word_ngram
    if la < n or lb < n:
        return []
    seeds: dict[int, list[int]] = {}
    for j, key in enumerate(_ngram_keys(ids_b, n).tolist()):
        bucket = seeds.get(key)
        if bucket is None:
            seeds[key] = [j]
        elif len(bucket) < _MAX_SEEDS:
            bucket.append(j)
    passages: list[SharedPassage] = []
    free = 0  # first token of A not yet in a passage
    after = 0  # first token of B after the last passage: preferred on a tie
    for i, key in enumerate(_ngram_keys(ids_a, n).tolist()):
        if i < free or key not in seeds:
            continue
        best_j, best = -1, (0, False)
        for j in seeds[key]:
            span = min(la - i, lb - j)
            differ = np.flatnonzero(ids_a[i:i + span] != ids_b[j:j + span])
            length = int(differ[0]) if len(differ) else span
            if length >= n and (length, j >= after) > best:
                best_j, best = j, (length, j >= after)
        length = best[0]
        if length == 0:
            continue  # only a key collision
        a_start, a_end = int(starts_a[i]), int(ends_a[i + length - 1])
        b_start, b_end = int(starts_b[best_j]), int(ends_b[best_j + length - 1])
        passages.append(SharedPassage(a_start, a_end, b_start, b_end, text_a[a_start:a_end],
                                      length))
        free, after = i + length, best_j + length
    return passages


# -- explain ---------------------------------------------------------------------


@dataclass
class Evidence:
    """What attribution sees in one article of the pair.

    Attributes:
        id: the article's id.
        source: its publisher.
        url: its URL.
        published: publication time (UTC ISO 8601).
        wire: the wire that published it (by source name or URL domain), if any.
        wire_evidence: how ``wire`` was recognised.
        credits: credit lines and datelines found: ``{wire, kind, text, start, end}``.
        mentions: wires named in the text without a credit (weaker evidence).
        shingles: distinct shingles fingerprinted (credits removed).
    """

    id: str
    source: str | None
    url: str | None
    published: str | None
    wire: str | None
    wire_evidence: str | None
    credits: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    shingles: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"id": self.id, "source": self.source, "url": self.url,
                "published": self.published, "wire": self.wire,
                "wire_evidence": self.wire_evidence, "credits": self.credits,
                "mentions": self.mentions, "shingles": self.shingles}


@dataclass
class Explanation:
    """Everything ``dedup explain`` says about a pair of articles.

    Attributes:
        a: evidence about article A.
        b: evidence about article B.
        similarity: exact Jaccard similarity of the two shingle sets (the
            engine's shingles: word 5-grams / CJK 4-grams, credits removed).
        containment_a_in_b: share of A's shingles found in B.
        containment_b_in_a: share of B's shingles found in A.
        relation: what the index decides for the pair: ``exact``, ``near``,
            ``edited`` (an edited version), ``excerpt`` (one is a part of the
            other), ``expanded``, or ``None``
            (not copies by its rules).
        copy: id of the article the index judges the copy (``None`` if not copies).
        original: the one that would be the original, by the attribution ranking.
        origin_source: the source the pair would be attributed to.
        why: the evidence for ``original`` and ``origin_source`` and any conflicts.
        passages: the shared passages (offsets into each original text).
    """

    a: Evidence
    b: Evidence
    similarity: float
    containment_a_in_b: float
    containment_b_in_a: float
    relation: str | None
    copy: str | None
    original: str
    origin_source: str | None
    why: list[str]
    passages: list[SharedPassage]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "similarity": self.similarity,
                "containment_a_in_b": self.containment_a_in_b,
                "containment_b_in_a": self.containment_b_in_a, "relation": self.relation,
                "copy": self.copy, "original": self.original,
                "origin_source": self.origin_source, "why": list(self.why),
                "passages": [p.to_dict() for p in self.passages]}


def explain(a: Article, b: Article, *, config: Config | None = None,
            wires: WireRegistry | None = None,
            corpus: Sequence[Article] | None = None) -> Explanation:
    """Compare two articles and say what they share and which is the original.

    The pair goes through what ``dedup batch`` does to it: the site chrome is
    learnt from ``corpus`` (as batch learns it from everything it reads), the
    two are added to an index with that chrome, and ``relation`` is the
    verdict it gives. The similarity and containments are exact (not MinHash
    estimates) on the shingles that index fingerprints: credit lines and the
    learnt site chrome removed. ``original`` follows the attribution ranking
    (wire publisher > credit line > earliest date > fuller text > A before B)
    whether or not the two are copies.

    Args:
        a: the first article.
        b: the second article.
        config: shingle sizes and thresholds (default ``Config()``).
        wires: the wire registry (default: packaged).
        corpus: the articles to learn site chrome from, e.g. every article
            of the folder the two came from (default: just ``a`` and ``b``,
            too few for any line to be chrome).

    Returns:
        The ``Explanation``.

    Raises:
        BadRecord: the two articles have the same id.
    """
    if a.id == b.id:
        raise BadRecord("both articles have this id; give them different ids to compare them",
                        record_id=a.id)
    config = config or Config()
    wires = wires or WireRegistry.default()
    with Index(config, wires=wires) as index:
        index.learn_chrome(corpus if corpus is not None else (a, b))
        index.add_many([a, b], learn_chrome=False)
        relation, copy = _relation(index.get(a.id), index.get(b.id))
        chrome = index.site_chrome()
    # The index's own text stages, keeping the shingle sets (verify="exact" keeps them).
    prepared = Preparer(config.replace(verify="exact"), wires).run(
        [a.text, b.text], chrome, [site_key(x.source, x.url) for x in (a, b)])
    sets = [prepared.shingles(0), prepared.shingles(1)]
    found = [credit_lines.detect(x.text, wires) for x in (a, b)]
    shared = shared_shingles(sets[0], sets[1])
    union = len(sets[0]) + len(sets[1]) - shared
    evidence = [_evidence(x, c, len(s), wires) for x, c, s in zip((a, b), found, sets, strict=True)]
    members = [_member(x, e, arrival, wires)
               for arrival, (x, e) in enumerate(zip((a, b), evidence, strict=True))]
    found = attribute(members)
    original, origin = found.original, found.origin
    why = found.reasons + found.origin_why + found.conflicts
    return Explanation(
        a=evidence[0], b=evidence[1],
        similarity=round(shared / union, 4) if union else 0.0,
        containment_a_in_b=round(shared / len(sets[0]), 4) if len(sets[0]) else 0.0,
        containment_b_in_a=round(shared / len(sets[1]), 4) if len(sets[1]) else 0.0,
        relation=relation, copy=copy, original=original.id, origin_source=origin, why=why,
        passages=shared_passages(a.text, b.text, word_ngram=config.word_ngram,
                                 cjk_ngram=config.cjk_ngram))


def _evidence(article: Article, found: credit_lines.Credits, size: int,
              wires: WireRegistry) -> Evidence:
    wire, how = wires.publisher(article.source, article.url)
    credits = [{"wire": c.wire, "kind": c.kind, "text": c.text, "start": c.start, "end": c.end}
               for c in found.credits]
    mentions = list(dict.fromkeys(m.wire for m in found.mentions if m.wire))
    return Evidence(article.id, article.source, article.url, iso(article.published), wire, how,
                    credits, mentions, size)


def _member(article: Article, evidence: Evidence, arrival: int, wires: WireRegistry) -> Member:
    credited = tuple(dict.fromkeys(c["wire"] for c in evidence.credits if c["wire"]))
    credit_text = next((c["text"] for c in evidence.credits if c["wire"]), None)
    canonical = article.canonical
    canonical_wire = wires.by_url(canonical) if canonical else None
    return Member(article.id, article.source, article.url, article.published, evidence.shingles,
                  arrival, evidence.wire, evidence.wire_evidence, credited, credit_text,
                  canonical=canonical, canonical_wire=canonical_wire)


def _relation(first: Verdict | None, second: Verdict | None) -> tuple[str | None, str | None]:
    """The index's verdict on the pair: (relation, copy id), or (None, None)."""
    if first is None or second is None or first.cluster != second.cluster:
        return None, None
    copy = second if second.duplicate else first
    return copy.relation, copy.id
