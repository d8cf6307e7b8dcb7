"""Partial republication: excerpts and expansions, English and Chinese, found incrementally."""

import random

import numpy as np
import pytest

from dedup import Article, Config, Index
from dedup.fingerprint import PASSAGE_BANDS, passage_containment

from .textgen import chinese_story, story, vocabulary

VOCAB = vocabulary()
FOOTER = "Read the full story at https://wire.example/2025/05/08/harbour-bridge-trams-4411"


def english(seed: int) -> tuple[str, str, str]:
    """(wire story, an excerpt of its first ~40 %, the story inside a longer local article)."""
    rng = random.Random(seed)
    wire = story(rng, VOCAB, 700)
    sentences = wire.split(". ")
    excerpt = ". ".join(sentences[: int(len(sentences) * 0.4)]) + ".\n\n" + FOOTER
    local = [story(rng, VOCAB, 250), story(rng, VOCAB, 300)]
    expanded = "\n\n".join([local[0], wire, local[1]])
    return wire, excerpt, expanded


def chinese(seed: int) -> tuple[str, str, str]:
    rng = random.Random(seed)
    wire = "\n\n".join(chinese_story(rng, 300) for _ in range(5))
    excerpt = wire[: int(len(wire) * 0.45)] + "\n\n阅读全文：https://news.example.cn/2025/0508/a.html"
    expanded = chinese_story(rng, 500) + "\n\n" + wire + "\n\n" + chinese_story(rng, 400)
    return wire, excerpt, expanded


STORIES = [pytest.param(english, s, id=f"english-{s}") for s in range(4)] + \
          [pytest.param(chinese, s, id=f"chinese-{s}") for s in range(4)]


@pytest.mark.parametrize(("make", "seed"), STORIES)
def test_excerpt_found_on_arrival_whichever_comes_first(make, seed):
    wire, excerpt, _ = make(seed)
    # The full story first: the excerpt's own verdict says so when it is added.
    index = Index()
    index.add(Article(id="wire", text=wire))
    verdict = index.add(Article(id="excerpt", text=excerpt))
    assert (verdict.relation, verdict.original) == ("excerpt", "wire")
    assert verdict.containment >= 0.8 and verdict.similarity < 0.8
    # The excerpt first: the full story joins it and, being the fuller text, becomes
    # the original (one add at a time, no batch step).
    index = Index()
    assert index.add(Article(id="excerpt", text=excerpt)).original == "excerpt"
    verdict = index.add(Article(id="wire", text=wire))
    assert verdict.cluster == index.get("excerpt").cluster
    assert verdict.reattributed["new_original"] == "wire"
    later = index.get("excerpt")
    assert (later.relation, later.original, later.duplicate) == ("excerpt", "wire", True)


@pytest.mark.parametrize(("make", "seed"), STORIES)
def test_expanded_found_on_arrival_whichever_comes_first(make, seed):
    wire, _, expanded = make(seed)
    for order in (["wire", "expanded"], ["expanded", "wire"]):
        texts = {"wire": wire, "expanded": expanded}
        index = Index()
        for article_id in order:
            index.add(Article(id=article_id, text=texts[article_id],
                              source="Xinhua" if article_id == "wire" else "Herald"))
        verdict = index.get("expanded")
        assert (verdict.relation, verdict.original) == ("expanded", "wire"), order
        assert verdict.containment >= 0.8


def test_partial_detection_among_many_articles_one_at_a_time():
    """Excerpts among unrelated stories, each added with Index.add as a stream would."""
    rng = random.Random(77)
    articles, expected = [], {}
    for i in range(12):
        wire, excerpt, expanded = english(100 + i)
        articles += [Article(id=f"w{i}", text=wire, source="AP"),
                     Article(id=f"e{i}", text=excerpt),
                     Article(id=f"x{i}", text=expanded)]
        expected[f"e{i}"], expected[f"x{i}"] = ("excerpt", f"w{i}"), ("expanded", f"w{i}")
    articles += [Article(id=f"n{i}", text=story(rng, VOCAB, 300)) for i in range(30)]
    rng.shuffle(articles)
    index = Index()
    for article in articles:
        index.add(article)
    for article_id, (relation, original) in expected.items():
        verdict = index.get(article_id)
        assert (verdict.relation, verdict.original) == (relation, original), article_id
    assert all(not index.get(f"n{i}").duplicate for i in range(30))


def test_a_shared_paragraph_is_not_an_excerpt():
    rng = random.Random(5)
    wire = story(rng, VOCAB, 700)
    sentences = wire.split(". ")
    quoted = ". ".join(sentences[10:15]) + "."  # about a tenth of the story
    other = "\n\n".join([story(rng, VOCAB, 150), quoted, story(rng, VOCAB, 150)])
    index = Index()
    index.add(Article(id="wire", text=wire))
    verdict = index.add(Article(id="other", text=other))
    assert not verdict.duplicate and verdict.relation is None


