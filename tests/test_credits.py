"""Credit lines, datelines and mentions (credits.py) and the wire registry (wires.py)."""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.credits import Credit, Credits, detect
from dedup.errors import ConfigError
from dedup.wires import WireRegistry

WIRES = WireRegistry.default()

# A paragraph of filler so that a late dateline is past the head of the text.
FILLER = "\n\n".join(["The council met again on Tuesday and talked about the budget."] * 12)
ZH_FILLER = "市里今天召开会议，讨论明年的预算安排。" * 40

# (id, text, wires credited, kinds in order, body starts with, body ends with)
CASES = [
    # English datelines
    ("xinhua_dateline", "BEIJING, May 8 (Xinhua) -- The city opened a park.\nVisitors came early.",
     ("Xinhua",), ("dateline",), "The city opened", "came early."),
    ("ap_em_dash", "WASHINGTON (AP) — Lawmakers passed the bill on Friday.",
     ("AP",), ("dateline",), "Lawmakers passed", "on Friday."),
    ("reuters_code_only", "(Reuters) - A small bakery won the prize.",
     ("Reuters",), ("dateline",), "A small bakery", "the prize."),
    ("reuters_place_date", "LONDON, Jan. 3 (Reuters) - Shares rose in early trade.",
     ("Reuters",), ("dateline",), "Shares rose", "early trade."),
    ("afp", "PARIS (AFP) - The museum reopened its doors.",
     ("AFP",), ("dateline",), "The museum", "its doors."),
    ("app_colon", "ISLAMABAD, May 8 (APP): The cabinet approved the plan.",
     ("APP",), ("dateline",), "The cabinet", "the plan."),
    ("ap_no_separator", "DENVER (AP) The team won its fifth game in a row.",
     ("AP",), ("dateline",), "The team won", "in a row."),
    ("place_with_region", "EUGENE, Ore. (AP) - The river rose overnight.",
     ("AP",), ("dateline",), "The river", "overnight."),
    ("mojibake_dash", "DENVER (AP) ? The storm moved east.",
     ("AP",), ("dateline",), "The storm", "moved east."),
    ("caps_code", "NAIROBI, May 8 (XINHUA) -- Rain returned to the region.",
     ("Xinhua",), ("dateline",), "Rain returned", "the region."),
    ("title_case_place", "Dehradun (PTI): The institute opened its season.",
     ("PTI",), ("dateline",), "The institute", "its season."),
    ("caps_month", "LONDON, JAN 17 (PTI) - A plane landed short.",
     ("PTI",), ("dateline",), "A plane", "landed short."),
    ("old_ap_underscore", "Fairfield (AP) _ Investigators met on Monday.",
     ("AP",), ("dateline",), "Investigators", "on Monday."),
    ("chrome_before_dateline", "Page tools ALBANY, N.Y. (AP) - A probe began.",
     ("AP",), ("dateline",), "Page tools A probe", "probe began."),
    ("dpa_lower_case", "BERLIN (dpa) - The train strike ended.",
     ("dpa",), ("dateline",), "The train", "strike ended."),
    ("nbsp_en_dash", "BEIJING,\u00a0May 8 (Xinhua)\u00a0\u2013\u00a0Markets were calm.",
     ("Xinhua",), ("dateline",), "Markets were", "were calm."),
    ("two_wires_in_one_dateline", "GENEVA (Reuters/AFP) - Talks resumed on Monday.",
     ("Reuters", "AFP"), ("dateline", "dateline"), "Talks resumed", "on Monday."),
    ("unknown_agency", "Naciriya, 2 Jan. (AKI) - A group claimed the attack.",
     (), ("dateline",), "A group", "the attack."),
    ("unknown_code_first", "(PressMediaWire) NEW YORK, Jan. 7 -- The network named a chief.",
     (), ("dateline",), "The network", "a chief."),
    ("dateline_after_headline", "Park opens in the capital\nBEIJING, May 8 (Xinhua) -- It is big.",
     ("Xinhua",), ("dateline",), "Park opens", "It is big."),
    ("codeless_dateline_and_signoff", "SALVADOR, Feb 26 - Showers continued all week.\n Reuter",
     ("Reuters",), ("dateline", "trailer"), "Showers continued", "all week."),
    # Bylines, source lines and trailers
    ("byline_then_dateline",
     "By Tom Ashby\n\nABUJA, Jan 10 (Reuters) - A group said it would talk.",
     ("Reuters",), ("byline", "dateline"), "A group said", "would talk."),
    ("byline_names_wire",
     "By JANE ROE, Associated Press Writer\nHONOLULU (AP) -- Surf was high.",
     ("AP",), ("byline", "dateline"), "Surf was", "was high."),
    ("afp_dateline_and_xinhua_source",
     "PARIS (AFP) - Rain fell.\nIt kept falling.\n\nSource: Xinhua",
     ("AFP", "Xinhua"), ("dateline", "source_line"), "Rain fell.", "kept falling."),
    ("long_text_head_and_tail", "PARIS (AFP) - " + FILLER + "\n\n" + FILLER
     + "\n(Reporting by Jane Roe; Editing by John Doe)",
     ("AFP", "Reuters"), ("dateline", "trailer"), "The council", "about the budget."),
    ("source_line_long_alias", "The bridge opened on Monday.\nSource: Xinhua News Agency",
     ("Xinhua",), ("source_line",), "The bridge", "on Monday."),
    ("source_in_parentheses", "The bridge opened on Monday. (Source: Reuters)",
     ("Reuters",), ("source_line",), "The bridge", "on Monday."),
    ("reuters_trailer", "Shares fell.\n(Reporting by Jane Roe; Editing by John Doe)",
     ("Reuters",), ("trailer",), "Shares fell.", "Shares fell."),
    ("reuters_trailer_unbracketed", "Shares fell.\nReporting by Jane Roe; Editing by John Doe",
     ("Reuters",), ("trailer",), "Shares fell.", "Shares fell."),
    ("ap_copyright", "Lawmakers left town.\n\nCopyright 2025 The Associated Press. "
     "All rights reserved. This material may not be published, broadcast, rewritten or "
     "redistributed.", ("AP",), ("trailer",), "Lawmakers", "left town."),
    ("editor_trailer", "The fair closed on Sunday.\nEditor: Li Wei",
     (), ("trailer",), "The fair", "on Sunday."),
    ("edited_by_trailer", "The fair closed on Sunday.\nEdited by Sam Park",
     (), ("trailer",), "The fair", "on Sunday."),
    ("closing_bare_credit", "The rally began at noon.\nIt ended peacefully. (Xinhua)",
     ("Xinhua",), ("source_line",), "The rally", "ended peacefully."),
    # English negatives: not credits, nothing stripped
    ("ap_biology", "Students in AP Biology said the exam was hard.",
     (), (), "Students in AP", "was hard."),
    ("photo_caption_credit", "The dam opened.\nA worker checks a gate. (Xinhua/Wang Peng)",
     (), (), "The dam", "(Xinhua/Wang Peng)"),
    ("photo_by_line", "Photo by Xinhua/Li Ming\nThe bridge opened on Monday.",
     (), (), "Photo by Xinhua", "on Monday."),
    ("photo_colon", "The bridge opened on Monday. (Photo: Xinhua)",
     (), (), "The bridge", "(Photo: Xinhua)"),
    ("photo_caption_bare_code", "The dam opened.\nPhoto taken on May 8 shows a gate. (Xinhua)",
     (), (), "The dam", "(Xinhua)"),
    ("mention_reported", "The port reopened on Friday, Xinhua reported.",
     (), (), "The port", "Xinhua reported."),
    ("mention_according_to", "According to Reuters, the talks failed.",
     (), (), "According to Reuters", "talks failed."),
    ("dateline_not_at_start", FILLER + "\n\nBEIJING, May 8 (Xinhua) -- A late paragraph.",
     (), (), "The council", "A late paragraph."),
    ("ticker_in_headline", "Apple (AAPL) - shares rose on Monday.",
     (), (), "Apple (AAPL)", "on Monday."),
    ("yonhap_lead_tag", "(LEAD) N. Korea fires a missile\nSEOUL said it was tracking it.",
     (), (), "(LEAD)", "tracking it."),
    ("source_prose", "Source: the company said in a statement on Monday that it would close "
     "three plants next year and cut jobs in the region.",
     (), (), "Source: the company", "in the region."),
    ("lower_case_ap", "Open the map (ap) to see the route.",
     (), (), "Open the map", "the route."),
    # Chinese
    ("zh_dateline_reporters", "新华社北京5月8日电（记者 张三 李四）国务院今天发布通知。",
     ("Xinhua",), ("dateline",), "国务院", "发布通知。"),
    ("zh_dateline_plain", "新华社北京5月8日电 国务院今天发布通知。",
     ("Xinhua",), ("dateline",), "国务院", "发布通知。"),
    ("zh_cns_ascii_paren", "中新社北京8月4日电 (记者 张素)记者从最高法院获悉。",
     ("China News Service",), ("dateline",), "记者从", "获悉。"),
    ("zh_bare_paren_dateline", "（新华社）国务院今天发布通知。",
     ("Xinhua",), ("dateline",), "国务院", "发布通知。"),
    ("zh_ju_dateline", "据新华社北京5月8日电 国务院今天发布通知。",
     ("Xinhua",), ("dateline",), "国务院", "发布通知。"),
    ("zh_local_paper", "本报北京5月8日电（记者 王五）市里今天召开会议。",
     (), ("dateline",), "市里", "召开会议。"),
    ("zh_source_line", "国务院今天发布通知。\n来源：新华社",
     ("Xinhua",), ("source_line",), "国务院", "发布通知。"),
    ("zh_source_ascii_colon", "国务院今天发布通知。\n来源: 新华网",
     ("Xinhua",), ("source_line",), "国务院", "发布通知。"),
    ("zh_article_source", "国务院今天发布通知。\n本文来源：新华社",
     ("Xinhua",), ("source_line",), "国务院", "发布通知。"),
    ("zh_two_sources", "国务院今天发布通知。\n来源：新华社、中新网",
     ("Xinhua", "China News Service"), ("source_line", "source_line"), "国务院", "发布通知。"),
    ("zh_bracket_editor", "市里今天召开会议。\n【编辑：王五】",
     (), ("trailer",), "市里", "召开会议。"),
    ("zh_glued_editor", "市里今天召开会议。责任编辑：王五",
     (), ("trailer",), "市里", "召开会议。"),
    ("zh_end_marker", "市里今天召开会议。（完）",
     (), (), "市里", "召开会议。"),
    ("zh_end_marker_with_name", "市里今天召开会议。（完）（惠晓霜）",
     (), (), "市里", "召开会议。"),
    ("zh_reprint_line", "原标题：某市开展植树活动\n新华社北京5月8日电 市民踊跃参加。",
     ("Xinhua",), ("reprint_marker", "dateline"), "市民", "踊跃参加。"),
    ("zh_reprint_glued", "原标题：某市开展植树活动新华社北京5月8日电 市民踊跃参加。",
     ("Xinhua",), ("reprint_marker", "dateline"), "市民", "踊跃参加。"),
    ("zh_dateline_and_source", "中新社北京5月8日电 市民踊跃参加。\n来源：新华社",
     ("China News Service", "Xinhua"), ("dateline", "source_line"), "市民", "踊跃参加。"),
    ("zh_photo_source", "市里今天召开会议。\n图片来源：新华社",
     (), (), "市里", "图片来源：新华社"),
    ("zh_photo_credit", "市里今天召开会议。\n新华社记者 张三 摄",
     (), (), "市里", "张三 摄"),
    ("zh_mention", "市里今天召开会议。据新华社报道，会议讨论了预算。",
     (), (), "市里", "讨论了预算。"),
    ("zh_late_dateline", ZH_FILLER + "\n新华社北京5月8日电 这是后面的段落。",
     (), (), "市里", "后面的段落。"),
    ("zh_tv_not_dateline", "新华社电视节目受到欢迎。",
     (), (), "新华社电视", "受到欢迎。"),
    # Urdu (Associated Press of Pakistan)
    ("ur_app_dateline", "ڈھاکہ ۔ یکم دسمبر (اے پی پی) بنگلہ دیش نے میچ جیت لیا۔",
     ("APP",), ("dateline",), "بنگلہ دیش", "جیت لیا۔"),
    ("ur_app_glued", "ممبئی(اے پی پی ) فلم کی شوٹنگ شروع ہو گئی۔",
     ("APP",), ("dateline",), "فلم کی", "ہو گئی۔"),
    ("ur_district_then_agency", "بھوانہ (چنیوٹ)/ سرگودھا ۔ 12 ستمبر (اے پی پی) وزیراعظم نے "
     "خطاب کیا۔", ("APP",), ("dateline",), "وزیراعظم", "خطاب کیا۔"),
    ("ur_other_agency", "اسلام آباد (این این آئی) قومی اسمبلی نے قرارداد منظور کر لی۔",
     ("NNI",), ("dateline",), "قومی اسمبلی", "کر لی۔"),
    ("ur_desk_credit", "لاہور (سپورٹس ڈیسک) ٹیم نے میچ جیت لیا۔",
     (), ("dateline",), "ٹیم نے", "جیت لیا۔"),
    ("ur_codeless_dashes", "لاہور۔۔۔۔۔ حکومت نے نیا منصوبہ شروع کیا۔",
     (), ("dateline",), "حکومت نے", "شروع کیا۔"),
    ("ur_today_is_not_an_agency", "بنوں میں وزیراعظم نواز شریف (آج) جمعرات کو خطاب کریں گے۔",
     (), (), "بنوں میں", "کریں گے۔"),
]


