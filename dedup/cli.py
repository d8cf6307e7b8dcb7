"""The ``dedup`` command: a thin client of the library.

Each command opens an ``Index`` or calls a library function and formats the
result. Library errors become ``click.ClickException`` here and only here.
Data goes to stdout; progress, notices and errors go to stderr.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from . import __version__
from .config import Config
from .errors import BadRecord, DedupError
from .htmlreport import index_results, read_results, write_report
from .index import Index
from .store import describe_index, index_exists
from .records import Article
from .report import FORMATS, dumps, write_clusters, write_verdicts
from .sources import Skipped, bounded_lines, read_lines, read_paths
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
@click.option("--with-text", is_flag=True,
              help="Add each article's text to its verdict line (JSON Lines only), for "
                   "dedup report.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Add the articles to this persistent index file (created if missing) "
                   "and report their verdicts against everything in it.")
@wires_option
def batch(paths: tuple[str, ...], threshold: float | None, containment: float | None, fmt: str,
          by_cluster: bool, min_size: int, jobs: int, with_text: bool, index_path: str | None,
          wires_file: str | None) -> None:
    """Dedup folders and files of articles and report the clusters.

    Reads .txt/.md (one article per file, optional front matter), .json (one
    record), .jsonl (one record per line), .html (main text via trafilatura,
    dedup[html]) and WARC/ARC crawl archives (.warc[.gz], .arc[.gz]: their
    HTML responses, dedup[warc]), recursively. Prints one verdict per article
    (or one line per cluster with --clusters) to stdout.
    With --index the articles join a persistent index (see dedup stream) and
    the output covers this run's articles (and their clusters).
    Exit code 0 when all input was read, 3 when some records were skipped.

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
    with _library_errors():
        index = _open_index(index_path, threshold, containment, wires_file)
    signals = _Signals()  # SIGINT/SIGTERM stop the run between committed chunks
    done = [0]
    with signals:
        articles, skipped = _read_articles(paths)
        progress = _progress(len(articles))

        def step(count: int) -> None:  # called after each chunk is committed
            done[0] += count
            if progress is not None:
                progress(count)
            if signals.signum is not None and done[0] < len(articles):
                raise _Stop

        try:
            if signals.signum is not None:
                raise _Stop
            with _library_errors(), index:
                index.learn_chrome(articles, jobs=jobs)
                results = index.add_many(articles, jobs=jobs, learn_chrome=False, progress=step,
                                         verdicts=False)  # the final ones are read below
        except _Stop:
            if hasattr(progress, "finish"):
                progress.finish()
            index.close()
            name = signal.Signals(signals.signum or signal.SIGINT).name
            kept = (f"; the index {index_path} holds them: run again to add the rest (ids already "
                    "in it are reported and skipped)") if index_path else ""
            raise click.ClickException(f"stopped by {name} after {done[0]} of {len(articles)} "
                                       f"articles{kept}") from None
    if hasattr(progress, "finish"):
        progress.finish()
    for result in results:
        if isinstance(result, BadRecord):
            _say(f"error: {result.describe()}")
            skipped += 1
    out = sys.stdout
    if index_path is None:
        verdicts = list(index.verdicts())
    else:  # this run's articles and their clusters only
        verdicts = [index.get(a.id) for a, r in zip(articles, results)
                    if not isinstance(r, BadRecord)]
    if by_cluster:
        all_clusters = index.clusters() if index_path is None else \
            [index.cluster(c) for c in sorted({v.cluster for v in verdicts})]
        write_clusters([c for c in all_clusters if len(c.members) >= min_size], out, fmt)
    elif with_text:
        texts: dict[str, str] = {}
        for article in articles:
            texts.setdefault(article.id, article.text)  # the first of a duplicate id is kept
        for verdict in verdicts:
            out.write(dumps({**verdict.to_dict(), "text": texts.get(verdict.id)}) + "\n")
    else:
        write_verdicts(verdicts, out, fmt)
    with_copies = {v.cluster for v in verdicts if v.duplicate}
    copies = sum(v.duplicate for v in verdicts)
    _say(f"{len(verdicts)} articles, {len(with_copies)} clusters with copies, {copies} copies"
         + (f" (index {index_path}: {len(index)} articles)" if index_path else "")
         + (f"; {skipped} records skipped" if skipped else ""))
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _open_index(index_path: str | None, threshold: float | None, containment: float | None,
                wires_file: str | None, **policy: Any) -> Index:
    """An in-memory index, or the persistent one at ``index_path``.

    For a persistent index, options left out take the stored values; options
    given must match them (else ``ConfigMismatch`` names the fields).
    """
    if index_path is None:
        return Index(_build_config(threshold, containment), wires=_load_wires(wires_file),
                     max_docs=policy.get("max_docs"), max_age=policy.get("max_age"))
    stored = index_exists(index_path)
    config = None
    if threshold is not None or containment is not None or not stored:
        config = _build_config(threshold, containment)
        if stored:  # compare only what was asked for; the rest is the stored config
            base = Config.from_dict(describe_index(index_path)["config"])
            config = base.replace(**{k: v for k, v in (("threshold", threshold),
                                    ("containment_threshold", containment)) if v is not None})
    return Index.open(index_path, config=config,
                      wires=WireRegistry.load(wires_file) if wires_file else None, **policy)


