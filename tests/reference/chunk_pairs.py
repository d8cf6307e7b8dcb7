"""The candidate pairs within a chunk as dedup computed them in numpy before the
core did (src/chunk_pairs.rs, through dedup.batching.earlier_in_chunk): the
reference tests/test_index.py holds the core to, pair for pair and in order. Not
part of the product.
"""

from __future__ import annotations

import numpy as np

from dedup.batching import by_row
from dedup.lsh import run_starts


def earlier_in_chunk(keys: np.ndarray, passage_rows: np.ndarray, passage_keys: np.ndarray,
                     room: np.ndarray | None = None, placed: np.ndarray | None = None
                     ) -> list[np.ndarray]:
    """Per row of a chunk, the earlier rows that share a band or passage key (the
    arguments are `dedup.batching.earlier_in_chunk`'s)."""
    n = keys.shape[0]
    if n <= 1:  # one article (an add): no earlier row
        return [np.zeros(0, dtype=np.int64)] * n
    rows = np.concatenate((np.repeat(np.arange(n), keys.shape[1]),
                           np.repeat(passage_rows, passage_keys.shape[1])))
    flat = np.concatenate((keys.ravel(), passage_keys.ravel()))
    unlimited = np.full(keys.size, n, dtype=np.int64)
    limit = np.concatenate((unlimited, np.full(passage_keys.size, n, dtype=np.int64)
                            if room is None else np.clip(room, 0, n)))
    if placed is not None:
        mine = placed[rows]
        rows, flat, limit = rows[mine], flat[mine], limit[mine]
    order = np.lexsort((rows, flat))
    flat, rows, limit = flat[order], rows[order], limit[order]
    once = np.ones(len(flat), dtype=bool)
    once[1:] = (flat[1:] != flat[:-1]) | (rows[1:] != rows[:-1])
    flat, rows, limit = flat[once], rows[once], limit[once]
    # Every entry pairs with the first `limit` entries of its run of equal keys
    # that come before it (rows ascending, each row once).
    run_start = run_starts(flat)
    before = np.minimum(np.arange(len(flat)) - run_start, limit)
    total = int(before.sum())
    later = np.repeat(np.arange(len(flat)), before)
    first = np.repeat(run_start, before)
    earlier = first + np.arange(total) - np.repeat(np.cumsum(before) - before, before)
    return by_row(rows[later], rows[earlier], n)
