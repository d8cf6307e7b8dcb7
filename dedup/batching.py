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
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from .config import Config
from .prepare import Prepared, Preparer
from .wires import WireRegistry

CHUNK = 512


def by_row(rows: np.ndarray, values: np.ndarray, count: int) -> list[np.ndarray]:
    """``values`` split by asking row (``rows`` in ``range(count)``)."""
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1))
    values = values[order]
    return [values[bounds[i]:bounds[i + 1]] for i in range(count)]


def earlier_in_chunk(keys: np.ndarray, passage_rows: np.ndarray, passage_keys: np.ndarray
                     ) -> list[np.ndarray]:
    """Per row of a chunk, the earlier rows that share a band or passage key.

    Args:
        keys: ``(n, bands)`` whole-text band keys of the chunk's rows.
        passage_rows: the row of each line of ``passage_keys``.
        passage_keys: ``(m, PASSAGE_BANDS)`` passage band keys.
    """
    n = keys.shape[0]
    rows = np.concatenate((np.repeat(np.arange(n), keys.shape[1]),
                           np.repeat(passage_rows, passage_keys.shape[1])))
    flat = np.concatenate((keys.ravel(), passage_keys.ravel()))
    order = np.lexsort((rows, flat))
    flat, rows = flat[order], rows[order]
    # Every entry pairs with the entries before it in its run of equal keys.
    new_run = np.concatenate(([True], flat[1:] != flat[:-1]))
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(len(flat)), 0))
    before = np.arange(len(flat)) - run_start
    total = int(before.sum())
    later = np.repeat(np.arange(len(flat)), before)
    first = np.repeat(run_start, before)
    earlier = first + np.arange(total) - np.repeat(np.cumsum(before) - before, before)
    later_rows, earlier_rows = rows[later], rows[earlier]
    keep = earlier_rows < later_rows
    return by_row(later_rows[keep], earlier_rows[keep], n)


def chrome_keys(preparer: Preparer, chunks: list[list[str]], jobs: int, *,
                warm: int = 0) -> list[list[set[int]]]:
    """Short-line keys of every text of ``chunks`` (for learning site chrome).

    Args:
        warm: articles :func:`prepared_chunks` will prepare next in ``jobs``
            processes; while the workers read short lines, this process loads
            the compiled kernels (`Preparer.warm`) for the workers to inherit.
    """
    if jobs <= 1 or len(chunks) <= 1:
        return [preparer.chrome_keys(c) for c in chunks]
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


def prepared_chunks(preparer: Preparer, chunks: list[list[str]], chrome: frozenset[int],
                    jobs: int) -> Iterator[Prepared]:
    """``Preparer.run`` on each chunk of texts, in order, in ``jobs`` processes.

    With the ``fork`` start method the workers inherit this process's compiled
    kernels, loaded once here (`Preparer.warm`; in the background of
    :func:`chrome_keys` when it ran first) instead of once per worker: ~1 s of
    CPU saved per worker, and kernels even for a worker's share too small to
    pay for loading them itself.
    """
    total = sum(len(c) for c in chunks)
    if jobs <= 1 or len(chunks) <= 1:
        preparer.expect(total)
        for texts in chunks:
            yield preparer.run(texts, chrome)
        return
    engine = "numba" if _forked() and preparer.warm(total) else None
    share = total // jobs  # what each worker will see, about
    with ProcessPoolExecutor(jobs, initializer=_init_worker,
                             initargs=(preparer.config, preparer.wires, share, engine)) as pool:
        # A few chunks ahead of the indexing, not all of them: the texts in flight
        # and the fingerprints waiting stay bounded however large the batch.
        waiting: deque[Future[Prepared]] = deque()
        for texts in chunks:
            waiting.append(pool.submit(_worker_prepare, (texts, chrome)))
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


def _init_worker(config: Config, wires: WireRegistry, share: int = 0,
                 engine: str | None = None) -> None:
    global _worker_preparer
    _worker_preparer = Preparer(config, wires, engine or "auto")
    if engine is None:
        _worker_preparer.expect(share, only=True)


def _worker_prepare(work: tuple[Sequence[str], frozenset[int]]) -> Prepared:
    texts, chrome = work
    return _worker_preparer.run(texts, chrome)


def _worker_chrome(texts: list[str]) -> list[set[int]]:
    return _worker_preparer.chrome_keys(texts)
