"""The core (``dedup._core``) gives the answers dedup's Python stages gave, bit for bit.

tests/reference/text_stages.py is the Python implementation of the text stages
as dedup 0.1 shipped them. Indexes written before the core hold those
fingerprints, so every stage is compared with it: on generated texts
(hypothesis, every script and the awkward characters), and on real news from
../shared/data in each script there (English, Chinese, Urdu), through the whole
``Preparer`` as the index calls it.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import _core
from dedup.chrome import drop_chrome
from dedup.config import Config
from dedup.fingerprint import Fingerprinter, passage_keys
from dedup.normalize import normalize
from dedup.prepare import Preparer, number_keys
from dedup.shingle import Shingler
from dedup.wires import WireRegistry

from .conftest import SHARED_DATA
from .reference import chrome_rules, credit_rules
from .reference import text_stages as ref
from .reference.wire_rules import ReferenceWires

# Characters that stress each rule: full-width forms, ligatures, quotes and dashes,
# odd spaces (Python's \x1c..\x1f and U+2028 count), combining marks, Han, Kana,
# Hangul and Jamo, Arabic-Indic and Devanagari digits, escaped quotes, beyond-BMP
# letters, and ASCII.
AWKWARD = ("ＡＢＣ１２３ ﬁﬂ “”‘’«»「」—–‑−…™℃① \u00a0\u2007\u202f\u3000\u200b\u00ad\ufeff"
           "\x1c\x1d\x1e\x1f\x85\u2028\u2029\t\r\x0b\x0c \\\"\\' é e\u0301 ß ΣΑΣ İ ǅ"
           " 新华社北京电 カタカナ ひらがな 한국어 \u1100\u1161 ٠١٢٣ ۴۵۶ ०१२ 12,345.67 "
           "https://x.org/2025 www.y.com/3 𝐀𝐁 𐐀 \U0001f600 اردو हिन्दी _a_ \n\n"
           "\U0001e030\U0001e06d\u0301\U0001e08f")  # assigned after Python 3.11's Unicode 14
texts = st.text(alphabet=st.sampled_from(list(AWKWARD)) | st.characters(
    blacklist_categories=("Cs",)), max_size=300)


def words(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    vocab = ["the", "wire", "said", "on", "Monday", "1,250", "2026.", "Xinhua", "report"]
    return " ".join(rng.choice(vocab, n))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalize_matches_the_reference(text):
    assert normalize(text) == ref.normalize(text)


# ASCII texts take the core's byte-table paths (normalize, chrome keys): spaces of
# every kind, escaped quotes, backticks and runs of tokens long and short.
ASCII = st.text(alphabet=st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\\\"'`"))
                | st.characters(max_codepoint=127), max_size=300)


@settings(max_examples=300, deadline=None)
@given(ASCII)
def test_ascii_normalize_and_chrome_keys_match_the_reference(text):
    assert normalize(text) == ref.normalize(text)
    assert_chrome_parity(text, 7, 4)
    assert_chrome_parity(text + "\n" + "word " * 20, 7, 16)


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=6), st.integers(1, 6), st.integers(1, 5))
def test_shingles_and_sequence_match_the_reference(raw, word_ngram, cjk_ngram):
    normalized = [ref.normalize(t) for t in raw]
    (values, offsets), (sequence, docs) = Shingler(word_ngram, cjk_ngram).batch_with_sequence(
        normalized)
    (rv, ro), (rs, rd) = ref.shingle_batch(normalized, word_ngram, cjk_ngram)
    np.testing.assert_array_equal(values, rv)
    np.testing.assert_array_equal(offsets, ro)
    np.testing.assert_array_equal(sequence, rs)
    np.testing.assert_array_equal(docs, rd)


@pytest.mark.parametrize("scheme", ["oph32", "affine32"])
@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 12345), (1, 3)])
def test_signatures_match_the_reference(scheme, num_perm, seed):
    rng = np.random.default_rng(seed)
    sizes = [0, 1, 2, 3, 5, 40, 500, 0, 7]
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    # np.unique may shrink a set: rebuild the offsets from what was kept.
    kept = [np.unique(rng.integers(0, 2**32, s, dtype=np.uint32))
            for s in sizes]
    values = np.concatenate(kept).astype(np.uint32)
    np.cumsum([len(k) for k in kept], out=offsets[1:])
    mine = Fingerprinter(num_perm, seed, scheme).signatures(values, offsets)
    theirs = ref.Fingerprinter(num_perm, seed, scheme).signatures(values, offsets)
    np.testing.assert_array_equal(mine, theirs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=200), max_size=5),
       st.integers(0, 2**31))
def test_passage_keys_match_the_reference(seqs, seed):
    sequence = np.array([s for seq in seqs for s in seq], dtype=np.uint32)
    docs = np.array([d for d, seq in enumerate(seqs) for _ in seq], dtype=np.int64)
    mine = passage_keys(sequence, docs, len(seqs), seed)
    theirs = ref.passage_keys(sequence, docs, len(seqs), seed)
    np.testing.assert_array_equal(mine[0], theirs[0])
    np.testing.assert_array_equal(mine[1], theirs[1])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_number_keys_match_the_reference(text):
    normalized = ref.normalize(text)
    np.testing.assert_array_equal(number_keys(normalized), ref.number_keys(normalized))


def test_lone_surrogates_are_neither_tokens_nor_errors():
    text = "a \ud800 b\udfff c 12\ud83d"  # lone surrogates, as JSON escapes leave them
    assert normalize(text).encode("utf-8", "surrogatepass") != b""
    sets = Shingler(1, 1).batch([ref.normalize(text)])
    np.testing.assert_array_equal(sets[0], ref.shingle_batch([ref.normalize(text)], 1, 1)[0][0])


def reference_prepare(texts: list[str], config: Config, wires: WireRegistry):
    """What dedup 0.1's Preparer.run computed for ``texts``."""
    bodies = []
    reference_wires = ReferenceWires(wires)
    for text in texts:
        detected = credit_rules.detect(text, reference_wires)
        body = detected.body if detected.body.strip() else text
        bodies.append(ref.normalize(drop_chrome(body, (), 0, config.chrome_max_words)))
    (values, offsets), (sequence, docs) = ref.shingle_batch(bodies, config.word_ngram,
                                                            config.cjk_ngram)
    sigs = ref.Fingerprinter(config.num_perm, config.seed, config.scheme).signatures(values,
                                                                                   offsets)
    pkeys, poffsets = ref.passage_keys(sequence, docs, len(bodies), config.seed)
    bounds = np.searchsorted(docs, np.arange(len(bodies) + 1))
    import xxhash
    hashes = np.array([xxhash.xxh3_64_intdigest(sequence[bounds[i]:bounds[i + 1]].tobytes())
                       for i in range(len(bodies))], dtype=np.uint64)
    numbers = [ref.number_keys(b) for b in bodies]
    return sigs, np.diff(offsets), hashes, pkeys, poffsets, numbers, values, offsets


