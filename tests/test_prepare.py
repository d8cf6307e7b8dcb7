"""The text stages composed: credits, chrome, then the core; threads change nothing."""

import random

import numpy as np
import pytest

from dedup import Config
from dedup.chrome import chrome_key
from dedup.normalize import line_key
from dedup.prepare import Preparer
from dedup.wires import WireRegistry
from tests.textgen import chinese_story, story, vocabulary

FIELDS = ("signatures", "sizes", "content_hashes", "passage_keys", "passage_offsets",
          "number_keys", "number_offsets")


def _articles():
    rng = random.Random(5)
    vocab = vocabulary(3000)
    texts = [f"BEIJING, May 8 (Xinhua) -- {story(rng, vocab, rng.randint(30, 700))}\n"
             "Back To Top\n(Reporting by Li Ming; Editing by Ann Lee)" for _ in range(20)]
    texts += [f"新华社北京5月8日电（记者 张三）{chinese_story(rng, 600)}\n返回顶部\n（完）",
              "\u201cQuoted\u201d \uff21\uff22\uff23 caf\u00e9 \u2103 \u00a0\u3000 tabs\there",
              "😀 emoji only 😀", "", "   ", "Back To Top"]
    return texts


@pytest.mark.parametrize("config", [
    Config(), Config(num_perm=64, seed=7, word_ngram=3, cjk_ngram=2), Config(scheme="affine32")])
def test_threads_prepare_the_fingerprints_of_one_thread(config):
    texts = _articles()
    chrome = {chrome_key(0, line_key("Back To Top", config.chrome_max_words)),
              chrome_key(0, line_key("返回顶部", config.chrome_max_words))}
    wires = WireRegistry.default()
    fast = Preparer(config, wires, threads=2).run(texts, chrome)
    plain = Preparer(config, wires).run(texts, chrome)
    for name in FIELDS:
        mine, theirs = getattr(fast, name), getattr(plain, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
    assert fast.credits == plain.credits and fast.mentions == plain.mentions
    assert fast.credits[0][0].wire == "Xinhua"
    # The chrome lines are gone: the text with them fingerprints otherwise.
    kept = Preparer(config, wires).run(texts[:1])
    assert kept.content_hashes[0] != plain.content_hashes[0]


def test_a_text_that_is_not_a_str_is_named():
    with pytest.raises(TypeError, match="text 1 is a int, not a str"):
        Preparer(Config(), WireRegistry.default())._stages.run(["fine", 3])


def test_number_keys_are_the_figures_of_the_text_not_of_its_links():
    from dedup.prepare import number_keys
    found = number_keys("rose 1,250.5 points to 2026; see https://x.example/2025/05/08/77.html "
                        "or www.y.example/31 (1,250.5 again)")
    assert found.tolist() == sorted({xxhash_of("1,250.5"), xxhash_of("2026")})
    assert number_keys("no figures here").size == 0
    assert number_keys("قیمت ۱۲۳ روپے اور ۴۵").size == 2  # Urdu digits
    assert number_keys("in 2026.").tolist() == [xxhash_of("2026")]
    preparer = Preparer(Config(), WireRegistry.default())
    both = preparer.run(["Rates: \uff11\uff12\uff13.\uff14\uff15 and 7 and 88",
                         "Rates: 123.45 and 7 and 88"])
    assert both.numbers(0).tolist() == both.numbers(1).tolist() != []


def xxhash_of(text: str) -> int:
    import xxhash
    return xxhash.xxh32_intdigest(text.encode())


@pytest.mark.parametrize("mine,theirs,agree", [
    ([1, 2], [3, 4], True),                      # too few numbers to judge
    ([1, 2, 3, 4], [1, 2, 3, 4], True),          # a copy
    ([1, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8], True),  # an excerpt keeps a prefix of the figures
    ([1, 2, 5, 6], [1, 2, 3, 4], True),          # half of them shared
    ([1, 5, 6, 7], [1, 2, 3, 4], False),         # another day's report
    (list(range(40)), list(range(30, 100)), False),  # long sets take the numpy route
    (list(range(40)), list(range(15, 100)), True),
])
def test_numbers_agree(mine, theirs, agree):
    from dedup.verify import numbers_agree
    a, b = np.array(mine, dtype=np.uint32), np.array(theirs, dtype=np.uint32)
    assert numbers_agree(a, b) is agree and numbers_agree(b, a) is agree


def test_numbers_decide_among_many_candidates_as_numbers_agree_does():
    """verify.compare over many candidates near by Jaccard (so numbers alone decide,
    past the loose test of long lists) accepts and refuses exactly the pairs that
    numbers_agree does, one by one, reading the numbers where the store keeps them."""
    from dedup.storage.arrays import Ragged
    from dedup.storage.memory_store import MemoryStore
    from dedup.storage.store import Probe
    from dedup.verify import compare, numbers_agree
    from dedup.wires import WireRegistry

    rng = np.random.default_rng(7)
    config = Config()
    store = MemoryStore(config, WireRegistry.default())
    ragged = Ragged(np.uint32)
    ragged.grow(300)
    stored = []
    for slot in range(300):
        keys = np.unique(rng.integers(0, 60, size=rng.integers(0, 25))).astype(np.uint32)
        ragged.put(slot, keys)
        stored.append(keys)
    store._nk = ragged
    store._pk.grow(300)
    store._fk.grow(300)
    store._sigs = np.zeros((300, config.num_perm), dtype=np.uint16)
    store._sizes = np.full(300, 500, dtype=np.uint32)
    store._hashes = np.full(300, 2, dtype=np.uint64)
    sig = np.zeros(config.num_perm, dtype=np.uint32)  # J = 1 with every stored one
    for _ in range(40):
        mine = np.unique(rng.integers(0, 60, size=rng.integers(0, 25))).astype(np.uint32)
        probe = Probe(sig, 500, 1, np.zeros(0, dtype=np.uint64), mine)
        others = rng.choice(300, size=30, replace=False)
        found = compare(config, probe, store.columns(others))
        assert [m is not None for m in found] == \
            [numbers_agree(mine, stored[s]) for s in others.tolist()]
        assert all(m is None or m.relation == "near" for m in found)
    got, lengths = ragged.gather(np.array([5, 0, 5]))
    assert lengths.tolist() == [len(stored[5]), len(stored[0]), len(stored[5])]
    assert got.tolist() == stored[5].tolist() + stored[0].tolist() + stored[5].tolist()
