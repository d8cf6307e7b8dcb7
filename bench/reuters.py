"""Reuters-21578 read as wire originals for the benchmark (issue 15: real wire prose).

`read_items` parses the SGML files (`reut2-*.sgm`, read where they lie, never copied) into items
with their real dateline, paragraphs and "Reuter" sign-off; `similar_pairs` finds the pairs of
items that share word 5-grams through an exact shingle inverted index; `stories` groups items into
the wire's own stories: real re-sends and corrections of one story (same title, near-identical
bodies) form one story, templated market and earnings items are marked as hard negatives, and
items that share too much with another item to be independent yet too little to be a re-send are
left out, so the truth has no judgement calls. `bench.reuters_corpus` turns stories into a corpus.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.truth import Shingler, similarity

# ../shared/data relative to the repository (CI clones the repo next to a copy of shared/),
# or where DEDUP_SHARED_DATA says, as the tests read it.
SHARED_DATA = Path(os.environ.get("DEDUP_SHARED_DATA",
                                  Path(__file__).resolve().parents[2] / "shared" / "data"))
REUTERS_DIR = SHARED_DATA / "reuters21578"

RESEND_JACCARD = 0.5  # same title and word-5-gram J at least this: one story sent again
INDEPENDENT_JACCARD = 0.1  # items sharing more than this (J or containment) are not independent
COMMON_SHINGLE = 50  # shingles in more items than this are template text, not evidence of copying

_ITEM = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_FIELD = {name: re.compile(f"<{name}>(.*?)</{name}>", re.S)
          for name in ("DATE", "TITLE", "DATELINE", "BODY", "TOPICS")}
_TOPIC = re.compile(r"<D>(.*?)</D>")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_SIGN_OFF = re.compile(r"\s*\bReuter\s*$", re.I)
_PARAGRAPH = re.compile(r"\n[ \t]{2,}(?=\S)|\n\s*\n")
_SENTENCE = re.compile(r"(?<=[a-z0-9)%][.!?])\s+(?=[A-Z\"(<])")
# Earnings, dividend and market tables: a line per figure ("Shr 12 cts vs 10 cts", "Qtly div 15 cts
# vs 15 cts prior"), the same template for thousands of companies.
_TABLE_LINE = re.compile(r"^\s*(?:Oper |Primary |Fully diluted )?(?:Shr|Net|Revs|Sales|Qtly div|"
                         r"Qtr|Avg shrs|Div|Pay|Record|Loss|Profit|Nine mths|Six mths|Year)\b",
                         re.M | re.I)


@dataclass(frozen=True)
class Item:
    """One Reuters-21578 wire item.

    Attributes:
        newid: the collection's NEWID.
        when: the item's DATE (UTC).
        title: its headline.
        dateline: as written ("SALVADOR, Feb 26 - "); empty when it has none.
        paragraphs: body paragraphs, each as sentences, hard wraps rejoined.
        signed: the body ended with the "Reuter" sign-off.
        topics: the collection's TOPICS labels.
        table: a templated item (earnings/dividend/market lines), a hard negative.
    """

    newid: int
    when: datetime
    title: str
    dateline: str
    paragraphs: tuple[tuple[str, ...], ...]
    signed: bool
    topics: tuple[str, ...]
    table: bool

    @property
    def body(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paragraphs)

    @property
    def words(self) -> int:
        return sum(s.count(" ") + 1 for p in self.paragraphs for s in p)


def _clean(text: str) -> str:
    return _CONTROL.sub("", html.unescape(text))


def _when(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp.strip().split(".")[0], "%d-%b-%Y %H:%M:%S").replace(
            tzinfo=UTC)
    except ValueError:
        return None


def parse(sgml: str) -> Iterator[Item]:
    """The items of one `reut2-*.sgm` file that have a body, a title and a readable date."""
    for attrs, block in _ITEM.findall(sgml):
        fields = {k: rx.search(block) for k, rx in _FIELD.items()}
        newid = _NEWID.search(attrs)
        if not (newid and fields["BODY"] and fields["TITLE"] and fields["DATE"]):
            continue
        when = _when(fields["DATE"].group(1))
        if when is None:
            continue
        raw = _clean(fields["BODY"].group(1)).rstrip()
        signed = bool(_SIGN_OFF.search(raw))
        raw = _SIGN_OFF.sub("", raw)
        paragraphs = []
        for chunk in _PARAGRAPH.split("\n" + raw):
            text = " ".join(chunk.split())
            if text:
                paragraphs.append(tuple(_SENTENCE.split(text)))
        if not paragraphs:
            continue
        dateline = _clean(fields["DATELINE"].group(1)).strip() if fields["DATELINE"] else ""
        topics = tuple(_TOPIC.findall(fields["TOPICS"].group(1))) if fields["TOPICS"] else ()
        yield Item(int(newid.group(1)), when, " ".join(_clean(fields["TITLE"].group(1)).split()),
                   f"{dateline} " if dateline else "", tuple(paragraphs), signed, topics,
                   len(_TABLE_LINE.findall(raw)) >= 2)


def read_items(folder: Path = REUTERS_DIR) -> list[Item]:
    """Every item of the collection with a body, in NEWID order.

    Raises:
        FileNotFoundError: the folder holds no `reut2-*.sgm` file.
    """
    files = sorted(Path(folder).glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"no reut2-*.sgm files in {folder} (Reuters-21578 is read from "
                                f"../shared/data/reuters21578; it is not part of the repository)")
    items = [i for f in files for i in parse(f.read_text(encoding="latin-1"))]
    return sorted(items, key=lambda i: i.newid)


def similar_pairs(shingles: list[np.ndarray], common: int = COMMON_SHINGLE,
                  min_shared: int = 3) -> np.ndarray:
    """Pairs (i < j) of documents sharing at least `min_shared` shingles held by <= `common` docs.

    An exact inverted index: every (shingle, document) posting sorted by shingle; shingles held by
    more than `common` documents (template phrases) are skipped, since they say nothing about
    copying and would make the pair count quadratic.
    """
    sizes = np.array([len(s) for s in shingles], dtype=np.int64)
    if sizes.sum() == 0:
        return np.zeros((0, 2), dtype=np.int64)
    hashes = np.concatenate(shingles)
    docs = np.repeat(np.arange(len(shingles), dtype=np.int64), sizes)
    order = np.argsort(hashes, kind="stable")
    hashes, docs = hashes[order], docs[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    counts = np.diff(np.r_[starts, len(hashes)])
    keys = []
    n = len(shingles)
    for size in range(2, common + 1):
        at = starts[counts == size]
        if not len(at):
            continue
        block = docs[at[:, None] + np.arange(size)]
        i, j = np.triu_indices(size, 1)
        a, b = block[:, i].ravel(), block[:, j].ravel()
        keys.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not keys:
        return np.zeros((0, 2), dtype=np.int64)
    key, shared = np.unique(np.concatenate(keys), return_counts=True)
    key = key[shared >= min_shared]
    pairs = np.stack([key // n, key % n], axis=1)
    return pairs[pairs[:, 0] != pairs[:, 1]]


@dataclass(frozen=True)
class Story:
    """One wire story of the collection: its first item and any re-sends of it."""

    items: tuple[Item, ...]  # by time; items[0] is the original

    @property
    def original(self) -> Item:
        return self.items[0]


def stories(items: list[Item], min_words: int = 80, min_table_words: int = 25
            ) -> tuple[list[Story], dict]:
    """The collection's stories, and counts of what was kept and left out.

    News items under `min_words` (briefs) and templated items under `min_table_words` are
    dropped. Two items are one story when their titles agree (case and spacing aside) and their
    bodies reach word-5-gram J >= RESEND_JACCARD; an item that shares more than
    INDEPENDENT_JACCARD (J or either containment) with an item of another story is left out with
    the rest of its story.
    """
    items = [i for i in items if i.words >= (min_table_words if i.table else min_words)]
    shingler = Shingler()
    shingles = [shingler(i.body) for i in items]
    pairs = similar_pairs(shingles)
    sims = np.array([similarity(shingles[a], shingles[b]) for a, b in pairs.tolist()]
                    ).reshape(-1, 3)
    title = [" ".join(i.title.upper().split()) for i in items]
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    resend = (sims[:, 0] >= RESEND_JACCARD) if len(sims) else np.zeros(0, bool)
    for (a, b), same in zip(pairs.tolist(), resend.tolist(), strict=True):
        if same and title[a] == title[b]:
            parent[find(a)] = find(b)
    dropped = set()
    for (a, b), (j, c1, c2) in zip(pairs.tolist(), sims.tolist(), strict=True):
        if find(a) != find(b) and max(j, c1, c2) > INDEPENDENT_JACCARD:
            dropped.add(b if items[b].when >= items[a].when else a)
    groups: dict[int, list[int]] = {}
    for k in range(len(items)):
        groups.setdefault(find(k), []).append(k)
    out = []
    left_out = 0
    for members in groups.values():
        if dropped & set(members):
            left_out += len(members)
            continue
        out.append(Story(tuple(sorted((items[k] for k in members),
                                      key=lambda i: (i.when, i.newid)))))
    out.sort(key=lambda s: s.original.newid)
    counts = {"items": len(items), "stories": len(out), "left_out": left_out,
              "resends": sum(len(s.items) - 1 for s in out),
              "tables": sum(s.original.table for s in out)}
    return out, counts
