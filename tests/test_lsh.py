"""Band choice and the band table."""

import numpy as np
import pytest

from dedup.config import Config, choose_bands
from dedup.lsh import BandTable, band_keys
from tests.reference import lsh_tables as reference


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.8, 0.9])
def test_bands_give_candidate_recall_at_threshold(threshold):
    bands, rows = choose_bands(threshold, 128)
    assert bands * rows <= 128
    assert 1 - (1 - threshold**rows) ** bands >= 0.99


def test_default_bands_beat_datasketch_default():
    bands, rows = Config().bands
    assert (bands, rows) == (21, 6)
    datasketch_default = 1 - (1 - 0.8**13) ** 9
    assert datasketch_default < 0.5 < 1 - (1 - 0.8**rows) ** bands


def test_band_table_matches_brute_force():
    rng = np.random.default_rng(1)
    table = BandTable()
    sigs = rng.integers(0, 50, size=(3000, 12), dtype=np.uint32)  # small alphabet: many hits
    keys = band_keys(sigs, 6, 2)
    # Mixed insert sizes exercise the dict buffer, run creation and merges.
    pos = 0
    for size in [1, 1, 5, 200, 1, 3000]:
        part = slice(pos, min(pos + size, len(sigs)))
        table.insert(np.arange(part.start, part.stop, dtype=np.uint32), keys[part])
        pos = part.stop
        if pos >= len(sigs):
            break
    table.discard(np.array([7, 8]))
    queries = keys[:50]
    rows, slots = table.query(queries)
    got = {(int(r), int(s)) for r, s in zip(rows, slots, strict=False)}
    expected = set()
    for r in range(50):
        for s in range(len(sigs)):
            if s not in (7, 8) and np.any(keys[s] == queries[r]):
                expected.add((r, s))
    assert got == expected


def test_a_capped_query_keeps_each_keys_lowest_live_slots():
    """``query(keys, cap)``: every key finds at most its ``cap`` lowest slots that
    are not discarded, wherever they sit (sorted runs, the dict buffer)."""
    rng = np.random.default_rng(2)
    table = BandTable()
    # 40 keys: long lists (in the top 32 bits, which a table keeps of a key)
    keys = rng.integers(0, 40, size=(2000, 3)).astype(np.uint64) << np.uint64(32)
    pos = 0
    for size in [3, 700, 1, 1, 50, 1245]:
        table.insert(np.arange(pos, pos + size, dtype=np.uint32), keys[pos:pos + size])
        pos += size
    dead = {0, 1, 5, 900, 1999}
    table.discard(np.array(sorted(dead)))
    asked = rng.integers(0, 45, size=(30, 2)).astype(np.uint64) << np.uint64(32)  # some absent
    rows, slots = table.query(asked, cap=7)
    got = sorted(zip(rows.tolist(), slots.tolist(), strict=True))
    expected = []
    for r, row in enumerate(asked):
        for key in row:
            holders = [s for s in range(len(keys)) if key in keys[s] and s not in dead]
            expected += [(r, s) for s in holders[:7]]
    assert got == sorted(expected)  # each pair once per key: twice when both keys have it
    uncapped_rows, _ = table.query(asked)
    assert len(uncapped_rows) > len(rows)  # the cap took something away


def test_a_key_repeated_by_one_slot_is_held_once():
    for size in (2, 300):  # one insert of a few entries, one of many
        table = BandTable()
        keys = np.tile(np.array([[5, 5, 9]], dtype=np.uint64) << np.uint64(32), (size, 1))
        table.insert(np.arange(size, dtype=np.uint32), keys)
        assert len(table) == 2 * size
        _, slots = table.query(np.array([[5 << 32]], dtype=np.uint64), cap=size)
        assert sorted(slots.tolist()) == list(range(size))


@pytest.mark.parametrize(("num_perm", "bands", "rows"), [(128, 21, 6), (128, 9, 13), (64, 64, 1),
                                                        (256, 3, 70), (16, 1, 16)])
def test_band_keys_are_the_numpy_ones(num_perm, bands, rows):
    """The compiled band keys equal dedup 0.2's numpy ones bit for bit: stored
    Redis band lists and saved indexes are keyed by them."""
    rng = np.random.default_rng(num_perm + bands)
    sigs = rng.integers(0, 2**32, size=(300, num_perm), dtype=np.uint64).astype(np.uint32)
    sigs[:3] = np.array([[0], [2**32 - 1], [1]], dtype=np.uint32)  # extremes
    assert np.array_equal(band_keys(sigs, bands, rows), reference.band_keys(sigs, bands, rows))
    assert band_keys(sigs[:0], bands, rows).shape == (0, bands)


def test_band_keys_refuse_bands_that_do_not_fit():
    with pytest.raises(ValueError, match="do not fit"):
        band_keys(np.zeros((2, 16), dtype=np.uint32), 5, 4)


@pytest.mark.parametrize("seed", range(6))
def test_the_table_finds_what_the_numpy_table_finds(seed):
    """Same candidates as dedup 0.2's numpy table (sets of pairs, capped or not)
    through inserts of every size, discards between them and queries on the way
    (keys that differ in their top 32 bits: all a table keeps of a key)."""
    rng = np.random.default_rng(seed)
    mine, theirs = BandTable(), reference.BandTable()
    alphabet = int(rng.choice([30, 300, 2**31]))
    width = int(rng.integers(1, 6))
    slot = 0
    for _ in range(40):
        size = int(rng.choice([1, 1, 2, 7, 60, 400]))
        keys = rng.integers(0, alphabet, size=(size, width), dtype=np.uint64) << np.uint64(32)
        slots = np.arange(slot, slot + size, dtype=np.uint32)
        slot += size
        mine.insert(slots, keys)
        theirs.insert(slots, keys)
        if rng.random() < 0.3:
            gone = rng.integers(0, slot, size=int(rng.integers(1, 5)))
            mine.discard(gone)
            theirs.discard(gone)
        asked = rng.integers(0, alphabet, size=(int(rng.integers(1, 30)), width),
                             dtype=np.uint64) << np.uint64(32)
        asked[0] = keys[0]
        for cap in (0, 1, 16):
            got = mine.query(asked, cap)
            want = theirs.query(asked, cap)
            assert sorted(zip(*(a.tolist() for a in got), strict=True)) == \
                sorted(zip(*(a.tolist() for a in want), strict=True))
            assert got[0].dtype == np.int64 and got[1].dtype == np.uint32


def test_the_table_refuses_what_it_cannot_hold():
    table = BandTable()
    with pytest.raises(ValueError, match="2 slots but 1 rows"):
        table.insert(np.arange(2, dtype=np.uint32), np.zeros((1, 3), dtype=np.uint64))
    with pytest.raises(ValueError, match="out of range"):
        table.discard(np.array([-1]))
    with pytest.raises(TypeError):
        table.insert(np.arange(2, dtype=np.int64), np.zeros((2, 3), dtype=np.uint64))
