"""The index: fingerprints in, verdicts out; owns all state.

``Index.add`` finds LSH candidates, verifies each candidate cluster against
its original (estimated Jaccard and containment both ways), joins the best
cluster or starts a new one, and re-attributes the cluster when the newcomer
ranks as a better original. Matching only against a cluster's original is what
keeps A~B, B~C from chaining A and C together.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .attribution import Member, choose_original, conflicts, iso, origin_source
from .config import Config
from .errors import BadRecord
from .fingerprint import PASSAGE_BANDS, passage_containment
from .lsh import BandTable, band_keys
from .prepare import Prepared, Preparer
from .records import Article, Verdict
from .wires import WireRegistry

CHUNK = 512
_RELATION_ORDER = {"exact": 0, "near": 1, "excerpt": 2, "expanded": 2}


@dataclass(slots=True)
class _Doc:
    id: str
    title: str | None
    url: str | None
    source: str | None
    published: datetime | None
    arrival: int
    wire: str | None
    wire_evidence: str | None
    credited: tuple[str, ...]
    credit_text: str | None
    mentions: tuple[str, ...]
    cluster: int = 0


@dataclass
class _Cluster:
    id: int
    original: int
    members: list[int] = field(default_factory=list)
    votes: Counter = field(default_factory=Counter)


@dataclass
class _Probe:
    """An article's fingerprints, stored or not yet."""

    sig: np.ndarray
    size: int
    content_hash: int
    passages: np.ndarray


def _group(rows: np.ndarray, slots: np.ndarray, count: int) -> list[set[int]]:
    """Candidate slots per asking row."""
    out: list[set[int]] = [set() for _ in range(count)]
    for row, slot in zip(rows.tolist(), slots.tolist()):
        out[row].add(slot)
    return out


@dataclass(frozen=True)
class Match:
    """How an article relates to a cluster's original."""

    relation: str
    similarity: float
    copy_in_original: float
    original_in_copy: float

    @property
    def containment(self) -> float:
        """Share of the smaller text found in the larger one."""
        return max(self.copy_in_original, self.original_in_copy)


@dataclass(frozen=True)
class Cluster:
    """A cluster as reported by :meth:`Index.clusters`."""

    id: int
    original: str
    origin_source: str | None
    members: list[Verdict]


