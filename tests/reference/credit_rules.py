"""The credit and dateline rules as dedup implemented them in Python before the core.

Kept only for the parity tests: ``dedup._core`` must find the same credits, mentions
and bodies (``detect(text, ReferenceWires(registry))``). What follows is dedup 0.1's
``dedup/credits.py``, unchanged but for its imports and the rules marked "new since
0.1" (the core has them too).

Credit lines and datelines: which wire a text credits, and the text without them.

``detect(text, wires)`` finds datelines, source lines, bylines and trailers by place and
form. Fingerprinting gets the body without them (Xinhua items must not all share dateline
shingles); attribution gets the credits, plus mentions ("据新华社报道") as weaker evidence.
"""

from __future__ import annotations

import re

from dedup.records import Credit, CreditKind, Credits, Mention  # noqa: F401

from .wire_rules import ReferenceWires as WireRegistry

HEAD = 600  # datelines, bylines and credit lines are read in the first HEAD characters
TAIL = 600  # ... and credit lines and trailers also in the last TAIL characters
HEAD_LINES = 3  # datelines and bylines must be in the first HEAD_LINES non-empty lines
_HEAD_MAX = 70  # longest place-and-date before a dateline's parenthesis


# -- patterns that do not depend on the registry ---------------------------------

_HWS = " \t\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
       "\u200a\u200b\u202f\u205f\u3000\ufeff"
_OPENERS = "(（[【「『〔"
_CLOSERS = ")）]】」』〕"
_ENDERS = ".!?。！？;；:：”\"'’…" + _CLOSERS
_PHOTO_WORDS = ("Photo", "PHOTO", "photo", "File photo", "Picture", "图", "照片", "摄", "视频")
_NOT_DIAN = r"(?![视影台话子脑力商竞器池网线缆])"  # 新华社电 is a dateline, 电视 is not.
_MONTH = r"(?<![A-Za-z])(?i:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?"
_DATE = rf"(?:\d{{1,2}}[ \t]+{_MONTH}|{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?)(?:,?[ \t]+\d{{4}})?"
_EN_DATE = re.compile(_DATE + r"(?!\w)")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_HAN = re.compile(r"[\u3400-\u9fff]")
_CODE_SPLIT = re.compile(r"[ \t]*(?:/|,|、|;|&|\band\b)[ \t]*")
_SEP = r"(?:--|[-–—―:：]|[?_](?=\s))"  # "?" is a mangled dash, "_" old AP style

# The parenthesis of BEIJING, May 8 (Xinhua) -- / (Reuters) - / ڈھاکہ ۔ یکم دسمبر (اے پی پی)
_PAREN = re.compile(
    r"[(（][^\S\n]*(?P<codes>[^\n()（）:：]{1,40}?)[^\S\n]*[)）]"
    rf"(?:[^\S\n]*(?P<sep>{_SEP}))?[^\S\n]*")
# The place (and date) ending a head that has other words first: "Article Tools ALBANY, N.Y."
_PLACE_SUFFIX = re.compile(
    r"(?<![\w'’])(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t\u00a0]+[A-Z][A-Z.'’\-]+)*"
    r"(?:,[ \t\u00a0]*[A-Z][\w.'’\-]*(?:[ \t\u00a0]+[A-Z][\w.'’\-]*){0,3})?)"
    rf"(?:,[ \t\u00a0]*(?P<date>{_DATE}))?[ \t\u00a0,]*\Z")
# لاہور۔۔۔۔۔ (Urdu papers' own dateline, no agency code)
_UR_CODELESS = re.compile(
    r"(?P<place>[^\s۔:()（）\d]{2,20}(?:[ \t/،][^\s۔:()（）\d]{1,20}){0,2})[^\S\n]*۔{3,}[^\S\n]*")
# SALVADOR, Feb 26 - (no agency code: the publisher's own dateline)
_CODELESS = re.compile(
    r"(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t][A-Z][A-Z.'’\-]+){0,3}"
    r"(?:,[ \t]*[A-Z][A-Za-z.'’\-]+(?:[ \t][A-Z][A-Za-z.'’\-]+){0,2})?)"
    rf",[ \t]*(?P<date>{_DATE})[^\S\n]*(?P<sep>--|[-–—―])[^\S\n]*")
_BYLINE = re.compile(r"(?:By|BY)[ \t\u00a0]+(?P<who>[^\n]{2,80}?)[^\S\n]*$", re.M)
_BYLINE_LOWER = frozenset("and & of de da del van von der den al bin y dos la le in for writer "
                          "correspondent reporter staff special".split())
