"""The site-chrome rule: paragraphs, per site, and copies of one story never counted twice."""

import random
import textwrap

import pytest

from dedup import Article, Config, Index
from dedup.chrome import (
    SHORT_SKETCH,
    ChromeCounts,
    Observation,
    chrome_key,
    drop_chrome,
    observe,
    pack_witnesses,
    paragraphs,
    same_story,
    site_key,
    unpack_witnesses,
)
from dedup.normalize import line_key

from .textgen import chinese_story, story, vocabulary

VOCAB = vocabulary()
HEADER = "Home | World | Business | Sport\nThe Valley Gazette - your news, every day"
FOOTER = ("Share this story\nLeave a Reply\nYour email address will not be published.\n"
          "Back To Top")


def wrapped(text: str, width: int) -> str:
    """``text`` hard-wrapped at ``width`` columns, paragraphs kept apart by blank lines."""
    return "\n\n".join(textwrap.fill(p, width) for p in text.split("\n\n"))


def wire_story(seed: int = 1, words: int = 400) -> str:
    rng = random.Random(seed)
    return story(rng, VOCAB, words)


def test_paragraphs_rejoin_hard_wrapped_lines_and_keep_others():
    text = wire_story(2)
    body = paragraphs(wrapped(text, 70))
    assert body == [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    framed = HEADER + "\n" + wrapped(text, 68) + "\n" + FOOTER
    assert paragraphs(framed)[:2] == HEADER.splitlines()
    assert paragraphs(framed)[-4:] == FOOTER.splitlines()
    plain = "Leave a Reply\nA paragraph on one line that runs on and on " + "word " * 40
    assert paragraphs(plain) == [line.strip() for line in plain.splitlines()]


def test_a_wrap_is_seen_past_a_link_line_and_short_chrome_lines():
    """A closing link is one word wider than the wrap (a word is never broken), and a
    short wire item wrapped between a site's many short lines has few full lines: the
    width comes from lines of two words or more, and the full lines must hold most of the
    text's columns, not most of its lines (issue 15)."""
    body = ("The harbour board said on Tuesday that the new crane would double the number "
            "of ships it can unload in a day. It expects the first of them in the spring, "
            "after the quay is rebuilt.")
    link = "https://www.example-wire.com/article/harbour-board-orders-a-second-crane-for-the-quay-idUS1234"
    chrome = ["Home » World » News", "Leave a Reply", "Comment", "Name *", "Email *",
              "Website", "Post navigation", "Back To Top"]
    text = "\n\n".join([*chrome[:1], textwrap.fill(body, 62), link, *chrome[1:]])
    full = len([line for line in textwrap.wrap(body, 62) if len(line) >= 42])
    assert 3 <= full < 0.4 * len([line for line in text.splitlines() if line])  # by count: few
    assert 62 + 20 < len(link) <= 110  # the link alone would set the width
    assert paragraphs(text) == [chrome[0], body, link, *chrome[1:]]
    # Lines of a list, of one width but with most columns in long paragraphs, stay apart.
    prose = "A long paragraph on one line, as a page gives it. " * 8
    items = ["Harbour board orders a second crane for the quay",
             "Ferry fares rise by a tenth from the first of May",
             "Rain delays the rebuilding of the north quay again"]
    listed = "\n".join([prose, *items, prose])
    assert paragraphs(listed) == [prose.strip(), *items, prose.strip()]


def test_a_chrome_line_broken_in_two_goes_as_a_whole():
    """A site's comment-form line wrapped in a text whose wrap is not recognised (a table
    of short rows) leaves two short pieces; together they are the chrome line, and both go
    (issue 15)."""
    line = "Save my name, email, and website in this browser for the next time I comment."
    rows = "\n".join(["Shr 60 cts vs 54 cts", "Net 5,726,000 vs 4,623,000", "Nine mths"])
    broken = "\n".join(textwrap.wrap(line, 70))
    assert paragraphs(rows + "\n" + broken)[-2:] == textwrap.wrap(line, 70)
    site = site_key("The Valley Gazette", None)
    chrome = {chrome_key(site, line_key(line, 16))}
    assert drop_chrome(rows + "\n" + broken, chrome, site, 16) == rows
    # Two pieces that are not a chrome line together stay.
    assert drop_chrome(rows + "\nSave my name\nfor the record", chrome, site, 16).endswith(
        "Save my name\nfor the record")


def test_lines_of_wide_characters_rejoin_without_a_space():
    """Chinese text wrapped by width breaks wherever the width runs out, inside a number
    too: such lines rejoin with nothing between them (issue 15), others with a space."""
    rng = random.Random(5)
    text = chinese_story(rng, 300) + "2015年10月，产量同比增长20.8%。" + chinese_story(rng, 200)
    lines = [text[k:k + 35] for k in range(0, len(text), 35)]
    assert any(line[-1].isdigit() and after[0].isdigit()
               for line, after in zip(lines, lines[1:], strict=False))  # a number broken
    assert paragraphs("\n".join(lines)) == [text]


def test_hard_wrapped_copies_of_a_wire_cluster_with_it():
    """Three copies that only re-wrap the wire story at ~70 columns and add a
    site's header and footer (the issue's reproduction): the wrapped body lines
    are short lines shared by three articles, which the old rule took for chrome."""
    text = wire_story(3)
    articles = [Article(id="wire", text=text, source="Xinhua")]
    for i, width in enumerate((70, 70, 72)):
        articles.append(Article(id=f"copy{i}", text=HEADER + "\n\n" + wrapped(text, width) +
                                "\n\n" + FOOTER, source=f"Site {i}"))
    for same_site in (False, True):  # copies on three sites, or on one site
        if same_site:
            articles = [articles[0]] + [Article(id=a.id, text=a.text, source="Site 0")
                                        for a in articles[1:]]
        index = Index()
        index.add_many(articles, verdicts=False)
        verdicts = {v.id: v for v in index.verdicts()}
        for i in range(3):
            copy = verdicts[f"copy{i}"]
            assert copy.original == "wire" and copy.relation == "near", copy
            assert copy.similarity >= 0.85


def test_copies_of_one_story_with_no_site_do_not_make_its_lines_chrome():
    """No source, no URL: every article is in one pool. Copies of one story
    share their short paragraphs; those are content, not chrome."""
    text = wire_story(4)
    short = "\n\n".join(f"Brief point number {n} was made." for n in range(6))
    copies = [Article(id=f"c{i}", text=wrapped(text, 66 + i) + "\n\n" + short) for i in range(4)]
    index = Index()
    assert index.learn_chrome(copies) == 0


def test_a_sites_short_lines_become_its_chrome_not_another_sites():
    stories = [Article(id=f"a{i}", text=HEADER + "\n\n" + wire_story(10 + i) + "\n\n" + FOOTER,
                       source="The Valley Gazette") for i in range(3)]
    other = Article(id="b", text=HEADER + "\n\n" + wire_story(20) + "\n\n" + FOOTER,
                    source="Another Site")
    index = Index()
    index.learn_chrome(stories)
    gazette = site_key("The Valley Gazette", None)
    chrome = index._store.chrome()
    assert observe(stories[0].text, gazette, 12).keys <= chrome  # header and footer lines
    assert not observe(other.text, site_key("Another Site", None), 12).keys & chrome


def test_by_default_a_line_is_chrome_from_its_third_dissimilar_article():
    stories = [Article(id=f"a{i}", text=HEADER + "\n\n" + wire_story(30 + i),
                       source="The Valley Gazette") for i in range(3)]
    header = observe(stories[0].text, site_key("The Valley Gazette", None), 12).keys
    assert len(header) == 2
    index = Index()
    assert index.config.chrome_min_docs == 3
    index.learn_chrome(stories[:2])
    assert not header & index._store.chrome()  # two sites' worth of stories: not yet
    index.learn_chrome(stories[2:])
    assert header <= index._store.chrome()


def test_a_sites_chrome_is_taken_out_before_fingerprinting():
    """Once the Gazette's header and footer are its chrome, its copy of a wire story is
    the wire's text exactly (same content hash): nothing of the frame is left."""
    gazette = [Article(id=f"g{i}", text=HEADER + "\n\n" + wire_story(40 + i) + "\n\n" + FOOTER,
                       source="The Valley Gazette") for i in range(3)]
    text = wire_story(50)
    index = Index()
    index.add_many(gazette)
    index.add(Article(id="wire", text=text, source="Xinhua"))
    copy = index.add(Article(id="copy", text=HEADER + "\n\n" + text + "\n\n" + FOOTER,
                             source="The Valley Gazette"))
    assert (copy.original, copy.relation, copy.similarity) == ("wire", "exact", 1.0)
    elsewhere = index.add(Article(id="other-site", text=HEADER + "\n\n" + text + "\n\n" +
                                  FOOTER, source="Another Site"))  # not its chrome there
    assert elsewhere.original == "wire" and elsewhere.relation == "near"


def table(seed: int) -> str:
    """A results table: every paragraph a short row (no long paragraph to sketch)."""
    rng = random.Random(seed)
    rows = [f"{name} {rng.randint(10, 99)} cts vs {rng.randint(10, 99)} cts"
            for name in ("Shr", "Net", "Revs", "Avg shrs", "Oper shr", "Oper net")]
    rows += [f"Nine mths {rng.randint(1000, 9999)} vs {rng.randint(1000, 9999)}",
             f"Quarter ended {rng.choice(['March', 'June'])} {rng.randint(1, 28)}"]
    return "\n\n".join(rows)


def test_copies_of_a_table_on_one_site_keep_their_rows():
    """Three copies of one results table on one site, among the site's other stories:
    the rows are short paragraphs seen in three articles of the site, and a text with
    no long paragraph had an empty sketch, so the rows became the site's chrome and
    the copies lost their body. Sketched by their short paragraphs, the copies are one
    story; the site's header and footer still become its chrome."""
    gazette = [Article(id=f"g{i}", text=HEADER + "\n\n" + wire_story(60 + i) + "\n\n" + FOOTER,
                       source="The Valley Gazette") for i in range(3)]
    copies = [Article(id=f"t{i}", text=HEADER + "\n\n" + table(7) + "\n\n" + FOOTER,
                      source="The Valley Gazette") for i in range(3)]
    site = site_key("The Valley Gazette", None)
    sketch = observe(copies[0].text, site, 16).sketch
    assert sketch[0] == SHORT_SKETCH and len(sketch) == 8
    index = Index()
    index.add(Article(id="wire", text=table(7), source="Reuters"))
    index.add_many(gazette + copies)
    chrome = index._store.chrome()
    assert observe(gazette[0].text, site, 16).keys <= chrome  # header and footer
    assert not observe(table(7), site, 16).keys & chrome  # the rows are not
    assert all(index.get(c.id).original == "wire" for c in copies)


def test_different_tables_on_one_site_still_make_its_chrome():
    """Tables of different companies share only the site's frame: their short-paragraph
    sketches share fewer than SAME_SHORT_STORY keys, so each counts for the frame."""
    tables = [Article(id=f"t{i}", text=HEADER + "\n\n" + table(80 + i) + "\n\n" + FOOTER,
                      source="The Valley Gazette") for i in range(3)]
    site = site_key("The Valley Gazette", None)
    sketches = [observe(t.text, site, 16).sketch for t in tables]
    assert not any(same_story(a, b) for a in sketches for b in sketches if a is not b)
    index = Index()
    index.learn_chrome(tables)
    frame = observe(HEADER + "\n\n" + FOOTER, site, 16).keys
    assert frame <= index._store.chrome()
    assert not same_story((SHORT_SKETCH, 1, 2, 3), (1, 2, 3, 4))  # one of each kind


def test_site_is_the_source_else_the_url_host():
    assert site_key(" The  Valley Gazette", None) == site_key("the valley gazette", "x")
    assert site_key(None, "https://www.gazette.example/a") == \
        site_key(None, "http://gazette.example/b")
    assert site_key(None, None) == 0 != site_key(None, "https://other.example/")


def test_a_line_counts_once_per_story():
    a, b = (1, 2, 3, 4, 5, 6, 7, 8), (11, 12, 13, 14, 15, 16, 17, 18)
    copy_of_a = (1, 2, 3, 40, 50, 60, 70, 80)  # three long paragraphs in common
    assert same_story(a, copy_of_a) and not same_story(a, b) and not same_story((), a)
    counts = ChromeCounts(3)
    line = frozenset({99})
    counts.observe([Observation(line, a), Observation(line, copy_of_a), Observation(line, a)])
    assert counts.chrome == frozenset() and counts.entries[99][0] == 1
    counts.observe([Observation(line, b), Observation(line, (21, 22, 23))])
    assert counts.chrome == frozenset({99}) and counts.entries[99][2] == []
    assert counts.seen == 5


def test_lines_of_evicted_articles_are_forgotten_but_chrome_stays():
    counts = ChromeCounts(3)
    counts.observe([Observation(frozenset({1, 2}), (i,)) for i in range(3)])
    counts.observe([Observation(frozenset({5}), (9,))])  # seen 4
    assert counts.age(horizon=4) == []
    assert counts.age(horizon=5) == [5] and 1 in counts.chrome and 5 not in counts.entries


def test_witnesses_pack_and_unpack():
    witnesses = [(1, 2, 3), (), (4294967295,) * 8]
    assert unpack_witnesses(pack_witnesses(witnesses)) == witnesses


def test_retention_bounds_the_chrome_counts():
    """A stream with max_docs keeps no counts for lines only evicted articles had."""
    rng = random.Random(5)
    index = Index(max_docs=100)
    for i in range(5000):
        lines = [" ".join(rng.choice(VOCAB) for _ in range(4)) for _ in range(3)]
        body = story(rng, VOCAB, 60)
        index.add(Article(id=f"s{i}", text="\n\n".join(lines) + "\n\n" + body, source="Site"))
    # ~15,000 distinct short lines went by (paragraphs of their own: lines run into the
    # story would be rejoined with it); only those of recent articles are kept (~3,100)
    assert len(index._store._chrome.entries) < 3 * (100 + 4096)


def test_config_can_turn_the_rule_off():
    text = wire_story(6)
    copies = [Article(id=f"c{i}", text=HEADER + "\n" + text, source="S") for i in range(3)]
    assert Index(Config(chrome_min_docs=10**6)).learn_chrome(copies) == 0



@pytest.mark.parametrize(("min_docs", "seed"), [(3, 0), (3, 1), (2, 2), (1, 3), (5, 4)])
def test_the_counts_are_dedup_0_2s(min_docs, seed):
    """The core's counts (src/chrome_counts.rs) give the Python counts' entries,
    changes, chrome and ageing, observation by observation: lines shared by copies
    of a story and by different stories, sketches of every length, reloading."""
    from tests.reference.chrome_counts import ChromeCounts as Reference

    rng = random.Random(seed)
    stories = [tuple(sorted(rng.sample(range(200), rng.randint(0, 8)))) for _ in range(40)]
    mine, theirs = ChromeCounts(min_docs), Reference(min_docs)
    for step in range(60):
        batch = []
        for _ in range(rng.randint(1, 12)):
            story = list(rng.choice(stories))
            if story and rng.random() < 0.3:  # a copy with a paragraph of its own
                story[rng.randrange(len(story))] = rng.randrange(200, 300)
            keys = frozenset(rng.sample(range(60), rng.randint(0, 5)))
            batch.append(Observation(keys, tuple(sorted(set(story)))))
        assert mine.observe(batch) == theirs.observe(batch)
        assert mine.chrome == frozenset(theirs._chrome) and mine.seen == theirs.seen
        assert dict(mine.entries.items()) == theirs.entries
        if step % 15 == 14:
            horizon = mine.seen - rng.randint(5, 40)
            assert sorted(mine.age(horizon)) == sorted(theirs.age(horizon))
    reloaded = ChromeCounts(min_docs)
    for key, (count, last, witnesses) in theirs.entries.items():
        reloaded.load(key, count, last, witnesses)
    assert dict(reloaded.entries.items()) == theirs.entries and reloaded.chrome == mine.chrome
    with pytest.raises(ValueError, match="at most 8 keys"):
        reloaded.load(1, 1, 1, [tuple(range(9))])
    packed = ChromeCounts(min_docs)  # as an index file is opened: the rows in one call
    packed.load_packed([(key, count, last, pack_witnesses(witnesses))
                        for key, (count, last, witnesses) in theirs.entries.items()])
    assert dict(packed.entries.items()) == theirs.entries and packed.chrome == mine.chrome


@pytest.mark.parametrize("damaged", [b"\x02" + b"\x00" * 7, b"\x09" + b"\x00" * 36, b"\x01\x00"])
def test_a_damaged_packing_restores_nothing(damaged):
    counts = ChromeCounts(1)
    good = (7, 1, 1, pack_witnesses([(1, 2)]))
    with pytest.raises(ValueError, match="damaged chrome witnesses"):
        counts.load_packed([good, (8, 1, 1, damaged)])
    assert len(counts.entries) == 0 and counts.chrome == frozenset()
    with pytest.raises(ValueError, match="damaged chrome witnesses"):
        unpack_witnesses(damaged)  # the Redis records read the same way


def test_the_chrome_row_checksum_is_the_general_rule():
    from dedup.storage.sqlite_format import checksum, chrome_checksum

    rows = [(-(1 << 63), 0, 0, b""), ((1 << 63) - 1, 2**32 - 1, 2**63, b"\x01abcd"),
            (5, 3, 17, pack_witnesses([(1, 2, 3), ()])), (5, None, "x", b"")]
    for row in rows:
        assert chrome_checksum(*row) == checksum(*row)
