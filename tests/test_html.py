"""HTML input: trafilatura extraction of the example pages, canonical URLs as evidence."""

import json
import shutil
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from dedup import Article, Index
from dedup.cli import cli
from dedup.extract import HTML_EXTRA_NOTICE, extract_page
from dedup.sources import Notice, read_lines, read_paths

from .conftest import ROOT

trafilatura = pytest.importorskip("trafilatura",
                                  reason="HTML extraction tests need trafilatura "
                                         "(pip install 'dedup[html]')")

WEB = ROOT / "examples-web"
WIRE_URL = "https://english.news.cn/20250512/a41c9e/c.html"
# What each example page says about itself (written with the pages).
PAGES = {
    "xinhua/solar-ferry.html": dict(
        title="Solar-powered ferry enters service on east China lake", source="Xinhua",
        published=datetime(2025, 5, 12, 2, 20, tzinfo=UTC), url=WIRE_URL, canonical=WIRE_URL,
        first="HANGZHOU, May 12 (Xinhua) -- A passenger ferry",
        last="river cruise boats in the past three years.",
        chrome=["Related stories", "Most viewed", "Copyright", "Share on Facebook", "Editor:"]),
    "dailyharbor/solar-ferry.html": dict(
        title="Sun-powered ferry starts carrying tourists on Chinese lake", source="Daily Harbor",
        published=datetime(2025, 5, 12, 14, 5, tzinfo=UTC),
        url="https://dailyharbor.example/world/2025/05/12/sun-powered-ferry-chinese-lake",
        canonical=WIRE_URL, first="A passenger ferry powered entirely", last="Source: Xinhua",
        chrome=["We use cookies", "harborwatcher", "Leave a Reply", "Morning Harbor newsletter",
                "Most read", "Back To Top", "Advertisement", "Photo: handout"]),
    "metro-ledger/solar-ferry.html": dict(
        title="China puts solar ferry into tourist service", source="Metro Ledger",
        published=datetime(2025, 5, 12, 15, 40, tzinfo=UTC),
        url="https://metroledger.example/news/world/china-solar-ferry-tourists",
        canonical="https://metroledger.example/news/world/china-solar-ferry-tourists",
        first="HANGZHOU, May 12 (Xinhua) --", last="when fewer tourists visit the islands.",
        chrome=["RiverRat77", "Join the conversation", "READ MORE", "Trending", "Log in",
                "Cookie settings", "Topics:"]),
    "prairiepost/solar-ferry.html": dict(
        title="Solar ferry for tourists launched in China :: Prairie Post", source=None,
        published=None, url=None, canonical=None, first="Posted by Prairie Post staff",
        last=None, chrome=["Farm & Ranch", "Serving the county since 1911", "Copyright 2025"]),
    "dailyharbor/marina-festival.html": dict(
        title="Marina festival returns with lantern boat parade", source="Daily Harbor",
        published=datetime(2025, 5, 11, 15, 30, tzinfo=UTC),
        url="https://dailyharbor.example/local/2025/05/11/marina-festival",
        canonical="https://dailyharbor.example/local/2025/05/11/marina-festival",
        first="The Harbor Marina Festival is back", last="harbormaster's office or online.",
        chrome=["We use cookies", "Best night of the summer", "Most read"]),
}
COPIES = ["dailyharbor/solar-ferry.html", "metro-ledger/solar-ferry.html",
          "prairiepost/solar-ferry.html"]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def articles():
    items = list(read_paths([str(WEB)]))
    assert not [i for i in items if not isinstance(i, Article)], items
    return {a.id: a for a in items}


@pytest.mark.parametrize("page", PAGES)
def test_example_pages_give_main_text_and_metadata(articles, page):
    want, got = PAGES[page], articles[page]
    assert (got.title, got.source, got.published, got.url, got.canonical) == \
        (want["title"], want["source"], want["published"], want["url"], want["canonical"])
    assert got.text.startswith(want["first"])
    if want["last"]:
        assert got.text.endswith(want["last"])
    for chrome in want["chrome"]:
        assert chrome not in got.text, chrome
    assert want["title"] not in got.text.splitlines()[0]  # the headline is metadata, not text


def test_batch_clusters_the_copies_under_the_wire(tmp_path):
    result = run("batch", str(WEB))
    assert result.exit_code == 0, result.stderr
    verdicts = {v["id"]: v for v in map(json.loads, result.stdout.splitlines())}
    assert set(verdicts) == set(PAGES)
    wire = verdicts["xinhua/solar-ferry.html"]
    assert not wire["duplicate"] and wire["origin_source"] == "Xinhua"
    assert wire["why"][:2] == ["original of 3 copies",
                               "original: published by wire Xinhua (source 'Xinhua')"]
    for page in COPIES:
        assert verdicts[page]["original"] == "xinhua/solar-ferry.html"
        assert verdicts[page]["cluster"] == wire["cluster"]
        assert verdicts[page]["relation"] == "near"
    assert "canonical URL points to english.news.cn (Xinhua)" in \
        verdicts["dailyharbor/solar-ferry.html"]["why"]
    marina = verdicts["dailyharbor/marina-festival.html"]
    assert not marina["duplicate"] and marina["cluster"] != wire["cluster"]
    assert "5 articles, 1 clusters with copies, 3 copies" in result.stderr
    assert HTML_EXTRA_NOTICE not in result.stderr


