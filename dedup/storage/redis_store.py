"""The shared backend: one index on a Redis server for a fleet of crawlers.

``RedisStore`` answers the ``Store`` calls against Redis, so every process that
opens ``redis://host:port/db?prefix=NAME`` adds to and queries the same index.
Whole-text LSH bands are kept in datasketch's Redis layout (basename ``NAME``);
the rest is plain hashes and sets of packed bytes and JSON (no pickle).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from ..chrome import ChromeCounts, Observation
from ..config import Config
from ..errors import ConfigError, IndexFormatError, StoreError
from ..fingerprint import PASSAGE_HOLDERS
from ..lsh import lowest_per_key
from ..wires import WireRegistry
from .header import FORMAT, check_stored, wires_from_json, wires_json
from .redis_link import RedisLink, SectionLock, parse_location
from .redis_records import (
    BAND_LISTS_VERSION,
    REDIS_FORMAT_VERSION,
    ChromeWrites,
    Layout,
    band_list_moves,
    format_op,
    unpack_chrome,
    unpack_cluster,
    unpack_fp,
    unpack_meta,
    write_ops,
)
from .sqlite_format import deflate_texts, inflate_text
from .store import ClusterState, Doc, Probe, Store

_FLUSH_EVERY = 2048  # new articles a long batch session writes at a time
_LOAD_CHUNK = 1000


class RedisStore(Store):
    """An index on a Redis server, shared by every process that opens it.

    Concurrency: one index lock per prefix (``P:lock``, ``SET PX`` with a
    random token, taken and released by Lua scripts). Correctness first: the
    engine's placement (candidates, compare, join or new cluster, re-attribute,
    index keys) reads and writes many structures, and its verification and
    attribution are Python (numpy compares, ranking) that cannot run inside
    Redis, so one process at a time holds the lock for that whole critical
    section; two processes adding copies of one story at the same moment then
    end in one cluster. Writes are fenced: they are applied by a Lua script
    that first checks the lock still holds this store's token (a process that
    stalled past the lease cannot overwrite another's work) and records a
    sequence number, so a write retried after a lost reply is applied once.
    Then round trips, which are most of the time the lock is held: the lock
    is taken in the same pipeline as the section's first read, one Lua script
    returning the LSH candidates with their documents, clusters, members and
    originals' fingerprints, and the id checks; the section's writes go in one
    Lua call that also releases the lock and wakes the longest waiter. A plain
    ``add`` is 4 round trips: lock + the site-chrome entries of its lines,
    their update + release; lock + candidates + id check, writes + release.

    Durability: writes are acknowledged (``add`` returns) after the server
    executed them; with ``appendonly yes`` and ``appendfsync always`` the
    AOF is fsynced before that reply, so a restarted server loses no
    acknowledged article. A section that ends with an exception writes
    nothing (long batch sessions are written every 2,048 new articles).

    Keys: ``dedup.storage.redis_records`` (whole-text bands in datasketch's layout).

    Args:
        location: ``redis://[:password@]host:port/db?prefix=NAME`` (see
            ``dedup.storage.redis_link.RedisLocation`` for ``timeout``, ``retry``,
            ``lock_wait``).
        create: create the index if the prefix holds none.
        config: expected configuration (``None``: the stored one).
        wires: expected wire registry (``None``: the stored one).
        keep_text: store new articles' texts (zlib-compressed).
        fsync: require the server to fsync every write (``appendfsync
            always``); raises ``ConfigError`` if it verifiably does not.
        readonly: writes raise ``StoreError``.

    Raises:
        StoreUnavailable: the server cannot be reached or does not answer.
        ConfigMismatch, IndexFormatError, StoreError: as for an index file.
    """

    def __init__(self, location: str, *, create: bool = True, config: Config | None = None,
                 wires: WireRegistry | None = None, keep_text: bool = True, fsync: bool = False,
                 readonly: bool = False) -> None:
        self.where = parse_location(location)
        self.location = self.where.display
        self.readonly = readonly
        self._store_text = keep_text
        self.lock = SectionLock(self._end_section)
        self._k = Layout(self.where.prefix, 1, 1).key  # the header's key, for opening
        self._count_at_close = 0
        self._chrome_lines: list[int] = []  # in the order they became chrome
        self._chrome_set: frozenset[int] = frozenset()
        self._chrome_fresh = False
        self._link = RedisLink(self.where, self._acquired)
        self.counters = self._link.counters  # this process's traffic (describe, bench)
        self._run = self._link.run
        self._reset_session()
        try:
            self._open(create, config, wires, fsync)
        except BaseException:
            self._link.close()
            raise

    # -- opening ---------------------------------------------------------------

    def _open(self, create: bool, config: Config | None, wires: WireRegistry | None,
              fsync: bool) -> None:
        if config is not None and config.verify == "exact":
            raise ConfigError('verify="exact" keeps every article\'s shingles (~2 KB each), '
                              "which a Redis index does not store; use verify=\"estimate\" "
                              "for a shared index, or an SQLite/in-memory index")
        self._link.load_scripts()  # also the reachability check: opening never retries
        header = self._header()
        if not header:
            if not create or self.readonly:
                raise StoreError(f"no index at {self.location}; create one with dedup stream "
                                 f"--index or dedup batch --index (or Index.open(location))")
            if int(self._run([("EXISTS", self._k["ids"], self._k["meta"])], locked=False)[0]):
                raise IndexFormatError(f"{self.location} holds index keys but no header; "
                                       f"delete the prefix's keys or use another prefix")
            from .. import __version__
            rows = {"format": FORMAT, "format_version": REDIS_FORMAT_VERSION, "backend": "redis",
                    "dedup_version": __version__,
                    "created": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "config": orjson.dumps((config or Config()).to_dict()),
                    "wires": wires_json(wires or WireRegistry.default()),
                    "next_arrival": 0, "next_cluster": 1}
            args = [x for kv in rows.items() for x in kv]
            self._run([("script", "create", self._k["header"], *args)], locked=False)
            header = self._header()
        stored_config, stored_wires = self._check_header(header)
        check_stored(self.location, stored_config, stored_wires, config, wires,
                     remedy="use another prefix")
        self.config, self.wires = stored_config, stored_wires
        self._layout = Layout(self.where.prefix, *stored_config.bands)
        if int(header["format_version"]) < BAND_LISTS_VERSION and not self.readonly:
            self._upgrade_band_lists()
        if int(header["format_version"]) < 3 and not self.readonly:
            # Format 2 counted short lines over all sites at once: drop those counts
            # (chrome is relearnt per site) before anything reads them.
            self._run([("DEL", self._k["chrome_counts"], self._k["chrome"])], locked=False)
        if fsync:
            persistence = self._link.persistence()
            if persistence.get("appendfsync") not in (None, "always"):
                raise ConfigError(
                    f"--fsync: Redis at {self.where.server} runs with "
                    f"{persistence['mode']}; an acknowledged article could be lost on power "
                    f"loss; configure appendonly yes and appendfsync always, or drop --fsync")

    def _header(self) -> dict[str, str]:
        raw = self._run([("HGETALL", self._k["header"])], locked=False)[0]
        return {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}

    def _check_header(self, header: dict[str, str]) -> tuple[Config, WireRegistry]:
        where = self.location
        if header.get("format") != FORMAT:
            raise IndexFormatError(f"{where} holds a hash that is not a dedup index header")
        try:
            version = int(header["format_version"])
        except (KeyError, ValueError):
            raise IndexFormatError(f"{where}: the header has no valid format_version") from None
        if version > REDIS_FORMAT_VERSION:
            raise IndexFormatError(f"{where} was written by a newer dedup "
                                   f"({header.get('dedup_version', '?')}, index format {version}); "
                                   f"upgrade dedup")
        try:
            return (Config.from_dict(orjson.loads(header["config"])),
                    wires_from_json(header["wires"]))
        except (KeyError, ValueError, TypeError, ConfigError, orjson.JSONDecodeError) as exc:
            raise IndexFormatError(f"{where}: the header is damaged ({exc})") from None

    def _upgrade_band_lists(self) -> None:
        """Move every article's band list to its format-3 key (``band_list_moves``),
        holding the index lock; a writer that stops half-way leaves an index that
        the next writer finishes (each step is idempotent)."""
        keys_name = self._layout.keys_name
        with self.lock:
            self._hold()
            cursor = 0
            while True:
                cursor, listed = self._run([("HSCAN", keys_name, cursor, "COUNT", 1000)],
                                           locked=True)[0]
                olds = list(dict.fromkeys(listed.values()))
                kinds = {key: kind.decode() if isinstance(kind, bytes) else kind for key, kind
                         in zip(olds, self._run([("TYPE", k) for k in olds], locked=True),
                                strict=True)}
                lists = [key for key in olds if kinds[key] == "list"]
                values = dict(zip(lists, self._run([("LRANGE", key, 0, -1) for key in lists],
                                                   locked=True), strict=True))
                self._link.apply(band_list_moves(self._layout, listed, kinds, values),
                                 release=False)
                if int(cursor) == 0:
                    break
            self._link.apply(format_op(self._layout), release=False)

    def _hold(self) -> None:
        if not self._link.held:
            self._run([], locked=True)

    def _acquired(self, next_arrival: int, next_cluster: int, count: int) -> None:
        self._next_arrival, self._next_cluster, self._count = next_arrival, next_cluster, count

    # -- the section: what this process read and wrote while holding the lock ---

    def _reset_session(self) -> None:
        self._next_arrival = self._next_cluster = self._count = 0
        self._docs: dict[int, Doc | None] = {}  # None: removed, or not in the index
        self._sizes: dict[int, int] = {}
        self._fps: dict[int, Probe] = {}
        self._ids: dict[str, int | None] = {}
        self._clusters: dict[int, ClusterState | None] = {}
        self._all_loaded = self._all_clusters = False
        self._reset_writes()

    def _reset_writes(self) -> None:
        self._new: dict[int, bytes | None] = {}  # new arrival -> compressed text
        self._indexed: set[int] = set()
        self._gone: dict[int, tuple[Doc, Probe]] = {}
        self._dirty: set[int] = set()
        self._moved: dict[int, int] = {}  # stored arrival -> the cluster a merge moved it to
        self._buckets: dict[bytes, set[int]] = {}  # LSH keys not yet written
        self._pass: dict[int, set[int]] = {}
        self._chrome_writes: ChromeWrites | None = None

    def _end_section(self, failed: bool) -> None:
        try:
            if self._link.held and not failed and (self._new or self._gone or self._dirty
                                                   or self._moved or self._chrome_writes):
                self._flush(release=True)
        finally:
            self._link.release()
            self._reset_session()

    def _flush(self, *, release: bool) -> None:
        gone = [(a, doc, probe) for a, (doc, probe) in self._gone.items()]
        new = [(a, self._docs[a], self._fps[a], text, a in self._indexed)
               for a, text in self._new.items()]
        clusters = [(cid, self._clusters.get(cid)) for cid in sorted(self._dirty)]
        moved = [(a, cid) for a, cid in self._moved.items() if a not in self._new
                 and a not in self._gone]
        ops = write_ops(self._layout, gone, new, clusters, (self._next_arrival, self._next_cluster),
                        moved, self._chrome_writes)
        self._link.apply(ops, release=release)
        self._reset_writes()

    def _lookup(self, *, ids: Sequence[str] = (), slots: Sequence[int] = (),
                clusters: Sequence[int] = (), buckets: Sequence[bytes] = (),
                passages: Sequence[bytes] = (), holders: int = 0) -> tuple[list, list, list]:
        """One LOOKUP script: ids, LSH buckets and passage keys to arrivals, plus
        every document found with its cluster, the cluster's members and the
        fingerprints of originals and of the asked slots; all cached."""
        args: list[Any] = [self.where.prefix, len(self._layout.tables), holders]
        for part in (ids, slots, clusters, buckets, passages):
            args.append(len(part))
            args.extend(part)
        found = self._run([("script", "lookup", *args)], locked=True)[0]
        ids_out, buckets_out, passages_out, docs, clusters_out, fps = found
        for i in range(0, len(docs), 3):
            a = int(docs[i])
            if a not in self._docs:
                self._docs[a], self._sizes[a] = unpack_meta(docs[i + 2], a, docs[i + 1],
                                                            self.location)
        for i in range(0, len(clusters_out), 2):
            cid = int(clusters_out[i])
            if cid not in self._clusters:
                self._clusters[cid] = unpack_cluster(cid, clusters_out[i + 1])
        for i in range(0, len(fps), 2):
            a = int(fps[i])
            if a not in self._fps:
                self._fps[a] = unpack_fp(fps[i + 1], self.config.num_perm, self.location)
        for ident, a in zip(ids, ids_out, strict=True):
            self._ids.setdefault(ident, int(a) if a else None)
        for a in slots:
            self._docs.setdefault(a, None)
        for cid in clusters:
            self._clusters.setdefault(cid, None)
        return ids_out, buckets_out, passages_out

    def _load_all(self) -> None:
        """Every stored document, cluster and fingerprint (for verdicts/export)."""
        if self._all_loaded:
            return
        self._load_clusters()
        order = self._run([("ZRANGE", self._k["order"], 0, -1)], locked=True)[0]
        arrivals = [int(a) for a in order if int(a) not in self._docs]
        for start in range(0, len(arrivals), _LOAD_CHUNK):
            part = arrivals[start:start + _LOAD_CHUNK]
            metas, cls, fps = self._run([("HMGET", self._k[n], *part)
                                         for n in ("meta", "cl", "fp")], locked=True)
            for a, meta, cid, fp in zip(part, metas, cls, fps, strict=True):
                if meta is None or fp is None:
                    raise IndexFormatError(f"{self.location} is inconsistent: article {a} is "
                                           f"listed without its metadata or fingerprints")
                self._docs[a], self._sizes[a] = unpack_meta(meta, a, cid, self.location)
                self._fps[a] = unpack_fp(fp, self.config.num_perm, self.location)
        self._all_loaded = True

    def _load_clusters(self) -> None:
        if self._all_clusters:
            return
        cursor = 0
        while True:
            cursor, page = self._run([("HSCAN", self._k["clusters"], cursor, "COUNT",
                                       _LOAD_CHUNK)], locked=True)[0]
            for cid, raw in page.items():
                cid = int(cid)
                if cid not in self._clusters:
                    self._clusters[cid] = unpack_cluster(cid, raw)
            if int(cursor) == 0:
                break
        self._all_clusters = True

    # -- documents ---------------------------------------------------------------

    def __len__(self) -> int:
        with self.lock:
            if self._link.held:
                return self._count
            if self._link.closed:  # as counted when it was closed
                return self._count_at_close
            return int(self._run([("HLEN", self._k["ids"])], locked=False)[0])

    def slot(self, article_id: str) -> int | None:
        if article_id not in self._ids:
            self._lookup(ids=[article_id])
        return self._ids[article_id]

    def doc(self, slot: int) -> Doc:
        if slot not in self._docs:
            self._lookup(slots=[slot])
        return self._docs[slot]

    def docs(self, slots: Sequence[int]) -> list[Doc]:
        missing = [s for s in dict.fromkeys(slots) if s not in self._docs]
        if missing:  # one LOOKUP for all of them
            self._lookup(slots=missing)
        return [self._docs[s] for s in slots]

    def probe(self, slot: int) -> Probe:
        if slot not in self._fps:
            self._lookup(slots=[slot])
        return self._fps[slot]

    def size(self, slot: int) -> int:
        if slot not in self._sizes:
            self._lookup(slots=[slot])
        return self._sizes[slot]

    def live_slots(self) -> list[int]:
        self._load_all()
        return sorted(a for a, d in self._docs.items() if d is not None)

    def oldest(self) -> int | None:
        first = self._run([("ZRANGE", self._k["order"], 0, len(self._gone))], locked=True)[0]
        live = [int(a) for a in first if int(a) not in self._gone]
        live += [a for a in self._new if self._docs.get(a) is not None]
        return min(live, default=None)

    def text(self, slot: int) -> str | None:
        if slot in self._new:
            blob = self._new[slot]
        else:
            blob = self._run([("HGET", self._k["texts"], slot)], locked=True)[0]
        if blob is None:
            return None
        # Bounded, as from an index file: whoever can write the server can plant a zlib bomb.
        return inflate_text(blob, self.location, f"arrival {slot}")

    def add_doc(self, doc: Doc, probe: Probe, text: str | None) -> int:
        self._hold()
        slot = self._next_arrival
        self._next_arrival += 1
        doc.arrival = slot
        probe = probe.owned()  # kept until the chunk is written; the chunk's arrays go
        self._docs[slot], self._fps[slot], self._sizes[slot] = doc, probe, probe.size
        self._ids[doc.id] = slot
        keep = self._store_text and text is not None
        self._new[slot] = deflate_texts([text])[0] if keep else None
        self._count += 1
        return slot

    def remove_doc(self, slot: int) -> tuple[Doc, ClusterState | None]:
        doc, probe = self.doc(slot), self.probe(slot)
        cluster = self.cluster(doc.cluster)
        self._hold()
        self._docs[slot], self._ids[doc.id] = None, None
        self._count -= 1
        if slot in self._new:
            del self._new[slot]
            self._indexed.discard(slot)
            for bucket in self._buckets.values():
                bucket.discard(slot)
            for bucket in self._pass.values():
                bucket.discard(slot)
        else:
            self._gone[slot] = (doc, probe)
        cluster.members.remove(slot)
        self._dirty.add(cluster.id)
        if not cluster.members:
            self._clusters[cluster.id] = None
            return doc, None
        return doc, cluster

    # -- LSH ---------------------------------------------------------------------

    def candidates(self, keys: np.ndarray, passage_keys: np.ndarray,
                   signatures: np.ndarray | None = None, ids: Sequence[str] = ()
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        if signatures is None:
            raise StoreError("RedisStore.candidates needs the signatures (datasketch's "
                             "bucket keys are the raw band values)")
        names = [name for sig in signatures for name in self._layout.buckets(sig)]
        pkeys = passage_keys.ravel().tolist()
        # Articles removed here and not yet written are still in the server's
        # sets: ask for that many more holders than kept.
        _, found, pfound = self._lookup(ids=[i for i in ids if i not in self._ids],
                                        buckets=names,
                                        passages=[struct.pack(">Q", k) for k in pkeys],
                                        holders=PASSAGE_HOLDERS + len(self._gone))
        whole = self._pairs(found, names, self._buckets, len(self._layout.tables))
        keys, slots = self._pairs(pfound, pkeys, self._pass, 1)
        keep = lowest_per_key(keys, slots, PASSAGE_HOLDERS)
        return whole, (keys[keep], slots[keep])

    def _pairs(self, found: list, keys: Sequence, pending: dict, per_row: int
               ) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, slots)`` from the LOOKUP's flat ``row, arrival`` list and the
        keys not yet written, for the live documents."""
        hits = [(int(found[j]), int(found[j + 1])) for j in range(0, len(found), 2)]
        if pending:
            hits += [(i // per_row, a) for i, key in enumerate(keys)
                     for a in pending.get(key, ())]
        live = [(row, a) for row, a in hits if self._docs.get(a) is not None]
        return (np.array([r for r, _ in live], dtype=np.int64),
                np.array([a for _, a in live], dtype=np.uint32))

    def index_keys(self, slots: np.ndarray, keys: np.ndarray, passage_slots: np.ndarray,
                   passage_keys: np.ndarray) -> None:
        self._hold()
        for slot in slots.tolist():
            self._indexed.add(slot)
            for name in self._layout.buckets(self._fps[slot].sig):
                self._buckets.setdefault(name, set()).add(slot)
        for slot, row in zip(passage_slots.tolist(), passage_keys.tolist(), strict=True):
            for key in row:
                self._pass.setdefault(key, set()).add(slot)
        if len(self._new) >= _FLUSH_EVERY:  # a consistent point: every new article placed
            self._flush(release=False)

    # -- clusters ----------------------------------------------------------------

    def cluster(self, cluster_id: int) -> ClusterState:
        if cluster_id not in self._clusters:
            self._lookup(clusters=[cluster_id])
        cluster = self._clusters[cluster_id]
        if cluster is None:
            raise KeyError(cluster_id)
        return cluster

    def clusters(self) -> Iterable[ClusterState]:
        self._load_clusters()
        return [c for _, c in sorted(self._clusters.items()) if c is not None]

    def new_cluster(self, slot: int) -> ClusterState:
        self._hold()
        cluster = ClusterState(self._next_cluster, slot, [slot])
        self._next_cluster += 1
        self._clusters[cluster.id] = cluster
        self._docs[slot].cluster = cluster.id
        self._dirty.add(cluster.id)
        return cluster

    def join(self, cluster: ClusterState, slot: int) -> None:
        cluster.members.append(slot)
        self._docs[slot].cluster = cluster.id
        self._dirty.add(cluster.id)

    def set_original(self, cluster: ClusterState, slot: int, note: str | None = None) -> None:
        cluster.original = slot
        if note is not None:
            cluster.notes = (cluster.notes + [note])[-3:]
        self._dirty.add(cluster.id)

    def merge(self, into: ClusterState, other: ClusterState) -> None:
        self._hold()
        for slot in other.members:
            self.doc(slot).cluster = into.id
            self._moved[slot] = into.id
        into.members = sorted(into.members + other.members)
        other.members = []
        self._clusters[other.id] = None
        self._dirty.update((into.id, other.id))

    # -- chrome --------------------------------------------------------------------

    def chrome(self) -> frozenset[int]:
        """The chrome lines, fresh from the server (or as the last count returned them)."""
        if self._chrome_fresh:
            self._chrome_fresh = False
        else:
            self._absorb_chrome(self._run([("LRANGE", self._k["chrome"], len(self._chrome_lines),
                                             -1)], locked=False)[0])
        return self._chrome_set

    def count_chrome(self, observations: Iterable[Observation]) -> None:
        """Count articles towards the site chrome, under the index lock: the
        entries of their lines are read, updated by the same ``ChromeCounts``
        as in memory, and written with the section (2 round trips)."""
        if self.readonly:
            return
        observations = list(observations)
        keys = sorted({k for obs in observations for k in obs.keys})
        k = self._k
        with self.lock:
            ops: list[tuple] = [("HGET", k["header"], "chrome_seen"),
                                ("LRANGE", k["chrome"], len(self._chrome_lines), -1)]
            if keys:
                ops.append(("HMGET", k["chrome_entries"], *keys))
            got = self._run(ops, locked=True)
            counts = ChromeCounts(self.config.chrome_min_docs)
            counts.seen = int(got[0] or 0)
            for key, raw in zip(keys, got[2] if keys else (), strict=True):
                if raw:
                    counts.load(key, *unpack_chrome(raw, self.location))
            before = counts.chrome
            touched = counts.observe(observations)
            writes = self._chrome_writes or ChromeWrites()
            writes.entries.update((key, counts.entries.get(key)) for key in touched)
            writes.became.extend(sorted(counts.chrome - before))
            writes.seen = counts.seen
            self._chrome_writes = writes
            self._absorb_chrome(got[1])
            self._chrome_set = self._chrome_set | counts.chrome
        self._chrome_fresh = True

    def _absorb_chrome(self, lines: list) -> None:
        if lines:
            self._chrome_lines.extend(int(key) for key in lines)
            self._chrome_set = self._chrome_set | frozenset(self._chrome_lines)

    # -- life cycle ------------------------------------------------------------------

    def commit(self) -> None:
        """Nothing to do here: the section's writes are sent with the lock's
        release (one Lua call) when the engine's outermost lock exits, which is
        before the ``add`` that made them returns."""

    def close(self) -> None:
        if self._link.closed:
            return
        try:
            if self._link.held and (self._new or self._gone or self._dirty or self._moved):
                self._flush(release=True)
            try:
                self._count_at_close = len(self)
            except StoreError:
                pass  # unreachable: the close itself has nothing left to lose
        finally:
            self._link.close()  # releases the lock if still held
            self._reset_session()

    def describe(self) -> dict[str, Any]:
        header = self._header()
        k = self._k
        articles, clusters, texts = (int(x) for x in self._run(
            [("HLEN", k["ids"]), ("HLEN", k["clusters"]), ("HLEN", k["texts"])], locked=False))
        server = self._run([("INFO", "server"), ("INFO", "memory")], locked=False)
        return {
            "backend": "redis", "location": self.location, "server": self.where.server,
            "prefix": self.where.prefix,
            "format_version": int(header.get("format_version", 0)),
            "dedup_version": header.get("dedup_version"), "created": header.get("created"),
            "articles": articles, "clusters": clusters, "texts_stored": texts,
            "config": orjson.loads(header["config"]),
            "wire_agencies": len(orjson.loads(header["wires"])),
            "redis_version": server[0].get("redis_version"),
            "redis_memory": server[1].get("used_memory_human"),
            "persistence": self._link.persistence()["mode"],
            "this_process": dict(self.counters),
        }

