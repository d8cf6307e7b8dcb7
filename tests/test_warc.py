"""WARC input: archives written by warcio here, read by dedup batch, stream --warc and read_warc."""

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("warcio", reason="WARC input needs warcio (pip install 'dedup[warc]')")
pytest.importorskip("trafilatura", reason="the archived pages need trafilatura "
                                            "(pip install 'dedup[html]')")

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from dedup import Article, BadRecord  # noqa: E402
from dedup.cli import EXIT_SKIPPED, cli  # noqa: E402
from dedup.sources import Notice  # noqa: E402
from dedup.warc import read_warc  # noqa: E402

from .conftest import ROOT  # noqa: E402

WEB = ROOT / "examples-web"
# Where each example page lives (its og:url; Prairie Post declares none).
URLS = {
    "dailyharbor/marina-festival.html":
        "https://dailyharbor.example/local/2025/05/11/marina-festival",
    "dailyharbor/solar-ferry.html":
        "https://dailyharbor.example/world/2025/05/12/sun-powered-ferry-chinese-lake",
    "metro-ledger/solar-ferry.html":
        "https://metroledger.example/news/world/china-solar-ferry-tourists",
    "prairiepost/solar-ferry.html": "http://www.prairiepost.example/news/solar-ferry.html",
    "xinhua/solar-ferry.html": "https://english.news.cn/20250512/a41c9e/c.html",
}
FETCHED = "2025-05-13T08:00:00Z"
REFETCHED = "2025-05-14T08:00:00Z"
EXPECTED_SKIPS = {"warcinfo": 1, "request": 6, "revisit": 1, "metadata": 1, "non-HTML": 2,
                  "redirect": 1, "error": 1}
EXPECTED_SUMMARY = ("6 HTML pages read; 13 records skipped: 6 request, 1 revisit, 1 metadata, "
                    "1 warcinfo, 2 non-HTML (1 application/json, 1 image/jpeg), "
                    "1 redirect (1 HTTP 301), 1 error (1 HTTP 404)")


