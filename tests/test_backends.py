"""One suite, every backend: memory, SQLite file, Redis give the same verdicts.

Each scenario runs on the backend under test and on a plain in-memory ``Index``
and compares what the API returns: add, add_many, query, get, text, remove,
clusters, verdicts, len, retention, and (persistent backends) reopening.
"""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from dedup import Article, Config, ConfigMismatch, Index
from dedup.fingerprint import PASSAGE_BANDS, PASSAGE_HOLDERS
from dedup.lsh import band_keys
from dedup.prepare import Preparer
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


def story_of(article_id: str) -> str | None:
    """The synthetic story an id of :func:`corpus` belongs to (None: a bundled example)."""
    match = re.fullmatch(r"(s\d+)(c\d|wire|x)?", article_id)
    return match.group(1) if match else None


def assert_the_stories_are_found(index: Index) -> None:
    """What the corpus was built to hold, independent of any other index: no cluster mixes
    two stories, a story's wire copy is its cluster's original, each excerpt ("x") joins
    its story's cluster, and the examples' clusters hold their known members."""
    cluster_of = {v.id: v.cluster for v in index.verdicts()}
    for cluster in index.clusters():
        ids = [m.id for m in cluster.members]
        stories = {story_of(i) for i in ids}
        assert len(stories) == 1, ids
        story = stories.pop()
        if story is not None and f"{story}wire" in ids:
            assert cluster.original == f"{story}wire" and cluster.origin_source == "Xinhua"
    excerpts = [i for i in cluster_of if story_of(i) and i.endswith("x")]
    assert excerpts and all(cluster_of[i] == cluster_of[story_of(i)] for i in excerpts)
    ftse = {i for i in cluster_of if cluster_of[i] == cluster_of.get("reuters-20250508-ftse-close")}
    assert ftse == {"lkc-20250508-ftse", "newsroll-40133", "pp-2025-0508-ftse",
                    "reuters-20250508-ftse-close", "sites/metro-ledger/london-stocks.md"}


def test_the_memory_index_finds_the_stories_of_the_corpus():
    """The in-memory index is the other backends' reference: it is checked against what
    the corpus holds, not against itself."""
    index = Index(keep_text=True)
    articles = corpus()
    added = [index.add(a) for a in articles[:25]] + index.add_many(articles[25:])
    assert sum(v.duplicate for v in added) >= 25 and any(v.reattributed for v in added)
    assert_the_stories_are_found(index)
    assert len(index) == len(articles)
    for article in articles[::7]:
        assert index.text(article.id) == article.text


@pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)
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
    assert_the_stories_are_found(index)
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
    index = open_index(max_docs=15)
    added = [index.add(a).to_dict() for a in articles]
    if name != "memory":  # the in-memory index is the reference
        reference = Index(keep_text=True, max_docs=15)
        assert added == [reference.add(a).to_dict() for a in articles]
        assert state(index) == state(reference)
    kept = {a.id for a in articles[-15:]}  # the oldest went, whatever their clusters
    assert {v.id for v in index.verdicts()} == kept and len(index) == 15
    assert all(v.original in kept for v in index.verdicts())
    assert all(c.original in kept and {m.id for m in c.members} <= kept
               for c in index.clusters())
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


# -- templated reports and cluster merges, on every backend ------------------------------

