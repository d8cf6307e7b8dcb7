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

    The lead's first one or two sentences are rewritten, one or two later paragraphs are cut, an
    update of about the cut length is merged in, and up to two sentences elsewhere are rewritten.
    Word-5-gram Jaccard with the wire text lands in 0.5-0.8 (median 0.65 with site chrome, 0.48 at
    the 5th percentile), the smaller containment above 0.6 for most, in long shared runs.
    """
    size = (lambda s: len(s)) if zh else (lambda s: s.count(" ") + 1)  # noqa: E731
    out = [list(p) for p in paras]
    total = sum(size(s) for p in out for s in p)
    writer.top_up()  # a writer's word pools are topped up before each paragraph it writes
    lead = r.randint(1, min(2, len(out[0])))
    out[0][:lead] = [writer.sentence() for _ in range(lead)]  # the lead rewritten
    cut = 0.0
    budget = total * r.uniform(0.05, 0.14)
    for _ in range(2):
        if len(out) < 4 or cut >= budget:
            break
        k = r.randrange(1, len(out))
        cut += sum(size(s) for s in out[k])
        del out[k]
    update = writer.paragraphs(max(int(cut * r.uniform(0.7, 1.1)), 40 if zh else 20))
    at = r.randint(1, len(out))
    out[at:at] = update
    writer.top_up()
    for _ in range(r.randint(0, 2)):
        p = out[r.randrange(len(out))]
        p[r.randrange(len(p))] = writer.sentence()
    return out
