"""The benchmark corpus from real wire prose: Reuters-21578 items republished by invented sites.

Each story of `bench.reuters.stories` is one wire original (the earliest item, with its real
dateline and "Reuter" sign-off, one paragraph per line), its real re-sends (transform `resend`),
and 0-5 copies on invented sites made with the generated corpus' transforms and shapes
(`bench.syndication.syndicate`, `bench.shapes`): credit changes, trims, excerpts, expansions,
edited versions, hard wraps, joined bodies, with the chrome of scraped blogs ("Leave a Reply",
"Back To Top"). Text the sites add (intros, local paragraphs, edits' updates) is generated.
Templated earnings and market items stay in as hard negatives (kind `template`); they are not
excerpted, and an excerpt keeps at least `MIN_EXCERPT` words.

    python -m bench.reuters_corpus --n 3000 --seed 1 --out reuters.jsonl
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import numpy as np
import orjson

from bench import lexicon as L
from bench.corpus import COPIES_P, SKEW_SHARE, Summary, truth_path_for
from bench.reuters import REUTERS_DIR, Item, read_items, stories
from bench.shapes import copy_shape
from bench.syndication import Site, Story, assemble, make_site, syndicate
from bench.writer import Rng, mix

REUTERS_VERSION = 2  # bump when the corpus for a given (n, seed) changes; cache keys include it
# Version 2: excerpts keep at least MIN_EXCERPT words, and neither templated items nor items too
# short for that are excerpted (version 1 cut earnings tables into two-line "excerpts", under
# dedup's 40-shingle minimum).
MIN_EXCERPT = 50
TABLE_FAMILY = "template:en:reuters-table"  # every templated item: one family of hard negatives
_SLUG = re.compile(r"[a-z0-9]+")


def scraper_site(seed: int, i: int) -> Site:
    """Site `i` of the Reuters variant: a generated site wearing a scraped blog's chrome."""
    site = make_site(seed, "en", i)
    r = np.random.default_rng([seed, 0x5C2A, i])
    fill = dict(site=site.name, domain=site.domain, section=site.section)
    if r.random() < 0.2:  # a site that publishes the bare text
        return dataclasses.replace(site, header=(), footer=())
    header = sorted(r.choice(len(L.EN_SCRAPER_HEADERS), r.integers(1, 4), replace=False))
    footer = L.EN_SCRAPER_FOOTER
    start = int(r.integers(0, 6))
    end = int(r.integers(max(start + 3, 10), len(footer) + 1))
    return dataclasses.replace(
        site,
        header=tuple(L.EN_SCRAPER_HEADERS[k].format(**fill) for k in header),
        footer=tuple(x.format(**fill) for x in footer[start:end]),
    )


def _wire_story(item: Item) -> Story:
    title = item.title.title() if item.title.isupper() else item.title
    slug = "-".join(_SLUG.findall(title.lower())[:8])
    return Story("en", "Reuters", title, item.dateline, [list(p) for p in item.paragraphs],
                 "Reuter" if item.signed else None,
                 f"https://www.reuters.com/article/{slug}-idUSN{item.newid:07d}", item.when,
                 ('"', '"'), None, TABLE_FAMILY if item.table else None)


