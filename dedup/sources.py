"""Readers: folders, files and JSON lines in, ``Article`` records out.

``read_paths`` walks folders recursively and yields, in a stable order, an
``Article`` per record, a ``BadRecord`` for each record that cannot be used
(the run goes on), a ``Skipped`` item for files it ignores on purpose and a
``Notice`` for what the user should know (a missing extra, a WARC's skip
counts). HTML goes through ``dedup.extract``, WARC/ARC through ``dedup.warc``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .errors import BadRecord
from .extract import HTML_EXTRA_NOTICE, extract_page, page_article, trafilatura_module
from .records import Article, parse_published, parse_record

TEXT_SUFFIXES = {".txt", ".md"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
SUPPORTED = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES | set(WARC_SUFFIXES)
FRONT_MATTER_KEYS = {"title", "url", "source", "published", "id"}
MAX_RECORD_BYTES = 10 * 1024 * 1024
"""The per-article cap: a file (other than .jsonl and WARC/ARC), a JSON line or an
archive record larger than this is reported and skipped, never read whole."""
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Skipped:
    """A file left out on purpose (hidden, unsupported type)."""

    where: str
    reason: str

    def describe(self) -> str:
        return f"{self.where}: skipped: {self.reason}"


@dataclass(frozen=True)
class Notice(Skipped):
    """Something to tell the user that skips no record.

    A missing extra (``install dedup[html] …``) or a WARC's summary (pages read,
    records skipped by kind, in ``counts``). It subclasses ``Skipped`` so that
    a caller that reports ``Skipped`` items reports these too.
    """

    counts: dict[str, int] | None = None

    def describe(self) -> str:
        return f"{self.where}: {self.reason}"


Item = Article | BadRecord | Skipped


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """Read every supported file under ``paths``.

    Folders are walked recursively in sorted order; hidden files and folders
    (names starting with ``.``) are skipped. A file's id is its path relative
    to the folder given (or its name, for a file given directly); when several
    paths are given, relative to their common parent folder (``siteA/story.txt``
    and ``siteB/story.txt``), so that no two files share an id and a run gives
    the same ids every time. A record whose id was read before is a
    ``BadRecord`` naming the file it was first read from.

    Yields:
        ``Article``, ``BadRecord``, ``Skipped`` and ``Notice`` items (a notice
        about a missing extra once per call).
    """
    given = [Path(raw) for raw in paths]
    base = _common_parent(given)
    told: set[str] = set()
    first_read: dict[str, str] = {}
    for path in given:
        if path.is_dir():
            files: Iterable[Path | Skipped] = _walk(path)
        elif path.exists():
            files = [path]
        else:
            yield BadRecord("no such file or folder", where=str(path))
            continue
        for file in files:
            if isinstance(file, Skipped):
                yield file
                continue
            rel = _relative(file, base)
            for item in read_file(file, rel):
                if isinstance(item, Notice) and item.counts is None:
                    if item.reason in told:
                        continue
                    told.add(item.reason)
                elif isinstance(item, Article):
                    if (first := first_read.get(item.id)) is not None:
                        item = BadRecord(f"duplicate id: the first record with it was read from "
                                         f"{first}; ids must be unique (this one is skipped)",
                                         where=str(file), record_id=item.id)
                    else:
                        first_read[item.id] = str(file)
                yield item


def _common_parent(paths: list[Path]) -> str | None:
    """The folder ids are relative to: the one folder given, else the common parent
    (of the paths that exist: a missing one is reported, and changes no id)."""
    paths = [p for p in paths if p.exists()]
    if len(paths) == 1:
        return os.path.abspath(paths[0]) if paths[0].is_dir() else None
    try:
        return os.path.commonpath([os.path.abspath(p if p.is_dir() else p.parent)
                                   for p in paths]) if paths else None
    except ValueError:  # paths on different drives
        return None


def _relative(file: Path, base: str | None) -> str:
    """A file's id: its path relative to ``base`` (its name when there is none)."""
    return Path(os.path.relpath(os.path.abspath(file), base)).as_posix() if base else file.name


def _walk(root: Path) -> Iterator[Path | Skipped]:
    inside = Path(os.path.realpath(root))
    for folder, dirs, files in os.walk(root, followlinks=False):
        hidden = sorted(d for d in dirs if d.startswith("."))
        for name in hidden:
            yield Skipped(str(Path(folder, name)), "hidden folder")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs:  # os.walk lists them but does not enter them
            if Path(folder, name).is_symlink():
                yield Skipped(str(Path(folder, name)), "symbolic link to a folder; not followed")
        for name in sorted(files):
            path = Path(folder, name)
            if name.startswith("."):
                yield Skipped(str(path), "hidden file")
                continue
            if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(inside):
                # a link is input too: passwd.txt -> /etc/passwd must not become an article
                yield Skipped(str(path), "symbolic link to a file outside the folder given; "
                              "not followed")
                continue
            if not _supported(name):
                yield Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                              f"supported: {', '.join(sorted(SUPPORTED))}")
                continue
            yield path


