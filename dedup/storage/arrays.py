"""Growing numpy arrays of the memory store: per-slot ragged arrays and the
cluster-id → original-slot map.

Kept apart from ``dedup.storage.store`` to keep it short; ``MemoryStore`` holds them.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def room(size: int, least: int) -> int:
    """How much a growing array of ``size`` rows grows by: a quarter of it, at least
    ``least`` (the one growth rule of the store's arrays, also for the room an
    opened index file is given)."""
    return max(least, size // 4)


def grown(array: np.ndarray, extra: int) -> np.ndarray:
    """``array`` with ``extra`` zero rows after it, in a new array.

    The new array comes from ``np.zeros`` (calloc: a large block is fresh zero pages,
    resident only once written) and the old rows are copied in, so the room not yet
    used costs address space, not memory; ``np.concatenate`` with a block of zeros
    would write, and so make resident, every byte of the room at once.
    """
    out = np.zeros((len(array) + extra,) + array.shape[1:], dtype=array.dtype)
    out[:len(array)] = array
    return out


SLOT_ROOM = 1024  # fewest slots the store's columns grow by
DATA_ROOM = 1 << 14  # fewest values a ragged buffer grows by


def pieces(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``values[starts[i]:starts[i] + lengths[i]]`` for each ``i``, concatenated."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return values[np.repeat(starts - (ends - lengths), lengths) + np.arange(total)]


def cut(values: np.ndarray, offsets: np.ndarray, rows: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray]:
    """The pieces ``values[offsets[r]:offsets[r + 1]]`` of ``rows``, concatenated,
    and their lengths."""
    starts, lengths = offsets[rows], offsets[rows + 1] - offsets[rows]
    return pieces(values, starts, lengths), lengths


class Ragged:
    """A variable-length array per slot, all in one growing numpy buffer.

    Args:
        dtype: the element type.
    """

    def __init__(self, dtype: Any) -> None:
        self.data = np.zeros(0, dtype=dtype)
        self.used = 0
        self.start = np.zeros(0, dtype=np.int64)
        self.length = np.zeros(0, dtype=np.int64)

    def get(self, slot: int) -> np.ndarray:
        """Slot ``slot``'s array (a view)."""
        start = int(self.start[slot])
        return self.data[start:start + int(self.length[slot])]

    def gather(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The arrays of ``slots`` concatenated, and their lengths."""
        lengths = self.length[slots]
        return pieces(self.data, self.start[slots], lengths), lengths

    def grow(self, extra: int) -> None:
        """Room for ``extra`` more slots."""
        self.start, self.length = grown(self.start, extra), grown(self.length, extra)

    def put(self, slot: int, values: np.ndarray) -> None:
        """Set slot ``slot``'s array (appended to the buffer)."""
        self.put_many(slot, values, np.array([len(values)], dtype=np.int64))

    def put_many(self, first: int, values: np.ndarray, lengths: np.ndarray) -> None:
        """Set slots ``first, first + 1, ...`` to ``values`` cut by ``lengths`` (as
        `put` of each, appended to the buffer in order)."""
        total = len(values)
        if self.used + total > len(self.data):
            self.data = grown(self.data, max(room(len(self.data), DATA_ROOM), total))
        self.data[self.used:self.used + total] = values
        n = len(lengths)
        self.length[first:first + n] = lengths
        self.start[first:first + n] = self.used + np.cumsum(lengths) - lengths
        self.used += total

    def load(self, data: np.ndarray, lengths: np.ndarray) -> None:
        """Set the first ``len(lengths)`` slots from their concatenated arrays."""
        n = len(lengths)
        # with room for more, as put would grow it: the first put after opening an
        # index file then copies nothing
        self.data = grown(data.astype(self.data.dtype, copy=False), room(len(data), DATA_ROOM))
        self.used = len(data)
        self.length[:n] = lengths
        self.start[:n] = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else lengths

    def keep(self, live: np.ndarray) -> None:
        """Keep only the slots ``live``, renumbered ``0..len(live)-1``."""
        starts, lengths = self.start[live], self.length[live]
        data = np.concatenate([self.data[s:s + n] for s, n in
                               zip(starts.tolist(), lengths.tolist(), strict=True)]
                              or [np.zeros(0, dtype=self.data.dtype)])
        self.load(data, lengths)
        self.start, self.length = self.start[:len(live)], self.length[:len(live)]

    def parts(self, n: int) -> dict[str, np.ndarray]:
        """Slots ``0..n-1`` as arrays, for an index file's snapshot (`adopt` takes them)."""
        return {"data": self.data[:self.used], "start": self.start[:n],
                "length": self.length[:n]}

    def adopt(self, data: np.ndarray, used: int, start: np.ndarray, length: np.ndarray,
              n: int) -> None:
        """Take the arrays `parts` gave as this buffer: ``data``'s first ``used`` values,
        ``n`` slots (the arrays may be longer: room to grow).

        Raises:
            ValueError: a slot's values lie outside ``data[:used]``.
        """
        starts, lengths = start[:n], length[:n]
        if n and (starts.min() < 0 or lengths.min() < 0 or (starts + lengths).max() > used):
            raise ValueError("a slot's values lie outside the buffer")
        if used > len(data) or n > min(len(start), len(length)):
            raise ValueError("a buffer shorter than it is used")
        self.data, self.used, self.start, self.length = data, used, start, length

    @property
    def nbytes(self) -> int:
        return self.data.nbytes + self.start.nbytes + self.length.nbytes
