"""Per-article metadata of the memory store, as columns.

A stored article's metadata (`store.Doc`) is kept as numpy columns and one byte
arena, not as a Python object per article: the few values shared by many articles
(source, wire, credits, mentions, extraction) as codes into small interned tables,
the rest (id, title, URL, credit line, canonical URL, wire evidence) as UTF-8 in
the arena, deflated `BLOCK` slots at a time, the dates as integers. About 90 bytes
a slot plus the strings' bytes, against ~1 KB for a `Doc` with its strings. ``get``
builds the `Doc` when it is asked for (verdicts, attribution; a block not the
newest is inflated, ~6 KB in 34 µs on a busy 2-core machine); the engine's hot path
reads columns.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np

from ..attribution import rank_head
from .arrays import SLOT_ROOM, grown, room


@dataclass(slots=True)
class Doc:
    """What the engine keeps about one stored article (everything but fingerprints)."""

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
    added: float = 0.0  # wall-clock time it was added (seconds), for max_age retention
    canonical: str | None = None  # canonical URL the page declares
    canonical_wire: str | None = None  # the wire whose domain that URL is on
    extraction: str | None = None  # an extraction fallback used for its page



_TEXT = (  # the order of the arena strings and of the interned columns
    "id", "title", "url", "credit_text", "canonical", "wire_evidence")
_SHARED = ("source", "wire", "canonical_wire", "extraction", "credited", "mentions")
_NONE = -1  # a text field's length when it is None
_NO_DATE, _NAIVE = np.iinfo(np.int64).min, np.iinfo(np.int64).min + 1  # offset column
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_EPOCH_DAY = _EPOCH.toordinal()
# Slots whose strings are deflated together: on the bench corpus the arena's 198 B a
# slot take 88 in blocks of 32 (106 in blocks of 16, 75 in blocks of 256, each block
# the longer to inflate for a `get`); URLs and titles of one source share their
# words. Deflating costs ~7 µs an article (0.29 s of 15.7 s adding 40k articles);
# `dedup batch` of the 10k bench corpus inflated 482 blocks.
BLOCK = 32
_US = timedelta(microseconds=1)


class _Interned:
    """Values shared by many rows, each stored once: value <-> code (0 is None)."""

    __slots__ = ("values", "code_of")

    def __init__(self) -> None:
        self.values: list[Any] = [None]
        self.code_of: dict[Hashable, int] = {None: 0}

    def code(self, value: Hashable) -> int:
        code = self.code_of.get(value)
        if code is None:
            code = self.code_of[value] = len(self.values)
            self.values.append(value)
        return code


class DocTable:
    """The `Doc` of each slot, in columns (see the module docstring).

    Slots are appended in order; a removed slot stays (``live`` false) until
    ``keep`` renumbers the live ones.
    """

    def __init__(self) -> None:
        self._n = 0
        # The arena: each slot's strings at `_start` in one byte string, of which the
        # first `_blocks` blocks of `BLOCK` slots are held deflated in `_packed` (block
        # b up to byte `_packed_end[b]`) and the rest, from byte `_tail_at`, as is.
        self._packed = bytearray()
        self._packed_end = array("q")
        self._blocks = 0
        self._tail = bytearray()
        self._tail_at = 0
        self._start = np.zeros(0, dtype=np.int64)  # each slot's first byte in the arena
        self._lengths = np.zeros((0, len(_TEXT)), dtype=np.int32)  # bytes; _NONE for None
        self._codes = np.zeros((0, len(_SHARED)), dtype=np.uint32)
        self._shared = [_Interned() for _ in _SHARED]
        self._wall = np.zeros(0, dtype=np.int64)  # published, wall clock, µs since 1970
        self._offset = np.zeros(0, dtype=np.int64)  # its UTC offset in µs (or a marker)
        self._arrival = np.zeros(0, dtype=np.int64)
        self._added = np.zeros(0, dtype=np.float64)
        self._live = np.zeros(0, dtype=bool)
        self._zones: dict[int, timezone] = {}  # the fixed-offset tzinfo of each offset seen
        self._flags = np.zeros(0, dtype=np.uint8)  # `attribution.rank_head`
        self._stamp = np.zeros(0, dtype=np.float64)

    def __len__(self) -> int:
        return self._n

    COLUMNS = ("_start", "_lengths", "_codes", "_wall", "_offset", "_arrival", "_added",
               "_live", "_flags", "_stamp")

    def _columns(self) -> tuple[str, ...]:
        return self.COLUMNS

    def live_column(self) -> np.ndarray:
        """Whether each slot is live (a view; slots beyond the table's are False)."""
        return self._live

    def _grow(self) -> None:
        extra = room(self._n, SLOT_ROOM)
        for name in self._columns():
            setattr(self, name, grown(getattr(self, name), extra))

    def append(self, doc: Doc) -> int:
        """Store ``doc`` in a new slot (its ``cluster`` is the store's to keep)."""
        return self.append_many([doc])[0]

    def append_many(self, docs: Sequence[Doc]) -> range:
        """Store ``docs`` in new slots, in order; returns the slots."""
        first, end = self._n, self._n + len(docs)
        while end > len(self._start):
            self._grow()
        arena, shared = self._tail, self._shared
        starts, lengths, codes, walls, offsets, heads = [], [], [], [], [], []
        for doc in docs:
            starts.append(self._tail_at + len(arena))
            row = []
            for value in (doc.id, doc.title, doc.url, doc.credit_text, doc.canonical,
                          doc.wire_evidence):
                if value is None:
                    row.append(_NONE)
                else:
                    raw = value.encode("utf-8", "surrogatepass")  # ids may hold lone surrogates
                    arena += raw
                    row.append(len(raw))
            lengths.append(row)
            codes.append([shared[0].code(doc.source), shared[1].code(doc.wire),
                          shared[2].code(doc.canonical_wire), shared[3].code(doc.extraction),
                          shared[4].code(doc.credited), shared[5].code(doc.mentions)])
            wall, offset = _date_columns(doc.published)
            walls.append(wall)
            offsets.append(offset)
            heads.append(rank_head(doc.wire, doc.url, doc.canonical, doc.credited,
                                   doc.published))
        if not docs:
            return range(first, end)
        self._start[first:end] = starts
        self._lengths[first:end] = lengths
        self._codes[first:end] = codes
        self._wall[first:end] = walls
        self._offset[first:end] = offsets
        self._arrival[first:end] = [doc.arrival for doc in docs]
        self._added[first:end] = [doc.added for doc in docs]
        self._flags[first:end] = [flags for flags, _ in heads]
        self._stamp[first:end] = [stamp for _, stamp in heads]
        self._live[first:end] = True
        self._n = end
        self._seal()
        return range(first, end)

    def _seal(self) -> None:
        """Deflate the whole blocks of slots the tail holds."""
        tail, cut = self._tail, 0
        while (self._blocks + 1) * BLOCK <= self._n:
            following = (self._blocks + 1) * BLOCK  # the next block's first slot
            end = int(self._start[following]) - self._tail_at if following < self._n \
                else len(tail)
            self._packed += zlib.compress(tail[cut:end])
            self._packed_end.append(len(self._packed))
            self._blocks += 1
            cut = end
        if cut:
            del tail[:cut]
            self._tail_at += cut

    def _pack(self, arena: bytes | bytearray) -> None:
        """Hold ``arena`` (all the slots' strings, as `_start` places them)."""
        self._packed, self._packed_end, self._blocks = bytearray(), array("q"), 0
        self._tail, self._tail_at = bytearray(arena), 0
        self._seal()

    def _strings(self, slot: int) -> tuple[bytes | bytearray, int]:
        """The bytes holding slot ``slot``'s strings (its block's, inflated, or the
        tail) and where in them its strings start."""
        block = slot // BLOCK
        if block >= self._blocks:
            return self._tail, int(self._start[slot]) - self._tail_at
        begin = self._packed_end[block - 1] if block else 0
        raw = zlib.decompress(self._packed[begin:self._packed_end[block]])
        return raw, int(self._start[slot]) - int(self._start[block * BLOCK])

    def _arena(self) -> bytes:
        """All the slots' strings, as `_start` places them."""
        ends = [0, *self._packed_end]
        return b"".join([zlib.decompress(self._packed[a:b])
                         for a, b in zip(ends[:-1], ends[1:], strict=True)]
                        + [bytes(self._tail)])

    def get(self, slot: int, cluster: int = 0) -> Doc:
        """Slot ``slot``'s `Doc` (a new object; changing it changes nothing stored)."""
        return self._doc(*self._strings(slot), self._lengths[slot].tolist(),
                         self._codes[slot].tolist(), int(self._offset[slot]),
                         int(self._wall[slot]), int(self._arrival[slot]),
                         float(self._added[slot]), cluster)

    def get_many(self, slots: Sequence[int], clusters: Sequence[int]) -> list[Doc]:
        """The `Doc` of each of ``slots`` in cluster ``clusters[i]`` (new objects),
        their columns read once for all of them."""
        rows = np.asarray(slots, dtype=np.int64)
        blocks: dict[int, tuple[bytes | bytearray, int]] = {}  # each inflated once

        def strings(slot: int) -> tuple[bytes | bytearray, int]:
            block = slot // BLOCK
            if block not in blocks:
                first = block * BLOCK
                raw, at = self._strings(first)
                blocks[block] = raw, int(self._start[first]) - at
            raw, base = blocks[block]
            return raw, int(self._start[slot]) - base

        return [self._doc(*strings(slot), *row) for slot, *row in zip(
            rows.tolist(), self._lengths[rows].tolist(),
            self._codes[rows].tolist(), self._offset[rows].tolist(), self._wall[rows].tolist(),
            self._arrival[rows].tolist(), self._added[rows].tolist(), clusters, strict=True)]

    def _doc(self, arena: bytes | bytearray, at: int, lengths: list[int], codes: list[int],
             offset: int, wall: int, arrival: int, added: float, cluster: int) -> Doc:
        """A `Doc` from one slot's column values (its strings at ``arena[at:]``)."""
        texts: list[str | None] = []
        for length in lengths:
            if length < 0:
                texts.append(None)
            else:
                texts.append(arena[at:at + length].decode("utf-8", "surrogatepass"))
                at += length
        ident, title, url, credit_text, canonical, evidence = texts
        shared = self._shared
        s, w, cw, ex, cr, mn = codes
        published = None if offset == _NO_DATE else _date(wall, offset, self._zones)
        return Doc(ident, title, url, shared[0].values[s], published, arrival,
                   shared[1].values[w], evidence, shared[4].values[cr] or (), credit_text,
                   shared[5].values[mn] or (), cluster, added, canonical, shared[2].values[cw],
                   shared[3].values[ex])

    def id(self, slot: int) -> str:
        """Slot ``slot``'s article id."""
        arena, at = self._strings(slot)
        length = int(self._lengths[slot, 0])
        return arena[at:at + length].decode("utf-8", "surrogatepass")

    def rank_head(self, slot: int) -> tuple[int, float]:
        """`attribution.rank_head` of slot ``slot``'s article, as computed when stored."""
        return int(self._flags[slot]), float(self._stamp[slot])

    def arrival(self, slot: int) -> int:
        return int(self._arrival[slot])

    def added(self, slot: int) -> float:
        return float(self._added[slot])

    def live(self, slot: int) -> bool:
        return slot < self._n and bool(self._live[slot])

    def kill(self, slot: int) -> None:
        """Mark ``slot`` removed (its bytes stay until ``keep``)."""
        self._live[slot] = False

    def keep(self, live: np.ndarray) -> None:
        """Keep only the slots ``live`` (ascending), renumbered ``0..len(live)-1``."""
        sizes = np.maximum(self._lengths[:self._n], 0).sum(axis=1)
        old, arena = self._arena(), bytearray()
        for start, size in zip(self._start[live].tolist(), sizes[live].tolist(), strict=True):
            arena += old[start:start + size]
        for name in self._columns():
            setattr(self, name, getattr(self, name)[live])
        kept = sizes[live]
        self._start = np.concatenate(([0], np.cumsum(kept)[:-1])).astype(np.int64) \
            if len(live) else np.zeros(0, dtype=np.int64)
        self._n = len(live)
        self._pack(arena)

    def parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The table as JSON-able state and arrays, for an index file's snapshot
        (`adopt` takes them back)."""
        n = self._n
        arrays = {name: getattr(self, name)[:n] for name in self._columns()}
        arrays["_arena"] = np.frombuffer(self._arena(), dtype=np.uint8)
        shared = [[list(v) if isinstance(v, tuple) else v for v in table.values[1:]]
                  for table in self._shared]
        return {"slots": n, "shared": shared}, arrays

    def adopt(self, state: dict[str, Any], arrays: dict[str, np.ndarray],
              arena: bytearray) -> None:
        """Take what `parts` gave; ``arrays`` may be longer than the slots (room to
        grow).

        Raises:
            ValueError: they do not fit together (a code or a string out of range).
        """
        n = int(state["slots"])
        shared = []
        for name, values in zip(_SHARED, state["shared"], strict=True):
            table = _Interned()
            for value in values:
                table.code(tuple(value) if name in ("credited", "mentions") else value)
            if len(table.values) != len(values) + 1:
                raise ValueError("shared values repeat")
            shared.append(table)
        columns = {name: arrays[name] for name in self._columns()}
        if any(len(a) < n for a in columns.values()):
            raise ValueError("metadata columns shorter than the slots")
        codes, lengths, start = columns["_codes"][:n], columns["_lengths"][:n], \
            columns["_start"][:n]
        limits = np.array([len(t.values) for t in shared])
        ends = start + np.maximum(lengths, 0).sum(axis=1)
        if n and ((codes >= limits).any() or (lengths < _NONE).any() or start.min() < 0
                  or ends.max() > len(arena)):
            raise ValueError("metadata codes or strings out of range")
        for name, column in columns.items():
            setattr(self, name, column)
        self._shared, self._n, self._zones = shared, n, {}
        self._pack(arena)

    @property
    def nbytes(self) -> int:
        """Bytes of the columns and the arena (the interned tables not counted)."""
        arena = len(self._packed) + len(self._tail) + 8 * len(self._packed_end)
        return arena + sum(getattr(self, name).nbytes for name in self._columns())


def _date_columns(published: datetime | None) -> tuple[int, int]:
    if published is None:
        return 0, _NO_DATE
    # the wall clock's microseconds since 1970, by integers (a timedelta's floor
    # division took ~4 times as long, per article)
    wall = (((published.toordinal() - _EPOCH_DAY) * 86400 + published.hour * 3600
             + published.minute * 60 + published.second) * 1_000_000 + published.microsecond)
    offset = published.utcoffset()
    return wall, _NAIVE if offset is None else offset // _US


def _date(wall: int, offset: int, zones: dict[int, timezone]) -> datetime:
    if offset == 0:  # every stamp an Article holds is UTC
        return _EPOCH_UTC + timedelta(microseconds=wall)
    moment = _EPOCH + timedelta(microseconds=wall)
    if offset == _NAIVE:
        return moment
    zone = zones.get(offset)
    if zone is None:
        zone = timezone(timedelta(microseconds=offset))  # UTC returned above
        if len(zones) < 4096:  # fewer UTC offsets than that are in use
            zones[offset] = zone
    return moment.replace(tzinfo=zone)