_PLACE_LOWER = frozenset("de da del do dos das di du la le el al es of on upon am an der".split())
_ZH_BYLINE = re.compile(
    r"(?:本报|[\u4e00-\u9fff]{2,6}?)?(?:特约|实习)?记者[ \t\u3000:：]*"
    r"(?P<who>[\u4e00-\u9fff·]{2,4}(?:[ \t\u3000、，,][\u4e00-\u9fff·]{2,4}){0,4})[^\S\n]*$", re.M)
# After a Han wire alias: 北京5月8日电（记者 张三）
# (place and date: 香港/澳门8月7日电, “雪龙2”号7月27日电; no date: 北京电, 电).
_ZH_AFTER = re.compile(
    r"(?:(?P<place>[^\s，。,；;：:（）()【】\[\]电]{0,16}?)(?P<date>(?:\d{2,4}年)?(?:\d{1,2}月)?\d{1,2}日)电"
    rf"|(?P<near>[\u4e00-\u9fff]{{0,5}}?)电{_NOT_DIAN})"
    r"(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{1,40})[）)])?[^\S\n]*")
# A local paper's own dateline: 本报讯（记者 …） / 人民网北京5月8日电
_ZH_LOCAL = re.compile(
    r"(?P<agency>本报|本台|[\u4e00-\u9fff]{1,8}?(?:日报网|报网|日报|社|报|网|台))"
    r"(?:(?P<place>[\u4e00-\u9fff·]{0,12}?)(?P<date>(?:\d{2,4}年)?\d{1,2}月\d{1,2}日)"
    rf"电{_NOT_DIAN}|讯)(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{{1,40}})[）)])?[^\S\n]*")

_EN_VALUE = re.compile(r"[^\S\n]*(?P<value>[^\n)）\]】]{1,300})")
_ZH_SOURCE_VALUE = re.compile(r"[^\S\n]*(?P<value>[^\s)）\]】【。，,；;|｜据]{1,30})")
_ZH_OPENING = "\n；;】]）)"  # 据新华社…电 after these still opens the text
_ZH_NAME_VALUE = re.compile(
    r"[^\S\n]*(?P<value>(?:[^\s)）\]】【。，,；;|｜:：]{1,12}"
    r"(?:[ \t\u3000](?![^\s:：]{1,8}[:：])[^\s)）\]】【。，,；;|｜:：]{1,8}){0,3})?)")
_COPYRIGHT = re.compile(
    r"(?:Copyright|COPYRIGHT)?[^\S\n]*(?:©|\([cC]\))?[^\S\n]*(?:\d{4}(?:[-–]\d{4})?[^\S\n]*,?)?"
    r"[^\S\n]*(?P<holder>[^\n.©]{1,60}?)\.?(?:[^\S\n]*All [Rr]ights [Rr]eserved\.?)?"
    r"(?:[^\S\n]*This material may not be published, broadcast, rewritten,? or redistributed\.?)?"
    r"[^\S\n]*(?=\r?\n|\Z)")
_END_NAME = re.compile(r"[（(][\u4e00-\u9fff·]{1,8}[）)]")
_MENTION_AFTER = re.compile(
    r"(?:[ \t\u00a0]+(?:[Nn]ews )?[Aa]gency)?(?:['’]s)?,?[ \t\u00a0]+"
    r"(?:(?:has|had|also|earlier|later|first)[ \t\u00a0]+)?"
    r"(?:reported|reports|said|says|quoted|cited|wrote|added|learned|learnt|confirmed)\b"
    rf"|[^\S\n]*(?:记者)?(?:报道|消息|称|援引|发布|披露|获悉|评论|指出|电{_NOT_DIAN})")
_MENTION_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?:[Aa]ccording to|[Tt]old|[Rr]eported by|[Qq]uoted by|[Cc]ited by"
    r"|[Ii]nterview with|[Rr]eports? (?:by|from))[ \t\u00a0]+(?:(?:the|a)[ \t\u00a0]+)?"
    r"|(?:据|援引|引述|引用|转引自|转自|综合|接受)(?:外媒|媒体)?[^\S\n]*)\Z")

