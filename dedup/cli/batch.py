"""``dedup batch``: dedup folders and files of articles, report the clusters."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterable, Iterator

import click

from ..errors import BadRecord
from ..heap import collector_paused
from ..index import Index
from ..records import Article, Verdict
from ..report import FORMATS, dumps, write_clusters, write_verdicts
from ..spill import Spill
from .common import (
    EXIT_SKIPPED,
    _good_articles,
    _library_errors,
    _open_index,
    _say,
    _some_path_exists,
    threshold_option,
    verify_option,
    wires_option,
)
from .run import _progress, _Signals, _Stop


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@threshold_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="Output format.")
@click.option("--clusters", "by_cluster", is_flag=True,
              help="One record per cluster (original, origin source, members) instead of one "
                   "per article.")
@click.option("--min-size", type=click.IntRange(1), default=2, show_default=True,
              help="With --clusters: leave out clusters smaller than this.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True,
              help="Threads to fingerprint with (the core's; placing runs beside them).")
@click.option("--with-text", is_flag=True,
              help="Add each article's text to its verdict line (JSON Lines only), for "
                   "dedup report.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Add the articles to this persistent index file (created if missing) "
                   "and report their verdicts against everything in it.")
@verify_option
@wires_option
def batch(paths: tuple[str, ...], threshold: float | None, containment: float | None, fmt: str,
          by_cluster: bool, min_size: int, jobs: int, with_text: bool, index_path: str | None,
          verify: str | None, wires_file: str | None) -> None:
    """Dedup folders and files of articles and report the clusters.

    Reads .txt/.md (one article per file, optional front matter), .json (one
    record), .jsonl (one record per line), .html (main text via trafilatura,
    dedup[html]) and WARC/ARC crawl archives (.warc[.gz], .arc[.gz]: their
    HTML responses, dedup[warc]), recursively. Prints one verdict per article
    (or one line per cluster with --clusters) to stdout.
    With --index the articles join a persistent index (see dedup stream) and
    the output covers this run's articles (and their clusters).
    Exit code 0 when all input was read, 3 when some records (or paths) were
    skipped, 1 when none of the paths exists or an error stopped the run.

    \b
    Example:
        dedup batch examples/
        dedup batch examples/ --clusters --format table
        dedup batch crawl/ news.jsonl --threshold 0.7 --jobs 2 > verdicts.jsonl
        dedup batch examples/ --with-text > results.jsonl
        dedup batch crawl/ --index news.db > verdicts.jsonl
        dedup batch examples-web/ crawl.warc.gz --clusters --format table
    """
    if with_text and (by_cluster or fmt != "jsonl"):
        raise click.UsageError("--with-text adds texts to per-article JSON Lines: use it "
                               "without --clusters, with --format jsonl (the default)")
    _some_path_exists(paths)  # before an index file is made
    with _library_errors():
        spill = Spill()  # the articles between the two passes (dedup.spill)
        try:
            index = _open_index(index_path, threshold, containment, wires_file, verify=verify)
        except BaseException:
            spill.close()
            raise
    signals = _Signals()  # SIGINT/SIGTERM stop the run between committed chunks
    done = [0]
    with signals, _library_errors(), spill:
        try:
            # First pass: read, learn the site chrome chunk by chunk, park the articles.
            skipped, ids = _read_into(paths, spill, index, jobs)
        except BaseException:
            index.close()
            raise
        progress = _progress(len(spill))

        def step(count: int) -> None:  # called after each chunk is committed
            done[0] += count
            if progress is not None:
                progress(count)
            if signals.signum is not None and done[0] < len(spill):
                raise _Stop

        try:
            if signals.signum is not None:
                raise _Stop
            # second pass: the parked articles, a chunk at a time; reading them back
            # runs none of the user's code, so the cyclic collector can wait
            try:
                with collector_paused():
                    results = index.add_many(spill, jobs=jobs, learn_chrome=False,
                                             progress=step, verdicts=False)  # read below
            except BaseException:
                index.close()
                raise
        except _Stop:
            if hasattr(progress, "finish"):
                progress.finish()
            index.close()
            name = signal.Signals(signals.signum or signal.SIGINT).name
            kept = (f"; the index {index_path} holds them: run again to add the rest (ids already "
                    "in it are reported and skipped)") if index_path else ""
            raise click.ClickException(f"stopped by {name} after {done[0]} of {len(spill)} "
                                       f"articles{kept}") from None
        if hasattr(progress, "finish"):
            progress.finish()
        for result in results:
            if isinstance(result, BadRecord):
                _say(f"error: {result.describe()}")
                skipped += 1
        try:  # the index stays open for the verdicts (a Redis index closed refuses reads)
            _batch_output(index, index_path, spill, ids, results, skipped, by_cluster,
                          min_size, fmt, with_text)
        finally:
            index.close()
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _read_into(paths: tuple[str, ...], spill: Spill, index: Index, jobs: int
               ) -> tuple[int, list[str]]:
    """Read ``paths`` into ``spill``, teaching ``index`` the site chrome on the way
    (a chunk of articles at a time; with ``jobs`` > 1 the next chunk is read while one
    is observed); returns how many records were skipped, and the ids of the articles
    parked (the output needs no more of them)."""
    skipped = [0]
    ids: list[str] = []

    def parked() -> Iterator[Article]:
        for article in _good_articles(paths, skipped):
            spill.write(article)
            ids.append(article.id)
            yield article

    index.learn_chrome(parked(), jobs=jobs)
    return skipped[0], ids


class _Tally:
    """The run's summary, counted as the verdicts go out (never all held at once)."""

    def __init__(self) -> None:
        self.articles = self.copies = 0
        self.with_copies: set[int] = set()

    def add(self, verdict: Verdict) -> None:
        self.articles += 1
        if verdict.duplicate:
            self.copies += 1
            self.with_copies.add(verdict.cluster)

    def count(self, verdicts: Iterable[Verdict]) -> Iterator[Verdict]:
        for verdict in verdicts:
            self.add(verdict)
            yield verdict


def _batch_output(index: Index, index_path: str | None, spill: Spill, ids: list[str],
                  results: list, skipped: int, by_cluster: bool, min_size: int, fmt: str,
                  with_text: bool) -> None:
    out = sys.stdout
    tally = _Tally()
    if index_path is None:  # every article stored: this run's added ones, read in parts
        verdicts: Iterable[Verdict] = index.verdicts()
    else:  # this run's articles and their clusters only
        verdicts = (v for v in index.get_many(
            i for i, r in zip(ids, results, strict=True) if not isinstance(r, BadRecord))
            if v is not None)
    if by_cluster:
        all_clusters = index.clusters() if index_path is None else \
            [index.cluster(c) for c in sorted({v.cluster for v in verdicts})]
        for verdict in (v for c in all_clusters for v in c.members):
            tally.add(verdict)
        write_clusters([c for c in all_clusters if len(c.members) >= min_size], out, fmt)
    elif with_text:  # the verdicts are the added articles', in their order (read back)
        added = (a for a, r in zip(spill, results, strict=True) if not isinstance(r, BadRecord))
        for verdict, article in zip(tally.count(verdicts), added, strict=True):
            out.write(dumps({**verdict.to_dict(), "text": article.text}) + "\n")
    else:
        write_verdicts(tally.count(verdicts), out, fmt)
    _say(f"{tally.articles} articles, {len(tally.with_copies)} clusters with copies, "
         f"{tally.copies} copies"
         + (f" (index {index_path}: {len(index)} articles)" if index_path else "")
         + (f"; {skipped} records skipped" if skipped else ""))
