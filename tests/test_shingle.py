"""Script-aware shingling, and the compiled engine against the numpy one."""

import importlib.util
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import shingle
from dedup.normalize import normalize
from dedup.shingle import AUTO_MIN_DOCS, Engine, Shingler, token_form, tokens
from tests.textgen import chinese_story, story, vocabulary


def test_tokens_split_words_and_cjk_characters():
    assert tokens("新华社北京5月8日电 the quick-brown fox") == \
        ["新", "华", "社", "北", "京", "5", "月", "8", "日", "电", "the", "quick", "brown", "fox"]


@pytest.mark.parametrize("text,n", [
    ("the quick brown fox jumps", 5),            # Latin: words
    ("быстрая коричневая лиса прыгает", 5),      # Cyrillic: words
    ("یہ ایک خبر ہے جو شائع ہوئی", 5),            # Urdu (Arabic script): words
    ("新华社北京五月八日电记者报道", 4),             # Han: characters
    ("東京で会議が開かれました", 4),                # Kanji + Kana: characters
    ("서울에서 회의가 열렸다", 4),                   # Hangul: characters
])
def test_shingle_size_follows_the_script(text, n):
    assert token_form(normalize(text), 5, 4)[1] == n


def test_word_ngrams_count():
    shingler = Shingler(5, 4)
    assert len(shingler.shingles("one two three four five six seven")) == 3
    assert len(shingler.shingles("one two")) == 1  # shorter than n: one shingle of all
    assert len(shingler.shingles("")) == 0
    assert len(shingler.shingles("...!!!")) == 0


def test_cjk_character_ngrams_count():
    assert len(Shingler(5, 4).shingles("一二三四五六七")) == 4


def test_order_matters_within_a_shingle():
    shingler = Shingler(2, 2)
    assert not set(shingler.shingles("alpha beta")) & set(shingler.shingles("beta alpha"))


def test_punctuation_quotes_and_case_do_not_matter():
    shingler = Shingler(5, 4)
    a = shingler.shingles(normalize("He said: \u201cWe will go,\u201d on Monday \u2014 officially."))
    b = shingler.shingles(normalize('he said "we will go," on monday - officially'))
    assert np.array_equal(a, b)


def test_ascii_and_unicode_paths_hash_tokens_the_same():
    shingler = Shingler(1, 1)
    ascii_only = set(shingler.shingles("the river"))
    mixed = set(shingler.shingles("the river caf\u00e9"))
    assert ascii_only <= mixed


def test_batch_equals_one_by_one():
    shingler = Shingler(5, 4)
    texts = ["one two three four five six", "", "新华社北京电 今天天气很好", "a", "x y z " * 30]
    values, offsets = shingler.batch([normalize(t) for t in texts])
    for i, text in enumerate(texts):
        assert np.array_equal(values[offsets[i]:offsets[i + 1]], shingler.shingles(normalize(text)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=8))
def test_batch_never_fails_and_is_sorted_distinct(texts):
    values, offsets = Shingler(5, 4).batch([normalize(t) for t in texts])
    assert len(offsets) == len(texts) + 1
    for i in range(len(texts)):
        part = values[offsets[i]:offsets[i + 1]]
        assert np.all(np.diff(part.astype(np.int64)) > 0)


# -- the compiled engine (numba) gives the numpy engine's shingles ----------------------
needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason='numba is not installed (pip install "dedup[fast]")')

_RNG = random.Random(11)
_VOCAB = vocabulary(3000)
VARIED = [
    story(_RNG, _VOCAB, 400),                              # Latin, sentences and paragraphs
    "BEIJING, May 8 (Xinhua) -- Rain fell. \"Quoted,\" he said; 50,436 people...",
    chinese_story(_RNG, 500),                              # Han
    # Kanji, kana, half-width kana, kana marks
    "東京で会議が開かれました。カタカナ ｶﾀｶﾅ ゝ゛゠・ー",
    # Hangul syllables, jamo, compatibility jamo
    "서울에서 회의가 열렸다 ᄀᄁᄂ ㄱㄴㄷ",
    "یہ ایک خبر ہے جو شائع ہوئی ١٢٣ عربي نص",               # Urdu and Arabic, Arabic-Indic digits
    "быстрая коричневая лиса прыгает через ленивую собаку",
    "हिन्दी समाचार पत्र में छपी ख़बर",                         # Devanagari with combining signs
    "abc新华社def 2025年5月8日电 snake_case_words x_1",      # scripts glued together, underscores
    "新 a",                                                 # CJK exactly half of the tokens
    # beyond the BMP: emoji, CJK extension B, mathematical letters
    "😀 hello 😀world 𠀀𠀁 wide 𝐀𝐁𝐂 text",
    "\ud800abc def \udfff",                                 # lone surrogates (from JSON escapes)
    "x" * 100 + " " + "\u00e9" * 40 + " short",             # tokens longer than 63 bytes
    "", "a", "a b", "...!!!", "   \n\n  ", "新",
]


def _both_engines(texts, word_ngram=5, cjk_ngram=4):
    fast = Shingler(word_ngram, cjk_ngram, "numba").batch_with_sequence(texts)
    plain = Shingler(word_ngram, cjk_ngram, "numpy").batch_with_sequence(texts)
    return fast, plain


def _assert_identical(fast, plain):
    for mine, theirs in zip((*fast[0], *fast[1]), (*plain[0], *plain[1]), strict=True):
        assert mine.dtype == theirs.dtype
        assert np.array_equal(mine, theirs)