# Marker words the one scan over the text looks for, next to the wires' aliases.
_MARKERS: dict[str, str] = {
    **dict.fromkeys(("Source:", "Source：", "Sources:", "SOURCE:", "SOURCES:"), "source_en"),
    **dict.fromkeys(("来源：", "来源:"), "source_zh"),
    **dict.fromkeys(("Editor:", "Editor：", "Editors:", "EDITOR:"), "editor_en"),
    **dict.fromkeys(("Edited by", "Editing by", "Reporting by", "Writing by", "Compiled by",
                     "Additional reporting by"), "by_en"),
    **dict.fromkeys(("编辑：", "编辑:", "责编：", "责编:", "审核：", "审核:", "校对：", "校对:",
                     "监制：", "监制:", "审校：", "审校:"), "editor_zh"),
    **dict.fromkeys(("Copyright", "COPYRIGHT", "©"), "copyright"),
    **dict.fromkeys(("完）", "完)"), "end"),
    **dict.fromkeys(("原标题：", "原标题:", "原题：", "原题:"), "reprint"),
}
_MARKER_LITERALS = tuple(_MARKERS)
# Trailers that credit the wires they name, as a whole line, a bracketed sentence or the last
# sentence of one of the last lines: "Reuters contributed to this report.", "(With files from
# AFP)". Every name in {name} must be a wire: "Jane Doe contributed reporting." is a person's.
WIRE_TRAILERS = (
    "{name} contributed to this report", "{name} contributed to this story",
    "{name} contributed to this article", "{name} contributed reporting", "{name} contributed",
    "additional reporting by {name}", "with additional reporting by {name}",
    "with additional reporting from {name}", "with reporting by {name}",
    "with reporting from {name}", "reporting by {name}", "includes reporting by {name}",
    "with files from {name}", "with material from {name}", "with input from {name}",
    "information from {name} was used in this report",
    "material from {name} was used in this report",
)
_WIRE_TRAILERS = tuple(
    re.compile("(?i:" + r"[^\S\n]+".join(
        "(?P<name>[^\n]{1,80}?)" if word == "{name}" else re.escape(word)
        for word in template.split()) + ")") for template in WIRE_TRAILERS)
# The longest word of each template, one of which every trailer holds (lower case).
_TRAILER_WORDS = frozenset(max((w for w in t.split() if w != "{name}"), key=len)
                           for t in WIRE_TRAILERS)
_SENTENCE_END = re.compile(r"[.!?][^\S\n]+(?=\S)")
_TRAILER_LINES = 4  # wire trailers are read in the last _TRAILER_LINES non-empty lines
# New since 0.1: a line in the last TAIL characters pointing to the full story elsewhere
# ("Read the full story at https://www.reuters.com/…", "Originally published at Reuters",
# "阅读全文：…"), the URL perhaps hard-wrapped onto the next line (src/credit_patterns.rs LINK).
_H = r"[^\S\n]"
_LINK = re.compile(
    rf"(?:(?i:read{_H}+(?:the{_H}+)?(?:full|complete|whole|entire|original){_H}+(?:story|article|report)"
    rf"|read{_H}+(?:the{_H}+)?rest{_H}+of{_H}+(?:the|this){_H}+(?:story|article)"
    rf"|read{_H}+more|continue{_H}+reading(?:{_H}+(?:the|this){_H}+(?:story|article))?"
    rf"|(?:this{_H}+(?:story|article){_H}+(?:was{_H}+)?)?(?:originally|first){_H}+(?:published|appeared))"
    rf"(?:{_H}+(?i:at|on|in|from|by|via))?{_H}*[:：]?"
    rf"|阅读全文{_H}*[:：]?|查看原文{_H}*[:：]?|原文链接{_H}*[:：]?|原文地址{_H}*[:：]?)"
    rf"(?:{_H}*\n)?{_H}*"
    r"(?:(?P<url>(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?P<host>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})(?::[0-9]+)?(?:[/?#][^\s]*"
    # issue 15: a path broken across lines by a wrap by width (CJK text)
    r"(?:\n[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[0-9/?#=&%][A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*)*)?)"
    rf"|(?P<site>(?:[Tt]he{_H}+)?[A-Z][\w&'’.\-]*(?:{_H}+(?:[A-Z0-9][\w&'’.\-]*|of|the|and|&|for|on)){{0,5}}))"
    rf"{_H}*[.!]?{_H}*(?:\n|\Z)")
