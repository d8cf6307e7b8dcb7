"""Crawl archives: WARC/ARC records in, ``Article`` records out.

``read_warc`` walks a WARC or ARC file (gzipped or not, from a file or a
pipe) with warcio (extra ``dedup[warc]``), extracts every successful HTML
response through ``dedup.extract``, and ends with a ``Notice`` counting what
it skipped: requests, revisits, metadata, non-HTML payloads, redirects and
errors. The record's target URI is the article's id and URL; its WARC date is
the time the page was first seen.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any, BinaryIO

from .errors import BadRecord
from .extract import HTML_EXTRA_NOTICE, extract_page, page_article, trafilatura_module
from .records import Article, parse_published
from .sources import MAX_RECORD_BYTES, WARC_SUFFIXES, Notice

WARC_EXTRA_MESSAGE = "reading WARC/ARC files needs warcio: install dedup[warc]"
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Order in which skip counts are reported.
_KINDS = ("request", "revisit", "metadata", "warcinfo", "resource", "conversion",
          "continuation", "non-HTML", "redirect", "error", "no text")
# warcio reads a header line whole: these bound one line and one record's headers
# (crawlers cap URLs at a few KB; common HTTP servers cap a header line at 8-64 KB).
MAX_HEADER_LINE = 256 * 1024
MAX_HEADER_BYTES = 1024 * 1024


def is_warc(name: str) -> bool:
    """Whether a file name looks like a WARC or ARC archive."""
    return name.lower().endswith(WARC_SUFFIXES)


def read_warc(stream: BinaryIO, where: str, *, trafilatura: ModuleType | None | bool = True
              ) -> Iterator[Article | BadRecord | Notice]:
    """Read the HTML pages of a WARC/ARC archive.

    Only ``response`` records with a 2xx status and an HTML payload become
    articles; everything else is counted and reported in the final
    ``Notice`` (its ``counts`` maps ``"pages"`` and each kind skipped to a
    number). A page's ``published`` is the date the page gives; the record's
    ``WARC-Date`` is used only when it gives none (a fetch time bounds the
    publication time from above, it is not one). An article's id is the
    target URI, or ``URI#record-N`` (N = the record's position in the
    archive, from 1) when the URI was already read.

    Args:
        stream: the archive, opened in binary mode (a file or ``stdin``).
        where: its name, for messages.
        trafilatura: as in :func:`dedup.extract.extract_page`.

    Yields:
        ``Article``, ``BadRecord`` (a page that cannot be parsed, a damaged
        archive: the records before the damage are kept) and ``Notice`` items.
    """
    try:
        from warcio.archiveiterator import ArchiveIterator  # noqa: F401 - is it installed?
    except ImportError:
        yield BadRecord(WARC_EXTRA_MESSAGE, where=where)
        return
    if _looks_like_archive(stream) is False:
        yield BadRecord("not a WARC or ARC archive (a WARC starts with 'WARC/', an ARC with "
                        "'filedesc://', gzipped or not)", where=where)
        return
    module = trafilatura_module() if trafilatura is True else (trafilatura or None)
    if module is None:
        yield Notice(where, HTML_EXTRA_NOTICE)
    skipped: Counter[str] = Counter()
    detail: Counter[str] = Counter()
    pages = 0
    ids: set[str] = set()
    unframed: list[str] = []  # records not followed by a blank line (read anyway)
    position = 0
    archive = _archive(stream)
    records = iter(archive)
    try:
        while True:
            archive.reader.header_bytes = 0
            try:
                record = next(records)
            except StopIteration:
                break
            except HeaderTooLong as exc:
                position += 1
                resumed = skip_member(archive.reader)
                yield BadRecord(f"record {position}: {exc}; skipped" + (
                    "; the records after it cannot be read (the archive is not gzipped record "
                    "by record)" if resumed is False else ""), where=where)
                if not resumed:
                    break
                archive = _archive(archive.fh, archive.reader)
                records = iter(archive)
                continue
            position += 1
            kind, why = _classify(record)
            payload = None
            if kind is None and _mime(record) is None:  # no Content-Type: sniff the payload
                payload = record.content_stream().read(MAX_RECORD_BYTES + 1)
                if not payload[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html")):
                    kind, why = "non-HTML", "no Content-Type"
            if kind is None and payload is None:
                payload = record.content_stream().read(MAX_RECORD_BYTES + 1)
            uri = record.rec_headers.get_header("WARC-Target-URI") or f"{where}#record-{position}"
            framing = archive.err_count
            if (short := _short_body(archive, record)) is not None:
                yield BadRecord(short, where=where, record_id=uri)
                continue
            if archive.err_count > framing:
                unframed.append(uri)
            if kind is not None:
                skipped[kind] += 1
                if why:
                    detail[f"{kind}:{why}"] += 1
                continue
            if len(payload) > MAX_RECORD_BYTES:  # bounded: a gzip bomb is never inflated whole
                yield BadRecord(f"record too large (over the limit of {MAX_RECORD_BYTES:,} bytes "
                                "per article); skipped", where=where, record_id=uri)
                continue
            article_id = uri if uri not in ids else f"{uri}#record-{position}"
            item = _page(payload, _charset(record), uri, article_id, where,
                         record.rec_headers.get_header("WARC-Date"), module)
            if isinstance(item, Article) and not item.text.strip():
                skipped["no text"] += 1
                continue
            ids.add(uri)
            pages += isinstance(item, Article)
            yield item
    except Exception as exc:  # warcio raises several kinds on a damaged archive
        yield BadRecord(f"cannot read the archive after record {position} "
                        f"({type(exc).__name__}: {exc}); the records before it were read",
                        where=where)
    yield _summary(where, pages, skipped, detail, unframed)


class HeaderTooLong(Exception):
    """A record's header line (or its headers together) is over the bound."""


