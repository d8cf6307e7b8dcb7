"""The Scrapy pipeline: real crawls of a local HTTP server, and the pipeline's own rules."""

import json
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("scrapy", reason="the Scrapy pipeline needs scrapy "
                                       "(pip install 'dedup[scrapy]')")
pytest.importorskip("trafilatura", reason="the crawled pages need trafilatura "
                                            "(pip install 'dedup[html]')")

import scrapy  # noqa: E402
from itemadapter import ItemAdapter  # noqa: E402
from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from dedup import ConfigError, Index  # noqa: E402
from dedup.integrations.scrapy import DedupPipeline  # noqa: E402

from .conftest import ROOT  # noqa: E402

WEB = ROOT / "examples-web"
SPIDER = ROOT / "tests" / "fixtures" / "crawl_spider.py"
# The stories in link order (the spider fetches them in this order), and the URL
# each page declares for itself (og:url / canonical), rewritten to the local server.
PAGES = {
    "xinhua/solar-ferry.html": "https://english.news.cn/20250512/a41c9e/c.html",
    "dailyharbor/solar-ferry.html":
        "https://dailyharbor.example/world/2025/05/12/sun-powered-ferry-chinese-lake",
    "metro-ledger/solar-ferry.html":
        "https://metroledger.example/news/world/china-solar-ferry-tourists",
    "prairiepost/solar-ferry.html": None,
    "dailyharbor/marina-festival.html":
        "https://dailyharbor.example/local/2025/05/11/marina-festival",
}
WIRE, COPIES = "xinhua/solar-ferry.html", ["dailyharbor/solar-ferry.html",
                                           "metro-ledger/solar-ferry.html",
                                           "prairiepost/solar-ferry.html"]
UNRELATED = "dailyharbor/marina-festival.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A news site on 127.0.0.1 (a free port): an index page linking the example pages."""
    root = tmp_path_factory.mktemp("site")
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for page in PAGES:
        html = (WEB / page).read_text("utf-8")
        for other, declared in PAGES.items():
            if declared:  # the site serves its own pages: their declared URLs point here
                html = html.replace(declared, f"{base}/{other}")
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text(html, "utf-8")
    links = "\n".join(f'<li><a href="/{p}">{p}</a></li>' for p in PAGES)
    (root / "index.html").write_text(
        f"<html><body><h1>Latest</h1><ul class=\"articles\">{links}</ul></body></html>", "utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


def crawl(base, out: Path, **settings):
    args = [sys.executable, str(SPIDER), f"{base}/index.html", str(out)]
    args += [f"{key}={value}" for key, value in settings.items()]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=out.parent)
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()] \
        if out.exists() else []
    dropped = json.loads(Path(str(out) + ".dropped.json").read_text("utf-8"))
    return items, dropped


def test_drop_mode_drops_the_copies_and_keeps_the_originals_in_the_index(site, tmp_path):
    index_file = tmp_path / "news.db"
    items, dropped = crawl(site, tmp_path / "items.jsonl", DEDUP_INDEX=index_file,
                           DEDUP_MODE="drop")
    url = {page: f"{site}/{page}" for page in PAGES}
    assert [i["url"] for i in items] == [url[WIRE], url[UNRELATED]]
    assert sorted(d["url"] for d in dropped) == sorted(url[p] for p in COPIES)
    for d in dropped:
        assert d["message"].startswith(f"dedup: near copy of {url[WIRE]!r}: ")
        assert "original: published by wire Xinhua" in d["message"]
    with Index.open(str(index_file), create=False, readonly=True) as index:
        assert len(index) == len(PAGES)
        wire = index.get(url[WIRE])
        assert not wire.duplicate and wire.origin_source == "Xinhua"
        assert {index.get(url[p]).original for p in COPIES} == {url[WIRE]}
        assert not index.get(url[UNRELATED]).duplicate
        assert index.get(url[UNRELATED]).cluster != wire.cluster

    # A second crawl against the same index: every page is known; copies still go.
    items, dropped = crawl(site, tmp_path / "again.jsonl", DEDUP_INDEX=index_file,
                           DEDUP_MODE="drop")
    assert [i["url"] for i in items] == [url[WIRE], url[UNRELATED]]
    assert sorted(d["url"] for d in dropped) == sorted(url[p] for p in COPIES)
    assert all("already in the index" in d["message"] for d in dropped)
    with Index.open(str(index_file), create=False, readonly=True) as index:
        assert len(index) == len(PAGES)


def test_annotate_mode_passes_every_item_with_its_verdict(site, tmp_path):
    items, dropped = crawl(site, tmp_path / "items.jsonl", DEDUP_MODE="annotate")
    assert dropped == []
    by_url = {i["url"]: i for i in items}
    assert set(by_url) == {f"{site}/{p}" for p in PAGES}
    for page in PAGES:
        verdict = by_url[f"{site}/{page}"]["dedup"]
        assert verdict["id"] == f"{site}/{page}"
        assert verdict["duplicate"] == (page in COPIES)
        if page in COPIES:
            assert verdict["original"] == f"{site}/{WIRE}"
            assert verdict["relation"] in {"near", "exact"}
            assert verdict["origin_source"] == "Xinhua"
    assert by_url[f"{site}/{WIRE}"]["dedup"]["source"] == "Xinhua"
    assert by_url[f"{site}/{UNRELATED}"]["dedup"]["why"] == ["no near-duplicate found"]