@pytest.mark.parametrize("text,wires,kinds,starts,ends", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_detect_table(text, wires, kinds, starts, ends):
    found = detect(text, WIRES)
    assert found.wires == wires
    assert tuple(c.kind for c in found.credits) == kinds
    assert found.body.startswith(starts), found.body
    assert found.body.endswith(ends), found.body
    for item in (*found.credits, *found.mentions):
        assert text[item.start:item.end] == item.text
    windows_only = detect(text, WIRES, mentions=False)
    assert (windows_only.body, windows_only.credits) == (found.body, found.credits)
    assert windows_only.mentions == ()


def test_at_least_forty_cases():
    assert len(CASES) >= 40


def test_dateline_fields():
    [credit] = detect("LONDON, Jan. 3 (Reuters) - Shares rose.", WIRES).credits
    assert credit == Credit("Reuters", "dateline", "LONDON, Jan. 3 (Reuters) -", 0, 26,
                            "LONDON", "Jan. 3")
    [credit] = detect("新华社德国汉堡8月13日电（记者 刘旸）李凯尔13日率队获胜。", WIRES).credits
    assert (credit.place, credit.date, credit.text) == ("德国汉堡", "8月13日",
                                                      "新华社德国汉堡8月13日电（记者 刘旸）")


def test_reprint_marker_keeps_title_as_metadata():
    found = detect("原标题：某市开展植树活动\n市民踊跃参加。", WIRES)
    assert [(c.kind, c.wire, c.text) for c in found.credits] == [
        ("reprint_marker", None, "原标题：某市开展植树活动")]
    assert found.body == "市民踊跃参加。"


@pytest.mark.parametrize("text,wire,phrase", [
    ("The port reopened on Friday, Xinhua reported.", "Xinhua", "Xinhua reported"),
    ("The talks failed, according to the Associated Press.", "AP",
     "according to the Associated Press"),
    ("The minister told Reuters the plan would change.", "Reuters", "told Reuters"),
    ("市里今天召开会议。据新华社报道，会议讨论了预算。", "Xinhua", "据新华社"),
    ("韩联社报道称，会谈将在下周举行。", "Yonhap", "韩联社报道"),
    ("多家媒体援引路透社的消息说，谈判破裂。", "Reuters", "援引路透社"),
])
def test_mentions_are_listed_not_stripped(text, wire, phrase):
    found = detect(text, WIRES)
    assert found.credits == ()
    assert [(m.wire, m.text) for m in found.mentions] == [(wire, phrase)]
    assert found.body == text


def test_mentions_need_reporting_context():
    text = "Students in AP Biology met Xinhua staff and a Reuters photographer."
    assert detect(text, WIRES).mentions == ()


def test_photo_credit_is_not_a_mention():
    found = detect("Photo by Xinhua/Li Ming. (Photo: Xinhua) 图片来源：新华社", WIRES)
    assert (found.credits, found.mentions) == ((), ())


def test_mentions_inside_credits_are_dropped():
    found = detect("Rain fell.\n(Reporting by Jane Roe for Reuters; Editing by John Doe)", WIRES)
    assert found.wires == ("Reuters",)
    assert found.mentions == ()


BODY = "The council met on Tuesday and talked about the budget.\nThe vote is next week."


@pytest.mark.parametrize("trailer,wires", [
    ("Reuters contributed to this report.", ("Reuters",)),
    ("Additional reporting by Reuters", ("Reuters",)),
    ("With reporting by AP", ("AP",)),
    ("(With files from AFP)", ("AFP",)),
    ("The Associated Press contributed to this report.", ("AP",)),
    ("The Associated Press and Reuters contributed to this story.", ("AP", "Reuters")),
    ("With additional reporting from Xinhua.", ("Xinhua",)),
    ("Information from Reuters was used in this report.", ("Reuters",)),
    ("(with files from Agence France-Presse)", ("AFP",)),
])
@pytest.mark.parametrize("layout", ["own_line", "own_line_before_copyright", "last_sentence"])
def test_wire_trailers_credit_the_named_wire(trailer, wires, layout):
    text = {"own_line": f"{BODY}\n\n{trailer}",
            "own_line_before_copyright": f"{BODY}\n{trailer}\nCopyright 2025 Daily Harbor.",
            "last_sentence": f"{BODY} {trailer}"}[layout]
    found = detect(text, WIRES)
    assert found.wires == wires
    assert trailer in [c.text for c in found.credits]
    assert {c.kind for c in found.credits if c.text == trailer} == {"trailer"}
    assert found.body == BODY
    assert detect(text, WIRES, mentions=False).credits == found.credits


@pytest.mark.parametrize("trailer", [
    "Jane Doe contributed reporting.",
    "Staff writer Li Ming contributed to this report.",
    "Jane Doe and Reuters contributed to this report.",  # not only wires: a person is named
    "With files from the city archive.",
    "Reuters contributed to this report, the mayor's office said in a statement.",
    "Readers contributed to this report.",
])
def test_trailers_naming_people_or_prose_credit_no_wire(trailer):
    text = f"{BODY}\n\n{trailer}"
    found = detect(text, WIRES)
    assert found.wires == ()
    assert found.body == text


def test_wire_trailer_early_in_a_long_text_is_prose():
    text = f"Reuters contributed to this report.\n{FILLER}"
    assert detect(text, WIRES).wires == ()


def test_wires_are_unique_and_ordered():
    found = Credits("x", (Credit("AFP", "dateline", "a", 0, 1), Credit(None, "trailer", "b", 2, 3),
                          Credit("Xinhua", "source_line", "c", 4, 5),
                          Credit("AFP", "trailer", "d", 6, 7)))
    assert found.wires == ("AFP", "Xinhua")


def test_empty_and_blank_texts():
    assert detect("", WIRES) == Credits("")
    assert detect(" \n\u3000\n", WIRES).body == ""


def test_results_pickle():
    found = detect("PARIS (AFP) - Rain fell, Xinhua reported.", WIRES)
    assert pickle.loads(pickle.dumps(found)) == found


FRAGMENTS = [
    "BEIJING, May 8 (Xinhua) -- ", "(Reuters) - ", "WASHINGTON (AP) — ", "(AP)", "AP ", "(", ")",
    "（", "）", "【", "】", "新华社", "北京5月8日电", "（记者 张三）", "来源：", "Source: ",
    "Editor:", "Reporting by ", "; Editing by ", "Copyright 2025 ", "©", "（完）", "完）",
    "原标题：", "By ", "据", "报道", " reported", "according to ", "图片", "\n", "\n\n", " ",
    "\u00a0", "\u3000", "\ufeff", "。", ".", "-", "—", ":", "：", "Xinhua", "Reuter",
    "اے پی پی", "۔", "۔۔۔۔", "SALVADOR, Feb 26 - ", "Page tools ALBANY, N.Y. (AP) - ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40)
       .map("".join))
def test_detect_only_removes_text(text):
    found = detect(text, WIRES)
    remaining = iter(text)
    assert all(ch in remaining for ch in found.body)  # body is a subsequence of text
    for item in (*found.credits, *found.mentions):
        assert text[item.start:item.end] == item.text
    assert found.wires == tuple(dict.fromkeys(c.wire for c in found.credits if c.wire))


# -- the registry --------------------------------------------------------------


@pytest.mark.parametrize("source,wire", [
    ("Xinhua News Agency", "Xinhua"), ("  xinhua ", "Xinhua"), ("新华网", "Xinhua"),
    ("新華社", "Xinhua"), ("Xinhuanet", "Xinhua"), ("XINHUA  NEWS   AGENCY", "Xinhua"),
    ("AP", "AP"), ("The Associated Press", "AP"), ("美联社", "AP"),
    ("Associated Press of Pakistan", "APP"), ("اے پی پی", "APP"),
    ("Agence France Presse", "AFP"), ("法新社", "AFP"), ("路透社", "Reuters"),
    ("연합뉴스", "Yonhap"), ("韩联社", "Yonhap"), ("ТАСС", "TASS"), ("共同社", "Kyodo"),
    ("中新社", "China News Service"), ("中央社", "Central News Agency"),
    ("Ｘｉｎｈｕａ", "Xinhua"),
    ("CNA", None), ("Channel NewsAsia", None), ("", None), ("The Daily Planet", None),
])
def test_by_source(source, wire):
    assert WIRES.by_source(source) == wire


@pytest.mark.parametrize("url,wire", [
    ("https://english.news.cn/20250508/abc/c.html", "Xinhua"),
    ("http://www.news.cn/world/2025-05/08/c_1.htm", "Xinhua"),
    ("https://www.xinhuanet.com/politics/x.htm", "Xinhua"),
    ("apnews.com/article/some-story", "AP"),
    ("https://APNEWS.COM:443/article/x", "AP"),
    ("https://www.app.com.pk/national/x/", "APP"),
    ("https://en.yna.co.kr/view/AEN1", "Yonhap"),
    ("https://www.chinanews.com.cn/gn/2025/05-08/1.shtml", "China News Service"),
    ("https://chinanews.cn/x", None), ("https://notnews.cn/x", None),
    ("https://news.cn.example.com/x", None), ("http://[::1", None), ("", None),
])
def test_by_url(url, wire):
    assert WIRES.by_url(url) == wire


def test_by_code_keeps_case_for_short_codes():
    assert WIRES.by_code("AP") == "AP"
    assert WIRES.by_code("ap") is None
    assert WIRES.by_code("XINHUA") == "Xinhua"
    assert WIRES.by_code("CNA") == "Central News Agency"
    assert WIRES.by_code("新华社") == "Xinhua"


def test_find_wires():
    assert WIRES.find_wires("新华社、央视新闻客户端、中新网") == ("Xinhua", "China News Service")
    assert WIRES.find_wires("JOHN DOE, Associated Press Writer") == ("AP",)
    assert WIRES.find_wires("AP Biology and APPLE") == ("AP",)
    assert WIRES.find_wires("ap biology") == ()


def test_packaged_registry_lists_the_agencies_with_notes():
    expected = {"Xinhua", "AP", "Reuters", "AFP", "APP", "Kyodo", "Yonhap", "TASS", "ANI", "PTI",
                "dpa", "EFE", "ANSA", "Central News Agency", "UPI", "Bernama", "IANS",
                "China News Service"}
    assert expected <= set(WIRES.names)
    for agency in WIRES.agencies:
        assert agency.note, agency.name
    assert WIRES.by_url("https://www.reuters.com/world/") == "Reuters"


def test_registry_pickles_and_compares_by_behaviour():
    copy = pickle.loads(pickle.dumps(WIRES))
    assert copy.agencies == WIRES.agencies
    assert detect("PARIS (AFP) - x", copy).wires == ("AFP",)


def _write(tmp_path, data):
    path = tmp_path / "wires.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_load_merges_user_file_over_default(tmp_path):
    path = _write(tmp_path, [
        {"name": "Xinhua", "aliases": ["China Xinhua News"], "domains": ["xinhua.example"]},
        {"name": "Acme Wire", "aliases": ["Acme Wire", "阿克米社"], "domains": ["acme.example"],
         "dateline_codes": ["ACW"]},
    ])
    wires = WireRegistry.load(path)
    assert wires.by_source("China Xinhua News") == "Xinhua"
    assert wires.by_source("新华社") == "Xinhua"  # the packaged aliases stay
    assert wires.by_url("https://www.xinhua.example/x") == "Xinhua"
    assert wires.by_url("https://english.news.cn/x") == "Xinhua"
    assert wires.by_source("阿克米社") == "Acme Wire"
    assert wires.by_url("https://news.acme.example/a") == "Acme Wire"
    assert detect("LONDON (ACW) - Rain fell.", wires).wires == ("Acme Wire",)
    assert detect("阿克米社北京5月8日电 市民参加。", wires).wires == ("Acme Wire",)
    assert len(wires) == len(WIRES) + 1


def test_user_file_takes_a_code_from_a_packaged_agency(tmp_path):
    path = _write(tmp_path, [{"name": "Channel NewsAsia", "aliases": ["CNA", "Channel NewsAsia"],
                              "domains": ["channelnewsasia.com"]}])
    wires = WireRegistry.load(path)
    assert wires.by_source("CNA") == "Channel NewsAsia"
    assert wires.by_code("CNA") == "Channel NewsAsia"
    assert wires.by_source("中央社") == "Central News Agency"


@pytest.mark.parametrize("content,message", [
    ("[{\"name\": \"X\",}]", "not valid JSON (line 1, column 15: Expecting property name"),
    ({"name": "X"}, "expected a JSON list of agencies"),
    (["Xinhua"], 'agency 1 is a string; expected an object like {"name": "Xinhua"'),
    ([{"name": "X", "alias": ["x"]}], 'agency 1: unknown field "alias" (did you mean "aliases"?)'),
    ([{"aliases": ["x"]}], 'agency 1 has no "name"'),
    ([{"name": "X", "aliases": "Xwire"}],
     'agency 1 ("X"): "aliases" must be a list of strings, got a string; write "aliases": '
     '["Xwire"]'),
    ([{"name": "X", "aliases": ["ok", ""]}], '"aliases" must hold non-empty strings, found ""'),
    ([{"name": "X", "domains": ["https://x.example/news"]}],
     'domain "https://x.example/news" is not a bare host name; write it like "x.example"'),
    ([{"name": "X", "aliases": ["Wire X"]}, {"name": "Y", "aliases": ["wire x"]}],
     'alias "wire x" is listed under both "X" and "Y"'),
    ([{"name": "X"}, {"name": "x"}], 'agency 2 ("x"): the name is already used by agency 1'),
])
def test_bad_user_file_is_a_pointed_config_error(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(ConfigError) as caught:
        WireRegistry.load(path)
    assert str(caught.value).startswith(f"wires file {path}: ")
    assert message in str(caught.value)


def test_missing_user_file(tmp_path):
    path = tmp_path / "nope.json"
    with pytest.raises(ConfigError, match=r"wires file .*nope\.json: cannot read it"):
        WireRegistry.load(path)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_url_host_reads_hosts_as_urlsplit_does():
    """url_host's fast path for plain scheme://host/… URLs gives urlsplit's hostname."""
    import random
    from urllib.parse import urlsplit

    from dedup.wires import url_host

    def reference(url):
        text = url.strip()
        if "://" not in text and not text.startswith("//"):
            text = "//" + text
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
        return (host or "").rstrip(".") or None

    rng = random.Random(3)
    alphabet = "abcAB.:/@?#[]-_ 9\\%\tÀİß"
    urls = ["https://English.News.cn/2025/x.html", "apnews.com/x", "http://u:p@Host.com:80/a",
            "http://[::1]:8/x", "https://a.b.c.:443", "https://x.com:abc/", "https://%41.com",
            "https://例子.中国/新闻", "https://İstanbul.com/", "mailto:x@y.com", "https://"]
    urls += [rng.choice(["https://", "http://", "//", "", "Ab:"])
             + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15)))
             for _ in range(20000)]
    assert [url_host(u) for u in urls] == [reference(u) for u in urls]


