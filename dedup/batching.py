"""A batch in chunks: the text stages here or in worker processes, and the
candidate pairs within a chunk.

``Index.add_many`` cuts a batch into chunks of ``CHUNK`` articles. The text
stages (`dedup.prepare.Preparer`) hold no index state, so ``jobs`` worker
processes can run them while the index stays in the calling process;
:func:`prepared_chunks` keeps a few chunks in flight, never the whole batch.
A chunk's articles are not in the index's band tables while the chunk is
placed, so :func:`earlier_in_chunk` finds the pairs among them.
"""

from __future__ import annotations

import multiprocessing
import threading
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


def chrome_observations(preparer: Preparer, chunks: list[Chunk], jobs: int, *,
                        warm: int = 0) -> list[list[Observation]]:
    """What every text of ``chunks`` tells the site-chrome rule (`Preparer.observe`).

    Args:
        warm: articles :func:`prepared_chunks` will prepare next in ``jobs``
            processes; while the workers read short lines, this process loads
            the compiled kernels (`Preparer.warm`) for the workers to inherit.
    """
    if jobs <= 1 or len(chunks) <= 1:
        return [preparer.observe(*c) for c in chunks]
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(preparer.config, preparer.wires)) as pool:
        keys = pool.map(_worker_chrome, chunks)  # the workers are forked by now
        if not (warm and _forked()):
            return list(keys)
        failed: list[BaseException] = []
        warming = threading.Thread(target=_warm, args=(preparer, warm, failed), daemon=True)
        warming.start()
        try:
            return list(keys)
        finally:
            warming.join()
            if failed:
                raise failed[0]


def _warm(preparer: Preparer, docs: int, failed: list[BaseException]) -> None:
    try:
        preparer.warm(docs)
    except BaseException as exc:  # re-raised in the calling thread
        failed.append(exc)


def prepared_chunks(preparer: Preparer, chunks: list[Chunk], chrome: frozenset[int],
                    jobs: int) -> Iterator[Prepared]:
    """``Preparer.run`` on each chunk of texts, in order, in ``jobs`` processes.

    With the ``fork`` start method the workers inherit this process's compiled
    kernels, loaded once here (`Preparer.warm`; in the background of
    :func:`chrome_keys` when it ran first) instead of once per worker: ~1 s of
    CPU saved per worker, and kernels even for a worker's share too small to
    pay for loading them itself.
    """
    total = sum(len(texts) for texts, _ in chunks)
    if jobs <= 1 or len(chunks) <= 1:
        preparer.expect(total)
        for texts, sites in chunks:
            yield preparer.run(texts, chrome, sites)
        return
    engine = "numba" if _forked() and preparer.warm(total) else None
    share = total // jobs  # what each worker will see, about
    # The chrome set goes to each worker once (it is fixed for the batch), not with
    # every chunk: ~220 KB pickled per chunk at 22,000 chrome lines.
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(preparer.config, preparer.wires, share, engine, chrome)
                             ) as pool:
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


def _forked() -> bool:
    """Are workers forked (Linux's default before Python 3.14)? They then start
    with this process's memory, compiled kernels included."""
    method = multiprocessing.get_start_method(allow_none=True)
    return (method or multiprocessing.get_all_start_methods()[0]) == "fork"

_worker_preparer: Preparer | None = None  # per worker process, set by its initializer
_worker_chrome_set: frozenset[int] = frozenset()


def _init_worker(config: Config, wires: WireRegistry, share: int = 0,
                 engine: str | None = None, chrome: frozenset[int] = frozenset()) -> None:
    global _worker_preparer, _worker_chrome_set
    _worker_preparer = Preparer(config, wires, engine or "auto")
    _worker_chrome_set = chrome
    if engine is None:
        _worker_preparer.expect(share, only=True)


def _worker_prepare(chunk: Chunk) -> Prepared:
    return _worker_preparer.run(chunk[0], _worker_chrome_set, chunk[1])


def _worker_chrome(chunk: Chunk) -> list[Observation]:
    return _worker_preparer.observe(*chunk)
