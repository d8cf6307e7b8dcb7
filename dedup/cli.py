"""The ``dedup`` command: a thin client of the library.

Each command opens an ``Index`` or calls a library function and formats the
result. Library errors become ``click.ClickException`` here and only here.
Data goes to stdout; progress, notices and errors go to stderr.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from . import __version__
from .backends import backend_for, describe_index, index_exists
from .batching import CHUNK, chunked
from .cli_run import _Duration, _progress, _Signals, _Stop
from .config import Config
from .errors import BadRecord, DedupError
from .index import Index
from .records import Article
from .report import FORMATS, dumps, printable, write_clusters, write_verdicts
from .sources import Skipped, read_lines, read_paths
from .spill import Spill
from .wires import WireRegistry

EXIT_SKIPPED = 3  # the run finished but some input records were skipped


def _say(message: str) -> None:
    click.echo(printable(message), err=True)  # file names and ids in it are input


@contextmanager
def _library_errors() -> Iterator[None]:
    try:
        yield
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def _build_config(threshold: float | None, containment: float | None,
                  verify: str | None = None) -> Config:
    values: dict[str, Any] = {}
    if threshold is not None:
        values["threshold"] = threshold
    if containment is not None:
        values["containment_threshold"] = containment
    if verify is not None:
        values["verify"] = verify
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


def verify_option(f: Callable) -> Callable:
    return click.option("--verify", type=click.Choice(["estimate", "exact"]), default=None,
                        help="How candidates are measured: from the MinHash signatures, or "
                             "exactly on stored shingles near the thresholds (+~2 KB per "
                             "article; not with Redis) [default: estimate].")(f)


def wires_option(f: Callable) -> Callable:
    return click.option("--wires", "wires_file", type=click.Path(exists=True, dir_okay=False),
                        help="JSON file of extra wire agencies (same format as the built-in "
                             "registry), merged over it.")(f)


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # a write that no retry mends


class _Commands(click.Group):
    """The command group: what a failure says is escaped like every message
    (file names, ids and sources in it are input); output that cannot be
    written (a full disk under ``> out.jsonl``) is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = printable(exc.message)
            raise
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python's exit flush would fail
            raise click.ClickException(f"cannot write {exc.filename or 'the output'}: "
                                       f"{exc.strerror}") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
            skipped = _read_into(paths, spill, index, jobs)
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
            try:  # second pass: the parked articles, a chunk at a time
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
            _batch_output(index, index_path, spill, results, skipped, by_cluster, min_size,
                          fmt, with_text)
        finally:
            index.close()
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _read_into(paths: tuple[str, ...], spill: Spill, index: Index, jobs: int) -> int:
    """Read ``paths`` into ``spill``, teaching ``index`` the site chrome on the way
    (a chunk of articles at a time); returns how many records were skipped."""
    skipped = [0]
    for chunk in chunked(_good_articles(paths, skipped), CHUNK):
        for article in chunk:
            spill.write(article)
        index.learn_chrome(chunk, jobs=jobs)
    return skipped[0]


def _batch_output(index: Index, index_path: str | None, spill: Spill, results: list,
                  skipped: int, by_cluster: bool, min_size: int, fmt: str,
                  with_text: bool) -> None:
    out = sys.stdout
    def added() -> Iterator[Article]:  # the articles added, in arrival order, read back
        return (a for a, r in zip(spill, results, strict=True) if not isinstance(r, BadRecord))

    if index_path is None:  # every article stored: this run's added ones
        verdicts = list(index.verdicts())
    else:  # this run's articles and their clusters only
        verdicts = [index.get(a.id) for a in added()]
    if by_cluster:
        all_clusters = index.clusters() if index_path is None else \
            [index.cluster(c) for c in sorted({v.cluster for v in verdicts})]
        write_clusters([c for c in all_clusters if len(c.members) >= min_size], out, fmt)
    elif with_text:  # the verdicts are the added articles', in their order
        for verdict, article in zip(verdicts, added(), strict=True):
            out.write(dumps({**verdict.to_dict(), "text": article.text}) + "\n")
    else:
        write_verdicts(verdicts, out, fmt)
    with_copies = {v.cluster for v in verdicts if v.duplicate}
    copies = sum(v.duplicate for v in verdicts)
    _say(f"{len(verdicts)} articles, {len(with_copies)} clusters with copies, {copies} copies"
         + (f" (index {index_path}: {len(index)} articles)" if index_path else "")
         + (f"; {skipped} records skipped" if skipped else ""))


