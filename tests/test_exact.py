"""verify="exact": pairs near the threshold measured on stored shingles."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Article, Config, Index
from dedup.cli import cli
from dedup.errors import ConfigError, ConfigMismatch
from dedup.normalize import normalize
from dedup.shingle import Shingler
from dedup.verify import shared_shingles

from .redis_server import fresh_location, server_url
from .textgen import edit, story, vocabulary

VOCAB = vocabulary()
JACCARD = Config(containment_threshold=1.0)  # judged by Jaccard alone


def exact_jaccard(a: str, b: str) -> float:
    shingler = Shingler(JACCARD.word_ngram, JACCARD.cjk_ngram)
    x, y = shingler.shingles(normalize(a)), shingler.shingles(normalize(b))
    shared = len(np.intersect1d(x, y))
    return shared / (len(x) + len(y) - shared)


def pairs_near_the_threshold(count: int = 60) -> list[tuple[str, str, float]]:
    """(original, copy, exact Jaccard) with Jaccard spread over 0.7–0.9."""
    rng = random.Random(21)
    out = []
    while len(out) < count:
        base = story(rng, VOCAB, 300)
        copy = edit(rng, VOCAB, base, rng.uniform(0.008, 0.03))
        j = exact_jaccard(base, copy)
        if 0.7 <= j <= 0.9:
            out.append((base, copy, j))
    return out


def verdict(config: Config, original: str, copy: str):
    index = Index(config)
    index.add(Article(id="o", text=original))
    return index.add(Article(id="c", text=copy))


def test_exact_mode_decides_by_the_exact_jaccard_and_reports_it():
    pairs = pairs_near_the_threshold()
    assert sum(j >= 0.8 for _, _, j in pairs) >= 10 and sum(j < 0.8 for _, _, j in pairs) >= 10
    exact, estimated_wrong = JACCARD.replace(verify="exact"), 0
    for original, copy, j in pairs:
        got = verdict(exact, original, copy)
        assert got.duplicate is (j >= 0.8), (j, got.to_dict())
        if got.duplicate:
            assert got.similarity == round(j, 4) and got.relation == "near"
        index = Index(exact)
        index.add(Article(id="o", text=original))
        queried = index.query(Article(id="q", text=copy))  # a query is measured the same way
        assert queried.duplicate is got.duplicate and queried.similarity == got.similarity
        estimated_wrong += verdict(JACCARD, original, copy).duplicate is not (j >= 0.8)
    # the estimate (128 values) errs on some of these pairs: what "exact" is for
    assert estimated_wrong >= 3


def test_shared_shingles_counts_the_intersection():
    rng = np.random.default_rng(5)
    for _ in range(50):
        a = np.unique(rng.integers(0, 300, rng.integers(0, 80))).astype(np.uint32)
        b = np.unique(rng.integers(0, 300, rng.integers(0, 80))).astype(np.uint32)
        assert shared_shingles(a, b) == len(np.intersect1d(a, b)) == shared_shingles(b, a)


def test_exact_shingles_survive_reopening_an_sqlite_index(tmp_path):
    pairs = pairs_near_the_threshold(12)
    config = JACCARD.replace(verify="exact")
    path = str(tmp_path / "exact.db")
    with Index.open(path, config=config) as index:
        index.add_many([Article(id=f"o{i}", text=o) for i, (o, _, _) in enumerate(pairs)])
    with Index.open(path) as index:  # the stored configuration, shingles read back
        assert index.config.verify == "exact"
        got = index.add_many([Article(id=f"c{i}", text=c) for i, (_, c, _) in enumerate(pairs)])
        for v, (_, _, j) in zip(got, pairs, strict=True):
            assert v.duplicate is (j >= 0.8)
            assert v.similarity == (round(j, 4) if j >= 0.8 else None)
        index.remove("o0")
    with Index.open(path) as index:
        assert len(index) == 2 * len(pairs) - 1
        assert index.add(Article(id="again", text=pairs[1][1])).relation == "exact"
    with pytest.raises(ConfigMismatch, match="verify"):
        Index.open(path, config=JACCARD)


def test_estimate_indexes_are_written_as_before_the_option_existed():
    assert "verify" not in Config().to_dict()
    assert Config.from_dict(Config().to_dict()) == Config()
    assert Config.from_dict(Config(verify="exact").to_dict()).verify == "exact"
    with pytest.raises(ConfigError, match="verify"):
        Config(verify="sometimes")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from server_url(tmp_path_factory)


def test_a_redis_index_refuses_exact_mode_clearly(redis_url):
    location = fresh_location(redis_url)
    with pytest.raises(ConfigError, match="Redis index does not store"):
        Index.open(next(location), config=Config(verify="exact"))
    next(location, None)


def test_cli_verify_exact(tmp_path):
    original, copy, j = next(p for p in pairs_near_the_threshold(40) if p[2] >= 0.8)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(original, encoding="utf-8")
    (folder / "b.txt").write_text(copy, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(folder), "--containment", "1",
                                 "--verify", "exact"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    copies = [v for v in lines if v["duplicate"]]
    assert len(copies) == 1 and copies[0]["similarity"] == round(j, 4)
    db = str(tmp_path / "news.db")
    assert runner.invoke(cli, ["batch", str(folder), "--index", db, "--verify", "exact"]
                         ).exit_code == 0
    (folder / "c.txt").write_text(original + " A closing line.", encoding="utf-8")
    only_new = ["batch", str(folder / "c.txt"), "--index", db]
    mismatch = runner.invoke(cli, [*only_new, "--verify", "estimate"])
    assert mismatch.exit_code == 1, mismatch.output
    assert (f"{db} was built with another configuration: verify: 'exact' != 'estimate'"
            in mismatch.stderr)
    with Index.open(db, readonly=True) as index:
        assert len(index) == 2  # refused before anything was added
    assert runner.invoke(cli, [*only_new, "--verify", "exact"]).exit_code == 0
