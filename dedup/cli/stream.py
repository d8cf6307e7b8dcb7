"""``dedup stream``: JSON lines (or text lines, or a WARC) on stdin, a verdict per
line on stdout, as they arrive."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..errors import BadRecord
from ..report import dumps
from ..sources import Skipped, read_lines
from .common import (
    EXIT_SKIPPED,
    _library_errors,
    _open_index,
    _say,
    threshold_option,
    verify_option,
    wires_option,
)
from .run import _Duration, _Signals, _Stop


def _html_hint(lines: Iterator[bytes | BadRecord]) -> Iterator[bytes | BadRecord]:
    """Pass lines on; say once if records carry HTML and trafilatura is missing."""
    from ..extract import HTML_EXTRA_NOTICE, trafilatura_module

    told = False
    for line in lines:
        if not told and isinstance(line, bytes) and b'"html"' in line \
                and trafilatura_module() is None:
            _say(f"<stdin>: {HTML_EXTRA_NOTICE}")
            told = True
        yield line


def _warc_records(signals: _Signals, stream: Any) -> Iterator[tuple[None, Any]]:
    """``dedup stream --warc``: the archive's items, stopping between records on a signal."""
    from ..warc import read_warc

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


@click.command()
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
