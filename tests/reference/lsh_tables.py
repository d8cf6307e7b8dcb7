"""The LSH band keys and band table as dedup 0.2 implemented them in numpy: the
reference ``dedup._core.band_keys`` and ``dedup._core.BandTable`` are held to
(tests/test_lsh.py: the same keys bit for bit, the same candidates). Not part of
the product.

Each signature is cut into ``bands`` bands of ``rows`` values; each band is
hashed to one 64-bit key (band number mixed in), so all bands share one flat
table. The table is a few sorted numpy runs (merged geometrically, as in an
LSM tree) plus a small dict for the newest entries: ~12 bytes per band entry
(252 B per article at 21 bands) instead of ~100 B in a dict of sets, and one
``searchsorted`` per run answers a whole chunk of queries. A table holds each
``(key, slot)`` entry once, and a query can take only the ``cap`` lowest slots
(the earliest articles) that have a key.
"""

from __future__ import annotations

import numpy as np

from dedup.lsh import lowest_per_key

_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)
_ROW_MULT = np.array([(0xC2B2AE3D27D4EB4F * (2 * i + 1)) % 2**64 | 1 for i in range(64)],
                     dtype=np.uint64)
_BUFFER_LIMIT = 1 << 14  # entries kept in the dict before they become a sorted run
_RUN_MIN = 256  # inserts at least this big go straight to a sorted run


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Hash each band of each signature: ``(n, num_perm)`` → ``(n, bands)`` uint64."""
    n = sigs.shape[0]
    cut = sigs[:, :bands * rows].astype(np.uint64).reshape(n, bands, rows)
    keys = (cut * _ROW_MULT[np.arange(rows) % 64]).sum(axis=2, dtype=np.uint64)
    keys += (np.arange(bands, dtype=np.uint64) + np.uint64(1)) * _BAND_SALT
    keys ^= keys >> np.uint64(31)
    keys *= np.uint64(0xBF58476D1CE4E5B9)
    keys ^= keys >> np.uint64(29)
    return keys


class BandTable:
    """Maps band keys to the slots (internal document numbers) that have them."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._buffer: dict[int, list[int]] = {}
        self._buffered = 0
        self._dead = np.zeros(0, dtype=bool)
        self._dead_count = 0

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self._runs) + self._buffered

    def nbytes(self) -> int:
        """Bytes held by the sorted runs (the dict buffer is bounded and small)."""
        return sum(k.nbytes + s.nbytes for k, s in self._runs) + self._dead.nbytes

    def insert(self, slots: np.ndarray, keys: np.ndarray) -> None:
        """Add documents ``slots`` with their ``(len(slots), bands)`` keys (the
        rows of one slot next to each other; a key repeated for a slot is kept once)."""
        if len(slots) * keys.shape[1] >= _RUN_MIN:
            flat_slots = np.repeat(slots.astype(np.uint32), keys.shape[1])
            self._add_run(keys.ravel(), flat_slots)
            return
        for slot, row in zip(slots.tolist(), keys.tolist(), strict=False):
            for key in row:
                bucket = self._buffer.get(key)
                if bucket is None:
                    self._buffer[key] = [slot]
                elif bucket[-1] != slot:  # a slot's entries come together: once each
                    bucket.append(slot)
                else:
                    continue
                self._buffered += 1
        if self._buffered >= _BUFFER_LIMIT:
            self._flush()

    def discard(self, slots: np.ndarray) -> None:
        """Forget documents; their entries are dropped at the next merge."""
        if len(slots) == 0:
            return
        top = int(np.max(slots)) + 1
        if top > len(self._dead):
            grow = max(top - len(self._dead), len(self._dead))
            self._dead = np.concatenate((self._dead, np.zeros(grow, dtype=bool)))
        fresh = ~self._dead[slots]
        self._dead[slots] = True
        self._dead_count += int(fresh.sum())

    def query(self, keys: np.ndarray, cap: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Candidates of several documents at once.

        Args:
            keys: ``(m, bands)`` keys of the documents asking.
            cap: when > 0, each key finds at most its ``cap`` lowest live slots.

        Returns:
            ``(rows, slots)``: pairs of asking row and stored slot that share at
            least one band (may repeat a pair; the caller deduplicates).
        """
        m, bands = keys.shape
        flat = keys.ravel()
        if cap:  # ask key by key, keep each key's lowest slots, map back to rows
            needles, slots = self.query(flat.reshape(-1, 1))
            keep = lowest_per_key(needles, slots, cap)
            return needles[keep] // bands, slots[keep]
        row_of = np.repeat(np.arange(m), bands)
        out_rows, out_slots = [], []
        if self._runs:
            # Sorted needles walk each run in order (2-3x faster on a large table);
            # most keys are absent, so the upper bound is searched for hits only.
            order = np.argsort(flat)
            needles, needle_rows = flat[order], row_of[order]
        for run_keys, run_slots in self._runs:
            lo = np.searchsorted(run_keys, needles, side="left")
            inside = lo < len(run_keys)
            hit = np.zeros(len(needles), dtype=bool)
            hit[inside] = run_keys[lo[inside]] == needles[inside]
            if not hit.any():
                continue
            lo, rows = lo[hit], needle_rows[hit]
            counts = np.searchsorted(run_keys, needles[hit], side="right") - lo
            starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
            idx = starts + np.arange(int(counts.sum()))
            out_rows.append(np.repeat(rows, counts))
            out_slots.append(run_slots[idx])
        if self._buffer:
            for row, key in zip(row_of.tolist(), flat.tolist(), strict=False):
                bucket = self._buffer.get(key)
                if bucket:
                    out_rows.append(np.full(len(bucket), row))
                    out_slots.append(np.array(bucket, dtype=np.uint32))
        if not out_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
        rows_arr = np.concatenate(out_rows).astype(np.int64)
        slots_arr = np.concatenate(out_slots).astype(np.uint32)
        if self._dead_count:
            alive = slots_arr >= len(self._dead)
            alive |= ~self._dead[np.minimum(slots_arr, len(self._dead) - 1)]
            rows_arr, slots_arr = rows_arr[alive], slots_arr[alive]
        return rows_arr, slots_arr

    def _flush(self) -> None:
        if not self._buffer:
            return
        keys = np.fromiter(self._buffer.keys(), dtype=np.uint64, count=len(self._buffer))
        lengths = np.fromiter((len(v) for v in self._buffer.values()), dtype=np.int64,
                              count=len(self._buffer))
        slots = np.fromiter((s for v in self._buffer.values() for s in v), dtype=np.uint32,
                            count=int(lengths.sum()))
        self._buffer, self._buffered = {}, 0
        self._add_run(np.repeat(keys, lengths), slots)

    def _add_run(self, keys: np.ndarray, slots: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        # A slot's entries come together, so a repeated (key, slot) is adjacent here.
        once = np.concatenate(([True], (keys[1:] != keys[:-1]) | (slots[1:] != slots[:-1])))
        if not once.all():
            keys, slots = keys[once], slots[once]
        self._runs.append((keys, slots))
        # Keep run sizes geometric: merge while the newer run is at least a
        # quarter of the one before it (each entry is merged O(log n) times).
        while len(self._runs) > 1 and 4 * len(self._runs[-1][0]) >= len(self._runs[-2][0]):
            newer_keys, newer_slots = self._runs.pop()
            older_keys, older_slots = self._runs.pop()
            keys = np.concatenate((older_keys, newer_keys))
            slots = np.concatenate((older_slots, newer_slots))
            if self._dead_count:
                alive = slots >= len(self._dead)
                alive |= ~self._dead[np.minimum(slots, len(self._dead) - 1)]
                keys, slots = keys[alive], slots[alive]
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], slots[order]))