# -- links: "Read the full story at …" -------------------------------------------------

REUTERS_URL = "https://www.reuters.com/article/harbour-bridge-trams-idUSN0004411"


@pytest.mark.parametrize(("footer", "wire"), [
    (f"Read the full story at {REUTERS_URL}", "Reuters"),
    (f"Read the full story at\n{REUTERS_URL}", "Reuters"),  # hard-wrapped
    ("Read more at Reuters.", "Reuters"),
    ("Originally published at apnews.com", "AP"),
    ("Continue reading: https://english.news.cn/2025/x.html", "Xinhua"),
    ("阅读全文：http://www.news.cn/2025/0508/a.html", "Xinhua"),
    # a wrap by width (CJK text) breaks the path anywhere (issue 15)
    ("阅读全文：https://www.news.cn/politics/20\n241227/f7a03f305\n6/c.html", "Xinhua"),
    ("Read more at https://dailyharbor.example/2025/05/08/trams/", None),
    ("Originally published in The Daily Harbor.", None),
])
def test_a_closing_link_is_a_credit_and_leaves_the_body(footer, wire):
    text = f"Trams ran again on the harbour bridge.\n\n{footer}\n\nLeave a Reply"
    found = detect(text, WIRES)
    assert [(c.wire, c.kind, c.text) for c in found.credits] == [(wire, "link", footer)]
    assert "Read" not in found.body and "阅读" not in found.body and "http" not in found.body
    assert found.body.startswith("Trams ran") and found.body.endswith("Leave a Reply")


