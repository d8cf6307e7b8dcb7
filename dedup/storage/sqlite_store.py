"""The persistent, embedded backend: a ``MemoryStore`` written through to SQLite.

On open the in-memory state is taken from the file's snapshot when there is one of
the file as it is (``dedup.storage.snapshot``, written at a clean close); otherwise
the whole index is read back in bulk (``dedup.storage.sqlite_load``: one scan per
table, a chunk of rows at a time, band tables rebuilt in one sort each) and verified (the schema is
exactly dedup's and every number in range, ``dedup.storage.sqlite_format``; ``PRAGMA
quick_check`` plus a 64-bit checksum (xxh3) on every row); every change is queued and
written in one transaction by ``commit``. Format (version 5), all integers
little-endian, no pickle anywhere:

* ``header(key, value, checksum)``: ``format`` = ``dedup-index``,
  ``format_version``, ``dedup_version``, ``config`` (``Config.to_dict`` JSON),
  ``wires`` (the registry's agencies as JSON), ``next_arrival``,
  ``next_cluster``, ``chrome_seen``, ``generation`` (a random token every commit
  replaces, which a snapshot must match; added in version 5).
* ``articles(arrival, id, cluster, added, meta, signature, size, content_hash,
  passages, checksum, numbers, fine)``: ``meta`` is JSON (title, url, source,
  published, wire and credit evidence), ``signature`` ``num_perm`` uint32,
  ``passages`` uint64 passage band keys, ``content_hash`` the uint64 seen as
  int64, ``numbers`` uint32 number keys (added in version 2: a version 1 file
  gets the column, empty for its articles, when it is opened for writing),
  ``fine`` uint64 fine passage keys of a short article (``Prepared.fine``;
  added in version 4: an older file's articles have none, and are judged by
  the passages, as before).
* ``texts(arrival, text, checksum)``: the raw text, zlib-compressed.
* ``clusters(id, original, notes, checksum)``: ``original`` is an arrival.
* ``chrome(key, count, checksum, last_seen, witnesses)``: site-chrome counts
  (``dedup.chrome.ChromeCounts``): ``key`` a per-site short-line key, ``count``
  the dissimilar articles it was seen in, ``last_seen`` the number of the
  observation that saw it last (the header's ``chrome_seen`` counts them),
  ``witnesses`` the sketches of the articles counted (``pack_witnesses``).
  Version 3; a version 2 file's counts were global (not per site): they are
  dropped when it is opened for writing, and chrome is relearnt per site.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from .. import _core
from ..chrome import pack_witnesses
from ..config import Config
from ..errors import IndexFormatError, StoreError
from ..filesystem import path_problem, read_only_uri
from ..heap import trim
from ..wires import WireRegistry
from .arrays import SLOT_ROOM, room
from .header import FORMAT_VERSION, check_stored
from .memory_store import MemoryStore
from .snapshot import SnapshotDamaged, file_stamp, open_snapshot, snapshot_path
from .snapshot import write as snapshot_write
from .sqlite_checkpoint import Checkpointer
from .sqlite_format import article_checksum as _article_checksum
from .sqlite_format import (
    check_tables,
    connect_checked,
    deflate_texts,
    inflate_text,
)
from .sqlite_format import checksum as _checksum
from .sqlite_format import chrome_checksum as _chrome_checksum
from .sqlite_format import cluster_checksum as _cluster_checksum
from .sqlite_format import signed as _signed
from .sqlite_header import create as create_file
from .sqlite_header import format_error, has_fine, read_header, upgrade
from .sqlite_load import article_chunks, chrome_rows, cluster_rows, shingle_rows
from .store import ClusterState, Doc, Observation, Placed, Probe

if TYPE_CHECKING:
    from ..prepare import Prepared

_LOAD_CHUNK = 1 << 16


class SqliteStore(MemoryStore):
    """An index in one SQLite file (WAL mode), loaded into memory on open.

    Why SQLite in WAL mode: it is in the standard library (no server); a
    commit appends to the write-ahead log (one sequential write, and one fsync
    only with ``fsync=True``) instead of copying pages to a rollback journal;
    readers (``dedup index stats``/``export``) do not block the writer; and a
    process killed at any moment (``kill -9``) leaves the last committed
    transaction in the log, replayed on the next open. Transactions give the
    all-or-nothing chunk writes the engine needs; rows give per-article
    records with their own checksums.

    Args:
        path: the index file.
        create: create it if missing (else ``StoreError``).
        config: expected configuration (``None``: the stored one).
        wires: expected wire registry (``None``: the stored one).
        keep_text: store new articles' texts (zlib-compressed).
        fsync: ``PRAGMA synchronous=FULL`` (survive power loss) instead of
            ``NORMAL`` (survive the process being killed).
        readonly: open read-only (no lock; writes raise ``StoreError``).

    Raises:
        ConfigMismatch, IndexFormatError, StoreError: see ``Index.open``.
    """

    def __init__(self, path: str, *, create: bool = True, config: Config | None = None,
                 wires: WireRegistry | None = None, keep_text: bool = True, fsync: bool = False,
                 readonly: bool = False) -> None:
        self.path = str(path)
        self.location = self.path
        self.readonly = readonly
        self._store_text = keep_text
        self._lock_fd: int | None = None
        self._conn: sqlite3.Connection | None = None
        self._checkpointer: Checkpointer | None = None  # a writer's (sqlite_checkpoint.py)
        self._broken: str | None = None
        self._fsync = fsync
        self._generation: str | None = None  # the header's: changed by every commit
        # the generation and file stamp of the snapshot beside the file (snapshot.py)
        self._snapshot_of: tuple[str | None, list[int] | None] = (None, None)
        self._snapshot_size = 0
        self.opened_from = "rows"  # or "snapshot" (dedup index stats says which)
        if os.path.isdir(self.path):
            raise StoreError(f"cannot open the index {self.path}: "
                             f"{path_problem(self.path, writing=False)}")
        if not os.path.exists(self.path):
            if not create or readonly:
                raise StoreError(f"no index at {self.path}; create one with dedup stream --index "
                                 f"or dedup batch --index (or Index.open(path, create=True))")
            create_file(self.path, config or Config(), wires or WireRegistry.default())
        try:
            self._connect(fsync)
            header = read_header(self._conn, self.path)
            self._format_version, self._generation = header.version, header.generation
            self._chrome_seen = header.chrome_seen
            check_stored(self.path, header.config, header.wires, config, wires,
                         remedy="build a new index")
            if not readonly:
                upgrade(self._conn, self.path, header.version)
                self._format_version = max(header.version, FORMAT_VERSION)
            super().__init__(header.config, header.wires, keep_text=False)
            counters = header.next_arrival, header.next_cluster
            if not self._load_snapshot(*counters):
                self._check_file()
                self._load(*counters)
                trim()  # the rows read are gone; their heap pages go back (dedup.heap)
        except BaseException:
            self._release()
            raise
        self._reset_pending()

    # -- opening -----------------------------------------------------------------

    def _connect(self, fsync: bool) -> None:
        if not self.readonly:
            try:
                self._lock_fd = os.open(self.path, os.O_RDWR)
                # One writing process per index: its state is in that process's memory.
                # flock, not fcntl, so it never touches SQLite's own POSIX locks.
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{self.path} is open for writing in another process; stop it, "
                                 f"or open the index read-only") from None
            except OSError as exc:
                reason = path_problem(self.path, writing=True) or exc.strerror or exc
                raise StoreError(f"cannot open the index {self.path}: {reason}") from None
        uri = read_only_uri(self.path) if self.readonly else \
            Path(os.path.abspath(self.path)).as_uri()
        self._conn = connect_checked(uri, self.path)  # the schema is dedup's, or an error
        try:
            if not self.readonly:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
                self._conn.execute("PRAGMA wal_autocheckpoint=0")  # sqlite_checkpoint.py
                self._checkpointer = Checkpointer(uri)
        except sqlite3.DatabaseError as exc:
            if "unable to open" in str(exc):
                reason = path_problem(self.path, writing=not self.readonly) or exc
                raise StoreError(f"cannot open the index {self.path}: {reason}") from None
            raise self._format_error(exc) from None

    def _check_file(self) -> None:
        """``PRAGMA quick_check`` before the rows are read (the snapshot path checks
        what it reads by its own checksums instead)."""
        try:
            problems = [r[0] for r in self._conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise self._format_error(exc) from None
        if problems != ["ok"]:
            raise IndexFormatError(f"{self.path} is corrupted (SQLite check: {problems[0]}); "
                                   f"restore it from a backup or rebuild it")

    def _load_snapshot(self, next_arrival: int, next_cluster: int) -> bool:
        """Take the in-memory state from the file's snapshot if there is one of the
        file as it is (``dedup.storage.snapshot``); False when the rows must be read
        (``opened_from`` says why)."""
        path = snapshot_path(self.path)
        try:
            snap = open_snapshot(path, self._generation, file_stamp(self.path))
            if snap is None:
                self.opened_from = "rows (no snapshot of the file as it is)"
                return False
            with snap:
                state = snap.state
                if (state.get("arrival"), state.get("next_cluster")) != (next_arrival,
                                                                          next_cluster):
                    raise SnapshotDamaged("its counters are not the header's")
                self.adopt_image(snap)
                self._snapshot_size = snap.size
                self._snapshot_of = (snap.generation, snap.stamp)
        except SnapshotDamaged as exc:
            self.opened_from = f"rows (the snapshot {path} is damaged: {exc})"
            super().__init__(self.config, self.wires, keep_text=False)  # what it half took
            return False
        self.opened_from = "snapshot"
        return True

    def _write_snapshot(self) -> None:
        """At close, with the file closed but still locked: write the snapshot of the
        file as it is now, unless the one beside it already is (it is a cache: a
        failure to write it loses nothing, the next open reads the rows)."""
        path = snapshot_path(self.path)
        stamp = file_stamp(self.path)
        if stamp is None or self._snapshot_of == (self._generation, stamp):
            return
        try:
            state, arrays = self.image()
            self._snapshot_size = snapshot_write(path, self._generation, stamp, state, arrays,
                                                 fsync=self._fsync)
            self._snapshot_of = (self._generation, stamp)
        except (OSError, TypeError, ValueError):
            # an unwritable folder, a full disk, metadata JSON cannot hold
            try:
                os.unlink(path)
            except OSError:
                pass

    def _format_error(self, exc: Exception) -> IndexFormatError:
        return format_error(self.path, exc)

    def _has_fine(self) -> bool:
        return has_fine(self._conn)

    def _load(self, next_arrival: int, next_cluster: int) -> None:
        """Read every table back into the in-memory structures, verifying each row."""
        try:
            check_tables(self._conn, self.path, self._format_version, self.config.num_perm,
                         next_arrival, next_cluster, self._chrome_seen, fine=self._has_fine())
            self._top_cluster = next_cluster
            self._load_rows()
        except IndexFormatError:
            raise
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, IndexError,
                AttributeError, orjson.JSONDecodeError) as exc:
            raise self._format_error(exc) from None
        top = self._docs.arrival(len(self._docs) - 1) + 1 if len(self._docs) else 0
        if next_arrival < top:
            raise IndexFormatError(f"{self.path} is inconsistent: header counters are behind "
                                   f"the rows; restore it from a backup or rebuild it")
        self._arrival = next_arrival

    def _load_rows(self) -> None:
        conn, path = self._conn, self.path
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        self._grow(n + room(n, SLOT_ROOM))  # room to add without copying, as add_doc grows
        passages, numbers, fines = [], [], []
        lengths = [np.zeros(n, dtype=np.int64) for _ in range(3)]
        arrivals = np.zeros(n, dtype=np.int64)
        cluster_of = np.zeros(len(self._sigs), dtype=np.uint64)
        base = 0
        for chunk in article_chunks(conn, path, self.config.num_perm,
                                    numbers=self._format_version >= 2, fine=self._has_fine()):
            count = len(chunk.docs)
            rows = slice(base, base + count)
            self._sigs[rows], self._sizes[rows] = chunk.signatures, chunk.sizes
            self._hashes[rows] = chunk.hashes
            for values, kept, (held, got) in zip(
                    (chunk.passages, chunk.numbers, chunk.fine), (passages, numbers, fines),
                    zip(lengths, (chunk.passage_lengths, chunk.number_lengths,
                                  chunk.fine_lengths), strict=True), strict=True):
                kept.append(values)
                held[rows] = got
            for doc in chunk.docs:
                self._docs.append(doc)
            arrivals[rows] = [d.arrival for d in chunk.docs]
            cluster_of[rows] = [d.cluster for d in chunk.docs]
            ids = [d.id for d in chunk.docs]
            for i in self._ids.insert_many(ids, np.arange(base, base + count, dtype=np.uint32)):
                aid = ids[i]  # its hash is taken: by another id, or by itself again
                if self._docs.id(self._ids.get(aid)) == aid or aid in self._id_overflow:
                    raise IndexFormatError(f"{path} is inconsistent: duplicate article ids")
                self._id_overflow[aid] = base + i
            base += count
        if n:
            self._pk.load(np.concatenate(passages), lengths[0])
            self._nk.load(np.concatenate(numbers), lengths[1])
            self._fk.load(np.concatenate(fines), lengths[2])
        self._texts = [None] * n if self.keep_text else []
        if self._sh is not None:
            self._sh.load(*shingle_rows(conn, path, arrivals))
        self._load_clusters(arrivals, cluster_of)
        if self._format_version >= 3:  # older files counted lines over all sites at once
            self._chrome.seen = self._chrome_seen
            self._chrome.load_packed(chrome_rows(conn, path))
            self._chrome_aged = self._chrome.seen
        self._rebuild_tables()

    def _load_clusters(self, arrivals: np.ndarray, cluster_of: np.ndarray) -> None:
        """The cluster table from the clusters' rows and each article's cluster
        (``arrivals``: the stored articles', ascending, slot by slot)."""
        ids, original_arrivals, self._notes = cluster_rows(self._conn, self.path)
        originals = np.searchsorted(arrivals, original_arrivals)
        found = originals < len(arrivals)
        found[found] = arrivals[originals[found]] == original_arrivals[found]
        if not found.all():
            j = int(np.flatnonzero(~found)[0])
            raise IndexFormatError(f"{self.path} is inconsistent: cluster {ids[j]}'s original "
                                   f"(arrival {original_arrivals[j]}) is not a stored article")
        placed = cluster_of[:len(arrivals)]
        at = np.minimum(np.searchsorted(ids, placed), max(len(ids) - 1, 0))
        listed = ids[at] == placed if len(ids) else np.zeros(len(placed), dtype=bool)
        if not listed.all():
            slot = int(np.flatnonzero(~listed)[0])
            raise IndexFormatError(f"{self.path} is inconsistent: article "
                                   f"{self._docs.id(slot)!r} is in cluster {placed[slot]}, "
                                   f"which is not stored")
        try:
            self._groups = _core.ClusterTable.from_parts(
                cluster_of, ids, originals.astype(np.uint32), self._top_cluster)
        except ValueError as exc:
            raise IndexFormatError(f"{self.path} is inconsistent: {exc}") from None

    # -- writes: queued, then written by commit() --------------------------------------

    def _reset_pending(self) -> None:
        self._new_rows: dict[int, tuple] = {}
        # new articles' fingerprints as the file holds them (what memory keeps of
        # them is less: passage keys' top 32 bits), until their rows are written
        self._new_blobs: dict[int, tuple[bytes, int, int, bytes, bytes, bytes]] = {}
        self._new_texts: dict[int, bytes] = {}
        self._new_shingles: dict[int, bytes] = {}
        self._deleted: list[int] = []
        self._dirty_clusters: set[int] = set()
        self._dirty_chrome: set[int] = set()
        self._counters_dirty = False

    def _pending(self) -> bool:
        """Whether there are changes not yet committed."""
        return bool(self._new_rows or self._deleted or self._dirty_clusters
                    or self._dirty_chrome or self._counters_dirty)

    def unwritable(self) -> str | None:
        if self.readonly:
            return f"the index {self.path} was opened read-only"
        return self._broken

    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int:
        slot = super().add_doc(doc, probe, None)
        self._queue(slot, doc, probe, self._deflated([text])[0])
        return slot

    def add_docs(self, docs: Sequence[Doc], prepared: Prepared, rows: Sequence[int],
                 texts: Sequence[str | None]) -> list[int]:
        slots = super().add_docs(docs, prepared, rows, [None] * len(docs))
        for slot, doc, row, blob in zip(slots, docs, rows, self._deflated(texts), strict=True):
            self._queue(slot, doc, Probe.of(prepared, row), blob)
        return slots

    def _deflated(self, texts: Sequence[str | None]) -> list[bytes | None]:
        """The texts as stored (None: not kept, or too long to read back)."""
        if not self._store_text:
            return [None] * len(texts)
        kept = [i for i, t in enumerate(texts) if t is not None]
        out: list[bytes | None] = [None] * len(texts)
        for i, blob in zip(kept, deflate_texts([texts[i] for i in kept]), strict=True):
            out[i] = blob
        return out

    def _queue(self, slot: int, doc: Doc, probe: Probe, text: bytes | None) -> None:
        """A stored article's row (and deflated text), written with the next commit."""
        self._new_blobs[doc.arrival] = (
            probe.sig.astype("<u4").tobytes(), probe.size, _signed(probe.content_hash),
            probe.passages.astype("<u8").tobytes(), probe.numbers.astype("<u4").tobytes(),
            probe.fine.astype("<u8").tobytes())
        if text is not None:
            self._new_texts[doc.arrival] = text
        if self._sh is not None:
            self._new_shingles[doc.arrival] = self._sh.get(slot).astype("<u4").tobytes()
        self._counters_dirty = True

    def new_cluster(self, slot: int) -> ClusterState:
        cluster = super().new_cluster(slot)
        self._dirty_clusters.add(cluster.id)
        self._queue_article(slot)
        return cluster

    def join(self, cluster: ClusterState, slot: int) -> None:
        super().join(cluster, slot)
        self._queue_article(slot)

    def set_original(self, cluster: ClusterState, slot: int, note: str | None = None) -> None:
        super().set_original(cluster, slot, note)
        self._dirty_clusters.add(cluster.id)

    def merge(self, into: ClusterState, other: ClusterState) -> None:
        moved = list(other.members)
        super().merge(into, other)
        self._dirty_clusters.update((into.id, other.id))
        for slot in moved:
            self._queue_article(slot)

    def place(self, slots: np.ndarray, candidates: np.ndarray, offsets: np.ndarray
              ) -> list[Placed]:
        placed = super().place(slots, candidates, offsets)
        for slot, (cid, _, replaced, merged) in zip(slots.tolist(), placed, strict=True):
            if replaced >= 0 or self._groups.original(cid) == slot:
                self._dirty_clusters.add(cid)  # a new cluster, or a new original
            self._queue_article(slot)
            for other, _, members in merged:
                self._dirty_clusters.add(other)
                for member in members:
                    self._queue_article(member)
        return placed

    def remove_doc(self, slot: int) -> tuple[Doc, ClusterState | None]:
        doc, cluster = super().remove_doc(slot)
        self._new_rows.pop(doc.arrival, None)
        self._new_blobs.pop(doc.arrival, None)
        # always: a merge may have re-queued an article that is already written
        self._deleted.append(doc.arrival)
        self._new_texts.pop(doc.arrival, None)
        self._new_shingles.pop(doc.arrival, None)
        self._dirty_clusters.add(doc.cluster)
        return doc, cluster

    def count_chrome(self, observations: Iterable[Observation]) -> None:
        self._dirty_chrome.update(self._chrome.observe(observations))
        self._counters_dirty = True

    def _chrome_forgotten(self, keys: list[int]) -> None:
        self._dirty_chrome.update(keys)  # written as deletions: no entry left

    def _queue_article(self, slot: int) -> None:
        """Queue the row of ``slot`` (new, or moved to another cluster): its
        fingerprints as added, or as the file holds them."""
        doc = self.doc(slot)
        blobs = self._new_blobs.get(doc.arrival)
        if blobs is None:  # written before: a merge moves it to another cluster
            blobs = self._conn.execute(  # a writer's file has every column (_upgrade)
                "SELECT signature, size, content_hash, passages, numbers, fine FROM articles "
                "WHERE arrival = ?", (doc.arrival,)).fetchone()
        sig, size, chash, pks, nks, fks = blobs
        meta = orjson.dumps({
            "title": doc.title, "url": doc.url, "source": doc.source,
            "published": doc.published.isoformat() if doc.published else None,
            "wire": doc.wire, "wire_evidence": doc.wire_evidence, "credited": doc.credited,
            "credit_text": doc.credit_text, "mentions": doc.mentions, "canonical": doc.canonical,
            "canonical_wire": doc.canonical_wire, **({"extraction": doc.extraction}
                                                     if doc.extraction else {})})
        row = (doc.arrival, doc.id, doc.cluster, doc.added, meta, sig, size, chash, pks)
        self._new_rows[doc.arrival] = row + (_article_checksum(*row, nks, fks), nks, fks)

    def commit(self) -> None:
        """Write every queued change in one transaction.

        Raises:
            StoreError: the write failed (disk full, I/O error); the index is
                then closed to writes (reopen it: only acknowledged writes are
                in the file).
        """
        if self._conn is None or not self._pending():
            return
        if self._broken:
            raise StoreError(self._broken)
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            if self._deleted:
                gone = [(a,) for a in self._deleted]
                conn.executemany("DELETE FROM articles WHERE arrival = ?", gone)
                conn.executemany("DELETE FROM texts WHERE arrival = ?", gone)
                if self._sh is not None:
                    conn.executemany("DELETE FROM shingles WHERE arrival = ?", gone)
            # REPLACE: a merge moves already-written articles to another cluster
            conn.executemany("INSERT OR REPLACE INTO articles (arrival, id, cluster, added, meta, "
                             "signature, size, content_hash, passages, checksum, numbers, "
                             "fine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             self._new_rows.values())
            conn.executemany("INSERT INTO texts VALUES (?, ?, ?)",
                             [(a, t, _checksum(a, t)) for a, t in self._new_texts.items()])
            if self._new_shingles:
                conn.executemany("INSERT INTO shingles VALUES (?, ?, ?)",
                                 [(a, h, _checksum(a, h)) for a, h in self._new_shingles.items()])
            upserts, gone = [], []
            for cid in self._dirty_clusters:
                original = self._groups.original(cid)
                if original is None:
                    gone.append((cid,))
                    continue
                row = (cid, self._docs.arrival(original),
                       orjson.dumps(self._notes.get(cid, [])).decode())
                upserts.append(row + (_cluster_checksum(*row),))
            conn.executemany("DELETE FROM clusters WHERE id = ?", gone)
            conn.executemany("INSERT OR REPLACE INTO clusters VALUES (?, ?, ?, ?)", upserts)
            chrome, forgotten = [], []
            entries = self._chrome.entries
            for key in self._dirty_chrome:
                entry = entries.get(key)
                if entry is None:
                    forgotten.append((_signed(key),))
                    continue
                row = (_signed(key), entry[0], entry[1], pack_witnesses(entry[2]))
                chrome.append(row + (_chrome_checksum(*row),))
            conn.executemany("DELETE FROM chrome WHERE key = ?", forgotten)
            conn.executemany("INSERT OR REPLACE INTO chrome (key, count, last_seen, witnesses, "
                             "checksum) VALUES (?, ?, ?, ?, ?)", chrome)
            generation = uuid.uuid4().hex  # what a snapshot of the file after this names
            counters = [("next_arrival", str(self._arrival)),
                        ("next_cluster", str(self._groups.next_id)),
                        ("chrome_seen", str(self._chrome.seen)), ("generation", generation)]
            conn.executemany("INSERT OR REPLACE INTO header VALUES (?, ?, ?)",
                             [(k, v, _checksum(k, v)) for k, v in counters])
            conn.execute("COMMIT")
            if self._checkpointer is not None:
                self._checkpointer.after_commit()
        except sqlite3.Error as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._broken = (f"could not write the index {self.path} ({exc}); the writes since "
                            f"the last acknowledged one are not saved: reopen the index")
            raise StoreError(self._broken) from None
        self._generation = generation
        self._reset_pending()

    # -- reads that need the file ----------------------------------------------------

    def text(self, slot: int) -> str | None:
        arrival = self._docs.arrival(slot)
        blob = self._new_texts.get(arrival)
        if blob is None and self._conn is None:
            raise StoreError(f"the index {self.path} is closed")
        if blob is None:
            row = self._conn.execute("SELECT text, checksum FROM texts WHERE arrival = ?",
                                     (arrival,)).fetchone()
            if row is None:
                return None
            blob, stored = row
            if stored != _checksum(arrival, blob):
                raise IndexFormatError(f"{self.path} is corrupted: the stored text of "
                                       f"{self._docs.id(slot)!r} fails its checksum")
        return inflate_text(blob, self.path, self._docs.id(slot))

    def describe(self) -> dict[str, Any]:
        from .sqlite_files import describe_file  # it imports this module
        out = super().describe()
        out.update(describe_file(self.path, conn=self._conn))
        out["opened_from"] = self.opened_from
        out["snapshot_bytes"] = self._snapshot_size
        return out

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        snapshot = self._conn is not None and not (self.readonly or self._broken
                                                   or self._pending())
        if snapshot and self._generation is None:  # a file from before generations
            self._counters_dirty = True
            try:
                self.commit()
            except StoreError:
                snapshot = False
        self._release(snapshot=snapshot)


    def _release(self, *, snapshot: bool = False) -> None:
        if self._checkpointer is not None:  # first: the writer's close is then the last
            self._checkpointer.close()
            self._checkpointer = None
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                snapshot = False
            self._conn = None
            if snapshot:  # after closing (the log is checkpointed), before unlocking
                self._write_snapshot()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # after the connection: closing an fd drops POSIX locks
            self._lock_fd = None