def write_crawl(path: Path) -> Path:
    """A small crawl of the example site: every kind of record a crawler writes."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))

        def request(uri):
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")],
                                       is_http_request=True)
            writer.write_record(writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b""), http_headers=headers))

        def response(uri, payload, content_type="text/html; charset=utf-8", status="200 OK",
                     date=FETCHED):
            headers = StatusAndHeaders(status, [("Content-Type", content_type)],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), http_headers=headers,
                warc_headers_dict={"WARC-Date": date}))

        for page, uri in URLS.items():
            request(uri)
            response(uri, (WEB / page).read_bytes())
        # The crawler came back: the Daily Harbor page again, the wire page unchanged.
        request(URLS["dailyharbor/solar-ferry.html"])
        response(URLS["dailyharbor/solar-ferry.html"],
                 (WEB / "dailyharbor/solar-ferry.html").read_bytes(), date=REFETCHED)
        writer.write_record(writer.create_revisit_record(
            URLS["xinhua/solar-ferry.html"], digest="sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
            refers_to_uri=URLS["xinhua/solar-ferry.html"], refers_to_date=FETCHED))
        response("https://dailyharbor.example/img/ferry.jpg", b"\xff\xd8\xff\xe0" + bytes(64),
                 content_type="image/jpeg")
        response("https://dailyharbor.example/api/most-read", b'{"items": []}',
                 content_type="application/json")
        response("https://metroledger.example/old-link", b"", status="301 Moved Permanently")
        response("https://metroledger.example/missing",
                 b"<html><body><h1>Page not found</h1><p>Sorry, this story has moved or "
                 b"was removed from our archive.</p></body></html>", status="404 Not Found")
        writer.write_record(writer.create_warc_record(
            "https://dailyharbor.example/world/", "metadata",
            payload=io.BytesIO(b"outlink: https://dailyharbor.example/local/\n"),
            warc_content_type="application/warc-fields"))
    return path


@pytest.fixture(params=["crawl.warc.gz", "crawl.warc"])
def crawl(request, tmp_path):
    return write_crawl(tmp_path / request.param)


def items_of(path: Path):
    with path.open("rb") as fh:
        return list(read_warc(fh, str(path)))


def test_html_responses_become_articles_and_every_skip_is_counted(crawl):
    items = items_of(crawl)
    articles = [i for i in items if isinstance(i, Article)]
    notices = [i for i in items if isinstance(i, Notice)]
    assert not [i for i in items if isinstance(i, BadRecord)]
    refetch = f"{URLS['dailyharbor/solar-ferry.html']}#record-13"
    assert [a.id for a in articles] == list(URLS.values()) + [refetch]
    assert len(notices) == 1
    assert notices[0].counts == {"pages": 6, **EXPECTED_SKIPS}
    assert notices[0].describe() == f"{crawl}: {EXPECTED_SUMMARY}"


def test_target_uri_is_the_url_and_the_warc_date_only_fills_a_missing_date(crawl):
    articles = {a.id: a for a in items_of(crawl) if isinstance(a, Article)}
    harbor = articles[URLS["dailyharbor/solar-ferry.html"]]
    assert harbor.url == URLS["dailyharbor/solar-ferry.html"]
    assert harbor.published == datetime(2025, 5, 12, 14, 5, tzinfo=UTC)  # the page's own date
    assert harbor.canonical == "https://english.news.cn/20250512/a41c9e/c.html"
    assert harbor.source == "Daily Harbor"
    prairie = articles[URLS["prairiepost/solar-ferry.html"]]
    assert prairie.published == datetime(2025, 5, 13, 8, 0, tzinfo=UTC)  # no page date
    assert prairie.text.startswith("Posted by Prairie Post staff\nA passenger ferry")


def test_batch_reads_a_warc_and_clusters_the_copies(crawl):
    result = CliRunner().invoke(cli, ["batch", str(crawl)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    verdicts = {v["id"]: v for v in map(json.loads, result.stdout.splitlines())}
    wire = URLS["xinhua/solar-ferry.html"]
    copies = [URLS[p] for p in URLS if p.endswith("solar-ferry.html") and URLS[p] != wire]
    copies.append(f"{URLS['dailyharbor/solar-ferry.html']}#record-13")
    assert set(verdicts) == set(URLS.values()) | set(copies)
    assert not verdicts[wire]["duplicate"] and verdicts[wire]["origin_source"] == "Xinhua"
    assert "original: published by wire Xinhua (source 'Xinhua')" in verdicts[wire]["why"]
    for copy in copies:
        assert verdicts[copy]["original"] == wire and verdicts[copy]["duplicate"]
    harbor = verdicts[URLS["dailyharbor/solar-ferry.html"]]
    assert "canonical URL points to english.news.cn (Xinhua)" in harbor["why"]
    marina = verdicts[URLS["dailyharbor/marina-festival.html"]]
    assert not marina["duplicate"] and marina["why"] == ["no near-duplicate found"]
    assert f"{crawl}: {EXPECTED_SUMMARY}" in result.stderr
    assert "6 articles, 1 clusters with copies, 4 copies" in result.stderr


def test_stream_reads_a_warc_from_a_pipe(tmp_path):
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    index = tmp_path / "news.db"
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "stream", "--warc", "--index",
                             str(index)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate(crawl.read_bytes(), timeout=120)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    verdicts = [line for line in lines if "event" not in line]
    events = [line for line in lines if "event" in line]
    assert [v["id"] for v in verdicts][:5] == list(URLS.values())
    wire = URLS["xinhua/solar-ferry.html"]
    assert events and events[-1]["new_original"] == wire
    assert verdicts[-1]["id"] == f"{URLS['dailyharbor/solar-ferry.html']}#record-13"
    assert verdicts[-1]["original"] == wire and verdicts[-1]["duplicate"]
    assert f"<stdin>: {EXPECTED_SUMMARY}" in err.decode()


def test_stream_warc_and_text_are_exclusive():
    result = CliRunner().invoke(cli, ["stream", "--warc", "--text"], input=b"")
    assert result.exit_code == 2
    assert "--warc and --text cannot be combined" in result.stderr


def test_a_damaged_archive_keeps_the_records_before_the_damage(tmp_path):
    crawl = write_crawl(tmp_path / "crawl.warc")
    data = crawl.read_bytes()
    marker = data.index(b"WARC-Target-URI: " + URLS["prairiepost/solar-ferry.html"].encode())
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:marker] + b"\x00garbage, not a WARC header\r\n\r\n" + data[marker:])
    items = items_of(cut)
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, BadRecord)]
    assert [a.id for a in articles] == list(URLS.values())[:3]
    assert len(errors) == 1 and errors[0].where == str(cut)
    assert "cannot read the archive after record 7" in errors[0].reason
    result = CliRunner().invoke(cli, ["batch", str(cut)], catch_exceptions=False)
    assert result.exit_code == EXIT_SKIPPED
    assert "cannot read the archive after record 7" in result.stderr


def test_a_file_that_is_not_an_archive_is_a_bad_record(tmp_path):
    fake = tmp_path / "notes.warc"
    fake.write_text("these are my notes, not a crawl\n", "utf-8")
    [error] = items_of(fake)
    assert isinstance(error, BadRecord) and error.where == str(fake)
    assert error.reason.startswith("not a WARC or ARC archive")


def test_without_warcio_the_message_names_the_extra(tmp_path, monkeypatch):
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    monkeypatch.setitem(sys.modules, "warcio.archiveiterator", None)  # as if not installed
    [error] = items_of(crawl)
    assert error.reason == "reading WARC/ARC files needs warcio: install dedup[warc]"