def assert_prepared_equal(texts, config, threads=1):
    wires = WireRegistry.default()
    got = Preparer(config, wires, threads=threads).run(texts)
    sigs, sizes, hashes, pkeys, poffsets, numbers, values, offsets = reference_prepare(
        texts, config, wires)
    np.testing.assert_array_equal(got.signatures, sigs)
    np.testing.assert_array_equal(got.sizes, sizes)
    np.testing.assert_array_equal(got.content_hashes, hashes)
    np.testing.assert_array_equal(got.passage_keys, pkeys)
    np.testing.assert_array_equal(got.passage_offsets, poffsets)
    for i, n in enumerate(numbers):
        np.testing.assert_array_equal(got.numbers(i), n)
    if config.verify == "exact":
        np.testing.assert_array_equal(got.shingle_values, values)
        np.testing.assert_array_equal(got.shingle_offsets, offsets)


CONFIGS = [Config(), Config(scheme="affine32", num_perm=64, seed=9),
           Config(word_ngram=3, cjk_ngram=2, verify="exact")]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "affine32", "exact"])
@pytest.mark.parametrize("threads", [1, 2])
def test_preparer_matches_the_reference_on_generated_texts(config, threads):
    texts = [words(n, n) for n in (0, 1, 4, 30, 300, 2000)]
    texts += ["BEIJING, May 8 (Xinhua) -- " + words(200, 5),
              "新华社北京5月8日电 " + "中国经济" * 50, AWKWARD * 3, "", "\n\n \t"]
    assert_prepared_equal(texts, config, threads)


