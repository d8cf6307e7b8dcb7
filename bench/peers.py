"""The pipelines a user would write with datasketch, rensa and gaoya, and the hook for dedup.

Each system goes from raw text to duplicate pairs at Jaccard >= 0.8 end to end (tokenising
included), in its own process so peak memory is its own:

    python -m bench.peers --system rensa --corpus corpus.jsonl --out rensa.json

writes timings and memory to `--out` and the reported pairs (row indices into the corpus, i < j)
next to it with `.npy`. `bench.run` calls this for every system and scores the pairs with
`bench.truth`.
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click
import numpy as np
import orjson

from bench.truth import CJK

THRESHOLD = 0.8
NUM_PERM = 128
# 16 bands x 8 rows: candidate probability 0.995 at J = 0.8 (the default 9 x 13 gives 0.40 there).
BANDS, ROWS = 16, 8
N_WORD, N_CJK = 5, 5

_USER_TOKEN = re.compile(f"[{CJK}]|[^\\W_{CJK}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")


def user_shingles(text: str, n_word: int = N_WORD, n_cjk: int = N_CJK) -> list[str]:
    """Word n-grams as a user writes them: lowercase, `\\w+` tokens (one per Han/Kana/Hangul char).

    Plain `\\w+` would make a whole Chinese clause one token; splitting CJK characters costs nothing
    extra in the same regex, so every peer gets it. No credit-line or dateline stripping.
    """
    tokens = _USER_TOKEN.findall(text.lower())
    cjk = len(_CJK_CHAR.findall(text)) if _CJK_CHAR.search(text) else 0
    n = n_cjk if 2 * cjk > len(tokens) else n_word
    if len(tokens) <= n:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def rss_bytes() -> int:
    """Current resident set size of this process."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss


def peak_rss_bytes() -> int:
    """Peak RSS of this process image. VmHWM, not ru_maxrss: Linux carries ru_maxrss across
    fork + exec, so a child of a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class Run:
    """What one system did on one corpus."""

    system: str
    docs: int = 0
    bytes: int = 0
    seconds: float = 0.0
    build_seconds: float = 0.0
    query_seconds: float = 0.0
    rss_loaded: int = 0  # after reading the corpus, before the system starts
    rss_built: int = 0  # after the index is built (signatures the pipeline keeps included)
    peak_rss: int = 0
    candidates: int = 0  # pairs the LSH proposed before any verification
    reported: int = 0
    params: dict = field(default_factory=dict)
    notes: str = ""

    @property
    def index_bytes_per_doc(self) -> float:
        return (self.rss_built - self.rss_loaded) / max(self.docs, 1)

    def summary(self) -> dict:
        d = asdict(self)
        d.update(
            docs_per_s=self.docs / self.seconds if self.seconds else None,
            mb_per_s=self.bytes / 1e6 / self.seconds if self.seconds else None,
            index_bytes_per_doc=self.index_bytes_per_doc,
        )
        return d


class _Clock:
    """Marks the end of the build phase: time and RSS."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.start = time.perf_counter()
        self.built = None

    def mark_built(self) -> None:
        self.built = time.perf_counter()
        self.run.rss_built = rss_bytes()

    def stop(self) -> None:
        end = time.perf_counter()
        built = self.built or end
        self.run.seconds = end - self.start
        self.run.build_seconds = built - self.start
        self.run.query_seconds = end - built


def _verified(kept: list, query, clock: _Clock) -> np.ndarray:
    """Pairs (i, j > i) that ``query`` returns for ``kept[i]`` and whose estimated
    Jaccard (``.jaccard``) reaches the threshold; counts the candidates."""
    found, candidates = set(), 0
    for i, m in enumerate(kept):
        for j in query(m):
            if j > i:
                candidates += 1
                if m.jaccard(kept[j]) >= THRESHOLD:
                    found.add((i, j))
    clock.run.candidates = candidates
    return _pairs(found)


def _pairs(found: set[tuple[int, int]]) -> np.ndarray:
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


# ------------------------------------------------------------------------------- the peers ---


