"""Real text shapes for the benchmark's copies: hard-wrapped lines, joined bodies, edited versions.

`Layout` says how a copy's text is laid out on lines (`assemble` in `bench.syndication` applies it):
one paragraph per line (the generator's shape up to version 2), hard-wrapped at 60-80 columns the
way plain-text wire feeds, archives and e-mail newsletters deliver text (copies taken from one feed
wrap alike, so the width belongs to the story), or the whole body joined into one line (a scraped
page that lost its paragraph breaks). `edit_version` rewrites a wire story the way an outlet edits
agency copy: a paragraph cut, the lead rewritten, an update merged in, at about the same length.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass

from bench.truth import Shingler, similarity
from bench.writer import mix

FEED_WRAPPED_SHARE = 0.3  # stories whose copies mostly come from a plain-text (hard-wrapped) feed
WRAPPED_IN_FEED = 0.8  # copies of such a story that keep the feed's line breaks
WRAPPED_ELSEWHERE = 0.04  # copies of any other story wrapped anyway (an archive, a newsletter)
JOINED_SHARE = 0.06  # copies whose body paragraphs were joined into one line
EDITED_SHARE = 0.12  # copies that are edited versions of the wire story


@dataclass(frozen=True)
class Layout:
    """How a text is put on lines.

    Attributes:
        kind: "paragraphs" (one per line, blank line between), "wrapped" or "joined".
        width: columns per line when wrapped (a Han character takes two).
        indent: wrapped paragraphs start with four spaces and follow each other without a blank
            line (the Reuters plain-text style) instead of being separated by a blank line.
    """

    kind: str = "paragraphs"
    width: int = 72
    indent: bool = False


PARAGRAPHS = Layout()


def story_wrap(seed: int, story: int) -> tuple[bool, Layout]:
    """(copies mostly come from a hard-wrapped feed, the feed's layout) for one story."""
    h = mix(seed, story, 11)
    wrapped = (h % 1000) / 1000 < FEED_WRAPPED_SHARE
    return wrapped, Layout("wrapped", 60 + (h >> 10) % 21, (h >> 20) % 3 == 0)


def copy_shape(seed: int, story: int, copy: int) -> tuple[random.Random, Layout, bool]:
    """A copy's shape: (its own generator, its layout, whether it is an edited version).

    Drawn from a generator of its own, so a generator-version-2 copy's transforms are unchanged.
    """
    r = random.Random(mix(seed, story, copy, 9))
    feed, wrap = story_wrap(seed, story)
    edited = r.random() < EDITED_SHARE
    x = r.random()
    if x < (WRAPPED_IN_FEED if feed else WRAPPED_ELSEWHERE):
        return r, wrap, edited
    if r.random() < JOINED_SHARE:
        return r, Layout("joined"), edited
    return r, PARAGRAPHS, edited


def lay_out(lang: str, head: list[str], body: list[str], foot: list[str], layout: Layout) -> str:
    """The text of a copy: chrome lines, body paragraphs and footer lines under `layout`."""
    if layout.kind == "joined":
        body = [("" if lang == "zh" else " ").join(body)] if body else []
    blocks = [*head, *body, *foot]
    if layout.kind != "wrapped":
        return "\n\n".join(blocks)
    lines = [wrap_paragraph(b, layout.width, lang, layout.indent) for b in blocks]
    return ("\n" if layout.indent else "\n\n").join(lines)


def wrap_paragraph(paragraph: str, width: int, lang: str, indent: bool = False) -> str:
    """One paragraph broken into lines of at most `width` columns."""
    if lang == "zh":
        step = max(8, width // 2)  # Han characters are two columns wide in a plain-text feed
        text = ("\u3000\u3000" if indent else "") + paragraph
        return "\n".join(text[k : k + step] for k in range(0, len(text), step))
    return textwrap.fill(paragraph, width, initial_indent="    " if indent else "",
                         break_long_words=False, break_on_hyphens=False)


def edit_version(r: random.Random, paras: list[list[str]], writer, zh: bool) -> list[list[str]]:
    """An edited version of a story's paragraphs (sentences): about the same length, most shared.

    The lead's first sentence is rewritten, one or two later paragraphs (or sentences, in a short
    story) are cut, an update of about the cut length is merged in, and up to two sentences
    elsewhere are rewritten. Edits are drawn at full strength first and weaker until the body's
    word-5-gram Jaccard with the wire text is 0.5-0.8 with both containments >= 0.6 (the issue's
    measurement of real edited pairs), so a short story is edited less than a long one.
    """
    joiner = "" if zh else " "
    shingles = Shingler()
    wire = shingles(joiner.join(s for p in paras for s in p))
    out = paras
    for scale in (1.0, 0.7, 0.5, 0.35, 0.25, 0.15):
        out = _edited(r, paras, writer, zh, scale)
        j, c1, c2 = similarity(shingles(joiner.join(s for p in out for s in p)), wire)
        if 0.5 <= j <= 0.8 and min(c1, c2) >= 0.6:
            break
    return out


def _edited(r: random.Random, paras: list[list[str]], writer, zh: bool, scale: float
            ) -> list[list[str]]:
    size = (lambda s: len(s)) if zh else (lambda s: s.count(" ") + 1)  # noqa: E731
    out = [list(p) for p in paras]
    total = sum(size(s) for p in out for s in p)
    writer.top_up()  # a writer's word pools are topped up before each paragraph it writes
    if scale >= 0.35 or size(out[0][0]) < 0.15 * total:
        out[0][0] = writer.sentence()  # the lead rewritten
    budget = total * r.uniform(0.06, 0.14) * scale
    cut = 0.0
    for _ in range(2):
        if cut >= budget:
            break
        whole = [k for k in range(1, len(out)) if sum(map(size, out[k])) <= 1.5 * budget]
        if whole:
            k = r.choice(whole)
            cut += sum(size(s) for s in out[k])
            del out[k]
            continue
        k = r.randrange(len(out))  # a short story: one sentence cut instead of a paragraph
        if len(out[k]) > 1 and size(out[k][-1]) <= 1.5 * budget:
            cut += size(out[k].pop())
    writer.top_up()
    update = [writer.sentence() for _ in range(max(1, round(cut / (30 if zh else 18))))]
    at = r.randint(1, len(out))
    out[at:at] = [update]
    writer.top_up()
    for _ in range(r.randint(0, 2 if scale >= 0.5 else 0)):
        p = out[r.randrange(len(out))]
        p[r.randrange(len(p))] = writer.sentence()
    return out
