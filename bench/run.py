"""Run the benchmark: generate (or reuse) corpora, run every system in its own process, score them.

    python -m bench.run --sizes 10000,100000 --out bench/results
    python -m bench.run --smoke --out /tmp/smoke      # 300 articles, installed systems

Writes `results.json` (everything measured), `results.md` (one table per corpus size) and
`throughput.png` (docs/s against corpus size; needs matplotlib). Corpora are cached outside the
repository (`~/.cache/dedup-bench` or `--cache`) by size, seed and generator version.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import click
import numpy as np
import orjson

from bench import corpus as corpus_mod
from bench import truth

# HOOK for the system under test: `bench.peers.run_dedup(corpus_path, jobs)` (and the "dedup"
# entry of SYSTEMS, which times it like the peers) calls
# `dedup.Index(Config(threshold=0.8)).add_many(...)`.
from bench.peers import (
    MODULES,
    N_CJK,
    N_WORD,
    SYSTEMS,
    THRESHOLD,
    available,
    run_dedup,  # noqa: F401
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dedup-bench"
SMOKE_SIZE = 300


def default_n_cjk() -> int:
    """dedup's configured CJK shingle size, so the ground truth measures what dedup is built for."""
    try:
        from dedup import Config

        return int(Config().cjk_ngram)
    except Exception:  # no engine, or its Config changed: the benchmark's own default
        return N_CJK


def corpus_for(
    n: int,
    seed: int,
    cache: Path,
    zh_share: float,
    log=print,
    version: int = corpus_mod.GENERATOR_VERSION,
) -> tuple[Path, dict]:
    """The cached corpus of `n` articles (of generator `version`), generated first if missing."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"corpus-v{version}-n{n}-s{seed}-zh{zh_share:g}.jsonl"
    meta_path = path.with_suffix(".meta.json")
    if path.exists() and corpus_mod.truth_path_for(path).exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text())
    log(f"generating {n:,} articles (seed {seed}) -> {path}")
    summary = corpus_mod.generate(n, seed, path, zh_share=zh_share, version=version)
    meta = {
        "articles": summary.articles,
        "stories": summary.stories,
        "bytes": summary.bytes,
        "generate_seconds": round(summary.seconds, 2),
        "seed": seed,
        "zh_share": zh_share,
        "generator_version": version,
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    log(
        f"  {summary.articles:,} articles from {summary.stories:,} stories "
        f"in {summary.seconds:.1f} s"
    )
    return path, meta


def run_in_subprocess(
    system: str, corpus: Path, workdir: Path, jobs: int, timeout: float, n_cjk: int = N_CJK
) -> tuple[dict, np.ndarray | None]:
    """One system, one corpus, its own process; returns its summary and pairs (None on failure)."""
    out = workdir / f"{system}.json"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
    )
    cmd = [
        sys.executable,
        "-m",
        "bench.peers",
        "--system",
        system,
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--n-cjk",
        str(n_cjk),
    ]
    try:
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"system": system, "error": f"timed out after {timeout:.0f} s"}, None
    if proc.returncode != 0 or not out.exists():
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {
            "system": system,
            "error": lines[-1] if lines else f"exit code {proc.returncode}",
        }, None
    return json.loads(out.read_text()), np.load(out.with_suffix(".npy"))


def score(
    corpus: Path, runs: list[tuple[dict, np.ndarray | None]], seed: int, n_cjk: int, log=print
) -> dict:
    """Exact similarity of the sampled pairs (and of every reported pair); metrics per system."""
    t0 = time.perf_counter()
    with open(corpus, "rb") as f:
        texts = [orjson.loads(line)["text"] for line in f]
    with open(corpus_mod.truth_path_for(corpus), "rb") as f:
        rows = [orjson.loads(line) for line in f]
    reported = [pairs for _, pairs in runs if pairs is not None and len(pairs)]
    # ~2 random pairs per article (at most 20k): plenty to catch false positives between stories
    random_pairs = min(20_000, 2 * len(rows))
    pairs = truth.sample_pairs(
        rows, seed=seed, random_pairs=random_pairs, hard_cap=random_pairs, extra=reported
    )
    judged = truth.judge(pairs, texts, rows, truth.Shingler(n_word=N_WORD, n_cjk=n_cjk))
    metrics = {}
    for summary, found in runs:
        if found is not None:
            metrics[summary["system"]] = truth.evaluate(found, judged, THRESHOLD)
    seconds = time.perf_counter() - t0
    log(
        f"  judged {len(judged.keys):,} pairs exactly "
        f"({int((judged.jaccard >= THRESHOLD).sum()):,} "
        f"with J >= {THRESHOLD}) in {seconds:.1f} s"
    )
    return {
        "judged_pairs": int(len(judged.keys)),
        "true_pairs": int((judged.jaccard >= THRESHOLD).sum()),
        "seconds": round(seconds, 2),
        "systems": metrics,
    }


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for dist in ("numpy", "datasketch", "rensa", "gaoya", "xxhash", "dedup"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    try:
        from dedup import _core
        out["dedup core"] = f"{_core.BUILD} build"
    except (ImportError, AttributeError):
        pass
    return out


def _machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": mem, "platform": platform.platform()}


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _fmt(x, digits=0, scale=1.0):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    return f"{x / scale:,.{digits}f}"


def _fmt_load(load) -> str:
    if not load or None in load:
        return "—"
    return f"{load[0]:.1f} → {load[1]:.1f}"


_METHOD = """\
Threshold J ≥ {threshold}; exact Jaccard on word {n_word}-grams / CJK {n_cjk}-grams (NFKC +
casefold, credit lines and datelines removed) over sampled pairs: every pair within a story,
random pairs, hard negatives, and every pair any system reported.