def _iso(when) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(n: int, seed: int, folder: Path = REUTERS_DIR) -> tuple[list[dict], list[dict], dict]:
    """`n` records in arrival order, their truth rows, and counts of what the collection gave.

    Raises:
        FileNotFoundError: Reuters-21578 is not in `folder`.
        ValueError: `n` is more than the collection's stories can make.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    all_stories, counts = stories(read_items(folder))
    g = np.random.default_rng([seed, 0x2E07])
    chosen = g.permutation(len(all_stories))
    copies = g.choice(len(COPIES_P), size=len(all_stories), p=COPIES_P)
    plan = []  # (story index, copy number: 0 = original, < 0 = re-send, > 0 = a site's copy)
    for s in chosen.tolist():
        if len(plan) >= n:
            break
        resends = len(all_stories[s].items) - 1
        plan += [(s, 0)] + [(s, -k) for k in range(1, resends + 1)]
        plan += [(s, c) for c in range(1, int(copies[s]) + 1)]
    if len(plan) < n:
        raise ValueError(f"Reuters-21578 makes at most {len(plan)} records, asked for {n}")
    plan = plan[:n]
    n_copies = sum(c > 0 for _, c in plan)
    n_sites = max(12, n_copies // 120)
    site_of = (n_sites * g.random(n) ** 2).astype(np.int64)
    delay = np.clip(g.lognormal(np.log(90.0), 1.3, n), 1.0, 3 * 24 * 60)
    skewed = g.random(n) < SKEW_SHARE
    delay[skewed] = -g.uniform(2.0, 360.0, int(skewed.sum()))
    rng, sites = Rng(), {}
    rows = []
    for k, (s, c) in enumerate(plan):
        story = all_stories[s]
        rid = f"{mix(seed, s, c, 0x2E) :016x}"
        original = story.original
        truth = {"id": rid, "story": s, "original_id": f"{mix(seed, s, 0, 0x2E):016x}",
                 "transform": "original", "kind": "template" if original.table else "news",
                 "related": TABLE_FAMILY if original.table else None, "lang": "en",
                 "wire": "Reuters"}
        if c <= 0:
            wire = _wire_story(story.items[-c])
            text = assemble("en", wire.dateline, wire.paragraphs, wire.tail)
            record = {"id": rid, "title": wire.title, "url": wire.url, "source": "Reuters",
                      "published": _iso(wire.when), "text": text}
            truth["transform"] = "original" if c == 0 else "resend"
        else:
            wire = _wire_story(original)
            site = sites.get(int(site_of[k])) or sites.setdefault(
                int(site_of[k]), scraper_site(seed, int(site_of[k])))
            rng.reseed(mix(seed, s, c, 0x2E, 2))
            shape, layout, edited = copy_shape(seed ^ 0x2E07, s, c)
            edit = shape if edited and not original.table else None
            title, text, transforms = syndicate(rng, wire, site, layout, edit, MIN_EXCERPT)
            when = wire.when + timedelta(minutes=float(delay[k]))
            local = when + timedelta(minutes=site.offset)
            slug = "-".join(_SLUG.findall(title.lower())[:8]) or rid
            record = {"id": rid, "title": title,
                      "url": f"https://www.{site.domain}/{local:%Y/%m/%d}/{slug}/",
                      "source": site.name, "published": _iso(when), "text": text}
            truth["transform"] = "+".join(transforms)
        rows.append((record, truth))
    order = g.permutation(n)
    return [rows[k][0] for k in order], [rows[k][1] for k in order], counts


def generate(n: int, seed: int, out: Path, folder: Path = REUTERS_DIR) -> Summary:
    """Write the Reuters-based corpus to `out` and its truth to the `.truth.jsonl` beside it."""
    t0 = time.perf_counter()
    out = Path(out)
    recs, truth, _ = build(n, seed, folder)
    data = b"".join(orjson.dumps(r) + b"\n" for r in recs)
    tmp, tmp_truth = out.with_name(out.name + ".part"), out.with_name(out.name + ".truth.part")
    tmp.write_bytes(data)
    tmp_truth.write_bytes(b"".join(orjson.dumps(t) + b"\n" for t in truth))
    tmp.replace(out)
    tmp_truth.replace(truth_path_for(out))
    return Summary(n, len({t["story"] for t in truth}), len(data), time.perf_counter() - t0, out,
                   truth_path_for(out))


def corpus_for(n: int, seed: int, cache: Path, folder: Path = REUTERS_DIR, log=print) -> Path:
    """The cached Reuters-based corpus of `n` records, built first if missing."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"reuters-v{REUTERS_VERSION}-n{n}-s{seed}.jsonl"
    if path.exists() and truth_path_for(path).exists():
        return path
    log(f"building {n:,} records from Reuters-21578 ({folder}) -> {path}")
    summary = generate(n, seed, path, folder)
    meta = {"records": summary.articles, "stories": summary.stories, "seed": seed,
            "reuters_version": REUTERS_VERSION, "seconds": round(summary.seconds, 1)}
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2))
    return path


@click.command()
@click.option("--n", "n", type=int, default=3000, show_default=True, help="Number of records.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--reuters", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=REUTERS_DIR, show_default=True, help="Folder with reut2-*.sgm.")
def main(n: int, seed: int, out: Path, folder: Path) -> None:
    """Write a corpus of Reuters-21578 wire items and their invented republications.

    \b
    Example:
        python -m bench.reuters_corpus --n 3000 --seed 1 --out reuters.jsonl
    """
    try:
        summary = generate(n, seed, out, folder)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{summary.articles} records from {summary.stories} stories in "
               f"{summary.seconds:.1f} s -> {summary.path}, {summary.truth_path}", err=True)


if __name__ == "__main__":
    sys.exit(main())
