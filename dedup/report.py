"""Output formats: verdicts and clusters as JSON lines, CSV or a table.

Every writer takes verdicts (the output contract) and a text stream; data goes
to the stream given (stdout in the CLI), never to stderr.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

import orjson

from .records import Verdict

FORMATS = ("jsonl", "csv", "table")
CSV_FIELDS = ("id", "cluster", "original", "duplicate", "relation", "similarity", "containment",
              "source", "origin_source", "why", "title", "url", "published")
# C0, DEL, C1, the bidi controls and the line/paragraph separators: what a terminal obeys
# (ESC]0;...BEL retitles it, ESC[2J clears it, a newline forges a message line) or what
# reorders the text it shows (CVE-2021-42574).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula


def printable(text: str) -> str:
    r"""``text`` with the characters a terminal obeys or that reorder it escaped.

    Example:
        >>> printable("a\x1b]0;owned\x07.txt")
        'a\\x1b]0;owned\\x07.txt'
    """
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                            else f"\\u{ord(m[0]):04x}", text)


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows and does not run: text that starts like a
    formula (``=HYPERLINK(...)``, ``@SUM``, ``+cmd|...``) gets a leading ``'`` (OWASP's
    advice); other values are returned as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dumps(obj: Any) -> str:
    """One compact JSON line (UTF-8 text, non-ASCII kept readable)."""
    return orjson.dumps(obj).decode("utf-8")


def write_verdicts(verdicts: Iterable[Verdict], out: IO[str], fmt: str = "jsonl") -> None:
    """Write one record per article in ``fmt``."""
    if fmt == "jsonl":
        for v in verdicts:
            out.write(dumps(v.to_dict()) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for v in verdicts:
            row = v.to_dict()
            row["why"] = "; ".join(row["why"])
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    elif fmt == "table":
        rows = [(str(v.cluster), v.id, "original" if not v.duplicate else (v.relation or ""),
                 "" if v.similarity is None else f"{v.similarity:.2f}",
                 v.source or "", v.origin_source or "") for v in verdicts]
        _table(("cluster", "id", "relation", "sim", "source", "origin"), rows, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def cluster_records(clusters: Iterable[Any]) -> list[dict[str, Any]]:
    """One dict per cluster: original, origin_source, members with similarity."""
    out = []
    for c in clusters:
        out.append({
            "cluster": c.id,
            "original": c.original,
            "origin_source": c.origin_source,
            "size": len(c.members),
            "members": [{"id": m.id, "source": m.source, "relation": m.relation,
                         "similarity": m.similarity, "containment": m.containment}
                        for m in c.members],
            "why": c.members[0].why,
        })
    return out


def write_clusters(clusters: Iterable[Any], out: IO[str], fmt: str = "jsonl") -> None:
    """Write one record per cluster in ``fmt``."""
    records = cluster_records(clusters)
    if fmt == "jsonl":
        for r in records:
            out.write(dumps(r) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(("cluster", "original", "origin_source", "size", "members"))
        for r in records:
            members = "; ".join(
                f"{m['id']} ({m['relation'] or 'original'}"
                + (f" {m['similarity']:.2f})" if m["similarity"] is not None else ")")
                for m in r["members"])
            writer.writerow([spreadsheet_safe(x) for x in (r["cluster"], r["original"],
                                                           r["origin_source"], r["size"], members)])
    elif fmt == "table":
        rows = []
        for r in records:
            for i, m in enumerate(r["members"]):
                sim = "" if m["similarity"] is None else f"{m['similarity']:.2f}"
                rows.append((str(r["cluster"]) if i == 0 else "",
                             (r["origin_source"] or "") if i == 0 else "",
                             ("* " if i == 0 else "  ") + m["id"],
                             m["relation"] or "original", sim, m["source"] or ""))
        _table(("cluster", "origin", "member (* = original)", "relation", "sim", "source"), rows,
               out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], out: IO[str]) -> None:
    import unicodedata

    rows = [tuple(printable(c) for c in r) for r in rows]

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: tuple[str, ...]) -> str:
        padded = (c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    out.write(line(header) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        out.write(line(r) + "\n")