_ZH_SOURCE_PREFIX = ("本文", "文章", "稿件", "新闻", "消息", "信息")
_ZH_NOT_SOURCE = ("图片", "图像", "照片", "视频", "数据", "资料", "配图", "截图")
_ZH_EDITOR_PREFIX = ("责任", "值班", "实习", "特约", "文字", "网络")
_REUTERS_STYLE = ("Reporting by", "Additional reporting by", "Writing by", "Editing by")


class _Found:
    """Credits and cut spans collected while reading one text."""

    __slots__ = ("credits", "cuts", "dateline")

    def __init__(self) -> None:
        self.credits: list[Credit] = []
        self.cuts: list[tuple[int, int]] = []
        self.dateline = False

    def add(self, wires: tuple[str | None, ...], kind: CreditKind, text: str, start: int,
            end: int, place: str | None = None, date: str | None = None) -> None:
        stripped = text[start:end].rstrip(_HWS + "\n")
        end = start + len(stripped)
        for wire in wires or (None,):
            self.credits.append(Credit(wire, kind, stripped, start, end, place or None,
                                       date or None))
        self.cuts.append((start, end))
        self.dateline = self.dateline or kind == "dateline"


def detect(text: str, wires: WireRegistry, *, mentions: bool = True) -> Credits:
    """Find the credits of ``text``, strip them, and list mentions of wires.

    Datelines and bylines count in the first three non-empty lines (and first
    600 characters); source lines, trailers and end markers in the first or last
    600 characters. Photo credits (``(Xinhua/Li Ming)``, ``图片来源：新华社``) are
    neither credits nor stripped.

    Args:
        text: raw article text; curly quotes, full-width brackets and colons,
            NBSP and ideographic spaces are fine, and no normalization is needed.
        wires: the wire registry.
        mentions: also scan the whole body for mentions. This pass takes most of
            the time on a long text; without it only the head and tail are read.

    Returns:
        The `Credits`. ``body`` is ``text`` with credit spans removed (and the
        whitespace around them); it never contains a character ``text`` lacks.

    Example:
        >>> found = detect("BEIJING, May 8 (Xinhua) -- Rain fell.", WireRegistry.default())
        >>> found.wires, found.body
        (('Xinhua',), 'Rain fell.')
    """
    n = len(text)
    found = _Found()
    lines = _head_lines(text)
    head_end = min(lines[-1][1], HEAD) if lines else 0
    tail_start = max(n - TAIL, 0)
    for start, end in lines:
        _line_start(text, start, end, wires, found)

    scanner = wires.scanner(_MARKER_LITERALS, text.isascii())
    # Without mentions only the head and tail are scanned; a marker word that starts
    # just before HEAD is still read whole.
    ranges = [(0, n)] if mentions or n <= HEAD + TAIL else [(0, HEAD + 40), (tail_start, n)]
    hits, markers = [], []
    for lo, hi in ranges:
        for m in scanner.finditer(text, lo, hi):
            named = wires.scan_name(m.group())
            if named is not None:
                hits.append((m.start(), m.end(), *named))
            elif m.start() < HEAD or m.start() >= tail_start:
                markers.append((m.start(), m.end(), _MARKERS[m.group()]))

    if not found.dateline:
        for start, end, wire, bounded in hits:
            if start >= head_end:
                break
            if not bounded and _zh_dateline(text, start, end, wire, found):
                break
    for start, end, role in markers:
        _marker(text, start, end, role, wires, found)
    _wire_trailers(text, wires, found)
    _closing_link(text, wires, found)  # new since 0.1
    _closing_credit(text, wires, found)

    spans = sorted(set(found.cuts))
    listed = _mentions(text, hits, spans) if mentions else ()
    credits = sorted(dict.fromkeys(found.credits), key=lambda c: c.start)
    body = _remove(text, spans) if spans else text.strip()
    return Credits(body, tuple(credits), tuple(listed))


# -- the head: datelines and bylines -----------------------------------------------


