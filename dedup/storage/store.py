"""Index state behind one small interface: the engine asks, a backend answers.

The engine (``dedup.index.Index``) decides verdicts; a **store** holds what it
decides over: documents and their fingerprints, the LSH band tables, clusters
and the site-chrome counts. Every backend answers the calls of :class:`Store`:

* **documents** — ``len(store)``, ``slot(id)``, ``doc(slot)``, ``probe(slot)``
  (signature, size, content hash, passage keys), ``signatures(slots)``,
  ``live_slots()`` (arrival order), ``oldest()``, ``text(slot)``;
  ``add_doc(doc, probe, text)`` stores one article and returns its slot,
  ``remove_doc(slot)`` forgets it (and drops it from its cluster).
* **LSH** — ``candidates(band_keys, passage_keys, signatures, ids)`` returns
  ``(rows, slots)`` pairs for whole-text bands and ``(key, slots)`` pairs for
  passages, ``key`` indexing ``passage_keys.ravel()``, each key with its
  ``PASSAGE_HOLDERS`` lowest live slots at most (the asking
  rows' signatures are for backends keyed by raw band values, as datasketch's
  Redis layout is; their ids let a server backend answer the ``slot(id)``
  checks that follow from the same round trip); ``index_keys(...)`` makes a
  chunk's new documents findable (called once per chunk, after placement).
* **clusters** — ``cluster(id)``, ``clusters()``, ``new_cluster(slot)``,
  ``join(cluster, slot)``, ``set_original(cluster, slot, note)``,
  ``merge(into, other)`` (every member of ``other`` joins ``into``; ``other``
  is deleted).
* **chrome** — ``chrome()`` (frozen set of per-site short-line keys that are
  chrome, ``dedup.chrome``), ``count_chrome(observations)`` (articles in order),
  ``age_chrome(live)`` (forget lines no live article was seen with; retention).
* **life cycle** — ``unwritable()`` (why writes are refused, or None),
  ``lock`` (a context manager the engine holds around every read and write;
  re-entrant), ``commit()`` (make every write so far durable;
  the engine calls it before an ``add`` returns, or at the end of a
  ``with index.batch():`` session), ``close()``, ``readonly``, ``location``.

A *slot* is a backend's own small integer for a stored document; slots are
only valid while the engine holds ``lock`` (a backend may renumber them in
``tidy()``, which the engine calls at the end of a write). Cluster ids and
arrival numbers are stable and are what a persistent backend writes down.

:class:`MemoryStore` keeps everything in numpy arrays and compiled ``BandTable``s (the
fast path). ``dedup.storage.sqlite_store.SqliteStore`` is a MemoryStore that also
writes every change through to an SQLite file and rebuilds itself from it on
open. A shared backend (Redis) implements the same calls against the server,
with ``lock`` taking a cross-process lock so that cluster updates are atomic.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..attribution import rank_head
from ..chrome import ChromeCounts, Observation
from ..config import Config
from ..fingerprint import PASSAGE_BANDS, PASSAGE_HOLDERS
from ..lsh import BandTable, band_keys
from ..wires import WireRegistry
from .arrays import DATA_ROOM, SLOT_ROOM, Originals, Ragged, grown, room
from .doc_table import Doc, DocTable
from .snapshot import Snapshot, SnapshotDamaged

if TYPE_CHECKING:
    from ..prepare import Prepared

_MIN_COMPACT = 4096  # dead slots tolerated before the arrays are compacted


@dataclass(slots=True)
class ClusterState:
    """A cluster as the store holds it: members are slots, in arrival order."""

    id: int
    original: int
    members: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why the original was re-chosen (last 3)


@dataclass(slots=True)
class Probe:
    """An article's fingerprints, stored or not yet.

    ``numbers`` are the hashes of the distinct numbers in the text
    (``prepare.number_keys``); empty for an article stored by a dedup that did
    not record them, which the number check then lets through.
    """

    sig: np.ndarray
    size: int
    content_hash: int
    passages: np.ndarray
    numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    shingles: np.ndarray | None = None  # sorted distinct shingle hashes (verify="exact")
    # fine passage keys (short texts, ``Prepared.fine``); empty for a long text or
    # one stored by a dedup that did not record them (judged by the passages)
    fine: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @classmethod
    def of(cls, prepared: Prepared, i: int) -> Probe:
        """Article ``i`` of a prepared chunk (views into the chunk's arrays: `owned`
        copies them)."""
        return cls(prepared.signatures[i], int(prepared.sizes[i]),
                   int(prepared.content_hashes[i]), prepared.passages(i), prepared.numbers(i),
                   prepared.shingles(i), prepared.fine(i))

    def owned(self) -> Probe:
        """The same fingerprints in arrays of their own (to keep after the chunk whose
        arrays a probe of ``of`` views is gone)."""
        return Probe(np.array(self.sig), self.size, self.content_hash, np.array(self.passages),
                     np.array(self.numbers),
                     None if self.shingles is None else np.array(self.shingles),
                     np.array(self.fine))


RaggedColumn = tuple[np.ndarray, np.ndarray, np.ndarray]  # values, each row's start, length


@dataclass(frozen=True, slots=True)
class Columns:
    """Stored articles' fingerprints as verification (the core) reads them: row
    ``slots[j]`` of each column is candidate ``j`` — a store's own arrays, or
    fingerprints gathered for the occasion (`columns_of`).

    Attributes:
        slots: the candidates' rows (int64).
        signatures: ``(n, num_perm)`` uint32, C-contiguous.
        sizes: shingle counts (uint32).
        hashes: content hashes (uint64).
        passages: ``(values, start, length)``: uint64 passage keys, int64 start
            and length per row.
        numbers: the same for the uint32 number keys.
        shingles: the same for stored shingle sets (verify="exact"), or None.
        fine: the same for the uint64 fine passage keys, or None (none stored).
    """

    slots: np.ndarray
    signatures: np.ndarray
    sizes: np.ndarray
    hashes: np.ndarray
    passages: RaggedColumn
    numbers: RaggedColumn
    shingles: RaggedColumn | None = None
    fine: RaggedColumn | None = None


def _gathered(arrays: Sequence[np.ndarray], dtype: Any) -> RaggedColumn:
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    values = np.concatenate(arrays).astype(dtype) if len(arrays) else np.zeros(0, dtype)
    return values, starts, lengths


def columns_of(probes: Sequence[Probe], num_perm: int) -> Columns:
    """``Columns`` of fingerprints held as ``Probe``s (candidate ``j`` is ``probes[j]``)."""
    sigs = np.stack([p.sig for p in probes]) if probes else np.zeros((0, num_perm))
    shingles = None
    if probes and all(p.shingles is not None for p in probes):
        shingles = _gathered([p.shingles for p in probes], np.uint32)
    return Columns(np.arange(len(probes), dtype=np.int64),
                   np.ascontiguousarray(sigs, dtype=np.uint32),
                   np.array([p.size for p in probes], dtype=np.uint32),
                   np.array([p.content_hash for p in probes], dtype=np.uint64),
                   _gathered([p.passages for p in probes], np.uint64),
                   _gathered([p.numbers for p in probes], np.uint32), shingles,
                   _gathered([p.fine for p in probes], np.uint64))


class Store(ABC):
    """The calls the engine makes on its state (see the module docstring).

    Attributes:
        config: the index configuration (frozen; a persistent store checks it
            against the one it was built with).
        wires: the wire registry the stored verdicts were made with.
        lock: re-entrant context manager held around every call.
        location: where the state lives (``None`` in memory).
        readonly: writes raise ``StoreError``.
    """

    config: Config
    wires: WireRegistry
    lock: AbstractContextManager[Any]
    location: str | None = None
    readonly: bool = False

    # documents
    @abstractmethod
    def __len__(self) -> int: ...
    @abstractmethod
    def slot(self, article_id: str) -> int | None: ...
    @abstractmethod
    def doc(self, slot: int) -> Doc: ...
    @abstractmethod
    def probe(self, slot: int) -> Probe: ...
    @abstractmethod
    def signatures(self, slots: Sequence[int]) -> np.ndarray: ...
    @abstractmethod
    def size(self, slot: int) -> int: ...
    def rank(self, slot: int) -> tuple[int, float, int, int]:
        """``slot``'s `attribution.Member.rank` (the smallest is the likeliest original)."""
        d = self.doc(slot)
        flags, stamp = rank_head(d.wire, d.url, d.canonical, d.credited, d.published)
        return flags, stamp, -self.size(slot), d.arrival
    def originals_of(self, cluster_ids: np.ndarray) -> np.ndarray:
        """The original (a slot) of each of ``cluster_ids`` (live clusters)."""
        return np.array([self.cluster(int(c)).original for c in cluster_ids.tolist()],
                        dtype=np.int64)

    def clusters_of(self, slots: np.ndarray) -> np.ndarray:
        """The cluster of each of ``slots`` (0: removed, or not placed yet)."""
        out = np.zeros(len(slots), dtype=np.int64)
        for j, slot in enumerate(slots.tolist()):
            doc = self.doc(slot)
            if doc is not None:
                out[j] = doc.cluster
        return out

    def columns(self, slots: np.ndarray) -> Columns:
        """The fingerprints of ``slots`` as verification reads them."""
        return columns_of([self.probe(int(s)) for s in slots], self.config.num_perm)

    @abstractmethod
    def live_slots(self) -> list[int]: ...
    @abstractmethod
    def oldest(self) -> int | None: ...
    @abstractmethod
    def text(self, slot: int) -> str | None: ...
    @abstractmethod
    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int: ...
    @abstractmethod
    def remove_doc(self, slot: int) -> tuple[Doc, ClusterState | None]: ...
    # LSH
    @abstractmethod
    def candidates(self, keys: np.ndarray, passage_keys: np.ndarray,
                   signatures: np.ndarray | None = None, ids: Sequence[str] = ()
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]: ...
    @abstractmethod
    def index_keys(self, slots: np.ndarray, keys: np.ndarray, passage_slots: np.ndarray,
                   passage_keys: np.ndarray) -> None: ...
    # clusters
    @abstractmethod
    def cluster(self, cluster_id: int) -> ClusterState: ...
    @abstractmethod
    def clusters(self) -> Iterable[ClusterState]: ...
    @abstractmethod
    def new_cluster(self, slot: int) -> ClusterState: ...
    @abstractmethod
    def join(self, cluster: ClusterState, slot: int) -> None: ...
    @abstractmethod
    def set_original(self, cluster: ClusterState, slot: int, note: str | None = None) -> None: ...
    @abstractmethod
    def merge(self, into: ClusterState, other: ClusterState) -> None: ...
    # chrome
    @abstractmethod
    def chrome(self) -> frozenset[int]: ...
    @abstractmethod
    def count_chrome(self, observations: Iterable[Observation]) -> None: ...
    def age_chrome(self, live: int) -> None:  # noqa: B027 - optional for a backend
        """Forget the short lines that are not chrome and were last seen before
        the ``live`` most recent observations (retention keeps ``live`` articles)."""
    # life cycle
    def unwritable(self) -> str | None:
        """Why writes are refused right now (read-only, a failed write), or None."""
        return f"the index {self.location} was opened read-only" if self.readonly else None

    def tidy(self) -> None:  # noqa: B027 - optional for a backend
        """Reclaim space after removals (may renumber slots)."""

    def commit(self) -> None:  # noqa: B027 - optional for a backend
        """Make every write so far durable (nothing to do in memory)."""

    def close(self) -> None:  # noqa: B027 - optional for a backend
        """Release files and connections."""

    def describe(self) -> dict[str, Any]:
        """Facts for ``dedup index stats``."""
        return {"backend": type(self).__name__, "location": self.location}


