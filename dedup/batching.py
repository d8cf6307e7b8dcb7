"""A batch in chunks: the text stages on the core's threads, and the candidate
pairs within a chunk.

``Index.add_many`` cuts a batch into chunks of ``CHUNK`` articles. Learning the
site chrome and the text stages (`dedup.prepare.Preparer`: credits, chrome,
fingerprints) are compiled and hold no index state, so they run on ``jobs``
threads of the core with the GIL released, while this thread places the previous
chunk in the index: :func:`prepared_chunks` keeps a few chunks in flight, never
the whole batch. No worker processes, nothing pickled.
A chunk's articles are not in the index's band tables while the chunk is
placed, so :func:`earlier_in_chunk` finds the pairs among them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from . import _core
from .chrome import Observation, site_key
from .prepare import Prepared, Preparer
from .records import Article

CHUNK = 512
T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), read as asked for."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def by_row(rows: np.ndarray, values: np.ndarray, count: int) -> list[np.ndarray]:
    """``values`` split by asking row (``rows`` in ``range(count)``)."""
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1))
    values = values[order]
    return [values[bounds[i]:bounds[i + 1]] for i in range(count)]


def flat(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``arrays`` as one array and offsets: array ``i`` is
    ``values[offsets[i]:offsets[i + 1]]``."""
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    values = np.concatenate(arrays) if len(arrays) else np.zeros(0, dtype=np.int64)
    return values, offsets


def earlier_in_chunk(keys: np.ndarray, passage_rows: np.ndarray, passage_keys: np.ndarray,
                     room: np.ndarray | None = None, placed: np.ndarray | None = None
                     ) -> list[np.ndarray]:
    """Per row of a chunk, the earlier rows that share a band or passage key (in the
    core: src/chunk_pairs.rs).

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
    values, offsets = _core.earlier_in_chunk(
        np.ascontiguousarray(keys, dtype=np.uint64),
        np.ascontiguousarray(passage_rows, dtype=np.int64),
        np.ascontiguousarray(passage_keys, dtype=np.uint64),
        None if room is None else np.ascontiguousarray(room, dtype=np.int64),
        None if placed is None else np.ascontiguousarray(placed, dtype=bool))
    bounds = offsets.tolist()
    return [values[bounds[i]:bounds[i + 1]] for i in range(n)]


Chunk = tuple[list[str], list[int]]  # raw texts and their `chrome.site_key`s


def sites(articles: Iterable[Article]) -> list[int]:
    """The `chrome.site_key` of each article (site chrome is learnt per site)."""
    return [site_key(a.source, a.url) for a in articles]


def chrome_observation(preparer: Preparer, articles: Sequence[Article], jobs: int
                       ) -> list[Observation]:
    """What every text of a chunk tells the site-chrome rule (`Preparer.observe`),
    on ``jobs`` threads: the rule is compiled, so no worker processes are needed."""
    return preparer.observe([a.text for a in articles], sites(articles), threads=jobs)


def ahead(work: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """``work`` of each of ``items``, in order. With ``jobs`` > 1 a background thread
    does the work (compiled, the GIL released) while the caller reads the next items
    and uses the results: a couple of items ahead, never all of them, so what is in
    flight stays bounded however long ``items`` is."""
    if jobs <= 1:
        for item in items:
            yield work(item)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="dedup-ahead") as pool:
        waiting: deque[Future[R]] = deque()
        try:
            for item in items:  # read on the caller's thread
                waiting.append(pool.submit(work, item))
                if len(waiting) > 2:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            for future in waiting:  # the caller stopped early (an error, a closed generator)
                future.cancel()


def observed_chunks(preparer: Preparer, chunks: Iterable[Sequence[Article]], jobs: int
                    ) -> Iterator[list[Observation]]:
    """`chrome_observation` of each chunk, in order, on ``jobs`` threads; with ``jobs``
    > 1 the next chunks are read (parsed, parked) while one is observed."""
    return ahead(lambda chunk: chrome_observation(preparer, chunk, jobs), chunks, jobs)


def prepared_chunks(preparer: Preparer, chunks: Iterable[Chunk], chrome: frozenset[int],
                    jobs: int) -> Iterator[Prepared]:
    """``Preparer.run`` on each chunk of texts, in order, on ``jobs`` threads.

    With ``jobs`` > 1 a background thread prepares the next chunks (the core spreads
    each over ``jobs`` threads, the GIL released) while the caller places the one
    yielded; the answers are those of one thread, chunk for chunk.
    """
    return ahead(lambda chunk: preparer.run(chunk[0], chrome, chunk[1], threads=jobs),
                 chunks, jobs)
