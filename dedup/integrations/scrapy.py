"""A Scrapy item pipeline that dedups items as the crawl goes.

``DedupPipeline`` turns each item into an ``Article`` (its text, or its HTML
through ``dedup.extract``), adds it to an ``Index`` (persistent when
``DEDUP_INDEX`` names a file) and either drops the copies (``DropItem`` with
the verdict's evidence) or annotates every item with its verdict.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from ..config import Config
from ..errors import BadRecord, ConfigError
from ..extract import extract_page, page_article
from ..index import Index
from ..records import Article, parse_published

MODES = ("drop", "annotate")
# Scrapy setting -> (field kind, default item field name)
FIELD_SETTINGS = {
    "DEDUP_ID_FIELD": ("id", "id"),
    "DEDUP_TEXT_FIELD": ("text", "text"),
    "DEDUP_HTML_FIELD": ("html", "html"),
    "DEDUP_URL_FIELD": ("url", "url"),
    "DEDUP_DATE_FIELD": ("published", "published"),
    "DEDUP_TITLE_FIELD": ("title", "title"),
    "DEDUP_SOURCE_FIELD": ("source", "source"),
}

logger = logging.getLogger(__name__)


class DedupPipeline:
    """Scrapy item pipeline: drop or annotate near-duplicate articles.

    Settings (all optional):

    - ``DEDUP_INDEX``: path of a persistent index file (created if missing);
      unset = an in-memory index for this crawl only.
    - ``DEDUP_THRESHOLD`` / ``DEDUP_CONTAINMENT``: as ``dedup batch -t/-c``
      (a new index only; an existing one keeps the configuration it was
      built with, and a different value raises ``ConfigMismatch``).
    - ``DEDUP_MODE``: ``"drop"`` (default) raises ``DropItem`` for every item
      that is a copy when it arrives, with the verdict's evidence in the
      message; ``"annotate"`` passes every item on with its verdict (the
      output contract's fields, a dict) under ``DEDUP_ANNOTATE_FIELD``
      (default ``"dedup"``; a ``scrapy.Item`` must declare that field).
    - ``DEDUP_ID_FIELD``, ``DEDUP_TEXT_FIELD``, ``DEDUP_HTML_FIELD``,
      ``DEDUP_URL_FIELD``, ``DEDUP_DATE_FIELD``, ``DEDUP_TITLE_FIELD``,
      ``DEDUP_SOURCE_FIELD``: which item fields hold what (defaults ``id``,
      ``text``, ``html``, ``url``, ``published``, ``title``, ``source``). The
      id defaults to the URL; with no text, the HTML is extracted and the
      page's title, date, site name and canonical URL fill the gaps.

    An item whose id is already in the index (a re-crawl with a persistent
    index) gets the stored article's current verdict. An item that cannot be
    used (no id or URL, no text) is logged as a warning and passed on
    unchanged (annotated with ``{"error": …}`` in annotate mode).

    Example:
        >>> ITEM_PIPELINES = {"dedup.integrations.scrapy.DedupPipeline": 800}
        >>> DEDUP_INDEX = "news.db"
        >>> DEDUP_MODE = "annotate"
    """

    def __init__(self, *, index_path: str | None = None, threshold: float | None = None,
                 containment: float | None = None, mode: str = "drop",
                 annotate_field: str = "dedup", fields: dict[str, str] | None = None) -> None:
        if mode not in MODES:
            raise ConfigError(f"DEDUP_MODE must be 'drop' or 'annotate', got {mode!r}")
        if not annotate_field:
            raise ConfigError("DEDUP_ANNOTATE_FIELD is empty; name the item field for verdicts")
        self.index_path = index_path or None
        self.threshold = threshold
        self.containment = containment
        self.mode = mode
        self.annotate_field = annotate_field
        self.fields = {kind: name for kind, name in FIELD_SETTINGS.values()}
        self.fields.update(fields or {})
        self.index: Index | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        """Build the pipeline from the crawler's settings (Scrapy calls this)."""
        settings = crawler.settings
        fields = {kind: settings.get(name) for name, (kind, _) in FIELD_SETTINGS.items()
                  if settings.get(name)}
        return cls(index_path=settings.get("DEDUP_INDEX"),
                   threshold=_number(settings, "DEDUP_THRESHOLD"),
                   containment=_number(settings, "DEDUP_CONTAINMENT"),
                   mode=str(settings.get("DEDUP_MODE", "drop")).lower(),
                   annotate_field=settings.get("DEDUP_ANNOTATE_FIELD", "dedup"), fields=fields)

    def open_spider(self, spider: Any = None) -> None:
        """Open the index (Scrapy calls this when the crawl starts)."""
        values: dict[str, float] = {}
        if self.threshold is not None:
            values["threshold"] = self.threshold
        if self.containment is not None:
            values["containment_threshold"] = self.containment
        config = Config(**values) if values else None
        if self.index_path:
            self.index = Index.open(self.index_path, create=True, config=config)
        else:
            self.index = Index(config)

    def close_spider(self, spider: Any = None) -> None:
        """Commit and close the index (Scrapy calls this when the crawl ends)."""
        if self.index is not None:
            self.index.close()
            self.index = None

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Judge one item; drop it or annotate it according to ``DEDUP_MODE``.

        Raises:
            DropItem: in drop mode, the item is a copy of an earlier one.
            ConfigError: in annotate mode, the item cannot hold the verdict.
        """
        if self.index is None:
            raise ConfigError("DedupPipeline.process_item called before open_spider")
        adapter = ItemAdapter(item)
        try:
            article = self.article(adapter)
            verdict = self._judge(article)
        except BadRecord as exc:
            logger.warning("dedup: item skipped: %s", exc.describe())
            if self.mode == "annotate":
                self._annotate(adapter, {"error": exc.reason, "id": exc.record_id})
            return item
        if self.mode == "drop":
            if verdict["duplicate"]:
                raise DropItem("dedup: " + "; ".join(verdict["why"]))
            return item
        self._annotate(adapter, verdict)
        return item

    def article(self, adapter: ItemAdapter) -> Article:
        """The ``Article`` an item describes.

        Raises:
            BadRecord: no id or URL, a field of the wrong type, a date that is
                not ISO 8601, or no text (after extracting the HTML).
        """
        get = {kind: adapter.get(name) for kind, name in self.fields.items()}
        url = _text(get["url"], "url", self.fields)
        article_id = get["id"] if get["id"] is not None else url
        if isinstance(article_id, int) and not isinstance(article_id, bool):
            article_id = str(article_id)
        if not isinstance(article_id, str) or not article_id.strip():
            raise BadRecord(f"item has no id (field {self.fields['id']!r}) or URL "
                            f"(field {self.fields['url']!r}); give one of them")
        title = _text(get["title"], "title", self.fields)
        source = _text(get["source"], "source", self.fields)
        published = get["published"]
        if not isinstance(published, datetime):
            published = parse_published(published, record_id=article_id)
        text, html = get["text"], get["html"]
        if text is not None and not isinstance(text, str):
            raise BadRecord(f"field {self.fields['text']!r} must be a string, got "
                            f"{type(text).__name__}", record_id=article_id)
        if text and text.strip():
            article = Article(id=article_id, text=text, title=title, url=url, source=source,
                              published=published)
        elif html is not None:
            if not isinstance(html, (str, bytes)):
                raise BadRecord(f"field {self.fields['html']!r} must be a string or bytes",
                                record_id=article_id)
            try:
                page = extract_page(html, url=url)
            except BadRecord as exc:
                raise BadRecord(exc.reason, record_id=article_id) from None
            article = page_article(page, article_id, title=title, url=url, source=source,
                                   published=published)
        else:
            raise BadRecord(f"item has no text (field {self.fields['text']!r}) or HTML "
                            f"(field {self.fields['html']!r})", record_id=article_id)
        if not article.text.strip():
            raise BadRecord("empty article (no text after extraction)", record_id=article_id)
        return article

    def _judge(self, article: Article) -> dict[str, Any]:
        known = self.index.get(article.id)
        if known is not None:
            verdict = known.to_dict()
            verdict["why"] = ["already in the index (same id): its current verdict"] + \
                verdict["why"]
            return verdict
        return self.index.add(article).to_dict()

    def _annotate(self, adapter: ItemAdapter, value: dict[str, Any]) -> None:
        try:
            adapter[self.annotate_field] = value
        except KeyError:
            raise ConfigError(
                f"{type(adapter.item).__name__} has no field {self.annotate_field!r} for the "
                f"verdict: declare it ({self.annotate_field} = scrapy.Field()) or set "
                "DEDUP_ANNOTATE_FIELD to a field it has") from None


def _number(settings: Any, name: str) -> float | None:
    value = settings.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None


def _text(value: Any, kind: str, fields: dict[str, str], *,
          record_id: str | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRecord(f"field {fields[kind]!r} must be a string, got {type(value).__name__}",
                        record_id=record_id)
    return value.strip() or None
