"""Real wire -> newspaper reuse: dedup on COUNTER (Urdu), derived-vs-not and tracing P@1.

COUNTER (Sharjeel, Nawab & Rayson 2017) pairs agency stories (``NNNN.xml``, mostly APP) with
newspaper articles on the same story (``NNNNp.xml``), each labelled WD (wholly derived), PD
(partially derived) or ND (non-derived: the same event written independently). The newspapers
rewrite heavily (mean word 5-gram containment of WD articles ≈ 0.36), so whole-story matching
is not enough; this scores ``dedup trace``:

* **derived vs not**: an article is *derived* when its containment in its own agency story,
  as ``dedup trace`` measures it (word bigrams, credits removed), is at least ``--threshold``
  (one setting for every item; default: trace's documented floor, 0.05). A sweep over other
  thresholds is printed for reference; the best of it is tuned on this data (optimistic).
* **attribution P@1**: each newspaper article is traced against all agency stories with the
  default settings (top 5, floor 0.05); is the top candidate the pair's own agency story?
* **whole-story baseline**: does ``dedup batch`` (the index) put the pair in one cluster?

    python -m bench.counter_eval                       # ../shared/data/counter-dev
    python -m bench.counter_eval --data PATH --json counter.json

The data is read where it lies and never copied; without it the script says so and exits 0.
"""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import click
import numpy as np

from dedup import Article, Config, Index
from dedup.trace import DEFAULT_FLOOR, DEFAULT_TOP, Tracer

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("DEDUP_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "counter-dev"
CLASSES = ("WD", "PD", "ND")
SWEEP = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3)


def _read(path: Path) -> tuple[str, Article]:
    root = ET.parse(path).getroot()
    text = (root.findtext("body") or "").strip()
    title = (root.findtext("headline") or "").strip() or None
    article = Article(id=path.stem, text=text, title=title, source=root.get("newspaper") or None)
    return root.get("classification") or "", article


def load(folder: Path) -> tuple[list[Article], list[Article], list[str]]:
    """(agency stories, newspaper articles, labels), pair ``i`` in row ``i``."""
    numbers = sorted(m.group(1) for name in os.listdir(folder)
                     if (m := re.fullmatch(r"(\d+)\.xml", name))
                     and (folder / f"{m.group(1)}p.xml").exists())
    sources, articles, labels = [], [], []
    for number in numbers:
        _, source = _read(folder / f"{number}.xml")
        label, article = _read(folder / f"{number}p.xml")
        sources.append(source)
        articles.append(article)
        labels.append(label)
    return sources, articles, labels


def _prf(predicted: np.ndarray, actual: np.ndarray) -> dict:
    tp = int((predicted & actual).sum())
    precision = tp / predicted.sum() if predicted.sum() else 1.0
    recall = tp / actual.sum() if actual.sum() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": int(predicted.sum())}


def evaluate(sources: list[Article], articles: list[Article], labels: list[str],
             threshold: float = DEFAULT_FLOOR) -> dict:
    """Score derived-vs-not, tracing P@1 and the whole-story baseline (see the module docstring)."""
    labels_arr = np.array(labels)
    derived = labels_arr != "ND"
    # Containment of each article in its own agency story (floor 0: always listed).
    own = np.array([_own_containment(s, a) for s, a in zip(sources, articles, strict=False)])
    report: dict = {"pairs": len(labels),
                    "classes": {c: int((labels_arr == c).sum()) for c in CLASSES},
                    "mean_containment": {c: float(own[labels_arr == c].mean()) for c in CLASSES},
                    "threshold": threshold,
                    "derived": _prf(own >= threshold, derived),
                    "all_derived_baseline": _prf(np.ones(len(labels), dtype=bool), derived),
                    "sweep": {str(t): _prf(own >= t, derived) for t in SWEEP}}

    gold = [s.id for s in sources]
    tracer = Tracer(sources)
    results = list(tracer.trace(articles, top=DEFAULT_TOP, floor=DEFAULT_FLOOR))
    ids = [[c.id for c in r.candidates] for r in results]
    ranks_arr = np.array([found.index(want) + 1 if want in found else 0
                          for found, want in zip(ids, gold, strict=False)])
    twins = _twins(sources)
    top_ok = ranks_arr == 1
    top_or_twin = np.array([bool(found) and (found[0] == want or found[0] in twins[want])
                            for found, want in zip(ids, gold, strict=False)])
    report["trace"] = {
        "settings": {"top": DEFAULT_TOP, "floor": DEFAULT_FLOOR, "sources": len(sources)},
        "p_at_1": float(top_ok.mean()),
        "p_at_1_counting_duplicate_sources": float(top_or_twin.mean()),
        "in_top_5": float((ranks_arr > 0).mean()),
        "by_class": {c: {"p_at_1": float(top_ok[labels_arr == c].mean()),
                         "in_top_5": float((ranks_arr[labels_arr == c] > 0).mean())}
                     for c in CLASSES},
        "derived_p_at_1": float(top_ok[derived].mean()),
        "duplicate_sources": sum(len(t) for t in twins.values()) // 2,
    }

    clustered = []
    for source, article in zip(sources, articles, strict=False):
        index = Index(Config())
        index.add_many([source, Article(id=article.id + "@paper", text=article.text)],
                       learn_chrome=False)
        clustered.append(index.get(article.id + "@paper").duplicate)
    report["whole_story_baseline"] = _prf(np.array(clustered), derived)
    return report


