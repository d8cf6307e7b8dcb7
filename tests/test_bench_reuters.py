"""The Reuters-21578 reader and the corpus built from it (bench/reuters.py, reuters_corpus.py).

The reader is tested on SGML written here in the collection's layout; the corpus on the collection
itself, read from ../shared/data/reuters21578 (skipped when absent).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.reuters import REUTERS_DIR, parse, stories

HAS_REUTERS = any(Path(REUTERS_DIR).glob("reut2-*.sgm"))


def _body(template: str, count: int) -> str:
    """A hard-wrapped body in the collection's style: indented paragraphs, wrapped lines."""
    sentences = [template.format(k=k) for k in range(count)]
    paragraphs = [" ".join(sentences[k : k + 2]) for k in range(0, count, 2)]
    wrapped = []
    for p in paragraphs:
        words, lines, line = p.split(), [], ""
        for w in words:
            if len(line) + len(w) > 64:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        lines.append(line)
        wrapped.append("\n".join(lines))
    return "    " + "\n    ".join(wrapped) + "\n Reuter\n&#3;"


def _item(newid: int, date: str, title: str, body: str,
          dateline: str = "EASTMERE, March 3 - ") -> str:
    return (f'<REUTERS TOPICS="YES" NEWID="{newid}">\n<DATE>{date}</DATE>\n'
            f"<TOPICS><D>ship</D></TOPICS>\n<TEXT>&#2;\n<TITLE>{title}</TITLE>\n"
            f"<DATELINE>    {dateline}</DATELINE><BODY>{body}</BODY></TEXT>\n</REUTERS>\n")


FERRY = "The harbour board of Eastmere voted {k} times on the ferry timetable for pier {k}."
CANAL = "Canal barge operators in Foxhollow counted {k} new locks along stretch {k} this spring."
TABLE = "Shr 12 cts vs 10 cts\n    Net 1,200,000 vs 990,000\n    Revs 8.1 mln vs 7.4 mln\n Reuter"
SGML = "".join([
    _item(1, " 3-MAR-1987 09:01:02.11", "EASTMERE FERRY TIMETABLE CHANGES", _body(FERRY, 12)),
    _item(2, " 3-MAR-1987 11:30:00.00", "EASTMERE  FERRY TIMETABLE CHANGES",
          _body(FERRY, 12).replace("pier 11.", "pier eleven.")),
    _item(3, " 4-MAR-1987 08:00:00.00", "FOXHOLLOW CANAL LOCKS COUNTED", _body(CANAL, 12)),
    _item(4, " 4-MAR-1987 10:00:00.00", "FERRY TIMETABLE VOTE FOLLOW-UP",
          _body(FERRY, 4) + _body(CANAL.replace("Canal", "River"), 8)),
    _item(5, " 5-MAR-1987 12:00:00.00", "GLENROCK MILLS INC 4TH QTR NET", "    " + TABLE),
    '<REUTERS NEWID="6">\n<DATE> 5-MAR-1987 12:00:00.00</DATE>\n<TEXT TYPE="BRIEF">\n'
    "<TITLE>HEADLINE ONLY</TITLE>\n</TEXT>\n</REUTERS>\n",
])


def test_parse_reads_items_as_the_wire_wrote_them():
    items = list(parse(SGML))
    assert [i.newid for i in items] == [1, 2, 3, 4, 5]  # the brief without a body is not an item
    first = items[0]
    assert first.dateline == "EASTMERE, March 3 - " and first.signed
    assert first.when.isoformat() == "1987-03-03T09:01:02+00:00"
    assert len(first.paragraphs) == 6  # indented paragraphs, their hard wraps rejoined
    assert first.paragraphs[0] == (FERRY.format(k=0), FERRY.format(k=1))
    assert "Reuter" not in first.body
    assert items[4].table and not first.table


def test_stories_group_resends_and_leave_out_the_ambiguous():
    found, counts = stories(list(parse(SGML)), min_words=60, min_table_words=10)
    by_first = {s.original.newid: [i.newid for i in s.items] for s in found}
    assert by_first[1] == [1, 2]  # same title (spacing aside), near-identical body: a re-send
    assert by_first[3] == [3]
    assert 4 not in by_first  # shares a third of story 1: neither a copy nor independent
    assert by_first[5] == [5]
    assert counts["resends"] == 1 and counts["left_out"] == 1 and counts["tables"] == 1


@pytest.mark.skipif(not HAS_REUTERS, reason=f"Reuters-21578 is not in {REUTERS_DIR} (it is read "
                    "from ../shared/data/reuters21578 and never copied into the repository)")
def test_reuters_corpus_holds_real_wire_text_and_every_shape():
    from bench.reuters_corpus import build

    records, truth, counts = build(1500, 3)
    assert len(records) == len(truth) == 1500
    assert [r["id"] for r in records] == [t["id"] for t in truth]
    assert counts["resends"] > 100 and counts["tables"] > 500
    parts = Counter(p for t in truth for p in t["transform"].split("+"))
    for shape in ("original", "resend", "wrapped", "joined", "edited", "excerpt", "chrome"):
        assert parts[shape] > 0, shape
    originals = [r for r, t in zip(records, truth, strict=True) if t["transform"] == "original"]
    assert all(r["source"] == "Reuters" for r in originals)
    assert sum(r["text"].endswith("Reuter") for r in originals) > 0.5 * len(originals)
    assert {t["kind"] for t in truth} == {"news", "template"}
    chrome = [r["text"] for r, t in zip(records, truth, strict=True) if "chrome" in t["transform"]]
    assert any("Leave a Reply" in text for text in chrome)
    assert any("Back To Top" in text for text in chrome)


@pytest.mark.skipif(not HAS_REUTERS, reason=f"Reuters-21578 is not in {REUTERS_DIR}")
def test_reuters_excerpts_are_of_news_and_keep_fifty_words():
    """Issue 15: version 1 excerpted earnings tables into two lines under dedup's 40-shingle
    minimum, a copy no reader would call one; templated items stay in as hard negatives."""
    from bench.reuters_corpus import MIN_EXCERPT, build

    records, truth, _ = build(3000, 1)
    excerpts = [(r, t) for r, t in zip(records, truth, strict=True) if "excerpt" in t["transform"]]
    assert len(excerpts) > 100
    assert all(t["kind"] == "news" for _, t in excerpts)
    assert sum(t["kind"] == "template" for t in truth) > 400
    for record, _ in excerpts:
        body = record["text"].split("Read the full story at")[0].split()
        assert len(body) >= MIN_EXCERPT, record["id"]