def _head_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the first non-empty lines, start after leading spaces."""
    lines, pos, n = [], 0, len(text)
    while pos < n and pos < HEAD and len(lines) < HEAD_LINES:
        newline = text.find("\n", pos)
        end = n if newline < 0 else newline
        start = pos
        while start < end and text[start] in _HWS:
            start += 1
        if start < end:
            lines.append((start, end))
        pos = end + 1
    return lines


def _line_start(text: str, start: int, end: int, wires: WireRegistry, found: _Found) -> None:
    """Datelines and bylines that open a head line."""
    first = text[start]
    han = first >= "\u3400" and _HAN.match(first) is not None
    if not found.dateline:
        if _paren_datelines(text, start, end, wires, found):
            return
        m = None
        if "\u0600" <= first <= "\u06ff":
            m = _UR_CODELESS.match(text, start, end)
        elif "A" <= first <= "Z" and "A" <= text[start + 1:start + 2] <= "Z":
            m = _CODELESS.match(text, start, end)
        elif han and (m := _ZH_LOCAL.match(text, start, min(end, start + 60))):
            m = None if _names(wires, m["agency"]) else m  # known wires: see _zh_dateline
        if m:
            found.add((None,), "dateline", text, start, m.end(), m["place"],
                      m.groupdict().get("date"))
            return
    if first in "Bb" and (m := _BYLINE.match(text, start, end)) and _is_byline(m["who"]):
        found.add(wires.find_wires(m["who"]), "byline", text, start, m.end())
    elif han and end - start <= 40 and "记者" in text[start:end]:
        m = _ZH_BYLINE.match(text, start, end)
        if m and not m.group().rstrip(_HWS).endswith(("摄", "摄影")):  # 摄: a photo credit
            found.add(wires.find_wires(text[start:m.start("who")]), "byline", text, start,
                      m.end())


def _paren_datelines(text: str, start: int, end: int, wires: WireRegistry,
                     found: _Found) -> bool:
    """``PLACE, DATE (CODE) -``: a parenthesis among the line's first three, known codes first.

    بھوانہ (چنیوٹ)/ سرگودھا ۔ 12 ستمبر (اے پی پی): the first parenthesis names a
    district, the second the agency.
    """
    limit = min(end, start + 2 * _HEAD_MAX)
    fallback, pos = None, start
    for _ in range(3):
        found_at = [i for i in (text.find("(", pos, limit), text.find("（", pos, limit)) if i >= 0]
        if not found_at:
            break
        m = _PAREN.match(text, min(found_at), end)
        pos = m.end() if m else min(found_at) + 1
        if m is None or _HAN.search(text, start, m.start()):  # Han heads: see _zh_dateline
            continue
        codes = [p for p in _CODE_SPLIT.split(m["codes"]) if p.strip()]
        named = [wires.by_code(code) for code in codes]
        if named and all(named):
            if _paren_dateline(text, start, m, codes, named, end, found):
                return True
        elif fallback is None and all(
                w or _unknown_code(c) for w, c in zip(named, codes, strict=True)):
            fallback = (m, codes, named)
    return fallback is not None and _paren_dateline(text, start, *fallback, end, found)


def _paren_dateline(text: str, start: int, m: re.Match, codes: list[str],
                    named: list[str | None], line_end: int, found: _Found) -> bool:
    """Check one ``PLACE, DATE (CODE) -`` candidate by its code, place and separator."""
    if not codes or not all(w or _unknown_code(c) for w, c in zip(named, codes, strict=True)):
        return False
    known = any(named)
    sep = m["sep"]
    head = text[start:m.start()].strip(_HWS + ",")
    place = date = None
    end = m.end()
    if head:
        if _HAN.search(head):
            return False  # Chinese datelines are read by _zh_dateline
        if _LATIN.search(head):
            found_date = _EN_DATE.search(head) if _DIGIT.search(head) else None
            if found_date and found_date.end() == len(head):
                date = found_date.group()
                place = head[:found_date.start()].strip(_HWS + ",")
            else:
                place = head
            leading = place.split(",")[0]
            plain = len(head) <= _HEAD_MAX and len(head.split()) <= 8 and _is_place(place) \
                and (date or leading.upper() == leading or known and sep) and (known or sep)
            if not plain:
                if not (known and sep):
                    return False
                # A headline or page chrome before the dateline on the same line.
                suffix = _PLACE_SUFFIX.search(text, start, m.start())
                if suffix is None:
                    return False
                start, place, date = suffix.start(), suffix["place"].rstrip(","), suffix["date"]
        else:  # Arabic-script and other heads: ممبئی ۔ 2 اگست (اے پی پی)
            place, date = _split_place(head)
            words = len(head.split())
            if len(head) > _HEAD_MAX or words > 6 or not (known or sep) and (date or words > 2):
                return False  # بنوں۔ وزیراعظم نواز شریف (آج): "(today)" in a sentence
    elif not sep:
        after = _CODELESS.match(text, end, line_end)
        if after:  # (PressMediaWire) NEW YORK, Jan. 7 --
            place, date, end = after["place"], after["date"], after.end()
        elif not known:
            return False
    start = m.start() if not head else start
    found.add(tuple(w for w in named if w) or (None,), "dateline", text, start, end, place, date)
    return True


def _is_place(place: str) -> bool:
    """``KUALA LUMPUR, Malaysia`` or ``Rio de Janeiro``, not a sentence."""
    words = place.replace(",", " ").split()
    return all(w[0].isupper() or w in _PLACE_LOWER for w in words) and (
        not words or _LATIN.search(place) is not None)


def _split_place(head: str) -> tuple[str, str]:
    for sep in "۔،,":
        if sep in head:
            place, _, date = head.partition(sep)
            return place.strip(_HWS), date.strip(_HWS)
    return head, ""


def _unknown_code(code: str) -> bool:
    """Could ``code`` be an agency we do not know ((AKI), (وقت نیوز))? Not a name."""
    code = code.strip()
    if not code or len(code) > 20 or any(c.isdigit() for c in code):
        return False
    if code.isascii():
        return " " not in code and code[0].isupper() and sum(c.isupper() for c in code) >= 2
    return not _HAN.search(code) and len(code.split()) <= 3


def _is_byline(who: str) -> bool:
    words = [w for w in re.split(r"[\s,|/·]+", who) if w]
    return 0 < len(words) <= 12 and all(
        w[0].isupper() or w in _BYLINE_LOWER or w in "-–—" for w in words)


def _zh_dateline(text: str, start: int, end: int, wire: str, found: _Found) -> bool:
    """新华社北京5月8日电（记者 张三） after a Han alias in the head lines."""
    m = _ZH_AFTER.match(text, end)
    if m is None:
        return False
    quoted = start > 0 and text[start - 1] == "据"
    start -= quoted
    before = _previous(text, start)
    if quoted and before not in _ZH_OPENING and text[start - 1] not in _HWS:
        return False  # 。据新华社电 inside a paragraph is a mention
    if m["date"] is None and _HAN.match(before):
        return False  # a dateless 电 glued to other text: 美联社随后解释了停电
    found.add((wire,), "dateline", text, start, m.end(), m["place"] or m["near"], m["date"])
    return True


def _previous(text: str, pos: int) -> str:
    """The character before ``pos``, skipping spaces; a newline at the start of the text."""
    pos -= 1
    while pos >= 0 and text[pos] in _HWS:
        pos -= 1
    return text[pos] if pos >= 0 else "\n"


# -- markers: source lines, trailers, end and reprint markers -------------------------


def _at_boundary(text: str, pos: int) -> bool:
    """Is ``pos`` where a credit line may begin (line start, bracket, sentence end)?"""
    i = pos - 1
    while i >= 0 and text[i] in _HWS:
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in _OPENERS or text[i] in _ENDERS


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``start:end`` over an opening bracket before and its closer after."""
    i = start - 1
    while i >= 0 and text[i] in _HWS:
        i -= 1
    if i < 0 or text[i] not in _OPENERS:
        return start, end
    j = end
    while j < len(text) and text[j] in _HWS:
        j += 1
    if j < len(text) and text[j] == _CLOSERS[_OPENERS.index(text[i])]:
        return i, j + 1
    return start, end