def _archive(stream: Any, reader: Any = None) -> Any:
    """warcio's iterator over ``stream``, reading through a bounded reader
    (``reader``: carry on with one that has already read part of the stream)."""
    iterator_class, reader_class = _warcio_classes()
    archive = iterator_class(stream, arc2warc=True)
    archive.reader = reader or reader_class(archive.fh)
    return archive


@cache
def _warcio_classes() -> tuple[type, type]:
    """warcio's archive iterator and reader, changed where they trust the archive.

    The reader bounds every line before it is built: warcio reads headers with
    ``readline()``, so a 1 MB ``.warc.gz`` inflating to a 1 GiB header line would
    otherwise be held whole (3.2 GB RSS; issue 20). The iterator counts a record not
    followed by a blank line (its Content-Length is wrong) instead of printing a
    warning on stderr itself (this library never prints)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader

    class BoundedReader(DecompressingBufferedReader):
        header_bytes = 0  # lines read since the caller last reset it (one record's headers)

        def readline(self, length: int | None = None) -> bytes:
            want = MAX_HEADER_LINE + 1 if length is None else min(length, MAX_HEADER_LINE + 1)
            parts, got = [], 0
            while got < want:  # warcio's readline(n) may stop short of n at a buffer's end
                piece = super().readline(want - got)
                if not piece:
                    break
                parts.append(piece)
                got += len(piece)
                if piece.endswith(b"\n"):
                    break
            line = b"".join(parts)
            if len(line) > MAX_HEADER_LINE:
                raise HeaderTooLong(f"a header line is longer than {MAX_HEADER_LINE:,} bytes")
            self.header_bytes += len(line)
            if self.header_bytes > MAX_HEADER_BYTES:
                raise HeaderTooLong(f"its headers are longer than {MAX_HEADER_BYTES:,} bytes")
            return line

    class Archive(ArchiveIterator):
        def _consume_blanklines(self) -> tuple[bytes | None, int]:
            # warcio 1.7's own, but counting what it wrote to stderr
            empty_size, first_line = 0, True
            while True:
                line = self.reader.readline()
                if not line:
                    return None, empty_size
                stripped = line.rstrip()
                if not stripped or first_line:
                    empty_size += len(line)
                    self.err_count += bool(stripped)
                    first_line = False
                    continue
                return line, empty_size

    return Archive, BoundedReader


def skip_member(reader: Any) -> bool | None:
    """Inflate and drop the rest of the gzip member being read (in bounded pieces), so
    that reading resumes at the next record: True if it does, None if the archive
    ends there, False if it is not gzipped (nothing marks where the next record is)."""
    inflater = reader.decompressor
    if inflater is None:
        return False
    reader.buff = None
    rest = b""
    while not inflater.unused_data:
        rest = rest or reader.stream.read(reader.block_size)
        if not rest:
            return None
        inflater.decompress(rest, 1 << 20)
        rest = inflater.unconsumed_tail
    return reader.read_next_member() or None


def _short_body(archive: Any, record: Any) -> str | None:
    """Read the record to its end: what is wrong if its body is shorter than its
    Content-Length says (None if it is not)."""
    archive.read_to_end()
    body = record.raw_stream
    declared, left = getattr(body, "_orig_limit", None), getattr(body, "limit", 0)
    if declared is None or left <= 0:
        return None
    unit = "archive" if archive.reader.decompressor is None else "gzip member"
    return (f"the record declares a Content-Length of {declared:,} bytes but its {unit} ends "
            f"{declared - left:,} bytes into its body: the length is wrong, and any records "
            f"after it in the same {unit} were read as its body; skipped")


def _looks_like_archive(stream: BinaryIO) -> bool | None:
    """Whether the stream starts like a WARC/ARC (None: cannot tell without reading).

    warcio reads any line with spaces as an ARC header, so a text file would
    otherwise pass as an archive of one odd record.
    """
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    head = peek(4096)[:4096]
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    head = head.lstrip(b"\r\n")
    if len(head) < 11:
        return None if not head or b"WARC/".startswith(head[:5]) else False
    return head.startswith((b"WARC/", b"filedesc://"))


def _classify(record) -> tuple[str | None, str | None]:
    """``(None, None)`` for an HTML page to read, else ``(kind skipped, detail)``."""
    if record.rec_type != "response":
        return record.rec_type, None
    status = record.http_headers.get_statuscode() if record.http_headers else None
    if status and status.isdigit() and not status.startswith("2"):
        return ("redirect" if status.startswith("3") else "error"), f"HTTP {status}"
    mime = _mime(record)
    if mime is not None and mime not in HTML_TYPES:
        return "non-HTML", mime
    return None, None  # HTML, or no Content-Type (the caller sniffs the payload)


def _mime(record) -> str | None:
    header = record.http_headers.get_header("Content-Type") if record.http_headers else None
    if not header:
        return None
    return header.split(";")[0].strip().lower() or None


def _charset(record) -> str | None:
    header = record.http_headers.get_header("Content-Type") if record.http_headers else None
    for part in (header or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def _page(payload: bytes, charset: str | None, uri: str, article_id: str, where: str,
          warc_date: str | None, module: ModuleType | None) -> Article | BadRecord:
    html: str | bytes = payload
    if charset:
        try:
            html = payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            html = payload  # a wrong or unknown charset: let the extractor detect it
    try:
        page = extract_page(html, url=uri, trafilatura=module)
    except BadRecord as exc:
        return BadRecord(exc.reason, where=where, record_id=article_id)
    try:
        first_seen = parse_published(warc_date)
    except BadRecord:
        first_seen = None
    return page_article(page, article_id, url=uri, first_seen=first_seen)


def _summary(where: str, pages: int, skipped: Counter[str], detail: Counter[str],
             unframed: list[str]) -> Notice:
    parts = []
    for kind in _KINDS:
        if skipped[kind]:
            reasons = sorted((key.split(":", 1)[1], n) for key, n in detail.items()
                             if key.startswith(kind + ":"))
            extra = f" ({', '.join(f'{n} {r}' for r, n in reasons)})" if reasons else ""
            parts.append(f"{skipped[kind]} {kind}{extra}")
    for kind in sorted(set(skipped) - set(_KINDS)):
        parts.append(f"{skipped[kind]} {kind}")
    total = sum(skipped.values())
    message = f"{pages} HTML page{'s' if pages != 1 else ''} read"
    if total:
        message += f"; {total} record{'s' if total != 1 else ''} skipped: {', '.join(parts)}"
    if unframed:  # some writers (wget) get Content-Length slightly wrong: kept, but said
        one = len(unframed) == 1
        message += (f"; {len(unframed)} record{'' if one else 's'} not followed by a blank line "
                    f"where {'its' if one else 'their'} Content-Length ends (the length is "
                    f"wrong; read anyway): {'' if one else 'the first '}{unframed[0]}")
    counts = {"pages": pages, **{k: skipped[k] for k in skipped}}
    return Notice(where, message, counts=counts)

