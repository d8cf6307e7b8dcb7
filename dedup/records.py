"""The data that flows through the pipeline: ``Article`` in, ``Verdict`` out,
and the ``Credit``/``Mention`` records ``dedup.credits`` finds on the way.

``parse_record`` turns one decoded JSON object (from a file, a JSON line or a
library caller) into an ``Article`` or raises ``BadRecord`` naming what is
wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .errors import BadRecord

TEXT_FIELDS = ("id", "title", "url", "source", "text", "html")
ISO_EXAMPLE = "2025-05-08T09:53:00+08:00"
_ARTICLE_STRINGS = ("id", "text", "title", "url", "source", "canonical", "extraction")


@dataclass(frozen=True)
class Article:
    """One news article as read from any source.

    Every field is checked when the article is made: a wrong type raises
    ``BadRecord`` naming the field (``"text" must be a string, got int``).

    Attributes:
        id: unique identifier (file path, record id, or ``file:line``).
        text: the article text (already extracted if it came as HTML).
        title: headline, if known.
        url: where it was published, if known.
        source: the publisher (``"Xinhua"``, ``"Daily Harbor"``), if known.
        published: publication time, if known: a ``datetime`` or an ISO 8601
            string (``"2025-05-08T09:53:00+08:00"``), stored as a UTC
            ``datetime``; a time without an offset is taken as UTC.
        canonical: a canonical/og URL that the page itself declares, if any.
        extraction: how the text was got from a web page when the usual
            extraction found none (a fallback, said in the verdict's ``why``).
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    canonical: str | None = None
    extraction: str | None = None

    def __post_init__(self) -> None:
        # A library caller's mistake is a BadRecord naming the field, not an
        # AttributeError deep in the pipeline (issue 18 item 3).
        record_id = self.id if isinstance(self.id, str) else None
        for name in _ARTICLE_STRINGS:
            value = getattr(self, name)
            required = name in ("id", "text")
            if not isinstance(value, str) and (value is not None or required):
                kind = "a string" if required else "a string or None"
                raise BadRecord(f'"{name}" must be {kind}, got {type(value).__name__} '
                                f"({value!r:.40})", record_id=record_id)
        stamp = self.published
        if stamp is None:
            return
        if isinstance(stamp, str):
            stamp = parse_published(stamp, record_id=record_id)
            if stamp is None:  # an empty string: no date
                object.__setattr__(self, "published", None)
                return
        elif not isinstance(stamp, datetime):
            raise BadRecord(f'"published" must be a datetime or an ISO 8601 string (e.g. '
                            f"{ISO_EXAMPLE}), got {type(stamp).__name__} ({stamp!r:.40})",
                            record_id=record_id)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        object.__setattr__(self, "published", stamp.astimezone(UTC))


@dataclass
class Verdict:
    """What the index says about one article (the output contract).

    ``similarity``/``containment`` are measured against the cluster's original
    and are ``None`` for originals. ``containment`` is the share of the smaller
    of the two texts found in the larger one.

    ``reattributed`` (an event dict) is set on the arrival-time verdict of an
    article that became its cluster's original in place of another;
    ``merged`` (a list of event dicts) when that also folded other clusters,
    whose originals it outranks, into its own.
    """

    id: str
    cluster: int | None
    original: str
    duplicate: bool
    relation: str | None
    similarity: float | None
    containment: float | None
    source: str | None
    origin_source: str | None
    why: list[str] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    published: str | None = None
    reattributed: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    merged: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as a JSON-ready dict, contract fields first."""
        return {
            "id": self.id,
            "cluster": self.cluster,
            "original": self.original,
            "duplicate": self.duplicate,
            "relation": self.relation,
            "similarity": self.similarity,
            "containment": self.containment,
            "source": self.source,
            "origin_source": self.origin_source,
            "why": list(self.why),
            "title": self.title,
            "url": self.url,
            "published": self.published,
        }


def parse_published(value: Any, *, where: str | None = None, line: int | None = None,
                    record_id: str | None = None) -> datetime | None:
    """Parse an ISO 8601 timestamp into an aware UTC datetime.

    A timestamp without a UTC offset is taken as UTC (documented in the README).

    Raises:
        BadRecord: the value is not an ISO 8601 string.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRecord(f'"published" must be an ISO 8601 string, got {type(value).__name__}; '
                        f"use e.g. {ISO_EXAMPLE}", where=where, line=line, record_id=record_id)
    text = value.strip()
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecord(f'"published" is not an ISO 8601 date ({value!r}); use e.g. {ISO_EXAMPLE}',
                        where=where, line=line, record_id=record_id) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def parse_record(obj: Any, *, default_id: str, where: str | None = None,
                 line: int | None = None) -> tuple[Article, str | None]:
    """Validate one decoded JSON record.

    Args:
        obj: the decoded JSON value.
        default_id: id to use when the record has none (e.g. ``file:line``).
        where: file name for error messages.
        line: line number for error messages.

    Returns:
        ``(article, html)``: ``html`` is the raw HTML when the record gave
        ``html`` instead of ``text`` (the caller extracts it), else ``None``.

    Raises:
        BadRecord: the record is not an object, a field has the wrong type, or
            it has neither ``text`` nor ``html``.
    """
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object with a \"text\" field, got {_json_kind(obj)}",
                        where=where, line=line)
    raw_id = obj.get("id")
    record_id = default_id
    if raw_id is not None:
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise BadRecord(f'"id" must be a string or an integer, got {_json_kind(raw_id)}',
                            where=where, line=line)
        record_id = str(raw_id)
        if not record_id.strip():
            raise BadRecord('"id" is empty; give each record a unique id or leave it out',
                            where=where, line=line)
    for name in TEXT_FIELDS[1:]:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise BadRecord(f'"{name}" must be a string, got {_json_kind(value)}',
                            where=where, line=line, record_id=record_id)
    text, html = obj.get("text"), obj.get("html")
    if text is None and html is None:
        raise BadRecord('no "text" (or "html") field; each record needs the article text',
                        where=where, line=line, record_id=record_id)
    published = parse_published(obj.get("published"), where=where, line=line, record_id=record_id)
    article = Article(
        id=record_id,
        text=text if text is not None else "",
        title=_clean(obj.get("title")),
        url=_clean(obj.get("url")),
        source=_clean(obj.get("source")),
        published=published,
    )
    return article, (html if text is None else None)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# -- credits (found by dedup.credits) ----------------------------------------------

