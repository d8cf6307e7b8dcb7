"""The HTML report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Skipped when /usr/bin/chromium is absent. Playwright drives the system browser;
``playwright install`` is never run.
"""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli
from dedup.htmlreport import build_report, render_html

from .conftest import EXAMPLES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="headless Chromium is not installed (/usr/bin/chromium; "
                                       "apt-get install chromium chromium-driver)")

URDU = ("لاہور میں نئی لائبریری کا افتتاح جمعرات کو ہوا۔ شہر کی انتظامیہ نے بتایا کہ لائبریری میں "
        "بچوں کے لیے دس ہزار کتابیں رکھی گئی ہیں اور یہ ہفتے کے ساتوں دن کھلی رہے گی۔ "
        "میئر نے کہا کہ طلبہ کے لیے مفت انٹرنیٹ کی سہولت بھی دستیاب ہوگی۔")
ARABIC = ("افتتحت بلدية المدينة يوم الخميس مكتبة عامة جديدة في وسط البلد. وقال رئيس البلدية إن "
          "المكتبة تضم عشرة آلاف كتاب للأطفال وستفتح أبوابها طوال أيام الأسبوع. وأضاف أن الطلاب "
          "سيحصلون على خدمة إنترنت مجانية في القاعة الكبرى.")
HOSTILE = "</script><script>window.pwned=1</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    home = tmp_path_factory.mktemp("chromium-home")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                    env={**os.environ, "HOME": str(home)})
        yield browser
        browser.close()


class Opened:
    """A loaded report page and what its console said."""

    def __init__(self, browser, path, fragment=""):
        self.page = browser.new_page(viewport={"width": 1280, "height": 1000})
        self.errors = []
        self.dialogs = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_selector("body[data-texts='1']")

    def cards(self, attribute):
        return self.page.eval_on_selector_all(
            "#clusters .cluster", f"cs => cs.map(c => c.dataset.{attribute})")


@pytest.fixture(scope="module")
def examples_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    batch = CliRunner().invoke(cli, ["batch", str(EXAMPLES), "--with-text"])
    assert batch.exit_code == 0, batch.stderr
    (folder / "results.jsonl").write_text(batch.stdout, "utf-8")
    out = folder / "report.html"
    assert CliRunner().invoke(cli, ["report", str(folder / "results.jsonl"), "-o",
                                    str(out)]).exit_code == 0
    return out


@pytest.fixture
def opened(browser, examples_report):
    view = Opened(browser, examples_report)
    yield view
    view.page.close()


def _data(path):
    text = path.read_text("utf-8")
    start = text.index('id="report-data">') + len('id="report-data">')
    return json.loads(text[start:text.index("</script>", start)])


def test_first_cluster_is_visible_side_by_side_with_highlights(opened, examples_report, tmp_path):
    page, data = opened.page, _data(examples_report)
    first = min(data["clusters"], key=lambda c: (-len(c["copies"]), c["id"]))
    card = page.locator("#clusters .cluster").first
    assert card.is_visible() and "open" in card.get_attribute("class")
    assert card.get_attribute("data-cluster") == str(first["id"])
    docs = card.locator(".pair .doc")
    assert docs.count() == 2 and docs.nth(0).is_visible() and docs.nth(1).is_visible()
    original = data["articles"][first["original"]]
    assert original["id"] in docs.nth(0).inner_text()
    assert data["articles"][first["copies"][0]["article"]]["id"] in docs.nth(1).inner_text()
    assert docs.nth(0).locator("mark").count() > 0 and docs.nth(1).locator("mark").count() > 0
    assert card.locator(".tab").count() == len(first["copies"])
    box0, box1 = docs.nth(0).bounding_box(), docs.nth(1).bounding_box()
    assert box0["x"] + box0["width"] <= box1["x"] and abs(box0["y"] - box1["y"]) < 1
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert opened.errors == []


def test_sort_controls_reorder_the_clusters(opened, examples_report):
    page, data = opened.page, _data(examples_report)
    size = {str(c["id"]): len(c["copies"]) for c in data["clusters"]}
    by_size = opened.cards("cluster")
    assert [size[c] for c in by_size] == sorted(size.values(), reverse=True)
    page.click("button[data-sort=origin]")
    origins = opened.cards("origin")
    assert origins == sorted(origins) and origins[0] == "AP" and origins[-1] == "Xinhua"
    assert page.get_attribute("button[data-sort=origin]", "aria-pressed") == "true"
    page.click("button[data-sort=origin]")
    assert opened.cards("origin") == sorted(origins, reverse=True)
    page.click("button[data-sort=cluster]")
    assert opened.cards("cluster") == sorted(size, key=int)
    page.click("button[data-sort=size]")
    assert opened.cards("cluster") == by_size
    assert opened.errors == []


