"""One Index shared by 8 threads adding and querying at once ends as a serial run does."""

import random
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from dedup import Article, Index

from .conftest import final_state
from .textgen import edit, story, vocabulary

VOCAB = vocabulary()
T0 = datetime(2025, 5, 8, tzinfo=UTC)
THREADS = 8


def articles() -> list[Article]:
    """Stories with exact and light copies; every pair of a story's versions is a near copy
    and dates are distinct, so the final clusters and originals do not depend on the order.
    Texts are single lines: no short line can turn into site chrome (which would make a
    fingerprint depend on how many copies came before it)."""
    rng = random.Random(31)
    out = []
    for s in range(30):
        base = story(rng, VOCAB, 300).replace("\n", " ")
        out.append(Article(id=f"s{s}", text=base, published=T0 + timedelta(hours=s)))
        for c in range(1 + s % 5):
            text = base if c % 2 else edit(rng, VOCAB, base, 0.004)
            out.append(Article(id=f"s{s}c{c}", text=text,
                               published=T0 + timedelta(hours=s, minutes=c - 2)))
    for i in range(40):
        out.append(Article(id=f"single{i}", text=story(rng, VOCAB, 300).replace("\n", " "),
                           published=T0 + timedelta(days=3, minutes=i)))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_eight_threads_adding_and_querying_end_like_a_serial_run(backend, tmp_path):
    # Each add is a sorted run of its own in the band tables, merged while other
    # threads query.
    corpus = articles()
    serial = Index()
    for article in corpus:
        serial.add(article)
    expected = final_state(serial)
    assert any(len(c) > 2 for c in expected[0]) and sum(len(c) == 1 for c in expected[0]) >= 40

    shared = Index() if backend == "memory" else Index.open(str(tmp_path / "shared.db"))
    work = [corpus[i::THREADS] for i in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    answers: list[tuple[str, str]] = []

    def worker(mine: list[Article], seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for article in mine:
                verdict = shared.add(article)
                answers.append((article.id, verdict.original))
                probe = rng.choice(corpus)
                shared.query(Article(id=f"q-{seed}-{article.id}", text=probe.text))
                shared.get(probe.id)
                if rng.random() < 0.1:
                    shared.clusters()
        except BaseException as exc:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(work[i], i)) for i in range(THREADS)]
    # Switch threads every 10 µs instead of 5 ms, so unguarded state would be caught
    # mid-update (checked: without the write lock this test fails).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(answers) == len(corpus) == len(shared)
    assert final_state(shared) == expected
    if backend == "sqlite":
        shared.close()
        with Index.open(str(tmp_path / "shared.db")) as reopened:
            assert final_state(reopened) == expected