CreditKind = Literal["dateline", "source_line", "trailer", "byline", "reprint_marker", "link"]


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit of the text found in a credit position, stripped from the body.

    Attributes:
        wire: canonical wire name, or None when the credited agency (or author,
            or reprinted source) is not a known wire.
        kind: ``dateline``, ``source_line``, ``trailer``, ``byline``,
            ``reprint_marker`` (``原标题：…``, metadata rather than a credit) or
            ``link`` (``Read the full story at https://…``: a footer pointing to
            the story elsewhere, crediting the wire whose domain or name it gives).
        text: the matched text, as written.
        start: offset of ``text`` in the original text.
        end: offset just past ``text``.
        place: a dateline's place as written (``"BEIJING"``), else None.
        date: a dateline's date as written (``"May 8"``, ``"5月8日"``), else None.
    """

    wire: str | None
    kind: CreditKind
    text: str
    start: int
    end: int
    place: str | None = None
    date: str | None = None

    def __reduce__(self) -> tuple:
        # Positional, not dataclasses' generic slots state: worker processes send
        # millions of these (measured: 5 % of the indexing process at 1M articles).
        return (Credit, (self.wire, self.kind, self.text, self.start, self.end, self.place,
                         self.date))


@dataclass(frozen=True, slots=True)
class Mention:
    """A wire named inside the story ("according to Reuters"); left in the body.

    Attributes:
        wire: canonical wire name.
        text: the phrase: the wire's name with the words that make it a mention.
        start: offset of ``text`` in the original text.
        end: offset just past ``text``.
    """

    wire: str
    text: str
    start: int
    end: int

    def __reduce__(self) -> tuple:
        return (Mention, (self.wire, self.text, self.start, self.end))  # see Credit


@dataclass(frozen=True)
class Credits:
    """What `detect` found.

    Attributes:
        body: the text without credits, datelines, trailers and end markers (to
            fingerprint). Photo-caption credits and mentions stay in it.
        credits: credits in order of position; one per wire when a line names two.
        mentions: mentions in order of position.
    """

    body: str
    credits: tuple[Credit, ...] = ()
    mentions: tuple[Mention, ...] = ()

    @property
    def wires(self) -> tuple[str, ...]:
        """The known wires credited, in order, without repeats."""
        return tuple(dict.fromkeys(c.wire for c in self.credits if c.wire))
