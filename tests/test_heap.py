"""Freed heap memory goes back to the system (dedup.heap, glibc's malloc_trim)."""

from __future__ import annotations

import gc
import os
import sys
import threading

import pytest

from dedup import heap

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")


def _resident() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_the_trimmer_trims_after_so_many_articles_then_as_the_store_grows_by_a_share():
    trimmer = heap.Trimmer(every=1000, growth=4)
    trims = [trimmer.stored(300) for _ in range(30)]
    expected = heap.trim()  # whether this platform can trim at all
    # at 1,200 stored (1,000 since none), 2,400, 3,600; then a quarter of the total:
    # 4,800 (1,200 since >= 1,200), 6,600 (1,800 >= 1,650), 9,000 (2,400 >= 2,250)
    trimmed_at = [300 * (i + 1) for i, t in enumerate(trims) if t]
    assert trimmed_at == ([1200, 2400, 3600, 4800, 6600, 9000] if expected else [])


@linux
def test_a_trim_returns_the_pages_of_freed_blocks_below_the_heap_top():
    if not heap.trim():
        pytest.skip("not glibc")
    blocks = [bytearray(b"x" * 60_000) for _ in range(1500)]  # ~90 MB on the heap
    pinned = bytearray(b"y" * 60_000)  # the top of the heap stays in use
    del blocks
    before = _resident()
    assert heap.trim()
    freed = before - _resident()
    assert freed > 50_000_000, freed
    assert pinned[0] == ord("y")


@linux
def test_a_large_block_freed_after_a_larger_one_goes_back_whole(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    if not heap.map_large_blocks():
        pytest.skip("not glibc")
    larger = bytearray(20_000_000)
    del larger  # glibc would raise its threshold to 20 MB here
    block = bytearray(b"x" * 4_000_000)
    pinned = bytearray(b"y" * 60_000)  # a heap block after it: no trim at the top
    before = _resident()
    del block
    assert before - _resident() > 3_500_000
    assert pinned[0] == ord("y")


def test_a_process_that_chose_its_own_threshold_keeps_it(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert not heap.map_large_blocks()


def test_the_collector_is_paused_inside_and_back_as_it_was_when_the_last_thread_leaves():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with heap.collector_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    try:
        with heap.collector_paused():
            assert not gc.isenabled()
            thread.start()
            assert inside.wait(10)
        assert not gc.isenabled()  # the other thread is still inside
        leave.set()
        thread.join(10)
        assert gc.isenabled()
        gc.disable()  # off before: it stays off after
        with heap.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        leave.set()
        gc.enable()


def test_the_collector_waits_while_a_batch_held_whole_is_added_not_while_an_iterable_is_read():
    from dedup import Article, Index

    articles = [Article(id=f"a{i}", text=f"Story number {i} about the harbour and its ships "
                        f"sailing on day {i} of the month, said officials.") for i in range(40)]
    seen: list[bool] = []
    index = Index()
    index.add_many(articles, progress=lambda n: seen.append(gc.isenabled()))
    assert seen and not any(seen)  # a list: nothing of the caller's runs but this callback
    assert gc.isenabled()
    seen.clear()
    more = (Article(id=f"b{a.id}", text=a.text) for a in articles)
    index.add_many(more, learn_chrome=False, progress=lambda n: seen.append(gc.isenabled()))
    assert seen and all(seen)  # a generator is the caller's code, run as it is read
    with pytest.raises(ValueError):
        index.add_many([articles[0]], progress=lambda n: (_ for _ in ()).throw(ValueError()))
    assert gc.isenabled()  # back on after an error too