def test_filter_and_copy_tabs(opened, examples_report):
    page, data = opened.page, _data(examples_report)
    arts = data["articles"]
    expected = sorted(str(c["id"]) for c in data["clusters"]
                      if any(arts[i]["source"] == "快讯网"
                             for i in [c["original"]] + [x["article"] for x in c["copies"]]))
    expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                 "(pip install -e '.[test]')").expect
    page.fill("#filter", "快讯网")
    expect(page.locator("#clusters .cluster")).to_have_count(len(expected))
    assert sorted(opened.cards("cluster")) == expected and len(expected) == 2
    assert "2 of 5 clusters" in page.inner_text("#count")
    page.fill("#filter", "")
    expect(page.locator("#clusters .cluster")).to_have_count(5)
    card = page.locator("#clusters .cluster").first
    shown = card.get_attribute("data-cluster")
    cluster = next(c for c in data["clusters"] if str(c["id"]) == shown)
    card.locator(".tab").nth(2).click()
    copy = cluster["copies"][2]
    assert arts[copy["article"]]["id"] in card.locator(".doc-copy").inner_text()
    assert card.locator(".tab").nth(2).get_attribute("aria-selected") == "true"
    second = page.locator("#clusters .cluster").nth(1)
    assert second.locator(".pair").count() == 0  # closed clusters are not rendered
    second.locator(".cluster-head").click()
    assert second.locator(".pair .doc mark").count() > 0
    assert opened.errors == []


def _write(tmp_path, name, verdicts):
    path = tmp_path / name
    path.write_text(render_html(build_report(verdicts)), "utf-8")
    return path


def _pair(cluster, original_id, text, copy_text, **extra):
    base = {"cluster": cluster, "original": original_id, "why": ["evidence"], "published": None}
    return [{**base, "id": original_id, "duplicate": False, "relation": None, "text": text,
             **extra},
            {**base, "id": original_id + "-copy", "duplicate": True, "relation": "near",
             "similarity": 0.9, "containment": 1.0, "text": copy_text, **extra}]


@pytest.mark.parametrize(("text", "lang"), [(URDU, "ur"), (ARABIC, "ar")])
def test_right_to_left_text_renders_right_to_left(browser, tmp_path, text, lang):
    path = _write(tmp_path, "rtl.html", _pair(1, "rtl", text, "خبر: " + text, title=text[:30]))
    view = Opened(browser, path)
    block = view.page.locator(".doc-original .text")
    assert block.get_attribute("lang") == lang
    assert block.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert view.page.locator(".doc-original h3").evaluate(
        "e => getComputedStyle(e).direction") == "rtl"
    marks = view.page.locator(".doc-copy .text mark")
    assert marks.count() > 0 and marks.first.inner_text() in text
    latin = view.page.locator(".doc-original .aid")  # the id is isolated, not reordered
    assert latin.inner_text() == "rtl"
    assert view.errors == []
    view.page.close()


def test_untrusted_text_stays_text(browser, tmp_path):
    verdicts = _pair(1, "orig", "The bridge over the river opens next spring, officials said. "
                     + HOSTILE, "Local intro. The bridge over the river opens next spring, "
                     "officials said. " + HOSTILE, source=HOSTILE, title=HOSTILE,
                     url="javascript:alert(1)")
    verdicts[1]["id"] = HOSTILE
    view = Opened(browser, _write(tmp_path, "hostile.html", verdicts))
    page = view.page
    assert page.evaluate("window.pwned") is None and view.dialogs == []
    assert page.locator(".doc-copy .aid").inner_text() == HOSTILE
    assert page.locator(".doc-copy h3").inner_text() == HOSTILE
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("#clusters img, #clusters script").count() == 0
    assert view.errors == []
    page.close()


def test_large_results_are_paginated(browser, tmp_path):
    verdicts = []
    for i in range(1, 61):
        words = " ".join(f"w{i}x{k}" for k in range(40))
        verdicts += _pair(i, f"story-{i:02d}", words, "Intro. " + words)
    view = Opened(browser, _write(tmp_path, "many.html", verdicts), fragment="#cluster-55")
    page = view.page
    assert page.locator("#clusters .cluster").count() == 10  # the last page (51-60)
    assert page.locator("#cluster-55").get_attribute("class") == "cluster open"
    assert "page 3 of 3" in page.inner_text("#pager")
    page.click("button[data-sort=cluster]")
    assert opened_ids(view) == [str(i) for i in range(1, 26)]
    page.click("#pager button:has-text('Next')")
    assert opened_ids(view) == [str(i) for i in range(26, 51)]
    assert view.errors == []
    page.close()


def opened_ids(view):
    return view.cards("cluster")

