"""Placing one article among its candidates, for any store.

The memory store places in the core (src/place.rs: order the matches, join,
decide re-attribution and merges) a whole chunk at a time. Any other store is
asked here for the candidates' clusters and their originals' fingerprints, and
the core's same rule (`_core.order_matches`, `_core.decide`) says what to do; the
store then does it. A query (`Index.query`) is judged by the same `matches`.
"""

from __future__ import annotations

import numpy as np

from . import _core
from .batching import flat
from .config import Config
from .storage.memory_store import MemoryStore
from .storage.store import ClusterState, Placed, Probe, Store
from .verify import Match, compare_rows


def _rank_args(rank: tuple[int, float, int, int]) -> tuple[int, float, int, int]:
    """`Store.rank` (flags, stamp, -size, arrival) as the core's rule takes it."""
    flags, stamp, neg_size, arrival = rank
    return flags, stamp, -neg_size, arrival


def place(store: Store, config: Config, slot: int, candidates: np.ndarray) -> Placed:
    """Join the best matching cluster (or start one); re-attribute and merge."""
    if isinstance(store, MemoryStore):
        return store.place(np.array([slot]), *flat([candidates]))[0]
    matched = matches(store, config, store.probe(slot), candidates)
    if not matched:
        return store.new_cluster(slot).id, None, -1, []
    cluster, _, row = matched[0]
    store.join(cluster, slot)
    old = cluster.original
    reattribute, merge = _core.decide(
        _rank_args(store.rank(slot)), [_rank_args(store.rank(c.original))
                                       for c, _, _ in matched])
    if not reattribute:
        return cluster.id, row, -1, []
    store.set_original(cluster, slot)
    merged = []
    for j in merge:
        other = matched[j][0]
        merged.append((other.id, other.original, list(other.members)))
        store.merge(cluster, other)
    return cluster.id, row, old, merged


def matches(store: Store, config: Config, probe: Probe, candidates: np.ndarray
            ) -> list[tuple[ClusterState, Match, tuple]]:
    """The candidate clusters whose original ``probe`` is a copy of, best first
    (the core's order), each with the match and as `compare` gave it unrounded.

    Args:
        store: where the candidates are stored.
        config: the index's configuration (its verification rules).
        probe: the article's fingerprints.
        candidates: stored slots that share a band or passage key with it
            (may repeat).
    """
    ids = np.sort(store.clusters_of(candidates))
    ids = ids[np.concatenate(([True], ids[1:] != ids[:-1])) & (ids > 0)]
    if not len(ids):
        return []
    rows = compare_rows(config, probe, store.columns(store.originals_of(ids)))
    found = [(int(ids[j]), r) for j, r in enumerate(rows) if r is not None]
    order = _core.order_matches([r for _, r in found])
    return [(store.cluster(found[j][0]), Match.of(found[j][1]), found[j][1]) for j in order]