def datasketch_default(
    texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK
) -> np.ndarray:
    """datasketch as its README shows it: new MinHash() per doc, SHA1, MinHashLSH(threshold=0.8).

    The LSH answer is taken as the duplicate list (no verification), as in datasketch's examples.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    clock.run.params = {"b": lsh.b, "r": lsh.r, "hash": "sha1", "verify": False}
    sketches = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in user_shingles(text, N_WORD, n_cjk)])
        lsh.insert(i, m)
        sketches.append(m)
    clock.mark_built()
    found = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i:
                found.add((min(i, j), max(i, j)))
    clock.run.candidates = len(found)
    return _pairs(found)


def datasketch_tuned(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK) -> np.ndarray:
    """datasketch tuned: xxh32, MinHash.bulk (one template, copy()), 16x8 bands, insertion_session,
    candidates verified by the signatures' estimated Jaccard >= 0.8."""
    import xxhash
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    clock.run.params = {"b": BANDS, "r": ROWS, "hash": "xxh32", "verify": "estimate"}
    sketches = MinHash.generator(
        ([s.encode("utf-8") for s in user_shingles(t, N_WORD, n_cjk)] for t in texts),
        num_perm=NUM_PERM,
        hashfunc=xxhash.xxh32_intdigest,
    )
    kept = []
    with lsh.insertion_session() as session:
        for i, m in enumerate(sketches):
            session.insert(i, m, check_duplication=False)
            kept.append(m)
    clock.mark_built()
    return _verified(kept, lsh.query, clock)


def rensa(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK) -> np.ndarray:
    """rensa: RMinHash per doc fed the same shingle strings, RMinHashLSH with 16 bands, candidates
    verified by RMinHash.jaccard >= 0.8 (as rensa's README does)."""
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=BANDS)
    clock.run.params = {
        "b": BANDS,
        "r": NUM_PERM // BANDS,
        "hash": "rensa built-in",
        "verify": "estimate",
    }
    kept = []
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(user_shingles(text, N_WORD, n_cjk))
        lsh.insert(i, m)
        kept.append(m)
    clock.mark_built()
    return _verified(kept, lsh.query, clock)


def gaoya(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK) -> np.ndarray:
    """gaoya: MinHashStringIndex, tokenising in Rust.

    An index has one analyzer (word or char n-grams), so Latin-script texts go to a word-5-gram
    index and CJK-dominant ones to a char-n-gram index. Its word analyzer splits on whitespace
    only: punctuation stays on the words, so a quote-style change alters shingles. `query` returns
    only ids whose estimated Jaccard clears the threshold (verification built in). With jobs > 1
    the bulk insert/query use gaoya's Rust threads.
    """
    from gaoya.minhash import MinHashStringIndex

    def index(analyzer: str, n: int) -> MinHashStringIndex:
        return MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=THRESHOLD,
            num_bands=BANDS,
            band_size=ROWS,
            analyzer=analyzer,
            lowercase=True,
            ngram_range=(n, n),
            id_container="smallvec",
        )

    clock.run.params = {
        "b": BANDS,
        "r": ROWS,
        "hash_size": 32,
        "verify": "estimate (built in)",
        "analyzers": f"word {N_WORD}-grams / char {n_cjk}-grams",
    }
    groups: dict[bool, list[int]] = {False: [], True: []}
    for i, text in enumerate(texts):
        head = text[:500]  # a cheap script check, so tokenising stays in Rust
        groups[3 * len(_CJK_CHAR.findall(head)) > len(head)].append(i)
    found = set()
    indexes = []
    for is_cjk, ids in groups.items():
        idx = index("char" if is_cjk else "word", n_cjk if is_cjk else N_WORD)
        docs = [texts[i] for i in ids]
        if jobs > 1:
            idx.par_bulk_insert_docs(ids, docs)
        else:
            for i, doc in zip(ids, docs, strict=True):
                idx.insert_document(i, doc)
        indexes.append((idx, ids, docs))
    clock.mark_built()
    for idx, ids, docs in indexes:
        answers = idx.par_bulk_query(docs) if jobs > 1 else (idx.query(doc) for doc in docs)
        for i, hits in zip(ids, answers, strict=True):
            for j in hits:
                if j != i:
                    found.add((min(i, j), max(i, j)))
    clock.run.candidates = len(found)
    return _pairs(found)


