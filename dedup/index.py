"""The index engine: fingerprints in, verdicts out.

``Index.add`` finds LSH candidates, verifies each candidate cluster against
its original (estimated Jaccard and containment both ways), joins the best
cluster or starts a new one, and re-attributes the cluster when the newcomer
ranks as a better original. Matching only against a cluster's original is what
keeps A~B, B~C from chaining A and C together. All state lives in a store
(``dedup.storage.store``): in memory, or persisted with ``Index.open``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from .attribution import choose_original
from .batching import (
    CHUNK,
    by_row,
    chunked,
    earlier_in_chunk,
    flat,
    observed_chunks,
    prepared_chunks,
    sites,
)
from .config import Config
from .errors import BadRecord, ConfigError, StoreError
from .fingerprint import PASSAGE_BANDS, PASSAGE_HOLDERS, stored_band_keys
from .heap import Trimmer, collector_paused_over
from .placement import matches, place
from .prepare import Prepared, Preparer
from .records import Article, Verdict
from .storage.arrays import cut
from .storage.backends import open_store
from .storage.memory_store import MemoryStore
from .storage.store import Doc, Placed, Probe, Store
from .verdicts import current_verdict, current_verdicts, listing, member, verdict_for, verdicts_of
from .verify import Match
from .wires import WireRegistry

__all__ = ["CHUNK", "Cluster", "Index", "Match"]


@dataclass(frozen=True)
class Cluster:
    """A cluster as reported by :meth:`Index.clusters`."""

    id: int
    original: str
    origin_source: str | None
    members: list[Verdict]


def _seconds(max_age: float | timedelta | None) -> float | None:
    if max_age is None:
        return None
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or \
            not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"max_age must be a positive number of seconds or a timedelta, "
                          f"got {max_age!r}")
    return float(seconds)


class Index:
    """A near-duplicate index of news articles.

    ``Index(config)`` keeps everything in memory; :meth:`Index.open` keeps it
    in a file (or, through another backend, on a server) and restores it.

    Safe to share between threads: every read and write of the index state
    holds the store's re-entrant lock; the text stages (credits, shingles,
    MinHash) run outside it, so threads fingerprint in parallel.

    Args:
        config: the configuration (default ``Config()``); ignored when
            ``store`` is given.
        wires: the wire registry (default: the packaged one).
        max_docs: keep at most this many articles: the oldest (by arrival)
            are evicted after each write. ``None``: no limit.
        max_age: evict articles added more than this long ago (seconds or a
            ``timedelta``), checked after each write. ``None``: no limit.
        keep_text: keep each article's raw text (see :meth:`text`).
        clock: the time source for ``max_age`` (default ``time.time``); a
            replay of an old crawl can pass a simulated clock.
        store: a backend from ``dedup.storage.store`` (``Index.open`` passes one).

    Example:
        >>> from dedup import Index, Article
        >>> index = Index()
        >>> v = index.add(Article(id="a", text="Some wire story ..."))
        >>> v.original
        'a'
    """

    def __init__(self, config: Config | None = None, *, wires: WireRegistry | None = None,
                 max_docs: int | None = None, max_age: float | timedelta | None = None,
                 keep_text: bool = False, clock: Callable[[], float] = time.time,
                 store: Store | None = None) -> None:
        if store is None:
            store = MemoryStore(config or Config(), wires or WireRegistry.default(),
                                keep_text=keep_text)
        if max_docs is not None and (not isinstance(max_docs, int) or isinstance(max_docs, bool)
                                     or max_docs < 1):
            raise ConfigError(f"max_docs must be a positive integer, got {max_docs!r}")
        self._store = store
        self.config = store.config
        self.wires = store.wires
        self.max_docs = max_docs
        self.max_age = _seconds(max_age)
        self._clock = clock
        self._preparer = Preparer(self.config, self.wires)
        self._lock = store.lock
        self._depth = 0
        self._writes = 0  # writes ended (a listing in parts notices them)
        self._closed = False
        self._trimmer = Trimmer()  # gives the heap's free holes back (dedup.heap)

    @classmethod
    def open(cls, location: str, *, create: bool = True, config: Config | None = None,
             wires: WireRegistry | None = None, max_docs: int | None = None,
             max_age: float | timedelta | None = None, keep_text: bool = True,
             fsync: bool = False, readonly: bool = False,
             clock: Callable[[], float] = time.time) -> Index:
        """Open (or create) a persistent index.

        ``location`` is a file path: an SQLite file in WAL mode holding the
        configuration, every article's fingerprints and metadata, the clusters
        and (unless ``keep_text=False``) the texts, zlib-compressed. The whole
        index is loaded into memory on open; every write is committed before
        the call that made it returns (or at the end of a :meth:`batch`).
        ``redis://host:port/db?prefix=NAME`` opens an index on a Redis server
        that many processes share (``dedup.storage.redis_store.RedisStore``).

        Args:
            location: the index file, or a ``redis://`` location.
            create: create the index if the file does not exist.
            config: the configuration; ``None`` takes the stored one (or the
                default for a new index). A different stored one raises.
            wires: the wire registry; ``None`` takes the stored one.
            max_docs: retention by count (runtime policy, not stored).
            max_age: retention by age (runtime policy, not stored).
            keep_text: store new articles' texts.
            fsync: also survive power loss (fsync on every commit, ~7 ms
                here); without it a commit survives the process being killed
                (``kill -9``) but an OS crash may lose the last commits.
            readonly: open for reading only (no lock; another process may be
                writing).
            clock: time source for ``max_age``.

        Raises:
            ConfigMismatch: the index was built with another configuration or
                wire registry; the message names the fields.
            IndexFormatError: not a dedup index, corrupted, truncated, or
                written by a newer dedup.
            StoreError: it does not exist (``create=False``), another process
                has it open for writing, or the file system refuses it (a missing
                folder, a folder given, read-only, no permission, disk full).
        """
        store = open_store(location, create=create, config=config, wires=wires,
                           keep_text=keep_text, fsync=fsync, readonly=readonly)
        return cls(store=store, max_docs=max_docs, max_age=max_age, clock=clock)

    # -- public API ---------------------------------------------------------

    @property
    def location(self) -> str | None:
        """Where the index lives (``None`` in memory)."""
        return self._store.location

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, article_id: object) -> bool:
        with self._lock:
            return isinstance(article_id, str) and self._store.slot(article_id) is not None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Commit what is pending and release the store (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self._store.readonly:
                self._store.commit()
            self._store.close()

    @contextmanager
    def batch(self) -> Iterator[Index]:
        """A bulk session: writes inside it are committed once, at its end.

        The session holds the index for its thread (other threads wait), so
        nothing another thread adds is left uncommitted. An ``add`` inside it
        is durable only when the session ends.

        Example:
            >>> with index.batch():
            ...     for article in articles:
            ...         index.add(article)
        """
        with self._writing():
            yield self

    def add(self, article: Article) -> Verdict:
        """Add one article; return its verdict against everything seen so far.

        The verdict's ``reattributed`` attribute is set when this article
        became its cluster's original in place of an earlier one.

        Raises:
            BadRecord: the id is already in the index, or the text has nothing
                to fingerprint.
            StoreError: the index is read-only or could not be written.
        """
        result = self.add_many([article])[0]
        if isinstance(result, BadRecord):
            raise result
        return result

    def add_many(self, articles: Iterable[Article], *, jobs: int = 1, learn_chrome: bool = True,
                 progress: Callable[[int], None] | None = None, verdicts: bool = True
                 ) -> list[Verdict | BadRecord | None]:
        """Add articles in order; one arrival-time verdict (or error) per article.

        Args:
            articles: the articles, in arrival order: a sequence, or any iterable,
                read a chunk at a time when ``learn_chrome`` is off (with it on,
                an iterable is read whole first, to learn from).
            jobs: threads to fingerprint with (the core's, beside this thread placing).
            learn_chrome: first count these articles' short lines towards the
                site chrome rule, as :meth:`learn_chrome` does (off when it
                already saw them). The chrome set is then fixed for the whole
                call, so ``jobs`` never changes a verdict.
            progress: called with the number of articles done after each chunk.
            verdicts: build the arrival-time verdicts. A batch job that reads
                the final ones (:meth:`verdicts`, :meth:`clusters`) afterwards
                passes ``False`` and gets ``None`` for every added article.

        Returns:
            A ``Verdict`` (or ``None``) per article, or the ``BadRecord`` that
            says why it was not added (duplicate id, nothing to fingerprint).
            Each chunk of 512 is committed as one transaction.
        """
        self._check_writable()
        if learn_chrome:
            articles = articles if isinstance(articles, Sequence) else list(articles)
        results: list[Verdict | BadRecord | None] = []
        with collector_paused_over(articles):
            if learn_chrome:
                self._learn(articles, jobs)
            for chunk, prepared in self._prepare_chunks(chunked(articles, CHUNK), jobs):
                with self._writing():
                    results.extend(self._index_chunk(chunk, prepared, verdicts))
                    self._retain()
                    self._trimmer.stored(len(chunk))
                if progress is not None:
                    progress(len(chunk))
        return results

    def query(self, article: Article) -> Verdict:
        """The verdict ``article`` would get, without adding it."""
        prepared = self._prepare([article])
        with self._lock:
            keys = self._band_keys(prepared)
            pkeys = prepared.passages(0)
            (_, slots), (_, pslots) = self._store.candidates(
                keys, pkeys.reshape(-1, PASSAGE_BANDS), prepared.signatures)
            candidates = np.concatenate((slots, pslots)).astype(np.int64)
            doc = self._describe(article, prepared, 0, arrival=-1)
            probe = Probe.of(prepared, 0)
            found = matches(self._store, self.config, probe, candidates)
            if not found:
                return verdict_for(self._store, doc, None, None)
            cluster, match, _ = found[0]
            return verdict_for(self._store, doc, cluster, match)

    def learn_chrome(self, articles: Iterable[Article], *, jobs: int = 1) -> int:
        """Count short lines over a whole corpus before adding it (batch mode).

        Returns:
            How many distinct lines are now site chrome.
        """
        self._check_writable()
        with collector_paused_over(articles):
            self._learn(articles, jobs)
        with self._lock:
            return len(self._store.chrome())

    def site_chrome(self) -> frozenset[int]:
        """The keys (`chrome.chrome_key`) of the lines now taken as site chrome: what
        the text stages drop (``Preparer.run(texts, chrome)``) before fingerprinting."""
        with self._lock:
            return self._store.chrome()

    def get(self, article_id: str) -> Verdict | None:
        """The current verdict of a stored article (after re-attributions)."""
        with self._lock:
            slot = self._store.slot(article_id)
            return None if slot is None else current_verdict(self._store, self.config, slot)

    def get_many(self, article_ids: Iterable[str]) -> Iterator[Verdict | None]:
        """`get` of each of ``article_ids``, in order, made `verdicts.LISTING` at a time
        (each part's metadata read at once, each cluster's attribution once)."""
        return verdicts_of(self._store, self._lock, article_ids)

    def text(self, article_id: str) -> str | None:
        """The stored raw text of an article (``None`` if absent or not kept).

        An index file keeps texts unless opened with ``keep_text=False``; an
        in-memory ``Index`` keeps them only when made with ``keep_text=True``.

        Raises:
            IndexFormatError: the stored text is damaged.
        """
        with self._lock:
            slot = self._store.slot(article_id)
            return None if slot is None else self._store.text(slot)

    def verdicts(self) -> Iterator[Verdict]:
        """Current verdicts of every stored article, in arrival order, made
        `verdicts.LISTING` at a time (`verdicts.listing`: writes by other threads
        meanwhile are followed)."""
        return listing(self._store, self._lock, lambda: self._writes)

    def clusters(self, *, min_size: int = 1) -> list[Cluster]:
        """Clusters in order of creation, each with its members' verdicts."""
        with self._lock:
            return [self.cluster(c.id) for c in self._store.clusters()
                    if len(c.members) >= min_size]

    def cluster(self, cluster_id: int) -> Cluster | None:
        """One cluster with its members' verdicts (``None`` if there is none)."""
        with self._lock:
            try:
                state = self._store.cluster(cluster_id)
            except KeyError:
                return None
            members = current_verdicts(self._store, sorted(
                state.members, key=lambda s: (s != state.original, s)))
            return Cluster(state.id, members[0].id, members[0].origin_source, members)

    def remove(self, article_id: str) -> bool:
        """Forget an article; its cluster picks a new original if it was one."""
        self._check_writable()
        with self._writing():
            slot = self._store.slot(article_id)
            if slot is None:
                return False
            self._forget(slot, "removed")
            return True

    def stats(self) -> dict[str, Any]:
        """Articles, clusters, copies, configuration and backend facts."""
        with self._lock:
            sizes = self._store.cluster_sizes()
            with_copies = [n for n in sizes if n > 1]
            out = {"articles": len(self._store), "clusters": len(sizes),
                   "clusters_with_copies": len(with_copies),
                   "copies": sum(with_copies) - len(with_copies),
                   "chrome_lines": len(self._store.chrome()),
                   "retention": {"max_docs": self.max_docs, "max_age": self.max_age},
                   "config": self.config.to_dict()}
            out.update({k: v for k, v in self._store.describe().items() if k not in out})
            return out

    # -- writes ----------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError("the index is closed")
        reason = self._store.unwritable()
        if reason:
            raise StoreError(reason)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the lock; the outermost write tidies and commits at its end."""
        with self._lock:
            self._check_writable()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._writes += 1
                    self._store.tidy()
                    self._store.commit()

    def _learn(self, articles: Iterable[Article], jobs: int) -> None:
        # Observing is pure: chunk by chunk, in order, is the same as all at once. Each
        # chunk's counts are a write of their own, so a shared index (Redis) is locked a
        # chunk at a time, not while the input is read.
        for observations in observed_chunks(self._preparer, chunked(articles, CHUNK), jobs):
            with self._writing():
                self._store.count_chrome(observations)

    def _forget(self, slot: int, how: str) -> None:
        store = self._store
        doc, cluster = store.remove_doc(slot)
        if cluster is not None and cluster.original == slot:
            best, _ = choose_original([member(self._store, s) for s in cluster.members])
            store.set_original(cluster, store.slot(best.id),
                               f"original {doc.id!r} was {how}; {best.id!r} re-chosen among the "
                               f"remaining members")

    def _retain(self) -> None:
        store = self._store
        if self.max_docs is None and self.max_age is None:
            return
        if self.max_docs is not None:
            for _ in range(len(store) - self.max_docs):
                self._forget(store.oldest(), f"evicted (retention: max_docs={self.max_docs})")
        if self.max_age is not None:
            limit = self._clock() - self.max_age
            while (slot := store.oldest()) is not None and store.doc(slot).added < limit:
                self._forget(slot, f"evicted (retention: max_age={self.max_age:g}s)")
        store.age_chrome(len(store))  # the short lines of evicted articles go with them

    # -- preparation ---------------------------------------------------------

    def _prepare(self, articles: Sequence[Article]) -> Prepared:
        with self._lock:
            chrome = self._store.chrome()
        return self._preparer.run([a.text for a in articles], chrome, sites(articles))

    def _prepare_chunks(self, chunks: Iterable[Sequence[Article]], jobs: int
                        ) -> Iterator[tuple[Sequence[Article], Prepared]]:
        """Each chunk with its prepared fingerprints; the chunks are read as the
        preparing gets to them (a few ahead of the caller), not all at once."""
        with self._lock:
            chrome = self._store.chrome()
        ahead: deque[Sequence[Article]] = deque()

        def texts() -> Iterator[tuple[list[str], list[int]]]:
            for chunk in chunks:  # on the caller's thread (prepared_chunks' loop)
                ahead.append(chunk)
                yield [a.text for a in chunk], sites(chunk)

        for prepared in prepared_chunks(self._preparer, texts(), chrome, jobs):
            yield ahead.popleft(), prepared

    # -- indexing ------------------------------------------------------------

    def _index_chunk(self, chunk: Sequence[Article], prepared: Prepared,
                     verdicts: bool = True) -> list[Verdict | BadRecord | None]:
        store = self._store
        keys = self._band_keys(prepared)
        pkeys = prepared.passage_keys.reshape(-1, PASSAGE_BANDS)
        (rows, slots), (hit, pslots) = store.candidates(keys, pkeys, prepared.signatures,
                                                        [a.id for a in chunk])
        passage_doc = np.repeat(np.arange(len(chunk)),
                                np.diff(prepared.passage_offsets) // PASSAGE_BANDS)
        stored = by_row(np.concatenate((rows, passage_doc[hit // PASSAGE_BANDS])),
                         np.concatenate((slots, pslots)).astype(np.int64), len(chunk))
        # A passage key finds its PASSAGE_HOLDERS earliest holders: the stored ones
        # first, then the earliest rows of this chunk, as one add at a time would.
        room = PASSAGE_HOLDERS - np.bincount(hit, minlength=pkeys.size)
        refused = self._refusals(chunk, prepared)
        earlier = earlier_in_chunk(keys, passage_doc, pkeys, room,
                                   np.array([r is None for r in refused], dtype=bool))
        slot_of_row = np.full(len(chunk), -1, dtype=np.int64)
        added: list[tuple[int, int]] = []
        results: list[Verdict | BadRecord | None] = list(refused)
        now = self._clock()
        # The whole chunk is placed in one core call when no arrival-time verdicts are
        # wanted and the store places in the core; else one article at a time, each
        # stored and placed before the next is stored.
        bulk = isinstance(store, MemoryStore) and not verdicts

        def candidates(i: int) -> np.ndarray:
            """Row i's: the stored slots and the chunk's earlier rows that share a key
            with it (each placed before it)."""
            local = slot_of_row[earlier[i]]
            return np.concatenate((stored[i], local[local >= 0]))

        try:
            if bulk:  # stored at once, then placed at once
                rows = [i for i, r in enumerate(refused) if r is None]
                docs = [self._describe(chunk[i], prepared, i, 0) for i in rows]
                for doc in docs:
                    doc.added = now
                slots = store.add_docs(docs, prepared, rows, [chunk[i].text for i in rows])
                slot_of_row[rows] = slots
                added.extend(zip(rows, slots, strict=True))
                if added:
                    placed = store.place(np.array(slots), *flat([candidates(i) for i in rows]))
                    self._placed(zip(slots, placed, strict=True))
            else:
                for i, article in enumerate(chunk):
                    if refused[i] is not None:
                        continue
                    doc = self._describe(article, prepared, i, 0)
                    doc.added = now
                    slot = store.add_doc(doc, Probe.of(prepared, i), article.text)
                    slot_of_row[i] = slot
                    added.append((i, slot))
                    placed = place(store, self.config, slot, candidates(i))
                    self._placed([(slot, placed)])
                    results[i] = self._verdict(slot, placed) if verdicts else None
        finally:
            # Also when placing an article raised: every stored article is in a
            # cluster and in the band tables, so what gets committed is consistent.
            new = np.array([s for _, s in added], dtype=np.int64)
            for slot in new[store.clusters_of(new) == 0].tolist():
                store.new_cluster(slot)
            if added:
                rows = np.array([i for i, _ in added], dtype=np.int64)
                new = new.astype(np.uint32)
                mine, counts = cut(prepared.passage_keys, prepared.passage_offsets, rows)
                store.index_keys(new, keys[rows], np.repeat(new, counts // PASSAGE_BANDS),
                                 mine.reshape(-1, PASSAGE_BANDS))
        return results

    def _band_keys(self, prepared: Prepared) -> np.ndarray:
        """The chunk's whole-text band keys (from its signatures as stored)."""
        return stored_band_keys(prepared.signatures, *self.config.bands)

    def _refusals(self, chunk: Sequence[Article], prepared: Prepared) -> list[BadRecord | None]:
        """Why each row of the chunk will not be stored (None: it will be): its id
        is in the index or earlier in the chunk, or it has nothing to fingerprint."""
        store, seen = self._store, set()
        out: list[BadRecord | None] = []
        for i, article in enumerate(chunk):
            if article.id in seen or store.slot(article.id) is not None:
                out.append(BadRecord(
                    "duplicate id: an article with this id is already in the index; "
                    "ids must be unique (the later record is skipped)", record_id=article.id))
            elif int(prepared.sizes[i]) == 0:
                out.append(BadRecord("no words to fingerprint (text is only punctuation "
                                     "or symbols)", record_id=article.id))
            else:
                seen.add(article.id)
                out.append(None)
        return out

    def _describe(self, article: Article, prepared: Prepared, i: int, arrival: int) -> Doc:
        wire, evidence = self.wires.publisher(article.source, article.url)
        credits = prepared.credits[i]
        credited = tuple(dict.fromkeys(c.wire for c in credits if c.wire))
        credit_text = next((c.text for c in credits if c.wire), None)
        mentions = tuple(dict.fromkeys(m.wire for m in prepared.mentions[i] if m.wire))
        canonical = article.canonical
        return Doc(article.id, article.title, article.url, article.source, article.published,
                   arrival, wire, evidence, credited, credit_text, mentions, canonical=canonical,
                   canonical_wire=self.wires.by_url(canonical) if canonical else None,
                   extraction=article.extraction)

    def _placed(self, placements: Iterable[tuple[int, Placed]]) -> None:
        """Note in each cluster that gathered others why, slot by slot in placement
        order (a cluster merged away since has no notes to keep)."""
        store = self._store
        for slot, (cid, _, _, merged) in placements:
            for other, original, _ in merged:
                try:
                    cluster = store.cluster(cid)
                except KeyError:
                    continue
                me = store.doc(slot).id
                store.set_original(cluster, cluster.original,
                                   f"cluster {other} (original {store.doc(original).id!r}) "
                                   f"merged: {me!r} matches both and outranks its original")

    def _verdict(self, slot: int, placed: Placed) -> Verdict:
        """The arrival-time verdict of ``slot``, just placed."""
        store = self._store
        cid, row, replaced, merged = placed
        if replaced < 0:
            match = None if row is None else Match.of(row)
            return current_verdict(store, self.config, slot, match=match)
        verdict = current_verdict(store, self.config, slot)
        me = store.doc(slot).id
        verdict.reattributed = {
            "event": "reattributed", "cluster": cid, "old_original": store.doc(replaced).id,
            "new_original": me, "why": [w for w in verdict.why if w.startswith("original:")]}
        verdict.merged = [
            {"event": "merged", "cluster": cid, "merged_cluster": other,
             "old_original": store.doc(original).id, "new_original": me,
             "members": [store.doc(s).id for s in members]}
            for other, original, members in merged] or None
        return verdict

    # -- verdicts --------------------------------------------------------------
