"""The cluster report: verdicts in, one self-contained HTML page out.

``read_results`` reads per-article verdicts (``dedup batch`` output, with
``text`` when run with ``--with-text``); ``build_report`` groups them into
clusters with publication delays, shared passages and overview figures;
``render_html`` writes a static page (inline CSS/JS, no network) that renders
the clusters from embedded JSON, a page at a time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from statistics import median
from typing import IO, TYPE_CHECKING, Any

import orjson

from .errors import BadRecord, IndexFormatError
from .explain import SharedPassage, shared_passages
from .records import parse_published

if TYPE_CHECKING:
    from .index import Index

RELATIONS = ("exact", "near", "edited", "excerpt", "expanded")
TOP_ORIGINS = 8
# Delay buckets (seconds after the original); a copy dated before its original is a conflict.
DELAY_EDGES = (0, 15 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400)
DELAY_LABELS = ("before", "<15m", "15–60m", "1–3h", "3–6h", "6–12h", "12–24h", "1–3d", ">3d")
_STRING_FIELDS = ("source", "origin_source", "title", "url", "text")
_LETTER = re.compile(r"[^\W\d_]")
_SCRIPTS = (("zh", re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
            ("ja", re.compile("[\u3040-\u30ff]")),
            ("ko", re.compile("[\uac00-\ud7af\u1100-\u11ff]")),
            ("ar", re.compile("[\u0600-\u06ff\u0750-\u077f]")),
            ("he", re.compile("[\u0590-\u05ff]")))
_URDU = re.compile("[ٹڈڑںھہےۓ]")  # letters Urdu has and Arabic does not


def read_results(lines: Iterable[str | bytes], *, where: str = "<stdin>"
                 ) -> Iterator[dict[str, Any] | BadRecord]:
    """Read per-article verdicts, one JSON object per line.

    Args:
        lines: the lines of a results file (``dedup batch`` JSON Lines output).
        where: the file name, for error messages.

    Yields:
        One validated verdict dict per usable line (``published`` parsed to an
        aware UTC datetime), or the ``BadRecord`` saying why a line was
        skipped. A later line repeating an id is skipped; the first is kept.
    """
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            verdict = _check_verdict(line, where=where, line=number)
        except BadRecord as exc:
            yield exc
            continue
        if verdict["id"] in seen:
            yield BadRecord("duplicate id; the first line with it is kept", where=where,
                            line=number, record_id=verdict["id"])
            continue
        seen.add(verdict["id"])
        yield verdict


def _check_verdict(raw: str | bytes, *, where: str, line: int) -> dict[str, Any]:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRecord(f"invalid JSON ({exc})", where=where, line=line) from None
    if not isinstance(obj, dict):
        raise BadRecord("expected a JSON object (one verdict per line)", where=where, line=line)
    if "members" in obj:
        raise BadRecord("this is a cluster record (dedup batch --clusters); the report needs one "
                        "verdict per article: run dedup batch without --clusters",
                        where=where, line=line)
    ids = {}
    for name in ("id", "original"):
        value = obj.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise BadRecord(f'"{name}" must be a non-empty string; is this the output of '
                            "dedup batch?", where=where, line=line,
                            record_id=str(obj.get("id")) if name != "id" else None)
        ids[name] = str(value)
    record_id = ids["id"]

    def bad(reason: str) -> BadRecord:
        return BadRecord(reason, where=where, line=line, record_id=record_id)

    cluster = obj.get("cluster")
    if cluster is not None and (isinstance(cluster, bool) or not isinstance(cluster, int)):
        raise bad(f'"cluster" must be an integer or null, got {cluster!r}')
    for name in ("similarity", "containment"):
        value = obj.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise bad(f'"{name}" must be a number or null, got {value!r}')
    for name in ("relation", *_STRING_FIELDS):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise bad(f'"{name}" must be a string or null, got {type(value).__name__}')
    why = obj.get("why") or []
    if not isinstance(why, list) or not all(isinstance(w, str) for w in why):
        raise bad('"why" must be a list of strings')
    published = parse_published(obj.get("published"), where=where, line=line, record_id=record_id)
    return {**obj, **ids, "cluster": cluster, "why": why, "published": published}


def index_results(index: Index) -> Iterator[dict[str, Any] | BadRecord]:
    """Verdict dicts of every article in an index, with its stored text when kept.

    Args:
        index: an open index (``Index.open(path, readonly=True)`` for a saved one).

    Yields:
        The same dicts as :func:`read_results`, in arrival order. A stored
        text that is damaged (fails its checksum) is left out: its article's
        dict comes without it, after the ``BadRecord`` that says so, and the
        rest of the index is reported.
    """
    for verdict in index.verdicts():
        record = verdict.to_dict()
        record["published"] = parse_published(record["published"], record_id=verdict.id)
        try:
            text = index.text(verdict.id)
        except IndexFormatError as exc:
            yield BadRecord(f"{exc}; the article is shown without its text",
                            record_id=verdict.id)
            text = None
        if text is not None:
            record["text"] = text
        yield record


def _spans(passages: list[SharedPassage]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Highlight spans in the original (A) and the copy (B): sorted, overlaps merged."""
    in_copy: list[tuple[int, int]] = []
    for start, end in sorted((p.b_start, p.b_end) for p in passages):
        if in_copy and start <= in_copy[-1][1]:
            in_copy[-1] = (in_copy[-1][0], max(end, in_copy[-1][1]))
        else:
            in_copy.append((start, end))
    return [(p.a_start, p.a_end) for p in passages], in_copy


