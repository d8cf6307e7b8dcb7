"""Deterministic synthetic news-syndication corpus: wire originals, copies, hard negatives.

`plan()` draws the shape of the corpus with numpy (stories, copies per story, sites, delays,
arrival order); `Builder` turns one (story, copy) into a record, regenerating the story text from
its own seed so records can be produced in any order, in parallel, with bounded memory;
`generate()` streams `corpus.jsonl` (what a detector sees) and `corpus.truth.jsonl` (what it must
never see).

    python -m bench.corpus --n 10000 --seed 1 --out corpus.jsonl
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import click
import numpy as np
import orjson

from bench import lexicon as L
from bench.shapes import copy_shape
from bench.syndication import WIRES_ZH, Site, Story, assemble, make_site, syndicate
from bench.templates import TEMPLATE_FAMILIES, template_report
from bench.writer import (
    ChineseWriter,
    EnglishWriter,
    Entities,
    Rng,
    mix,
    vocabulary,
)

GENERATOR_VERSION = 3  # bump when output for a given (n, seed) changes; cache keys include it
# Versions `generate` can still write: 2 is the corpus before real text shapes (no hard wraps,
# joined bodies, edited versions or same-event stories), kept so old figures can be re-checked.
GENERATOR_VERSIONS = (2, 3)

WIRES = ("Xinhua", "AP", "Reuters", "AFP")
KINDS = ("news", "sibling", "template", "same-event")
COPIES_P = (0.25, 0.25, 0.2, 0.13, 0.1, 0.07)  # 0-5 syndicated copies per story, mean 1.72
KIND_P = (0.75, 0.15, 0.10)
SOURCE_P = {"en": (0.25, 0.25, 0.3, 0.2), "zh": (0.7, 0.1, 0.1, 0.1)}
WINDOW = 100_000  # records reordered together (see `plan`)
CHUNK = 500  # records per worker task
SKEW_SHARE = 0.03  # copies whose clock says they were published before the wire
SAME_EVENT_SHARE = 0.35  # version 3: siblings that are another wire's account of the same event
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 365 * 24 * 60

_ZH_SECTION_SLUGS = dict(
    zip(
        L.ZH_SECTIONS,
        "guonei guoji caijing shehui keji tiyu wenhua jiankang jiaoyu junshi difang".split(),
        strict=True,
    )
)


@dataclass(frozen=True)
class Plan:
    """The shape of a corpus, drawn up front; every record is derived from it and the seed."""

    n: int
    seed: int
    story_lang: np.ndarray  # 0 = en, 1 = zh
    story_kind: np.ndarray  # index into KINDS
    story_source: np.ndarray  # index into WIRES
    story_topic: np.ndarray
    story_base: np.ndarray  # siblings: the story they are a different event of; else -1
    story_family: np.ndarray  # templates: index into TEMPLATE_FAMILIES[lang]
    story_minutes: np.ndarray  # wire publication time, minutes after EPOCH
    rec_story: np.ndarray
    rec_copy: np.ndarray  # 0 = the wire original
    rec_site: np.ndarray  # copies: site index within the story's language; originals -1
    rec_delay: np.ndarray  # minutes after the wire (negative: clock skew)
    order: np.ndarray  # record indices in arrival (file) order, a permutation within each window
    window: int
    version: int = GENERATOR_VERSION

    @property
    def stories(self) -> int:
        return len(self.story_lang)


def plan(
    n: int,
    seed: int,
    zh_share: float = 0.2,
    order: str = "shuffled",
    window: int = WINDOW,
    version: int = GENERATOR_VERSION,
) -> Plan:
    """Draw the corpus shape for `n` articles.

    Args:
        n: number of articles (records) to write.
        seed: corpus seed; the same (n, seed, zh_share, order) always gives the same corpus.
        zh_share: share of stories written in Chinese.
        order: "shuffled" (uniformly random arrival order) or "crawl" (by publication time plus a
            crawl lag, so copies mostly arrive after their wire original).
        window: records are planned in story (time) order and reordered within consecutive windows
            of this many records, which bounds the generator's memory; corpora up to `window`
            articles are shuffled as a whole.
        version: generator version (`GENERATOR_VERSIONS`); 2 writes the corpus as it was before
            the real text shapes.
    """
    if version not in GENERATOR_VERSIONS:
        raise ValueError(f"version must be one of {GENERATOR_VERSIONS}, got {version}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if order not in ("shuffled", "crawl"):
        raise ValueError(f'order must be "shuffled" or "crawl", got {order!r}')
    g = np.random.default_rng([seed, 0xC0A5])
    copies = g.choice(len(COPIES_P), size=n, p=COPIES_P)
    sizes = copies + 1
    ends = np.cumsum(sizes)
    n_stories = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:n_stories].copy()
    sizes[-1] -= int(ends[n_stories - 1] - n)

    lang = (g.random(n_stories) < zh_share).astype(np.uint8)
    kind = g.choice(3, size=n_stories, p=KIND_P).astype(np.uint8)
    source = np.where(
        lang == 1,
        g.choice(4, size=n_stories, p=SOURCE_P["zh"]),
        g.choice(4, size=n_stories, p=SOURCE_P["en"]),
    ).astype(np.uint8)
    topic = g.integers(0, 48, n_stories).astype(np.int16)
    family = g.integers(0, 3, n_stories).astype(np.uint8)
    base = np.full(n_stories, -1, dtype=np.int64)
    back = g.integers(1, 40, n_stories)
    for code in (0, 1):
        news = np.flatnonzero((kind == 0) & (lang == code))
        sib = np.flatnonzero((kind == 1) & (lang == code))
        pos = np.searchsorted(news, sib) - back[sib]
        ok = pos >= 0
        base[sib[ok]] = news[pos[ok]]
        kind[sib[~ok]] = 0
    sibling = base >= 0
    topic[sibling] = topic[base[sibling]]
    source[sibling] = source[base[sibling]]
    step = SPAN_MINUTES / n_stories
    minutes = np.arange(n_stories) * step + g.random(n_stories) * step
    if version >= 3:  # its own generator, so the draws below stay those of version 2
        g3 = np.random.default_rng([seed, 0x5A3E])
        same = sibling & (g3.random(n_stories) < SAME_EVENT_SHARE)
        kind[same] = KINDS.index("same-event")
        minutes[same] = minutes[base[same]] + g3.uniform(5.0, 360.0, int(same.sum()))
        source[same] = (source[base[same]] + g3.integers(1, 4, int(same.sum()))) % 4

    rec_story = np.repeat(np.arange(n_stories, dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    rec_copy = (np.arange(n) - np.repeat(starts, sizes)).astype(np.int16)
    is_copy = rec_copy > 0
    delay = np.clip(g.lognormal(np.log(90.0), 1.3, n), 1.0, 3 * 24 * 60)
    skewed = is_copy & (g.random(n) < SKEW_SHARE)
    delay[skewed] = -g.uniform(2.0, 360.0, int(skewed.sum()))
    delay[~is_copy] = 0.0
    rec_lang = lang[rec_story]
    site = np.full(n, -1, dtype=np.int64)
    u = g.random(n)
    for code in (0, 1):
        mask = is_copy & (rec_lang == code)
        n_sites = max(12, int(mask.sum()) // 120)
        site[mask] = (n_sites * u[mask] ** 2).astype(np.int64)  # a few sites carry most copies
    lag = np.where(is_copy, g.uniform(0, 360, n), g.uniform(0, 30, n))
    arrival_time = minutes[rec_story] + np.maximum(delay, 0) + lag
    arrival = np.empty(n, dtype=np.int64)
    for start in range(0, n, window):
        end = min(start + window, n)
        within = (
            g.permutation(end - start)
            if order == "shuffled"
            else np.argsort(arrival_time[start:end], kind="stable")
        )
        arrival[start:end] = start + within
    return Plan(
        n,
        seed,
        lang,
        kind,
        source,
        topic,
        base,
        family,
        minutes,
        rec_story,
        rec_copy,
        site,
        delay,
        arrival,
        window,
        version,
    )


@dataclass
class Builder:
    """Makes records; holds one reseedable generator and small caches (one per worker process)."""

    plan: Plan
    rng: Rng = field(default_factory=Rng)
    _stories: dict = field(default_factory=dict)
    _sites: dict = field(default_factory=dict)

    def record_id(self, s: int, c: int) -> str:
        return f"{mix(self.plan.seed, s, c, 4):016x}"

    def story(self, s: int) -> Story:
        cached = self._stories.get(s)
        if cached is not None:
            return cached
        p = self.plan
        kind = KINDS[p.story_kind[s]]
        base = self.story(int(p.story_base[s])) if kind in ("sibling", "same-event") else None
        self.rng.reseed(mix(p.seed, s, 1))
        r = self.rng.py
        lang = "zh" if p.story_lang[s] else "en"
        wire = WIRES[p.story_source[s]]
        when = EPOCH + timedelta(minutes=float(p.story_minutes[s]))
        local = when + timedelta(minutes=_wire_offset(wire, when))
        quotes = ("\u201c", "\u201d") if lang == "zh" or wire in ("AP", "AFP") else ('"', '"')
        writer_cls = ChineseWriter if lang == "zh" else EnglishWriter
        related: int | str | None = None
        if kind == "template":
            family = TEMPLATE_FAMILIES[lang][p.story_family[s]]
            weekday = L.EN_WEEKDAYS[local.weekday()]
            title, paras = template_report(self.rng, lang, family, local.month, local.day, weekday)
            entities = None
            city = "北京" if lang == "zh" else "BEIJING"
            related = f"template:{lang}:{family}"
        else:
            if base is not None and base.entities is not None:
                entities = base.entities
                related = int(p.story_base[s])
            else:
                entities = writer_cls.entities(self.rng, int(p.story_topic[s]))
            writer = writer_cls(self.rng, entities, quotes)
            size = (
                600 + int(900 * r.random() ** 1.3)
                if lang == "zh"
                else 300 + int(500 * r.random() ** 1.3)
            )
            paras = writer.paragraphs(size)
            title = writer.headline()
            city = entities.city
            if kind == "sibling":
                _borrow(r, base.paragraphs, paras, lang, size)
            elif kind == "same-event":
                _borrow_quotes(r, base.paragraphs, paras, quotes)
        dateline = _dateline(lang, wire, city, local, r)
        tail = _tail(lang, wire, r, entities)
        url = _wire_url(lang, wire, title, local, mix(p.seed, s, 5))
        story = Story(
            lang, wire, title, dateline, paras, tail, url, when, quotes, entities, related
        )
        if len(self._stories) > 4096:
            self._stories.clear()
        self._stories[s] = story
        return story

    def site(self, lang: str, i: int) -> Site:
        key = (lang, i)
        if key not in self._sites:
            self._sites[key] = make_site(self.plan.seed, lang, i)
        return self._sites[key]

    def record(self, k: int) -> tuple[dict, dict]:
        """Record `k` (index in plan order, not arrival order) and its ground truth."""
        p = self.plan
        s, c = int(p.rec_story[k]), int(p.rec_copy[k])
        story = self.story(s)
        rid, original_id = self.record_id(s, c), self.record_id(s, 0)
        truth = {
            "id": rid,
            "story": s,
            "original_id": original_id,
            "transform": "original",
            "kind": KINDS[p.story_kind[s]],
            "related": story.related,
            "lang": story.lang,
            "wire": story.wire,
        }
        if c == 0:
            text = assemble(story.lang, story.dateline, story.paragraphs, story.tail)
            published = _iso(
                story.when,
                _wire_offset(story.wire, story.when),
                1 if story.wire == "Reuters" else 0,
            )
            return (
                {
                    "id": rid,
                    "title": story.title,
                    "url": story.url,
                    "source": story.wire,
                    "published": published,
                    "text": text,
                },
                truth,
            )
        self.rng.reseed(mix(p.seed, s, c, 2))
        site = self.site(story.lang, int(p.rec_site[k]))
        if p.version >= 3:
            shape, layout, edited = copy_shape(p.seed, s, c)
            edit = shape if edited and truth["kind"] != "template" else None
            title, text, transforms = syndicate(self.rng, story, site, layout, edit)
        else:
            title, text, transforms = syndicate(self.rng, story, site)
        when = story.when + timedelta(minutes=float(p.rec_delay[k]))
        local = when + timedelta(minutes=site.offset)
        if story.lang == "en":
            path = f"{site.section.lower()}/{local:%Y/%m/%d}/{_slug(title, rid)}.html"
        else:
            path = f"{_ZH_SECTION_SLUGS[site.section]}/{local:%Y%m%d}/{rid[:10]}.shtml"
        url = f"https://www.{site.domain}/{path}"
        truth["transform"] = "+".join(transforms)
        return (
            {
                "id": rid,
                "title": title,
                "url": url,
                "source": site.name,
                "published": _iso(when, site.offset, site.timestamp_style),
                "text": text,
            },
            truth,
        )


# ------------------------------------------------------------------------- story furniture ---


def _wire_offset(wire: str, when: datetime) -> int:
    summer = 3 <= when.month <= 10
    return {
        "Xinhua": 480,
        "AP": -240 if summer else -300,
        "Reuters": 0,
        "AFP": 120 if summer else 60,
    }[wire]


def _iso(when: datetime, offset: int, style: int) -> str:
    local = when.astimezone(timezone(timedelta(minutes=offset)))
    if style == 1 and offset == 0:
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return local.isoformat(timespec="milliseconds" if style == 2 else "seconds")


def _dateline(lang: str, wire: str, city: str, local: datetime, r) -> str:
    m, d = local.month, local.day
    if lang == "zh":
        if wire == "Xinhua":
            reporters = "、".join(
                r.choice(L.ZH_SURNAMES) + r.choice(L.ZH_GIVEN_CHARS) + r.choice(L.ZH_GIVEN_CHARS)
                for _ in range(r.randint(1, 2))
            )
            return f"新华社{city}{m}月{d}日电（记者{reporters}）"
        if wire == "Reuters":
            return f"路透{city}{m}月{d}日 - "
        return f"{WIRES_ZH[wire]}{city}{m}月{d}日电 "
    if wire == "Xinhua":
        return f"{city}, {L.EN_MONTHS_AP[m - 1]} {d} (Xinhua) -- "
    if wire == "AP":
        return f"{city} (AP) \u2014 "
    if wire == "Reuters":
        return f"{city}, {L.EN_MONTHS[m - 1]} {d} (Reuters) - "
    return f"{city.title()} (AFP) - "


def _tail(lang: str, wire: str, r, entities: Entities | None) -> str | None:
    if lang == "zh":
        if wire == "Xinhua":
            return "（完）" if r.random() < 0.6 else None
        return (
            f"（编辑：{r.choice(L.ZH_SURNAMES)}{r.choice(L.ZH_GIVEN_CHARS)}）"
            if r.random() < 0.5
            else None
        )
    name = lambda: f"{r.choice(L.EN_FIRST_NAMES)} {r.choice(L.EN_LAST_NAMES)}"  # noqa: E731
    place = r.choice(entities.places) if entities else "Beijing"
    if wire == "Reuters":
        return f"(Reporting by {name()} in {place}; Editing by {name()})"
    if wire == "AP":
        return (
            f"Associated Press writer {name()} in {place} contributed to this report."
            if r.random() < 0.6
            else None
        )
    if wire == "Xinhua":
        return "Enditem" if r.random() < 0.4 else None
    return (
        f"{''.join(r.sample('abcdefghjklmnprstw', 2))}/{''.join(r.sample('abcdefghjklmnprstw', 3))}"
    )


_SLUG_WORD = re.compile(r"[a-z0-9]+")


def _slug(title: str, rid: str) -> str:
    return "-".join(_SLUG_WORD.findall(title.lower())[:8]) or rid[:12]


def _wire_url(lang: str, wire: str, title: str, local: datetime, h: int) -> str:
    hx = f"{h:016x}{mix(h, 1):016x}"
    if wire == "Xinhua":
        host = "www.news.cn/politics" if lang == "zh" else "english.news.cn"
        return f"https://{host}/{local:%Y%m%d}/{hx}/c.html"
    if wire == "AP":
        return f"https://apnews.com/article/{_slug(title, hx)}-{hx}"
    if wire == "Reuters":
        host = "cn.reuters.com/article" if lang == "zh" else "www.reuters.com/world"
        return f"https://{host}/{_slug(title, hx[:12])}-{local:%Y-%m-%d}/"
    section = f"{'zh' if lang == 'zh' else 'en'}/news/{h % 9000 + 1000}"
    return f"https://www.afp.com/{section}/{_slug(title, hx[:10])}-doc-{hx[:8]}"


def _borrow(r, base: list[list[str]], paras: list[list[str]], lang: str, size: int) -> None:
    """Copy some of the base story's sentences into a sibling story: 10-30 % of its length."""
    sentences = [s for p in base for s in p]
    budget = size * r.uniform(0.1, 0.3)
    length = (lambda s: len(s)) if lang == "zh" else (lambda s: s.count(" ") + 1)
    for s in r.sample(sentences, min(len(sentences), 12)):
        if budget <= 0:
            break
        para = r.choice(paras)
        para.insert(r.randint(0, len(para)), s)
        budget -= length(s)