# -- real news, every script in ../shared/data ----------------------------------------

def _reuters() -> list[str]:
    sgm = (SHARED_DATA / "reuters21578" / "reut2-000.sgm").read_bytes().decode("latin-1")
    bodies = re.findall(r"<BODY>(.*?)</BODY>", sgm, re.S)
    return [html.unescape(b) for b in bodies[:400]]


def _crud_rag() -> list[str]:
    path = SHARED_DATA / "crud-rag-zh-dev" / "documents_dup_part_1_part_1"
    with path.open(encoding="utf-8") as f:
        return [line for _, line in zip(range(300), f, strict=False)]


def _counter() -> list[str]:
    paths = sorted((SHARED_DATA / "counter-dev").glob("*.xml"))[:200]
    return [re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8")) for p in paths]


REAL = {"en-reuters": _reuters, "zh-crud-rag": _crud_rag, "ur-counter": _counter}


@pytest.mark.parametrize("name", sorted(REAL))
@pytest.mark.parametrize("config", CONFIGS[:2], ids=["default", "affine32"])
def test_preparer_matches_the_reference_on_real_news(name, config):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real news not found at {SHARED_DATA} (set DEDUP_SHARED_DATA)")
    texts = REAL[name]()
    assert len(texts) >= 100
    for text in texts[:50]:
        assert normalize(text) == ref.normalize(text)
    assert_prepared_equal(texts, config, threads=2)


# -- site chrome: paragraphs, line keys, observations, chrome-free texts ----------------

LINES = st.lists(st.text(alphabet=st.sampled_from(list(AWKWARD)) | st.characters(
    blacklist_categories=("Cs",)), max_size=120) | st.just("x " * 35) | st.just("Back To Top"),
    max_size=12)


def assert_chrome_parity(text: str, site: int, max_words: int) -> None:
    from dedup.chrome import chrome_key, observe, paragraphs

    assert chrome_key(site, 0xDEADBEEF) == chrome_rules.chrome_key(site, 0xDEADBEEF)
    from dedup.normalize import content_key, line_keys_of

    paras = paragraphs(text)
    assert paras == chrome_rules.paragraphs(text)
    keys = chrome_rules.line_keys_of(paras, max_words) if paras else []
    assert line_keys_of(paras, max_words) == keys
    assert [content_key(p) for p in paras] == [chrome_rules.content_key(p) for p in paras]
    got = observe(text, site, max_words)
    assert (got.keys, got.sketch) == chrome_rules.observe(text, site, max_words)
    chrome = {chrome_key(site, k) for k in keys[::2] if k is not None}
    assert drop_chrome(text, chrome, site, max_words) == chrome_rules.drop_chrome(
        text, chrome, site, max_words)


@settings(max_examples=300, deadline=None)
@given(LINES, st.sampled_from(["\n", "\n\n", "\r\n", "\u2028"]), st.integers(1, 12),
       st.integers(0, 2**64 - 1))
def test_chrome_rules_match_the_reference(lines, sep, max_words, site):
    assert_chrome_parity(sep.join(lines), site, max_words)


def test_hard_wrapped_text_is_rejoined_as_the_reference_does():
    text = words(400, 3)
    wrapped, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > 70:
            wrapped.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    wrapped.append(line)
    assert_chrome_parity("Site header\n" + "\n".join(wrapped) + "\nBack To Top", 9, 12)


@pytest.mark.parametrize("name", sorted(REAL))
def test_chrome_rules_match_the_reference_on_real_news(name):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real news not found at {SHARED_DATA} (set DEDUP_SHARED_DATA)")
    for text in REAL[name]()[:150]:
        assert_chrome_parity(text, 12345, 12)


def test_the_core_reads_unicode_as_this_python_does():
    import unicodedata

    # The tables in src/tables.rs are generated from Python (tools/unicode_tables.py).
    assert _core.UNICODE_VERSION == unicodedata.unidata_version