def _open_index(index_path: str | None, threshold: float | None, containment: float | None,
                wires_file: str | None, verify: str | None = None, **policy: Any) -> Index:
    """An in-memory index, or the persistent one at ``index_path``.

    For a persistent index, options left out take the stored values; options
    given must match them (else ``ConfigMismatch`` names the fields).
    """
    if index_path is None:
        return Index(_build_config(threshold, containment, verify), wires=_load_wires(wires_file),
                     max_docs=policy.get("max_docs"), max_age=policy.get("max_age"))
    stored = index_exists(index_path)
    config = None
    if threshold is not None or containment is not None or verify is not None or not stored:
        config = _build_config(threshold, containment, verify)
        if stored:  # compare only what was asked for; the rest is the stored config
            base = Config.from_dict(describe_index(index_path)["config"])
            config = base.replace(**{k: v for k, v in (("threshold", threshold),
                                    ("containment_threshold", containment),
                                    ("verify", verify)) if v is not None})
    index = Index.open(index_path, config=config,
                       wires=WireRegistry.load(wires_file) if wires_file else None, **policy)
    if stored and backend_for(index_path).is_file:
        try:
            _say_damaged_texts(index_path)
        except BaseException:
            index.close()
            raise
    return index


def _say_damaged_texts(path: str) -> None:
    """Say once that an index being written holds stored texts failing their checksum
    (the writer goes on: texts are read only by reports and exports)."""
    from .sqlite_files import damaged_texts

    damaged = damaged_texts(path)
    if damaged:
        named = ", ".join(repr(d) for d in damaged[:3]) + (", …" if len(damaged) > 3 else "")
        _say(f"warning: {path}: the stored text of {len(damaged)} article"
             f"{'s' if len(damaged) > 1 else ''} fails its checksum ({named}); new articles "
             "are added, and dedup report shows those without their text; restore the file "
             "from a backup to mend it")


def _html_hint(lines: Iterator[bytes | BadRecord]) -> Iterator[bytes | BadRecord]:
    """Pass lines on; say once if records carry HTML and trafilatura is missing."""
    from .extract import HTML_EXTRA_NOTICE, trafilatura_module

    told = False
    for line in lines:
        if not told and isinstance(line, bytes) and b'"html"' in line \
                and trafilatura_module() is None:
            _say(f"<stdin>: {HTML_EXTRA_NOTICE}")
            told = True
        yield line


def _warc_records(signals: _Signals, stream: Any) -> Iterator[tuple[None, Any]]:
    """``dedup stream --warc``: the archive's items, stopping between records on a signal."""
    from .warc import read_warc

    items = read_warc(stream, "<stdin>")
    while signals.signum is None:
        signals.reading = True  # reading or extracting: nothing in the index is half done
        try:
            item = next(items, None)
        finally:
            signals.reading = False
        if item is None:
            return
        yield None, item


@cli.command()
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Persistent index file (created if missing). Every verdict printed is "
                   "already saved in it.")
@click.option("--text", "plain_text", is_flag=True,
              help="Each input line is the text of one article (id = line number) instead "
                   "of a JSON record.")
@click.option("--warc", is_flag=True,
              help="stdin is a WARC/ARC archive (gzipped or not): each HTML response is an "
                   "article, id and url its target URI (needs dedup[warc]).")
@threshold_option
@click.option("--max-docs", type=click.IntRange(1), default=None,
              help="Keep at most this many articles; the oldest are evicted.")
@click.option("--max-age", type=_Duration(), default=None,
              help="Evict articles added longer ago than this (3600, 90m, 12h, 7d).")
@click.option("--no-store-text", is_flag=True,
              help="With --index: do not keep the articles' texts in the index.")
@click.option("--fsync", is_flag=True,
              help="With --index: fsync every commit, so an acknowledged article also "
                   "survives a power loss (slower).")
