"""The HTML cluster report: its data and static page, parsed (the browser test is separate)."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from statistics import median

import pytest
from click.testing import CliRunner

from dedup import Article, Index
from dedup.cli import EXIT_SKIPPED, cli
from dedup.htmlreport import build_report, embed_json, guess_lang, read_results, render_html
from dedup.sources import read_paths

from .conftest import EXAMPLES, ROOT

TRUTH = json.loads((ROOT / "tests" / "fixtures" / "examples_truth.json").read_text("utf-8"))
WORD = re.compile(r"\w+")


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


class Page(HTMLParser):
    """The parts of a report page the tests look at."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.scripts = {}  # id (or "" for the inline code) -> text
        self.script_tags = 0
        self.stats = {}
        self.origin_bars = []
        self.delay_bins = {}
        self.meta = {}
        self._script = None
        self._stat = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.script_tags += 1
            self._script = attrs.get("id", "")
            self.scripts[self._script] = ""
        elif tag == "dd" and "data-stat" in attrs:
            self._stat = attrs["data-stat"]
        elif tag == "li" and "data-origin" in attrs:
            self.origin_bars.append(attrs["data-origin"])
        elif tag == "g" and "data-label" in attrs:
            self.delay_bins[attrs["data-label"]] = int(attrs["data-copies"])
        elif tag == "meta" and "http-equiv" in attrs:
            self.meta[attrs["http-equiv"]] = attrs["content"]

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        self._stat = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[self._script] += data
        elif self._stat is not None:
            self.stats[self._stat] = data


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    batch = run("batch", str(EXAMPLES), "--with-text")
    assert batch.exit_code == 0, batch.stderr
    path = tmp_path_factory.mktemp("report") / "results.jsonl"
    path.write_text(batch.stdout, "utf-8")
    return path


