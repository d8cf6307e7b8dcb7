"""Throughput and latency of a shared Redis index with 1, 2 and 4 client processes.

Each run gets a fresh prefix on one local redis-server; every client process
opens ``Index.open("redis://…?prefix=…")``, waits for the others, then adds its
share of a synthetic corpus (``bench.corpus``) one article at a time (what a
crawler does), then queries its share again. Reported per run: articles/s over
all clients, per-call p50/p99 latency, round trips per call and the share of
wall time spent waiting for the index lock. An in-memory ``Index`` in one
process is the baseline.

    python -m bench.redis_bench                                   # starts its own redis-server
    python -m bench.redis_bench --n 600 --clients 1,2,4 --appendfsync always
    python -m bench.redis_bench --url redis://127.0.0.1:6379/0    # an existing server
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import click
import numpy as np

from bench import corpus as corpus_mod
from dedup import Article, Index
from dedup.records import parse_record


def articles(n: int, seed: int) -> list[Article]:
    """``n`` synthetic news articles (wire stories, copies, hard negatives)."""
    out = []
    for i, (record, _) in enumerate(corpus_mod.records(n, seed)):
        article, _ = parse_record(record, default_id=str(i))
        out.append(article)
    return out


def _client(url: str, share: list[Article], queries: list[Article], barrier, results) -> None:
    index = Index.open(url)
    store = index._store
    barrier.wait()
    out = {}
    for phase, call, items in (("add", index.add, share), ("query", index.query, queries)):
        before = dict(store.counters)
        times = []
        start = time.perf_counter()
        for article in items:
            t0 = time.perf_counter()
            call(article)
            times.append(time.perf_counter() - t0)
        wall = time.perf_counter() - start
        after = store.counters
        out[phase] = {"times": times, "wall": wall,
                      **{k: after[k] - before[k] for k in after}}
        barrier.wait()
    index.close()
    results.put(out)


def run(url: str, corpus: list[Article], clients: int) -> dict[str, dict]:
    """One run: ``clients`` processes share ``corpus`` (round robin)."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(clients), ctx.Queue()
    location = f"{url}?prefix=bench-{uuid.uuid4().hex[:8]}"
    Index.open(location).close()
    shares = [corpus[k::clients] for k in range(clients)]
    workers = [ctx.Process(target=_client, args=(location, s, s, barrier, results))
               for s in shares]
    for w in workers:
        w.start()
    got = [results.get(timeout=1800) for _ in workers]
    for w in workers:
        w.join()
    out = {}
    for phase in ("add", "query"):
        times = np.concatenate([g[phase]["times"] for g in got]) * 1000
        wall = max(g[phase]["wall"] for g in got)
        out[phase] = {"clients": clients, "calls": len(times), "per_s": len(times) / wall,
                      "p50": float(np.percentile(times, 50)),
                      "p99": float(np.percentile(times, 99)),
                      "round_trips": sum(g[phase]["round_trips"] for g in got) / len(times),
                      "lock_wait": sum(g[phase]["lock_wait_seconds"] for g in got)
                      / (wall * clients),
                      "held_ms": 1000 * sum(g[phase]["lock_held_seconds"] for g in got)
                      / max(1, sum(g[phase]["locks"] for g in got))}
    return out


def baseline(corpus: list[Article]) -> dict[str, dict]:
    index = Index()
    out = {}
    for phase, call in (("add", index.add), ("query", index.query)):
        times = []
        for article in corpus:
            t0 = time.perf_counter()
            call(article)
            times.append(time.perf_counter() - t0)
        ms = np.array(times) * 1000
        out[phase] = {"clients": "memory", "calls": len(ms), "per_s": len(ms) / sum(times),
                      "p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99)),
                      "round_trips": 0.0, "lock_wait": 0.0, "held_ms": 0.0}
    return out


def start_server(folder: Path, appendfsync: str) -> tuple[str, int]:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir",
                    str(folder), "--appendonly", "yes", "--appendfsync", appendfsync,
                    "--save", "", "--daemonize", "yes", "--pidfile", str(folder / "redis.pid")],
                   check=True, capture_output=True)
    for _ in range(200):
        if (folder / "redis.pid").exists():
            break
        time.sleep(0.02)
    time.sleep(0.2)
    return f"redis://127.0.0.1:{port}/0", int((folder / "redis.pid").read_text())


@click.command()
@click.option("--n", default=600, show_default=True, help="Articles per run.")
@click.option("--seed", default=1, show_default=True)
@click.option("--clients", default="1,2,4", show_default=True, help="Client processes per run.")
@click.option("--url", default=None, help="An existing server (default: start one).")
@click.option("--appendfsync", type=click.Choice(["always", "everysec", "no"]),
              default="everysec", show_default=True, help="For the server started here.")
def main(n: int, seed: int, clients: str, url: str | None, appendfsync: str) -> None:
    """Add/query throughput and p99 latency of a Redis index with several clients."""
    corpus = articles(n, seed)
    folder, pid = None, None
    if url is None:
        if not shutil.which("redis-server"):
            sys.exit("redis-server is not on PATH (apt-get install redis-server), or give --url")
        folder = Path(tempfile.mkdtemp())
        url, pid = start_server(folder, appendfsync)
    try:
        rows = [baseline(corpus)] + [run(url, corpus, int(c)) for c in clients.split(",")]
    finally:
        if pid is not None:
            import os
            import signal
            os.kill(pid, signal.SIGTERM)
            time.sleep(0.3)
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{n} articles (bench.corpus seed {seed}); server: {url}"
          + (f", AOF appendfsync {appendfsync}" if pid else ""))
    print("| phase | clients | calls | calls/s | p50 ms | p99 ms | round trips/call "
          "| lock held ms | lock wait |")
    print("|---|---|---|---|---|---|---|---|---|")
    for phase in ("add", "query"):
        for row in rows:
            r = row[phase]
            print(f"| {phase} | {r['clients']} | {r['calls']} | {r['per_s']:.0f} | {r['p50']:.1f} "
                  f"| {r['p99']:.1f} | {r['round_trips']:.2f} | {r['held_ms']:.1f} "
                  f"| {100 * r['lock_wait']:.0f} % |")


if __name__ == "__main__":
    main()
