"""Stream latency, memory per article and open time of a persistent index, by index size.

For each size N the index is first filled with N - 2,000 *background* articles whose
fingerprints are synthetic (random signatures and passage keys, realistic sizes and metadata:
what unrelated articles look like to the index; the text stages' own cost is bench/run.py's
subject), then 2,000 real articles from the bench corpus (bench/corpus.py: wire stories and
their copies). Then, one article at a time:

* ``add`` latency in process, for the in-memory index and for the SQLite index (a commit per
  article, WAL, synchronous=NORMAL), on 400 further corpus articles (copies among them);
* ``dedup stream --index`` latency end to end: a real subprocess, one JSON line written, its
  verdict line read back, on 200 more articles; and its start-up (spawn + open + first verdict);
* ``Index.open`` time and resident memory per indexed article (each size in a fresh process);
  with ``--direct``, the open from the rows and then, after that process closed the index,
  the open from the snapshot its clean close wrote (``dedup.storage.snapshot``).

``--direct N`` writes the N background articles straight into an index file in the real format
(the rows, checksums and one-article clusters the engine writes for unrelated articles) instead
of through the engine, which makes a 1M-article index in about a minute; the 2,000 real articles
and all measurements then go through the engine as above, starting from ``Index.open``.

    python -m bench.stream_bench --sizes 10000,100000 --out bench/results/stream.json
    python -m bench.stream_bench --direct 1000000 --out bench/results/stream-1m.json
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import numpy as np

from dedup import Article, Index
from dedup.fingerprint import PASSAGE_BANDS
from dedup.prepare import Prepared
from dedup.records import parse_record

REAL = 2000
MEASURED = 400
CLI_MEASURED = 200
CHUNK = 4096


def rss() -> int:
    """Resident set size of this process, bytes."""
    with open("/proc/self/status") as f:
        for row in f:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) * 1024
    return 0


def corpus(n: int, seed: int) -> list[Article]:
    from bench.corpus import records
    out = []
    for record, _truth in records(n, seed):
        article, _ = parse_record(record, default_id=str(len(out)))
        out.append(article)
    return out


def synthetic(index: Index, count: int, seed: int, first: int = 0) -> None:
    """Add ``count`` background articles with random fingerprints, in chunks (their ids
    numbered from ``first``)."""
    rng = np.random.default_rng(seed)
    perm = index.config.num_perm
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        sizes = rng.integers(150, 900, n).astype(np.uint32)
        # as many passage and number keys as the bench corpus's real articles have
        # (57 passage keys and 18 number keys an article at 579 shingles on average)
        passages = np.maximum(sizes // 30, 1) * PASSAGE_BANDS
        offsets = np.concatenate(([0], np.cumsum(passages))).astype(np.int64)
        prepared = Prepared(
            signatures=rng.integers(0, 2**32, (n, perm), dtype=np.uint32), sizes=sizes,
            content_hashes=rng.integers(0, 2**63, n, dtype=np.uint64),
            credits=[()] * n, mentions=[()] * n,
            passage_keys=rng.integers(0, 2**63, int(offsets[-1]), dtype=np.uint64),
            passage_offsets=offsets,
            number_keys=rng.integers(0, 2**32, 18 * n, dtype=np.uint32),
            number_offsets=np.arange(0, 18 * n + 1, 18, dtype=np.int64))
        numbers = range(first + start, first + start + n)
        articles = [Article(id=f"https://site{a % 97}.example/news/2025/05/{a:08d}.html",
                            text="", title=f"Synthetic headline number {a} about a topic",
                            url=f"https://site{a % 97}.example/news/2025/05/{a:08d}.html",
                            source=f"Site {a % 97}") for a in numbers]
        with index._writing():  # the engine's own write path, minus the text stages
            index._index_chunk(articles, prepared)


def write_direct(path: str, count: int, seed: int) -> None:
    """Write ``count`` unrelated background articles into a new index file, in bulk."""
    import orjson

    from dedup.storage.sqlite_store import (
        SqliteStore,
        _article_checksum,
        _checksum,
        _cluster_checksum,
    )
    SqliteStore(path).close()  # the header and schema
    store = SqliteStore(path)
    conn, perm = store._conn, store.config.num_perm
    rng = np.random.default_rng(seed)
    now = time.time()
    for start in range(0, count, 50_000):
        n = min(50_000, count - start)
        sigs = rng.integers(0, 2**32, (n, perm), dtype=np.uint32).astype("<u4").tobytes()
        sizes = rng.integers(150, 900, n).tolist()
        hashes = rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64).tolist()
        rows, clusters = [], []
        for i in range(n):
            a = start + i
            url = f"https://site{a % 97}.example/news/2025/05/{a:08d}.html"
            meta = orjson.dumps({"title": f"Synthetic headline number {a} about a topic",
                                 "url": url, "source": f"Site {a % 97}", "published": None,
                                 "wire": None, "wire_evidence": None, "credited": [],
                                 "credit_text": None, "mentions": [], "canonical": None,
                                 "canonical_wire": None})
            pks = rng.integers(0, 2**63, max(sizes[i] // 30, 1) * PASSAGE_BANDS,
                               dtype=np.uint64).astype("<u8").tobytes()
            row = (a, url, a + 1, now, meta, sigs[i * perm * 4:(i + 1) * perm * 4], sizes[i],
                   hashes[i], pks)
            rows.append(row + (_article_checksum(*row),))
            clusters.append((a + 1, a, "[]", _cluster_checksum(a + 1, a, "[]")))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO articles (arrival, id, cluster, added, meta, signature, "
                         "size, content_hash, passages, checksum) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO clusters VALUES (?, ?, ?, ?)", clusters)
        conn.execute("COMMIT")
    counters = [("next_arrival", str(count)), ("next_cluster", str(count + 1))]
    conn.executemany("INSERT OR REPLACE INTO header VALUES (?, ?, ?)",
                     [(k, v, _checksum(k, v)) for k, v in counters])
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store._release()


def timed_open(path: str, warm: list[Article]) -> tuple[Index, dict]:
    """Open ``path`` after warming the text stages on ``warm``: the index and the open's
    wall and CPU seconds, how it was opened and the resident bytes per article it added."""
    Index().add_many(warm)  # load and compile the text stages first
    gc.collect()
    before = rss()
    t, cpu = time.perf_counter(), time.process_time()
    index = Index.open(path, keep_text=False)
    opened, opened_cpu = time.perf_counter() - t, time.process_time() - cpu
    gc.collect()
    return index, {"open_s": round(opened, 2), "open_cpu_s": round(opened_cpu, 2),
                   "opened_from": index.stats()["opened_from"],
                   "rss_bytes_per_article_after_open": round((rss() - before) / len(index))}


def direct_size(path: str, seed: int) -> dict:
    """Open a directly written index, add the real articles, measure (a fresh process)."""
    articles = corpus(REAL + MEASURED, seed)
    index, opened = timed_open(path, articles[:50])
    size = len(index)
    index.add_many(articles[:REAL])
    latencies = []
    for article in articles[REAL:]:
        t = time.perf_counter()
        index.add(article)
        latencies.append(time.perf_counter() - t)
    index.close()
    return {"size": size, "backend": "sqlite (direct)", **opened,
            "file_bytes_per_article": round(os.path.getsize(path) / size),
            "add": percentiles(latencies)}


def reopen_size(path: str) -> dict:
    """Open the index ``direct_size`` closed (so from its snapshot) in a fresh process."""
    index, opened = timed_open(path, corpus(50, 1))
    index.close()
    return opened


def percentiles(samples: list[float]) -> dict[str, float]:
    a = np.array(samples) * 1e3
    return {"p50_ms": round(float(np.percentile(a, 50)), 3),
            "p99_ms": round(float(np.percentile(a, 99)), 3),
            "mean_ms": round(float(a.mean()), 3), "max_ms": round(float(a.max()), 1),
            "n": len(samples)}


def one_size(size: int, backend: str, folder: str, seed: int) -> dict:
    """Build an index of ``size`` articles in this process and measure it."""
    articles = corpus(REAL + MEASURED + CLI_MEASURED, seed)
    real, measured = articles[:REAL], articles[REAL:REAL + MEASURED]
    Index().add_many(real[:50])  # load and compile the text stages before measuring memory
    gc.collect()
    before = rss()
    path = os.path.join(folder, f"index-{size}.db")
    index = Index() if backend == "memory" else Index.open(path, keep_text=False)
    t = time.perf_counter()
    synthetic(index, size - REAL, seed)
    index.add_many(real)
    build = time.perf_counter() - t
    gc.collect()
    grown = rss() - before
    latencies = []
    for article in measured:
        t = time.perf_counter()
        index.add(article)
        latencies.append(time.perf_counter() - t)
    out = {"size": len(index), "backend": backend, "build_s": round(build, 1),
           "load_average": round(os.getloadavg()[0], 1),
           "rss_bytes_per_article": round(grown / size), "add": percentiles(latencies)}
    if backend == "sqlite":
        index.close()
        del index
        gc.collect()
        t, cpu = time.perf_counter(), time.process_time()
        with Index.open(path) as reopened:
            out["open_s"] = round(time.perf_counter() - t, 2)
            out["open_cpu_s"] = round(time.process_time() - cpu, 2)
            assert len(reopened) == out["size"]
        out["file_bytes_per_article"] = round(os.path.getsize(path) / size)
    return out


def cli_latency(path: str, articles: list[Article]) -> dict:
    """Round trip of one JSON line through a real ``dedup stream --index`` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "stream", "--index", path],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    samples, first = [], None
    for article in articles:
        record = {"id": article.id, "text": article.text, "title": article.title,
                  "url": article.url, "source": article.source,
                  "published": article.published.isoformat() if article.published else None}
        t = time.perf_counter()
        proc.stdin.write(json.dumps(record).encode() + b"\n")
        proc.stdin.flush()
        reply = proc.stdout.readline()
        while b'"event"' in reply[:10]:
            reply = proc.stdout.readline()
        now = time.perf_counter()
        if first is None:
            first = now - start
        else:
            samples.append(now - t)
    proc.stdin.close()
    proc.wait(timeout=600)
    return {"first_verdict_s": round(first, 2), **percentiles(samples)}


