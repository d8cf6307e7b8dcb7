"""Giving freed heap memory back to the operating system (glibc's ``malloc_trim``).

The index grows its arrays and tables geometrically: each growth allocates the
new block and frees the old one. glibc keeps such freed blocks in its heap, and
its adaptive mmap threshold puts ever larger blocks there, so the resident size
of a growing index keeps a trail of free holes: measured on the bench corpus
(``bench.memory``, 20k -> 100k articles) ~850 B per article, a fifth of the
total. ``malloc_trim(0)`` returns the free pages of those holes. The call takes
2-4 ms at 60k articles, but pages given back are faulted in again when the heap
reuses them, so the index trims on a geometric schedule: when the articles
stored since the last trim reach a quarter of all it has stored (and at least
`TRIM_EVERY`), about ten trims up to 100k and one more per 25 % of growth after.
Measured on 10k -> 60k bench articles (/tmp A/B, six paired runs): resident
growth 4,380 -> 3,620 B/article, add_many 246 vs 258 µs/article (medians; the
runs spread by +-20 %). Dask's workers trim for the same reason. Elsewhere than
glibc (macOS, musl) there is no such call and nothing is done.

Trimming cannot give back a hole's pages while the heap reuses them, so the
index also keeps large blocks out of the heap (`map_large_blocks`): glibc starts
by serving blocks of 128 KiB and more by a memory map of their own, but raises
that threshold to the size of each such block freed (up to 32 MiB), after which
every growth copy of an array or table leaves its old block in the heap. Held at
128 KiB, a freed large block goes back whole and the room of a new one is
resident only once written. ``bench.memory`` (20k -> 100k, three runs each):
2,369-2,572 -> 1,984-1,999 B/article, the free heap's growth ~480 -> ~2 B/article,
and no time lost within the runs' spread (41.8-56.3 vs 42.9-53.5 s).

`collector_paused` holds off Python's cyclic garbage collector while a listing
makes its part of verdicts: tens of thousands of new lists and records, none of
them garbage, each 700 of which trigger a collection that also walks the objects
the caller holds (measured: a 100k-article listing took 60 µs/article with the
collector on and 36 with it off). Mercurial's ``util.nogc`` does the same.
`collector_paused_over` does it while a batch the caller holds whole (a sequence)
is learnt from and added: no code of the caller's runs meanwhile, so no garbage
cycle of its making waits (20k Reuters-based articles: 3 full and 280 young
collections, 127 ms, ~4 % of the run); an iterable is read as it is added, and
the collector stays on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext

TRIM_EVERY = 8192  # fewest stored articles between two trims
TRIM_GROWTH = 4  # ... and at least 1/TRIM_GROWTH of all stored so far


MAPPED_FROM = 128 * 1024  # bytes from which a block is mapped: glibc's first threshold
_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)


def _find(name: str, argtypes: list[type]) -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        function = getattr(libc, name)
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes, function.restype = argtypes, ctypes.c_int
    return function


# the C functions (constants of the platform), or None
_TRIM = _find("malloc_trim", [ctypes.c_size_t])
_MALLOPT = _find("mallopt", [ctypes.c_int, ctypes.c_int])


class Trimmer:
    """Counts stored articles and trims the heap when the store has grown enough.

    A trim comes when the articles stored since the last one reach ``every`` and
    a ``1/growth`` share of all stored so far.
    """

    __slots__ = ("every", "growth", "_since", "_total")

    def __init__(self, every: int = TRIM_EVERY, growth: int = TRIM_GROWTH) -> None:
        map_large_blocks()
        self.every = every
        self.growth = growth
        self._since = 0
        self._total = 0

    def stored(self, count: int) -> bool:
        """``count`` more articles were stored; returns whether the heap was trimmed."""
        self._since += count
        self._total += count
        if self._since < max(self.every, self._total // self.growth):
            return False
        self._since = 0
        return trim()


def map_large_blocks() -> bool:
    """Have glibc map every block of `MAPPED_FROM` bytes or more on its own from now
    on (its threshold kept from rising; see the module docstring); False where there
    is no way, or where the process chose its own threshold (glibc's
    ``MALLOC_MMAP_THRESHOLD_`` variable), which is left alone."""
    if _MALLOPT is None or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    return _MALLOPT(_M_MMAP_THRESHOLD, MAPPED_FROM) == 1


def trim() -> bool:
    """Return the heap's free pages to the system now (False where there is no way)."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


class _Pauses:
    """How many threads are inside `collector_paused`, and whether the collector was
    on when the first came in (the process has one collector)."""

    lock = threading.Lock()
    depth = 0
    was_on = False


def collector_paused_over(items: object) -> AbstractContextManager[None]:
    """`collector_paused` when ``items`` is a sequence (held whole by the caller),
    else nothing (an iterable runs the caller's code as it is read)."""
    return collector_paused() if isinstance(items, Sequence) else nullcontext()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector inside the block (in any number of
    threads at once: it comes back on, if it was on, when the last one leaves)."""
    with _Pauses.lock:
        if _Pauses.depth == 0:
            _Pauses.was_on = gc.isenabled()
            gc.disable()
        _Pauses.depth += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.depth -= 1
            if _Pauses.depth == 0 and _Pauses.was_on:
                gc.enable()