def _own_containment(source: Article, article: Article) -> float:
    """Share of the article's bigrams found in its own agency story."""
    found = next(Tracer([source]).trace([article], top=1, floor=0.0)).candidates
    return found[0].containment if found else 0.0


def _twins(sources: list[Article]) -> dict[str, set[str]]:
    """Agency stories that are (almost) the same text as another one: similarity ≥ 0.9."""
    twins: dict[str, set[str]] = defaultdict(set)
    tracer = Tracer(sources)
    for result in tracer.trace(sources, top=3, floor=0.9):
        for c in result.candidates:
            if c.similarity >= 0.9:
                twins[result.id].add(c.id)
    return twins


def markdown(report: dict) -> str:
    """The report as Markdown."""
    d, b, w = report["derived"], report["all_derived_baseline"], report["whole_story_baseline"]
    tr = report["trace"]
    mc = report["mean_containment"]
    lines = [f"COUNTER dev: {report['pairs']} agency → newspaper pairs "
             f"({', '.join(f'{c} {n}' for c, n in report['classes'].items())})", "",
             "Mean containment of the newspaper article in its agency story (word bigrams): "
             + ", ".join(f"{c} {mc[c]:.3f}" for c in CLASSES), "",
             "| derived (WD+PD) vs not (ND) | precision | recall | F1 |", "|---|---:|---:|---:|",
             f"| `dedup trace` containment ≥ {report['threshold']} | {d['precision']:.3f} | "
             f"{d['recall']:.3f} | {d['f1']:.3f} |",
             f"| everything derived (baseline) | {b['precision']:.3f} | {b['recall']:.3f} | "
             f"{b['f1']:.3f} |",
             f"| `dedup batch` clusters the pair (whole-story matching) | {w['precision']:.3f} | "
             f"{w['recall']:.3f} | {w['f1']:.3f} |", "",
             "Threshold sweep (for reference only; choosing the best here is tuning on the test "
             "data): "
             + ", ".join(f"{t}: F1 {s['f1']:.3f}" for t, s in report["sweep"].items()), "",
             f"`dedup trace` against all {tr['settings']['sources']} agency stories (top "
             f"{tr['settings']['top']}, floor {tr['settings']['floor']}):", "",
             "| articles | P@1 | gold in top 5 |", "|---|---:|---:|",
             f"| all | {tr['p_at_1']:.3f} | {tr['in_top_5']:.3f} |",
             f"| derived (WD+PD) | {tr['derived_p_at_1']:.3f} | |"]
    for c in CLASSES:
        g = tr["by_class"][c]
        lines.append(f"| {c} | {g['p_at_1']:.3f} | {g['in_top_5']:.3f} |")
    lines += ["", f"(Near-)identical agency stories: {tr['duplicate_sources']} pair(s); counting "
              f"such a twin of the gold story as correct, P@1 = "
              f"{tr['p_at_1_counting_duplicate_sources']:.3f}."]
    return "\n".join(lines)


@click.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA,
              show_default=True, help="The counter-dev folder.")
@click.option("--threshold", type=float, default=DEFAULT_FLOOR, show_default=True,
              help="Containment at which a newspaper article counts as derived.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the report as JSON.")
def main(data: Path, threshold: float, json_out: Path | None) -> None:
    """Score dedup trace on COUNTER's Urdu agency -> newspaper pairs.

    \b
    Example:
        python -m bench.counter_eval
    """
    if not data.is_dir():
        click.echo(f"skipped: {data} is not there (COUNTER is evaluation data, not shipped with "
                   "dedup); pass --data PATH", err=True)
        return
    sources, articles, labels = load(data)
    if not sources:
        raise click.ClickException(f"{data}: no NNNN.xml / NNNNp.xml pairs found")
    report = evaluate(sources, articles, labels, threshold)
    click.echo(markdown(report))
    if json_out:
        json_out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