# ========================================================================================
# HOOK: dedup, the system under test. Expected API (the engine is being written in parallel):
#     from dedup import Index, Config, Article
#     idx = Index(Config(threshold=0.8)); verdicts = idx.add_many(articles, jobs=jobs)
#     each verdict has .id, .original, .duplicate, .similarity
# Pairs reported by dedup = (id, original) for every duplicate verdict: one pair per duplicate,
# against its representative, so bench.truth's `recall_connected` is the fair recall for it.
# When the Index offers `verdicts()` (current verdicts after re-attribution) those are used;
# records it rejects (BadRecord results) report nothing.
# ========================================================================================


class EngineUnavailable(RuntimeError):
    """The dedup engine (or the API this benchmark expects of it) is not there yet."""


def _dedup_pairs(records: list[dict], jobs: int, clock: _Clock | None,
                 containment: float | None = None, verify: str = "estimate",
                 chrome: bool = True) -> np.ndarray:
    try:
        from dedup import Article, Config, Index
    except ImportError as e:
        raise EngineUnavailable(f"dedup engine not available yet ({e})") from e
    row = {r["id"]: i for i, r in enumerate(records)}
    articles = [
        Article(
            id=r["id"],
            text=r["text"],
            title=r.get("title"),
            url=r.get("url"),
            source=r.get("source"),
            published=_parse_time(r.get("published")),
        )
        for r in records
    ]
    config = Config(threshold=THRESHOLD)
    if containment is not None:
        config = config.replace(containment_threshold=containment)
    config = config.replace(verify=verify)
    idx = Index(config)
    idx.add_many(articles, jobs=jobs, verdicts=False, learn_chrome=chrome)  # as dedup batch does
    if clock is not None:
        clock.mark_built()
        clock.run.params = {"threshold": THRESHOLD, "jobs": jobs,
                            "containment": config.containment_threshold, "verify": verify,
                            "chrome": chrome}
    # the final verdicts, after any re-attribution to an earlier-dated original
    verdicts = list(idx.verdicts())
    pairs = [
        (row[v.id], row[v.original])
        for v in verdicts
        if getattr(v, "duplicate", False) and v.original is not None and v.original in row
    ]
    return np.sort(np.array(pairs, dtype=np.int64).reshape(-1, 2), axis=1)


def _parse_time(value: str | None):
    from datetime import datetime

    return datetime.fromisoformat(value) if value else None


def run_dedup(corpus_path: Path | str, jobs: int = 1) -> list[tuple[str, str]]:
    """Run dedup on a corpus file; returns (id, original id) for every duplicate verdict.

    Raises:
        EngineUnavailable: `dedup` cannot be imported yet.
    """
    records = load_corpus(Path(corpus_path))
    pairs = _dedup_pairs(records, jobs, None)
    return [(records[i]["id"], records[j]["id"]) for i, j in pairs.tolist()]


def dedup_system(
    texts: list[str],
    jobs: int,
    clock: _Clock,
    n_cjk: int = N_CJK,
    records: list[dict] | None = None,
) -> np.ndarray:
    """dedup with its default settings (syndication: trims, excerpts, expansions too)."""
    return _dedup_pairs(records, jobs, clock)


def dedup_jaccard(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK,
                  records: list[dict] | None = None) -> np.ndarray:
    """dedup judging by Jaccard alone (``--containment 1``): the peers' criterion, for the
    precision/recall-at-J ≥ 0.8 comparison."""
    return _dedup_pairs(records, jobs, clock, containment=1.0)


def dedup_exact(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK,
                records: list[dict] | None = None) -> np.ndarray:
    """dedup judging by Jaccard alone, measured exactly on stored shingles near the threshold
    (``--containment 1 --verify exact``), on the text the ground truth measures: without site
    chrome removal (``learn_chrome=False``), which would make copies that carry a site's chrome
    lines more similar to their original than the truth counts them."""
    return _dedup_pairs(records, jobs, clock, containment=1.0, verify="exact", chrome=False)