def test_a_wrapped_link_does_not_take_the_sign_off_along():
    """A continuation of a broken path has a digit or a path character; "Reuter" on the
    next line is the sign-off, not the URL's end."""
    found = detect(f"Trams ran again.\n\nRead the full story at {REUTERS_URL}\nReuter", WIRES)
    assert [(c.kind, c.text) for c in found.credits] == [
        ("link", f"Read the full story at {REUTERS_URL}"), ("trailer", "Reuter")]


@pytest.mark.parametrize("text", [
    "\n\n".join([FILLER, "Read more at the library, she said.", FILLER]),
    "Trams ran again.\n\nRead more at the library, she said.\n\nThey did.",
    "Trams ran again.\n\nRead more at the library, she said.",
    "Trams ran again.\n\nRead more at the library.",
    "Trams ran again.\n\nThe plan was first published in 1998.",
    "Read more at Reuters.\n\n" + FILLER,  # not in the last lines
])
def test_sentences_that_look_like_links_stay_in_the_body(text):
    found = detect(text, WIRES)
    assert not [c for c in found.credits if c.kind == "link"]
    assert found.body == text.strip()


def test_an_excerpt_with_a_reuters_footer_joins_its_original_credited_to_reuters():
    import random

    from dedup import Article, Index

    from .textgen import story, vocabulary

    rng = random.Random(15)
    wire = story(rng, vocabulary(), 400)
    lead = " ".join(wire.split()[:55])  # short: the footer's shingles alone make it no copy
    excerpt = f"{lead}\n\nRead the full story at {REUTERS_URL}\n"
    index = Index()
    index.add(Article(id="wire", text=wire, source="Reuters", url=REUTERS_URL))
    verdict = index.add(Article(id="excerpt", text=excerpt, source="Daily Harbor",
                                url="https://dailyharbor.example/2025/05/08/trams/"))
    assert (verdict.relation, verdict.original) == ("excerpt", "wire"), verdict.why
    assert verdict.origin_source == "Reuters"
    assert f"credit line names Reuters: 'Read the full story at {REUTERS_URL}'" in verdict.why
    # Without the wire's own copy the footer alone credits Reuters.
    alone = Index().add(Article(id="excerpt", text=excerpt, source="Daily Harbor"))
    assert alone.origin_source == "Reuters"


def test_a_publisher_is_a_wire_by_its_name_else_by_its_domain():
    wires = WireRegistry.default()
    assert wires.publisher("Xinhua", "https://example.org/a") == ("Xinhua", "source 'Xinhua'")
    assert wires.publisher("Daily Harbor", "https://apnews.com/article/x") == (
        "AP", "URL https://apnews.com/article/x")
    assert wires.publisher("Daily Harbor", "https://example.org/a") == (None, None)
    assert wires.publisher(None, None) == (None, None)
