"""Script-aware shingling (the core's rules; tests/test_core_parity.py holds it to the
reference)."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import normalize
from dedup.shingle import Shingler, tokens


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
    # One shingle of n tokens per position: the count tells which n was used.
    text = normalize(f"{text} {text}")  # longer than either n
    count = len(tokens(text))
    assert len(Shingler(5, 4).batch_with_sequence([text])[1][0]) == count - n + 1


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
    a = shingler.shingles(
        normalize("He said: \u201cWe will go,\u201d on Monday \u2014 officially."))
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
