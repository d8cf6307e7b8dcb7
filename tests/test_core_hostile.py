"""Hostile input meets the compiled core: no crash, no panic, no super-linear blow-up.

Each input here would take minutes (or crash the process) if a stage of the core
were quadratic in a run of one kind of character, kept state per character, or
panicked on an odd code point; they run in well under a second each when the
stages are linear. Property tests feed arbitrary Python strings (lone surrogates
included) through every entry point of the core and check the answers keep their
invariants.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Article, Config, Index, _core
from dedup.chrome import drop_chrome, observe, paragraphs
from dedup.errors import BadRecord, DedupError
from dedup.normalize import content_key, line_key, normalize
from dedup.prepare import Preparer, number_keys
from dedup.wires import WireRegistry

MB = 1 << 20
HOSTILE = {
    "10 MB of one letter": "a" * (10 * MB),
    "10 MB of one Han character": "中" * (3 * MB),
    "1M newlines": "\n" * MB,
    "1M CRLF and spaces": "\r\n \t" * (MB // 4),
    "a deep combining run": "e" + "\u0301\u0308\u0323" * (MB // 3),
    "combining marks alone": "\u0301" * MB,
    "1M backslashes": "\\" * MB,
    "backslash-quote pairs": '\\"' * (MB // 2),
    "1M digits and commas": "1," * (MB // 2),
    "URL prefixes without ends": "http://" * (MB // 7),
    "one long line of short words": "ab " * (MB // 3),
    "wide characters hard-wrapped": ("中文" * 30 + "\n") * 20000,
    "full-width forms": "\uff21\uff22\uff23" * (MB // 3),
    "beyond the BMP": "\U0001d400\U0001f600" * (MB // 2),
    "lone surrogates": "a\ud800b\udfff" * (MB // 4),
    "noncharacters and private use": "\ufffe\uffff\U000f0000\U0010ffff" * (MB // 4),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_stage_takes_hostile_text_in_linear_time(name):
    text = HOSTILE[name]
    normalized = normalize(text)
    assert len(normalized) <= 3 * len(text)  # NFKC and folding expand boundedly
    assert "\n\n" not in normalized and not normalized.startswith((" ", "\n"))
    number_keys(normalized)
    paras = paragraphs(text)
    assert all(p == p.strip() and p for p in paras)
    obs = observe(text, 1, 12)
    assert len(obs.sketch) <= 8
    kept = drop_chrome(text, frozenset(obs.keys) | {1}, 1, 12)
    assert isinstance(kept, str)
    line_key(text, 12)
    content_key(text)
    prepared = Preparer(Config(), WireRegistry.default(), threads=2).run([text, "tail"])
    assert prepared.signatures.shape == (2, 128)


def test_a_hostile_article_does_not_stop_the_index():
    index = Index()
    refused = []
    for i, name in enumerate(sorted(HOSTILE)):
        try:
            index.add(Article(id=str(i), text=HOSTILE[name][:200_000]))
        except BadRecord as exc:  # no words at all: said, and the index goes on
            assert "no words to fingerprint" in str(exc)
            refused.append(name)
    assert set(refused) <= {"1M newlines", "1M CRLF and spaces", "combining marks alone",
                            "1M backslashes", "backslash-quote pairs", "URL prefixes without ends",
                            "noncharacters and private use", "lone surrogates"}
    verdict = index.add(Article(id="last", text="an ordinary story about the harbour reopening"))
    assert verdict.id == "last" and not verdict.duplicate


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.integers(1, 40), st.integers(0, 2**64 - 1))
def test_any_text_goes_through_every_entry_point(text, max_words, site):
    normalized = normalize(text)
    for line in normalized.split("\n") if normalized else ():  # a line per paragraph
        assert line and line == line.strip(" ") and "  " not in line
    keys = number_keys(normalized)
    assert np.all(keys[1:] > keys[:-1])  # sorted and distinct
    assert len(keys) <= _core.MAX_NUMBERS
    for p in paragraphs(text):
        key = line_key(p, max_words)
        assert key is None or 0 <= key < 2**64
    obs = observe(text, site, max_words)
    assert list(obs.sketch) == sorted(set(obs.sketch))
    drop_chrome(text, obs.keys, site, max_words)
    values, offsets, sequence, docs = _core.shingle_batch([normalized, text], 5, 4)
    assert offsets[-1] == len(values) and len(sequence) == len(docs)


def test_bad_arguments_are_python_errors_not_crashes():
    stages = Preparer(Config(), WireRegistry.default())._stages
    with pytest.raises(TypeError, match="text 0 is a bytes, not a str"):
        stages.run([b"bytes"])
    with pytest.raises(ValueError, match="one site per body"):
        stages.run(["a", "b"], sites=[1])
    with pytest.raises(ValueError, match="offsets"):
        stages.signatures(np.zeros(3, dtype=np.uint32), np.array([0, 5], dtype=np.int64))
    with pytest.raises(ValueError, match="offsets"):
        stages.signatures(np.zeros(3, dtype=np.uint32), np.array([2, 1], dtype=np.int64))
    with pytest.raises(ValueError, match="non-decreasing"):
        _core.passage_keys(np.zeros(2, dtype=np.uint32), np.array([1, 0]), 2,
                           np.zeros(6, dtype=np.uint32), 24, 8, 3)
    with pytest.raises(ValueError, match="positive"):
        _core.shingle_batch(["a"], 0, 4)
    with pytest.raises(ValueError, match="probes"):
        _core.TextStages(word_ngram=5, cjk_ngram=4, num_perm=4, scheme="oph32", mix_bin=1,
                         mix_value=2, probes=np.full((2, 4), 9, dtype=np.int64),
                         a=np.ones(4, dtype=np.uint32), b=np.ones(4, dtype=np.uint32),
                         passage_mean=24, passage_min=8, passage_bands=3,
                         passage_salts=np.zeros(6, dtype=np.uint32), keep_shingles=False)


def test_a_panic_in_the_core_reaches_python_as_a_dedup_error():
    with pytest.raises(DedupError, match=r"internal error in dedup\._core\._panic_for_tests: "
                                         r"a deliberate panic \(please report it\)"):
        _core._panic_for_tests()
    assert normalize("Still Working") == "still working"  # and the core goes on
    with pytest.raises(OverflowError):
        _core.chrome_key(-1, 0)  # a negative key is refused by the binding


def test_reading_a_text_leaves_the_str_as_it_was():
    """CPython caches a UTF-8 copy inside a non-ASCII ``str`` once asked for it; the
    core reads texts without asking, so a batch holding its texts holds each once."""
    texts = ["新华社北京5月8日电 记者报道。" * 200 + str(n) for n in range(3)] + \
        ["Plain ASCII wire copy. " * 100, "Curly “quotes” and a dash — " * 50]
    before = [sys.getsizeof(t) for t in texts]
    preparer = Preparer(Config(), WireRegistry.default())
    preparer.run(texts)
    preparer.observe(texts, [0] * len(texts))
    Index().add_many([Article(id=str(i), text=t) for i, t in enumerate(texts)])
    assert [sys.getsizeof(t) for t in texts] == before