def with_figures(rng: random.Random, words: list[str]) -> str:
    """A templated report: the same words every day, the day's four figures (index
    levels, a rate) in its opening lines."""
    return " ".join(w + (f" {rng.randint(100, 999)}.{rng.randint(10, 99)}" if i in (5, 15, 25, 35)
                         else "") for i, w in enumerate(words))


def test_an_excerpt_of_a_template_with_other_figures_is_not_a_copy():
    """The first 40 % of Tuesday's market report, whose passages are Monday's word for
    word: the figures differ, so it is not an excerpt of Monday's, while the same cut of
    Monday's own report is."""
    rng = random.Random(13)
    template = story(rng, VOCAB, 700).split()
    monday, tuesday = with_figures(rng, template), with_figures(rng, template)
    cut = int(len(template) * 0.4)
    index = Index()
    index.add(Article(id="monday", text=monday))
    brief = index.add(Article(id="tuesday-brief", text=" ".join(tuesday.split()[:cut])))
    assert not brief.duplicate and brief.relation is None, brief.why
    own = index.add(Article(id="monday-brief", text=" ".join(monday.split()[:cut])))
    assert own.original == "monday" and own.relation == "excerpt"


def test_whole_copies_stay_near_not_partial():
    rng = random.Random(9)
    wire = story(rng, VOCAB, 500)
    index = Index()
    index.add(Article(id="wire", text=wire, source="Reuters"))
    verdict = index.add(Article(id="copy", text="Posted by the metro desk.\n\n" + wire))
    assert verdict.relation == "near" and verdict.original == "wire"


def _keys(hits: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Passage keys for len(hits) passages; passage i is in 'theirs' when hits[i]."""
    # distinct in their top 32 bits: what verification compares of a passage key
    mine = np.arange(1, 1 + PASSAGE_BANDS * len(hits), dtype=np.uint64) << np.uint64(32)
    theirs = np.concatenate([mine[i * PASSAGE_BANDS:(i + 1) * PASSAGE_BANDS][:1]
                             for i, hit in enumerate(hits) if hit] or [np.zeros(0, np.uint64)])
    return mine, theirs


@pytest.mark.parametrize(("hits", "expected"), [
    ([False, True, True, True, False], 1.0),  # the edges straddle the shared text
    ([True, True, False, True, True, True], 0.75),  # a gap inside counts
    ([False, True, True, False], 0.5),  # four passages: too few to leave any out
    ([True, True, False], 2 / 3),
    ([False, False, False, False], 0.0),
    ([], 0.0),
])
def test_passage_containment_leaves_out_the_edge_passages(hits, expected):
    mine, theirs = _keys(hits)
    assert passage_containment(mine, theirs) == pytest.approx(expected)


BRIEF = ("Tarrow Mining Co, a unit of Elsmere Holdings, said it is lowering its copper cathode "
         "price by half a cent to 65 cents a pound, effective immediately, citing weaker demand "
         "from wire and cable makers in the Midwest.")


def test_a_wire_brief_of_thirty_odd_shingles_joins_its_copy_with_a_line_of_its_own():
    """A 38-word brief (34 shingles) and a site's copy that adds a closing line: the
    brief is wholly inside the copy, which is more than 1/0.85 times its length. Below
    the old `min_shingles` (40) such a pair was never judged (Reuters-based bench:
    whole-story copies of briefs with a local intro, trimmed briefs)."""
    copy = BRIEF + "\n\nShares of the parent closed at their highest in two months on Thursday."
    index = Index()
    index.add(Article(id="wire", text=BRIEF, source="Reuters"))
    verdict = index.add(Article(id="copy", text=copy, source="Herald"))
    assert (verdict.relation, verdict.original) == ("expanded", "wire"), verdict.why
    old = Index(Config(min_shingles=40))
    old.add(Article(id="wire", text=BRIEF, source="Reuters"))
    assert not old.add(Article(id="copy", text=copy, source="Herald")).duplicate


def test_a_templated_notice_under_thirty_shingles_stays_apart():
    """Notices of one template in the same words (a prime-rate rise by two banks): the
    shorter (27 shingles) lies wholly inside the longer, whose numbers agree. The
    floor keeps them apart (with a floor of 20 it would be an excerpt); Reuters-21578
    has such notices at 20-29 shingles, none at 30-39 (dedup/config.py)."""
    notice = ("Harwick said it is raising its prime lending rate to 7-3/4 pct from 7-1/2 pct, "
              "effective immediately, and its broker loan rate to 7-1/2 pct.")
    other = ("Corland Bank, the main bank subsidiary of Corland Financial Corp, said it is raising "
             "its prime lending rate to 7-3/4 pct from 7-1/2 pct, effective immediately, and its "
             "broker loan rate to 7-1/2 pct. Most major banks now post the rate, which Citibank "
             "was first to raise on Tuesday.")
    for config, joins in ((Config(), False), (Config(min_shingles=20), True)):
        index = Index(config)
        index.add(Article(id="other", text=other, source="Reuters"))
        verdict = index.add(Article(id="notice", text=notice, source="Reuters"))
        assert verdict.duplicate == joins, verdict.why