def _supported(name: str) -> bool:
    return Path(name).suffix.lower() in SUPPORTED or name.lower().endswith(WARC_SUFFIXES)


def read_file(path: Path, rel: str) -> Iterator[Item]:
    """Read one file; ``rel`` is its id (txt/md/html/json) or id prefix (jsonl).

    A WARC/ARC file's articles take their ids from the records' target URIs.
    """
    suffix = path.suffix.lower()
    where = str(path)
    problem = _unreadable(path)
    if problem is not None:
        yield BadRecord(problem, where=where)
        return
    if path.name.lower().endswith(WARC_SUFFIXES):
        from .warc import read_warc
        try:
            with path.open("rb") as stream:
                yield from read_warc(stream, where)
        except OSError as exc:
            yield BadRecord(f"cannot read file: {exc.strerror or exc}", where=where)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, where, rel)
        return
    if suffix in HTML_SUFFIXES:
        yield from _read_html_file(path, where, rel)
        return
    data = _read_file_bytes(path, where)
    if isinstance(data, BadRecord):
        yield data
        return
    try:
        text = _decode(data)
    except BadRecord as exc:
        exc.where = where
        yield BadRecord(exc.reason, where=where)
        return
    if suffix in JSON_SUFFIXES:
        yield from _read_json(text, where, rel)
    else:
        yield finish(_read_text(text, where, rel), where, None)


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (a FIFO, a device, a loop), or ``None``."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device); give a file or a folder"
    return None


def _too_big(size: int) -> BadRecord:
    return BadRecord(f"record too large ({size:,} bytes; the limit is {MAX_RECORD_BYTES:,} "
                     "bytes per article); split it or trim it")


def _read_capped(path: Path) -> bytes:
    """The file's bytes; ``BadRecord`` if it is over ``MAX_RECORD_BYTES`` (never read whole)."""
    with path.open("rb") as stream:
        data = stream.read(MAX_RECORD_BYTES + 1)
        if len(data) > MAX_RECORD_BYTES:
            raise _too_big(os.fstat(stream.fileno()).st_size)
    return data


def bounded_lines(stream: Any, limit: int = MAX_RECORD_BYTES) -> Iterator[bytes | BadRecord]:
    """Lines of a binary stream, each read with at most ``limit`` bytes in memory.

    A longer line is skipped (read through in chunks and dropped) and a
    ``BadRecord`` stands in its place, so line numbers stay right.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(_CHUNK)
            if not line:
                break
            size += len(line)
        yield _too_big(size)


def read_lines(lines: Iterable[bytes | str | BadRecord], where: str = "<stdin>", *,
               plain_text: bool = False,
               first_line: int = 1) -> Iterator[tuple[int, Article | BadRecord | None]]:
    """Parse JSON lines (or plain-text lines) one at a time, as a stream does.

    ``lines`` may hold a ``BadRecord`` in place of a line that could not be read
    (``bounded_lines`` gives one for a line over the size cap).

    Yields:
        ``(line_number, item)``; ``item`` is ``None`` for blank lines.
    """
    for number, raw in enumerate(lines, start=first_line):
        if isinstance(raw, BadRecord):
            yield number, BadRecord(raw.reason, where=where, line=number)
            continue
        if isinstance(raw, bytes):
            try:
                raw = _decode(raw)
            except BadRecord as exc:
                yield number, BadRecord(exc.reason, where=where, line=number)
                continue
        if not raw.strip():
            yield number, None
            continue
        default_id = f"{number}" if where == "<stdin>" else f"{where}:{number}"
        if plain_text:
            yield number, finish(Article(id=default_id, text=raw.rstrip("\r\n")), where, number)
        else:
            yield number, _parse_json_line(raw, where, number, default_id)


def _read_jsonl(path: Path, where: str, rel: str) -> Iterator[Item]:
    """One record per line, read line by line (each line under the size cap)."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield BadRecord(f"cannot read file: {exc.strerror or exc}", where=where)
        return
    seen_html: list[bool] = []

    def lines() -> Iterator[bytes | BadRecord]:
        for line in bounded_lines(stream):
            if not seen_html and isinstance(line, bytes) and b'"html"' in line:
                seen_html.append(True)
            yield line

    told = False
    with stream:
        for number, item in read_lines(lines(), where):
            if seen_html and not told:
                told = True
                yield from _html_notice(where)
            if item is None:
                continue
            if isinstance(item, Article) and item.id == f"{where}:{number}":
                item = _with_id(item, f"{rel}:{number}")
            yield item


