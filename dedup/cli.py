"""The ``dedup`` command: a thin client of the library.

Each command opens an ``Index`` or calls a library function and formats the
result. Library errors become ``click.ClickException`` here and only here.
Data goes to stdout; progress, notices and errors go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from . import __version__
from .config import Config
from .errors import BadRecord, DedupError
from .index import Index
from .records import Article
from .report import FORMATS, write_clusters, write_verdicts
from .sources import Skipped, read_paths
from .wires import WireRegistry

EXIT_SKIPPED = 3  # the run finished but some input records were skipped


def _say(message: str) -> None:
    click.echo(message, err=True)


@contextmanager
def _library_errors() -> Iterator[None]:
    try:
        yield
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def _build_config(threshold: float | None, containment: float | None) -> Config:
    values: dict[str, Any] = {}
    if threshold is not None:
        values["threshold"] = threshold
    if containment is not None:
        values["containment_threshold"] = containment
    return Config(**values)


def _load_wires(path: str | None) -> WireRegistry:
    return WireRegistry.load(path) if path else WireRegistry.default()


def threshold_option(f: Callable) -> Callable:
    f = click.option("--containment", "-c", type=click.FloatRange(0.05, 1.0), default=None,
                     help="Share of the shorter article found in the longer one at which it "
                          "is a copy (trimmed, excerpt, expanded) [default: 0.8; 1 = off].")(f)
    return click.option("--threshold", "-t", type=click.FloatRange(0.05, 1.0), default=None,
                        help="Estimated Jaccard at which articles are near-duplicates "
                             "[default: 0.8].")(f)


def wires_option(f: Callable) -> Callable:
    return click.option("--wires", "wires_file", type=click.Path(exists=True, dir_okay=False),
                        help="JSON file of extra wire agencies (same format as the built-in "
                             "registry), merged over it.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def cli() -> None:
    """Find near-duplicate and syndicated news articles and their original source.

    \b
    Example:
        dedup batch examples/ --clusters --format table
    """


@cli.command()
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
              help="Processes to fingerprint with.")
@wires_option
def batch(paths: tuple[str, ...], threshold: float | None, containment: float | None, fmt: str,
          by_cluster: bool, min_size: int, jobs: int, wires_file: str | None) -> None:
    """Dedup folders and files of articles and report the clusters.

    Reads .txt/.md (one article per file, optional front matter), .json (one
    record), .jsonl (one record per line) and .html, recursively. Prints one
    verdict per article (or one line per cluster with --clusters) to stdout.
    Exit code 0 when all input was read, 3 when some records were skipped.

    \b
    Example:
        dedup batch examples/
        dedup batch examples/ --clusters --format table
        dedup batch crawl/ news.jsonl --threshold 0.7 --jobs 2 > verdicts.jsonl
    """
    with _library_errors():
        config = _build_config(threshold, containment)
        index = Index(config, wires=_load_wires(wires_file))
    articles, skipped = _read_articles(paths)
    progress = _progress(len(articles))
    with _library_errors(), index:
        index.learn_chrome(articles, jobs=jobs)
        results = index.add_many(articles, jobs=jobs, learn_chrome=False, progress=progress)
    if hasattr(progress, "finish"):
        progress.finish()
    for result in results:
        if isinstance(result, BadRecord):
            _say(f"error: {result.describe()}")
            skipped += 1
    out = sys.stdout
    if by_cluster:
        write_clusters(index.clusters(min_size=min_size), out, fmt)
    else:
        write_verdicts(index.verdicts(), out, fmt)
    clusters = [c for c in index.clusters() if len(c.members) > 1]
    copies = sum(len(c.members) - 1 for c in clusters)
    _say(f"{len(index)} articles, {len(clusters)} clusters with copies, {copies} copies"
         + (f"; {skipped} records skipped" if skipped else ""))
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _read_articles(paths: tuple[str, ...]) -> tuple[list[Article], int]:
    articles: list[Article] = []
    seen: dict[str, str] = {}
    skipped = 0
    for item in read_paths(paths):
        if isinstance(item, Skipped):
            _say(item.describe())
        elif isinstance(item, BadRecord):
            _say(f"error: {item.describe()}")
            skipped += 1
        else:
            articles.append(item)
    return articles, skipped


class _Bar:
    """A progress bar on stderr, only when stderr is a terminal and the run is long."""

    def __init__(self, total: int) -> None:
        self._bar = click.progressbar(length=total, label="fingerprinting", file=sys.stderr)
        self._bar.__enter__()

    def __call__(self, done: int) -> None:
        self._bar.update(done)

    def finish(self) -> None:
        self._bar.__exit__(None, None, None)


def _progress(total: int) -> Callable[[int], None] | None:
    if total >= 2000 and sys.stderr.isatty():
        return _Bar(total)
    return None


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedup")
