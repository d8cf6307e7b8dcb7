"""``dedup batch`` parks its articles on disk between the two passes (dedup.spill):
the same verdicts as adding them from a list, without holding every text."""

from __future__ import annotations

import json
import random
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from dedup import Article, Config, Index
from dedup.cli import cli
from dedup.spill import Spill, SpillError

from .textgen import edit, story, vocabulary


def test_articles_come_back_as_they_were_written_in_order():
    plus8 = timezone(timedelta(hours=8))
    written = [
        Article(id="a/1.txt", text="BEIJING, May 8 (Xinhua) -- first\n\nline two\r\n"),
        Article(id="b", text="新华社北京5月8日电 正文", title="标题", url="https://x.cn/1",
                source="Xinhua", published=datetime(2025, 5, 8, 9, 53, 1, 250, tzinfo=plus8),
                canonical="https://x.cn/c", extraction="recall"),
        Article(id="c\u2028", text="\x00 odd \ud7ff text \U0001f600"),
    ]
    with Spill() as spill:
        for article in written:
            spill.write(article)
        assert len(spill) == 3 and spill.bytes > 0
        assert list(spill) == written
        assert list(spill) == written  # read again, from the start
        assert list(spill)[1].published == datetime(2025, 5, 8, 1, 53, 1, 250,
                                                    tzinfo=UTC)


def test_a_folder_that_cannot_hold_the_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "gone"
    with pytest.raises(SpillError, match="cannot create the batch's temporary file in .*gone.*"
                                         "TMPDIR"):
        Spill(str(missing))


def _corpus(path, count: int, words: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    vocab = vocabulary()
    records = []
    for i in range(count):
        if i % 5 == 4:  # every fifth a lightly edited copy of the one before
            text = edit(rng, vocab, records[-1]["text"], 0.02)
        else:
            text = story(rng, vocab, words)
        records.append({"id": f"r{i}", "text": text, "source": f"site{i % 7}"})
    records.append(dict(records[0]))  # a repeated id: reported, skipped
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return records


def test_batch_verdicts_and_texts_are_those_of_adding_the_list(tmp_path):
    records = _corpus(tmp_path / "in.jsonl", 1300, 120)  # three chunks of 512
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "in.jsonl"), "--with-text"],
                                catch_exceptions=False)
    assert result.exit_code == 3, result.stderr  # the repeated id was skipped
    assert "'r0'" in result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    index = Index(Config())
    index.add_many([Article(**r) for r in records], verdicts=False)
    expected = [v.to_dict() for v in index.verdicts()]
    assert [{k: v for k, v in g.items() if k != "text"} for g in got] == expected
    assert [g["text"] for g in got] == [r["text"] for r in records[:-1]]
    assert sum(g["duplicate"] for g in got) >= 200  # the edited copies found their originals


def test_batch_does_not_hold_every_text_at_once(tmp_path):
    records = _corpus(tmp_path / "big.jsonl", 3000, 2500)  # ~50 MB of text
    total = sum(len(r["text"]) for r in records)
    assert total > 45_000_000
    tracemalloc.start()
    try:
        result = CliRunner().invoke(cli, ["batch", str(tmp_path / "big.jsonl"), "--clusters"],
                                    catch_exceptions=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 3, result.stderr
    assert result.stdout.count("\n") >= 500  # the clusters of copies
    # A chunk of 512 texts (~9 MB) and the fingerprints, not the 50 MB of texts.
    assert peak < total / 2, (peak, total)
