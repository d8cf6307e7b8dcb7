"""Origin attribution: which member of a cluster is the original, and why.

Ranking (first difference decides): published by a known wire (source or URL
domain) > a credit line naming a wire > earliest ``published`` (UTC) > the
fuller text > first seen. Every decision is explained in short evidence
strings; conflicts (two wires credited, a copy dated before the wire's own)
are reported, not hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

_FAR_FUTURE = float("inf")


@dataclass
class Member:
    """What attribution needs to know about one article of a cluster."""

    id: str
    source: str | None
    url: str | None
    published: datetime | None
    size: int
    arrival: int
    wire: str | None = None
    wire_evidence: str | None = None
    credited: tuple[str, ...] = field(default_factory=tuple)
    credit_text: str | None = None

    def rank(self) -> tuple:
        """Sort key: the smallest key is the most likely original."""
        stamp = self.published.timestamp() if self.published else _FAR_FUTURE
        return (self.wire is None, not self.credited, stamp, -self.size, self.arrival)


def iso(stamp: datetime | None) -> str | None:
    """UTC ISO 8601 with a ``Z``, or None."""
    if stamp is None:
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def choose_original(members: Sequence[Member]) -> tuple[Member, list[str]]:
    """Pick the original and say which criterion decided it.

    Returns:
        ``(original, why)``.
    """
    ranked = sorted(members, key=Member.rank)
    best = ranked[0]
    if len(ranked) == 1:
        return best, []
    runner = ranked[1]
    return best, [_deciding_reason(best, runner)]


def _deciding_reason(best: Member, runner: Member) -> str:
    if best.wire is not None and runner.wire is None:
        return f"original: published by wire {best.wire} ({best.wire_evidence})"
    if best.credited and not runner.credited:
        return f"original: its credit line names {', '.join(best.credited)}"
    a, b = best.rank()[2], runner.rank()[2]
    if a != b:
        later = iso(runner.published) if runner.published else "no date"
        prefix = "earliest published" if best.wire is None else f"earliest copy from wire {best.wire}"
        return f"original: {prefix}: {iso(best.published)} (next: {later})"
    if best.size != runner.size:
        return f"original: fullest text ({best.size} shingles vs {runner.size})"
    return "original: first seen (no other evidence tells the copies apart)"


def origin_source(original: Member, members: Sequence[Member]) -> tuple[str | None, list[str]]:
    """The source a cluster is attributed to, with evidence.

    The original's wire if it is a wire's own copy; else the wire its members'
    credit lines name most (the original's credits first on a tie); else the
    original's publisher.
    """
    if original.wire is not None:
        return original.wire, []
    votes: Counter[str] = Counter()
    for member in members:
        votes.update(set(member.credited))
    if votes:
        top = max(votes.values())
        winners = [w for w in original.credited if votes[w] == top] or \
                  sorted(w for w, n in votes.items() if n == top)
        wire = winners[0]
        n = votes[wire]
        return wire, [f"origin {wire}: named by the credit line of {n} of {len(members)} "
                      f"article{'s' if len(members) > 1 else ''} (its own copy is not in the index)"]
    return original.source, []


def conflicts(original: Member, members: Sequence[Member]) -> list[str]:
    """Evidence that disagrees with the attribution."""
    notes = []
    wires = sorted({m.wire for m in members if m.wire} | {w for m in members for w in m.credited})
    if len(wires) > 1:
        notes.append(f"conflict: more than one wire named in this cluster: {', '.join(wires)}")
    if original.wire is not None and original.published is not None:
        for member in members:
            if member is not original and member.wire is None and member.published is not None \
                    and member.published < original.published:
                notes.append(f"conflict: {member.id!r} is dated {iso(member.published)}, before the "
                             f"wire's own copy ({iso(original.published)})")
    return notes
