"""The credit rules in the core find what dedup 0.1's Python found, character for character.

``tests/reference/credit_rules.py`` is 0.1's ``dedup/credits.py`` (with its registry
lookups in ``wire_rules.py``); ``dedup.credits.detect`` runs src/credits.rs. Both read
generated texts built from every kind of credit line, in every script and with
awkward spacing, and the real news of ../shared/data (English, Chinese, Urdu): the
bodies, credits (offsets, places, dates) and mentions must be equal.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.credits import detect
from dedup.wires import Agency, WireRegistry

from .conftest import SHARED_DATA
from .reference import credit_rules
from .reference.wire_rules import ReferenceWires
from .test_core_parity import AWKWARD, REAL

WIRES = WireRegistry.default()
REFERENCE = ReferenceWires(WIRES)

# Every kind of credit the rules read, and near misses of each.
FRAGMENTS = [
    "BEIJING, May 8 (Xinhua) -- ", "(Reuters) - ", "WASHINGTON (AP) — ",
    "LONDON, 8 May 2025 (AFP) - ",
    "KUALA LUMPUR, Malaysia, Sept. 3 (Bernama) _ ", "Rio de Janeiro (Reuters) ? ", "(AKI) ",
    "Article Tools ALBANY, N.Y., Jan. 7 (Reuters) - ", "(PressMediaWire) NEW YORK, Jan. 7 -- ",
    "SALVADOR, Feb 26 - ", "PARIS (AFP/Reuters) - ", "GENEVA (Reuters and AP) - ", "(today)",
    "新华社北京5月8日电（记者 张三）", "新华社电 ", "据新华社报道，", "。据新华社电",
    "美联社随后解释了停电",
    "本报讯（记者 王五）", "人民网北京5月8日电 ", "“雪龙2”号7月27日电 ", "中新网8月7日电 ",
    "ڈھاکہ ۔ یکم دسمبر (اے پی پی) ", "بھوانہ (چنیوٹ)/ سرگودھا ۔ 12 ستمبر (اے پی پی) ",
    "لاہور۔۔۔۔۔ ", "ممبئی ۔ 2 اگست (اے پی پی) ", "بنوں۔ وزیراعظم نواز شریف (آج) ",
    "By Jane Doe", "BY JOHN SMITH and Ann Lee, Reuters", "by the way", "记者 张三 李四",
    "特约记者 赵六摄", "Source: Xinhua", "Source: Xinhua News Agency and a long run of words that "
    "is prose rather than a credit", "[Source: AP]", "来源：新华社", "图片来源：新华社",
    "来源：韩联社报道配图", "文章来源：中新网", "Editor: Li Ming", "责任编辑：王五 李四", "编辑:",
    "Reporting by Jane Doe; Editing by Tom Brown", "(Additional reporting by Reuters)",
    "Writing by A. Person", "Compiled by AFP", "Copyright 2024 The Associated Press. All rights "
    "reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "© 2025 Reuters", "(c) Xinhua", "（完）", "（完）（惠晓霜）", "原标题：一个标题", "原题:",
    "Reuters contributed to this report.", "(With files from AFP)", "Jane Doe contributed "
    "reporting.", "Information from AP was used in this report.", "ADDITIONAL REPORTING BY "
    "REUTERS", "(Xinhua)", "（新华社）", "(Xinhua/Li Ming)", "Photo: (Xinhua)", "Reuter",
    "according to Reuters", "AP reported", "Xinhua News Agency said", "told the Associated "
    "Press", "据美联社报道", "路透社称", "interview with AFP", "XİNHUA", "Xınhua", "xinhua",
    "Aprİl 3", "AP", "APP", "The AP", "Reutersx", "8th", "May 8th2", "Sept.", "1,250.5",
    # links (new since 0.1) and near misses
    "Read the full story at https://www.reuters.com/article/oil-idUSN0000123",
    "Read the full story at\n", "https://uk.reuters.com/x", "Read more at Reuters.",
    "Originally published at The Daily Harbor", "Continue reading: dailyharbor.example/a",
    "Read more at the library, she said.", "First published in 1998", "阅读全文：http://www.news.cn/x",
    "READ MORE AT reuters.com.evil.example",
]
PIECES = st.sampled_from(FRAGMENTS) | st.text(
    alphabet=st.sampled_from(list(AWKWARD + "()（）:：;，。-—.!?“”\n\n\n  ")), max_size=12) | \
    st.sampled_from(["\n", "\n\n", " ", "\u3000", "\t", "the wire said on Monday", "经济增长",
                     "اردو خبر"])
TEXTS = st.lists(PIECES, max_size=24).map("".join)


def assert_same(text: str, wires=WIRES, reference=REFERENCE) -> None:
    for mentions in (True, False):
        got = detect(text, wires, mentions=mentions)
        want = credit_rules.detect(text, reference, mentions=mentions)
        assert got == want, (text, mentions)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_generated_texts_are_read_as_the_reference_reads_them(text):
    assert_same(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS, st.integers(0, 1400))
def test_long_texts_head_and_tail_are_read_as_the_reference_reads_them(head, tail, filler):
    # Past HEAD + TAIL characters only the head and tail are scanned without mentions,
    # and markers count only there: filler of every length puts them on either side.
    assert_same(head + ("word " * filler)[:filler] + tail)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(FRAGMENTS) | st.text(alphabet=st.sampled_from(list(AWKWARD)), max_size=20))
def test_registry_lookups_match_the_reference(value):
    assert WIRES.by_source(value) == REFERENCE.by_source(value)
    assert WIRES.by_code(value) == REFERENCE.by_code(value)
    assert WIRES.find_wires(value) == REFERENCE.find_wires(value)


def test_a_user_registry_is_read_as_the_reference_reads_it():
    wires = WireRegistry([*WIRES.agencies, Agency("Kyiv Post Wire", aliases=("KPW", "Кийв Пост"),
                                                 dateline_codes=("KP",))])
    reference = ReferenceWires(wires)
    for text in ("KYIV, May 8 (KP) - Shelling.", "(KPW) - x", "Source: Кийв Пост",
                 "according to KYIV POST WIRE", "x\n(KPW)"):
        assert_same(text, wires, reference)


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_news_is_read_as_the_reference_reads_it(name):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real news not found at {SHARED_DATA} (set DEDUP_SHARED_DATA)")
    texts = REAL[name]()
    assert len(texts) >= 100
    credited = 0
    for text in texts:
        assert_same(text)
        credited += bool(detect(text, WIRES).credits)
    assert credited >= len(texts) // 10  # the real texts do carry credits to compare