- **recall**: true pairs (exact J ≥ {threshold}) the system reported directly;
  **recall (conn.)**: true pairs that ended up in one connected component of its reported pairs,
  the fair measure for dedup, which reports each duplicate against one representative.
- **precision**: reported pairs with exact J ≥ {threshold}; **story prec.**: reported pairs within
  one true story.
- **index B/article**: RSS after building the index minus RSS after loading the corpus, per
  article (includes the signatures the pipeline keeps for its queries).
- **dedup ÷ peer**: dedup's docs/s divided by the peer's (> 1: dedup is faster).
- **load**: the machine's 1-minute load average before → after the run; above the CPU count,
  other work was competing and the timings are pessimistic.
"""
_HEADER = (
    "| system | docs/s | MB/s | peak RSS MB | index B/article | recall | recall (conn.) "
    "| precision | story prec. | dedup ÷ peer | load |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
)


def _row(r: dict, m: dict, dedup_rate: float | None) -> str:
    if "error" in r:
        return f"| {r['system']} | {r['error']} ||||||||||"
    ratio = "—"
    if dedup_rate and not r["system"].startswith("dedup"):
        ratio = f"{dedup_rate / r['docs_per_s']:.2f}"
    cells = [
        r["system"],
        _fmt(r["docs_per_s"]),
        _fmt(r["mb_per_s"], 2),
        _fmt(r["peak_rss"], 0, 2**20),
        _fmt(r["index_bytes_per_doc"]),
        _fmt(m.get("recall"), 3),
        _fmt(m.get("recall_connected"), 3),
        _fmt(m.get("precision"), 3),
        _fmt(m.get("precision_story"), 3),
        ratio,
        _fmt_load(r.get("load_avg")),
    ]
    return "| " + " | ".join(cells) + " |"


def markdown(results: dict) -> str:
    machine, versions = results["machine"], results["versions"]
    lines = [
        "# dedup benchmark",
        "",
        f"{results['date']} · {machine['cpus']} CPUs, {machine['memory_gib']} GiB · "
        + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "",
        _METHOD.format(threshold=THRESHOLD, n_word=N_WORD, n_cjk=results["n_cjk"]),
    ]
    for size in results["sizes"]:
        entry = results["corpora"][str(size)]
        meta, judged, runs = entry["corpus"], entry["truth"], entry["runs"]
        dedup_rate = next(
            (r.get("docs_per_s") for r in runs if r["system"] == "dedup" and "error" not in r),
            None,
        )
        lines += [
            f"## {size:,} articles",
            "",
            f"{meta['stories']:,} stories, {meta['bytes'] / 1e6:,.1f} MB of JSON Lines; "
            f"{judged['judged_pairs']:,} pairs judged, "
            f"{judged['true_pairs']:,} with J ≥ {THRESHOLD}.",
            "",
            _HEADER,
            *(_row(r, judged["systems"].get(r["system"], {}), dedup_rate) for r in runs),
            "",
        ]
    return "\n".join(lines)


def chart(results: dict, path: Path) -> str | None:
    """Throughput against corpus size; returns a message instead when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no chart (pip install matplotlib)"
    fig, ax = plt.subplots(figsize=(7, 4.5))
    systems = sorted(
        {r["system"] for e in results["corpora"].values() for r in e["runs"] if "error" not in r}
    )
    for system in systems:
        xs, ys = [], []
        for size in results["sizes"]:
            for r in results["corpora"][str(size)]["runs"]:
                if r["system"] == system and "error" not in r:
                    xs.append(size)
                    ys.append(r["docs_per_s"])
        ax.plot(xs, ys, marker="o", label=system, linewidth=2.5 if system == "dedup" else 1.5)
    ax.set_xscale("log")
    ax.set_xticks(results["sizes"], [f"{s:,}" for s in results["sizes"]])
    ax.minorticks_off()
    ax.set_ylim(bottom=0)
    ax.set_xlabel("corpus size (articles)")
    ax.set_ylabel("articles per second (raw text → duplicate pairs)")
    ax.set_title(f"Throughput, {results['machine']['cpus']} CPUs, jobs={results['jobs']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def benchmark(
    sizes: list[int],
    out: Path,
    seed: int = 1,
    cache: Path = DEFAULT_CACHE,
    systems: list[str] | None = None,
    jobs: int = 1,
    zh_share: float = 0.2,
    n_cjk: int | None = None,
    timeout: float = 3600.0,
    make_chart: bool = True,
    log=print,
) -> dict:
    """Run the whole benchmark and write results.json, results.md and throughput.png into `out`.

    `n_cjk` (CJK shingle size of the ground truth and of the peers) defaults to dedup's own
    `Config().cjk_ngram` when dedup is importable, else 5.
    """
    out.mkdir(parents=True, exist_ok=True)
    n_cjk = n_cjk or default_n_cjk()
    systems = systems or list(SYSTEMS)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "versions": _versions(),
        "seed": seed,
        "jobs": jobs,
        "n_cjk": n_cjk,
        "sizes": sizes,
        "corpora": {},
    }
    for size in sizes:
        path, meta = corpus_for(size, seed, cache, zh_share, log)
        workdir = out / "runs" / str(size)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = []
        for system in systems:
            if not available(system):
                runs.append(({"system": system, "error": f"{MODULES[system]} not installed"}, None))
                log(f"  {system}: not installed")
                continue
            load_before = _load()
            summary, pairs = run_in_subprocess(system, path, workdir, jobs, timeout, n_cjk)
            summary["load_avg"] = [load_before, _load()]  # other work on the machine skews timings
            runs.append((summary, pairs))
            if "error" in summary:
                log(f"  {system}: {summary['error']}")
            else:
                log(
                    f"  {system}: {summary['docs_per_s']:,.0f} docs/s, "
                    f"peak {summary['peak_rss'] / 2**20:,.0f} MB, "
                    f"{summary['reported']:,} pairs"
                )
        scored = score(path, runs, seed, n_cjk, log)
        results["corpora"][str(size)] = {
            "corpus": meta,
            "runs": [s for s, _ in runs],
            "truth": scored,
        }
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "results.md").write_text(markdown(results))
    if make_chart:
        message = chart(results, out / "throughput.png")
        if message:
            log(message)
    return results


