"""Accuracy of dedup's clusters and attribution on the generated syndication corpus.

Runs ``Index.add_many`` (what ``dedup batch`` does) on a corpus from ``bench.corpus`` and scores
the verdicts against its truth sidecar: pairwise precision/recall/F1 (a pair = two articles of one
story), the adjusted Rand index of the clusters, origin accuracy (``original`` is the wire's own
copy, ``origin_source`` the story's wire), per transform, plus how often ``dedup trace`` ranks each
copy's wire story first.

    python -m bench.accuracy --n 10000 --seed 1
    python -m bench.accuracy --corpus corpus.jsonl --json accuracy.json
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import click
import numpy as np
import orjson

from bench.corpus import GENERATOR_VERSION, GENERATOR_VERSIONS, truth_path_for
from bench.reuters import REUTERS_DIR
from bench.reuters_corpus import corpus_for as reuters_corpus_for
from bench.run import DEFAULT_CACHE, corpus_for
from dedup import Article, Config, Index
from dedup.records import parse_record
from dedup.trace import trace

# Groups the issues set targets for: copies of the whole story, excerpts, expansions, edited
# versions (issue 15), and hard-wrapped copies among the per-transform rows.
PARTIAL = ("excerpt", "expanded", "edited", "resend")  # resend: the wire's own (Reuters variant)
TARGETS = {"whole-story copies": 0.99, "excerpt": 0.95, "expanded": 0.95, "edited": 0.95,
           "  wrapped": 0.99}
ORIGIN_TARGET = 0.98


def load(path: Path) -> tuple[list[Article], list[dict]]:
    """The corpus as Articles and its truth rows (same order)."""
    articles = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            article, _ = parse_record(orjson.loads(line), default_id=f"{path.name}:{number}")
            articles.append(article)
    with open(truth_path_for(path), "rb") as f:
        truth = [orjson.loads(line) for line in f]
    if [a.id for a in articles] != [t["id"] for t in truth]:
        raise click.ClickException(f"{truth_path_for(path)} does not list the corpus' ids in order")
    return articles, truth


def _pairs(counts: np.ndarray) -> float:
    return float((counts * (counts - 1) // 2).sum())


def contingency(labels_true: np.ndarray, labels_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                            np.ndarray]:
    """Sizes of the non-empty cells, true clusters and predicted clusters."""
    _, t = np.unique(labels_true, return_inverse=True)
    _, p = np.unique(labels_pred, return_inverse=True)
    cells = np.unique(t.astype(np.int64) * (p.max() + 1) + p, return_counts=True)[1]
    return cells, np.bincount(t), np.bincount(p)


def pair_counts(labels_true: np.ndarray, labels_pred: np.ndarray) -> tuple[float, float, float]:
    """(pairs in the same story and cluster, pairs in the same story, pairs in the same cluster)."""
    cells, rows, cols = contingency(labels_true, labels_pred)
    return _pairs(cells), _pairs(rows), _pairs(cols)


def _scores(tp: float, true_pairs: float, pred_pairs: float) -> dict:
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": int(true_pairs),
            "predicted_pairs": int(pred_pairs), "correct_pairs": int(tp)}


def pairwise(labels_true: np.ndarray, labels_pred: np.ndarray) -> dict:
    """Pairwise precision, recall, F1 and the adjusted Rand index (Hubert & Arabie 1985)."""
    tp, true_pairs, pred_pairs = pair_counts(labels_true, labels_pred)
    n = len(labels_true)
    total = n * (n - 1) / 2
    expected = true_pairs * pred_pairs / total if total else 0.0
    maximum = (true_pairs + pred_pairs) / 2
    ari = 1.0 if maximum == expected else (tp - expected) / (maximum - expected)
    return {**_scores(tp, true_pairs, pred_pairs), "ari": ari}


def group_scores(members: np.ndarray, labels_true: np.ndarray, labels_pred: np.ndarray,
                 originals: np.ndarray) -> dict:
    """Pairwise scores over the pairs that involve a copy of ``members``.

    The pairs are taken within ``members`` plus every wire original: a copy ↔ its original,
    ↔ another copy of the same group, ↔ any other story's original (hard negatives included).
    A group is not charged for the misses of other groups' copies of its stories.
    """
    chosen = np.union1d(members, originals)
    counts = np.subtract(pair_counts(labels_true[chosen], labels_pred[chosen]),
                         pair_counts(labels_true[originals], labels_pred[originals]))
    return {"articles": len(members), **_scores(*counts)}


def evaluate(articles: list[Article], truth: list[dict], jobs: int = 1,
             trace_sample: int = 2000) -> dict:
    """Cluster the corpus with dedup and score it (see the module docstring)."""
    t0 = time.perf_counter()
    index = Index(Config())
    index.add_many(articles, jobs=jobs, verdicts=False)
    seconds = time.perf_counter() - t0
    verdicts = {v.id: v for v in index.verdicts()}
    ids = [a.id for a in articles]
    labels_true = np.array([t["story"] for t in truth])
    labels_pred = np.array([verdicts[i].cluster for i in ids])
    report = {"articles": len(articles), "seconds": round(seconds, 1),
              "overall": pairwise(labels_true, labels_pred)}

    transforms = [t["transform"].replace("+chrome", "").split("+") for t in truth]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (row, parts) in enumerate(zip(truth, transforms, strict=False)):
        if parts == ["original"]:
            continue
        groups["whole-story copies" if not set(parts) & set(PARTIAL) else
               next(p for p in parts if p in PARTIAL)].append(i)
        for part in parts:
            groups[f"  {part}"].append(i)
        groups[f"  lang {row['lang']}"].append(i)
        groups[f"  copies of {row['kind']} stories"].append(i)
    originals = np.array([i for i, parts in enumerate(transforms) if parts == ["original"]])
    report["groups"] = {name: group_scores(np.array(members), labels_true, labels_pred, originals)
                        for name, members in sorted(groups.items(), key=lambda kv: kv[0].strip())}
    report["false_merges"] = false_merges(truth, labels_true, labels_pred)

    origin_ok, source_ok, per_group = [], [], defaultdict(lambda: [0, 0, 0])
    for i, row in enumerate(truth):
        v = verdicts[ids[i]]
        good_original = v.original == row["original_id"]
        good_source = v.origin_source == row["wire"]
        origin_ok.append(good_original)
        source_ok.append(good_source)
        key = row["kind"] if transforms[i] == ["original"] else "copies"
        per_group[key][0] += 1
        per_group[key][1] += good_original
        per_group[key][2] += good_source
    report["origin"] = {"original": float(np.mean(origin_ok)),
                        "origin_source": float(np.mean(source_ok)),
                        "by_group": {k: {"articles": n, "original": a / n, "origin_source": b / n}
                                     for k, (n, a, b) in sorted(per_group.items())}}
    report["wrong_origin_examples"] = [
        {"id": ids[i], "transform": truth[i]["transform"],
         "truth_original": truth[i]["original_id"], "original": verdicts[ids[i]].original,
         "truth_wire": truth[i]["wire"], "origin_source": verdicts[ids[i]].origin_source}
        for i in np.flatnonzero(~(np.array(origin_ok) & np.array(source_ok)))[:20].tolist()]
    if trace_sample:
        report["trace"] = trace_accuracy(articles, truth, trace_sample)
    return report


def false_merges(truth: list[dict], labels_true: np.ndarray, labels_pred: np.ndarray) -> dict:
    """Articles of different stories put in one cluster, by what the two stories are."""
    kinds: dict[str, int] = defaultdict(int)
    story_kind = {t["story"]: t["kind"] for t in truth}
    related = {t["story"]: t["related"] for t in truth}
    members: dict[int, list[int]] = defaultdict(list)
    for i, cluster in enumerate(labels_pred.tolist()):
        members[cluster].append(i)
    for group in members.values():
        stories = sorted({int(labels_true[i]) for i in group})
        for x in range(len(stories)):
            for y in range(x + 1, len(stories)):
                a, b = stories[x], stories[y]
                n = int(sum(labels_true[i] == a for i in group)
                        * sum(labels_true[i] == b for i in group))
                if related[a] == b or related[b] == a:
                    kind = story_kind[a] if related[a] == b else story_kind[b]
                    kinds[f"{kind} ↔ its base story"] += n
                elif story_kind[a] == story_kind[b] == "template" and related[a] == related[b]:
                    kinds["two reports of one template"] += n
                else:
                    kinds["other"] += n
    return dict(kinds)


def trace_accuracy(articles: list[Article], truth: list[dict], sample: int) -> dict:
    """P@1 of ``dedup trace``: each sampled copy traced against every wire original and hard
    negative."""
    originals = [a for a, t in zip(articles, truth, strict=False) if t["transform"] == "original"]
    copies = [(a, t) for a, t in zip(articles, truth, strict=False) if t["transform"] != "original"]
    rng = np.random.default_rng(0)
    chosen = sorted(rng.choice(len(copies), min(sample, len(copies)), replace=False).tolist())
    t0 = time.perf_counter()
    results = list(trace([copies[k][0] for k in chosen], originals, top=5))
    seconds = time.perf_counter() - t0
    hits = defaultdict(lambda: [0, 0])
    for k, result in zip(chosen, results, strict=False):
        row = copies[k][1]
        ok = bool(result.candidates) and result.candidates[0].id == row["original_id"]
        for part in {"all", *row["transform"].replace("+chrome", "").split("+")}:
            hits[part][0] += 1
            hits[part][1] += ok
    return {"copies": len(chosen), "sources": len(originals), "seconds": round(seconds, 1),
            "p_at_1": {k: {"copies": n, "p_at_1": ok / n} for k, (n, ok) in sorted(hits.items())}}


def markdown(report: dict) -> str:
    """The report as Markdown tables."""
    o = report["overall"]
    lines = [f"{report['articles']:,} articles, clustered in {report['seconds']} s", "",
             "| group | articles | precision | recall | F1 | target |",
             "|---|---:|---:|---:|---:|---:|",
             f"| **all pairs** (ARI {o['ari']:.4f}) | {report['articles']} | "
             f"{o['precision']:.4f} | {o['recall']:.4f} | {o['f1']:.4f} | |"]
    for name, g in report["groups"].items():
        target = TARGETS.get(name)
        mark = "" if target is None else (f"≥ {target}" + (" ✓" if g["f1"] >= target else " ✗"))
        lines.append(f"| {name.replace('  ', '↳ ')} | {g['articles']} | {g['precision']:.4f} | "
                     f"{g['recall']:.4f} | {g['f1']:.4f} | {mark} |")
    merges = report["false_merges"]
    lines += ["", "False pairs (articles of different stories in one cluster): "
              + (", ".join(f"{k}: {v}" for k, v in sorted(merges.items())) or "none")]
    origin = report["origin"]
    lines += ["", "| origin | articles | original correct | origin_source correct |",
              "|---|---:|---:|---:|",
              f"| all (target ≥ {ORIGIN_TARGET}) | {report['articles']} | "
              f"{origin['original']:.4f} | {origin['origin_source']:.4f} |"]
    for name, g in origin["by_group"].items():
        lines.append(f"| {name} | {g['articles']} | {g['original']:.4f} | "
                     f"{g['origin_source']:.4f} |")
    if "trace" in report:
        tr = report["trace"]
        lines += ["", f"`dedup trace` P@1: {tr['copies']} sampled copies traced against all "
                  f"{tr['sources']} wire stories and hard negatives ({tr['seconds']} s)", "",
                  "| transform | copies | P@1 |", "|---|---:|---:|"]
        for name, g in tr["p_at_1"].items():
            lines.append(f"| {name} | {g['copies']} | {g['p_at_1']:.4f} |")
    return "\n".join(lines)


@click.command()
@click.option("--n", "n", type=int, default=10000, show_default=True, help="Articles to generate.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--zh-share", type=float, default=0.2, show_default=True)
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Use this corpus (with its .truth.jsonl sidecar) instead of generating one.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE,
              show_default=True, help="Where generated corpora are cached.")
@click.option("--jobs", type=int, default=1, show_default=True,
              help="Threads to fingerprint with.")
@click.option("--trace-sample", type=int, default=2000, show_default=True,
              help="Copies to trace against the wire stories (0 = skip).")
@click.option("--corpus-kind", "kind", type=click.Choice(["generated", "reuters"]),
              default="generated", show_default=True,
              help="generated: written from word lists; reuters: Reuters-21578 items as the wire "
                   "originals (read from --reuters; skipped with a notice when absent).")
@click.option("--reuters", "reuters_dir", type=click.Path(file_okay=False, path_type=Path),
              default=REUTERS_DIR, show_default=True,
              help="Folder with Reuters-21578's reut2-*.sgm.")
@click.option("--generator-version", "version",
              type=click.Choice([str(v) for v in GENERATOR_VERSIONS]),
              default=str(GENERATOR_VERSION), show_default=True,
              help="2 = the corpus before real text shapes (to check the old lines).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full report as JSON.")
def main(n: int, seed: int, zh_share: float, corpus: Path | None, cache: Path, jobs: int,
         trace_sample: int, kind: str, reuters_dir: Path, version: str,
         json_out: Path | None) -> None:
    """Score dedup's clusters and attribution on a generated or Reuters-based corpus.

    \b
    Example:
        python -m bench.accuracy --n 10000 --seed 1
        python -m bench.accuracy --n 3000 --seed 1 --corpus-kind reuters
    """
    log = lambda m: click.echo(m, err=True)  # noqa: E731
    if corpus:
        path = corpus
    elif kind == "reuters":
        if not any(reuters_dir.glob("reut2-*.sgm")):
            log(f"skipped: no Reuters-21578 (reut2-*.sgm) in {reuters_dir}; the Reuters variant "
                "reads it from ../shared/data/reuters21578")
            return
        path = reuters_corpus_for(n, seed, cache, reuters_dir, log)
    else:
        path = corpus_for(n, seed, cache, zh_share, log, int(version))[0]
    articles, truth = load(path)
    report = evaluate(articles, truth, jobs=jobs, trace_sample=trace_sample)
    report["corpus"] = str(path)
    click.echo(markdown(report))
    if json_out:
        json_out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
