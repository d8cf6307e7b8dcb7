"""Index state behind one small interface: the engine asks, a backend answers.

The engine (``dedup.index.Index``) decides verdicts; a **store** holds what it
decides over: documents and their fingerprints, the LSH band tables, clusters
and the site-chrome counts. Every backend answers the calls of :class:`Store`:

* **documents** — ``len(store)``, ``slot(id)``, ``doc(slot)``, ``probe(slot)``
  (signature, size, content hash, passage keys), ``live_slots()`` (arrival
  order), ``oldest()``, ``text(slot)``; ``add_doc(doc, probe, text)`` stores one
  article and returns its slot,
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

:class:`dedup.storage.memory_store.MemoryStore` keeps everything in numpy arrays and
compiled tables (the fast path; it also places a chunk's articles in one core call).
``dedup.storage.sqlite_store.SqliteStore`` is a MemoryStore that also writes every
change through to an SQLite file and rebuilds itself from it on open. A shared backend
(Redis) implements the same calls against the server, with ``lock`` taking a cross-
process lock so that cluster updates are atomic.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..attribution import rank_head
from ..chrome import Observation
from ..config import Config
from ..fingerprint import stored_passages, stored_signatures
from ..wires import WireRegistry
from .doc_table import Doc

if TYPE_CHECKING:
    from ..prepare import Prepared
    from ..verify import Match


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

    sig: np.ndarray  # as computed (uint32), or as stored (uint16, `stored_signatures`)
    size: int
    content_hash: int
    # passage band keys: as computed (uint64), or as a store keeps them (uint32,
    # `fingerprint.stored_passages`), which is how verification compares them
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
# Where placing an article put it (`MemoryStore.place`, `Index`'s placement): its cluster,
# its match with that cluster's original as `compare` measures it (relation, similarity,
# copy_in, orig_in; None: it started the cluster), the original it replaced (-1: none),
# and the clusters merged into its own as (id, original, members before the merge).
Placed = tuple[int, tuple[str, float, float, float] | None, int,
               list[tuple[int, int, list[int]]]]


@dataclass(frozen=True, slots=True)
class Columns:
    """Stored articles' fingerprints as verification (the core) reads them: row
    ``slots[j]`` of each column is candidate ``j`` — a store's own arrays, or
    fingerprints gathered for the occasion (`columns_of`).

    Attributes:
        slots: the candidates' rows (int64).
        signatures: ``(n, num_perm)`` as stored (uint16, `stored_signatures`),
            C-contiguous.
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
    sigs = np.stack([stored_signatures(p.sig) for p in probes]) if probes else \
        np.zeros((0, num_perm), dtype=np.uint16)
    shingles = None
    if probes and all(p.shingles is not None for p in probes):
        shingles = _gathered([p.shingles for p in probes], np.uint32)
    return Columns(np.arange(len(probes), dtype=np.int64),
                   np.ascontiguousarray(sigs, dtype=np.uint16),
                   np.array([p.size for p in probes], dtype=np.uint32),
                   np.array([p.content_hash for p in probes], dtype=np.uint64),
                   _gathered([stored_passages(p.passages) for p in probes], np.uint32),
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
    def docs(self, slots: Sequence[int]) -> list[Doc]:
        """The `Doc` of each of ``slots`` (a listing's; a store may read them at once)."""
        return [self.doc(s) for s in slots]
    @abstractmethod
    def probe(self, slot: int) -> Probe: ...
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

    def matches(self, mine: np.ndarray, theirs: np.ndarray) -> list[Match]:
        """Each stored ``mine[j]`` against its cluster's original ``theirs[j]``: the
        match `compare` finds, or what `measure` gives where no rule matches any more
        (it matched an earlier original)."""
        from ..verify import compare, measure  # verify reads this module's types
        out = []
        for a, b in zip(mine.tolist(), theirs.tolist(), strict=True):
            probe = self.probe(a)
            found = compare(self.config, probe, self.columns(np.array([b], np.int64)))[0]
            out.append(found if found is not None else measure(probe, self.probe(b)))
        return out

    @abstractmethod
    def live_slots(self) -> list[int]: ...
    @abstractmethod
    def oldest(self) -> int | None: ...
    @abstractmethod
    def text(self, slot: int) -> str | None: ...
    @abstractmethod
    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int: ...
    def add_docs(self, docs: Sequence[Doc], prepared: Prepared, rows: Sequence[int],
                 texts: Sequence[str | None]) -> list[int]:
        """`add_doc` of each of ``docs`` (row ``rows[i]`` of ``prepared``), in order; a
        store may store them at once."""
        return [self.add_doc(doc, Probe.of(prepared, row), text)
                for doc, row, text in zip(docs, rows, texts, strict=True)]
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
    def cluster_sizes(self) -> list[int]:
        """Each cluster's member count, in the order of ``clusters()``."""
        return [len(c.members) for c in self.clusters()]
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