@click.command()
@click.option("--sizes", default="10000,100000", show_default=True,
              help="Comma-separated index sizes.")
@click.option("--seed", default=5, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the results as JSON here (also printed).")
@click.option("--direct", type=int, default=None,
              help="Write an index of this many background articles directly (see above) "
                   "and measure it.")
@click.option("--one", type=int, default=None, hidden=True)
@click.option("--backend", default=None, hidden=True)
@click.option("--folder", default=None, hidden=True)
def main(sizes: str, seed: int, out: str | None, direct: int | None, one: int | None,
         backend: str | None, folder: str | None) -> None:
    """Measure stream latency, memory per article and open time by index size."""
    if one is not None:  # a child process: one size, one backend
        if backend == "direct":
            print(json.dumps(direct_size(os.path.join(folder, "direct.db"), seed)))
        elif backend == "reopen":
            print(json.dumps(reopen_size(os.path.join(folder, "direct.db"))))
        else:
            print(json.dumps(one_size(one, backend, folder, seed)))
        return
    results = []
    if direct is not None:
        with tempfile.TemporaryDirectory(prefix="stream-bench-") as tmp:
            path = os.path.join(tmp, "direct.db")
            t = time.perf_counter()
            write_direct(path, direct, seed)
            row = {"size": direct, "write_s": round(time.perf_counter() - t, 1)}
            done = subprocess.run([sys.executable, "-m", "bench.stream_bench", "--one",
                                   str(direct), "--backend", "direct", "--folder", tmp,
                                   "--seed", str(seed)], capture_output=True, text=True,
                                  check=True)
            row["sqlite"] = json.loads(done.stdout.splitlines()[-1])
            done = subprocess.run([sys.executable, "-m", "bench.stream_bench", "--one",
                                   str(direct), "--backend", "reopen", "--folder", tmp],
                                  capture_output=True, text=True, check=True)
            row["reopened"] = json.loads(done.stdout.splitlines()[-1])
            extra = corpus(REAL + MEASURED + CLI_MEASURED, seed)[REAL + MEASURED:]
            row["cli"] = cli_latency(path, extra)
            print(json.dumps(row), flush=True)
            results.append(row)
        sizes = ""
    with tempfile.TemporaryDirectory(prefix="stream-bench-") as tmp:
        for size in [int(s) for s in sizes.split(",") if s]:
            row = {"size": size}
            for name in ("memory", "sqlite"):
                done = subprocess.run([sys.executable, "-m", "bench.stream_bench", "--one",
                                       str(size), "--backend", name, "--folder", tmp,
                                       "--seed", str(seed)],
                                      capture_output=True, text=True, check=True)
                row[name] = json.loads(done.stdout.splitlines()[-1])
            extra = corpus(REAL + MEASURED + CLI_MEASURED, seed)[REAL + MEASURED:]
            row["cli"] = cli_latency(os.path.join(tmp, f"index-{size}.db"), extra)
            results.append(row)
            print(json.dumps(row), flush=True)
            os.unlink(os.path.join(tmp, f"index-{size}.db"))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(results, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
