"""Real-data evaluation of issue 15: Chinese reprints (CRUD-RAG) and real news pages (L3S-GN1).

Both sets are read where they lie in ``../shared/data`` (or ``$DEDUP_SHARED_DATA``) and never
copied. Neither has duplicate labels, so the ground truth is exact n-gram overlap:

* **crud-rag-zh-dev**: the first ``--crud`` articles of the files in name order (one article a
  line, ``<date time>，正文：<text>``) go through ``Index().add_many``. Candidate pairs are pairs
  sharing at least ``MIN_SHARED`` character 5-grams that are rare in the sample (an exact inverted
  index; a 5-gram in more than ``MAX_DF`` articles, such as ``新华社记者``, finds no pairs but
  still counts in the exact measures). For each candidate pair the exact character-5-gram Jaccard
  and both containments are measured. *Copies* (J ≥ 0.5, or both containments ≥ 0.8) should be in
  one cluster (target ≥ 0.97); *unrelated* candidate pairs (the larger containment < 0.5) should
  not (target ≤ 1 %). Every pair dedup put in one cluster is measured too, candidate or not.
* **L3S-GN1**: each page goes in as an HTML record ``{id, url, html}``, extracted the way
  ``dedup batch`` extracts a record's ``html`` (``extract_page`` → ``page_article`` →
  ``finish``). Pages whose annotated main text has ≥ 40 words should all get a verdict;
  *cross-site copies* (different hosts, exact word-5-gram J ≥ 0.5 of the annotated texts) should
  be clustered; no two pages of one host whose annotated texts are unrelated (J < 0.2) should be.

    python -m bench.realdata                          # 3000 CRUD-RAG articles, all L3S-GN1 pages
    python -m bench.realdata --crud 1000 --l3s 0 --json realdata.json
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

import click
import numpy as np

from dedup import Article, Index
from dedup.errors import BadRecord
from dedup.extract import extract_page, page_article
from dedup.sources import finish

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("DEDUP_SHARED_DATA", REPO.parent / "shared" / "data"))
CRUD = "crud-rag-zh-dev"
L3S = "l3s-gn1-html"
L3S_GOLD, L3S_PAGES = "l3s_gn1_goldtext.jsonl", "L3S-GN1.tar.gz"

MIN_SHARED = 10
"""Rare 5-grams two articles must share to be a candidate pair (10 characters' worth of
overlap at the least: far below any copy, so the copies are all found)."""
MAX_DF = 100
"""A 5-gram in more articles than this is boilerplate of the sample; it finds no pairs."""
COPY_J, COPY_CONTAINMENT, UNRELATED_CONTAINMENT = 0.5, 0.8, 0.5
MIN_WORDS = 40
CROSS_SITE_J, UNRELATED_J = 0.5, 0.2

TARGETS = {"copies_clustered": 0.97, "unrelated_merged": 0.01}


# -- exact n-gram overlap ----------------------------------------------------------

_P = np.uint64(0x9E3779B97F4A7C15)


def char_shingles(text: str, n: int = 5) -> np.ndarray:
    """The distinct character ``n``-grams of ``text`` (NFKC, whitespace removed), each as a
    64-bit polynomial hash of its code points (sorted). Collisions between two different
    5-grams are ~2^-64 per pair: negligible for an evaluation."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < n:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        value = np.zeros(len(codes) - n + 1, dtype=np.uint64)
        for k in range(n):
            value = value * _P + codes[k:len(codes) - n + 1 + k]
    return np.unique(value)