def _marker(text: str, start: int, end: int, role: str, wires: WireRegistry,
            found: _Found) -> None:
    """Read the credit (or end/reprint marker) that the marker word at ``start`` opens."""
    if any(s <= start < e for s, e in found.cuts):
        return  # inside a credit already read: (Reporting by A; Editing by B)
    if role == "end":
        if start == 0 or text[start - 1] not in "（(":
            return
        stop = end
        if name := _END_NAME.match(text, stop):  # （完）（惠晓霜）
            stop = name.end()
        found.cuts.append((start - 1, stop))
        return
    if role == "source_zh":
        before = text[max(0, start - 2):start]
        if before in _ZH_NOT_SOURCE or before[-1:] == "图":
            return
        if before in _ZH_SOURCE_PREFIX:
            start -= 2
        elif not _at_boundary(text, start):
            return
        value = _ZH_SOURCE_VALUE.match(text, end)
        if value is None or any(word in value["value"] for word in _ZH_NOT_SOURCE):
            return  # 来源：韩联社报道配图 credits a picture
        found.add(_names(wires, value["value"]), "source_line", text,
                  *_bracketed(text, start, value.end("value")))
        return
    if role == "editor_zh":
        prefix = text[max(0, start - 2):start]
        if prefix in _ZH_EDITOR_PREFIX:
            start -= 2
        elif not _at_boundary(text, start):
            return
        value = _ZH_NAME_VALUE.match(text, end)
        found.add(wires.find_wires(value["value"]), "trailer", text,
                  *_bracketed(text, start, value.end("value") if value["value"] else end))
        return
    if role == "reprint":
        if _at_boundary(text, start):
            _reprint(text, start, end, found)
        return
    if not _at_boundary(text, start):
        return
    if role == "copyright":
        m = _COPYRIGHT.match(text, start)
        if m:
            found.add(_names(wires, m["holder"]), "trailer", text, start, m.end())
        return
    value = _EN_VALUE.match(text, end)
    if value is None:
        return
    said = value["value"].rstrip(_HWS + ".")
    stop = value.start("value") + len(said)
    span = _bracketed(text, start, stop)
    if role == "source_en":
        if span[0] == start and (len(said) > 60 or len(said.split()) > 8):
            return  # an unbracketed "Source:" line that runs on is prose
        found.add(_names(wires, said), "source_line", text, *span)
    elif role == "editor_en":
        found.add(wires.find_wires(said), "trailer", text, *span)
    else:  # Reporting by / Editing by / Edited by ...
        label = text[start:end]
        names = wires.find_wires(said)
        reuters = label in _REUTERS_STYLE and (
            span[0] < start or ";" in said or label == "Editing by")
        # by_source: a dict lookup, where wires.names builds a tuple on every call.
        if reuters and wires.by_source("Reuters") == "Reuters":
            names = tuple(dict.fromkeys(("Reuters", *names)))
        found.add(names, "trailer", text, *span)


