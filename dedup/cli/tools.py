"""The ``dedup`` commands that read results rather than make them: ``report``,
``trace`` and ``explain`` (part of the command line, added to ``cli`` by ``dedup.cli``).

Like the other command modules, a thin client of the library: library errors become
``click.ClickException`` here (through ``_library_errors``) and only in the
command-line modules.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

import click

from .. import __version__
from ..errors import BadRecord
from ..filesystem import missing_folder
from ..htmlreport import index_results, read_results, write_report
from ..index import Index
from ..records import Article
from ..report import dumps
from ..sources import Skipped
from .common import (
    EXIT_SKIPPED,
    _build_config,
    _library_errors,
    _load_wires,
    _read_articles,
    _say,
    threshold_option,
    wires_option,
)

EXPECTED_RESULTS = ("dedup report reads the JSON Lines of dedup batch --with-text (or dedup "
                    "index export --with-text), a folder of articles, or --index PATH")


@click.command()
@click.argument("results", required=False,
                type=click.Path(exists=True, allow_dash=True))
@click.option("--index", "index_path", type=click.Path(dir_okay=False),
              help="Report on a persistent index (a file or redis:// location; its stored "
                   "texts included) instead of a results file.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The HTML file to write ('-' for stdout).")
@click.option("--title", default="dedup report", show_default=True, help="The page title.")
def report(results: str | None, index_path: str | None, output: str, title: str) -> None:
    """Write the clusters as one self-contained HTML page to look at.

    Reads per-article verdicts (the JSON Lines of dedup batch; with
    --with-text the page shows each copy side by side with its original,
    shared passages highlighted), a folder of articles (dedup batch is run on
    it, texts kept) or a persistent index. The page has an overview (top
    origins, when copies appeared after the original), a sortable cluster list
    and per copy its relation, similarity, containment, delay and evidence. It
    needs no network. Exit code 3 when some result lines (or stored texts)
    were skipped.

    \b
    Example:
        dedup batch examples/ --with-text > results.jsonl
        dedup report results.jsonl -o report.html
        dedup report examples/ -o report.html
        dedup report --index news.db -o report.html
    """
    if (results is None) == (index_path is None):
        raise click.UsageError("give either a RESULTS.jsonl file (dedup batch --with-text), "
                               "a folder of articles, or --index PATH")
    skipped, what = 0, "records"
    verdicts: list[dict[str, Any]] = []
    bad: list[BadRecord] = []
    if index_path is not None:
        with _library_errors(), Index.open(index_path, create=False, readonly=True) as index:
            items = list(index_results(index))
        source = os.path.basename(index_path)
    elif os.path.isdir(results):
        items, skipped = _batch_results(results)
        source = os.path.basename(os.path.normpath(results))
    else:
        source, what = "<stdin>" if results == "-" else os.path.basename(results), "lines"
        with click.open_file(results, "rb") as lines:
            items = list(read_results(lines, where=results if results != "-" else "<stdin>"))
    for item in items:
        (bad if isinstance(item, BadRecord) else verdicts).append(item)
    if bad and not verdicts and index_path is None:  # not verdicts at all: say what is expected
        raise click.ClickException(f"{bad[0].describe()}; {EXPECTED_RESULTS}; nothing written")
    for item in bad:
        _say(f"error: {item.describe()}")
    skipped += len(bad)
    try:
        with _replaced(output) as out:
            overview = write_report(verdicts, out, title=title, source=source,
                                    version=__version__)
    except OSError as exc:  # a missing folder, a full disk: one line, not a traceback
        reason = missing_folder(output) or exc.strerror or exc
        raise click.ClickException(f"cannot write {output}: {reason}") from None
    written = "<stdout>" if output == "-" else output
    _say(f"{written}: {overview['articles']} articles, {overview['clusters']} clusters with "
         f"copies, {overview['copies']} copies"
         + (f"; {skipped} {what if skipped > 1 else what[:-1]} skipped" if skipped else ""))
    if skipped:
        sys.exit(EXIT_SKIPPED)


@contextmanager
def _replaced(output: str) -> Iterator[IO[str]]:
    """Write ``output`` whole or not at all: a file beside it, renamed over it at the end
    and removed on an error (click's atomic file renames a half-written one into place)."""
    if output == "-":
        yield sys.stdout
        return
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(output) or ".",
                               prefix=f".{os.path.basename(output)}.", suffix=".tmp")
    try:
        with open(fd, "w", encoding="utf-8") as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a file opened for writing gets it
        os.replace(tmp, output)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _batch_results(folder: str) -> tuple[list[Any], int]:
    """``dedup report FOLDER``: the folder's articles through an in-memory batch (as
    ``dedup batch --with-text`` runs it), as report records; and how many were skipped."""
    articles, skipped = _read_articles((folder,))
    with _library_errors(), Index(keep_text=True) as index:
        for result in index.add_many(articles, verdicts=False):  # site chrome learnt first
            if isinstance(result, BadRecord):
                _say(f"error: {result.describe()}")
                skipped += 1
        return list(index_results(index)), skipped


def _first_of_each(articles: list[Article], seen: set[str], message: str
                   ) -> tuple[list[Article], int]:
    """``articles`` whose id is not in ``seen`` nor earlier in the list; each
    other one is reported with ``message`` (formatted with its id) and counted."""
    kept, skipped = [], 0
    for article in articles:
        if article.id in seen:
            _say(message.format(article.id))
            skipped += 1
        else:
            seen.add(article.id)
            kept.append(article)
    return kept, skipped


def _index_articles(index_path: str) -> list[Article]:
    """The stored articles of a persistent index, with their texts."""
    from ..records import parse_published
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


@click.command(name="trace")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--against", "against", multiple=True, type=click.Path(),
              help="Folder or file of source texts (e.g. wire stories); repeat it for each "
                   "(--against wires/ --against feeds/): other paths are articles to trace.")
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
    from ..trace import DEFAULT_FLOOR, Tracer
    if not against and index_path is None:
        raise click.UsageError("give the sources to trace against: --against PATH and/or "
                               "--index FILE")
    with _library_errors():
        wires = _load_wires(wires_file)
    sources, skipped = _read_articles(against) if against else ([], 0)
    if index_path is not None:
        with _library_errors():
            stored = _index_articles(index_path)
        stored, repeated = _first_of_each(
            stored, {s.id for s in sources},
            "error: source id {!r}: in both --against and --index; the --index copy is skipped")
        sources += stored
        skipped += repeated
    articles, bad = _read_articles(paths)
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

    from ..sources import read_file
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


@click.command(name="explain")
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
    article ids found in those folders/files, whose site chrome is learnt
    first, as dedup batch learns it. Prints the exact similarity (Jaccard of
    word 5-gram / CJK 4-gram sets, credits and site chrome removed), the share
    of each found in the other, the relation dedup batch gives the pair, the
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
    from ..explain import explain
    pool, articles = None, None
    if in_paths:
        articles, _ = _read_articles(in_paths)
        pool = {a.id: a for a in articles}
    a, b = _one_article(first, pool), _one_article(second, pool)
    with _library_errors():  # the site chrome is learnt from the --in articles, as batch does
        result = explain(a, b, config=_build_config(threshold, containment),
                         wires=_load_wires(wires_file), corpus=articles)
    if fmt == "json":
        sys.stdout.write(dumps(result.to_dict()) + "\n")
    else:
        sys.stdout.write(_explanation_text(result, a.text, b.text))
