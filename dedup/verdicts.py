"""Verdicts: what the index says about one stored article, and why.

The index (``dedup.index``) places articles; this module turns its state
(``dedup.storage.store``) into the ``Verdict`` records of the output contract: the
article's relation to its cluster's original, and the cluster's attribution
(``dedup.attribution``) with its evidence, computed once per cluster when a
listing asks for many members (``current_verdicts``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import islice

import numpy as np

from .attribution import Member, attribute, canonical_evidence, iso
from .config import Config
from .heap import collector_paused
from .records import Verdict
from .storage.store import ClusterState, Doc, Store
from .verify import Match, compare, measure

LISTING = 65536  # articles a part of `listing` (one part's objects held at once)


@dataclass(frozen=True)
class Context:
    """A cluster's attribution, the same in every member's verdict."""

    copies: int
    reasons: list[str]
    origin: str | None
    origin_why: list[str]
    conflicts: list[str]


def member(store: Store, slot: int, doc: Doc | None = None) -> Member:
    """A stored article (its ``doc``, if the caller has it) as attribution ranks it."""
    d = store.doc(slot) if doc is None else doc
    return Member(d.id, d.source, d.url, d.published, store.size(slot), d.arrival,
                  d.wire, d.wire_evidence, d.credited, d.credit_text,
                  canonical=d.canonical, canonical_wire=d.canonical_wire)


def current_verdict(store: Store, config: Config, slot: int,
                    match: Match | None = None) -> Verdict:
    """``slot``'s verdict now. ``match`` is ``slot``'s match with its cluster's
    original when the caller has just found it (placing the article): it is not
    computed again."""
    doc = store.doc(slot)
    cluster = store.cluster(doc.cluster)
    if cluster.original == slot:
        match = None
    elif match is None:
        mine = store.probe(slot)
        match = compare(config, mine, store.columns(np.array([cluster.original], np.int64)))[0]
        if match is None:  # e.g. matched an earlier original; report what it measures now
            match = measure(mine, store.probe(cluster.original))
    return verdict_for(store, doc, cluster, match)


def current_verdicts(store: Store, slots: Sequence[int]) -> list[Verdict]:
    """The verdicts of many stored articles now (a listing): the articles' metadata
    read at once (`Store.docs`), each cluster's attribution put together once, and
    the members' matches with their originals measured in one call
    (`Store.matches`)."""
    docs = dict(zip(slots, store.docs(slots), strict=True))
    clusters: dict[int, ClusterState] = {}
    for d in docs.values():
        if d.cluster not in clusters:
            clusters[d.cluster] = store.cluster(d.cluster)
    # the originals and the other members the clusters' attribution ranks
    others = list(dict.fromkeys(s for c in clusters.values() for s in (c.original, *c.members)
                                if s not in docs))
    docs.update(zip(others, store.docs(others), strict=True))
    copies = [s for s in slots if clusters[docs[s].cluster].original != s]
    found = store.matches(np.array(copies, dtype=np.int64),
                          np.array([clusters[docs[s].cluster].original for s in copies],
                                   dtype=np.int64))
    matches = dict(zip(copies, found, strict=True))
    contexts: dict[int, Context] = {}
    out = []
    for slot in slots:
        cluster = clusters[docs[slot].cluster]
        context = contexts.get(cluster.id)
        if context is None:
            # the original as an object of its own, as `cluster_context` makes it
            # (attribution tells members apart by identity)
            context = contexts[cluster.id] = cluster_context(
                store, cluster, members=[member(store, s, docs[s]) for s in cluster.members],
                original=member(store, cluster.original, docs[cluster.original]))
        out.append(verdict_for(store, docs[slot], cluster, matches.get(slot), context,
                               docs[cluster.original]))
    return out


def listing(store: Store, lock: AbstractContextManager, writes: Callable[[], int]
            ) -> Iterator[Verdict]:
    """Every stored article's verdict now, in arrival order, made ``LISTING`` at a
    time (`current_verdicts`), so that a listing of millions holds one part's
    objects at once. Each part is made holding ``lock``. When ``writes()`` (the
    index's count of ended writes) moved in between, the listing goes on from the
    first live article that arrived after the last one listed (slots may have
    been renumbered): articles added meanwhile are listed, removed ones are not,
    and a part already listed is not revised."""
    last = -1  # arrival of the last article listed
    slots: list[int] = []
    at, seen = 0, -1  # seen: writes() when `slots` was read
    while True:
        with lock:
            if seen != writes():
                slots, seen = store.live_slots(), writes()
                at = bisect_right(slots, last, key=lambda s: store.doc(s).arrival)
            part = slots[at:at + LISTING]
            if not part:
                return
            with collector_paused():
                listed = current_verdicts(store, part)
            at += len(part)
            last = store.doc(part[-1]).arrival
        yield from listed


def verdicts_of(store: Store, lock: AbstractContextManager, article_ids: Iterable[str]
                ) -> Iterator[Verdict | None]:
    """The verdict now of each of ``article_ids`` (None for an id not stored), in
    the order given, made ``LISTING`` at a time as `listing` makes them."""
    ids = iter(article_ids)
    while part := list(islice(ids, LISTING)):
        with lock:
            slots = [store.slot(i) for i in part]
            with collector_paused():
                found = iter(current_verdicts(store, [s for s in slots if s is not None]))
        yield from (None if s is None else next(found) for s in slots)


def cluster_context(store: Store, cluster: ClusterState, query: Doc | None = None, *,
                    members: list[Member] | None = None, original: Member | None = None
                    ) -> Context:
    """What every member's verdict says about the cluster's attribution (``members``
    and ``original``: the cluster's, when the caller has them)."""
    if members is None:
        members = [member(store, s) for s in cluster.members]
    if original is None:
        original = member(store, cluster.original)
    if query is not None:  # a query is judged alongside the members
        members = members + [Member(query.id, query.source, query.url, query.published, 0,
                                    1 << 62, query.wire, query.wire_evidence, query.credited,
                                    query.credit_text, canonical=query.canonical,
                                    canonical_wire=query.canonical_wire)]
    found = attribute(members, original)
    return Context(len(members) - 1, found.reasons, found.origin, found.origin_why,
                   found.conflicts)


def verdict_for(store: Store, doc: Doc, cluster: ClusterState | None, match: Match | None,
                context: Context | None = None, original: Doc | None = None) -> Verdict:
    """The verdict of ``doc`` in ``cluster`` (None: a query that matched nothing),
    related to the original by ``match`` (``original``: its doc, if the caller has it)."""
    why: list[str] = []
    if cluster is None:
        origin = doc.wire or (doc.credited[0] if doc.credited else doc.source)
        why.append("no near-duplicate found")
        why.extend(credit_evidence(doc))
        return Verdict(doc.id, None, doc.id, False, None, None, None, doc.source, origin,
                       why, doc.title, doc.url, iso(doc.published))
    if original is None:
        original = store.doc(cluster.original)
    is_original = doc.arrival >= 0 and original.arrival == doc.arrival  # a query never is
    if context is None:
        context = cluster_context(store, cluster, doc if doc.arrival < 0 else None)
    copies, origin = context.copies, context.origin
    if is_original:
        why.append(f"original of {copies} cop{'y' if copies == 1 else 'ies'}" if copies
                   else "no near-duplicate found")
    else:
        why.append(f"{match.relation} copy of {original.id!r}: similarity "
                   f"{match.similarity:.2f}, containment {match.containment:.2f}")
    why.extend(context.reasons)
    why.extend(cluster.notes)
    why.extend(context.origin_why)
    why.extend(credit_evidence(doc))
    why.extend(context.conflicts)
    return Verdict(
        id=doc.id, cluster=cluster.id, original=original.id, duplicate=not is_original,
        relation=None if is_original else match.relation,
        similarity=None if is_original else match.similarity,
        containment=None if is_original else match.containment,
        source=doc.source, origin_source=origin, why=why, title=doc.title, url=doc.url,
        published=iso(doc.published))


def credit_evidence(doc: Doc) -> list[str]:
    """What the article's own text and page say about its wire."""
    notes = []
    if doc.credited:
        notes.append(f"credit line names {', '.join(doc.credited)}: {doc.credit_text!r}")
    if doc.mentions:
        notes.append(f"mentions {', '.join(doc.mentions)} in the text (not a credit)")
    notes.extend(canonical_evidence(doc.url, doc.canonical, doc.canonical_wire))
    if doc.extraction:
        notes.append(f"text extracted by {doc.extraction}")
    return notes
