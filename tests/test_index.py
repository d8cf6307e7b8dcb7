"""The index: recall against exact Jaccard, no chaining, clusters, queries."""

import random
from datetime import UTC, datetime

import numpy as np
import pytest

import dedup.index
from dedup import Article, BadRecord, Config, Index
from dedup.batching import earlier_in_chunk
from dedup.fingerprint import PASSAGE_HOLDERS
from dedup.lsh import band_keys
from dedup.normalize import normalize
from dedup.prepare import Preparer
from dedup.shingle import Shingler
from dedup.wires import WireRegistry

from .textgen import chinese_edit, chinese_story, edit, story, vocabulary

VOCAB = vocabulary()


def exact_jaccard(a: str, b: str, config: Config | None = None) -> float:
    config = config or Config()
    shingler = Shingler(config.word_ngram, config.cjk_ngram)
    x = set(shingler.shingles(normalize(a)).tolist())
    y = set(shingler.shingles(normalize(b)).tolist())
    return len(x & y) / len(x | y)


def _pairs(n, low, high, seed, chinese=False, rates=(0.0, 0.035)):
    """n (original, copy, exact J) pairs with exact J in [low, high]."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        if chinese:
            base = chinese_story(rng, rng.randint(400, 900))
            copy = chinese_edit(rng, base, rng.uniform(*rates))
        else:
            base = story(rng, VOCAB, rng.randint(300, 700))
            copy = edit(rng, VOCAB, base, rng.uniform(*rates))
        j = exact_jaccard(base, copy)
        if low <= j <= high:
            out.append((base, copy, j))
    return out


@pytest.mark.parametrize("chinese", [False, True], ids=["english", "chinese"])
def test_recall_at_threshold_plus_margin(chinese):
    """≥ 99 % of pairs with exact J ≥ 0.85 end up in the same cluster."""
    pairs = _pairs(300, 0.85, 1.0, seed=11 + chinese, chinese=chinese)
    index = Index()
    articles = []
    for i, (base, copy, _) in enumerate(pairs):
        articles.append(Article(id=f"o{i}", text=base))
        articles.append(Article(id=f"c{i}", text=copy))
    random.Random(5).shuffle(articles)
    index.add_many(articles)
    found = sum(index.get(f"o{i}").cluster == index.get(f"c{i}").cluster for i in range(len(pairs)))
    assert found / len(pairs) >= 0.99


def test_no_false_merges_well_below_threshold():
    pairs = _pairs(200, 0.3, 0.6, seed=21, rates=(0.06, 0.16))
    index = Index()
    for i, (base, copy, _) in enumerate(pairs):
        index.add(Article(id=f"o{i}", text=base))
        index.add(Article(id=f"c{i}", text=copy))
    merged = sum(index.get(f"o{i}").cluster == index.get(f"c{i}").cluster
                 for i in range(len(pairs)))
    assert merged / len(pairs) <= 0.01


def test_unrelated_stories_stay_apart():
    rng = random.Random(3)
    index = Index()
    verdicts = index.add_many([Article(id=str(i), text=story(rng, VOCAB, 400)) for i in range(300)])
    assert all(not v.duplicate for v in verdicts)
    assert len(index.clusters()) == 300


def test_no_chaining_through_weak_links():
    """A~B and B~C but A≁C (different stories): C must not join A's cluster."""
    rng = random.Random(8)
    a = story(rng, VOCAB, 300).split(" ")
    c = story(rng, VOCAB, 300).split(" ")
    b = a[:270] + c[:30]  # B = most of A, plus the start of C
    chained = [b[:]]
    # Each link keeps ~90 % of the previous text and adds 10 % of C.
    for step in range(1, 10):
        prev = chained[-1]
        chained.append(prev[30:] + c[30 * step:30 * step + 30])
    index = Index()
    index.add(Article(id="A", text=" ".join(a)))
    for i, words in enumerate(chained):
        index.add(Article(id=f"L{i}", text=" ".join(words)))
    index.add(Article(id="C", text=" ".join(c)))
    assert exact_jaccard(" ".join(a), " ".join(b)) >= 0.8
    assert exact_jaccard(" ".join(a), " ".join(c)) < 0.05
    assert index.get("L0").cluster == index.get("A").cluster
    assert index.get("C").cluster != index.get("A").cluster
    # Every member of A's cluster really is a copy of A, by one of the rules.
    cluster = index.get("A").cluster
    members = next(c for c in index.clusters() if c.id == cluster).members
    assert 2 <= len(members) < 6
    for v in members[1:]:
        assert v.original == members[0].id
        assert v.similarity >= 0.8 or v.containment >= 0.8