def _borrow_quotes(
    r, base: list[list[str]], paras: list[list[str]], quotes: tuple[str, str]
) -> None:
    """Another wire's account of the same event quotes the same people: 1-2 of the base's quotes."""
    quoted = [s for p in base for s in p if quotes[0] in s]
    for s in r.sample(quoted, min(len(quoted), r.randint(1, 2))):
        para = r.choice(paras)
        para.insert(r.randint(0, len(para)), s)


# ---------------------------------------------------------------------------------- output ---


@dataclass(frozen=True)
class Summary:
    """What `generate` wrote."""

    articles: int
    stories: int
    bytes: int
    seconds: float
    path: Path
    truth_path: Path


def records(
    n: int,
    seed: int,
    zh_share: float = 0.2,
    order: str = "shuffled",
    version: int = GENERATOR_VERSION,
) -> Iterator[tuple[dict, dict]]:
    """Yield (record, truth) in arrival order, in this process (for tests and small corpora).

    Same records and order as `generate` writes; keeps one window of records in memory.
    """
    p = plan(n, seed, zh_share, order, version=version)
    builder = Builder(p)
    for start in range(0, n, p.window):
        end = min(start + p.window, n)
        window = [builder.record(k) for k in range(start, end)]
        for k in p.order[start:end].tolist():
            yield window[k - start]


