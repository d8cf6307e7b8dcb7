"""Band choice and the band table."""

import numpy as np
import pytest

from dedup.config import Config, choose_bands
from dedup.lsh import BandTable, band_keys


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
    got = {(int(r), int(s)) for r, s in zip(rows, slots)}
    expected = set()
    for r in range(50):
        for s in range(len(sigs)):
            if s not in (7, 8) and np.any(keys[s] == queries[r]):
                expected.add((r, s))
    assert got == expected
