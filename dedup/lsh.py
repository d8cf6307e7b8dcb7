"""LSH band tables: signatures in, candidate documents out.

Each signature is cut into ``bands`` bands of ``rows`` values; each band is hashed
to one 64-bit key (band number mixed in), so all bands share one flat table. The
table (``BandTable``, compiled: src/lsh.rs) is a few runs sorted by (key, slot) and
merged geometrically, as in an LSM tree: 8 bytes per entry and a directory byte,
6 and a byte in a run of 2^17 entries or more, which keeps only the key bits below its
directory's (~140 B per article at 21 bands; a table keeps a key's top 32 bits, and the rare
stranger sharing them is turned away by verification), one call per chunk of queries
with the GIL released, readers sharing it with one writer. A table holds each
``(key, slot)`` entry of an insert once, and a query can take only the ``cap``
lowest live slots (the earliest articles) that have a key.

The numpy helpers below serve the candidate search within a chunk
(`dedup.batching`) and the Redis backend.
"""

from __future__ import annotations

import numpy as np

from ._core import BandTable, band_keys

__all__ = ["BandTable", "band_keys", "lowest_per_key", "run_starts"]


def run_starts(values: np.ndarray) -> np.ndarray:
    """For each entry of the sorted ``values``, where its run of equal values starts."""
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))


def lowest_per_key(keys: np.ndarray, slots: np.ndarray, cap: int) -> np.ndarray:
    """Mask of the entries to keep so that each value of ``keys`` keeps only its
    ``cap`` lowest ``slots`` (the ``(key, slot)`` pairs are distinct)."""
    keep = np.ones(len(keys), dtype=bool)
    if not len(keys):
        return keep
    over = np.flatnonzero(np.bincount(keys)[keys] > cap)  # only these need sorting
    if len(over):
        over = over[np.lexsort((slots[over], keys[over]))]
        keep[over[np.arange(len(over)) - run_starts(keys[over]) >= cap]] = False
    return keep