@needs_numba
@pytest.mark.parametrize("word_ngram,cjk_ngram", [(5, 4), (1, 1), (3, 2), (12, 12)])
@pytest.mark.parametrize("normalized", [True, False])
def test_compiled_engine_gives_the_numpy_shingles(word_ngram, cjk_ngram, normalized):
    texts = [normalize(t) for t in VARIED] if normalized else VARIED
    _assert_identical(*_both_engines(texts, word_ngram, cjk_ngram))


@needs_numba
def test_compiled_engine_one_text_at_a_time():
    for text in VARIED:
        _assert_identical(*_both_engines([normalize(text)]))


@needs_numba
@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(
    st.characters(), st.sampled_from(" \n.,-_'新华社東京カｶ서울ᄀ㈱ab01é😀𠀀\ud800")), max_size=80),
    min_size=1, max_size=6))
def test_compiled_engine_on_any_text(texts):
    _assert_identical(*_both_engines(texts))
    _assert_identical(*_both_engines([normalize(t) for t in texts], 2, 3))


def test_numpy_engine_sub_batches_equal_one_by_one(monkeypatch):
    monkeypatch.setattr(shingle, "_SUB_BATCH_BYTES", 8192)
    rng = random.Random(3)
    texts = [story(rng, _VOCAB, 400) for _ in range(20)] + [chinese_story(rng, 800)] * 3
    assert sum(len(t.encode()) for t in texts) > 4 * shingle._SUB_BATCH_BYTES
    shingler = Shingler(5, 4, "numpy")
    (values, offsets), (sequence, docs) = shingler.batch_with_sequence(texts)
    for i, text in enumerate(texts):
        (one, _), (one_sequence, _) = shingler.batch_with_sequence([text])
        assert np.array_equal(values[offsets[i]:offsets[i + 1]], one)
        assert np.array_equal(sequence[docs == i], one_sequence)


def test_engine_names_are_checked():
    with pytest.raises(ValueError, match="engine must be one of auto, numba, numpy, got 'gpu'"):
        Shingler(5, 4, "gpu")
    assert Engine("numpy").kernels(10 * AUTO_MIN_DOCS) is None


def test_auto_engine_stays_on_numpy_for_small_runs():
    engine = Engine("auto")
    assert engine.kernels(AUTO_MIN_DOCS - 1) is None


@needs_numba
def test_auto_engine_turns_to_the_kernels_after_many_documents():
    engine = Engine("auto")
    assert engine.kernels(AUTO_MIN_DOCS - 1) is None
    assert engine.kernels(1) is not None


def test_without_numba_auto_uses_numpy_and_numba_is_refused(monkeypatch):
    import dedup

    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now fails
    monkeypatch.delitem(sys.modules, "dedup._kernels", raising=False)
    monkeypatch.delattr(dedup, "_kernels", raising=False)
    assert Engine("auto").kernels(10 * AUTO_MIN_DOCS) is None
    with pytest.raises(ImportError, match=r'needs numba: pip install "dedup\[fast\]"'):
        Shingler(5, 4, "numba").batch(["some text"])


@needs_numba
def test_without_a_writable_kernel_cache_auto_uses_numpy(tmp_path):
    # An installed package whose directory and NUMBA_CACHE_DIR are read-only:
    # numba cannot cache the kernels, so "auto" stays on numpy and "numba" says why.
    script = (
        "from dedup.shingle import Engine, Shingler\n"
        "assert Engine('auto').kernels(10**6) is None\n"
        "print(len(Shingler(1, 1, 'auto').shingles('a b c')))\n"
        "try:\n"
        "    Engine('numba').kernels(1)\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n")
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
           "NUMBA_CACHE_DIR": str(tmp_path / "not-a-dir" / "cache")}
    (tmp_path / "not-a-dir").write_text("a file, so no directory can be made under it")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    first, second = done.stdout.splitlines()
    assert first == "3"
    assert "set NUMBA_CACHE_DIR to a writable directory" in second


@pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                    reason='numba is not installed (pip install "dedup[fast]")')
def test_auto_decides_up_front_when_told_the_batch_size():
    big = Engine("auto")
    big.expect(2 * AUTO_MIN_DOCS)
    assert big.kernels(1) is not None  # a large batch: the kernels from the start
    small = Engine("auto")
    small.expect(2 * AUTO_MIN_DOCS - 1, only=True)
    assert small.kernels(10 * AUTO_MIN_DOCS) is None  # a worker's small share: numpy for good
    unsure = Engine("auto")
    unsure.expect(10)  # a stream may go on: keep counting
    assert unsure.kernels(AUTO_MIN_DOCS - 1) is None and unsure.kernels(1) is not None
    fixed = Engine("numpy")
    fixed.expect(10 * AUTO_MIN_DOCS)
    assert fixed.kernels(1) is None


def test_compiled_signature_agreement_counts_as_numpy_does():
    kernels = pytest.importorskip("dedup._kernels", reason="the compiled kernels need numba "
                                  "(pip install 'dedup[fast]')")
    from dedup import Config
    from dedup.store import MemoryStore
    from dedup.wires import WireRegistry

    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 8, size=(300, 128), dtype=np.uint32)  # small values: many equal
    rows = rng.integers(0, 300, size=60).astype(np.int64)
    sig = rng.integers(0, 8, size=128, dtype=np.uint32)
    expected = np.count_nonzero(sigs[rows] == sig[None, :], axis=1)
    assert kernels.agreement(sigs, rows, sig).tolist() == expected.tolist()
    store = MemoryStore(Config(), WireRegistry.default())
    store._sigs = sigs
    assert store.agreement(rows, sig, kernels).tolist() == expected.tolist()
    assert store.agreement(rows, sig).tolist() == expected.tolist()
