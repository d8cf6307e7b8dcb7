"""Templated market, weather and exchange-rate reports: the same template, new numbers and names.

Reports of one family share their fixed sentences and differ in every number, name and city, so
two of them are near each other (Jaccard up to ~0.7 for exchange-rate reports) without being the
same story: the hard negatives every wire feed is full of.
"""

from __future__ import annotations

import random

from bench import lexicon as L
from bench.writer import Rng, vocabulary

TEMPLATE_FAMILIES = {"en": ("stocks", "weather", "forex"), "zh": ("stocks", "weather", "forex")}


def template_report(
    rng: Rng, lang: str, family: str, month: int, day: int, weekday: str
) -> tuple[str, list[list[str]]]:
    """A report with a fixed template and fresh numbers and names.

    Returns:
        (headline, paragraphs). Families: "stocks", "weather", "forex" (see TEMPLATE_FAMILIES).
    """
    r = rng.py

    def dec(lo: int, hi: int, places: int = 2) -> str:  # a decimal number such as 2974.36
        return f"{r.randint(lo, hi)}.{r.randint(0, 10**places - 1):0{places}d}"

    if lang == "en":
        return _english_report(r, family, weekday, dec)
    return _chinese_report(r, family, month, day, dec)


def _english_report(
    r: random.Random, family: str, weekday: str, dec
) -> tuple[str, list[list[str]]]:
    v = vocabulary()
    if family == "stocks":
        up = r.random() < 0.5
        paras = [
            [
                f"China's stocks closed {'higher' if up else 'lower'} on {weekday}, with the "
                f"benchmark Shanghai Composite Index {'up' if up else 'down'} {dec(0, 9)} percent "
                f"to {dec(2700, 3600)} points."
            ],
            [
                f"The Shenzhen Component Index {r.choice(('gained', 'lost'))} {dec(0, 9)} percent "
                f"to {dec(8000, 12000)} points, while the ChiNext Index "
                f"{r.choice(('rose', 'fell'))} {dec(0, 9)} percent to {dec(1600, 2600)} points."
            ],
        ]
        for company in r.sample(v.en_companies, r.randint(8, 16)):
            move = r.choice(("rose", "fell", "gained", "lost"))
            paras.append(
                [
                    f"Shares of {company} {move} {dec(0, 9)} percent to {dec(2, 300)} yuan, "
                    f"with {dec(1, 900, 1)} million shares changing hands."
                ]
            )
        paras.append(
            [
                f"Combined turnover on the two bourses totaled {dec(600, 1400, 1)} billion yuan, "
                f"{r.choice(('up', 'down'))} from {dec(600, 1400, 1)} billion yuan the previous "
                "trading day.",
                "Analysts said trading sentiment would depend on policy signals and corporate "
                "earnings in the coming weeks.",
            ]
        )
        return f"China stocks close {'higher' if up else 'lower'} {weekday}", paras
    if family == "weather":
        paras = [
            [
                f"The National Meteorological Center said on {weekday} that a cold front would "
                "bring rain, wind and a drop in temperatures to northern and central regions over "
                "the next three days."
            ]
        ]
        for city, _ in r.sample(L.EN_CITIES[:40], r.randint(10, 20)):
            low = r.randint(-15, 25)
            high = low + r.randint(2, 14)
            paras.append(
                [
                    f"{city.title()}: {r.choice(L.EN_CONDITIONS)}, high {high} C, "
                    f"low {low} C, {r.choice(L.EN_WIND_DIRECTIONS)} wind force "
                    f"{r.randint(1, 7)}, humidity {r.randint(20, 99)} percent."
                ]
            )
        paras.append(
            [
                "The center advised residents to check updated forecasts before traveling and "
                "to take precautions against sudden changes in the weather."
            ]
        )
        return f"Weather forecast for {weekday}", paras
    pts, rate = r.randint(1, 250), dec(6, 7, 4)
    head = f"Yuan {r.choice(('strengthens', 'weakens'))} to {rate} against USD"
    return head, [
        [
            "The central parity rate of the Chinese currency renminbi, or the yuan, "
            f"{r.choice(('strengthened', 'weakened'))} {pts} basis points to {rate} against "
            f"the U.S. dollar {weekday}, according to the China Foreign Exchange Trade System."
        ],
        [
            "In China's spot foreign exchange market, the yuan is allowed to rise or fall by "
            "2 percent from the central parity rate each trading day.",
            "The central parity rate of the yuan against the U.S. dollar is based on a weighted "
            "average of prices offered by market makers before the opening of the interbank "
            "market each business day.",
        ],
        [
            f"The yuan was quoted at {dec(6, 7, 4)} against the euro, {dec(4, 5, 4)} against "
            f"100 Japanese yen and {dec(8, 9, 4)} against the British pound."
        ],
    ]