def test_exact_copies_and_verdict_contract():
    rng = random.Random(4)
    text = story(rng, VOCAB, 400)
    index = Index()
    first = index.add(Article(id="wire", text=text, source="Xinhua"))
    second = index.add(Article(id="copy", text="\u00a0" + text.replace(".", " ."), source="Herald"))
    assert first.original == "wire" and not first.duplicate and first.relation is None
    assert first.similarity is None and first.containment is None
    assert second.original == "wire" and second.duplicate and second.relation == "exact"
    assert second.similarity == 1.0 and second.containment == 1.0
    assert second.origin_source == "Xinhua" and second.source == "Herald"
    assert second.cluster == first.cluster
    assert any("exact copy of 'wire'" in w for w in second.why)
    keys = set(second.to_dict())
    assert {"id", "cluster", "original", "duplicate", "relation", "similarity", "containment",
            "source", "origin_source", "why"} <= keys


def test_wire_copy_arriving_later_becomes_original():
    rng = random.Random(6)
    text = story(rng, VOCAB, 400)
    index = Index()
    index.add(Article(id="site", text=text, source="Daily Harbor"))
    verdict = index.add(Article(id="xinhua", text=text, source="Xinhua News Agency"))
    assert verdict.reattributed == {"event": "reattributed", "cluster": verdict.cluster,
                                    "old_original": "site", "new_original": "xinhua",
                                    "why": verdict.reattributed["why"]}
    assert index.get("site").original == "xinhua"
    assert index.get("site").duplicate
    assert index.get("xinhua").origin_source == "Xinhua"


def test_earliest_published_wins_with_time_zones():
    rng = random.Random(9)
    text = story(rng, VOCAB, 400)
    index = Index()
    # 09:00+08:00 is 01:00Z: earlier than 02:00Z although the clock reads later.
    index.add(Article(id="later", text=text,
                      published=datetime(2025, 5, 8, 2, 0, tzinfo=UTC)))
    index.add(Article(id="earlier", text=text,
                      published=datetime.fromisoformat("2025-05-08T09:00:00+08:00")))
    assert index.get("later").original == "earlier"
    assert any("earliest published: 2025-05-08T01:00:00Z" in w for w in index.get("later").why)


def test_query_does_not_add():
    rng = random.Random(10)
    text = story(rng, VOCAB, 300)
    index = Index()
    index.add(Article(id="a", text=text))
    verdict = index.query(Article(id="q", text=text))
    assert verdict.original == "a" and verdict.duplicate and len(index) == 1
    assert index.query(Article(id="z", text=story(rng, VOCAB, 300))).cluster is None


def test_duplicate_id_and_nothing_to_fingerprint_are_errors():
    index = Index()
    index.add(Article(id="a", text="some words here"))
    with pytest.raises(BadRecord, match="duplicate id"):
        index.add(Article(id="a", text="other words"))
    with pytest.raises(BadRecord, match="no words to fingerprint"):
        index.add(Article(id="b", text="!!! ... ???"))
    assert len(index) == 1


def test_remove_picks_a_new_original():
    rng = random.Random(12)
    text = story(rng, VOCAB, 300)
    index = Index()
    index.add(Article(id="a", text=text))
    index.add(Article(id="b", text=text))
    index.add(Article(id="c", text=text))
    assert index.remove("a")
    assert not index.remove("a")
    assert index.get("b").original == "b" and index.get("c").original == "b"
    assert index.query(Article(id="q", text=text)).original == "b"


