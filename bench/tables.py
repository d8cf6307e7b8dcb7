"""How a band table's lookups slow down as it grows (the index at millions of articles).

Fills one `dedup.lsh.BandTable` (src/lsh.rs: a few sorted runs) with random keys, an
article's ``--keys`` at a time in chunks of 512 articles as ``Index.add_many`` inserts
them, and at each size in ``--sizes`` (entries) times ``--lookups`` lookups of one
article's keys (absent keys, as most lookups are) and reports the table's bytes per entry
and the insert time so far.

    python -m bench.tables --sizes 1000000,16000000,160000000
"""

from __future__ import annotations

import time

import click
import numpy as np

CHUNK = 512


@click.command()
@click.option("--sizes", default="1000000,4000000,16000000,64000000,160000000",
              show_default=True, help="Comma-separated table sizes (entries) to read at.")
@click.option("--keys", default=16, show_default=True,
              help="Keys an article looks up and inserts (band keys: 21 by default; the "
                   "passage table: ~57).")
@click.option("--lookups", default=2000, show_default=True)
@click.option("--seed", default=1, show_default=True)
def main(sizes: str, keys: int, lookups: int, seed: int) -> None:
    """Print a Markdown table of lookup time against table size."""
    from dedup.lsh import BandTable

    rng = np.random.default_rng(seed)
    table, entries, slot, inserting = BandTable(), 0, 0, 0.0
    print("| entries | µs a lookup of one article's keys | bytes an entry | insert s so far |")
    print("|--:|--:|--:|--:|")
    for target in sorted(int(s) for s in sizes.split(",")):
        began = time.perf_counter()
        while entries < target:
            slots = np.arange(slot, slot + CHUNK, dtype=np.uint32)
            table.insert(slots, rng.integers(0, 2**63, (CHUNK, keys), dtype=np.uint64))
            slot += CHUNK
            entries += CHUNK * keys
        inserting += time.perf_counter() - began
        probes = rng.integers(0, 2**63, (lookups, keys), dtype=np.uint64)
        began = time.perf_counter()
        for i in range(lookups):
            table.query(probes[i:i + 1], 0)
        micros = (time.perf_counter() - began) / lookups * 1e6
        print(f"| {entries:,} | {micros:.1f} | {table.nbytes() / entries:.1f} | "
              f"{inserting:.1f} |", flush=True)


if __name__ == "__main__":
    main()