def word_shingles(text: str, n: int = 5) -> frozenset[tuple[str, ...]]:
    """The distinct word ``n``-grams of ``text`` (lower case, ``\\w+`` tokens)."""
    words = re.findall(r"\w+", text.lower())
    return frozenset(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class Overlap:
    """Exact overlap of two shingle sets: Jaccard and the share of each found in the other."""

    jaccard: float
    contain_a: float
    contain_b: float

    @property
    def copy(self) -> bool:
        return (self.jaccard >= COPY_J
                or min(self.contain_a, self.contain_b) >= COPY_CONTAINMENT)

    @property
    def unrelated(self) -> bool:
        return max(self.contain_a, self.contain_b) < UNRELATED_CONTAINMENT


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> frozenset[str]:
    """The distinct numbers a text states (NFKC: full-width digits are digits)."""
    return frozenset(_NUMBER.findall(unicodedata.normalize("NFKC", text)))


def templated(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts' numbers disagree: under half of the distinct numbers of the one that states
    fewer are in the other. A copy keeps its story's numbers; the daily fund and market
    reports of one template (``7月24日基金净值：…最新净值1.767，涨0.34%``) share their wording
    and differ in them, and are different reports."""
    return bool(a and b) and len(a & b) < 0.5 * min(len(a), len(b))


def overlap(a: np.ndarray, b: np.ndarray) -> Overlap:
    """Exact overlap of two sorted arrays of distinct shingle hashes."""
    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return Overlap(shared / union if union else 0.0, shared / len(a) if len(a) else 0.0,
                   shared / len(b) if len(b) else 0.0)


def candidate_pairs(sets: Sequence[np.ndarray], min_shared: int = MIN_SHARED,
                    max_df: int = MAX_DF) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, sharing at least ``min_shared`` shingles found in at most
    ``max_df`` of the sets (an exact inverted index over the sample)."""
    if not sets:
        return set()
    shingles = np.concatenate(sets)
    owners = np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(sets)])
    order = np.argsort(shingles, kind="stable")
    shingles, owners = shingles[order], owners[order]
    starts = np.flatnonzero(np.r_[True, shingles[1:] != shingles[:-1]])
    sizes = np.diff(np.r_[starts, len(shingles)])
    n = len(sets)
    keys = []
    for df in range(2, max_df + 1):
        first = starts[sizes == df]
        if not len(first):
            continue
        groups = owners[first[:, None] + np.arange(df)]  # (groups, df), owners ascending
        left, right = np.triu_indices(df, 1)
        keys.append((groups[:, left] * n + groups[:, right]).ravel())
    if not keys:
        return set()
    pairs, counts = np.unique(np.concatenate(keys), return_counts=True)
    chosen = pairs[counts >= min_shared]
    return {(int(k // n), int(k % n)) for k in chosen}


def co_clustered(index: Index) -> tuple[dict[str, int], set[frozenset[str]]]:
    """Each article's cluster, and every pair of articles dedup put in one cluster."""
    cluster_of: dict[str, int] = {}
    pairs: set[frozenset[str]] = set()
    for cluster in index.clusters():
        ids = [m.id for m in cluster.members]
        for article_id in ids:
            cluster_of[article_id] = cluster.id
        pairs.update(frozenset(p) for p in combinations(ids, 2))
    return cluster_of, pairs


# -- CRUD-RAG (Chinese reprints) -----------------------------------------------------

_DATE = re.compile(r"\[\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2})[:：](\d{2})\s*\]")


def load_crud(folder: Path, limit: int) -> list[Article]:
    """The first ``limit`` articles of the files in name order; ids are ``file:line``."""
    articles: list[Article] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if len(articles) >= limit:
                    return articles
                head, sep, text = line.rstrip("\n").partition("，正文：")
                if not sep or not text.strip():
                    continue
                stamp = _DATE.search(head)
                published = None
                if stamp:
                    day, hour, minute = stamp.group(1), int(stamp.group(2)), stamp.group(3)
                    published = datetime.fromisoformat(f"{day}T{hour:02d}:{minute}:00+08:00")
                articles.append(Article(id=f"{path.name}:{number}", text=text,
                                        published=published))
    return articles


def evaluate_crud(articles: Sequence[Article]) -> dict:
    """Copies clustered and unrelated pairs merged (see the module docstring)."""
    started = time.perf_counter()
    index = Index()
    results = index.add_many(articles, verdicts=False)
    refused = [r for r in results if isinstance(r, BadRecord)]
    seconds = time.perf_counter() - started
    cluster_of, merged = co_clustered(index)
    sets = [char_shingles(a.text) for a in articles]
    position = {a.id: i for i, a in enumerate(articles)}
    candidates = candidate_pairs(sets)
    measured = candidates | {tuple(sorted((position[a], position[b]))) for a, b in merged}
    numbers_of = [numbers(a.text) for a in articles]
    copies = clustered = unrelated = unrelated_merged = merged_unrelated = 0
    reports = reports_merged = 0
    missed: list[dict] = []
    false: list[dict] = []
    for i, j in sorted(measured):
        o = overlap(sets[i], sets[j])
        a, b = articles[i].id, articles[j].id
        together = a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
        if (i, j) in candidates:
            if o.copy and templated(numbers_of[i], numbers_of[j]):
                reports += 1
                reports_merged += together
            elif o.copy:
                copies += 1
                clustered += together
                if not together:
                    missed.append(_pair(a, b, o))
            elif o.unrelated:
                unrelated += 1
                unrelated_merged += together
                if together:
                    false.append(_pair(a, b, o))
        if together and o.unrelated:
            merged_unrelated += 1
    return {
        "articles": len(articles), "refused": len(refused), "seconds": round(seconds, 1),
        "clusters": sum(1 for size in Counter(cluster_of.values()).values() if size > 1),
        "candidate_pairs": len(candidates),
        "copy_pairs_all": copies + reports, "copies_clustered_all": clustered + reports_merged,
        "copies_clustered_all_share": ((clustered + reports_merged) / (copies + reports)
                                       if copies + reports else 1.0),
        "copy_pairs": copies, "copies_clustered": clustered,
        "copies_clustered_share": clustered / copies if copies else 1.0,
        "templated_pairs": reports, "templated_merged": reports_merged,
        "unrelated_pairs": unrelated, "unrelated_merged": unrelated_merged,
        "unrelated_merged_share": unrelated_merged / unrelated if unrelated else 0.0,
        "merged_pairs": len(merged), "merged_pairs_unrelated": merged_unrelated,
        "missed": missed, "false_merges": false,
    }


def _pair(a: str, b: str, o: Overlap) -> dict:
    return {"a": a, "b": b, "jaccard": round(o.jaccard, 3),
            "contain_a": round(o.contain_a, 3), "contain_b": round(o.contain_b, 3)}


# -- L3S-GN1 (real news pages) -------------------------------------------------------

def load_l3s(folder: Path, limit: int | None = None, ids: Iterable[str] | None = None
             ) -> list[dict]:
    """The annotated pages ({id, url, headline, text, html}), in the order of
    ``l3s_gn1_goldtext.jsonl``: the first ``limit``, or those whose id is in ``ids``. ``html``
    is the page's bytes, read from ``L3S-GN1.tar.gz`` (``original_html`` names the member)."""
    wanted = set(ids) if ids is not None else None
    rows = []
    with (folder / L3S_GOLD).open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if wanted is None or row["id"] in wanted:
                rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    with tarfile.open(folder / L3S_PAGES) as tar:
        for row in rows:
            member = tar.extractfile(row.pop("original_html"))
            if member is None:
                raise click.ClickException(f"{folder / L3S_PAGES}: no page for {row['id']}")
            row["html"] = member.read()
    return rows


def host(url: str | None) -> str:
    """The site a page belongs to: its URL's host without ``www.``."""
    name = (urlsplit(url or "").hostname or "").lower()
    return name.removeprefix("www.")


def l3s_subset(rows: Sequence[dict], first: int) -> list[dict]:
    """A smaller set that keeps what the figures are about: every page that shares its host
    with another (the same-site pairs), every page of a cross-site copy, and the first
    ``first`` pages (which include pages only a fallback extraction reads)."""
    sites = Counter(host(r["url"]) for r in rows)
    copies, _ = l3s_truth(rows)
    keep = set(range(min(first, len(rows)))) | {i for i, j, _ in copies for i in (i, j)}
    keep |= {i for i, r in enumerate(rows) if sites[host(r["url"])] > 1}
    return [rows[i] for i in sorted(keep)]


def page_record(row: dict) -> Article | BadRecord:
    """A page as ``dedup batch`` reads a record ``{id, url, html}`` (or an ``.html`` file: the
    page's bytes, in the encoding it declares)."""
    try:
        page = extract_page(row["html"], url=row["url"])
    except BadRecord as exc:
        return BadRecord(exc.reason, record_id=row["id"])
    return finish(page_article(page, row["id"], url=row["url"]), None, None)


def l3s_truth(rows: Sequence[dict]) -> tuple[list[tuple[int, int, float]], list[tuple[int, int]]]:
    """(cross-site copies as (i, j, J), same-site pairs whose annotated texts are unrelated)."""
    sets = [word_shingles(r["text"]) for r in rows]
    hosts = [host(r["url"]) for r in rows]
    copies, unrelated = [], []
    for i, j in combinations(range(len(rows)), 2):
        if hosts[i] == hosts[j]:
            union = len(sets[i] | sets[j])
            if union and len(sets[i] & sets[j]) / union < UNRELATED_J:
                unrelated.append((i, j))
            continue
        if not (sets[i] and sets[j]) or sets[i].isdisjoint(sets[j]):
            continue
        j_ = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
        if j_ >= CROSS_SITE_J:
            copies.append((i, j, j_))
    return copies, unrelated


def evaluate_l3s(rows: Sequence[dict]) -> dict:
    """Verdicts for annotated pages, cross-site copies clustered, same-site false merges."""
    started = time.perf_counter()
    records = [page_record(r) for r in rows]
    articles = [r for r in records if isinstance(r, Article)]
    index = Index()
    results = index.add_many(articles, verdicts=False)
    refused = {a.id: r.reason for a, r in zip(articles, results, strict=True)
               if isinstance(r, BadRecord)}
    refused.update({r.record_id: r.reason for r in records if isinstance(r, BadRecord)})
    seconds = time.perf_counter() - started
    cluster_of, merged = co_clustered(index)
    annotated = [r for r in rows if len(re.findall(r"\w+", r["text"])) >= MIN_WORDS]
    lost = [{"id": r["id"], "url": r["url"], "why": refused.get(r["id"], "no verdict")}
            for r in annotated if index.get(r["id"]) is None]
    copies, unrelated = l3s_truth(rows)
    missed = [{"a": rows[i]["url"], "b": rows[j]["url"], "jaccard": round(jv, 3)}
              for i, j, jv in copies
              if not (rows[i]["id"] in cluster_of
                      and cluster_of.get(rows[i]["id"]) == cluster_of.get(rows[j]["id"]))]
    false = [{"a": rows[i]["url"], "b": rows[j]["url"]} for i, j in unrelated
             if frozenset((rows[i]["id"], rows[j]["id"])) in merged]
    return {
        "pages": len(rows), "seconds": round(seconds, 1),
        # getattr: the same script measures dedup from before the fallbacks (no such field)
        "extracted_by_fallback": sum(1 for a in articles if getattr(a, "extraction", None)),
        "annotated_pages": len(annotated), "annotated_with_verdict": len(annotated) - len(lost),
        "cross_site_copies": len(copies), "cross_site_clustered": len(copies) - len(missed),
        "same_site_unrelated_pairs": len(unrelated), "same_site_unrelated_merged": len(false),
        "merged_pairs": len(merged),
        "lost": lost, "missed": missed, "false_merges": false,
    }


# -- report -------------------------------------------------------------------------

def table(crud: dict | None, l3s: dict | None) -> str:
    """The figures and their targets as a Markdown table."""
    rows = ["| data | measure | value | target | met |", "|---|---|---|---|---|"]

    def add(data: str, measure: str, value: str, target: str, met: bool | None) -> None:
        rows.append(f"| {data} | {measure} | {value} | {target} | "
                    f"{'' if met is None else ('yes' if met else '**no**')} |")

    if crud is not None:
        name = f"crud-rag-zh-dev ({crud['articles']} articles)"
        share = crud["copies_clustered_all_share"]
        add(name, "copy pairs (char-5 J ≥ 0.5 or both containments ≥ 0.8) in one cluster",
            f"{share:.3f} ({crud['copies_clustered_all']}/{crud['copy_pairs_all']})", "≥ 0.97",
            share >= TARGETS["copies_clustered"])
        share = crud["copies_clustered_share"]
        add(name, "the same, templated reports left out (numbers disagree)",
            f"{share:.3f} ({crud['copies_clustered']}/{crud['copy_pairs']})", "≥ 0.97",
            share >= TARGETS["copies_clustered"])
        add(name, "templated report pairs (J ≥ 0.5, numbers disagree) merged",
            f"{crud['templated_merged']}/{crud['templated_pairs']}", "(for reference)", None)
        share = crud["unrelated_merged_share"]
        add(name, "unrelated candidate pairs (max containment < 0.5) merged",
            f"{share:.2%} ({crud['unrelated_merged']}/{crud['unrelated_pairs']})", "≤ 1 %",
            share <= TARGETS["unrelated_merged"])
        add(name, "co-clustered pairs with max containment < 0.5",
            f"{crud['merged_pairs_unrelated']}/{crud['merged_pairs']}", "(for reference)", None)
    if l3s is not None:
        name = f"L3S-GN1 ({l3s['pages']} pages)"
        add(name, "pages with annotated text (≥ 40 words) that get a verdict",
            f"{l3s['annotated_with_verdict']}/{l3s['annotated_pages']}", "all",
            l3s["annotated_with_verdict"] == l3s["annotated_pages"])
        add(name, "cross-site copies (annotated word-5 J ≥ 0.5) clustered",
            f"{l3s['cross_site_clustered']}/{l3s['cross_site_copies']}", "all",
            l3s["cross_site_clustered"] == l3s["cross_site_copies"])
        add(name, "same-site unrelated pairs (annotated J < 0.2) merged",
            f"{l3s['same_site_unrelated_merged']}/{l3s['same_site_unrelated_pairs']}", "0",
            l3s["same_site_unrelated_merged"] == 0)
        add(name, "pages extracted by a fallback mode", str(l3s["extracted_by_fallback"]),
            "(for reference)", None)
    return "\n".join(rows)


@click.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=SHARED_DATA,
              show_default=True, help="The shared data folder (also $DEDUP_SHARED_DATA).")
@click.option("--crud", "crud_n", type=int, default=3000, show_default=True,
              help="CRUD-RAG articles to use (the first N; 0 skips the set).")
@click.option("--l3s", "l3s_n", type=int, default=None,
              help="L3S-GN1 pages to use (the first N; default all; 0 skips the set).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every figure, with the missed and falsely merged pairs, here.")
def main(data: Path, crud_n: int, l3s_n: int | None, json_out: Path | None) -> None:
    """Issue 15's real-data figures: CRUD-RAG reprints and L3S-GN1 pages, as a Markdown table.

    \b
    Example:
        python -m bench.realdata --crud 3000
    """
    if not data.is_dir():
        click.echo(f"{data} is absent (set DEDUP_SHARED_DATA to the shared data folder); "
                   "nothing measured", err=True)
        return
    crud = evaluate_crud(load_crud(data / CRUD, crud_n)) if crud_n else None
    l3s = evaluate_l3s(load_l3s(data / L3S, l3s_n)) if l3s_n != 0 else None
    click.echo(table(crud, l3s))
    for name, result in (("crud-rag-zh-dev", crud), ("L3S-GN1", l3s)):
        if result is not None:
            click.echo(f"\n{name}: {result['seconds']} s in dedup"
                       + (" (with extraction)" if name == "L3S-GN1" else ""), err=True)
    if json_out is not None:
        json_out.write_text(json.dumps({"crud": crud, "l3s": l3s}, ensure_ascii=False, indent=1),
                            encoding="utf-8")


if __name__ == "__main__":
    main()
