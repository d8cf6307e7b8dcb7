"""One suite, every backend: memory, SQLite file, Redis give the same verdicts.

Each scenario runs on the backend under test and on a plain in-memory ``Index``
and compares what the API returns: add, add_many, query, get, text, remove,
clusters, verdicts, len, retention, and (persistent backends) reopening.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest

from dedup import Article, Config, ConfigMismatch, Index
from dedup.sources import read_paths

from .conftest import EXAMPLES
from .redis_server import fresh_location, server_url
from .textgen import chinese_edit, chinese_story, edit, story, vocabulary

VOCAB = vocabulary()
T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)
BACKENDS = ["memory", "sqlite", "redis"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from server_url(tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """``(name, open)``: ``open(**options)`` opens the backend's index (the same
    one again on every call, except in memory)."""
    name = request.param
    if name == "memory":
        yield name, lambda **options: Index(keep_text=True, **options)
    elif name == "sqlite":
        path = str(tmp_path / "news.db")
        yield name, lambda **options: Index.open(path, **options)
    else:
        location = fresh_location(request.getfixturevalue("redis_url"))
        url = next(location)
        yield name, lambda **options: Index.open(url, **options)
        next(location, None)


def corpus(seed: int = 3) -> list[Article]:
    """The bundled examples plus synthetic stories: copies, a late wire copy
    (re-attribution), Chinese text, excerpts, site chrome lines."""
    rng = random.Random(seed)
    out = [a for a in read_paths([str(EXAMPLES)]) if isinstance(a, Article)]
    chrome = "Share this story\nBack to top\n"
    for s in range(16):
        chinese = s % 5 == 4
        base = chinese_story(rng, 500) if chinese else story(rng, VOCAB, 250)
        out.append(Article(id=f"s{s}", text=chrome + base, source="Daily Harbor",
                           published=T0 + timedelta(minutes=s)))
        for c in range(s % 4):
            text = chinese_edit(rng, base, 0.01) if chinese else edit(rng, VOCAB, base, 0.02)
            out.append(Article(id=f"s{s}c{c}", text=text + "\n" + chrome, source=f"Site {c}",
                               published=T0 + timedelta(minutes=s - 1 + 2 * c)))
        if s % 6 == 0:
            out.append(Article(id=f"s{s}wire", text=base, source="Xinhua",
                               url="https://english.news.cn/x"))
        if s % 5 == 1:
            out.append(Article(id=f"s{s}x", text=base[: len(base) // 3], source="Brief"))
    rng.shuffle(out)
    return out


def state(index: Index) -> tuple:
    """Everything the API tells about the stored articles."""
    return ([v.to_dict() for v in index.verdicts()],
            [(c.id, c.original, c.origin_source, [m.to_dict() for m in c.members])
             for c in index.clusters()],
            len(index))


def test_the_same_verdicts_on_every_backend(backend):
    name, open_index = backend
    articles = corpus()
    reference = Index(keep_text=True)
    expected_added = [reference.add(a) for a in articles[:25]]
    expected_added += reference.add_many(articles[25:])
    index = open_index()
    added = [index.add(a) for a in articles[:25]]
    added += index.add_many(articles[25:])
    assert [(v.to_dict(), v.reattributed) for v in added] == \
        [(v.to_dict(), v.reattributed) for v in expected_added]
    assert any(v.duplicate for v in added) and any(v.reattributed for v in added)
    assert state(index) == state(reference)
    probe = Article(id="probe", text=articles[7].text + " One more closing line for the probe.")
    assert index.query(probe).to_dict() == reference.query(probe).to_dict()
    for article in articles[::9]:
        assert index.get(article.id).to_dict() == reference.get(article.id).to_dict()
        assert index.text(article.id) == article.text
    originals = [c.original for c in reference.clusters(min_size=2)][:3]
    for article_id in originals + [articles[4].id, "not-there"]:
        assert index.remove(article_id) == reference.remove(article_id)
    assert state(index) == state(reference)
    assert index.get("not-there") is None and "not-there" not in index
    index.close()


def test_a_duplicate_id_and_an_empty_text_are_refused_alike(backend):
    name, open_index = backend
    index = open_index()
    first = Article(id="a", text=story(random.Random(5), VOCAB, 200))
    index.add(first)
    results = index.add_many([first, Article(id="b", text="!!! ... ???")])
    assert [type(r).__name__ for r in results] == ["BadRecord", "BadRecord"]
    assert "duplicate id" in str(results[0]) and "no words" in str(results[1])
    assert len(index) == 1
    index.close()


def test_retention_evicts_the_same_articles(backend):
    name, open_index = backend
    articles = corpus(seed=4)[:40]
    reference = Index(keep_text=True, max_docs=15)
    expected = [reference.add(a).to_dict() for a in articles]
    index = open_index(max_docs=15)
    assert [index.add(a).to_dict() for a in articles] == expected
    assert state(index) == state(reference)
    assert len(index) == 15
    index.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)
def test_a_reopened_index_answers_as_one_never_closed(backend):
    name, open_index = backend
    articles = corpus(seed=5)
    first, later = articles[:40], articles[40:]
    reference = Index(keep_text=True)
    reference.add_many(first)
    with open_index() as index:
        index.add_many(first)
    with open_index() as index:
        assert state(index) == state(reference)
        reopened = [index.add(a).to_dict() for a in later]
    assert reopened == [reference.add(a).to_dict() for a in later]
    with open_index(create=False, readonly=True) as index:
        assert state(index) == state(reference)


@pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)
def test_another_configuration_is_a_mismatch(backend):
    name, open_index = backend
    open_index(config=Config(threshold=0.8)).close()
    with pytest.raises(ConfigMismatch, match="threshold"):
        open_index(config=Config(threshold=0.7))
    with open_index() as index:
        assert index.config.threshold == 0.8