def dedup_jobs2(texts: list[str], jobs: int, clock: _Clock, n_cjk: int = N_CJK,
                records: list[dict] | None = None) -> np.ndarray:
    """dedup with its default settings fingerprinting in 2 processes (``--jobs 2``)."""
    return _dedup_pairs(records, 2, clock)


# ---------------------------------------------------------------------------------- driver ---

SYSTEMS: dict[str, Callable] = {
    "dedup": dedup_system,
    "dedup-jaccard": dedup_jaccard,
    "dedup-exact": dedup_exact,
    "dedup-jobs2": dedup_jobs2,
    "datasketch": datasketch_default,
    "datasketch-tuned": datasketch_tuned,
    "rensa": rensa,
    "gaoya": gaoya,
}
MODULES = {
    "dedup": "dedup",
    "dedup-jaccard": "dedup",
    "dedup-exact": "dedup",
    "dedup-jobs2": "dedup",
    "datasketch": "datasketch",
    "datasketch-tuned": "datasketch",
    "rensa": "rensa",
    "gaoya": "gaoya",
}


def available(system: str) -> bool:
    """Whether the system's library can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec(MODULES[system]) is not None


def load_corpus(path: Path) -> list[dict]:
    with open(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def run_system(
    system: str, corpus: Path, jobs: int = 1, n_cjk: int = N_CJK
) -> tuple[Run, np.ndarray]:
    """Run one system on a corpus in this process (peers shingle CJK text into n_cjk-grams)."""
    records = load_corpus(corpus)
    texts = [r["text"] for r in records]
    run = Run(system, docs=len(texts), bytes=sum(len(t.encode("utf-8")) for t in texts))
    # A warm-up on a few texts loads lazy imports (datasketch pulls in scipy for its band optimiser)
    # so they count neither as index memory nor as time.
    warm = _Clock(Run(system))
    is_dedup = system.startswith("dedup")
    if is_dedup:
        warm_records = [dict(r, id=f"warm-up-{r['id']}") for r in records[:3]]
        SYSTEMS[system](texts[:3], jobs, warm, n_cjk, warm_records)
    else:
        SYSTEMS[system](texts[:3], jobs, warm, n_cjk)
    del warm
    if not is_dedup:
        del records
        records = None
    gc.collect()
    run.rss_loaded = rss_bytes()
    clock = _Clock(run)
    if is_dedup:
        pairs = SYSTEMS[system](texts, jobs, clock, n_cjk, records)
        run.notes = "pairs: (duplicate, representative) per verdict"
    else:
        pairs = SYSTEMS[system](texts, jobs, clock, n_cjk)
        run.params["n_cjk"] = n_cjk
    clock.stop()
    run.reported = len(pairs)
    run.candidates = run.candidates or len(pairs)
    run.peak_rss = peak_rss_bytes()
    return run, pairs


@click.command()
@click.option("--system", type=click.Choice(list(SYSTEMS)), required=True)
@click.option(
    "--corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Result JSON; the pairs go next to it with .npy.",
)
@click.option("--jobs", type=int, default=1, show_default=True)
@click.option(
    "--n-cjk",
    type=int,
    default=N_CJK,
    show_default=True,
    help="Shingle size for CJK-dominant text.",
)
def main(system: str, corpus: Path, out: Path, jobs: int, n_cjk: int) -> None:
    """Run one system on a corpus and record its pairs, time and memory.

    \b
    Example:
        python -m bench.peers --system rensa --corpus corpus.jsonl --out rensa.json
    """
    try:
        run, pairs = run_system(system, corpus, jobs, n_cjk)
    except EngineUnavailable as e:
        raise click.ClickException(str(e)) from e
    np.save(out.with_suffix(".npy"), pairs)
    out.write_text(json.dumps(run.summary(), indent=2))


if __name__ == "__main__":
    sys.exit(main())