def _names(wires: WireRegistry, value: str) -> tuple[str, ...]:
    """The wires a credit's value names: the whole value as an alias, else any inside."""
    whole = wires.by_source(value)
    return (whole,) if whole else wires.find_wires(value)


def _reprint(text: str, start: int, end: int, found: _Found) -> None:
    """原标题：… — to the line end, or to a dateline that follows on the same line."""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    stop = min((c.start for c in found.credits if c.kind == "dateline" and c.start >= end),
               default=line_end)
    stop = min(stop, line_end)
    if stop - end > 100:  # the title runs into the body: keep only the marker word
        stop = end
    found.add((None,), "reprint_marker", text, start, stop)


def _wire_trailers(text: str, wires: WireRegistry, found: _Found) -> None:
    """`WIRE_TRAILERS` filling one of the last lines, its closing bracket or its last sentence."""
    for lo, hi in _last_lines(text, max(0, len(text) - TAIL), _TRAILER_LINES):
        if any(s < hi and lo < e for s, e in found.cuts):
            continue  # read already: (Additional reporting by Reuters)
        closer = _CLOSERS.find(text[hi - 1])
        opener = text.rfind(_OPENERS[closer], lo, hi) if closer >= 0 else -1
        for start in (lo, opener, *(m.end() for m in _SENTENCE_END.finditer(text, lo, hi))):
            inner = text[start:hi] if start >= 0 else ""
            if inner and inner[0] in _OPENERS and inner[-1] == _CLOSERS[_OPENERS.index(inner[0])]:
                inner = inner[1:-1]
            if named := _trailer_wires(inner.strip(_HWS).rstrip(".").rstrip(_HWS), wires):
                found.add(named, "trailer", text, start, hi)
                break


def _last_lines(text: str, lo: int, count: int) -> list[tuple[int, int]]:
    """(start, end) of the last ``count`` non-blank lines of ``text[lo:]``, without the
    spaces around them, in text order (a line of ``text[lo:]`` may start mid-line)."""
    spans: list[tuple[int, int]] = []
    end = len(text)
    while len(spans) < count:
        start = max(text.rfind("\n", lo, end) + 1, lo)
        segment = text[start:end]
        stripped = segment.strip()
        if stripped:
            first = start + len(segment) - len(segment.lstrip())
            spans.append((first, first + len(stripped)))
        if start <= lo:
            break
        end = start - 1
    return spans[::-1]