@pytest.fixture(scope="module")
def page(results):
    out = results.parent / "report.html"
    result = run("report", str(results), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "5 clusters with copies, 17 copies" in result.stderr
    return Page(out.read_text("utf-8"))


@pytest.fixture(scope="module")
def data(page):
    report = json.loads(page.scripts["report-data"])
    texts = json.loads(page.scripts["report-texts"])
    for article in report["articles"]:
        if "text_index" in article:
            article["text"] = texts[article["text_index"]]
    return report


def test_with_text_adds_each_articles_text(results):
    lines = [json.loads(line) for line in results.read_text("utf-8").splitlines()]
    articles = {a.id: a for a in read_paths([str(EXAMPLES)]) if isinstance(a, Article)}
    assert len(lines) == 30
    for line in lines:
        assert line["text"] == articles[line["id"]].text
    ftse = json.loads((EXAMPLES / "sites" / "lakeside-courier" / "ftse-close.json").read_text())
    assert next(v for v in lines if v["id"] == ftse["id"])["text"] == ftse["text"]


def test_with_text_needs_per_article_json_lines():
    for extra in (["--clusters"], ["--format", "csv"]):
        result = run("batch", str(EXAMPLES), "--with-text", *extra)
        assert result.exit_code == 2
        assert "--with-text adds texts to per-article JSON Lines" in result.stderr


def test_overview_figures(page, data):
    assert page.stats == {"articles": "30", "clusters": "5", "copies": "17", "singletons": "8",
                          "median-delay": "49 min"}  # 2,947 s: see the delay histogram test
    ov = data["overview"]
    assert (ov["articles"], ov["clusters"], ov["copies"], ov["singletons"]) == (30, 5, 17, 8)
    copies_by_origin = {}
    for story in TRUTH["clusters"]:
        origin = story["origin_source"]
        copies_by_origin[origin] = copies_by_origin.get(origin, 0) + len(story["members"]) - 1
    assert {o["origin"]: o["copies"] for o in ov["top_origins"]} == copies_by_origin
    assert page.origin_bars == sorted(copies_by_origin, key=lambda o: -copies_by_origin[o])


def test_relation_counts(results, data):
    verdicts = [json.loads(line) for line in results.read_text("utf-8").splitlines()]
    expected = {}
    for v in verdicts:
        if v["duplicate"]:
            expected[v["relation"]] = expected.get(v["relation"], 0) + 1
    assert data["overview"]["relations"] == expected
    assert set(expected) == {"exact", "near", "excerpt", "expanded"}


def test_delay_histogram_counts_every_dated_copy(results, page, data):
    verdicts = {v["id"]: v for v in map(json.loads, results.read_text("utf-8").splitlines())}
    delays = []
    for v in verdicts.values():
        if v["duplicate"]:
            original = verdicts[v["original"]]
            delays.append((datetime.fromisoformat(v["published"])
                           - datetime.fromisoformat(original["published"])).total_seconds())
    bins = {b["label"]: b["copies"] for b in data["overview"]["delay_histogram"]}
    assert bins == page.delay_bins
    assert sum(bins.values()) == len(delays) == 17
    assert data["overview"]["median_delay"] == median(delays) == 2947
    assert page.stats["median-delay"] == f"{median(delays) / 60:.0f} min"
    assert bins["before"] == sum(d < 0 for d in delays) >= 1
    harbor = next(c for cl in data["clusters"] for c in cl["copies"]
                  if data["articles"][c["article"]]["id"]
                  == "sites/dailyharbor/china-portugal-talks.txt")
    assert harbor["delay"] == -27 * 60  # dated 11:15, the wire's own copy 11:42


@pytest.mark.parametrize("story", TRUTH["clusters"], ids=lambda c: c["story"][:24])
def test_each_cluster_has_its_origin_original_and_members(data, story):
    arts = data["articles"]
    members = set(story["members"])
    cluster = next(c for c in data["clusters"] if arts[c["original"]]["id"] in members)
    assert cluster["origin"] == story["origin_source"]
    if story["original"] is not None:
        assert arts[cluster["original"]]["id"] == story["original"]
    assert {arts[cluster["original"]]["id"]} | {arts[c["article"]]["id"]
                                                for c in cluster["copies"]} == members
    for copy in cluster["copies"]:
        copy_id = arts[copy["article"]]["id"]
        if story["original"] is not None:
            assert copy["relation"] == TRUTH["relations"][copy_id]
        assert copy["why"] and copy["similarity"] is not None


def test_clusters_come_largest_first(data):
    sizes = [len(c["copies"]) for c in data["clusters"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == 5


def _tokens(text):
    return " ".join(WORD.findall(text.casefold()))


def _utf16_slice(text, start, end):
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


def test_every_copy_has_shared_passages_found_in_both_texts(data):
    arts = data["articles"]
    for cluster in data["clusters"]:
        original = arts[cluster["original"]]["text"]
        for copy in cluster["copies"]:
            text = arts[copy["article"]]["text"]
            for spans, mine, other in ((copy["spans_copy"], text, original),
                                       (copy["spans_original"], original, text)):
                assert spans, arts[copy["article"]]["id"]
                pairs = list(zip(spans[::2], spans[1::2], strict=True))
                assert all(0 <= s < e <= len(mine.encode("utf-16-le")) // 2 for s, e in pairs)
                assert all(e1 <= s2 for (_, e1), (s2, _) in zip(pairs, pairs[1:], strict=False))
                for s, e in pairs:
                    assert _tokens(_utf16_slice(mine, s, e)) in _tokens(other)


def test_site_chrome_is_not_highlighted(data):
    arts = data["articles"]
    copy = next(c for cl in data["clusters"] for c in cl["copies"]
                if arts[c["article"]]["id"] == "sites/dailyharbor/china-portugal-talks.txt")
    text = arts[copy["article"]]["text"]
    first = _utf16_slice(text, copy["spans_copy"][0], copy["spans_copy"][1])
    assert text.startswith("Home | World") and first.startswith("BEIJING, May 8 (Xinhua)")


def test_language_hints(data):
    langs = {a["id"]: a["lang"] for a in data["articles"]}
    assert langs["xinhua-cn-20250508-ehu-rail"] == "zh"
    assert langs["xinhua-20250508-cn-pt-talks"] is None


@pytest.mark.parametrize(("text", "lang"), [
    ("新华社北京5月8日电 铁路部门介绍，开通初期每日安排开行动车组列车。", "zh"),
    ("東京の駅で新しい電車が走り始めました。", "ja"),
    ("서울 시청 앞 광장에서 축제가 열렸다.", "ko"),
    ("شہر کی نئی لائبریری میں بچوں کے لیے کتابیں رکھی گئی ہیں۔", "ur"),
    ("افتتحت المدينة مكتبة جديدة للأطفال يوم الخميس.", "ar"),
    ("The council opened a new library on Thursday.", None),
    ("Café owners in Zürich said the new rules were welcome.", None),
])
def test_guess_lang(text, lang):
    assert guess_lang(text) == lang


def test_page_is_self_contained(page):
    csp = page.meta["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    code = page.scripts[""]
    assert "http://" not in code and "https://" not in code and "fetch(" not in code
    assert page.script_tags == 3


HOSTILE = "</script><script>window.pwned=1</script><!--<img src=x onerror=alert(1)>"


def hostile_verdicts():
    base = {"cluster": 1, "original": "orig", "similarity": None, "containment": None,
            "source": HOSTILE, "origin_source": HOSTILE, "why": [HOSTILE], "title": HOSTILE,
            "url": "javascript:alert(1)", "published": None}
    text = "Officials said the bridge over the river would open next spring. " + HOSTILE
    return [{**base, "id": "orig", "duplicate": False, "relation": None, "text": text},
            {**base, "id": HOSTILE, "duplicate": True, "relation": "near", "similarity": 0.9,
             "containment": 0.95, "text": "Local intro. " + text}]


def test_untrusted_strings_cannot_leave_the_data_block():
    html = render_html(build_report(hostile_verdicts()))
    page = Page(html)
    assert page.script_tags == 3  # the data block, the code, the texts: nothing injected
    assert "<script>window.pwned" not in html and "<img" not in html
    data = json.loads(page.scripts["report-data"])
    assert data["articles"][1]["id"] == HOSTILE and data["clusters"][0]["origin"] == HOSTILE
    assert json.loads(page.scripts["report-texts"])[0].endswith(HOSTILE)


def test_embed_json_escapes_markup_and_round_trips():
    value = {"t": "a</script>b<!--c&d\u2028e"}
    text = embed_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_offsets_are_utf16_for_astral_characters():
    passage = "the new harbour bridge will carry trams from next spring"
    verdicts = [{"id": "a", "cluster": 1, "original": "a", "duplicate": False, "published": None,
                 "text": f"\U0001F309\U0001F309 {passage}. Other words follow here."},
                {"id": "b", "cluster": 1, "original": "a", "duplicate": True, "relation": "near",
                 "published": None, "text": f"\U00020BB7 intro: {passage}, said the city."}]
    report = build_report(verdicts)
    copy = report["clusters"][0]["copies"][0]
    for text, spans in ((verdicts[0]["text"], copy["spans_original"]),
                        (verdicts[1]["text"], copy["spans_copy"])):
        assert _utf16_slice(text, spans[0], spans[1]) == passage


def test_report_without_texts_shows_metadata(tmp_path):
    results = tmp_path / "plain.jsonl"
    results.write_text(run("batch", str(EXAMPLES)).stdout, "utf-8")
    out = tmp_path / "plain.html"
    assert run("report", str(results), "-o", str(out)).exit_code == 0
    page = Page(out.read_text("utf-8"))
    data = json.loads(page.scripts["report-data"])
    assert json.loads(page.scripts["report-texts"]) == []
    assert not data["overview"]["with_text"] and len(data["clusters"]) == 5
    assert all("spans_copy" not in c for cl in data["clusters"] for c in cl["copies"])
    assert "dedup batch --with-text" in out.read_text("utf-8")


def test_bad_result_lines_are_reported_and_skipped(results, tmp_path):
    lines = results.read_text("utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    cluster_record = json.dumps({"cluster": 1, "original": "x", "members": []})
    bad_date = json.dumps({**json.loads(lines[0]), "id": "late", "published": "yesterday"})
    broken.write_text("\n".join([*lines, "{not json", cluster_record, bad_date, lines[0]]) + "\n")
    out = tmp_path / "broken.html"
    result = run("report", str(broken), "-o", str(out))
    assert result.exit_code == EXIT_SKIPPED
    assert f"broken.jsonl:{len(lines) + 1}: invalid JSON" in result.stderr
    assert (f"broken.jsonl:{len(lines) + 2}: this is a cluster record (dedup batch --clusters)"
            in result.stderr)
    assert (f"broken.jsonl:{len(lines) + 3}: id 'late': \"published\" is not an ISO 8601 date"
            in result.stderr)
    assert f"broken.jsonl:{len(lines) + 4}: id '{json.loads(lines[0])['id']}': duplicate id" \
        in result.stderr
    assert "4 lines skipped" in result.stderr
    data = json.loads(Page(out.read_text("utf-8")).scripts["report-data"])
    assert data["overview"]["articles"] == 30 and data["overview"]["clusters"] == 5


def test_read_results_names_wrong_field_types():
    lines = ['{"id": "a", "original": "a", "cluster": "one"}',
             '{"id": "b", "original": "b", "why": "just a string"}',
             '{"id": 7, "original": 7, "cluster": 2, "similarity": "high"}',
             '{"original": "c"}']
    got = list(read_results(lines, where="r.jsonl"))
    assert [g.describe() for g in got] == [
        "r.jsonl:1: id 'a': \"cluster\" must be an integer or null, got 'one'",
        "r.jsonl:2: id 'b': \"why\" must be a list of strings",
        "r.jsonl:3: id '7': \"similarity\" must be a number or null, got 'high'",
        "r.jsonl:4: \"id\" must be a non-empty string; is this the output of dedup batch?",
    ]


def test_report_needs_exactly_one_input(results, tmp_path):
    out = str(tmp_path / "r.html")
    assert "give either a RESULTS.jsonl file" in run("report", "-o", out).stderr
    both = run("report", str(results), "--index", str(results), "-o", out)
    assert both.exit_code == 2 and "give either" in both.stderr


def test_report_from_a_persistent_index(tmp_path):
    path = str(tmp_path / "news.db")
    articles = [a for a in read_paths([str(EXAMPLES)]) if isinstance(a, Article)]
    with Index.open(path) as index:
        index.add_many(articles)
    out = tmp_path / "index.html"
    result = run("report", "--index", path, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = Page(out.read_text("utf-8"))
    data = json.loads(page.scripts["report-data"])
    texts = json.loads(page.scripts["report-texts"])
    assert page.stats["clusters"] == "5" and data["overview"]["with_text"]
    by_id = {a.id: a.text for a in articles}
    for article in data["articles"]:
        assert texts[article["text_index"]] == by_id[article["id"]]
    assert all(c["spans_copy"] for cl in data["clusters"] for c in cl["copies"])
