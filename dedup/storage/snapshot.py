"""An index file's in-memory state as one file beside it, to reopen it fast.

The SQLite file is an index's durable record: a row per article, cluster and
chrome line, each with its checksum. Reading it back means building every
article's state again from its row (about 36 µs an article in Python: 36 s for
a million). So a store that is closed cleanly also writes what it holds in
memory — its numpy columns, the metadata columns and their byte arena, the band
tables' sorted runs, the chrome counts — to ``PATH-snapshot``, and the next open
reads those arrays straight back (a few reads of large blocks) when the
snapshot is of the file as it is now.

"As it is now": every commit to the file writes a new random ``generation``
token into its header (`SqliteStore.commit`), and a snapshot records the token
of the last commit it holds. A snapshot whose token is not the header's — the
process was killed after a commit, another dedup wrote the file, the file was
replaced — is not used: the rows are read, as before, and the store writes a new
snapshot when it is next closed. A snapshot is a cache: losing or deleting it
costs only time, never data.

Layout (all integers little-endian; no pickle): ``DEDUPSNP``, the layout version
(u32), a reserved u32, the length of the JSON head (u64) and its xxh3-64 (u64),
the JSON head (``generation``, ``state``: the store's scalars and small tables,
``parts``: per array its name, dtype, shape, offset and xxh3-64), then each
array's bytes at its offset (64-byte aligned). Every array is checked against
its checksum as it is read; a damaged snapshot is ``SnapshotDamaged``, which
the store answers by reading the rows.
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy as np
import orjson
import xxhash

MAGIC = b"DEDUPSNP"
LAYOUT = 6  # 2: the cluster table as (cluster of each slot, ids, originals); 3: the id map;
# 4: band tables keep 32-bit keys; 5: so do the stored passage keys; 6: 16-bit signature values
_HEAD = struct.Struct("<8sIIQQ")  # magic, layout, reserved, head length, head xxh3
_ALIGN = 64
_MAX_HEAD = 1 << 30
_DTYPES = frozenset({"|u1", "|b1", "<u2", "<u4", "<u8", "<i4", "<i8", "<f8"})


class SnapshotDamaged(ValueError):
    """A snapshot file that cannot be read back as it was written (the reason)."""


def snapshot_path(index_path: str) -> str:
    """Where the snapshot of the index file ``index_path`` lives."""
    return f"{index_path}-snapshot"


def _dtype_name(array: np.ndarray) -> str:
    return array.dtype.newbyteorder("<").str if array.dtype.byteorder == ">" else \
        array.dtype.str


def file_stamp(index_path: str) -> list[int] | None:
    """The index file as a snapshot records it: its size, modification time (ns)
    and inode; None while its write-ahead log holds anything (commits not yet in the
    file itself)."""
    try:
        if os.path.getsize(f"{index_path}-wal") > 0:
            return None
    except OSError:
        pass  # no log
    try:
        info = os.stat(index_path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def write(path: str, generation: str, stamp: list[int], state: Mapping[str, Any],
          parts: Mapping[str, np.ndarray], *, fsync: bool = False) -> int:
    """Write a snapshot to ``path`` atomically (a temporary file renamed over it);
    returns its size in bytes.

    Raises:
        OSError: the file could not be written (nothing is left behind).
    """
    arrays = {name: np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
              for name, a in parts.items()}
    listing, offset = [], 0
    for name, array in arrays.items():
        listing.append([name, _dtype_name(array), list(array.shape), offset, array.nbytes,
                        xxhash.xxh3_64_intdigest(memoryview(array).cast("B"))])
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    head = orjson.dumps({"generation": generation, "file": stamp, "state": state,
                         "parts": listing})
    start = -(-(_HEAD.size + len(head)) // _ALIGN) * _ALIGN
    folder, base = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{base}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(_HEAD.pack(MAGIC, LAYOUT, 0, len(head), xxhash.xxh3_64_intdigest(head)))
            out.write(head)
            out.write(b"\0" * (start - _HEAD.size - len(head)))
            for (_, _, _, _, nbytes, _), array in zip(listing, arrays.values(), strict=True):
                out.write(memoryview(array).cast("B"))
                out.write(b"\0" * (-(-nbytes // _ALIGN) * _ALIGN - nbytes))
            size = out.tell()
            if fsync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return size


class Snapshot:
    """An open snapshot file: its generation, its ``state`` and its arrays.

    Use as a context manager; ``array`` and ``read_into`` check each array's
    checksum as they read it.
    """

    def __init__(self, path: str, file: BinaryIO, generation: str, stamp: list[int],
                 state: dict[str, Any],
                 parts: dict[str, tuple[str, tuple[int, ...], int, int, int]], start: int,
                 size: int) -> None:
        self.path = path
        self.generation = generation
        self.stamp = stamp
        self.state = state
        self.size = size
        self._file = file
        self._parts = parts
        self._start = start

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def __contains__(self, name: str) -> bool:
        return name in self._parts

    def shape(self, name: str) -> tuple[int, ...]:
        return self._part(name)[1]

    def _part(self, name: str) -> tuple[str, tuple[int, ...], int, int, int]:
        try:
            return self._parts[name]
        except KeyError:
            raise SnapshotDamaged(f"no {name!r} array") from None

    def array(self, name: str, room: int = 0) -> np.ndarray:
        """The array ``name``, in memory of its own, with ``room`` zero rows after it
        (fresh zero pages, resident only once written: `arrays.grown`)."""
        dtype, shape, _, _, _ = self._part(name)
        out = np.zeros((shape[0] + room,) + shape[1:], dtype=np.dtype(dtype))
        self.read_into(name, out)
        return out

    def read_into(self, name: str, out: np.ndarray) -> None:
        """Read the array ``name`` into the first rows of ``out`` (C-contiguous, of its
        dtype and row shape, at least as many rows)."""
        dtype, shape, at, nbytes, digest = self._part(name)
        if (out.dtype != np.dtype(dtype) or out.shape[1:] != shape[1:] or not shape
                or len(out) < shape[0] or not out.flags.c_contiguous):
            raise SnapshotDamaged(f"array {name!r} does not fit where it goes")
        view = memoryview(out[:shape[0]]).cast("B")
        self._file.seek(self._start + at)
        if self._file.readinto(view) != nbytes:
            raise SnapshotDamaged(f"array {name!r} is cut short")
        if xxhash.xxh3_64_intdigest(view) != digest:
            raise SnapshotDamaged(f"array {name!r} fails its checksum")


def open_snapshot(path: str, generation: str | None, stamp: list[int] | None
                  ) -> Snapshot | None:
    """The snapshot at ``path`` if it holds ``generation`` of the file as ``stamp``
    finds it (`file_stamp`); None if there is none, or it is of another generation
    or of the file before something changed it (stale).

    Raises:
        SnapshotDamaged: it is not a snapshot dedup wrote, or is damaged.
    """
    if generation is None or stamp is None:
        return None
    try:
        file = open(path, "rb")  # noqa: SIM115 - handed to the Snapshot, which closes it
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotDamaged(f"cannot be read ({exc.strerror or exc})") from None
    try:
        size = os.fstat(file.fileno()).st_size
        raw = file.read(_HEAD.size)
        if len(raw) < _HEAD.size:
            raise SnapshotDamaged("too short")
        magic, layout, _, length, digest = _HEAD.unpack(raw)
        if magic != MAGIC:
            raise SnapshotDamaged("not a dedup snapshot")
        if layout != LAYOUT:
            raise SnapshotDamaged(f"layout {layout}, this dedup reads {LAYOUT}")
        if length > min(_MAX_HEAD, size):
            raise SnapshotDamaged("head too long")
        head = file.read(length)
        if len(head) != length or xxhash.xxh3_64_intdigest(head) != digest:
            raise SnapshotDamaged("head fails its checksum")
        meta = orjson.loads(head)
        if meta["generation"] != generation or meta["file"] != stamp:
            file.close()
            return None
        start = -(-(_HEAD.size + length) // _ALIGN) * _ALIGN
        parts = {}
        for name, dtype, shape, at, nbytes, part_digest in meta["parts"]:
            shape = tuple(int(d) for d in shape)
            if (dtype not in _DTYPES or any(d < 0 for d in shape)
                    or nbytes != int(np.prod(shape)) * np.dtype(dtype).itemsize
                    or not 0 <= at <= size - start - nbytes):
                raise SnapshotDamaged(f"array {name!r} is described wrongly")
            parts[name] = (dtype, shape, at, nbytes, part_digest)
        return Snapshot(path, file, generation, stamp, meta["state"], parts, start, size)
    except SnapshotDamaged:
        file.close()
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, OSError) as exc:
        file.close()
        raise SnapshotDamaged(f"its head is damaged ({exc})") from None
