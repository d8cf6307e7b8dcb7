"""Per-stage profile of dedup's text path, both engines side by side in one process.

Times each stage of ``Preparer.run`` (credits, site chrome, normalization, shingling, MinHash,
passage keys) on the benchmark corpus with the numba engine and the numpy engine, interleaved
round by round, and reports the smallest CPU time per article of ``--rounds`` rounds (CPU time and
minimum: the least disturbed by other jobs on a shared machine). ``--e2e`` adds wall-clock
``Index.add_many`` with ``--jobs`` 1 and 2.

    python -m bench.stages --n 5000
    python -m bench.stages --corpus corpus.jsonl --n 5000 --rounds 5 --e2e
"""

from __future__ import annotations

import json
import statistics
import time
from itertools import islice
from pathlib import Path

import click

from bench.run import DEFAULT_CACHE, corpus_for

CHUNK = 512


def _stages(texts: list[str], engine: str) -> dict:
    """name -> zero-argument callable running that stage over all ``texts``."""
    from dedup import Article, Config, Index
    from dedup import credits as credit_lines
    from dedup.fingerprint import passage_keys
    from dedup.normalize import drop_chrome, line_keys, normalize
    from dedup.prepare import Preparer
    from dedup.shingle import Engine
    from dedup.wires import WireRegistry

    config, wires = Config(threshold=0.8), WireRegistry.default()
    preparer = Preparer(config, wires, engine)
    index = Index(config)
    index.learn_chrome([Article(id=str(i), text=t) for i, t in enumerate(texts)])
    chrome = frozenset(index._store.chrome())
    words = config.chrome_max_words
    raw = [credit_lines.detect(t, wires).body for t in texts]
    bodies = [normalize(drop_chrome(b, chrome, words)) for b in raw]
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    body_chunks = [bodies[i:i + CHUNK] for i in range(0, len(bodies), CHUNK)]
    shingler, fingerprinter = preparer._shingler, preparer._fingerprinter
    kernels = Engine(engine).kernels(0)
    shingled = [shingler.batch_with_sequence(c) for c in body_chunks]
    preparer.run(texts[:10], chrome)  # load the kernels before timing
    return {
        "site chrome: learn (line_keys)": lambda: [line_keys(t, words) for t in texts],
        "credits.detect": lambda: [credit_lines.detect(t, wires) for t in texts],
        "site chrome: drop_chrome": lambda: [drop_chrome(b, chrome, words) for b in raw],
        "normalize": lambda: [normalize(b) for b in raw],
        "shingle (tokenise, hash, n-grams, sets)":
            lambda: [shingler.batch_with_sequence(c) for c in body_chunks],
        "MinHash oph32": lambda: [fingerprinter.signatures(*s[0]) for s in shingled],
        "passage keys": lambda: [passage_keys(s[1][0], s[1][1], len(s[0][1]) - 1, config.seed,
                                              kernels=kernels) for s in shingled],
        "Preparer.run (all of the above but learning)":
            lambda: [preparer.run(c, chrome) for c in chunks],
    }


def _end_to_end(records: list[dict], jobs: tuple[int, ...], rounds: int) -> dict[int, float]:
    from dedup import Article, Config, Index

    articles = [Article(id=r["id"], text=r["text"], title=r.get("title"), url=r.get("url"),
                        source=r.get("source")) for r in records]
    times: dict[int, list[float]] = {j: [] for j in jobs}
    for _ in range(rounds):
        for j in jobs:
            start = time.perf_counter()
            Index(Config(threshold=0.8)).add_many(articles, jobs=j)
            times[j].append(time.perf_counter() - start)
    return {j: len(articles) / statistics.median(t) for j, t in times.items()}


@click.command()
@click.option("--n", default=5000, show_default=True, help="Articles to profile.")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path),
              help="A corpus.jsonl; default: the cached benchmark corpus of --n articles.")
@click.option("--rounds", default=3, show_default=True, help="Interleaved rounds (minimum kept).")
@click.option("--e2e", is_flag=True, help="Also time Index.add_many with --jobs 1 and 2.")
def main(n: int, corpus: Path | None, rounds: int, e2e: bool) -> None:
    """Print a Markdown table of CPU µs per article for each stage and engine."""
    if corpus is None:
        corpus, _ = corpus_for(n, 1, DEFAULT_CACHE, 0.2, log=lambda *a: None)
    with open(corpus, encoding="utf-8") as f:
        records = [json.loads(line) for line in islice(f, n)]
    texts = [r["text"] for r in records]
    engines = {e: _stages(texts, e) for e in ("numba", "numpy")}
    best = {(e, k): float("inf") for e, tasks in engines.items() for k in tasks}
    for _ in range(rounds):
        for e, tasks in engines.items():
            for k, run in tasks.items():
                start = time.process_time()
                run()
                best[e, k] = min(best[e, k], time.process_time() - start)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    click.echo(f"{len(texts)} articles, {mb:.1f} MB ({corpus}); CPU µs per article, "
               f"min of {rounds} rounds\n")
    click.echo("| stage | numba | numpy |\n|---|---:|---:|")
    for k in engines["numba"]:
        us = [best[e, k] * 1e6 / len(texts) for e in engines]
        click.echo(f"| {k} | {us[0]:.1f} | {us[1]:.1f} |")
    if e2e:
        click.echo("\nIndex.add_many (default engine), wall clock, median of rounds:")
        for j, rate in _end_to_end(records, (1, 2), rounds).items():
            click.echo(f"- jobs={j}: {rate:,.0f} articles/s")


if __name__ == "__main__":
    main()
