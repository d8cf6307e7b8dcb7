"""Time an HTML report (``dedup report``) in headless Chromium: file size, first render, texts
ready.

    python -m bench.corpus --n 10000 --seed 1 --out /tmp/c10k/corpus.jsonl
    dedup batch /tmp/c10k/corpus.jsonl --with-text -j 2 > /tmp/c10k/results.jsonl
    dedup report /tmp/c10k/results.jsonl -o /tmp/c10k/report.html
    python -m bench.report_page /tmp/c10k/report.html --runs 3

Times come from the page's own performance marks (``dedup-report-rendered``: the cluster list is
on screen; ``dedup-report-texts``: the texts are parsed and the open cluster is drawn side by side),
relative to navigation start. Needs /usr/bin/chromium and playwright (never ``playwright install``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MEASURE = """() => {
  const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const t0 = performance.now();
  document.querySelector("button[data-sort=origin]").click();
  const sort = performance.now() - t0;
  const t1 = performance.now();
  document.querySelectorAll(".cluster-head")[1].click();
  const open = performance.now() - t1;
  return {first_paint_ms: paint && paint.startTime, list_ms: mark("dedup-report-rendered"),
          json_parse_ms: mark("dedup-report-parsed") - mark("dedup-report-start"),
          texts_ms: mark("dedup-report-texts"), load_ms: nav.loadEventEnd, sort_ms: sort,
          open_cluster_ms: open, js_heap_mb: performance.memory.usedJSHeapSize / 1e6,
          clusters: document.querySelectorAll(".cluster").length};
}"""


@click.command()
@click.argument("report", type=click.Path(exists=True, dir_okay=False))
@click.option("--runs", type=click.IntRange(1), default=3, show_default=True)
@click.option("--chromium", default="/usr/bin/chromium", show_default=True)
def main(report: str, runs: int, chromium: str) -> None:
    """Load REPORT in headless Chromium RUNS times; print one JSON line of timings per run."""
    from playwright.sync_api import sync_playwright

    path = Path(report).resolve()
    click.echo(json.dumps({"file": str(path), "bytes": path.stat().st_size}))
    with tempfile.TemporaryDirectory() as home, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS,
                                    env={**os.environ, "HOME": home})
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []

            def console(message, errors: list[str] = errors) -> None:
                if message.type == "error":
                    errors.append(message.text)
            page.on("console", console)
            page.goto(path.as_uri(), timeout=300_000)
            page.wait_for_selector("body[data-texts='1']", timeout=300_000)
            figures = page.evaluate(MEASURE)
            figures = {k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}
            click.echo(json.dumps({**figures, "console_errors": len(errors)}))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