def _trailer_wires(sentence: str, wires: WireRegistry) -> tuple[str, ...]:
    """The wires a `WIRE_TRAILERS` sentence names, or () if it is not one or names a person."""
    if sentence.isascii():
        # Every template holds one of its words; an ASCII sentence holding none of them
        # matches no template (ignoring case is plain ASCII here). Most of the last
        # lines' sentences are not trailers: this skips 17 fullmatch calls for each.
        folded = sentence.lower()
        if not any(word in folded for word in _TRAILER_WORDS):
            return ()
    for m in filter(None, (p.fullmatch(sentence) for p in _WIRE_TRAILERS)):
        named = [wires.by_source(p) for p in _CODE_SPLIT.split(m["name"]) if p.strip()]
        if named and all(named):
            return tuple(dict.fromkeys(named))
    return ()


def _closing_link(text: str, wires: WireRegistry, found: _Found) -> None:
    """New since 0.1: a line of the last TAIL characters pointing to the story elsewhere,
    crediting the wire whose domain hosts its URL or whom its site's name names."""
    lo = max(len(text) - TAIL, 0)
    starts = [lo] if lo == 0 or text[lo - 1] == "\n" else []
    starts += [i + 1 for i in range(lo, len(text)) if text[i] == "\n"]
    for line in starts:
        start = len(text) - len(text[line:].lstrip(_HWS))
        if start >= len(text) or text[start] not in "RrCcOoFfTt阅查原":
            continue
        if any(s <= start < e for s, e in found.cuts):
            continue
        m = _LINK.match(text, start)
        if m is None:
            continue
        if m["host"] is not None:
            host, named = m["host"].rstrip(".").lower(), ()
            while host and not named:
                named = (wires._by_domain[host],) if host in wires._by_domain else ()
                host = host.partition(".")[2]
        else:
            named = _names(wires, m["site"]) if m["site"] is not None else ()
        found.add(named, "link", text, start, m.end())


def _closing_credit(text: str, wires: WireRegistry, found: _Found) -> None:
    """A bare ``(Xinhua)`` / ``（新华社）`` or a sign-off line (``Reuter``) ending the text."""
    end = len(text.rstrip(_HWS + "\n"))
    for cut_start, cut_end in sorted(found.cuts, reverse=True):
        if cut_end >= end > cut_start:
            end = len(text[:cut_start].rstrip(_HWS + "\n"))
    if end == 0:
        return
    line_start = text.rfind("\n", 0, end) + 1
    if text[end - 1] in ")）":
        lo = max(0, end - 40)
        opener = max(text.rfind("(", lo, end), text.rfind("（", lo, end))
        if opener < 0:
            return
        codes = [p for p in _CODE_SPLIT.split(text[opener + 1:end - 1]) if p.strip()]
        names = tuple(wires.by_code(c) for c in codes)
        line = text[line_start:opener].lstrip(_HWS + _OPENERS)
        if names and all(names) and not line.startswith(_PHOTO_WORDS):
            found.add(names, "source_line", text, opener, end)
    elif line_start > 0 and end - line_start <= 40:  # a sign-off line: Reuter
        line = text[line_start:end].lstrip(_HWS)
        if wire := wires.by_source(line):
            found.add((wire,), "trailer", text, end - len(line), end)


# -- mentions and the body -----------------------------------------------------------


def _mentions(text: str, hits: list, spans: list[tuple[int, int]]) -> list[Mention]:
    """Alias hits with a reporting phrase around them, outside the credits."""
    listed = []
    for start, end, wire, bounded in hits:
        if bounded and ((start > 0 and text[start - 1].isalnum())
                        or (end < len(text) and text[end].isalnum())):
            continue
        if any(s < end and start < e for s, e in spans):
            continue  # part of a credit
        before = _MENTION_BEFORE.search(text, max(0, start - 32), start)
        after = None if before else _MENTION_AFTER.match(text, end)
        if before is None and after is None:
            continue
        lo = before.start() if before else start
        hi = after.end() if after else end
        if any(s < hi and lo < e for s, e in spans):
            continue
        listed.append(Mention(wire, text[lo:hi], lo, hi))
    return listed


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without ``spans``; a span that fills its line takes the line with it."""
    pieces, pos, n = [], 0, len(text)
    for start, end in spans:
        start = max(start, pos)
        while end < n and text[end] in _HWS:
            end += 1
        first = start
        while first > pos and text[first - 1] in _HWS:
            first -= 1
        if (first == 0 or text[first - 1] == "\n") and (end == n or text[end] == "\n"):
            start, end = first, min(end + 1, n)
        if end <= pos:
            continue
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces).strip()