class MemoryStore(Store):
    """All state in this process: numpy arrays, two ``BandTable``s, dicts.

    Args:
        config: the index configuration.
        wires: the wire registry.
        keep_text: keep each article's raw text (for reports and ``explain``).
    """

    def __init__(self, config: Config, wires: WireRegistry, *, keep_text: bool = False) -> None:
        self.config = config
        self.wires = wires
        self.keep_text = keep_text
        self.lock = threading.RLock()
        self._sigs = np.zeros((0, config.num_perm), dtype=np.uint32)
        self._sizes = np.zeros(0, dtype=np.uint32)
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._cluster_of = np.zeros(0, dtype=np.int64)  # per slot; 0 = none (removed)
        self._original_of = Originals()  # per cluster id: its original's slot
        self._pk = Ragged(np.uint64)  # passage band keys per slot
        self._nk = Ragged(np.uint32)  # number keys per slot
        self._fk = Ragged(np.uint64)  # fine passage keys per slot (short texts)
        self._sh = Ragged(np.uint32) if config.verify == "exact" else None  # shingles per slot
        self._docs = DocTable()
        self._texts: list[str | None] = []
        self._slot_of: dict[str, int] = {}
        self._clusters: dict[int, ClusterState] = {}
        self._next_cluster = 1
        self._arrival = 0
        self._first_live = 0
        self._dead = 0
        self._table = BandTable()
        self._passages = BandTable()
        self._chrome = ChromeCounts(config.chrome_min_docs)
        self._chrome_aged = 0  # observations counted when the chrome counts were last aged

    # -- documents -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def slot(self, article_id: str) -> int | None:
        return self._slot_of.get(article_id)

    def doc(self, slot: int) -> Doc:
        return self._docs.get(slot, int(self._cluster_of[slot]))

    def probe(self, slot: int) -> Probe:
        return Probe(self._sigs[slot], int(self._sizes[slot]), int(self._hashes[slot]),
                     self._pk.get(slot), self._nk.get(slot),
                     None if self._sh is None else self._sh.get(slot), self._fk.get(slot))

    def signatures(self, slots: Sequence[int]) -> np.ndarray:
        return self._sigs[slots]

    def size(self, slot: int) -> int:
        return int(self._sizes[slot])

    def rank(self, slot: int) -> tuple[int, float, int, int]:
        flags, stamp = self._docs.rank_head(slot)
        return flags, stamp, -int(self._sizes[slot]), self._docs.arrival(slot)

    def columns(self, slots: np.ndarray) -> Columns:
        def ragged(r: Ragged) -> RaggedColumn:
            return r.data, r.start, r.length
        return Columns(np.ascontiguousarray(slots, dtype=np.int64), self._sigs, self._sizes,
                       self._hashes, ragged(self._pk), ragged(self._nk),
                       None if self._sh is None else ragged(self._sh), ragged(self._fk))

    def clusters_of(self, slots: np.ndarray) -> np.ndarray:
        return self._cluster_of[slots]

    def originals_of(self, cluster_ids: np.ndarray) -> np.ndarray:
        return self._original_of.get(cluster_ids)

    def _set_original_of(self, cluster_id: int, slot: int) -> None:
        self._original_of.set(cluster_id, slot)

    def live_slots(self) -> list[int]:
        return sorted(self._slot_of.values())

    def oldest(self) -> int | None:
        docs = self._docs
        while self._first_live < len(docs) and not docs.live(self._first_live):
            self._first_live += 1
        return self._first_live if self._first_live < len(docs) else None

    def text(self, slot: int) -> str | None:
        return self._texts[slot] if self.keep_text else None

    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int:
        slot = len(self._docs)
        if slot >= len(self._sigs):
            self._grow(room(len(self._sigs), SLOT_ROOM))
        self._sigs[slot] = probe.sig
        self._sizes[slot] = probe.size
        self._hashes[slot] = probe.content_hash
        self._pk.put(slot, probe.passages)
        self._nk.put(slot, probe.numbers)
        self._fk.put(slot, probe.fine)
        if self._sh is not None:
            shingles = probe.shingles
            self._sh.put(slot, shingles if shingles is not None else np.zeros(0, np.uint32))
        doc.arrival = self._arrival
        self._arrival += 1
        self._docs.append(doc)
        self._texts.append(text if self.keep_text else None)
        self._slot_of[doc.id] = slot
        return slot

    def remove_doc(self, slot: int) -> tuple[Doc, ClusterState | None]:
        doc = self.doc(slot)
        del self._slot_of[doc.id]
        self._docs.kill(slot)
        self._texts[slot] = None
        self._cluster_of[slot] = 0
        self._dead += 1
        self._table.discard(np.array([slot], dtype=np.int64))
        self._passages.discard(np.array([slot], dtype=np.int64))
        cluster = self._clusters[doc.cluster]
        cluster.members.remove(slot)
        if not cluster.members:
            del self._clusters[cluster.id]
            return doc, None
        return doc, cluster

    def _grow(self, extra: int) -> None:
        def more(array: np.ndarray) -> np.ndarray:
            return grown(array, extra)
        self._sigs, self._sizes = more(self._sigs), more(self._sizes)
        self._hashes, self._cluster_of = more(self._hashes), more(self._cluster_of)
        for ragged in self._ragged():
            ragged.grow(extra)

    def _ragged(self) -> list[Ragged]:
        return [r for _, r in self._named_ragged()]

    def _named_ragged(self) -> list[tuple[str, Ragged]]:
        named = [("passage_keys", self._pk), ("number_keys", self._nk), ("fine_keys", self._fk)]
        return named + ([("shingles", self._sh)] if self._sh is not None else [])

    # -- LSH ---------------------------------------------------------------------

    def candidates(self, keys: np.ndarray, passage_keys: np.ndarray,
                   signatures: np.ndarray | None = None, ids: Sequence[str] = ()
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        return (self._table.query(keys),
                self._passages.query(passage_keys.reshape(-1, 1), PASSAGE_HOLDERS))

    def index_keys(self, slots: np.ndarray, keys: np.ndarray, passage_slots: np.ndarray,
                   passage_keys: np.ndarray) -> None:
        self._table.insert(slots, keys)
        if len(passage_slots):
            self._passages.insert(passage_slots, passage_keys)

    # -- clusters ----------------------------------------------------------------

    def cluster(self, cluster_id: int) -> ClusterState:
        return self._clusters[cluster_id]

    def clusters(self) -> Iterable[ClusterState]:
        return list(self._clusters.values())

    def new_cluster(self, slot: int) -> ClusterState:
        cluster = ClusterState(self._next_cluster, slot, [slot])
        self._next_cluster += 1
        self._clusters[cluster.id] = cluster
        self._cluster_of[slot] = cluster.id
        self._set_original_of(cluster.id, slot)
        return cluster

    def join(self, cluster: ClusterState, slot: int) -> None:
        cluster.members.append(slot)
        self._cluster_of[slot] = cluster.id

    def set_original(self, cluster: ClusterState, slot: int, note: str | None = None) -> None:
        cluster.original = slot
        self._set_original_of(cluster.id, slot)
        if note is not None:
            cluster.notes = (cluster.notes + [note])[-3:]

    def merge(self, into: ClusterState, other: ClusterState) -> None:
        self._cluster_of[other.members] = into.id
        into.members = sorted(into.members + other.members)
        other.members = []
        del self._clusters[other.id]

    # -- chrome --------------------------------------------------------------------

    def chrome(self) -> frozenset[int]:
        return self._chrome.chrome

    def count_chrome(self, observations: Iterable[Observation]) -> None:
        self._chrome.observe(observations)

    def age_chrome(self, live: int) -> None:
        counts = self._chrome
        # A pass over every entry: done when the observations since the last one
        # reach half the live articles (amortised O(1) per article).
        if counts.seen - self._chrome_aged < max(_MIN_COMPACT, live // 2):
            return
        self._chrome_aged = counts.seen
        self._chrome_forgotten(counts.age(counts.seen - live))

    def _chrome_forgotten(self, keys: list[int]) -> None:
        """Hook for persistent stores: these chrome entries were dropped."""

    # -- compaction ------------------------------------------------------------------

    def tidy(self) -> None:
        """Renumber the live slots densely once most slots are dead (retention)."""
        if self._dead < _MIN_COMPACT or self._dead < len(self._slot_of):
            return
        live = np.array(self.live_slots(), dtype=np.int64)
        new_of = {int(old): new for new, old in enumerate(live.tolist())}
        self._sigs, self._sizes = self._sigs[live], self._sizes[live]
        self._hashes, self._cluster_of = self._hashes[live], self._cluster_of[live]
        for ragged in self._ragged():
            ragged.keep(live)
        self._docs.keep(live)
        self._texts = [self._texts[s] for s in live.tolist()]
        self._slot_of = {self._docs.id(i): i for i in range(len(live))}
        self._original_of = Originals()  # only the live clusters are kept
        for cluster in sorted(self._clusters.values(), key=lambda c: c.id):
            cluster.members = [new_of[s] for s in cluster.members]
            cluster.original = new_of[cluster.original]
            self._set_original_of(cluster.id, cluster.original)
        self._first_live, self._dead = 0, 0
        self._rebuild_tables()

    def _rebuild_tables(self) -> None:
        """Rebuild both band tables from the stored fingerprints, in bulk."""
        n = len(self._docs)
        self._table, self._passages = BandTable(), BandTable()
        if n == 0:
            return
        slots = np.arange(n, dtype=np.uint32)
        self._table.insert(slots, band_keys(self._sigs[:n], *self.config.bands))
        if self._pk.used:
            per_doc = self._pk.length[:n] // PASSAGE_BANDS
            self._passages.insert(np.repeat(slots, per_doc),
                                  self._pk.data[:self._pk.used].reshape(-1, PASSAGE_BANDS))

    # -- the image of an index file's snapshot (dedup.storage.snapshot) ------------------

    def image(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything this store holds but texts, as JSON-able state and named arrays
        (`adopt_image` takes them back)."""
        n = len(self._docs)
        arrays = {"sigs": self._sigs[:n], "sizes": self._sizes[:n], "hashes": self._hashes[:n],
                  "cluster_of": self._cluster_of[:n]}
        docs, doc_arrays = self._docs.parts()
        arrays.update({f"docs{name}": a for name, a in doc_arrays.items()})
        for name, ragged in self._named_ragged():
            arrays.update({f"{name}.{part}": a for part, a in ragged.parts(n).items()})
        clusters = sorted(self._clusters.values(), key=lambda c: c.id)
        arrays["cluster_ids"] = np.array([c.id for c in clusters], dtype=np.int64)
        arrays["cluster_originals"] = np.array([c.original for c in clusters], dtype=np.int64)
        runs = {}
        for name, table in (("bands", self._table), ("passages", self._passages)):
            table_runs, arrays[f"{name}.dead"] = table.parts()
            runs[name] = len(table_runs)
            for i, (keys, slots) in enumerate(table_runs):
                arrays[f"{name}.{i}.keys"], arrays[f"{name}.{i}.slots"] = keys, slots
        arrays.update({f"chrome.{i}": a for i, a in enumerate(self._chrome.columns())})
        state = {"slots": n, "arrival": self._arrival, "next_cluster": self._next_cluster,
                 "first_live": self._first_live, "dead": self._dead,
                 "chrome_seen": self._chrome.seen,
                 "notes": {str(c.id): c.notes for c in clusters if c.notes}, "docs": docs,
                 "runs": runs}
        return state, arrays

    def adopt_image(self, snapshot: Snapshot) -> None:
        """Become the store whose `image` ``snapshot`` holds (an empty store of the
        same configuration; texts are not kept).

        Raises:
            SnapshotDamaged: the snapshot is not a consistent image.
        """
        try:
            self._adopt(snapshot, snapshot.state)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise SnapshotDamaged(f"not an index's image ({exc})") from None

    def _adopt(self, snap: Snapshot, state: dict[str, Any]) -> None:
        n = int(state["slots"])
        extra = room(n, SLOT_ROOM)
        self._sigs, self._sizes = snap.array("sigs", extra), snap.array("sizes", extra)
        self._hashes, self._cluster_of = snap.array("hashes", extra), \
            snap.array("cluster_of", extra)
        if self._sigs.shape[1:] != (self.config.num_perm,) or \
                {len(a) for a in (self._sigs, self._sizes, self._hashes, self._cluster_of)} \
                != {n + extra}:
            raise ValueError("columns of other lengths")
        for name, ragged in self._named_ragged():
            used = snap.shape(f"{name}.data")[0]
            ragged.adopt(snap.array(f"{name}.data", room(used, DATA_ROOM)), used,
                         snap.array(f"{name}.start", extra), snap.array(f"{name}.length", extra),
                         n)
        arena = bytearray(snap.shape("docs_arena")[0])
        snap.read_into("docs_arena", np.frombuffer(arena, dtype=np.uint8))
        self._docs.adopt(state["docs"], {name: snap.array(f"docs{name}", extra)
                                         for name in DocTable.COLUMNS}, arena)
        live = np.flatnonzero(self._docs.live_column()[:n])
        self._slot_of = dict(zip(self._docs.ids(live), live.tolist(), strict=True))
        if len(self._slot_of) != len(live):
            raise ValueError("repeated article ids")
        self._texts = [None] * n
        ids, originals = snap.array("cluster_ids"), snap.array("cluster_originals")
        of = self._cluster_of[live]
        order = np.argsort(of, kind="stable")  # members ascend, as slots do
        bounds = np.searchsorted(of[order], ids).tolist() + [len(live)]
        if (len(ids) != len(originals) or (originals < 0).any() or (originals >= n).any()
                or not np.isin(of, ids).all() or (self._cluster_of[originals] != ids).any()
                or not self._docs.live_column()[originals].all()):
            raise ValueError("clusters that are not their members'")
        members = live[order].tolist()
        notes = state["notes"]
        self._clusters = {cid: ClusterState(cid, original, members[a:b], notes.get(str(cid), []))
                          for cid, original, a, b in zip(ids.tolist(), originals.tolist(),
                                                         bounds[:-1], bounds[1:], strict=True)}
        self._original_of.adopt(ids, originals)
        for name, attr in (("bands", "_table"), ("passages", "_passages")):
            runs = [(snap.array(f"{name}.{i}.keys"), snap.array(f"{name}.{i}.slots"))
                    for i in range(int(state["runs"][name]))]
            setattr(self, attr, BandTable.from_parts(runs, snap.array(f"{name}.dead"), n))
        self._chrome.load_columns([snap.array(f"chrome.{i}") for i in range(6)])
        # aged from here on, as when the counts are read from rows (SqliteStore._load_chrome)
        self._chrome.seen = self._chrome_aged = int(state["chrome_seen"])
        self._arrival, self._next_cluster = int(state["arrival"]), int(state["next_cluster"])
        self._first_live, self._dead = int(state["first_live"]), int(state["dead"])

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays, the metadata columns, band tables and chrome
        counts (Python objects not counted)."""
        arrays = (self._sigs, self._sizes, self._hashes)
        return (sum(a.nbytes for a in arrays) + sum(r.nbytes for r in self._ragged())
                + self._docs.nbytes
                + self._table.nbytes() + self._passages.nbytes() + self._chrome.nbytes())

    def describe(self) -> dict[str, Any]:
        return {"backend": "memory", "location": None, "articles": len(self),
                "clusters": len(self._clusters), "chrome_lines": len(self._chrome.chrome)}