def test_jobs_give_the_same_verdicts():
    rng = random.Random(13)
    texts = [story(rng, VOCAB, 300) for _ in range(40)]
    articles = [Article(id=f"{i}", text=texts[i % 25]) if i < 25 else
                Article(id=f"{i}", text=edit(rng, VOCAB, texts[i % 25], 0.01)) for i in range(1200)]
    one = Index()
    one.add_many(articles, jobs=1)
    two = Index()
    two.add_many(articles, jobs=2)
    assert [v.to_dict() for v in one.verdicts()] == [v.to_dict() for v in two.verdicts()]


def test_a_batch_without_arrival_verdicts_ends_in_the_same_state():
    rng = random.Random(14)
    texts = [story(rng, VOCAB, 300) for _ in range(30)]
    articles = [Article(id=f"{i}", text=edit(rng, VOCAB, texts[i % 30], 0.01 * (i // 30)),
                        source="Xinhua" if i % 7 == 0 else None) for i in range(120)]
    articles.append(Article(id="0", text="the same id again"))
    articles.append(Article(id="empty", text="... !!!"))
    with_verdicts, without = Index(), Index()
    arrival = with_verdicts.add_many(articles)
    results = without.add_many(articles, verdicts=False)
    assert all(r is None for r in results[:120])
    assert [type(r).__name__ for r in results[120:]] == ["BadRecord", "BadRecord"]
    assert [type(r).__name__ for r in arrival[120:]] == ["BadRecord", "BadRecord"]
    assert any(v.reattributed for v in arrival[:120])
    assert [v.to_dict() for v in with_verdicts.verdicts()] == \
        [v.to_dict() for v in without.verdicts()]


def test_config_is_validated():
    from dedup import ConfigError
    with pytest.raises(ConfigError, match="num_perm must be"):
        Config(num_perm=3)
    with pytest.raises(ConfigError, match="bands × rows = 200 exceeds num_perm = 128"):
        Config(bands=(20, 10))
    assert Config.from_dict(Config(threshold=0.7).to_dict()) == Config(threshold=0.7)
    assert np.all(Config(threshold=0.9).bands == (14, 9))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_chunk_interrupted_by_an_error_leaves_a_consistent_index(backend, tmp_path,
                                                                    monkeypatch):
    """An exception while placing an article (a bug, MemoryError) propagates; the
    articles stored before it are in clusters and in the band tables, so later
    copies find them and every verdict can be read, also after reopening."""
    rng = random.Random(16)
    texts = [story(rng, VOCAB, 300) for _ in range(8)]
    index = Index() if backend == "memory" else Index.open(str(tmp_path / "i.db"))
    real, calls = dedup.index.place, [0]

    def failing(store, config, slot, candidates):
        calls[0] += 1
        if calls[0] == 5:
            raise RuntimeError("placing failed")
        return real(store, config, slot, candidates)

    monkeypatch.setattr(dedup.index, "place", failing)
    with pytest.raises(RuntimeError, match="placing failed"):
        index.add_many([Article(id=f"a{i}", text=t) for i, t in enumerate(texts)])
    monkeypatch.setattr(dedup.index, "place", real)
    if backend == "sqlite":
        index.close()
        index = Index.open(str(tmp_path / "i.db"))
    assert sorted(v.id for v in index.verdicts()) == ["a0", "a1", "a2", "a3", "a4"]
    for i in (1, 4):  # stored before and at the failure: found as originals of their copies
        copy = index.add(Article(id=f"copy{i}", text=edit(rng, VOCAB, texts[i], 0.01)))
        assert copy.duplicate and copy.original == f"a{i}"
    index.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_chunk_placed_in_one_call_that_fails_leaves_a_consistent_index(backend, tmp_path,
                                                                         monkeypatch):
    """Without arrival-time verdicts a chunk is stored whole and then placed in one
    core call: when that call fails, every stored article of the chunk is in a
    cluster of its own and in the band tables, and the error propagates."""
    from dedup.storage.memory_store import MemoryStore

    rng = random.Random(17)
    texts = [story(rng, VOCAB, 300) for _ in range(6)]
    index = Index() if backend == "memory" else Index.open(str(tmp_path / "i.db"))
    index.add(Article(id="first", text=texts[0]))

    def failing(self, slots, candidates, offsets):
        raise RuntimeError("placing failed")

    monkeypatch.setattr(MemoryStore, "place", failing)
    articles = [Article(id=f"a{i}", text=t) for i, t in enumerate(texts)]
    with pytest.raises(RuntimeError, match="placing failed"):
        index.add_many(articles, verdicts=False)
    monkeypatch.undo()
    if backend == "sqlite":
        index.close()
        index = Index.open(str(tmp_path / "i.db"))
    verdicts = {v.id: v for v in index.verdicts()}
    assert sorted(verdicts) == ["a0", "a1", "a2", "a3", "a4", "a5", "first"]
    assert len({v.cluster for v in verdicts.values()}) == 7  # a0 was not matched to first
    copy = index.add(Article(id="copy3", text=edit(rng, VOCAB, texts[3], 0.01)))
    assert copy.duplicate and copy.original == "a3"
    index.close()


def test_a_chunk_placed_in_one_core_call_ends_as_one_article_at_a_time():
    """``add_many(verdicts=False)`` places a chunk in one core call; the clusters,
    originals, notes and final verdicts are those of placing article by article,
    re-attributions and merges included (heads and tails of stories that do not
    match each other, then their wire, which matches both)."""
    rng = random.Random(21)
    articles = []
    for s in range(40):
        words = story(rng, VOCAB, 600).split()
        parts = [(f"s{s}head", " ".join(words[:450]), "Site A"),
                 (f"s{s}tail", " ".join(words[150:]), "Site B"),
                 (f"s{s}copy", edit(rng, VOCAB, " ".join(words), 0.01), "Site C"),
                 (f"s{s}wire", " ".join(words), "AP")]
        articles.extend(Article(id=i, text=t, source=src) for i, t, src in parts[:s % 5])
    rng.shuffle(articles)
    one, bulk = Index(), Index()
    arrival = one.add_many(articles)
    assert bulk.add_many(articles, verdicts=False) == [None] * len(articles)
    final = [v.to_dict() for v in one.verdicts()]
    assert final == [v.to_dict() for v in bulk.verdicts()]
    assert any(v.merged for v in arrival) and any(v.reattributed for v in arrival)
    assert any("matches both and outranks its original" in w for v in final for w in v["why"])


def test_pairs_within_a_chunk_follow_the_holder_cap():
    """earlier_in_chunk pairs each row with the earlier rows that share a band key,
    and through a passage key with only the first ``room`` placed rows holding it."""
    rng = np.random.default_rng(5)
    n = 60
    keys = rng.integers(0, 400, size=(n, 2)).astype(np.uint64)
    passage_rows = np.sort(rng.integers(0, n, size=150))
    passage_keys = rng.integers(1000, 1012, size=(150, 3)).astype(np.uint64)
    # The room of a key: PASSAGE_HOLDERS minus the stored articles found having it.
    room_of = dict(zip(range(1000, 1012), rng.integers(-2, 6, size=12).tolist(), strict=True))
    room = np.array([room_of[int(k)] for k in passage_keys.ravel()])
    placed = rng.random(n) > 0.1
    got = earlier_in_chunk(keys, passage_rows, passage_keys, room, placed)
    for row in range(n):
        expected = set()
        if placed[row]:
            expected = {e for e in range(row) if placed[e] and set(keys[e]) & set(keys[row])}
            for line in np.flatnonzero(passage_rows == row):
                for key in passage_keys[line]:
                    holders = [e for e in range(n) if placed[e] and key in
                               passage_keys[passage_rows == e]]
                    limit = max(0, room_of[int(key)])
                    expected |= {e for e in holders[:limit] if e < row}
        assert set(got[row].tolist()) == expected, row


def test_a_stock_passage_finds_its_earliest_holders_chunked_or_not(monkeypatch):
    """A paragraph that 30 articles carry is a candidate key for its 16 earliest
    holders only (fingerprint.PASSAGE_HOLDERS), and a batch in one chunk compares
    each article with the same stored articles as adding them one at a time."""
    rng = random.Random(9)
    stock = story(rng, VOCAB, 60)  # e.g. a publisher's standard paragraph
    articles = [Article(id=f"r{i}", text=story(rng, VOCAB, 120) + "\n\n" + stock + "\n\n" +
                        story(rng, VOCAB, 80)) for i in range(30)]
    compared = {}
    real = dedup.index.place

    def place(store, config, slot, candidates):
        compared.setdefault(id(store), []).append(
            sorted({store.doc(int(s)).id for s in candidates}))
        return real(store, config, slot, candidates)

    monkeypatch.setattr(dedup.index, "place", place)
    one_by_one, chunked = Index(), Index()
    for article in articles:
        one_by_one.add(article)
    chunked.add_many(articles, learn_chrome=False)
    one_by_one, chunked = id(one_by_one._store), id(chunked._store)
    assert compared[one_by_one] == compared[chunked]
    # Each article meets the earlier ones sharing a band key, and per passage key
    # that key's 16 earliest holders.
    prepared = Preparer(Config(), WireRegistry.default()).run([a.text for a in articles])
    bands = band_keys(prepared.signatures, *Config().bands)
    passages = [set(prepared.passages(i).tolist()) for i in range(len(articles))]
    for j, seen in enumerate(compared[chunked][1:], start=1):
        expected = {i for i in range(j) if set(bands[i]) & set(bands[j])}
        for key in passages[j]:
            expected.update([i for i in range(j) if key in passages[i]][:PASSAGE_HOLDERS])
        assert seen == sorted(f"r{i}" for i in expected), j
    assert max(map(len, compared[chunked])) > PASSAGE_HOLDERS  # the cap was reached
    assert max(sum(key in p for p in passages) for key in passages[-1]) > PASSAGE_HOLDERS


@pytest.mark.parametrize("verify", ["estimate", "exact"])
def test_the_match_found_when_placing_is_the_verdicts_match(verify):
    """An add's verdict carries the match placement found with the cluster's
    original; it is what measuring the pair again right after says."""
    from tests.textgen import edit, story, vocabulary

    rng = random.Random(11)
    vocab = vocabulary()
    stories = [story(rng, vocab, 300) for _ in range(40)]
    index = Index(Config(verify=verify))
    copies = 0
    for i in range(400):
        base = stories[rng.randrange(len(stories))]
        text = edit(rng, vocab, base, rng.choice([0.0, 0.02, 0.08]))
        if rng.random() < 0.3:  # an excerpt
            words = text.split()
            text = " ".join(words[: len(words) // 2])
        verdict = index.add(Article(id=f"a{i}", text=text, source=f"site{i % 5}"))
        copies += verdict.duplicate
        assert verdict.to_dict() == index.get(f"a{i}").to_dict()
    assert copies > 150  # the copies whose verdict carries a match


def test_a_listing_in_parts_lists_each_live_article_once_across_writes(monkeypatch):
    # Index.verdicts reads LISTING articles at a time; here another write comes
    # between two parts, evicting articles (listed and not yet listed) and
    # compacting the slots, and the listing goes on after the last one it listed.
    import dedup.storage.memory_store
    import dedup.verdicts
    monkeypatch.setattr(dedup.verdicts, "LISTING", 4)
    monkeypatch.setattr(dedup.storage.memory_store, "_MIN_COMPACT", 2)
    parts = []
    real = dedup.verdicts.current_verdicts

    def counted(store, slots):
        parts.append(len(slots))
        return real(store, slots)
    monkeypatch.setattr(dedup.verdicts, "current_verdicts", counted)
    rng = random.Random(12)
    texts = [story(rng, VOCAB, 200) for _ in range(18)]
    corpus = [Article(id=f"a{i}", text=t) for i, t in enumerate(texts)]
    corpus[9] = Article(id="a9", text=edit(rng, VOCAB, texts[8], 0.01))  # a copy of a8
    index = Index(max_docs=8)
    index.add_many(corpus[:8])
    listing = index.verdicts()
    first = [next(listing) for _ in range(4)]
    index.add_many(corpus[8:])  # evicts a0..a9; a10..a17 stay, renumbered
    rest = list(listing)
    assert [v.id for v in first] == ["a0", "a1", "a2", "a3"]
    assert [v.id for v in rest] == [f"a{i}" for i in range(10, 18)]
    assert [v.to_dict() for v in rest] == [index.get(v.id).to_dict() for v in rest]
    assert max(parts) <= 4 and len(parts) >= 3


def test_work_ahead_keeps_order_reads_a_few_items_ahead_and_passes_errors_on():
    """batching.ahead: results in the items' order; the items are read only a couple
    ahead of the results used; an error in the work reaches the caller."""
    from dedup.batching import ahead

    read = []

    def items():
        for i in range(20):
            read.append(i)
            yield i

    out = []
    for result in ahead(lambda i: i * i, items(), jobs=2):
        assert len(read) <= len(out) + 4  # never the whole input at once
        out.append(result)
    assert out == [i * i for i in range(20)]
    assert list(ahead(lambda i: -i, range(5), jobs=1)) == [0, -1, -2, -3, -4]

    def failing(i):
        if i == 3:
            raise RuntimeError("observing failed")
        return i

    with pytest.raises(RuntimeError, match="observing failed"):
        list(ahead(failing, range(10), jobs=2))


def test_site_chrome_learnt_from_a_stream_of_articles_is_the_same_on_one_or_two_threads():
    """Index.learn_chrome reads any iterable a chunk at a time (with jobs=2 the next
    chunk is read while one is observed) and learns the same lines either way."""
    rng = random.Random(21)
    chrome = "Leave a Reply\nBack To Top\nShare this story\n"
    articles = [Article(id=f"c{i}", text=story(rng, VOCAB, 200) + "\n" + chrome,
                        source=f"Site {i % 3}") for i in range(1300)]  # over two chunks
    learnt = []
    for jobs in (1, 2):
        index = Index()
        assert index.learn_chrome((a for a in articles), jobs=jobs) > 0
        learnt.append(index.site_chrome())
    assert learnt[0] == learnt[1] and len(learnt[0]) >= 3 * 3


@pytest.mark.parametrize("seed", range(6))
def test_pairs_within_a_chunk_are_the_numpy_references_pair_for_pair(seed):
    """The core's earlier_in_chunk (src/chunk_pairs.rs) gives, per row, the same
    earlier rows in the same order as the numpy version it replaced
    (tests/reference/chunk_pairs.py), with and without room and placed flags, with
    keys shared between band and passage keys and repeated within a row."""
    from tests.reference.chunk_pairs import earlier_in_chunk as reference

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 80))
    keys = rng.integers(0, 60, size=(n, 3)).astype(np.uint64)
    lines = int(rng.integers(0, 200))
    passage_rows = np.sort(rng.integers(0, max(n, 1), size=lines if n else 0))
    passage_keys = rng.integers(40, 80, size=(len(passage_rows), 2)).astype(np.uint64)
    room = rng.integers(-3, 8, size=passage_keys.size)
    placed = rng.random(n) > 0.15
    for args in ((), (room,), (room, placed), (None, placed)):
        got = earlier_in_chunk(keys, passage_rows, passage_keys, *args)
        want = reference(keys, passage_rows, passage_keys, *args)
        assert len(got) == len(want) == n
        assert all(g.tolist() == w.tolist() for g, w in zip(got, want, strict=True)), args