def test_without_the_wire_copy_the_credits_and_canonical_name_the_origin(tmp_path):
    for page in COPIES:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WEB / page, tmp_path / page)
    result = run("batch", str(tmp_path))
    verdicts = {v["id"]: v for v in map(json.loads, result.stdout.splitlines())}
    assert {v["origin_source"] for v in verdicts.values()} == {"Xinhua"}
    # Daily Harbor says (canonical URL) that it is a copy, so it is not the original.
    assert verdicts["dailyharbor/solar-ferry.html"]["duplicate"]
    assert len({v["original"] for v in verdicts.values()}) == 1


# -- canonical URLs as attribution evidence ----------------------------------------

STORY = [f"Paragraph {n} of a story about the new ferry pier, its {n * 7} berths and the "
         f"harbour board meeting that approved plan number {n * 13}." for n in range(1, 12)]


def page(body, *, url=None, canonical=None, site="Harbor News", published=None):
    head = [f'<meta property="og:site_name" content="{site}">']
    if url:
        head.append(f'<meta property="og:url" content="{url}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (f"<html><head><title>Ferry pier</title>{''.join(head)}</head><body><nav>Home News"
            f"</nav><article><h1>Ferry pier</h1>{paragraphs}</article></body></html>")


def add_pages(*records):
    index = Index()
    for _, item in read_lines([json.dumps(r) for r in records]):
        assert isinstance(item, Article), item
        index.add(item)
    return index


def test_a_canonical_url_to_a_wire_names_the_origin_and_marks_a_copy():
    index = add_pages(
        {"id": "harbor", "html": page(STORY, url="https://harbor.example/pier",
                                      canonical="https://apnews.com/article/pier-123",
                                      published="2025-05-08T08:00:00Z")},
        {"id": "ledger", "html": page(STORY, url="https://ledger.example/pier", site="Ledger",
                                      published="2025-05-08T09:00:00Z")})
    harbor, ledger = index.get("harbor"), index.get("ledger")
    assert ledger.original == "ledger" and harbor.original == "ledger"
    assert harbor.origin_source == ledger.origin_source == "AP"
    assert "original: 'harbor' declares a canonical URL on another site (apnews.com)" in ledger.why
    assert "origin AP: named by the credit line or canonical URL of 1 of 2 articles (its own " \
           "copy is not in the index)" in ledger.why
    assert "canonical URL points to apnews.com (AP)" in harbor.why


def test_a_canonical_url_to_another_member_makes_it_the_original():
    index = add_pages(
        {"id": "early-copy", "html": page(STORY, url="https://copy.example/a",
                                          canonical="https://first.example/story",
                                          published="2025-05-08T06:00:00Z")},
        {"id": "first", "html": page(STORY, url="https://first.example/story",
                                     published="2025-05-08T09:00:00Z")})
    first, copy = index.get("first"), index.get("early-copy")
    assert copy.original == "first" and not first.duplicate
    assert "original: the canonical URL of 1 copy points to it (https://first.example/story)" \
        in first.why
    assert "canonical URL points to first.example: https://first.example/story" in copy.why


def test_a_canonical_url_to_a_member_that_is_not_the_original_is_a_conflict():
    index = add_pages(
        {"id": "wire", "html": page(STORY, url="https://www.reuters.com/pier", site="Reuters",
                                    published="2025-05-08T09:00:00Z")},
        {"id": "site", "html": page(STORY, url="https://site.example/pier")},
        {"id": "mirror", "html": page(STORY, url="https://mirror.example/pier",
                                      canonical="https://site.example/pier")})
    verdict = index.get("mirror")
    assert verdict.original == "wire"
    assert "conflict: the canonical URL of 'mirror' points to 'site', not to the original" in \
        verdict.why


def test_same_site_canonical_is_not_evidence():
    index = add_pages(
        {"id": "mobile", "html": page(STORY, url="https://m.harbor.example/pier",
                                      canonical="https://www.harbor.example/pier",
                                      published="2025-05-08T06:00:00Z")},
        {"id": "other", "html": page(STORY, url="https://other.example/pier",
                                     published="2025-05-08T09:00:00Z")})
    assert index.get("other").original == "mobile"
    assert not [w for w in index.get("mobile").why if "canonical" in w]