def _chinese_report(
    r: random.Random, family: str, month: int, day: int, dec
) -> tuple[str, list[list[str]]]:
    v = vocabulary()
    if family == "stocks":
        up = r.choice(("涨", "跌"))
        trend = r.choice(("高开低走", "低开高走", "震荡走高", "震荡回落", "窄幅震荡"))
        paras = [
            [
                f"{month}月{day}日，沪深两市{trend}。截至收盘，"
                f"上证指数报{dec(2700, 3600)}点，{up}{dec(0, 9)}%；"
                f"深证成指报{dec(8000, 12000)}点，{r.choice(('涨', '跌'))}{dec(0, 9)}%；"
                f"创业板指报{dec(1600, 2600)}点，{r.choice(('涨', '跌'))}{dec(0, 9)}%。"
            ]
        ]
        for company in r.sample(v.zh_companies, r.randint(8, 16)):
            move = r.choice(("涨", "跌"))
            paras.append(
                [f"{company}{move}{dec(0, 9)}%，报{dec(2, 300)}元，成交{dec(1, 90)}亿元。"]
            )
        paras.append(
            [
                f"两市成交额{r.randint(6000, 14000)}亿元，较上一交易日"
                f"{r.choice(('增加', '减少'))}{r.randint(10, 2000)}亿元。",
                "分析人士认为，后市仍需关注政策面和资金面的变化。",
            ]
        )
        return f"{month}月{day}日沪深两市收盘：沪指{up}{dec(0, 9)}%", paras
    if family == "weather":
        paras = [
            [
                f"中央气象台{month}月{day}日{r.randint(6, 18)}时发布天气预报：预计未来三天，"
                "受冷空气影响，北方地区将有一次降温和大风天气过程，南方地区多阴雨天气。"
            ]
        ]
        for city in r.sample(L.ZH_CITIES, r.randint(10, 20)):
            low = r.randint(-15, 25)
            paras.append(
                [
                    f"{city}：{r.choice(L.ZH_WEATHER)}，{low}℃～{low + r.randint(2, 14)}℃，"
                    f"{r.choice(L.ZH_WIND)}风{r.randint(1, 7)}级，"
                    f"相对湿度{r.randint(20, 99)}%。"
                ]
            )
        paras.append(
            ["气象部门提醒，公众出行前请关注最新天气预报，注意防范天气变化带来的不利影响。"]
        )
        return f"中央气象台{month}月{day}日天气预报", paras
    pts, rate = r.randint(1, 250), dec(6, 7, 4)
    return f"人民币对美元中间价报{rate}", [
        [
            f"中国外汇交易中心{month}月{day}日公布，人民币对美元汇率中间价报{rate}，"
            f"较前一交易日{r.choice(('调升', '调降'))}{pts}个基点。"
        ],
        [
            "中国人民银行授权中国外汇交易中心公布，银行间外汇市场人民币对美元汇率中间价"
            "以做市商报价为基础，去掉最高和最低报价后加权平均得到。"
        ],
        [
            f"当日人民币对欧元汇率中间价报{dec(7, 8, 4)}，"
            f"对日元汇率中间价报100日元对人民币{dec(4, 5, 4)}元，"
            f"对英镑汇率中间价报{dec(8, 9, 4)}。"
        ],
    ]