_WORKER: Builder | None = None  # one per worker process, set by the pool initializer


def _init_worker(p: Plan) -> None:
    global _WORKER
    _WORKER = Builder(p)


def _chunk(bounds: tuple[int, int]) -> tuple[list[bytes], list[bytes]]:
    """Records bounds[0]..bounds[1]-1 in plan (story) order, so each story is written once."""
    builder = _WORKER
    out, truth = [], []
    for k in range(*bounds):
        rec, t = builder.record(k)
        out.append(orjson.dumps(rec))
        truth.append(orjson.dumps(t))
    return out, truth


def truth_path_for(path: Path) -> Path:
    """`corpus.jsonl` -> `corpus.truth.jsonl`."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".truth.jsonl")


def generate(
    n: int,
    seed: int,
    out: Path,
    truth: Path | None = None,
    zh_share: float = 0.2,
    order: str = "shuffled",
    jobs: int | None = None,
    window: int = WINDOW,
    version: int = GENERATOR_VERSION,
) -> Summary:
    """Write `n` articles to `out` (JSON Lines) and their ground truth to `truth`.

    Records: {id, title, url, source, published, text}. Truth: {id, story, original_id, transform,
    kind, related, lang, wire}; `related` names a sibling's base story or a report's template.
    Workers produce records in story order; the main process holds one window of them and writes
    it in arrival order. Files are written under a temporary name and renamed at the end, so a
    cache never holds half a corpus.
    """
    t0 = time.perf_counter()
    out = Path(out)
    truth = Path(truth) if truth else truth_path_for(out)
    p = plan(n, seed, zh_share, order, window, version)
    jobs = max(1, jobs or os.cpu_count() or 1)
    vocabulary()  # build before forking so workers share it
    bounds = [(i, min(i + CHUNK, n, (i // p.window + 1) * p.window)) for i in range(0, n, CHUNK)]
    tmp_out, tmp_truth = out.with_name(out.name + ".part"), truth.with_name(truth.name + ".part")
    written = 0
    pool = None
    if jobs == 1 or n <= 2 * CHUNK:
        _init_worker(p)
        chunks = map(_chunk, bounds)
    else:
        pool = multiprocessing.get_context("fork").Pool(jobs, _init_worker, (p,))
        chunks = pool.imap(_chunk, bounds)
    try:
        with open(tmp_out, "wb") as f_out, open(tmp_truth, "wb") as f_truth:
            lines: list[bytes] = []
            truths: list[bytes] = []
            start = 0
            for (_, j), (recs, trs) in zip(bounds, chunks, strict=True):
                lines.extend(recs)
                truths.extend(trs)
                if j == n or j % p.window == 0:
                    order_in_window = (p.order[start:j] - start).tolist()
                    # joined in slices, so the window is not copied whole
                    for a in range(0, len(order_in_window), 5000):
                        part = order_in_window[a : a + 5000]
                        data = b"\n".join([lines[k] for k in part]) + b"\n"
                        f_out.write(data)
                        f_truth.write(b"\n".join([truths[k] for k in part]) + b"\n")
                        written += len(data)
                    lines, truths, start = [], [], j
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    tmp_out.replace(out)
    tmp_truth.replace(truth)
    return Summary(n, p.stories, written, time.perf_counter() - t0, out, truth)


@click.command()
@click.option("--n", "n", type=int, default=10000, show_default=True, help="Number of articles.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="corpus .jsonl"
)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ground-truth sidecar [default: OUT with .truth.jsonl].",
)
@click.option(
    "--zh-share", type=float, default=0.2, show_default=True, help="Share of Chinese stories."
)
@click.option(
    "--order",
    type=click.Choice(["shuffled", "crawl"]),
    default="shuffled",
    show_default=True,
    help="Arrival order: uniformly shuffled, or by publication time plus crawl lag.",
)
@click.option("--jobs", type=int, default=None, help="Worker processes [default: all cores].")
@click.option(
    "--window",
    type=int,
    default=WINDOW,
    show_default=True,
    help="Records reordered together; bounds memory (about 4 KB per record).",
)
@click.option(
    "--generator-version",
    "version",
    type=click.Choice([str(v) for v in GENERATOR_VERSIONS]),
    default=str(GENERATOR_VERSION),
    show_default=True,
    help="2 = the corpus before real text shapes (hard wraps, joined bodies, edited versions).",
)
def main(
    n: int,
    seed: int,
    out: Path,
    truth: Path | None,
    zh_share: float,
    order: str,
    jobs: int | None,
    window: int,
    version: str,
) -> None:
    """Write a synthetic news-syndication corpus and its ground truth.

    \b
    Example:
        python -m bench.corpus --n 10000 --seed 1 --out corpus.jsonl
    """
    summary = generate(n, seed, out, truth, zh_share, order, jobs, window, int(version))
    click.echo(
        f"{summary.articles} articles from {summary.stories} stories, {summary.bytes / 1e6:.1f} MB "
        f"in {summary.seconds:.1f} s ({summary.articles / summary.seconds:,.0f} articles/s) -> "
        f"{summary.path}, {summary.truth_path}",
        err=True,
    )


if __name__ == "__main__":
    sys.exit(main())