# -- records with an html field, and the fallback without trafilatura ----------------

def test_record_fields_win_over_the_page(tmp_path):
    html = (WEB / "dailyharbor/solar-ferry.html").read_text("utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "r1", "html": html, "title": "Our headline",
                                "source": "Harbor Wire Desk",
                                "published": "2025-05-12T13:00:00Z"}) + "\n", "utf-8")
    [article] = list(read_paths([str(feed)]))
    assert (article.title, article.source, article.published) == \
        ("Our headline", "Harbor Wire Desk", datetime(2025, 5, 12, 13, 0, tzinfo=UTC))
    assert article.url == PAGES["dailyharbor/solar-ferry.html"]["url"]
    assert article.canonical == WIRE_URL
    assert article.text.startswith("A passenger ferry") and "harborwatcher" not in article.text


def test_stream_extracts_html_records():
    html = (WEB / "metro-ledger/solar-ferry.html").read_text("utf-8")
    result = run("stream", input=json.dumps({"id": "m1", "html": html}) + "\n")
    assert result.exit_code == 0, result.stderr
    [verdict] = map(json.loads, result.stdout.splitlines())
    assert (verdict["id"], verdict["title"], verdict["source"], verdict["published"]) == \
        ("m1", "China puts solar ferry into tourist service", "Metro Ledger",
         "2025-05-12T15:40:00Z")


def test_a_date_only_page_is_midnight_utc_and_a_copyright_year_is_not_a_date():
    dated = page(STORY).replace("<h1>", '<p class="date">Published May 9, 2025</p><h1>') \
        .replace("</head>", '<meta name="date" content="2025-05-09"></head>')
    assert extract_page(dated).published == datetime(2025, 5, 9, tzinfo=UTC)
    footer = page(STORY).replace("</article>", "</article><footer>Copyright 2025</footer>")
    assert extract_page(footer).published is None


def test_a_fragment_is_extracted_too():
    got = extract_page("<p>BEIJING, May 8 (Xinhua) -- A short item about port trade.</p>")
    assert got.text == "BEIJING, May 8 (Xinhua) -- A short item about port trade."


def test_without_trafilatura_the_basic_extractor_runs_and_the_cli_says_so_once(monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if dedup[html] were not installed
    items = list(read_paths([str(WEB)]))
    notices = [i for i in items if isinstance(i, Notice)]
    assert [n.reason for n in notices] == [HTML_EXTRA_NOTICE]
    basic = {a.id: a for a in items if isinstance(a, Article)}
    assert set(basic) == set(PAGES)
    assert basic["dailyharbor/solar-ferry.html"].canonical == WIRE_URL
    result = run("batch", str(WEB))
    assert result.exit_code == 0
    assert result.stderr.count("install dedup[html] for better HTML extraction") == 1
    html = (WEB / "dailyharbor/solar-ferry.html").read_text("utf-8")
    lines = "".join(json.dumps({"id": f"p{n}", "html": html}) + "\n" for n in range(3))
    result = run("stream", input=lines)
    assert result.exit_code == 0
    assert result.stderr.count("install dedup[html] for better HTML extraction") == 1
    assert [json.loads(v)["id"] for v in result.stdout.splitlines()] == ["p0", "p1", "p2"]


# Written for this test in the shape of real archived pages (L3S-GN1 has eleven): the
# <title> was never closed, so a parser reads the whole page as its title and every
# extraction mode finds no body.
_BODY = ("<p>WELLINGTON (AP) - The harbour board approved a new ferry terminal on Tuesday "
         "after two years of hearings, the board's chair said.</p>"
         "<p>The terminal will open next spring with four berths and a covered walkway, "
         "and will handle up to twelve sailings a day across the strait.</p>"
         "<p>Local businesses welcomed the decision, saying the ferries would bring "
         "visitors to the waterfront through the winter months as well.</p>")
BROKEN_PAGES = {
    "unclosed-title": ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n<html><head>\n"
                       "<title>Ferry terminal approved (Harbour News)\n<script>var x = 1;"
                       "</script></head>\n<body><div id=story>" + _BODY + "</div></body></html>"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_PAGES))
def test_pages_whose_markup_hides_the_body_fall_back_and_say_so(name):
    html = BROKEN_PAGES[name]
    page = extract_page(html, url=f"https://harbour.example/{name}")
    assert page.extractor == "trafilatura-repaired"
    assert "new ferry terminal" in page.text and "visitors to the waterfront" in page.text
    index = Index()
    [(_, article)] = read_lines(
        [json.dumps({"id": name, "html": html, "url": f"https://harbour.example/{name}"})])
    verdict = index.add(article)
    assert any(w.startswith("text extracted by trafilatura after repairing") for w in verdict.why)
