"""A batch in chunks: the text stages here or in worker processes, and the
candidate pairs within a chunk.

``Index.add_many`` cuts a batch into chunks of ``CHUNK`` articles. Learning the
site chrome is compiled, so it runs on ``jobs`` threads of the core. The text
stages (`dedup.prepare.Preparer`) hold no index state and their credit rules are
Python, so ``jobs`` worker processes run them while the index stays in the calling process;
:func:`prepared_chunks` keeps a few chunks in flight, never the whole batch.
A chunk's articles are not in the index's band tables while the chunk is
placed, so :func:`earlier_in_chunk` finds the pairs among them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from .chrome import Observation
from .config import Config
from .lsh import run_starts
from .prepare import Prepared, Preparer
from .wires import WireRegistry

CHUNK = 512


def by_row(rows: np.ndarray, values: np.ndarray, count: int) -> list[np.ndarray]:
    """``values`` split by asking row (``rows`` in ``range(count)``)."""
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1))
    values = values[order]
    return [values[bounds[i]:bounds[i + 1]] for i in range(count)]


def earlier_in_chunk(keys: np.ndarray, passage_rows: np.ndarray, passage_keys: np.ndarray,
                     room: np.ndarray | None = None, placed: np.ndarray | None = None
                     ) -> list[np.ndarray]:
    """Per row of a chunk, the earlier rows that share a band or passage key.

    Args:
        keys: ``(n, bands)`` whole-text band keys of the chunk's rows.
        passage_rows: the row of each line of ``passage_keys``.
        passage_keys: ``(m, PASSAGE_BANDS)`` passage band keys.
        room: per passage key (``passage_keys.ravel()``), how many of the
            earliest rows having it are found by it (None: all).
        placed: the rows that will be stored (None: all); the others neither
            find nor are found.
    """
    n = keys.shape[0]
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


Chunk = tuple[list[str], list[int]]  # raw texts and their `chrome.site_key`s


def chrome_observations(preparer: Preparer, chunks: list[Chunk], jobs: int
                        ) -> list[list[Observation]]:
    """What every text of ``chunks`` tells the site-chrome rule (`Preparer.observe`),
    on ``jobs`` threads: the rule is compiled, so no worker processes are needed."""
    return [preparer.observe(texts, sites, threads=jobs) for texts, sites in chunks]


def prepared_chunks(preparer: Preparer, chunks: list[Chunk], chrome: frozenset[int],
                    jobs: int) -> Iterator[Prepared]:
    """``Preparer.run`` on each chunk of texts, in order, in ``jobs`` processes.

    The credit and chrome rules are Python and hold the GIL, so chunks go to
    worker processes; the core's part of each runs without the GIL.
    """
    if jobs <= 1 or len(chunks) <= 1:
        for texts, sites in chunks:
            yield preparer.run(texts, chrome, sites)
        return
    # The chrome set goes to each worker once (it is fixed for the batch), not with
    # every chunk: ~220 KB pickled per chunk at 22,000 chrome lines.
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(preparer.config, preparer.wires, chrome)) as pool:
        # A few chunks ahead of the indexing, not all of them: the texts in flight
        # and the fingerprints waiting stay bounded however large the batch.
        waiting: deque[Future[Prepared]] = deque()
        for chunk in chunks:
            waiting.append(pool.submit(_worker_prepare, chunk))
            if len(waiting) > 2 * jobs:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


# -- worker processes -------------------------------------------------------------

_worker_preparer: Preparer | None = None  # per worker process, set by its initializer
_worker_chrome_set: frozenset[int] = frozenset()


def _init_worker(config: Config, wires: WireRegistry,
                 chrome: frozenset[int] = frozenset()) -> None:
    global _worker_preparer, _worker_chrome_set
    _worker_preparer = Preparer(config, wires)
    _worker_chrome_set = chrome


def _worker_prepare(chunk: Chunk) -> Prepared:
    return _worker_preparer.run(chunk[0], _worker_chrome_set, chunk[1])
