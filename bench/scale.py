"""How many articles one machine's in-memory index holds: wall time and memory at scale.

Feeds ``--n`` background articles through the engine's own write path (placement,
band and passage tables, clusters, metadata columns; ``stream_bench.synthetic``:
random signatures and passage keys of realistic sizes, what unrelated articles look
like to the index, so the text stages' cost, which ``bench.run`` measures, is left
out), then 2,000 real articles of the bench corpus, whose copies must still find
their wire stories among the background. Prints, at every ``--every`` articles, the
resident memory (``VmRSS``, ``VmHWM`` the peak so far) and the rate, and at the end
the verdicts of the real articles and one article's add latency.

    python -m bench.scale --n 10000000 --every 1000000 --out /tmp/scale-10m.json
"""

from __future__ import annotations

import json
import time

import click

from bench.stream_bench import corpus, percentiles, synthetic

REAL = 2000
MEASURED = 200


def status() -> dict[str, int]:
    """Resident memory now and at its peak (bytes), from /proc/self/status."""
    out = {}
    with open("/proc/self/status") as f:
        for row in f:
            key, _, value = row.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) * 1024
    return out


@click.command()
@click.option("--n", "count", type=int, default=1_000_000, show_default=True,
              help="Background articles.")
@click.option("--every", type=int, default=500_000, show_default=True,
              help="Report every this many articles.")
@click.option("--seed", default=5, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the figures as JSON here (also printed).")
def main(count: int, every: int, seed: int, out: str | None) -> None:
    """Fill an in-memory index to --n articles and report memory and time."""
    from dedup import Index

    real = corpus(REAL + MEASURED, seed)
    index = Index()
    index.add_many(real[:20], verdicts=False)  # load and compile everything first
    base = status()["VmRSS"]
    began = time.perf_counter()
    rows = []
    done = 0
    while done < count:
        step = min(every, count - done)
        t = time.perf_counter()
        synthetic(index, step, seed + done, first=done)
        done += step
        mem = status()
        row = {"articles": len(index), "seconds": round(time.perf_counter() - began, 1),
               "articles_per_s": round(step / (time.perf_counter() - t)),
               "rss_mb": mem["VmRSS"] >> 20, "peak_rss_mb": mem["VmHWM"] >> 20,
               "anon_mb": mem.get("RssAnon", 0) >> 20,
               "bytes_per_article": round((mem["VmRSS"] - base) / len(index))}
        rows.append(row)
        print(json.dumps(row), flush=True)
    t = time.perf_counter()
    index.add_many(real[20:REAL], verdicts=False)
    real_s = time.perf_counter() - t
    # the real articles' verdicts by id (a listing of every article would be millions)
    pairs = {(v.id, v.original) for v in map(index.get, (a.id for a in real[:REAL]))
             if v.duplicate}
    alone = Index()  # the same real articles, in the same calls, without the background
    alone.add_many(real[:20], verdicts=False)
    alone.add_many(real[20:REAL], verdicts=False)
    expected = {(v.id, v.original) for v in alone.verdicts() if v.duplicate}
    latencies = []
    for article in real[REAL:]:
        t = time.perf_counter()
        index.add(article)
        latencies.append(time.perf_counter() - t)
    mem = status()
    result = {"articles": len(index), "background": count, "wall_s": round(
        time.perf_counter() - began, 1), "peak_rss_mb": mem["VmHWM"] >> 20,
        "rss_mb": mem["VmRSS"] >> 20, "real_articles_s": round(real_s, 2),
        "copies": len(expected), "copies_found_among_background": len(pairs & expected),
        "other_pairs": len(pairs - expected), "add": percentiles(latencies), "rows": rows}
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}), flush=True)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