class _Duration(click.ParamType):
    """A duration: seconds, or a number with s, m, h, d or w."""

    name = "duration"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip().lower()
        unit = self._UNITS.get(text[-1:], None)
        try:
            number = float(text[:-1] if unit else text)
        except ValueError:
            number = -1.0
        if number <= 0:
            self.fail(f"{value!r} is not a duration; use e.g. 3600, 90m, 12h or 7d", param, ctx)
        return number * (unit or 1)


class _Stop(Exception):
    """SIGINT/SIGTERM arrived while the stream was waiting for input."""


class _Signals:
    """SIGINT/SIGTERM stop the stream between records, never in the middle of one."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.reading = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._old[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._old.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.signum = signum
        if self.reading:  # blocked on input: nothing is half done, stop now
            raise _Stop

    def lines(self, stream: Any) -> Iterator[bytes | BadRecord]:
        """Lines of ``stream``, each bounded by the per-article cap (``bounded_lines``)."""
        lines = bounded_lines(stream)
        while self.signum is None:
            self.reading = True
            try:
                line = next(lines, None)
            finally:
                self.reading = False
            if line is None:
                return
            yield line


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
@wires_option
def stream(index_path: str | None, plain_text: bool, warc: bool, threshold: float | None,
           containment: float | None, max_docs: int | None, max_age: float | None,
           no_store_text: bool, fsync: bool, wires_file: str | None) -> None:
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
        index = _open_index(index_path, threshold, containment, wires_file, **policy)
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
    if path.startswith(("redis://", "rediss://")):
        raise click.UsageError("vacuum rewrites an index file; a Redis index frees its memory "
                               "as articles are removed (nothing to vacuum)")
    from .sqlite_store import vacuum
    with _library_errors():
        before, after = vacuum(path)
    _say(f"{path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")


def _read_articles(paths: tuple[str, ...]) -> tuple[list[Article], int]:
    articles: list[Article] = []
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


@cli.command()
@click.argument("results", required=False,
                type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Report on a persistent index (a file or redis:// location; its stored "
                   "texts included) instead of a results file.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The HTML file to write ('-' for stdout).")
@click.option("--title", default="dedup report", show_default=True, help="The page title.")
def report(results: str | None, index_path: str | None, output: str, title: str) -> None:
    """Write the clusters as one self-contained HTML page to look at.

    Reads per-article verdicts (dedup batch output; with --with-text the page
    shows each copy side by side with its original, shared passages
    highlighted) or a persistent index. The page has an overview (top origins,
    when copies appeared after the original), a sortable cluster list and
    per copy its relation, similarity, containment, delay and evidence. It
    needs no network. Exit code 3 when some result lines were skipped.

    \b
    Example:
        dedup batch examples/ --with-text > results.jsonl
        dedup report results.jsonl -o report.html
        dedup report --index news.db -o report.html
    """
    if (results is None) == (index_path is None):
        raise click.UsageError("give either a RESULTS.jsonl file (dedup batch --with-text) "
                               "or --index PATH")
    skipped = 0
    verdicts: list[dict[str, Any]] = []
    if index_path is not None:
        with _library_errors(), Index.open(index_path, create=False, readonly=True) as index:
            verdicts.extend(index_results(index))
        source = os.path.basename(index_path)
    else:
        assert results is not None
        source = "<stdin>" if results == "-" else os.path.basename(results)
        with click.open_file(results, "rb") as lines:
            for item in read_results(lines, where=results if results != "-" else "<stdin>"):
                if isinstance(item, BadRecord):
                    _say(f"error: {item.describe()}")
                    skipped += 1
                else:
                    verdicts.append(item)
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        overview = write_report(verdicts, out, title=title, source=source, version=__version__)
    written = "<stdout>" if output == "-" else output
    _say(f"{written}: {overview['articles']} articles, {overview['clusters']} clusters with "
         f"copies, {overview['copies']} copies" + (f"; {skipped} lines skipped" if skipped else ""))
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _read_unique(paths: tuple[str, ...], what: str) -> tuple[list[Article], int]:
    """Articles of ``paths`` with unique ids (a later duplicate is reported and skipped)."""
    articles, skipped = _read_articles(paths)
    unique: dict[str, Article] = {}
    for article in articles:
        if article.id in unique:
            _say(f"error: {what} id {article.id!r}: duplicate id; ids must be unique "
                 "(the later record is skipped)")
            skipped += 1
        else:
            unique[article.id] = article
    return list(unique.values()), skipped


def _index_articles(index_path: str) -> list[Article]:
    """The stored articles of a persistent index, with their texts."""
    from .records import parse_published
    out = []
    with Index.open(index_path, create=False, readonly=True) as index:
        for verdict in index.verdicts():
            text = index.text(verdict.id)
            if text is None:
                raise click.ClickException(
                    f"{index_path}: article {verdict.id!r} has no stored text (the index was "
                    "written with --no-store-text); trace needs the texts: use --against")
            out.append(Article(id=verdict.id, text=text, title=verdict.title, url=verdict.url,
                               source=verdict.source,
                               published=parse_published(verdict.published)))
    return out


@cli.command(name="trace")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--against", "against", multiple=True, type=click.Path(),
              help="Folder or file of source texts (e.g. wire stories); repeatable.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Use the articles stored in this persistent index as the sources "
                   "(with or instead of --against).")
@click.option("--top", "-k", type=click.IntRange(1), default=5, show_default=True,
              help="Candidates listed per article.")
@click.option("--floor", type=click.FloatRange(0.0, 1.0), default=None,
              help="Leave out candidates sharing less than this share of the article's "
                   "shingles [default: 0.05].")
@wires_option
def trace_command(paths: tuple[str, ...], against: tuple[str, ...], index_path: str | None,
                  top: int, floor: float | None, wires_file: str | None) -> None:
    """Trace articles to the source texts they reuse, best first.

    For each article in PATHS, prints one JSON line {"id": …, "candidates":
    [{"id", "containment", "similarity", "source", "coverage", "shared"}, …]}:
    the sources (from --against and/or --index) sharing the most text with it,
    by exact Jaccard similarity, then containment (the share of the article
    found in the source), on word bigrams (CJK character bigrams) of the text
    without credit lines. Candidates well below the duplicate threshold are
    listed, down to --floor, so a heavily rewritten story still points to the
    wire story it came from. An article is never its own candidate.
    Exit code 0, or 3 when some records were skipped.

    \b
    Example:
        dedup trace newspaper/ --against wires/
        dedup trace article.txt --against wires.jsonl --top 3 --floor 0.1
        dedup trace crawl/ --index news.db > sources.jsonl
    """
    from .trace import DEFAULT_FLOOR, Tracer
    if not against and index_path is None:
        raise click.UsageError("give the sources to trace against: --against PATH and/or "
                               "--index FILE")
    with _library_errors():
        wires = _load_wires(wires_file)
    sources, skipped = _read_unique(against, "source") if against else ([], 0)
    if index_path is not None:
        with _library_errors():
            stored = _index_articles(index_path)
        known = {s.id for s in sources}
        for article in stored:
            if article.id in known:
                _say(f"error: source id {article.id!r}: in both --against and --index; the "
                     "--index copy is skipped")
                skipped += 1
            else:
                sources.append(article)
    articles, bad = _read_unique(paths, "article")
    skipped += bad
    with _library_errors():
        tracer = Tracer(sources, wires=wires)
        traced = 0
        for result in tracer.trace(articles, top=top,
                                   floor=DEFAULT_FLOOR if floor is None else floor):
            sys.stdout.write(dumps(result.to_dict()) + "\n")
            traced += bool(result.candidates)
    _say(f"{len(articles)} articles traced against {len(sources)} sources, {traced} with a "
         f"candidate" + (f"; {skipped} records skipped" if skipped else ""))
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _one_article(name: str, pool: dict[str, Article] | None) -> Article:
    if pool is not None:
        if name not in pool:
            raise click.ClickException(f"no article with id {name!r} in the --in paths")
        return pool[name]
    if not os.path.isfile(name):
        raise click.ClickException(f"{name}: no such file (to compare articles by id, give "
                                   "the folder or file holding them with --in)")
    from pathlib import Path

    from .sources import read_file
    found = [item for item in read_file(Path(name), name) if not isinstance(item, Skipped)]
    articles = [a for a in found if isinstance(a, Article)]
    for item in found:
        if isinstance(item, BadRecord):
            raise click.ClickException(item.describe())
    if len(articles) != 1:
        raise click.ClickException(f"{name} holds {len(articles)} articles; give the file "
                                   "with --in and the two ids")
    return articles[0]


def _explanation_text(result: Any, text_a: str, text_b: str) -> str:
    def person(label: str, e: Any) -> str:
        facts = [x for x in (e.source, e.published) if x]
        if e.wire:
            facts.append(f"wire {e.wire}: {e.wire_evidence}")
        return f"{label}  {e.id}" + (f"  ({'; '.join(facts)})" if facts else "")

    lines = [person("A", result.a), person("B", result.b),
             f"similarity {result.similarity:.2f}   A in B {result.containment_a_in_b:.2f}   "
             f"B in A {result.containment_b_in_a:.2f}   relation: "
             + (f"{result.relation} ({'A' if result.copy == result.a.id else 'B'} is the copy)"
                if result.relation else "none (not copies by the index's rules)"),
             f"original: {'A' if result.original == result.a.id else 'B'} {result.original}"
             f"   origin: {result.origin_source or 'unknown'}"]
    lines += [f"  {w}" for w in result.why]
    for label, e in (("A", result.a), ("B", result.b)):
        for c in e.credits:
            lines.append(f"credit {label}: {c['kind']} {c['text']!r}"
                         + (f" names {c['wire']}" if c["wire"] else "")
                         + f" [{c['start']}:{c['end']}]")
        if e.mentions:
            lines.append(f"mentions {label}: {', '.join(e.mentions)} (not a credit)")
    covered_a = sum(p.a_end - p.a_start for p in result.passages)
    covered_b = sum(p.b_end - p.b_start for p in result.passages)
    lines.append(f"shared passages: {len(result.passages)}, {covered_a / max(len(text_a), 1):.0%} "
                 f"of A's characters, {covered_b / max(len(text_b), 1):.0%} of B's")
    for p in result.passages:
        snippet = " ".join(p.text.split())
        snippet = snippet if len(snippet) <= 90 else snippet[:60] + " … " + snippet[-25:]
        lines.append(f"  A[{p.a_start}:{p.a_end}] B[{p.b_start}:{p.b_end}] {p.tokens} tokens: "
                     f"{snippet}")
    return "\n".join(lines) + "\n"


@cli.command(name="explain")
@click.argument("first")
@click.argument("second")
@click.option("--in", "in_paths", multiple=True, type=click.Path(),
              help="Folder or file holding the articles: FIRST and SECOND are then ids "
                   "(as dedup batch prints them); repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@threshold_option
@wires_option
def explain_command(first: str, second: str, in_paths: tuple[str, ...], fmt: str,
                    threshold: float | None, containment: float | None,
                    wires_file: str | None) -> None:
    """Explain how two articles relate: shared text, similarity, who is the original.

    FIRST and SECOND are two files of one article each, or, with --in, two
    article ids found in those folders/files. Prints the exact similarity
    (Jaccard of word 5-gram / CJK 4-gram sets, credits removed), the share of
    each found in the other, the relation dedup batch would give the pair, the
    shared passages (character offsets into each original text, and the text)
    and the attribution evidence: credit lines, wire publishers, dates, which
    one is the original and why, and any conflicts.

    \b
    Example:
        dedup explain copy.txt wire.txt
        dedup explain sites/dailyharbor/china-portugal-talks.txt \\
            xinhua-20250508-cn-pt-talks --in examples/
        dedup explain a.json b.json --format json
    """
    from .explain import explain
    pool = None
    if in_paths:
        articles, _ = _read_unique(in_paths, "article")
        pool = {a.id: a for a in articles}
    a, b = _one_article(first, pool), _one_article(second, pool)
    with _library_errors():
        result = explain(a, b, config=_build_config(threshold, containment),
                         wires=_load_wires(wires_file))
    if fmt == "json":
        sys.stdout.write(dumps(result.to_dict()) + "\n")
    else:
        sys.stdout.write(_explanation_text(result, a.text, b.text))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedup")
