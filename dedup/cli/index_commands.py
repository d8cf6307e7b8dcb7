"""``dedup index stats|export|vacuum``: inspect and maintain a persistent index."""

from __future__ import annotations

import sys

import click

from ..index import Index
from ..report import FORMATS, dumps, write_clusters, write_verdicts
from ..storage.backends import backend_for, describe_index
from .common import (
    _library_errors,
    _say,
)


@click.group(name="index")
def index_group() -> None:
    """Inspect and maintain a persistent index file (dedup stream/batch --index).

    \b
    Example:
        dedup index stats news.db
        dedup index export news.db > verdicts.jsonl
        dedup index vacuum news.db
    """


@index_group.command(name="stats")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
def index_stats(path: str, as_json: bool) -> None:
    """Articles, clusters, configuration and size on disk of an index.

    Reads the file without loading it (safe while a stream is writing to it).

    \b
    Example:
        dedup index stats news.db
        dedup index stats news.db --json
    """
    with _library_errors():
        facts = describe_index(path)
    if as_json:
        sys.stdout.write(dumps(facts) + "\n")
        return
    config = facts.pop("config")
    facts["config"] = ", ".join(f"{k}={v}" for k, v in config.items())
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        sys.stdout.write(f"{key:<{width}}  {value}\n")


@index_group.command(name="export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="Output format.")
@click.option("--clusters", "by_cluster", is_flag=True,
              help="One record per cluster instead of one per article.")
@click.option("--min-size", type=click.IntRange(1), default=2, show_default=True,
              help="With --clusters: leave out clusters smaller than this.")
@click.option("--with-text", is_flag=True,
              help="Add each article's stored text to its line (JSON Lines), for dedup report.")
def index_export(path: str, fmt: str, by_cluster: bool, min_size: int, with_text: bool) -> None:
    """Print every stored article's current verdict (after all re-attributions).

    The same records as dedup batch writes, in arrival order. Opens the
    index read-only.

    \b
    Example:
        dedup index export news.db > verdicts.jsonl
        dedup index export news.db --clusters --format table
    """
    if with_text and (by_cluster or fmt != "jsonl"):
        raise click.UsageError("--with-text adds texts to per-article JSON Lines: use it "
                               "without --clusters, with --format jsonl (the default)")
    with _library_errors(), Index.open(path, create=False, readonly=True) as index:
        if by_cluster:
            write_clusters(index.clusters(min_size=min_size), sys.stdout, fmt)
        elif with_text:
            for verdict in index.verdicts():
                sys.stdout.write(dumps({**verdict.to_dict(), "text": index.text(verdict.id)})
                                 + "\n")
        else:
            write_verdicts(index.verdicts(), sys.stdout, fmt)


@index_group.command(name="vacuum")
@click.argument("path", type=click.Path(dir_okay=False))
def index_vacuum(path: str) -> None:
    """Rewrite an index file compactly (after many evictions or removals).

    Needs the index not to be open for writing elsewhere.

    \b
    Example:
        dedup index vacuum news.db
    """
    with _library_errors():
        is_file = backend_for(path).is_file
    if not is_file:
        raise click.UsageError("vacuum rewrites an index file; a Redis index frees its memory "
                               "as articles are removed (nothing to vacuum)")
    from ..storage.sqlite_files import vacuum
    with _library_errors():
        before, after = vacuum(path)
    _say(f"{path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
