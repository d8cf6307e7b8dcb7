"""Per-stage profile of dedup's text path: the core against the Python it replaced.

Times each stage of ``Preparer.run`` (credits, site chrome, normalization, shingling, MinHash,
passage keys, number keys) on the benchmark corpus, once through the compiled core
(``dedup._core``) and once through dedup 0.1's Python implementation (tests/reference, the
parity tests' reference), interleaved round by round, and reports the smallest CPU time per
article of ``--rounds`` rounds (CPU time and minimum: the least disturbed by other jobs on a
shared machine). ``--e2e`` adds wall-clock ``Index.add_many`` with ``--jobs`` 1 and 2.

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
ENGINES = ("core", "python 0.1")


def _stages(texts: list[str], engine: str) -> dict:
    """name -> zero-argument callable running that stage over all ``texts``."""
    from dedup import Article, Config, Index
    from dedup import credits as credit_lines
    from dedup.chrome import drop_chrome, observe, site_key
    from dedup.fingerprint import Fingerprinter, passage_keys
    from dedup.normalize import normalize
    from dedup.prepare import Preparer, number_keys
    from dedup.shingle import Shingler
    from dedup.wires import WireRegistry
    from tests.reference import chrome_rules, credit_rules
    from tests.reference import text_stages as ref
    from tests.reference.wire_rules import ReferenceWires

    config, wires = Config(threshold=0.8), WireRegistry.default()
    preparer = Preparer(config, wires)
    index = Index(config)
    index.learn_chrome([Article(id=str(i), text=t) for i, t in enumerate(texts)])
    chrome = frozenset(index._store.chrome())
    words = config.chrome_max_words
    site = site_key(None, None)
    raw = [credit_lines.detect(t, wires).body for t in texts]
    bodies = [drop_chrome(b, chrome, site, words) for b in raw]
    normalized = [normalize(b) for b in bodies]
    chunks = [normalized[i:i + CHUNK] for i in range(0, len(normalized), CHUNK)]
    if engine == "core":
        shingle = Shingler(config.word_ngram, config.cjk_ngram).batch_with_sequence
        signatures = Fingerprinter(config.num_perm, config.seed).signatures
        passages, numbers, norm = passage_keys, number_keys, normalize
        look, drop = observe, drop_chrome
        detect, registry = credit_lines.detect, wires
    else:
        def shingle(c):
            return ref.shingle_batch(c, config.word_ngram, config.cjk_ngram)
        signatures = ref.Fingerprinter(config.num_perm, config.seed).signatures
        passages, numbers, norm = ref.passage_keys, ref.number_keys, ref.normalize
        look, drop = chrome_rules.observe, chrome_rules.drop_chrome
        detect, registry = credit_rules.detect, ReferenceWires(wires)
    shingled = [shingle(c) for c in chunks]
    tasks = {
        "credits and datelines": lambda: [detect(t, registry) for t in texts],
        "site chrome: observe": lambda: [look(t, site, words) for t in texts],
        "site chrome: drop_chrome": lambda: [drop(b, chrome, site, words) for b in raw],
        "normalize": lambda: [norm(b) for b in bodies],
        "number keys": lambda: [numbers(t) for t in normalized],
        "shingle (tokenise, hash, n-grams, sets)": lambda: [shingle(c) for c in chunks],
        "MinHash oph32": lambda: [signatures(*s[0]) for s in shingled],
        "passage keys": lambda: [passages(s[1][0], s[1][1], len(s[0][1]) - 1, config.seed)
                                 for s in shingled],
    }
    if engine == "core":
        text_chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
        tasks["Preparer.run (credits + chrome + core)"] = \
            lambda: [preparer.run(c, chrome) for c in text_chunks]
        tasks["core alone (TextStages.run, 1 thread)"] = \
            lambda: [preparer._stages.run(bodies[i:i + CHUNK]) for i in range(0, len(bodies),
                                                                             CHUNK)]
    return tasks


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
    engines = {e: _stages(texts, e) for e in ENGINES}
    best = {(e, k): float("inf") for e, tasks in engines.items() for k in tasks}
    for _ in range(rounds):
        for e, tasks in engines.items():
            for k, run in tasks.items():
                start = time.process_time()
                run()
                best[e, k] = min(best[e, k], time.process_time() - start)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    from dedup import _core

    click.echo(f"{len(texts)} articles, {mb:.1f} MB ({corpus}); CPU µs per article, "
               f"min of {rounds} rounds; core: {_core.BUILD} build\n")
    click.echo("| stage | core | python 0.1 |\n|---|---:|---:|")
    for k in engines["core"]:
        us = [best.get((e, k), float("nan")) * 1e6 / len(texts) for e in ENGINES]
        theirs = f"{us[1]:.1f}" if us[1] == us[1] else "–"
        click.echo(f"| {k} | {us[0]:.1f} | {theirs} |")
    if e2e:
        click.echo("\nIndex.add_many, wall clock, median of rounds:")
        for j, rate in _end_to_end(records, (1, 2), rounds).items():
            click.echo(f"- jobs={j}: {rate:,.0f} articles/s")


if __name__ == "__main__":
    main()