@verify_option
@wires_option
def stream(index_path: str | None, plain_text: bool, warc: bool, threshold: float | None,
           containment: float | None, max_docs: int | None, max_age: float | None,
           no_store_text: bool, fsync: bool, verify: str | None, wires_file: str | None) -> None:
    """Dedup articles one at a time: JSON lines on stdin, verdicts on stdout.

    Writes one verdict line per input record, in input order, flushed at once.
    When an article turns out to be its cluster's true original (an earlier
    date, the wire's own copy arriving late), an event line follows:
    {"event": "reattributed", "cluster": …, "old_original": …, "new_original": …},
    and, when it also folds clusters of its earlier copies into its own,
    {"event": "merged", "cluster": …, "merged_cluster": …, "members": […], …}.
    A bad line gives {"error": …, "line": N} on stdout and a message on stderr;
    the stream goes on. EOF, SIGINT or SIGTERM end it cleanly with a summary
    on stderr. Exit code 0, or 3 when some lines were bad.

    \b
    Example:
        crawler | dedup stream --index news.db > verdicts.jsonl
        dedup stream --text < headlines.txt
        tail -f feed.jsonl | dedup stream --index news.db --max-age 7d
        dedup stream --warc --index news.db < crawl.warc.gz
    """
    if warc and plain_text:
        raise click.UsageError("--warc and --text cannot be combined")
    if index_path is None and (no_store_text or fsync):
        raise click.UsageError("--no-store-text and --fsync apply to an --index file")
    policy: dict[str, Any] = {"max_docs": max_docs, "max_age": max_age}
    if index_path is not None:
        policy.update(keep_text=not no_store_text, fsync=fsync)
    with _library_errors():
        index = _open_index(index_path, threshold, containment, wires_file, verify=verify,
                            **policy)
    # A loaded index is millions of long-lived objects; a full GC pass over them stalls a
    # verdict (measured: 0.3-1.1 s at 50k articles, seconds at 1M). Freeze them, and what
    # the stream adds, every 10,000 records.
    gc.freeze()
    out = sys.stdout
    counts = {"records": 0, "copies": 0, "reattributed": 0, "merged": 0, "errors": 0}

    def emit(record: dict[str, Any]) -> None:
        out.write(dumps(record) + "\n")

    def bad(error: BadRecord, number: int) -> None:
        counts["errors"] += 1
        error.line, error.where = number, "<stdin>"
        _say(f"error: {error.describe()}")
        emit({"error": error.reason, "line": number, "id": error.record_id})
        out.flush()

    signals = _Signals()
    try:
        with signals, _library_errors(), index:
            records = _warc_records(signals, sys.stdin.buffer) if warc else \
                read_lines(_html_hint(signals.lines(sys.stdin.buffer)), plain_text=plain_text)
            for number, item in records:
                if item is None:
                    continue
                if isinstance(item, Skipped):  # --warc: the skipped records' summary
                    _say(item.describe())
                    continue
                counts["records"] += 1
                if counts["records"] % 10_000 == 0:
                    gc.freeze()
                if isinstance(item, BadRecord):
                    bad(item, number)
                    continue
                try:
                    verdict = index.add(item)
                except BadRecord as exc:
                    bad(exc, number)
                    continue
                emit(verdict.to_dict())
                counts["copies"] += verdict.duplicate
                if verdict.reattributed:
                    counts["reattributed"] += 1
                    emit(verdict.reattributed)
                for event in verdict.merged or ():
                    counts["merged"] += 1
                    emit(event)
                out.flush()
    except _Stop:
        pass
    except BrokenPipeError:  # the reader went away: what was written is saved; stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        sys.exit(1)
    stopped = "" if signals.signum is None else \
        f" (stopped by {signal.Signals(signals.signum).name})"
    _say(f"{counts['records']} records: {counts['records'] - counts['errors']} verdicts "
         f"({counts['copies']} copies, {counts['reattributed']} re-attributions, "
         f"{counts['merged']} cluster merges), "
         f"{counts['errors']} errors; {len(index)} articles in the index{stopped}")
    if counts["errors"]:
        sys.exit(EXIT_SKIPPED)


@cli.group(name="index")
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
    from .sqlite_files import vacuum
    with _library_errors():
        before, after = vacuum(path)
    _say(f"{path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")


def _some_path_exists(paths: tuple[str, ...]) -> None:
    """A missing path among others is reported and skipped (exit 3, by ``read_paths``);
    when none of the paths given exists there is nothing to do: exit 1 before any work."""
    if paths and not any(os.path.exists(p) for p in paths):
        raise click.ClickException(f"{', '.join(paths)}: no such file or folder; nothing "
                                   "was read")


def _read_articles(paths: tuple[str, ...]) -> tuple[list[Article], int]:
    _some_path_exists(paths)
    skipped = [0]
    articles = list(_good_articles(paths, skipped))
    return articles, skipped[0]


def _good_articles(paths: tuple[str, ...], skipped: list[int]) -> Iterator[Article]:
    """The articles read from ``paths``; what was skipped is said on stderr (and a
    bad record counted in ``skipped[0]``)."""
    for item in read_paths(paths):
        if isinstance(item, Skipped):
            _say(item.describe())
        elif isinstance(item, BadRecord):
            _say(f"error: {item.describe()}")
            skipped[0] += 1
        else:
            yield item


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedup")


from . import cli_tools  # noqa: E402, F401 - registers report, trace and explain on cli
