"""HTML extraction throughput and quality: dedup.extract.extract_page on real pages.

Measures pages/s (one process, one core) on the project's example pages
(``examples-web/``) and, when the folder exists, on L3S-GN1 (621 real news
pages with human-annotated main text, read in place from ``../shared/data``;
evaluation only, nothing is copied), with bag-of-words F1 against the
annotation and how often a title, a date and a site name were found.

    python -m bench.extract_bench                       # examples + L3S-GN1
    python -m bench.extract_bench --reference           # also plain trafilatura.extract()
    python -m bench.extract_bench --l3s /path/to/l3s-gn1-html --out extract.json
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tarfile
import time
from collections import Counter
from pathlib import Path

from dedup.extract import extract_page, trafilatura_module

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples-web"
L3S = ROOT.parent / "shared" / "data" / "l3s-gn1-html"


def bow_f1(got: str, want: str) -> float:
    """Bag-of-words F1 of an extraction against the annotated main text."""
    a = Counter(re.findall(r"\w+", got.lower()))
    b = Counter(re.findall(r"\w+", want.lower()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def load_l3s(folder: Path) -> list[dict]:
    """The annotated pages: {id, url, html (bytes), gold text}."""
    rows = [json.loads(line) for line in (folder / "l3s_gn1_goldtext.jsonl").open(encoding="utf-8")]
    with tarfile.open(folder / "L3S-GN1.tar.gz") as tar:
        members = {Path(m.name).stem: m for m in tar.getmembers()
                   if "/original/" in m.name and m.isfile()}
        for row in rows:
            row["html"] = tar.extractfile(members[row["id"]]).read()
    return rows


def run_examples(repeat: int) -> dict:
    pages = [p.read_bytes() for p in sorted(EXAMPLES.rglob("*.html"))]
    extract_page(pages[0])  # imports and warms trafilatura's caches of pure functions
    start = time.perf_counter()
    for _ in range(repeat):
        for html in pages:
            extract_page(html)
    seconds = time.perf_counter() - start
    return {"pages": len(pages) * repeat, "seconds": round(seconds, 2),
            "pages_per_s": round(len(pages) * repeat / seconds, 1)}


def run_l3s(rows: list[dict], reference: bool) -> dict:
    extract_page(rows[0]["html"], url=rows[0]["url"])
    start = time.perf_counter()
    pages = [extract_page(row["html"], url=row["url"]) for row in rows]
    seconds = time.perf_counter() - start
    scores = [bow_f1(p.text, row["text"]) for p, row in zip(pages, rows, strict=True)]
    result = {
        "pages": len(rows), "seconds": round(seconds, 2),
        "pages_per_s": round(len(rows) / seconds, 1),
        "with_text": sum(bool(p.text.strip()) for p in pages),
        "by_extractor": dict(Counter(p.extractor for p in pages)),
        "f1_mean": round(statistics.mean(scores), 3),
        "f1_median": round(statistics.median(scores), 3),
        "title": sum(bool(p.title) for p in pages),
        "published": sum(p.published is not None for p in pages),
        "site_name": sum(bool(p.site_name) for p in pages),
        "canonical": sum(bool(p.canonical) for p in pages),
    }
    if reference:
        trafilatura = trafilatura_module()
        start = time.perf_counter()
        texts = [trafilatura.extract(row["html"], url=row["url"], include_comments=False,
                                     deduplicate=False) or "" for row in rows]
        ref_seconds = time.perf_counter() - start
        ref = [bow_f1(t, row["text"]) for t, row in zip(texts, rows, strict=True)]
        result["reference_extract"] = {
            "pages_per_s": round(len(rows) / ref_seconds, 1),
            "with_text": sum(bool(t.strip()) for t in texts),
            "f1_mean": round(statistics.mean(ref), 3),
            "f1_median": round(statistics.median(ref), 3)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l3s", type=Path, default=L3S, help="the l3s-gn1-html folder")
    parser.add_argument("--repeat", type=int, default=20,
                        help="passes over the example pages (default 20)")
    parser.add_argument("--reference", action="store_true",
                        help="also time plain trafilatura.extract(include_comments=False)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    if trafilatura_module() is None:
        parser.error("trafilatura is not installed: pip install 'dedup[html]'")
    results = {"examples": run_examples(args.repeat)}
    print(f"examples-web: {results['examples']}")
    if (args.l3s / "L3S-GN1.tar.gz").exists():
        results["l3s_gn1"] = run_l3s(load_l3s(args.l3s), args.reference)
        print(f"L3S-GN1: {results['l3s_gn1']}")
    else:
        print(f"L3S-GN1: {args.l3s} not found, skipped")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
