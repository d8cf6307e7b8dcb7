"""The in-process store: every article's fingerprints in numpy columns, the band
tables and the cluster table compiled (``dedup._core``), metadata in columns.

``MemoryStore`` answers the ``Store`` calls (``dedup.storage.store``) and also
places a run of a chunk's articles in one core call (`place`: the placement rule
of src/place.rs over its own columns), which is the engine's fast path. An index
file (``SqliteStore``) is a MemoryStore that writes through; its snapshot is this
store's `image`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core
from ..chrome import ChromeCounts, Observation
from ..config import Config
from ..fingerprint import (
    PASSAGE_BANDS,
    PASSAGE_HOLDERS,
    stored_band_keys,
    stored_passages,
    stored_signatures,
)
from ..lsh import BandTable
from ..verify import Match, rules
from ..wires import WireRegistry
from .arrays import DATA_ROOM, SLOT_ROOM, Ragged, cut, grown, room
from .doc_table import Doc, DocTable
from .snapshot import Snapshot, SnapshotDamaged
from .store import ClusterState, Columns, Placed, Probe, RaggedColumn, Store

if TYPE_CHECKING:
    from ..prepare import Prepared

Piece = tuple[np.ndarray, np.ndarray]  # the values of consecutive slots, and each one's count

_MIN_COMPACT = 4096  # dead slots tolerated before the arrays are compacted


class MemoryStore(Store):
    """All state in this process: numpy arrays, compiled tables, columns.

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
        self._rules = rules(config)
        self._sigs = np.zeros((0, config.num_perm), dtype=np.uint16)  # as stored
        self._sizes = np.zeros(0, dtype=np.uint32)
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._pk = Ragged(np.uint32)  # passage band keys per slot, as stored
        self._nk = Ragged(np.uint32)  # number keys per slot
        self._fk = Ragged(np.uint64)  # fine passage keys per slot (short texts)
        self._sh = Ragged(np.uint32) if config.verify == "exact" else None  # shingles per slot
        self._docs = DocTable()
        self._texts: list[str | None] = []  # each slot's, when texts are kept
        self._ids = _core.IdMap()  # id (by hash) -> slot
        self._id_overflow: dict[str, int] = {}  # ids whose hash another id holds
        self._groups = _core.ClusterTable()  # each slot's cluster, originals, members
        self._notes: dict[int, list[str]] = {}  # why a cluster's original was re-chosen
        self._arrival = 0
        self._first_live = 0
        self._dead = 0
        self._table = BandTable()
        self._passages = BandTable()
        self._chrome = ChromeCounts(config.chrome_min_docs)
        self._chrome_aged = 0  # observations counted when the chrome counts were last aged

    # -- documents -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs) - self._dead

    def slot(self, article_id: str) -> int | None:
        if self._id_overflow:
            slot = self._id_overflow.get(article_id)
            if slot is not None:
                return slot
        slot = self._ids.get(article_id)
        if slot is None or self._docs.id(slot) != article_id:
            return None  # not stored (or another id of the same hash)
        return slot

    def doc(self, slot: int) -> Doc:
        return self._docs.get(slot, self._groups.cluster(slot))

    def docs(self, slots: Sequence[int]) -> list[Doc]:
        rows = np.asarray(slots, dtype=np.int64)
        return self._docs.get_many(rows, self.clusters_of(rows).tolist())

    def probe(self, slot: int) -> Probe:
        return Probe(self._sigs[slot], int(self._sizes[slot]), int(self._hashes[slot]),
                     self._pk.get(slot), self._nk.get(slot),
                     None if self._sh is None else self._sh.get(slot), self._fk.get(slot))

    def size(self, slot: int) -> int:
        return int(self._sizes[slot])

    def rank(self, slot: int) -> tuple[int, float, int, int]:
        flags, stamp = self._docs.rank_head(slot)
        return flags, stamp, -int(self._sizes[slot]), self._docs.arrival(slot)

    def _column_args(self) -> tuple:
        def ragged(r: Ragged) -> RaggedColumn:
            return r.data, r.start, r.length
        return (self._sigs, self._sizes, self._hashes, ragged(self._pk), ragged(self._nk),
                None if self._sh is None else ragged(self._sh), ragged(self._fk))

    def columns(self, slots: np.ndarray) -> Columns:
        return Columns(np.ascontiguousarray(slots, dtype=np.int64), *self._column_args())

    def matches(self, mine: np.ndarray, theirs: np.ndarray) -> list[Match]:
        rows = _core.compare_pairs(self._rules, self._column_args(),
                                   np.ascontiguousarray(mine, dtype=np.int64),
                                   np.ascontiguousarray(theirs, dtype=np.int64))
        return [Match.of(row) for row, _ in rows]

    def clusters_of(self, slots: np.ndarray) -> np.ndarray:
        return self._groups.clusters_of(np.ascontiguousarray(slots, dtype=np.int64))

    def originals_of(self, cluster_ids: np.ndarray) -> np.ndarray:
        return self._groups.originals(np.ascontiguousarray(cluster_ids, dtype=np.uint64))

    def live_slots(self) -> list[int]:
        return np.flatnonzero(self._docs.live_column()[:len(self._docs)]).tolist()

    def oldest(self) -> int | None:
        docs = self._docs
        while self._first_live < len(docs) and not docs.live(self._first_live):
            self._first_live += 1
        return self._first_live if self._first_live < len(docs) else None

    def text(self, slot: int) -> str | None:
        return self._texts[slot] if self.keep_text else None

    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int:
        def piece(values: np.ndarray | None) -> Piece:
            values = np.zeros(0, np.uint32) if values is None else values
            return values, np.array([len(values)], dtype=np.int64)

        return self._store([doc], [text], probe.sig[None, :], np.array([probe.size]),
                           np.array([probe.content_hash], dtype=np.uint64),
                           piece(probe.passages), piece(probe.numbers), piece(probe.fine),
                           piece(probe.shingles) if self._sh is not None else None)[0]

    def add_docs(self, docs: Sequence[Doc], prepared: Prepared, rows: Sequence[int],
                 texts: Sequence[str | None]) -> list[int]:
        at = np.asarray(rows, dtype=np.int64)

        def rows_of(values: np.ndarray, offsets: np.ndarray) -> Piece:
            if not len(offsets):  # none kept for the chunk
                return values[:0], np.zeros(len(at), dtype=np.int64)
            return cut(values, offsets, at)

        shingles = None
        if self._sh is not None:
            shingles = rows_of(prepared.shingle_values, prepared.shingle_offsets)
        return self._store(docs, texts, prepared.signatures[at], prepared.sizes[at],
                           prepared.content_hashes[at],
                           rows_of(prepared.passage_keys, prepared.passage_offsets),
                           rows_of(prepared.number_keys, prepared.number_offsets),
                           rows_of(prepared.fine_keys, prepared.fine_offsets), shingles)

    def _store(self, docs: Sequence[Doc], texts: Sequence[str | None], signatures: np.ndarray,
               sizes: np.ndarray, hashes: np.ndarray, passages: Piece, numbers: Piece,
               fine: Piece, shingles: Piece | None) -> list[int]:
        """Store ``docs`` in new slots with their fingerprints (row ``i`` of each for
        ``docs[i]``); returns the slots."""
        first, end = len(self._docs), len(self._docs) + len(docs)
        while end > len(self._sigs):
            self._grow(room(len(self._sigs), SLOT_ROOM))
        self._sigs[first:end] = stored_signatures(signatures)
        self._sizes[first:end] = sizes
        self._hashes[first:end] = hashes
        self._pk.put_many(first, stored_passages(passages[0]), passages[1])
        self._nk.put_many(first, *numbers)
        self._fk.put_many(first, *fine)
        if self._sh is not None and shingles is not None:
            self._sh.put_many(first, *shingles)
        for doc in docs:
            doc.arrival = self._arrival
            self._arrival += 1
        slots = list(self._docs.append_many(docs))
        if self.keep_text:
            self._texts.extend(texts)
        for doc, slot in zip(docs, slots, strict=True):
            if not self._ids.insert(doc.id, slot):
                self._id_overflow[doc.id] = slot
        return slots

    def remove_doc(self, slot: int) -> tuple[Doc, ClusterState | None]:
        doc = self.doc(slot)
        if self._id_overflow.pop(doc.id, None) is None:
            self._ids.remove(doc.id, slot)
        self._docs.kill(slot)
        if self.keep_text:
            self._texts[slot] = None
        self._dead += 1
        self._table.discard(np.array([slot], dtype=np.int64))
        self._passages.discard(np.array([slot], dtype=np.int64))
        _, left = self._groups.remove(slot)
        if left == 0:
            self._notes.pop(doc.cluster, None)
            return doc, None
        return doc, self.cluster(doc.cluster)

    def _grow(self, extra: int) -> None:
        def more(array: np.ndarray) -> np.ndarray:
            return grown(array, extra)
        self._sigs, self._sizes, self._hashes = more(self._sigs), more(self._sizes), \
            more(self._hashes)
        for ragged in self._ragged():
            ragged.grow(extra)
        self._groups.grow_to(len(self._sigs))

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
        original = self._groups.original(cluster_id)
        if original is None:
            raise KeyError(cluster_id)
        return ClusterState(cluster_id, original, self._groups.members(cluster_id),
                            list(self._notes.get(cluster_id, ())))

    def clusters(self) -> Iterable[ClusterState]:
        ids, _ = self._groups.sizes()
        return [self.cluster(c) for c in ids.tolist()]

    def cluster_sizes(self) -> list[int]:
        return self._groups.sizes()[1].tolist()

    def new_cluster(self, slot: int) -> ClusterState:
        return ClusterState(self._groups.new_cluster(slot), slot, [slot])

    def join(self, cluster: ClusterState, slot: int) -> None:
        self._groups.join(cluster.id, slot)
        cluster.members.append(slot)

    def set_original(self, cluster: ClusterState, slot: int, note: str | None = None) -> None:
        self._groups.set_original(cluster.id, slot)
        cluster.original = slot
        if note is not None:
            cluster.notes = self._notes[cluster.id] = (cluster.notes + [note])[-3:]

    def merge(self, into: ClusterState, other: ClusterState) -> None:
        self._groups.merge(into.id, other.id)
        into.members = sorted(into.members + other.members)
        other.members = []
        self._notes.pop(other.id, None)

    def place(self, slots: np.ndarray, candidates: np.ndarray, offsets: np.ndarray
              ) -> list[Placed]:
        """Place the stored ``slots`` (in no cluster yet) in order, slot ``i`` given the
        stored slots ``candidates[offsets[i]:offsets[i + 1]]``: the placement rule in
        the core (src/place.rs), one call for the run.

        Returns:
            Per slot ``(cluster, match row or None, replaced original or -1,
            merged clusters as (id, original, members))``; a match row is
            ``compare``'s ``(relation, similarity, copy_in, orig_in)``, unrounded.
        """
        docs = self._docs
        return _core.place(self._groups, self._rules, self._column_args(),
                           (docs._flags, docs._stamp, self._sizes, docs._arrival),
                           np.ascontiguousarray(slots, dtype=np.uint32),
                           np.ascontiguousarray(candidates, dtype=np.uint32),
                           np.ascontiguousarray(offsets, dtype=np.int64))

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
        if self._dead < _MIN_COMPACT or self._dead < len(self):
            return
        live = np.array(self.live_slots(), dtype=np.int64)
        self._sigs, self._sizes, self._hashes = self._sigs[live], self._sizes[live], \
            self._hashes[live]
        for ragged in self._ragged():
            ragged.keep(live)
        self._docs.keep(live)
        if self.keep_text:
            self._texts = [self._texts[s] for s in live.tolist()]
        new_of = {old: new for new, old in enumerate(live.tolist())}
        self._ids.keep(live.astype(np.uint32))
        self._id_overflow = {i: new_of[s] for i, s in self._id_overflow.items()}
        self._groups.keep(live.astype(np.uint32))
        self._first_live, self._dead = 0, 0
        self._rebuild_tables()

    def _rebuild_tables(self) -> None:
        """Rebuild both band tables from the stored fingerprints, in bulk."""
        n = len(self._docs)
        self._table, self._passages = BandTable(), BandTable()
        if n == 0:
            return
        slots = np.arange(n, dtype=np.uint32)
        self._table.insert(slots, stored_band_keys(self._sigs[:n], *self.config.bands))
        if self._pk.used:
            per_doc = self._pk.length[:n] // PASSAGE_BANDS
            # the table keeps a key's top 32 bits: the stored ones, back in place
            keys = self._pk.data[:self._pk.used].astype(np.uint64) << np.uint64(32)
            self._passages.insert(np.repeat(slots, per_doc), keys.reshape(-1, PASSAGE_BANDS))

    # -- the image of an index file's snapshot (dedup.storage.snapshot) ------------------

    def image(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything this store holds but texts, as JSON-able state and named arrays
        (`adopt_image` takes them back)."""
        n = len(self._docs)
        cluster_of, ids, originals = self._groups.parts()
        id_hashes, id_slots = self._ids.parts()
        arrays = {"sigs": self._sigs[:n], "sizes": self._sizes[:n], "hashes": self._hashes[:n],
                  "cluster_of": cluster_of[:n], "cluster_ids": ids,
                  "cluster_originals": originals, "id_hashes": id_hashes, "id_slots": id_slots}
        docs, doc_arrays = self._docs.parts()
        arrays.update({f"docs{name}": a for name, a in doc_arrays.items()})
        for name, ragged in self._named_ragged():
            arrays.update({f"{name}.{part}": a for part, a in ragged.parts(n).items()})
        runs = {}
        for name, table in (("bands", self._table), ("passages", self._passages)):
            table_runs, arrays[f"{name}.dead"] = table.parts()
            runs[name] = len(table_runs)
            for i, (keys, slots) in enumerate(table_runs):
                arrays[f"{name}.{i}.keys"], arrays[f"{name}.{i}.slots"] = keys, slots
        arrays.update({f"chrome.{i}": a for i, a in enumerate(self._chrome.columns())})
        state = {"slots": n, "arrival": self._arrival, "next_cluster": self._groups.next_id,
                 "first_live": self._first_live, "dead": self._dead,
                 "chrome_seen": self._chrome.seen,
                 "notes": {str(c): notes for c, notes in self._notes.items() if notes},
                 "docs": docs, "runs": runs, "id_overflow": self._id_overflow}
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
        self._hashes = snap.array("hashes", extra)
        if self._sigs.shape[1:] != (self.config.num_perm,) or \
                {len(a) for a in (self._sigs, self._sizes, self._hashes)} != {n + extra}:
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
        live_column = self._docs.live_column()[:n]
        live = np.flatnonzero(live_column)
        self._ids = _core.IdMap.from_parts(snap.array("id_hashes"), snap.array("id_slots"), n)
        self._id_overflow = {str(i): int(s) for i, s in state["id_overflow"].items()}
        held = np.zeros(n, dtype=bool)  # the slots the id map holds (each below n)
        held[snap.array("id_slots")] = True
        held[np.array(list(self._id_overflow.values()), dtype=np.int64)] = True
        if not np.array_equal(held, live_column):  # every live article, no other
            raise ValueError("the id map is not of the live articles")
        self._texts = [None] * n if self.keep_text else []
        cluster_of = snap.array("cluster_of", extra)
        if len(cluster_of) != n + extra or (cluster_of[:n][~live_column] != 0).any():
            raise ValueError("a removed article in a cluster")
        self._groups = _core.ClusterTable.from_parts(
            cluster_of, snap.array("cluster_ids"), snap.array("cluster_originals"),
            int(state["next_cluster"]))
        if (cluster_of[live] == 0).any():
            raise ValueError("an article in no cluster")
        self._notes = {int(c): [str(note) for note in notes][-3:]
                       for c, notes in state["notes"].items()}
        for name, attr in (("bands", "_table"), ("passages", "_passages")):
            runs = [(snap.array(f"{name}.{i}.keys"), snap.array(f"{name}.{i}.slots"))
                    for i in range(int(state["runs"][name]))]
            setattr(self, attr, BandTable.from_parts(runs, snap.array(f"{name}.dead"), n))
        self._chrome.load_columns([snap.array(f"chrome.{i}") for i in range(6)])
        # aged from here on, as when the counts are read from rows (SqliteStore._load_chrome)
        self._chrome.seen = self._chrome_aged = int(state["chrome_seen"])
        self._arrival = int(state["arrival"])
        self._first_live, self._dead = int(state["first_live"]), int(state["dead"])

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays, the metadata columns, band tables, the
        cluster table and chrome counts (Python objects not counted)."""
        arrays = (self._sigs, self._sizes, self._hashes)
        return (sum(a.nbytes for a in arrays) + sum(r.nbytes for r in self._ragged())
                + self._docs.nbytes + self._groups.nbytes
                + self._table.nbytes() + self._passages.nbytes() + self._chrome.nbytes())

    def describe(self) -> dict[str, Any]:
        return {"backend": "memory", "location": None, "articles": len(self),
                "clusters": len(self._groups), "chrome_lines": len(self._chrome.chrome)}