def _utf16(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Flatten spans to [start, end, ...] in UTF-16 code units (JavaScript string offsets)."""
    flat = [x for span in spans for x in span]
    if not flat or len(text.encode("utf-16-le")) == 2 * len(text):
        return flat
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    return [x + bisect_left(astral, x) for x in flat]


def guess_lang(text: str | None) -> str | None:
    """A BCP 47 hint for a text block (``zh``, ``ja``, ``ko``, ``ur``, ``ar``, ``he``), else None.

    Only scripts whose rendering depends on it are named: fonts for Han
    (Chinese vs Japanese glyph forms) and shaping/direction for Arabic script.
    The script of most letters in the first 600 characters decides.

    Example:
        >>> guess_lang("新华社北京5月8日电")
        'zh'
    """
    if not text or text.isascii():
        return None
    sample = text[:600]
    letters = len(_LETTER.findall(sample))
    counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPTS}
    if counts["ja"]:  # kana is only Japanese; its kanji count with it
        counts["ja"] += counts.pop("zh")
    if counts["ar"] and _URDU.search(sample):
        counts["ur"] = counts.pop("ar")
    lang, count = max(counts.items(), key=lambda kv: kv[1])
    return lang if count and 3 * count >= letters else None


def build_report(verdicts: Iterable[Mapping[str, Any]], *, title: str = "dedup report",
                 source: str | None = None) -> dict[str, Any]:
    """Group verdicts into the report's data: overview figures and clusters with copies.

    Args:
        verdicts: validated verdict dicts (from :func:`read_results`, or
            ``Verdict.to_dict()`` plus ``text`` and a datetime ``published``).
        title: the page title.
        source: what the verdicts were read from (shown under the title).

    Returns:
        A JSON-ready dict: ``overview`` (figures, top origins, delay histogram),
        ``articles`` (cluster members only, texts included when given) and
        ``clusters`` (largest first; each copy with relation, similarity,
        containment, delay in seconds, ``why`` and shared-passage offsets
        ``spans_original``/``spans_copy`` as flat [start, end, ...] lists in
        UTF-16 code units).
    """
    by_cluster: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    total = 0
    for i, v in enumerate(verdicts):
        total += 1
        by_cluster[v["cluster"] if v.get("cluster") is not None else ("single", i)].append(v)
    articles: list[dict[str, Any]] = []
    clusters = []
    delays: list[float | None] = []
    relations: Counter[str] = Counter()
    origins: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # origin -> [clusters, copies]
    with_text = False
    for key, members in by_cluster.items():
        if len(members) < 2:
            continue
        original = _original_of(members)
        copies = sorted((m for m in members if m is not original),
                        key=lambda m: (m["published"] is None, m["published"] or 0, m["id"]))
        entries = []
        for copy in copies:
            entry, delay = _copy_entry(copy, original, len(articles) + 1 + len(entries))
            entries.append(entry)
            delays.append(delay)
            relations[copy.get("relation") or "unknown"] += 1
        origin = original.get("origin_source") or original.get("source") or "unknown"
        origins[origin][0] += 1
        origins[origin][1] += len(copies)
        clusters.append({
            "id": key if isinstance(key, int) else None,
            "origin": origin,
            "original": len(articles),
            "why": list(original.get("why") or []),
            "copies": entries,
        })
        for member in (original, *copies):
            articles.append(_article_entry(member))
            with_text = with_text or "text" in articles[-1]
    clusters.sort(key=lambda c: (-len(c["copies"]), c["id"] if c["id"] is not None else 0))
    copies_total = sum(len(c["copies"]) for c in clusters)
    known = [d for d in delays if d is not None]
    overview = {
        "articles": total,
        "clusters": len(clusters),
        "copies": copies_total,
        "singletons": total - copies_total - len(clusters),
        "with_text": with_text,
        "relations": {r: relations[r] for r in (*RELATIONS, "unknown") if relations[r]},
        "top_origins": [{"origin": o, "clusters": c, "copies": n} for o, (c, n) in
                        sorted(origins.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP_ORIGINS]],
        "delay_histogram": _histogram(known),
        "undated_copies": len(delays) - len(known),
        "median_delay": median(known) if known else None,
    }
    return {"title": title, "source": source, "overview": overview, "articles": articles,
            "clusters": clusters}


def _original_of(members: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    named = Counter(m["original"] for m in members).most_common(1)[0][0]
    for m in members:
        if m["id"] == named:
            return m
    # The original's own line is not in the results: stand in with the first non-duplicate.
    return next((m for m in members if not m.get("duplicate")), members[0])


def _copy_entry(copy: Mapping[str, Any], original: Mapping[str, Any],
                index: int) -> tuple[dict[str, Any], float | None]:
    delay = None
    if copy["published"] is not None and original["published"] is not None:
        delay = (copy["published"] - original["published"]).total_seconds()
    entry: dict[str, Any] = {
        "article": index,
        "relation": copy.get("relation"),
        "similarity": copy.get("similarity"),
        "containment": copy.get("containment"),
        "delay": delay,
        "why": list(copy.get("why") or []),
    }
    if original.get("text") and copy.get("text"):
        in_original, in_copy = _spans(shared_passages(original["text"], copy["text"]))
        entry["spans_original"] = _utf16(original["text"], in_original)
        entry["spans_copy"] = _utf16(copy["text"], in_copy)
    return entry, delay


def _article_entry(v: Mapping[str, Any]) -> dict[str, Any]:
    published = v.get("published")
    entry = {
        "id": v["id"],
        "source": v.get("source"),
        "title": v.get("title"),
        "url": v.get("url"),
        "published": _iso(published) if isinstance(published, datetime) else published,
        "lang": guess_lang(v.get("text") or v.get("title")),
    }
    if v.get("text"):
        entry["text"] = v["text"]
    return entry


def _iso(stamp: datetime) -> str:
    return stamp.isoformat().replace("+00:00", "Z")


def _histogram(delays: list[float]) -> list[dict[str, Any]]:
    counts = [0] * len(DELAY_LABELS)
    for d in delays:
        counts[0 if d < 0 else max(1, bisect_left(DELAY_EDGES, d))] += 1
    return [{"label": label, "copies": n} for label, n in zip(DELAY_LABELS, counts, strict=True)]


# -- the page -------------------------------------------------------------------------------------

def _asset(name: str) -> str:
    return resources.files("dedup").joinpath("data", "report", name).read_text("utf-8")


def embed_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` escaped.

    Escaping ``<`` means no string in the data can close the script element
    (``</script>``) or open a comment, whatever the articles contain.

    Example:
        >>> embed_json({"t": "</script>"})
        '{"t":"\\\\u003c/script\\\\u003e"}'
    """
    text = orjson.dumps(data).decode("utf-8")
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(report: Mapping[str, Any], *, version: str = "") -> str:
    """The report page: static overview, embedded data, inline CSS and JS.

    The Content-Security-Policy allows no network access and only the page's
    own script (by hash), so nothing in the data can load or run anything.
    The texts (most of the bytes) come last, each distinct text once, so the
    browser shows the cluster list before it has read them.

    Args:
        report: the output of :func:`build_report`.
        version: the dedup version, shown under the title.
    """
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    data, texts = _split_texts(report)
    e = html.escape
    ov = report["overview"]
    source = report.get("source")
    source = f'<span class="src-file">{e(source)}</span> · ' if source else ""
    note = "" if ov["with_text"] or not ov["clusters"] else (
        '<p class="note">These results have no article texts: run <code>dedup batch --with-text'
        "</code> to see copies side by side with shared passages.</p>")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="generator" content="dedup {e(version)}">
<title>{e(report["title"])}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header class="overview">
<div class="headline"><h1>{e(report["title"])}</h1>
<p class="sub">{source}dedup {e(version)}</p></div>
{_stats(ov)}
<div class="panels">
<section class="panel" aria-labelledby="h-origins"><h2 id="h-origins">Top origins
<small>by copies</small></h2>{_origin_bars(ov["top_origins"])}</section>
<section class="panel" aria-labelledby="h-delays"><h2 id="h-delays">When copies appeared
<small>after the original</small></h2>{_delay_svg(ov)}</section>
<section class="panel" aria-labelledby="h-rel"><h2 id="h-rel">Relations</h2>{_relations(ov)}
</section>
</div>
{note}</header>
<main>
<div class="toolbar" role="toolbar" aria-label="Sort and filter clusters">
<span class="label">Sort</span>
<button type="button" class="sort" data-sort="size" aria-pressed="true">Size</button>
<button type="button" class="sort" data-sort="origin" aria-pressed="false">Origin</button>
<button type="button" class="sort" data-sort="delay" aria-pressed="false">Fastest copy</button>
<button type="button" class="sort" data-sort="cluster" aria-pressed="false">Cluster #</button>
<input type="search" id="filter" placeholder="Filter: origin, source, id, title…"
 aria-label="Filter clusters" dir="auto">
<span id="count" class="count"></span>
</div>
<div id="clusters" data-total="{ov["clusters"]}"></div>
<nav class="pager" id="pager" aria-label="Pages"></nav>
<noscript><p class="note">This report renders its clusters with JavaScript.</p></noscript>
</main>
<script type="application/json" id="report-data">{embed_json(data)}</script>
<script>{script}</script>
<script type="application/json" id="report-texts">{embed_json(texts)}</script>
</body>
</html>
"""


def _split_texts(report: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The report without its texts (articles get ``text_index``) and the distinct texts."""
    texts: list[str] = []
    index: dict[str, int] = {}
    articles = []
    for article in report["articles"]:
        article = dict(article)
        text = article.pop("text", None)
        if text is not None:
            article["text_index"] = index.setdefault(text, len(texts))
            if article["text_index"] == len(texts):
                texts.append(text)
        articles.append(article)
    return {**report, "articles": articles}, texts


def _stats(ov: Mapping[str, Any]) -> str:
    items = [("articles", ov["articles"]), ("clusters", ov["clusters"]), ("copies", ov["copies"]),
             ("singletons", ov["singletons"])]
    if ov["median_delay"] is not None:
        items.append(("median delay", _duration(ov["median_delay"])))
    cells = "".join(f'<div><dt>{html.escape(k)}</dt><dd data-stat="{k.replace(" ", "-")}">'
                    f"{html.escape(str(v))}</dd></div>" for k, v in items)
    return f'<dl class="stats">{cells}</dl>'


def _origin_bars(top: list[Mapping[str, Any]]) -> str:
    if not top:
        return '<p class="empty">no copies</p>'
    most = max(o["copies"] for o in top) or 1
    rows = "".join(
        f'<li data-origin="{html.escape(o["origin"])}"><span class="name" dir="auto">'
        f'{html.escape(o["origin"])}</span><span class="bar" '
        f'style="--w:{100 * o["copies"] / most:.1f}%"></span>'
        f'<span class="n">{o["copies"]}</span></li>' for o in top)
    return f'<ol class="bars">{rows}</ol>'


def _delay_svg(ov: Mapping[str, Any]) -> str:
    bins = ov["delay_histogram"]
    most = max((b["copies"] for b in bins), default=0) or 1
    width, height, pad = 36, 70, 14
    bars = []
    for i, b in enumerate(bins):
        h = round(height * b["copies"] / most, 1)
        x, y = i * width, pad + height - h
        cls = "bar before" if i == 0 else "bar"
        bars.append(
            f'<g class="bin" data-label="{html.escape(b["label"])}" data-copies="{b["copies"]}">'
            f'<title>{b["copies"]} copies {html.escape(b["label"])}</title>'
            f'<rect class="{cls}" x="{x + 4}" y="{y}" width="{width - 8}" height="{max(h, 0.5)}"/>'
            f'<text class="n" x="{x + width / 2}" y="{y - 3}">{b["copies"] or ""}</text>'
            f'<text class="lbl" x="{x + width / 2}" y="{pad + height + 12}">'
            f"{html.escape(b['label'])}</text></g>")
    undated = (f'<p class="undated">{ov["undated_copies"]} copies without dates</p>'
               if ov["undated_copies"] else "")
    return (f'<svg class="delays" viewBox="0 0 {width * len(bins)} {pad + height + 16}" role="img" '
            f'aria-label="Histogram of copy delays after the original">{"".join(bars)}</svg>'
            + undated)


def _relations(ov: Mapping[str, Any]) -> str:
    if not ov["relations"]:
        return '<p class="empty">no copies</p>'
    chips = "".join(f'<li><span class="rel" data-rel="{html.escape(r)}">{html.escape(r)}</span>'
                    f'<span class="n">{n}</span></li>' for r, n in ov["relations"].items())
    return f'<ul class="relations">{chips}</ul>'


def _duration(seconds: float) -> str:
    sign, s = ("−" if seconds < 0 else ""), abs(seconds)
    if s < 90:
        return f"{sign}{s:.0f} s"
    if s < 5400:
        return f"{sign}{s / 60:.0f} min"
    if s < 172800:
        return f"{sign}{s / 3600:.1f} h"
    return f"{sign}{s / 86400:.1f} d"


def write_report(verdicts: Iterable[Mapping[str, Any]], out: IO[str], *,
                 title: str = "dedup report", source: str | None = None,
                 version: str = "") -> dict[str, Any]:
    """Build the report from verdicts and write the page to ``out``.

    Returns:
        The report's ``overview`` figures.
    """
    report = build_report(verdicts, title=title, source=source)
    out.write(render_html(report, version=version))
    return report["overview"]
