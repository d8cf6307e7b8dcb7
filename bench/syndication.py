"""How a syndicating site republishes a wire story: its chrome, time zone and transforms.

`Story` is a wire original kept as sentences; `make_site` invents a site (name, domain, chrome
lines, time zone, title style) from its index; `syndicate` applies a copy's transforms (verbatim,
credit added or removed, new headline, trim, local intro, quote style, word edits, excerpt,
expansion; or an edited version) and returns its title, text and transform names. `assemble` lays
out any text, in any of `bench.shapes`' layouts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from bench import lexicon as L
from bench.shapes import PARAGRAPHS, Layout, edit_version, lay_out
from bench.writer import ChineseWriter, EnglishWriter, Entities, Rng, mix, vocabulary

WIRES_ZH = {"Xinhua": "新华社", "AP": "美联社", "Reuters": "路透社", "AFP": "法新社"}

# Transforms a syndicating site applies: weights for the first one; a second one is drawn 35 % of
# the time.
TRANSFORMS = {
    "verbatim": 0.18,
    "credit_added": 0.08,
    "credit_removed": 0.08,
    "headline": 0.10,
    "trim": 0.12,
    "intro": 0.10,
    "quotes": 0.06,
    "edits": 0.12,
    "excerpt": 0.08,
    "expanded": 0.08,
}
_EXCLUSIVE = {"excerpt": {"expanded", "trim"}, "expanded": {"excerpt"}, "trim": {"excerpt"}}
_ZH_SITE_CODES = tuple(
    "ribao wanbao dushibao news online shibao shangbao net zixun kuaibao".split()
)  # domain part for each of lexicon.ZH_SITE_SUFFIXES
_TZ_OFFSETS = (-480, -420, -360, -300, -240, 0, 0, 60, 120, 180, 330, 480, 540, 600)


@dataclass
class Story:
    """A wire original, kept as sentences so copies can be trimmed, excerpted and edited."""

    lang: str
    wire: str
    title: str
    dateline: str
    paragraphs: list[list[str]]
    tail: str | None
    url: str
    when: datetime
    quotes: tuple[str, str]
    entities: Entities | None
    related: int | str | None = None


@dataclass(frozen=True)
class Site:
    """An invented syndicating site; its chrome, time zone and title style hold for every copy."""

    name: str
    domain: str
    lang: str
    town: str
    offset: int
    timestamp_style: int
    header: tuple[str, ...]
    footer: tuple[str, ...]
    title_suffix: str
    section: str


def make_site(seed: int, lang: str, i: int) -> Site:
    r = random.Random(mix(seed, 7, i, 1 if lang == "zh" else 0))
    offset = r.choice(_TZ_OFFSETS)
    style = r.choice((0, 0, 1, 2))
    has_chrome = r.random() < 0.7
    if lang == "en":
        a, b, w = L.EN_TOWN_PARTS_A, L.EN_TOWN_PARTS_B, L.EN_SITE_WORDS
        town = f"{a[i % len(a)]} {b[(i // len(a)) % len(b)]}"
        name = f"{town} {w[(i // (len(a) * len(b))) % len(w)]}"
        extra = i // (len(a) * len(b) * len(w))
        name += f" {extra + 1}" if extra else ""
        domain = name.lower().replace(" ", "") + r.choice((".com", ".com", ".net", ".news", ".org"))
        section = r.choice(L.EN_SECTIONS)
        fill = dict(site=name, domain=domain, year=2024, section=section)
        lines = [x.format(**fill) for x in r.sample(L.EN_CHROME_LINES, 5)]
        suffix = r.choice(("", "", f" | {name}", f" - {name}"))
    else:
        places, codes = L.ZH_PLACE_PREFIXES, L.ZH_SITE_SUFFIXES
        k = i % (len(places) * len(codes))
        town = places[k % len(places)]
        name = town + codes[k // len(places)]
        extra = i // (len(places) * len(codes))
        domain = (
            f"{L.ZH_SITE_PINYIN[k % len(places)]}{_ZH_SITE_CODES[k // len(places)]}{extra or ''}.cn"
        )
        name += str(extra + 1) if extra else ""
        section = r.choice(L.ZH_SECTIONS)
        fill = dict(
            site=name,
            domain=domain,
            year=2024,
            section=section,
            phone=f"010-{r.randint(60000000, 89999999)}",
            editor=r.choice(L.ZH_SURNAMES)
            + r.choice(L.ZH_GIVEN_CHARS)
            + r.choice(L.ZH_GIVEN_CHARS),
        )
        lines = [x.format(**fill) for x in r.sample(L.ZH_CHROME_LINES, 5)]
        suffix = r.choice(("", "", f"_{name}", f"-{name}"))
    header = tuple(lines[: r.randint(1, 2)]) if has_chrome else ()
    footer = tuple(lines[2 : 2 + r.randint(1, 3)]) if has_chrome else ()
    return Site(name, domain, lang, town, offset, style, header, footer, suffix, section)


def assemble(
    lang: str,
    dateline: str,
    paragraphs: list[list[str]],
    tail: str | None,
    head: list[str] = (),
    foot: list[str] = (),
    lead: int = 0,
    layout: Layout = PARAGRAPHS,
) -> str:
    joiner = "" if lang == "zh" else " "
    body = [joiner.join(p) for p in paragraphs]
    if dateline and lead < len(body):
        body[lead] = dateline + body[lead]
    body = [b for b in body if b]
    return lay_out(lang, list(head), [*body, *([tail] if tail else [])], list(foot), layout)


def _draw_transforms(r) -> list[str]:
    names, weights = list(TRANSFORMS), list(TRANSFORMS.values())
    chosen = r.choices(names, weights)
    if chosen[0] != "verbatim" and r.random() < 0.35:
        second = r.choices(names, weights)[0]
        if second not in ("verbatim", chosen[0]) and second not in _EXCLUSIVE.get(chosen[0], ()):
            chosen.append(second)
    return chosen


def syndicate(
    rng: Rng,
    story: Story,
    site: Site,
    layout: Layout = PARAGRAPHS,
    edit: random.Random | None = None,
    min_excerpt: int = 0,
) -> tuple[str, str, list[str]]:
    """Apply a copy's transforms; returns (title, text, transform names).

    Args:
        layout: how the copy's text is put on lines; a layout other than one paragraph per line
            adds its kind ("wrapped", "joined") to the transform names.
        edit: when given, the copy is an edited version of the story (`bench.shapes.edit_version`
            drawn from this generator) instead of a copy with the usual transforms.
        min_excerpt: when above 0, an excerpt keeps at least this many words (characters in
            Chinese), a story too short to keep that and still be cut by a third, or a templated
            one (`related` names a template), is not excerpted: two lines of an earnings table
            are no copy anyone would call one. 0 keeps the generated corpus' version-3 draws.
    """
    r = rng.py
    zh = story.lang == "zh"
    transforms = ["edited"] if edit is not None else _draw_transforms(r)
    paras = [list(p) for p in story.paragraphs]
    dateline, tail, title = story.dateline, story.tail, story.title
    lead = 0  # the paragraph the dateline stays in front of
    head: list[str] = []
    foot: list[str] = []
    size = lambda s: len(s) if zh else s.count(" ") + 1  # noqa: E731
    total = sum(size(s) for p in paras for s in p)
    if min_excerpt and "excerpt" in transforms and (
        total * 2 / 3 < min_excerpt or str(story.related).startswith("template:")
    ):
        transforms = [t for t in transforms if t != "excerpt"] or ["verbatim"]
    writer = None
    if {"intro", "expanded", "headline", "edited"} & set(transforms):
        entities = story.entities or (ChineseWriter if zh else EnglishWriter).entities(
            rng, r.randrange(48)
        )
        writer = (ChineseWriter if zh else EnglishWriter)(rng, entities, story.quotes)
    for t in transforms:
        if t == "edited":
            paras = edit_version(edit, paras, writer, zh)
        elif t == "edits":
            _edit_words(r, paras, r.uniform(0.01, 0.05), zh)
        elif t == "quotes":
            _swap_quotes(paras, story.quotes)
        elif t == "trim":
            _keep_leading(paras, total * (1 - r.uniform(0.10, 0.25)), size)
        elif t == "excerpt":
            _keep_leading(paras, max(total * r.uniform(0.30, 0.60), min_excerpt), size)
            tail = None
            foot.append(f"阅读全文：{story.url}" if zh else f"Read the full story at {story.url}")
        elif t == "expanded":
            extra = writer.local(site.town, int(total * r.uniform(0.4, 1.0)))
            cut = r.randint(0, len(extra))
            paras = extra[:cut] + paras + extra[cut:]
            lead += cut
        elif t == "intro":
            paras.insert(0, writer.local(site.town, 1)[0][:2])
            lead += 1
        elif t == "credit_added":
            line = (
                f"来源：{WIRES_ZH[story.wire]}"
                if zh
                else r.choice((f"Source: {story.wire}", f"(Source: {story.wire})"))
            )
            (head if r.random() < 0.3 else foot).append(line)
        elif t == "credit_removed":
            dateline, tail = "", None
        elif t == "headline":
            original = title
            title = writer.headline()
            if zh and r.random() < 0.5:
                head.append(f"原标题：{original}")
    if layout.kind != "paragraphs":
        transforms.append(layout.kind)
    if site.header or site.footer:
        transforms.append("chrome")
    text = assemble(
        story.lang,
        dateline,
        paras,
        tail,
        [*site.header, *head],
        [*foot, *site.footer],
        lead,
        layout,
    )
    return title + site.title_suffix, text, transforms


def _keep_leading(paras: list[list[str]], budget: float, size) -> None:
    kept = 0.0
    for i, p in enumerate(paras):
        for j, s in enumerate(p):
            kept += size(s)
            if kept >= budget:
                del p[j + 1 :]
                del paras[i + 1 :]
                return


def _edit_words(r, paras: list[list[str]], rate: float, zh: bool) -> None:
    """Substitute `rate` of the words (Han characters in Chinese) at random positions."""
    if zh:
        common = L.ZH_COMMON_CHARS
        for p in paras:
            for j, s in enumerate(p):
                k = int(len(s) * rate + r.random())
                if k:
                    chars = list(s)
                    for pos in r.sample(range(len(chars)), k):
                        if "\u4e00" <= chars[pos] <= "\u9fff":
                            chars[pos] = common[int(r.random() * len(common))]
                    p[j] = "".join(chars)
        return
    words = vocabulary().en_nouns.words[:3000]
    for p in paras:
        for j, s in enumerate(p):
            tokens = s.split(" ")
            k = int(len(tokens) * rate + r.random())
            if k:
                for pos in r.sample(range(len(tokens)), k):
                    if tokens[pos].isalpha() and tokens[pos].islower():
                        tokens[pos] = words[int(r.random() * len(words))]
                p[j] = " ".join(tokens)


def _swap_quotes(paras: list[list[str]], quotes: tuple[str, str]) -> None:
    curly = quotes[0] != '"'
    for p in paras:
        for j, s in enumerate(p):
            if curly:
                p[j] = s.replace("\u201c", '"').replace("\u201d", '"')
            else:
                parts = s.split('"')
                p[j] = "".join(
                    part + ("\u201c" if i % 2 == 0 else "\u201d") if i < len(parts) - 1 else part
                    for i, part in enumerate(parts)
                )