class Index:
    """A near-duplicate index of news articles (in memory).

    Safe to share between threads: every read and write of the index state
    holds one re-entrant lock; the text stages run outside it.

    Example:
        >>> from dedup import Index, Article
        >>> index = Index()
        >>> v = index.add(Article(id="a", text="Some wire story ..."))
        >>> v.original
        'a'
    """

    def __init__(self, config: Config | None = None, *, wires: WireRegistry | None = None) -> None:
        self.config = config or Config()
        self.wires = wires or WireRegistry.default()
        self._preparer = Preparer(self.config, self.wires)
        self._lock = threading.RLock()
        self._sigs = np.zeros((0, self.config.num_perm), dtype=np.uint32)
        self._sizes = np.zeros(0, dtype=np.uint32)
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._pk = np.zeros(0, dtype=np.uint64)  # passage keys of all slots, concatenated
        self._pk_used = 0
        self._pk_start = np.zeros(0, dtype=np.int64)
        self._pk_len = np.zeros(0, dtype=np.int64)
        self._docs: list[_Doc | None] = []
        self._slot_of: dict[str, int] = {}
        self._clusters: dict[int, _Cluster] = {}
        self._next_cluster = 1
        self._arrival = 0
        self._table = BandTable()
        self._passages = BandTable()
        self._chrome_counts: Counter[int] = Counter()
        self._chrome: set[int] = set()

    # -- public API ---------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._slot_of

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release resources (nothing to do for an in-memory index)."""

    def add(self, article: Article) -> Verdict:
        """Add one article; return its verdict against everything seen so far.

        Raises:
            BadRecord: the id is already in the index, or the text has nothing
                to fingerprint.
        """
        result = self.add_many([article])[0]
        if isinstance(result, BadRecord):
            raise result
        return result

    def add_many(self, articles: Sequence[Article], *, jobs: int = 1, learn_chrome: bool = True,
                 progress: Callable[[int], None] | None = None) -> list[Verdict | BadRecord]:
        """Add articles in order; one arrival-time verdict (or error) per article.

        Args:
            articles: the articles, in arrival order.
            jobs: processes to fingerprint with (the index stays in this one).
            learn_chrome: first count these articles' short lines towards the
                site chrome rule, as :meth:`learn_chrome` does (off when it
                already saw them). The chrome set is then fixed for the whole
                call, so ``jobs`` never changes a verdict.
            progress: called with the number of articles done after each chunk.

        Returns:
            A ``Verdict`` per article, or the ``BadRecord`` that says why it
            was not added (duplicate id, nothing to fingerprint).
        """
        if learn_chrome:
            self.learn_chrome(articles, jobs=jobs)
        results: list[Verdict | BadRecord] = []
        chunks = [articles[i:i + CHUNK] for i in range(0, len(articles), CHUNK)]
        for chunk, prepared in zip(chunks, self._prepare_chunks(chunks, jobs)):
            with self._lock:
                results.extend(self._index_chunk(chunk, prepared))
            if progress is not None:
                progress(len(chunk))
        return results

    def query(self, article: Article) -> Verdict:
        """The verdict ``article`` would get, without adding it."""
        prepared = self._prepare([article.text])
        with self._lock:
            keys = band_keys(prepared.signatures, *self.config.bands)
            candidates = set(self._table.query(keys)[1].tolist())
            pkeys = prepared.passages(0)
            if len(pkeys):
                candidates.update(self._passages.query(pkeys.reshape(-1, PASSAGE_BANDS))[1].tolist())
            doc = self._describe(article, prepared, 0, arrival=-1)
            probe = _Probe(prepared.signatures[0], int(prepared.sizes[0]),
                           int(prepared.content_hashes[0]), pkeys)
            found = self._best_match(probe, candidates)
            if found is None:
                return self._verdict_for(doc, None, None)
            cluster, match = found
            return self._verdict_for(doc, cluster, match)

    def learn_chrome(self, articles: Iterable[Article], *, jobs: int = 1) -> int:
        """Count short lines over a whole corpus before adding it (batch mode).

        Returns:
            How many distinct lines are now site chrome.
        """
        texts = [a.text for a in articles]
        chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
        if jobs > 1 and len(chunks) > 1:
            with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                     initargs=(self.config, self.wires)) as pool:
                results = list(pool.map(_worker_chrome, chunks))
        else:
            results = [self._preparer.chrome_keys(c) for c in chunks]
        with self._lock:
            for keys_per_doc in results:
                self._count_chrome(keys_per_doc)
            return len(self._chrome)

    def get(self, article_id: str) -> Verdict | None:
        """The current verdict of a stored article (after re-attributions)."""
        with self._lock:
            slot = self._slot_of.get(article_id)
            return None if slot is None else self._current_verdict(slot)

    def verdicts(self) -> Iterator[Verdict]:
        """Current verdicts of every stored article, in arrival order."""
        with self._lock:
            slots = sorted(self._slot_of.values())
            return iter([self._current_verdict(s) for s in slots])

    def clusters(self, *, min_size: int = 1) -> list[Cluster]:
        """Clusters in order of creation, each with its members' verdicts."""
        with self._lock:
            out = []
            for cluster in self._clusters.values():
                if len(cluster.members) < min_size:
                    continue
                members = [self._current_verdict(s) for s in sorted(
                    cluster.members, key=lambda s: (s != cluster.original, s))]
                out.append(Cluster(cluster.id, members[0].id, members[0].origin_source, members))
            return out

    def remove(self, article_id: str) -> bool:
        """Forget an article; its cluster picks a new original if it was one."""
        with self._lock:
            slot = self._slot_of.pop(article_id, None)
            if slot is None:
                return False
            doc = self._docs[slot]
            self._docs[slot] = None
            self._table.discard(np.array([slot]))
            self._passages.discard(np.array([slot]))
            cluster = self._clusters[doc.cluster]
            cluster.members.remove(slot)
            cluster.votes.subtract(set(doc.credited))
            if not cluster.members:
                del self._clusters[cluster.id]
            elif cluster.original == slot:
                best, _ = choose_original([self._member(s) for s in cluster.members])
                cluster.original = self._slot_of[best.id]
            return True

    # -- preparation ---------------------------------------------------------

    def _prepare(self, texts: Sequence[str]) -> Prepared:
        with self._lock:
            chrome = frozenset(self._chrome)
        return self._preparer.run(texts, chrome)

    def _prepare_chunks(self, chunks: list[Sequence[Article]], jobs: int) -> Iterator[Prepared]:
        with self._lock:
            chrome = frozenset(self._chrome)
        if jobs <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield self._preparer.run([a.text for a in chunk], chrome)
            return
        with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                 initargs=(self.config, self.wires)) as pool:
            yield from pool.map(_worker_prepare, (([a.text for a in c], chrome) for c in chunks))

    def _count_chrome(self, keys_per_doc: Iterable[set[int]]) -> None:
        threshold = self.config.chrome_min_docs
        counts = self._chrome_counts
        for keys in keys_per_doc:
            for key in keys:
                counts[key] += 1
                if counts[key] == threshold:
                    self._chrome.add(key)

    # -- indexing ------------------------------------------------------------

    def _index_chunk(self, chunk: Sequence[Article], prepared: Prepared) -> list[Verdict | BadRecord]:
        keys = band_keys(prepared.signatures, *self.config.bands)
        by_doc = _group(*self._table.query(keys), len(chunk))
        pkeys = prepared.passage_keys.reshape(-1, PASSAGE_BANDS)
        passage_doc = np.repeat(np.arange(len(chunk)),
                                np.diff(prepared.passage_offsets) // PASSAGE_BANDS)
        prows, pslots = self._passages.query(pkeys)
        by_doc_partial = _group(passage_doc[prows], pslots, len(chunk))
        local: dict[int, list[int]] = {}
        added: list[tuple[int, int]] = []
        results: list[Verdict | BadRecord] = []
        for i, article in enumerate(chunk):
            if article.id in self._slot_of:
                results.append(BadRecord(
                    "duplicate id: an article with this id is already in the index; "
                    "ids must be unique (the later record is skipped)", record_id=article.id))
                continue
            if int(prepared.sizes[i]) == 0:
                results.append(BadRecord("no words to fingerprint (text is only punctuation "
                                         "or symbols)", record_id=article.id))
                continue
            own_keys = keys[i].tolist() + prepared.passages(i).tolist()
            candidates = by_doc[i] | by_doc_partial[i]
            for key in own_keys:
                hit = local.get(key)
                if hit:
                    candidates.update(hit)
            slot = self._store(article, prepared, i)
            for key in own_keys:
                local.setdefault(key, []).append(slot)
            added.append((i, slot))
            results.append(self._place(slot, candidates))
        if added:
            rows = [i for i, _ in added]
            slots = np.array([s for _, s in added], dtype=np.uint32)
            self._table.insert(slots, keys[rows])
            counts = np.diff(prepared.passage_offsets)[rows] // PASSAGE_BANDS
            if counts.sum():
                mine = np.concatenate([prepared.passages(i) for i in rows])
                self._passages.insert(np.repeat(slots, counts), mine.reshape(-1, PASSAGE_BANDS))
        return results

    def _store(self, article: Article, prepared: Prepared, i: int) -> int:
        slot = len(self._docs)
        if slot >= len(self._sigs):
            grow = max(1024, len(self._sigs))
            self._sigs = np.concatenate((self._sigs, np.zeros((grow, self.config.num_perm),
                                                              dtype=np.uint32)))
            self._sizes = np.concatenate((self._sizes, np.zeros(grow, dtype=np.uint32)))
            self._hashes = np.concatenate((self._hashes, np.zeros(grow, dtype=np.uint64)))
            self._pk_start = np.concatenate((self._pk_start, np.zeros(grow, dtype=np.int64)))
            self._pk_len = np.concatenate((self._pk_len, np.zeros(grow, dtype=np.int64)))
        self._sigs[slot] = prepared.signatures[i]
        self._sizes[slot] = prepared.sizes[i]
        self._hashes[slot] = prepared.content_hashes[i]
        passages = prepared.passages(i)
        if self._pk_used + len(passages) > len(self._pk):
            self._pk = np.concatenate((self._pk, np.zeros(max(len(self._pk), 1 << 14,
                                                              len(passages)), dtype=np.uint64)))
        self._pk[self._pk_used:self._pk_used + len(passages)] = passages
        self._pk_start[slot], self._pk_len[slot] = self._pk_used, len(passages)
        self._pk_used += len(passages)
        self._docs.append(self._describe(article, prepared, i, self._arrival))
        self._arrival += 1
        self._slot_of[article.id] = slot
        return slot

    def _probe(self, slot: int) -> _Probe:
        start = int(self._pk_start[slot])
        return _Probe(self._sigs[slot], int(self._sizes[slot]), int(self._hashes[slot]),
                      self._pk[start:start + int(self._pk_len[slot])])

    def _describe(self, article: Article, prepared: Prepared, i: int, arrival: int) -> _Doc:
        wire, evidence = None, None
        if article.source and (found := self.wires.by_source(article.source)):
            wire, evidence = found, f"source {article.source!r}"
        elif article.url and (found := self.wires.by_url(article.url)):
            wire, evidence = found, f"URL {article.url}"
        credits = prepared.credits[i]
        credited = tuple(dict.fromkeys(c.wire for c in credits if c.wire))
        credit_text = next((c.text for c in credits if c.wire), None)
        mentions = tuple(dict.fromkeys(m.wire for m in prepared.mentions[i] if m.wire))
        return _Doc(article.id, article.title, article.url, article.source, article.published,
                    arrival, wire, evidence, credited, credit_text, mentions)

    def _place(self, slot: int, candidates: set[int]) -> Verdict:
        doc = self._docs[slot]
        found = self._best_match(self._probe(slot), candidates)
        if found is None:
            cluster = _Cluster(self._next_cluster, slot, [slot])
            self._next_cluster += 1
            self._clusters[cluster.id] = cluster
            cluster.votes.update(set(doc.credited))
            doc.cluster = cluster.id
            return self._current_verdict(slot)
        cluster, _ = found
        cluster.members.append(slot)
        cluster.votes.update(set(doc.credited))
        doc.cluster = cluster.id
        old = cluster.original
        if self._member(slot).rank() < self._member(old).rank():
            cluster.original = slot
            verdict = self._current_verdict(slot)
            verdict.reattributed = {
                "event": "reattributed", "cluster": cluster.id,
                "old_original": self._docs[old].id, "new_original": doc.id,
                "why": [w for w in verdict.why if w.startswith("original:")]}
            return verdict
        return self._current_verdict(slot)

    def _best_match(self, probe: _Probe, candidates: set[int]) -> tuple[_Cluster, Match] | None:
        cluster_ids = {self._docs[s].cluster for s in candidates if self._docs[s] is not None}
        if not cluster_ids:
            return None
        clusters = [self._clusters[c] for c in sorted(cluster_ids)]
        matches = self._compare(probe, [c.original for c in clusters])
        best = None
        for cluster, match in zip(clusters, matches):
            if match is None:
                continue
            score = (_RELATION_ORDER[match.relation], -match.similarity, -match.containment)
            if best is None or score < best[0]:
                best = (score, cluster, match)
        return None if best is None else (best[1], best[2])

    def _compare(self, probe: _Probe, others: list[int]) -> list[Match | None]:
        """Verify ``probe`` against the stored slots ``others`` (cluster originals)."""
        cfg = self.config
        sims = np.mean(self._sigs[others] == probe.sig[None, :], axis=1)
        out: list[Match | None] = []
        for slot, sim in zip(others, sims.tolist()):
            size, other_size = probe.size, int(self._sizes[slot])
            if probe.content_hash == int(self._hashes[slot]):
                out.append(Match("exact", 1.0, 1.0, 1.0))
                continue
            inter = sim * (size + other_size) / (1.0 + sim)
            copy_in, orig_in = min(1.0, inter / size), min(1.0, inter / other_size)
            similar_length = min(size, other_size) > cfg.partial_size_ratio * max(size, other_size)
            # A copy of about the same length is near when J passes, or when the
            # shorter text is mostly inside the longer one (trimmed tail plus a
            # local intro: J ≈ 0.75, containment ≈ 0.9).
            by_containment = cfg.containment_threshold < 1.0 and similar_length and \
                max(copy_in, orig_in) >= cfg.containment_threshold
            if sim >= cfg.threshold or by_containment:
                out.append(Match("near", round(sim, 4), round(copy_in, 4), round(orig_in, 4)))
                continue
            out.append(self._partial(probe, slot, sim))
        return out

    def _partial(self, probe: _Probe, slot: int, sim: float) -> Match | None:
        """Excerpt/expanded check for articles of different length.

        Containment is measured on passages (robust to any length ratio) and,
        when the shorter text has at least half the length of the longer,
        also estimated from Jaccard and the sizes (robust to scattered edits
        that break passages); the larger of the two counts.
        """
        cfg = self.config
        size, other_size = probe.size, int(self._sizes[slot])
        short, long_ = min(size, other_size), max(size, other_size)
        if cfg.containment_threshold >= 1.0 or short < cfg.min_shingles or \
                short > cfg.partial_size_ratio * long_:
            return None
        theirs = self._probe(slot).passages
        copy_in = passage_containment(probe.passages, theirs)
        orig_in = passage_containment(theirs, probe.passages)
        if 2 * short >= long_:
            inter = sim * (size + other_size) / (1.0 + sim)
            copy_in = max(copy_in, min(1.0, inter / size))
            orig_in = max(orig_in, min(1.0, inter / other_size))
        if size < other_size and copy_in >= cfg.containment_threshold:
            return Match("excerpt", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
        if size > other_size and orig_in >= cfg.containment_threshold:
            return Match("expanded", round(sim, 4), round(copy_in, 4), round(orig_in, 4))
        return None

    # -- verdicts --------------------------------------------------------------

    def _member(self, slot: int) -> Member:
        d = self._docs[slot]
        return Member(d.id, d.source, d.url, d.published, int(self._sizes[slot]), d.arrival,
                      d.wire, d.wire_evidence, d.credited, d.credit_text)

    def _current_verdict(self, slot: int) -> Verdict:
        doc = self._docs[slot]
        cluster = self._clusters[doc.cluster]
        match = None
        if cluster.original != slot:
            match = self._compare(self._probe(slot), [cluster.original])[0]
            if match is None:  # e.g. matched an earlier original; report what it measures now
                match = self._measure(slot, cluster.original)
        return self._verdict_for(doc, cluster, match)

    def _measure(self, slot: int, other: int) -> Match:
        sim = float(np.mean(self._sigs[slot] == self._sigs[other]))
        a, b = int(self._sizes[slot]), int(self._sizes[other])
        mine, theirs = self._probe(slot).passages, self._probe(other).passages
        return Match("near" if a == b else ("excerpt" if a < b else "expanded"), round(sim, 4),
                     round(passage_containment(mine, theirs), 4),
                     round(passage_containment(theirs, mine), 4))

    def _verdict_for(self, doc: _Doc, cluster: _Cluster | None, match: Match | None) -> Verdict:
        why: list[str] = []
        if cluster is None:  # a query that matched nothing
            origin = doc.wire or (doc.credited[0] if doc.credited else doc.source)
            why.append("no near-duplicate found")
            why.extend(self._credit_evidence(doc))
            return Verdict(doc.id, None, doc.id, False, None, None, None, doc.source, origin,
                           why, doc.title, doc.url, iso(doc.published))
        original = self._docs[cluster.original]
        is_original = original is doc
        members = [self._member(s) for s in cluster.members]
        if doc.arrival < 0:  # a query is judged alongside the members
            members.append(Member(doc.id, doc.source, doc.url, doc.published, 0, 1 << 62,
                                  doc.wire, doc.wire_evidence, doc.credited, doc.credit_text))
        _, reasons = choose_original(members)
        origin, origin_why = origin_source(self._member(cluster.original), members)
        copies = len(members) - 1
        if is_original:
            why.append(f"original of {copies} cop{'y' if copies == 1 else 'ies'}" if copies
                       else "no near-duplicate found")
        else:
            why.append(f"{match.relation} copy of {original.id!r}: similarity "
                       f"{match.similarity:.2f}, containment {match.containment:.2f}")
        why.extend(reasons)
        why.extend(origin_why)
        why.extend(self._credit_evidence(doc))
        if copies:
            why.extend(conflicts(self._member(cluster.original), members))
        return Verdict(
            id=doc.id, cluster=cluster.id, original=original.id, duplicate=not is_original,
            relation=None if is_original else match.relation,
            similarity=None if is_original else match.similarity,
            containment=None if is_original else match.containment,
            source=doc.source, origin_source=origin, why=why, title=doc.title, url=doc.url,
            published=iso(doc.published))

    @staticmethod
    def _credit_evidence(doc: _Doc) -> list[str]:
        notes = []
        if doc.credited:
            notes.append(f"credit line names {', '.join(doc.credited)}: {doc.credit_text!r}")
        if doc.mentions:
            notes.append(f"mentions {', '.join(doc.mentions)} in the text (not a credit)")
        return notes


# -- worker processes (--jobs) ------------------------------------------------

_worker_preparer: Preparer | None = None


def _init_worker(config: Config, wires: WireRegistry) -> None:
    global _worker_preparer
    _worker_preparer = Preparer(config, wires)


def _worker_prepare(work: tuple[list[str], frozenset[int]]) -> Prepared:
    texts, chrome = work
    return _worker_preparer.run(texts, chrome)


def _worker_chrome(texts: list[str]) -> list[set[int]]:
    return _worker_preparer.chrome_keys(texts)
