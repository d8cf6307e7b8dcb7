"""Marginal memory per indexed article of the in-memory index, and where it goes.

Streams the bench corpus (generator v3, written once to the cache as ``bench.run``
does, then read line by line: never all texts at once) into an in-memory ``Index``
(texts not kept, as ``dedup batch`` does), and reads the process's resident
memory after ``--start`` articles and after ``--end``: the difference divided by the
articles in between is what each more article costs. The store's own accounting
(numpy columns, band and passage tables) is printed beside it, per article; the rest
is Python objects (per-article metadata, dicts, clusters) and allocator slack.

    python -m bench.memory --start 20000 --end 120000
"""

from __future__ import annotations

import gc
import json
import time
from itertools import islice

import click

from bench.run import DEFAULT_CACHE, corpus_for
from bench.stream_bench import rss

BATCH = 2048


def _articles(path):
    from datetime import datetime

    import orjson

    from dedup import Article

    with open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            yield Article(id=r["id"], text=r["text"], title=r.get("title"), url=r.get("url"),
                          source=r.get("source"),
                          published=datetime.fromisoformat(r["published"])
                          if r.get("published") else None)


def _feed(index, stream, count: int) -> None:
    while count > 0:
        batch = list(islice(stream, min(BATCH, count)))
        if not batch:
            raise click.ClickException("the corpus ran out")
        index.add_many(batch, verdicts=False)
        count -= len(batch)


def _breakdown(index) -> dict[str, int]:
    store = index._store
    out = {"signatures etc. (numpy columns)": sum(a.nbytes for a in (
        store._sigs, store._sizes, store._hashes))}
    out["cluster table"] = store._groups.nbytes
    out["passage and number keys (ragged)"] = sum(r.nbytes for r in store._ragged())
    out["article metadata (columns and string arena)"] = store._docs.nbytes
    out["band table"] = store._table.nbytes()
    out["passage table"] = store._passages.nbytes()
    out["site-chrome counts"] = store._chrome.nbytes()
    return out


@click.command()
@click.option("--start", default=20000, show_default=True,
              help="Articles before the first reading.")
@click.option("--end", default=120000, show_default=True, help="Articles at the second reading.")
@click.option("--seed", default=1, show_default=True)
@click.option("--json", "json_path", type=click.Path(), help="Also write the figures here.")
def main(start: int, end: int, seed: int, json_path: str | None) -> None:
    """Print the marginal resident bytes per article between --start and --end."""
    from dedup import Index

    path, _ = corpus_for(end, seed, DEFAULT_CACHE, 0.2, log=lambda *a: None)
    stream = _articles(path)
    index = Index()
    began = time.perf_counter()
    _feed(index, stream, start)
    gc.collect()
    first, parts0 = rss(), _breakdown(index)
    _feed(index, stream, end - start)
    gc.collect()
    second, parts1 = rss(), _breakdown(index)
    span = end - start
    figures = {"articles": end, "rss_bytes_per_article": round((second - first) / span),
               "seconds": round(time.perf_counter() - began, 1)}
    print(f"{end:,} articles in {figures['seconds']} s; marginal resident memory "
          f"{figures['rss_bytes_per_article']:,} B/article ({start:,} -> {end:,})")
    print("| part | B/article |\n|---|---:|")
    accounted = 0
    for name in parts1:
        per = round((parts1[name] - parts0[name]) / span)
        accounted += per
        figures[name] = per
        print(f"| {name} | {per:,} |")
    rest = figures["rss_bytes_per_article"] - accounted
    print(f"| Python objects and slack (the rest) | {rest:,} |")
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
