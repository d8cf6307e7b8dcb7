"""The text stages composed: both engines prepare identical fingerprints."""

import importlib.util
import random

import numpy as np
import pytest

from dedup import Config
from dedup.normalize import line_key
from dedup.prepare import Preparer
from dedup.wires import WireRegistry
from tests.textgen import chinese_story, story, vocabulary

FIELDS = ("signatures", "sizes", "content_hashes", "passage_keys", "passage_offsets")


def _articles():
    rng = random.Random(5)
    vocab = vocabulary(3000)
    texts = [f"BEIJING, May 8 (Xinhua) -- {story(rng, vocab, rng.randint(30, 700))}\n"
             "Back To Top\n(Reporting by Li Ming; Editing by Ann Lee)" for _ in range(20)]
    texts += [f"新华社北京5月8日电（记者 张三）{chinese_story(rng, 600)}\n返回顶部\n（完）",
              "\u201cQuoted\u201d \uff21\uff22\uff23 caf\u00e9 \u2103 \u00a0\u3000 tabs\there",
              "😀 emoji only 😀", "", "   ", "Back To Top"]
    return texts


@pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                    reason='numba is not installed (pip install "dedup[fast]")')
@pytest.mark.parametrize("config", [
    Config(), Config(num_perm=64, seed=7, word_ngram=3, cjk_ngram=2), Config(scheme="affine32")])
def test_engines_prepare_identical_fingerprints(config):
    texts = _articles()
    chrome = {line_key("Back To Top", config.chrome_max_words),
              line_key("返回顶部", config.chrome_max_words)}
    wires = WireRegistry.default()
    fast = Preparer(config, wires, "numba").run(texts, chrome)
    plain = Preparer(config, wires, "numpy").run(texts, chrome)
    for name in FIELDS:
        mine, theirs = getattr(fast, name), getattr(plain, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
    assert fast.credits == plain.credits and fast.mentions == plain.mentions
    assert fast.credits[0][0].wire == "Xinhua"


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of"):
        Preparer(Config(), WireRegistry.default(), "fortran")