def report(rng: random.Random, template: list[str], figures: list[str]) -> str:
    """A templated market report: the same sentences every day, other figures."""
    words = list(template)
    step = len(words) // len(figures)
    for k, figure in enumerate(figures):
        words.insert(k * step + step // 2 + k, figure)
    return " ".join(words)


def jaccard(a: str, b: str, n: int = 5) -> float:
    """Exact Jaccard of word n-gram sets."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.split()
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


def figures(rng: random.Random, count: int = 8) -> list[str]:
    return [f"{rng.randint(1, 999)}.{rng.randint(10, 99)}" for _ in range(count)]


def test_templated_reports_with_other_figures_are_not_copies(backend):
    """Two days of a template share ~0.8 of their shingles; their figures differ,
    so they stay apart, while a copy of one day (figures kept) still joins it."""
    name, open_index = backend
    rng = random.Random(11)
    template = story(rng, VOCAB, 420).split()
    monday = report(rng, template, figures(rng))
    tuesday = report(rng, template, figures(rng))
    copy = edit(rng, VOCAB, monday, 0.01)
    excerpt = " ".join(monday.split()[:220])
    assert jaccard(monday, tuesday) >= 0.8  # by shingles alone, a near-duplicate
    index = open_index()
    index.add(Article(id="monday", text=monday, source="Wire desk"))
    if name != "memory":  # the figures of a stored article come back from the backend
        index.close()
        index = open_index()
    tuesday_verdict = index.add(Article(id="tuesday", text=tuesday, source="Wire desk"))
    copy_verdict = index.add(Article(id="copy", text=copy, source="Site"))
    excerpt_verdict = index.add(Article(id="excerpt", text=excerpt, source="Brief"))
    assert not tuesday_verdict.duplicate and tuesday_verdict.original == "tuesday"
    assert copy_verdict.original == "monday" and copy_verdict.relation == "near"
    assert excerpt_verdict.original == "monday" and excerpt_verdict.relation == "excerpt"
    index.close()


def test_the_source_arriving_last_merges_the_clusters_of_its_copies(backend):
    """Two copies arrive before the wire's own text, each keeping another 75 % of it:
    they do not match each other, so each starts a cluster; the wire matches both
    originals and outranks them, and the two clusters become one under it."""
    name, open_index = backend
    rng = random.Random(12)
    words = story(rng, VOCAB, 600).split()
    head, tail = " ".join(words[:450]), " ".join(words[150:])
    index = open_index()
    first = index.add(Article(id="head", text=head, source="Site A"))
    second = index.add(Article(id="tail", text=tail, source="Site B"))
    assert not first.duplicate and not second.duplicate and first.cluster != second.cluster
    if name != "memory":
        index.close()
        index = open_index()
    wire = index.add(Article(id="wire", text=" ".join(words), source="Xinhua",
                             url="https://english.news.cn/20250508/x.html"))
    assert wire.original == "wire" and wire.reattributed is not None
    assert [e["members"] for e in wire.merged] == [["tail"] if wire.cluster == first.cluster
                                                    else ["head"]]
    assert wire.merged[0]["old_original"] in ("head", "tail")
    if name != "memory":
        index.close()
        index = open_index()
    clusters = index.clusters(min_size=2)
    assert len(clusters) == 1 and len(index.clusters()) == 1
    assert clusters[0].original == "wire" and clusters[0].origin_source == "Xinhua"
    members = {v.id: v for v in clusters[0].members}
    assert set(members) == {"head", "tail", "wire"}
    assert members["head"].relation == members["tail"].relation == "excerpt"
    assert all(v.cluster == clusters[0].id and v.original == "wire" for v in members.values())
    assert any("merged" in w for w in members["wire"].why)
    index.close()


def test_a_passage_key_finds_its_earliest_live_holders_on_every_backend(backend):
    """A paragraph many articles carry: each of its passage keys yields only its
    PASSAGE_HOLDERS earliest holders still in the index, also right after one
    of them was removed (before a server backend has written the removal)."""
    name, open_index = backend
    rng = random.Random(4)
    stock = story(rng, VOCAB, 90)
    articles = [Article(id=f"r{i}", text=story(rng, VOCAB, 100) + "\n\n" + stock + "\n\n" +
                        story(rng, VOCAB, 60)) for i in range(40)]
    index = open_index()
    index.add_many(articles[:25], learn_chrome=False)
    for article in articles[25:]:
        index.add(article)
    if name != "memory":  # the table comes back from the backend
        index.close()
        index = open_index()
    preparer = Preparer(index.config, index.wires)
    held = [set(preparer.run([a.text]).passages(0).tolist()) for a in articles]
    probe = preparer.run([stock + "\n\n" + story(rng, VOCAB, 50)])
    asked = probe.passage_keys.reshape(-1, PASSAGE_BANDS)
    with index.batch():
        index.remove("r1")
        _, (keys, slots) = index._store.candidates(
            band_keys(probe.signatures, *index.config.bands), asked, probe.signatures, ["q"])
        found = {(int(k), index._store.doc(int(s)).id) for k, s in zip(keys, slots, strict=True)}
    expected = set()
    for k, key in enumerate(asked.ravel().tolist()):
        holders = [a.id for a, mine in zip(articles, held, strict=True)
                   if key in mine and a.id != "r1"]
        expected |= {(k, i) for i in holders[:PASSAGE_HOLDERS]}
    assert found == expected
    capped = [key for key in asked.ravel().tolist() if sum(key in m for m in held) > 17]
    assert any(key in held[1] for key in capped)  # r1 was among the earliest of a capped key
    index.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"], indirect=True)
def test_site_chrome_is_learnt_per_site_in_a_stream_across_a_reopen(backend):
    """Stream order: each article counts towards its own site's chrome as it
    arrives; the counts (and the witnesses that keep copies of one story from
    counting twice) survive closing and reopening the index."""
    name, open_index = backend
    rng = random.Random(8)
    footer = "Share this story\nLeave a Reply\nBack To Top"
    site_a = [Article(id=f"a{i}", text=story(rng, VOCAB, 200) + "\n" + footer,
                      url=f"https://gazette.example/{i}") for i in range(3)]
    copy_of_a0 = Article(id="a0-copy", text=site_a[0].text, url="https://gazette.example/c")
    on_b = Article(id="b0", text=story(rng, VOCAB, 200) + "\n" + footer,
                   url="https://other.example/1")
    with open_index() as index:
        index.add(site_a[0])
        index.add(copy_of_a0)  # the same story again: its lines do not count again
        index.add(on_b)
        chrome = index.stats()["chrome_lines"]
    with open_index() as index:
        index.add(site_a[1])
        assert index.stats()["chrome_lines"] == chrome == 0
        index.add(site_a[2])  # the third story of the site
        assert index.stats()["chrome_lines"] == 3
        later = index.add(Article(id="b1", text=on_b.text.replace("Leave a Reply", ""),
                                  url="https://other.example/2"))
        # the footer is chrome of gazette.example only: b1 matches b0 with its footer
        assert later.original == "b0" and later.similarity < 1.0


def test_the_location_chooses_the_backend_once(tmp_path):
    from dedup.errors import ConfigError
    from dedup.storage.backends import backend_for
    from dedup.storage.sqlite_store import SqliteStore

    assert backend_for(tmp_path / "news.db").name == "sqlite"
    assert backend_for("redis://127.0.0.1:1/0?prefix=x").name == "redis"
    assert not backend_for("rediss://host/0").is_file
    for location in ("s3://bucket/news.db", "postgres://db/news"):
        with pytest.raises(ConfigError, match=r"no index backend for \w+:// locations"):
            backend_for(location)
        with pytest.raises(ConfigError, match="no index backend"):
            Index.open(location)
    path = str(tmp_path / "news.db")
    assert not backend_for(path).exists(path)
    index = Index.open(path)
    index.close()
    assert backend_for(path).exists(path)
    assert backend_for(path).describe(path)["articles"] == 0
    store = backend_for(path).open(path, readonly=True)
    try:
        assert isinstance(store, SqliteStore) and len(store) == 0
    finally:
        store.close()
