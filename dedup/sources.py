"""Readers: folders, files and JSON lines in, ``Article`` records out.

``read_paths`` walks folders recursively and yields, in a stable order, an
``Article`` per record, a ``BadRecord`` for each record that cannot be used
(the run goes on) and a ``Skipped`` notice for files it ignores on purpose.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import orjson

from .errors import BadRecord
from .records import Article, parse_published, parse_record

TEXT_SUFFIXES = {".txt", ".md"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES
FRONT_MATTER_KEYS = {"title", "url", "source", "published", "id"}


@dataclass(frozen=True)
class Skipped:
    """A file left out on purpose (hidden, unsupported type)."""

    where: str
    reason: str

    def describe(self) -> str:
        return f"{self.where}: skipped: {self.reason}"


Item = Article | BadRecord | Skipped


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """Read every supported file under ``paths``.

    Folders are walked recursively in sorted order; hidden files and folders
    (names starting with ``.``) are skipped. A file's id is its path relative
    to the folder given (or its name, for a file given directly).

    Yields:
        ``Article``, ``BadRecord`` or ``Skipped`` items.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield from read_file(path, path.name)
        else:
            yield BadRecord("no such file or folder", where=str(raw))


def _walk(root: Path) -> Iterator[Item]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        hidden = sorted(d for d in dirs if d.startswith("."))
        for name in hidden:
            yield Skipped(str(Path(folder, name)), "hidden folder")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if name.startswith("."):
                yield Skipped(str(path), "hidden file")
                continue
            if path.suffix.lower() not in SUPPORTED:
                yield Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                              f"supported: {', '.join(sorted(SUPPORTED))}")
                continue
            yield from read_file(path, rel)


def read_file(path: Path, rel: str) -> Iterator[Item]:
    """Read one file; ``rel`` is its id (txt/md/html/json) or id prefix (jsonl)."""
    suffix = path.suffix.lower()
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield BadRecord(f"cannot read file: {exc.strerror or exc}", where=where)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(data, where, rel)
        return
    try:
        text = _decode(data)
    except BadRecord as exc:
        exc.where = where
        yield BadRecord(exc.reason, where=where)
        return
    if suffix in JSON_SUFFIXES:
        yield from _read_json(text, where, rel)
    elif suffix in HTML_SUFFIXES:
        yield _finish(extract_html(text, rel), where, None)
    else:
        yield _finish(_read_text(text, where, rel), where, None)


def read_lines(lines: Iterable[bytes | str], where: str = "<stdin>", *, plain_text: bool = False,
               first_line: int = 1) -> Iterator[tuple[int, Article | BadRecord | None]]:
    """Parse JSON lines (or plain-text lines) one at a time, as a stream does.

    Yields:
        ``(line_number, item)``; ``item`` is ``None`` for blank lines.
    """
    for number, raw in enumerate(lines, start=first_line):
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
            yield number, _finish(Article(id=default_id, text=raw.rstrip("\r\n")), where, number)
        else:
            yield number, _parse_json_line(raw, where, number, default_id)


def _read_jsonl(data: bytes, where: str, rel: str) -> Iterator[Item]:
    for number, item in read_lines(data.splitlines(), where):
        if item is not None:
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
        article = _merge_html(article, html)
    return _finish(article, where, number)


def _read_json(text: str, where: str, rel: str) -> Iterator[Item]:
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield BadRecord(f"not valid JSON ({exc})", where=where)
        return
    records = obj if isinstance(obj, list) else [obj]
    for position, record in enumerate(records):
        default_id = rel if len(records) == 1 else f"{rel}#{position}"
        try:
            article, html = parse_record(record, default_id=default_id, where=where)
        except BadRecord as exc:
            yield exc
            continue
        if html is not None:
            article = _merge_html(article, html)
        yield _finish(article, where, None)


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


def _finish(item: Article | BadRecord, where: str, line: int | None) -> Article | BadRecord:
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

_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "button", "svg", "template", "iframe", "select"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
               "article", "blockquote", "pre", "figcaption", "dd", "dt", "ul", "ol", "table"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False
        self.title = ""
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.meta.setdefault("canonical", a.get("href", ""))
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag == "title":
            self.in_title = False
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip:
            self.parts.append(data)


def extract_html(html: str, article_id: str) -> Article | BadRecord:
    """Plain HTML extraction: visible text outside nav/header/footer/script.

    Fills title, canonical URL, site name and publication time from the usual
    ``<meta>`` tags when present.
    """
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        return BadRecord(f"cannot parse HTML: {exc}", record_id=article_id)
    lines = ("".join(parser.parts)).splitlines()
    text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    meta = parser.meta
    try:
        published = parse_published(meta.get("article:published_time") or None,
                                     record_id=article_id)
    except BadRecord:
        published = None
    canonical = meta.get("canonical") or meta.get("og:url") or None
    return Article(id=article_id, text=text,
                   title=(meta.get("og:title") or parser.title.strip() or None),
                   url=canonical, source=meta.get("og:site_name") or None,
                   published=published, canonical=canonical)


def _merge_html(article: Article, html: str) -> Article:
    """Fill a record that gave ``html`` from the extracted page; record fields win."""
    page = extract_html(html, article.id)
    if isinstance(page, BadRecord):
        return article
    return Article(id=article.id, text=page.text, title=article.title or page.title,
                   url=article.url or page.url, source=article.source or page.source,
                   published=article.published or page.published, canonical=page.canonical)