def _parse_json_line(raw: str, where: str, number: int, default_id: str) -> Article | BadRecord:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return BadRecord(f"not valid JSON ({exc}); each line must be one JSON object",
                         where=where, line=number)
    try:
        article, html = parse_record(obj, default_id=default_id, where=where, line=number)
    except BadRecord as exc:
        return exc
    if html is not None:
        return _merge_html(article, html, where, number)
    return finish(article, where, number)


def _read_json(text: str, where: str, rel: str) -> Iterator[Item]:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield BadRecord(f"not valid JSON ({exc})", where=where)
        return
    records = obj if isinstance(obj, list) else [obj]
    if any(isinstance(r, dict) and "html" in r for r in records):
        yield from _html_notice(where)
    for position, record in enumerate(records):
        default_id = rel if len(records) == 1 else f"{rel}#{position}"
        try:
            article, html = parse_record(record, default_id=default_id, where=where)
        except BadRecord as exc:
            yield exc
            continue
        if html is not None:
            yield _merge_html(article, html, where, None)
            continue
        yield finish(article, where, None)


def _read_text(text: str, where: str, rel: str) -> Article | BadRecord:
    meta: dict[str, str] = {}
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for end in range(1, min(len(lines), 40)):
            if lines[end].strip() == "---":
                for entry in lines[1:end]:
                    key, sep, value = entry.partition(":")
                    if sep and key.strip().lower() in FRONT_MATTER_KEYS:
                        meta[key.strip().lower()] = value.strip().strip('"')
                text = "\n".join(lines[end + 1:])
                break
    try:
        published = parse_published(meta.get("published"), where=where)
    except BadRecord as exc:
        return exc
    return Article(id=meta.get("id") or rel, text=text, title=meta.get("title") or None,
                   url=meta.get("url") or None, source=meta.get("source") or None,
                   published=published)


def finish(item: Article | BadRecord, where: str | None,
           line: int | None) -> Article | BadRecord:
    """Reject articles with nothing to fingerprint."""
    if isinstance(item, Article) and not item.text.strip():
        return BadRecord("empty article (no text after extraction)", where=where, line=line,
                         record_id=item.id)
    return item


def _with_id(article: Article, new_id: str) -> Article:
    return Article(id=new_id, text=article.text, title=article.title, url=article.url,
                   source=article.source, published=article.published, canonical=article.canonical)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise BadRecord("binary data (NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                        "re-encode the file as UTF-8") from None
    return text.removeprefix("\ufeff")


# --- HTML ------------------------------------------------------------------

def _html_notice(where: str) -> Iterator[Notice]:
    if trafilatura_module() is None:
        yield Notice(where, HTML_EXTRA_NOTICE)


def _read_file_bytes(path: Path, where: str) -> bytes | BadRecord:
    """A whole file (up to the per-article cap), or the error that says why not."""
    try:
        return _read_capped(path)
    except OSError as exc:
        return BadRecord(f"cannot read file: {exc.strerror or exc}", where=where)
    except BadRecord as exc:
        return BadRecord(exc.reason, where=where)


def _read_html_file(path: Path, where: str, rel: str) -> Iterator[Item]:
    """One page per file; the page's encoding is the one it declares (UTF-8 by default)."""
    data = _read_file_bytes(path, where)
    if isinstance(data, BadRecord):
        yield data
        return
    if b"\x00" in data[:8192]:
        yield BadRecord("binary data (NUL bytes); expected an HTML page", where=where)
        return
    module = trafilatura_module()
    if module is None:
        yield Notice(where, HTML_EXTRA_NOTICE)
        try:
            data = _decode(data)
        except BadRecord as exc:
            yield BadRecord(exc.reason, where=where)
            return
    try:
        page = extract_page(data, trafilatura=module)
    except BadRecord as exc:
        yield BadRecord(exc.reason, where=where, record_id=rel)
        return
    yield finish(page_article(page, rel), where, None)


def extract_html(html: str | bytes, article_id: str, **record: Any) -> Article | BadRecord:
    """An ``Article`` from one HTML page (trafilatura if installed, else basic).

    Args:
        html: the page.
        article_id: its id.
        **record: ``title``, ``url``, ``source``, ``published`` the record gives;
            they win over what the page says (``url`` is also where relative
            links resolve against).

    Returns:
        The article, or a ``BadRecord`` when the page cannot be parsed or holds
        no text.
    """
    try:
        page = extract_page(html, url=record.get("url"))
    except BadRecord as exc:
        return BadRecord(exc.reason, record_id=article_id)
    return finish(page_article(page, article_id, **record), None, None)


def _merge_html(article: Article, html: str, where: str, line: int | None) -> Article | BadRecord:
    """Extract a record's ``html``; the record's own fields win over the page's."""
    try:
        page = extract_page(html, url=article.url)
    except BadRecord as exc:
        return BadRecord(exc.reason, where=where, line=line, record_id=article.id)
    merged = page_article(page, article.id, title=article.title, url=article.url,
                          source=article.source, published=article.published)
    return finish(merged, where, line)
