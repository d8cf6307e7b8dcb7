"""The core's verification rules (src/verify.rs, through dedup.verify) give the
answers dedup 0.2's Python rules gave (tests/reference/verify_rules.py), to the
last bit of every similarity and containment (with the one rule new since 0.2,
short texts' edited check on fine passages, added to the reference and marked
so): on the bench corpus's copies of
every kind (whole, wrapped, edited, excerpts, expansions, templated reports with
other numbers) against their story's other articles and unrelated ones, under
several configurations, and on real Reuters wire text with its republications."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pytest

from bench.corpus import records
from bench.reuters import REUTERS_DIR
from dedup import Config
from dedup.fingerprint import passage_containment
from dedup.prepare import Preparer
from dedup.storage.store import Probe, columns_of
from dedup.verify import compare, measure, numbers_agree, shared_shingles, verbatim_runs
from dedup.wires import WireRegistry
from tests.reference import verify_rules as reference

CONFIGS = {
    "default": Config(),
    "exact": Config(verify="exact"),
    "jaccard only": Config(containment_threshold=1.0),
    "loose": Config(threshold=0.6, containment_threshold=0.7, min_shingles=20),
}


def probes_of(config: Config, texts: list[str]) -> list[Probe]:
    prepared = Preparer(config, WireRegistry.default()).run(texts)
    return [Probe.of(prepared, i) for i in range(len(texts))]


def reference_compare(config: Config, probe: Probe, others: list[Probe]) -> list:
    mine = reference.low16(probe.sig)
    sims = np.array([np.count_nonzero(mine == reference.low16(o.sig)) for o in others],
                    dtype=np.int64) / config.num_perm
    sizes = np.array([o.size for o in others], dtype=np.uint32)
    hashes = np.array([o.content_hash for o in others], dtype=np.uint64)
    return reference.compare(config, probe, list(range(len(others))), sims, sizes, hashes,
                             lambda j: others[j])


def as_tuples(matches: list) -> list:
    return [None if m is None else dataclasses.astuple(m) for m in matches]


def candidate_lists(groups: dict, n: int, seed: int) -> list[tuple[int, list[int]]]:
    """Per article: its story's other articles and a few unrelated ones, in several
    list lengths (one and two candidates are judged without the loose test)."""
    rng = np.random.default_rng(seed)
    out = []
    for members in groups.values():
        for i in members:
            mates = [j for j in members if j != i][:6]
            strangers = rng.choice(n, size=4, replace=False).tolist()
            for others in (mates[:1], mates[:2], mates + strangers):
                if others:
                    out.append((i, others))
    return out


def assert_same_answers(config: Config, probes: list[Probe],
                        cases: list[tuple[int, list[int]]]) -> dict:
    relations: dict = defaultdict(int)
    for i, others in cases:
        theirs = [probes[j] for j in others]
        got = as_tuples(compare(config, probes[i], columns_of(theirs, config.num_perm)))
        want = as_tuples(reference_compare(config, probes[i], theirs))
        assert got == want, (i, others)
        for m in got:
            relations[None if m is None else m[0]] += 1
    return relations


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_core_judges_the_bench_corpus_as_the_python_rules_did(name):
    config = CONFIGS[name]
    pairs = list(records(900, 5))
    probes = probes_of(config, [r["text"] for r, _ in pairs])
    groups: dict = defaultdict(list)
    for i, (_, truth) in enumerate(pairs):
        groups[truth["story"]].append(i)
    relations = assert_same_answers(config, probes, candidate_lists(groups, len(pairs), 1))
    # The comparison covered every kind of answer the rules give.
    expected = {"exact", "near", None} if name == "jaccard only" else \
        {"exact", "near", "edited", "excerpt", "expanded", None}
    assert expected <= set(relations), relations
    for i in range(0, len(probes) - 1, 7):  # members measured against another original
        want = dataclasses.astuple(reference.measure(probes[i], probes[i + 1]))
        assert dataclasses.astuple(measure(probes[i], probes[i + 1])) == want
        got = compare(config, probes[i], columns_of([probes[i + 1]], config.num_perm))
        assert as_tuples(got) == as_tuples(reference_compare(config, probes[i], [probes[i + 1]]))


def test_the_rule_new_since_0_2_changes_answers_the_comparison_covers():
    """Short texts' fine passages (issue 15) change some answers of the bench cases
    above (so the parity test holds the core to the new rule, not only to 0.2's);
    the same probes without fine passages get 0.2's answers from both."""
    config = CONFIGS["default"]
    pairs = list(records(900, 5))
    probes = probes_of(config, [r["text"] for r, _ in pairs])
    bare = [dataclasses.replace(p, fine=p.fine[:0]) for p in probes]
    groups: dict = defaultdict(list)
    for i, (_, truth) in enumerate(pairs):
        groups[truth["story"]].append(i)
    changed = 0
    for i, others in candidate_lists(groups, len(pairs), 1):
        new = as_tuples(compare(config, probes[i],
                                columns_of([probes[j] for j in others], config.num_perm)))
        old = as_tuples(compare(config, bare[i],
                                columns_of([bare[j] for j in others], config.num_perm)))
        assert old == as_tuples(reference_compare(config, bare[i], [bare[j] for j in others]))
        changed += sum(a != b for a, b in zip(new, old, strict=True))
    assert changed >= 5  # measured: 11, short copies now judged edited


@pytest.mark.skipif(not REUTERS_DIR.is_dir(), reason=f"Reuters-21578 is not in {REUTERS_DIR} "
                    "(read from ../shared/data/reuters21578, never copied into the repository)")
def test_the_core_judges_real_wire_text_as_the_python_rules_did():
    from bench.reuters_corpus import build

    recs, truth, _ = build(1200, 2)
    for config in (CONFIGS["default"], CONFIGS["exact"]):
        probes = probes_of(config, [r["text"] for r in recs])
        groups: dict = defaultdict(list)
        for i, t in enumerate(truth):
            groups[t["story"]].append(i)
        relations = assert_same_answers(config, probes, candidate_lists(groups, len(recs), 2))
        assert relations["near"] > 50 and relations["excerpt"] > 5, relations


def test_the_measurements_are_the_python_ones():
    """(Passage keys in their top 32 bits: what verification compares of them.)"""
    rng = np.random.default_rng(3)
    top = np.uint64(32)
    for _ in range(300):
        n_mine, n_theirs = rng.integers(0, 12, size=2) * 3
        alphabet = int(rng.choice([8, 40, 1000]))
        mine = rng.integers(0, alphabet, size=n_mine).astype(np.uint64) << top
        theirs = rng.integers(0, alphabet, size=n_theirs).astype(np.uint64) << top
        if n_mine:
            assert passage_containment(mine, theirs) == \
                reference.passage_containment(mine, theirs)
        assert verbatim_runs(mine, theirs) == reference.verbatim_runs(mine, theirs)
        fine = rng.integers(0, alphabet, size=rng.integers(0, 30)).astype(np.uint64)
        assert verbatim_runs(fine, mine, 1, 3) == reference.verbatim_runs(fine, mine, 1, 3)
        a = np.unique(rng.integers(0, alphabet, size=rng.integers(0, 12))).astype(np.uint32)
        b = np.unique(rng.integers(0, alphabet, size=rng.integers(0, 12))).astype(np.uint32)
        assert numbers_agree(a, b) is reference.numbers_agree(a, b)
        assert shared_shingles(a, b) == reference.shared_shingles(a, b)


def test_bad_columns_are_refused_not_read():
    config = Config()
    probe = probes_of(config, ["One story about the harbour and its boats. " * 30])[0]
    columns = columns_of([probe], config.num_perm)
    with pytest.raises(ValueError, match="slot 1 out of range"):
        compare(config, probe, dataclasses.replace(columns, slots=np.array([1])))
    values, start, length = columns.passages
    with pytest.raises(ValueError, match="passages of slot 0 out of range"):
        compare(config, probe, dataclasses.replace(
            columns, passages=(values, start, length + 1)))
    narrow = dataclasses.replace(probe, sig=probe.sig[:64])
    with pytest.raises(ValueError, match="signature width"):
        compare(config, narrow, columns)


@pytest.mark.parametrize("name", ["default", "exact"])
def test_a_listing_measures_members_as_one_verdict_at_a_time_does(name):
    """`MemoryStore.matches` (one core call for a listing's members) answers as the
    per-pair compare-then-measure of the generic store does, pair by pair."""
    from dedup import Article, Index
    from dedup.storage.store import Store

    config = CONFIGS[name]
    index = Index(config)
    rows = [r for r, _ in records(600, 7)]
    index.add_many([Article(id=r["id"], text=r["text"]) for r in rows], verdicts=False)
    store = index._store
    rng = np.random.default_rng(3)
    mine = rng.integers(0, len(rows), 400)
    theirs = np.concatenate((rng.integers(0, len(rows), 200),
                             store.originals_of(store.clusters_of(mine[200:]))))
    got = [dataclasses.astuple(m) for m in store.matches(mine, theirs)]
    assert got == [dataclasses.astuple(m) for m in Store.matches(store, mine, theirs)]
    assert len({g[0] for g in got}) >= 3  # several relations, measured and matched
