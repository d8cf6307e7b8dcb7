"""Origin attribution: the ranking, its evidence, conflicts, and credit-only origins."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from dedup import Article, Index
from dedup.attribution import Member, choose_original, conflicts, origin_source

from .textgen import story, vocabulary

VOCAB = vocabulary()
T0 = datetime(2025, 5, 8, 10, 0, tzinfo=UTC)


def member(id, *, wire=None, credited=(), published=None, size=100, arrival=0, source=None):
    return Member(id, source or id, None, published, size, arrival, wire,
                  f"source {source or id!r}" if wire else None, tuple(credited),
                  f"Source: {credited[0]}" if credited else None)


# (members, expected original, the reason it gives)
RANKING = [
    pytest.param([member("copy", credited=["Xinhua"], published=T0 - timedelta(hours=1)),
                  member("wire", wire="Xinhua", published=T0, arrival=1)],
                 "wire", "original: published by wire Xinhua (source 'wire')", id="wire-beats-all"),
    pytest.param([member("early", published=T0 - timedelta(hours=2)),
                  member("credited", credited=["AP"], published=T0, arrival=1)],
                 "credited", "original: its credit line names AP", id="credit-beats-date"),
    pytest.param([member("full", published=T0, size=500),
                  member("early", published=T0 - timedelta(minutes=5), size=200, arrival=1)],
                 "early", "original: earliest published: 2025-05-08T09:55:00Z (next: "
                 "2025-05-08T10:00:00Z)", id="date-beats-size"),
    pytest.param([member("dated", published=T0, arrival=1), member("undated", size=900)],
                 "dated", "original: earliest published: 2025-05-08T10:00:00Z (next: no date)",
                 id="no-date-ranks-last"),
    pytest.param([member("short", size=200), member("full", size=300, arrival=1)],
                 "full", "original: fullest text (300 shingles vs 200)", id="fuller-text"),
    pytest.param([member("first"), member("second", arrival=1)],
                 "first", "original: first seen (no other evidence tells the copies apart)",
                 id="first-seen"),
    pytest.param([member("xh-late", wire="Xinhua", published=T0, arrival=0),
                  member("xh-early", wire="Xinhua", published=T0 - timedelta(minutes=1),
                         arrival=1)],
                 "xh-early", "original: earliest copy from wire Xinhua: 2025-05-08T09:59:00Z "
                 "(next: 2025-05-08T10:00:00Z)", id="two-wire-copies-by-date"),
]


@pytest.mark.parametrize(("members", "original", "reason"), RANKING)
def test_ranking_and_its_reason(members, original, reason):
    best, why = choose_original(members)
    assert best.id == original
    assert why[0] == reason
    # The order members arrive in does not change the decision.
    best_reversed, _ = choose_original(list(reversed(members)))
    assert best_reversed.id == original


def test_origin_source_prefers_the_wire_then_credit_votes():
    wire = member("wire", wire="Reuters")
    copy = member("copy", credited=["Reuters"])
    assert origin_source(wire, [wire, copy]) == ("Reuters", [])
    a, b, c = (member("a", credited=["AP"]), member("b", credited=["AP"]),
               member("c", credited=["Xinhua"]))
    origin, why = origin_source(c, [a, b, c])
    assert origin == "AP"
    assert why == ["origin AP: named by the credit line of 2 of 3 articles (its own copy is not "
                   "in the index)"]
    # A tie goes to what the original itself credits.
    assert origin_source(c, [a, c])[0] == "Xinhua"
    plain = member("plain", source="Daily Harbor")
    assert origin_source(plain, [plain]) == ("Daily Harbor", [])


def test_conflicts_are_reported():
    wire = member("wire", wire="Xinhua", published=T0)
    early = member("early", credited=["AP"], published=T0 - timedelta(minutes=30))
    notes = conflicts(wire, [wire, early])
    assert notes == ["conflict: more than one wire named in this cluster: AP, Xinhua",
                     "conflict: 'early' is dated 2025-05-08T09:30:00Z, before the wire's own "
                     "copy (2025-05-08T10:00:00Z)"]
    assert conflicts(wire, [wire, member("later", published=T0 + timedelta(hours=1))]) == []


# -- through the index ---------------------------------------------------------------


@pytest.fixture
def text():
    return story(random.Random(41), VOCAB, 400)


def test_copy_crawled_before_the_wire_the_wire_still_wins(text):
    index = Index()
    early = index.add(Article(id="herald", text=text + "\n\nSource: Xinhua", source="Herald",
                              published=T0 - timedelta(minutes=20)))
    assert early.original == "herald" and early.origin_source == "Xinhua"
    verdict = index.add(Article(id="xinhua-1", text="BEIJING, May 8 (Xinhua) -- " + text,
                                source="Xinhua News Agency", published=T0))
    assert verdict.reattributed["old_original"] == "herald"
    assert verdict.reattributed["new_original"] == "xinhua-1"
    copy = index.get("herald")
    assert copy.original == "xinhua-1" and copy.duplicate and copy.origin_source == "Xinhua"
    assert "original: published by wire Xinhua (source 'Xinhua News Agency')" in copy.why
    assert "conflict: 'herald' is dated 2025-05-08T09:40:00Z, before the wire's own copy " \
           "(2025-05-08T10:00:00Z)" in copy.why


def test_wire_recognised_by_its_url_domain(text):
    index = Index()
    index.add(Article(id="site", text=text, source="Metro Ledger", published=T0))
    index.add(Article(id="xh", text=text, url="https://english.news.cn/20250508/abc/c.html",
                      published=T0 + timedelta(hours=1)))
    verdict = index.get("site")
    assert verdict.original == "xh" and verdict.origin_source == "Xinhua"
    assert "original: published by wire Xinhua (URL https://english.news.cn/20250508/abc/c.html)" \
        in verdict.why


def test_copy_with_no_date_is_not_the_original(text):
    index = Index()
    index.add(Article(id="undated", text=text + " Extra closing words here for length."))
    index.add(Article(id="dated", text=text, published=T0))
    verdict = index.get("undated")
    assert verdict.original == "dated"
    assert "original: earliest published: 2025-05-08T10:00:00Z (next: no date)" in verdict.why


def test_two_wires_credited(text):
    index = Index()
    index.add(Article(id="a", text="WASHINGTON (AP) — " + text, source="Metro Ledger",
                      published=T0))
    index.add(Article(id="b", text=text + "\n\nSource: AP", source="Daily Harbor",
                      published=T0 + timedelta(minutes=5)))
    index.add(Article(id="c", text=text + "\n\nSource: Xinhua", source="Lakeside Courier",
                      published=T0 + timedelta(minutes=9)))
    verdicts = [index.get(x) for x in "abc"]
    assert {v.cluster for v in verdicts} == {verdicts[0].cluster}
    assert all(v.original == "a" and v.origin_source == "AP" for v in verdicts)
    assert all("conflict: more than one wire named in this cluster: AP, Xinhua" in v.why
               for v in verdicts)


def test_credit_only_origin_when_the_wire_copy_is_absent(text):
    index = Index()
    for i, (site, credit) in enumerate([("Metro Ledger", "WASHINGTON (AP) — "),
                                        ("Daily Harbor", "Associated Press: "),
                                        ("Prairie Post", "")]):
        body = credit + text if credit else text + "\n\nSource: AP"
        index.add(Article(id=f"copy-{i}", text=body, source=site,
                          published=T0 + timedelta(minutes=i)))
    verdicts = [index.get(f"copy-{i}") for i in range(3)]
    assert all(v.origin_source == "AP" for v in verdicts)
    assert verdicts[0].original == "copy-0"
    assert any(w.startswith("origin AP: named by the credit line of") and
               w.endswith("(its own copy is not in the index)") for w in verdicts[1].why)
    assert all(not any(w.startswith("conflict") for w in v.why) for v in verdicts)