# -- the pipeline's rules, without a crawl ------------------------------------------

def pipeline(**settings):
    crawler = get_crawler(settings_dict=settings)
    pipe = DedupPipeline.from_crawler(crawler)
    pipe.open_spider()
    return pipe


STORY = ("The council approved a plan on Tuesday to rebuild the harbor's east dock, adding forty "
         "berths and a wider walkway, after a winter storm damaged the old structure. Work will "
         "start in June and take about nine months, the harbormaster said at the meeting.")


def test_settings_choose_the_item_fields():
    pipe = pipeline(DEDUP_TEXT_FIELD="body", DEDUP_URL_FIELD="link", DEDUP_DATE_FIELD="when",
                    DEDUP_ID_FIELD="key", DEDUP_TITLE_FIELD="headline",
                    DEDUP_SOURCE_FIELD="site", DEDUP_MODE="annotate")
    item = pipe.process_item({"key": "a1", "body": STORY, "link": "https://a.example/1",
                              "when": "2025-05-08T09:00:00+02:00", "headline": "Dock",
                              "site": "Harbor News"})
    verdict = item["dedup"]
    assert (verdict["id"], verdict["url"], verdict["title"], verdict["source"],
            verdict["published"]) == ("a1", "https://a.example/1", "Dock", "Harbor News",
                                      "2025-05-08T07:00:00Z")
    copy = pipe.process_item({"key": "b1", "body": STORY, "link": "https://b.example/1"})
    assert copy["dedup"]["original"] == "a1" and copy["dedup"]["relation"] == "exact"


def test_threshold_setting_reaches_the_index():
    pipe = pipeline(DEDUP_THRESHOLD="0.6")
    assert pipe.index.config.threshold == 0.6
    with pytest.raises(ConfigError, match="DEDUP_THRESHOLD must be a number"):
        pipeline(DEDUP_THRESHOLD="high")


def test_drop_mode_message_carries_the_evidence():
    pipe = pipeline()
    pipe.process_item({"url": "https://a.example/1", "text": STORY})
    with pytest.raises(DropItem, match=r"^dedup: exact copy of 'https://a.example/1': "
                                       r"similarity 1.00, containment 1.00"):
        pipe.process_item({"url": "https://b.example/1", "text": STORY})


def test_unknown_mode_is_a_pointed_error():
    with pytest.raises(ConfigError, match="DEDUP_MODE must be 'drop' or 'annotate', got 'keep'"):
        pipeline(DEDUP_MODE="keep")


def test_an_item_class_without_the_verdict_field_is_told_how_to_fix_it():
    class Story(scrapy.Item):
        url = scrapy.Field()
        text = scrapy.Field()

    pipe = pipeline(DEDUP_MODE="annotate")
    with pytest.raises(ConfigError, match=r"Story has no field 'dedup'.*dedup = scrapy.Field"):
        pipe.process_item(Story(url="https://a.example/1", text=STORY))

    class Annotated(Story):
        dedup = scrapy.Field()

    item = pipe.process_item(Annotated(url="https://a.example/2", text=STORY))
    assert ItemAdapter(item)["dedup"]["id"] == "https://a.example/2"


@pytest.mark.parametrize("item, reason", [
    ({"text": STORY}, "item has no id (field 'id') or URL (field 'url')"),
    ({"url": "https://a.example/1"}, "item has no text (field 'text') or HTML (field 'html')"),
    ({"url": "https://a.example/1", "text": STORY, "published": "yesterday"},
     "is not an ISO 8601 date ('yesterday')"),
    ({"url": "https://a.example/1", "text": 7}, "field 'text' must be a string, got int"),
])
def test_unusable_items_pass_unchanged_and_are_reported(item, reason, caplog):
    pipe = pipeline()
    assert pipe.process_item(dict(item)) == item
    assert reason in caplog.text
    annotated = pipeline(DEDUP_MODE="annotate").process_item(dict(item))
    assert reason in annotated["dedup"]["error"]


def test_html_items_are_extracted_and_close_spider_closes_the_index(tmp_path):
    path = tmp_path / "idx.db"
    pipe = pipeline(DEDUP_INDEX=str(path), DEDUP_MODE="annotate")
    html = (WEB / "metro-ledger" / "solar-ferry.html").read_text("utf-8")
    item = pipe.process_item({"url": "https://metroledger.example/news/world/"
                                     "china-solar-ferry-tourists", "html": html})
    assert item["dedup"]["title"] == "China puts solar ferry into tourist service"
    assert item["dedup"]["source"] == "Metro Ledger"
    assert item["dedup"]["published"] == "2025-05-12T15:40:00Z"
    pipe.close_spider()
    assert pipe.index is None
    with Index.open(str(path), create=False, readonly=True) as index:
        text = index.text(item["dedup"]["id"])
    assert text.startswith("HANGZHOU, May 12 (Xinhua) -- A passenger ferry")
    assert "RiverRat77" not in text and "Join the conversation" not in text