@click.command()
@click.option(
    "--sizes", default="10000,100000", show_default=True, help="Comma-separated corpus sizes."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench/results"),
    show_default=True,
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CACHE,
    show_default=True,
    help="Where generated corpora are kept (outside the repository).",
)
@click.option(
    "--systems",
    default=",".join(SYSTEMS),
    show_default=True,
    help="Comma-separated systems to run.",
)
@click.option(
    "--jobs",
    type=int,
    default=1,
    show_default=True,
    help="Worker processes/threads for systems that use them.",
)
@click.option("--zh-share", type=float, default=0.2, show_default=True)
@click.option(
    "--n-cjk",
    type=int,
    default=None,
    help="CJK shingle size of the ground truth and the peers [default: dedup's Config, else 5].",
)
@click.option(
    "--timeout", type=float, default=3600, show_default=True, help="Seconds per system per size."
)
@click.option(
    "--smoke", is_flag=True, help=f"{SMOKE_SIZE} articles, installed systems only, no chart."
)
def main(
    sizes: str,
    out: Path,
    seed: int,
    cache: Path,
    systems: str,
    jobs: int,
    zh_share: float,
    n_cjk: int | None,
    timeout: float,
    smoke: bool,
) -> None:
    """Benchmark dedup against datasketch, rensa and gaoya on synthetic syndication corpora.

    \b
    Example:
        python -m bench.run --sizes 10000,100000 --out bench/results
        python -m bench.run --smoke --out /tmp/bench-smoke
    """
    names = [s.strip() for s in systems.split(",") if s.strip()]
    unknown = [s for s in names if s not in SYSTEMS]
    if unknown:
        raise click.BadParameter(
            f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}",
            param_hint="--systems",
        )
    log = lambda msg: click.echo(msg, err=True)  # noqa: E731
    if smoke:
        benchmark(
            [SMOKE_SIZE],
            out,
            seed,
            cache,
            [s for s in names if available(s)],
            jobs,
            zh_share,
            n_cjk,
            timeout=60,
            make_chart=False,
            log=log,
        )
    else:
        benchmark(
            [int(s) for s in sizes.split(",")],
            out,
            seed,
            cache,
            names,
            jobs,
            zh_share,
            n_cjk,
            timeout,
            log=log,
        )
    click.echo(str(out / "results.md"))


if __name__ == "__main__":
    sys.exit(main())
