//! Credit lines and datelines: which wire a text credits, and the text without them.
//!
//! `detect` finds datelines, source lines, bylines and trailers by place and form
//! (the rules `dedup/credits.py` documents). Offsets are byte offsets here; the
//! boundary turns them into character offsets. Lengths the rules measure ("the first
//! 600 characters", "a head of at most 70") are counted in characters, as in Python.
//! The head rules live here, the markers, trailers and the body in `credit_marks`.

use std::sync::LazyLock;

use fancy_regex::Captures;

use crate::credit_marks::{closing_credit, marker, mentions, remove, wire_trailers};
use crate::pyre::Re;
use crate::unicode::{is_decimal, is_digit, is_space, is_upper, upper_unchanged};
use crate::wires::{py_strip, Hit, Wire, Wires};

pub const HEAD: usize = 600; // datelines, bylines and credit lines: the first HEAD characters
pub const TAIL: usize = 600; // ... credit lines and trailers also the last TAIL characters
const HEAD_LINES: usize = 3; // datelines and bylines: the first HEAD_LINES non-empty lines
const HEAD_MAX: usize = 70; // longest place-and-date before a dateline's parenthesis

/// The horizontal spaces credit spans are trimmed of (`_HWS`).
pub fn is_hws(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\x0c' | '\x0b' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

pub const OPENERS: &str = "(（[【「『〔";
pub const CLOSERS: &str = ")）]】」』〕";
const BYLINE_LOWER: &[&str] = &[
    "and",
    "&",
    "of",
    "de",
    "da",
    "del",
    "van",
    "von",
    "der",
    "den",
    "al",
    "bin",
    "y",
    "dos",
    "la",
    "le",
    "in",
    "for",
    "writer",
    "correspondent",
    "reporter",
    "staff",
    "special",
];
const PLACE_LOWER: &[&str] = &[
    "de", "da", "del", "do", "dos", "das", "di", "du", "la", "le", "el", "al", "es", "of", "on",
    "upon", "am", "an", "der",
];
const ZH_OPENING: &str = "\n；;】]）)"; // 据新华社…电 after these still opens the text

const NOT_DIAN: &str = r"(?![视影台话子脑力商竞器池网线缆])"; // 新华社电 is a dateline, 电视 is not
const MONTH: &str =
    r"(?<![A-Za-z])(?i:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?";
const SEP: &str = r"(?:--|[-–—―:：]|[?_](?=\s))"; // "?" is a mangled dash, "_" old AP style

fn date() -> String {
    format!(
        r"(?:\d{{1,2}}[ \t]+{MONTH}|{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?)(?:,?[ \t]+\d{{4}})?"
    )
}

/// The patterns of the rules, compiled once (`dedup/credits.py` names them alike).
pub struct Patterns {
    pub en_date: Re,
    pub code_split: Re,
    pub paren: Re,
    pub place_suffix: Re,
    pub ur_codeless: Re,
    pub codeless: Re,
    pub byline: Re,
    pub byline_split: Re,
    pub zh_byline: Re,
    pub zh_after: Re,
    pub zh_local: Re,
    pub en_value: Re,
    pub zh_source_value: Re,
    pub zh_name_value: Re,
    pub copyright: Re,
    pub end_name: Re,
    pub mention_after: Re,
    pub mention_before: Re,
    pub sentence_end: Re,
    pub trailers: Vec<Re>,
}

pub static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let date = date();
    Patterns {
        en_date: Re::new(&format!(r"{date}(?!\w)")),
        code_split: Re::new(r"[ \t]*(?:/|,|、|;|&|\band\b)[ \t]*"),
        paren: Re::new(&format!(
            r"[(（][^\S\n]*(?P<codes>[^\n()（）:：]{{1,40}}?)[^\S\n]*[)）](?:[^\S\n]*(?P<sep>{SEP}))?[^\S\n]*"
        )),
        place_suffix: Re::new(&format!(
            r"(?<![\w'’])(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t\u00a0]+[A-Z][A-Z.'’\-]+)*(?:,[ \t\u00a0]*[A-Z][\w.'’\-]*(?:[ \t\u00a0]+[A-Z][\w.'’\-]*){{0,3}})?)(?:,[ \t\u00a0]*(?P<date>{date}))?[ \t\u00a0,]*\Z"
        )),
        ur_codeless: Re::new(
            r"(?P<place>[^\s۔:()（）\d]{2,20}(?:[ \t/،][^\s۔:()（）\d]{1,20}){0,2})[^\S\n]*۔{3,}[^\S\n]*",
        ),
        codeless: Re::new(&format!(
            r"(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t][A-Z][A-Z.'’\-]+){{0,3}}(?:,[ \t]*[A-Z][A-Za-z.'’\-]+(?:[ \t][A-Z][A-Za-z.'’\-]+){{0,2}})?),[ \t]*(?P<date>{date})[^\S\n]*(?P<sep>--|[-–—―])[^\S\n]*"
        )),
        byline: Re::new(r"(?m)(?:By|BY)[ \t\u00a0]+(?P<who>[^\n]{2,80}?)[^\S\n]*$"),
        byline_split: Re::new(r"[\s,|/·]+"),
        zh_byline: Re::new(
            r"(?m)(?:本报|[\u4e00-\u9fff]{2,6}?)?(?:特约|实习)?记者[ \t\u3000:：]*(?P<who>[\u4e00-\u9fff·]{2,4}(?:[ \t\u3000、，,][\u4e00-\u9fff·]{2,4}){0,4})[^\S\n]*$",
        ),
        zh_after: Re::new(&format!(
            r"(?:(?P<place>[^\s，。,；;：:（）()【】\[\]电]{{0,16}}?)(?P<date>(?:\d{{2,4}}年)?(?:\d{{1,2}}月)?\d{{1,2}}日)电|(?P<near>[\u4e00-\u9fff]{{0,5}}?)电{NOT_DIAN})(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{{1,40}})[）)])?[^\S\n]*"
        )),
        zh_local: Re::new(&format!(
            r"(?P<agency>本报|本台|[\u4e00-\u9fff]{{1,8}}?(?:日报网|报网|日报|社|报|网|台))(?:(?P<place>[\u4e00-\u9fff·]{{0,12}}?)(?P<date>(?:\d{{2,4}}年)?\d{{1,2}}月\d{{1,2}}日)电{NOT_DIAN}|讯)(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{{1,40}})[）)])?[^\S\n]*"
        )),
        en_value: Re::new(r"[^\S\n]*(?P<value>[^\n)）\]】]{1,300})"),
        zh_source_value: Re::new(r"[^\S\n]*(?P<value>[^\s)）\]】【。，,；;|｜据]{1,30})"),
        zh_name_value: Re::new(
            r"[^\S\n]*(?P<value>(?:[^\s)）\]】【。，,；;|｜:：]{1,12}(?:[ \t\u3000](?![^\s:：]{1,8}[:：])[^\s)）\]】【。，,；;|｜:：]{1,8}){0,3})?)",
        ),
        copyright: Re::new(
            r"(?:Copyright|COPYRIGHT)?[^\S\n]*(?:©|\([cC]\))?[^\S\n]*(?:\d{4}(?:[-–]\d{4})?[^\S\n]*,?)?[^\S\n]*(?P<holder>[^\n.©]{1,60}?)\.?(?:[^\S\n]*All [Rr]ights [Rr]eserved\.?)?(?:[^\S\n]*This material may not be published, broadcast, rewritten,? or redistributed\.?)?[^\S\n]*(?=\r?\n|\Z)",
        ),
        end_name: Re::new(r"[（(][\u4e00-\u9fff·]{1,8}[）)]"),
        mention_after: Re::new(&format!(
            r"(?:[ \t\u00a0]+(?:[Nn]ews )?[Aa]gency)?(?:['’]s)?,?[ \t\u00a0]+(?:(?:has|had|also|earlier|later|first)[ \t\u00a0]+)?(?:reported|reports|said|says|quoted|cited|wrote|added|learned|learnt|confirmed)\b|[^\S\n]*(?:记者)?(?:报道|消息|称|援引|发布|披露|获悉|评论|指出|电{NOT_DIAN})"
        )),
        mention_before: Re::new(
            r"(?:(?<![A-Za-z])(?:[Aa]ccording to|[Tt]old|[Rr]eported by|[Qq]uoted by|[Cc]ited by|[Ii]nterview with|[Rr]eports? (?:by|from))[ \t\u00a0]+(?:(?:the|a)[ \t\u00a0]+)?|(?:据|援引|引述|引用|转引自|转自|综合|接受)(?:外媒|媒体)?[^\S\n]*)\Z",
        ),
        sentence_end: Re::new(r"[.!?][^\S\n]+(?=\S)"),
        trailers: WIRE_TRAILERS
            .iter()
            .map(|t| {
                let words: Vec<String> = t
                    .split(' ')
                    .map(|w| {
                        if w == "{name}" {
                            r"(?P<name>[^\n]{1,80}?)".to_string()
                        } else {
                            fancy_regex::escape(w).into_owned()
                        }
                    })
                    .collect();
                Re::new(&format!("(?i:{})", words.join(r"[^\S\n]+")))
            })
            .collect(),
    }
});

/// Trailers that credit the wires they name (see `dedup/credits.py`).
pub const WIRE_TRAILERS: &[&str] = &[
    "{name} contributed to this report",
    "{name} contributed to this story",
    "{name} contributed to this article",
    "{name} contributed reporting",
    "{name} contributed",
    "additional reporting by {name}",
    "with additional reporting by {name}",
    "with additional reporting from {name}",
    "with reporting by {name}",
    "with reporting from {name}",
    "reporting by {name}",
    "includes reporting by {name}",
    "with files from {name}",
    "with material from {name}",
    "with input from {name}",
    "information from {name} was used in this report",
    "material from {name} was used in this report",
];

/// The kind of a credit, as `dedup.records.CreditKind` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dateline,
    SourceLine,
    Trailer,
    Byline,
    ReprintMarker,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dateline => "dateline",
            Kind::SourceLine => "source_line",
            Kind::Trailer => "trailer",
            Kind::Byline => "byline",
            Kind::ReprintMarker => "reprint_marker",
        }
    }
}

/// A credit found (byte offsets into the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub wire: Option<Wire>,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub place: Option<String>,
    pub date: Option<String>,
}

/// A wire named inside the story (byte offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub wire: Wire,
    pub start: usize,
    pub end: usize,
}

/// What `detect` found: the body to fingerprint, the credits, the mentions.
#[derive(Debug, Default)]
pub struct Detected {
    pub body: String,
    pub credits: Vec<Credit>,
    pub mentions: Vec<Mention>,
}

/// Credits and cut spans collected while reading one text.
pub struct Found<'t> {
    pub text: &'t str,
    pub wires: &'t Wires,
    /// Where the last TAIL characters begin.
    pub tail_start: usize,
    pub credits: Vec<Credit>,
    pub cuts: Vec<(usize, usize)>,
    pub dateline: bool,
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

impl Found<'_> {
    pub fn add(
        &mut self,
        wires: &[Wire],
        kind: Kind,
        start: usize,
        end: usize,
        place: Option<&str>,
        date: Option<&str>,
    ) {
        let end = start
            + self.text[start..end]
                .trim_end_matches(|c| is_hws(c) || c == '\n')
                .len();
        let (place, date) = (nonempty(place), nonempty(date));
        if wires.is_empty() {
            self.credits.push(Credit {
                wire: None,
                kind,
                start,
                end,
                place,
                date,
            });
        } else {
            for &w in wires {
                self.credits.push(Credit {
                    wire: Some(w),
                    kind,
                    start,
                    end,
                    place: place.clone(),
                    date: date.clone(),
                });
            }
        }
        self.cuts.push((start, end));
        self.dateline = self.dateline || kind == Kind::Dateline;
    }
}

// -- character positions ------------------------------------------------------------

/// The byte offset `k` characters after `pos` (or the end).
pub fn fwd(text: &str, pos: usize, k: usize) -> usize {
    text[pos..]
        .char_indices()
        .nth(k)
        .map_or(text.len(), |(i, _)| pos + i)
}

/// The byte offset `k` characters before `pos` (or 0).
pub fn back(text: &str, pos: usize, k: usize) -> usize {
    if k == 0 {
        return pos;
    }
    text[..pos]
        .char_indices()
        .rev()
        .nth(k - 1)
        .map_or(0, |(i, _)| i)
}

pub fn nchars(s: &str) -> usize {
    s.chars().count()
}

pub fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|s| s.chars().next())
}

pub fn char_before(text: &str, pos: usize) -> Option<char> {
    text[..pos].chars().next_back()
}

pub fn is_han(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

pub fn group<'t>(m: &Captures<'t, str>, name: &str) -> Option<&'t str> {
    m.name(name).map(|g| g.as_str())
}

pub fn end_of(m: &Captures<str>) -> usize {
    m.get(0).map_or(0, |g| g.end())
}

pub fn start_of(m: &Captures<str>) -> usize {
    m.get(0).map_or(0, |g| g.start())
}

/// Python's `s.split()`.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|w| !w.is_empty())
}

/// `_names`: the whole value as an alias, else any wire inside it.
pub fn names(wires: &Wires, value: &str) -> Vec<Wire> {
    match wires.by_source(value) {
        Some(w) => vec![w],
        None => wires.find_wires(value),
    }
}

/// Find the credits of `text`, strip them, and list mentions of wires (with
/// `with_mentions`; without it only the head and tail are read).
pub fn detect(text: &str, wires: &Wires, with_mentions: bool) -> Detected {
    let n = text.len();
    let total = nchars(text);
    let head = fwd(text, 0, HEAD);
    let tail_start = if total > TAIL { back(text, n, TAIL) } else { 0 };
    let mut found = Found {
        text,
        wires,
        tail_start,
        credits: Vec::new(),
        cuts: Vec::new(),
        dateline: false,
    };
    let lines = head_lines(text, head);
    let head_end = lines.last().map_or(0, |l| l.1.min(head));
    for &(start, end) in &lines {
        line_start(&mut found, start, end);
    }

    let mut scanned = Vec::new();
    if with_mentions || total <= HEAD + TAIL {
        wires.scan(text, 0, n, &mut scanned);
    } else {
        wires.scan(text, 0, fwd(text, 0, HEAD + 40), &mut scanned);
        wires.scan(text, tail_start, n, &mut scanned);
    }
    let mut hits = Vec::new();
    let mut markers = Vec::new();
    for (s, e, hit) in scanned {
        match hit {
            Hit::Alias(w, bounded) => hits.push((s, e, w, bounded)),
            Hit::Marker(role) if s < head || s >= tail_start => markers.push((s, e, role)),
            Hit::Marker(_) => {}
        }
    }
    if !found.dateline {
        for &(s, e, w, bounded) in &hits {
            if s >= head_end {
                break;
            }
            if !bounded && zh_dateline(&mut found, s, e, w) {
                break;
            }
        }
    }
    for &(s, e, role) in &markers {
        marker(&mut found, s, e, role);
    }
    wire_trailers(&mut found);
    closing_credit(&mut found);

    let mut spans = found.cuts.clone();
    spans.sort_unstable();
    spans.dedup();
    let listed = if with_mentions {
        mentions(text, &hits, &spans)
    } else {
        Vec::new()
    };
    let mut credits: Vec<Credit> = Vec::with_capacity(found.credits.len());
    for c in found.credits {
        if !credits.contains(&c) {
            credits.push(c);
        }
    }
    credits.sort_by_key(|c| c.start);
    let body = if spans.is_empty() {
        py_strip(text).to_string()
    } else {
        remove(text, &spans)
    };
    Detected {
        body,
        credits,
        mentions: listed,
    }
}

// -- the head: datelines and bylines -----------------------------------------------

/// (start, end) of the first non-empty lines, start after leading spaces.
fn head_lines(text: &str, head: usize) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let (mut pos, n) = (0, text.len());
    while pos < n && pos < head && lines.len() < HEAD_LINES {
        let end = text[pos..].find('\n').map_or(n, |i| pos + i);
        let start = pos + (text[pos..end].len() - text[pos..end].trim_start_matches(is_hws).len());
        if start < end {
            lines.push((start, end));
        }
        pos = end + 1;
    }
    lines
}

/// Datelines and bylines that open a head line.
fn line_start(found: &mut Found, start: usize, end: usize) {
    let text = found.text;
    let p = &*PATTERNS;
    let Some(first) = char_at(text, start) else {
        return;
    };
    let han = is_han(first);
    if !found.dateline {
        if paren_datelines(found, start, end) {
            return;
        }
        let second_upper =
            char_at(text, start + first.len_utf8()).is_some_and(|c| c.is_ascii_uppercase());
        let m = if ('\u{600}'..='\u{6ff}').contains(&first) {
            p.ur_codeless.at(text, start, end)
        } else if first.is_ascii_uppercase() && second_upper {
            p.codeless.at(text, start, end)
        } else if han {
            p.zh_local
                .at(text, start, end.min(fwd(text, start, 60)))
                .filter(|m| names(found.wires, group(m, "agency").unwrap_or("")).is_empty())
        } else {
            None
        };
        if let Some(m) = m {
            found.add(
                &[],
                Kind::Dateline,
                start,
                end_of(&m),
                group(&m, "place"),
                group(&m, "date"),
            );
            return;
        }
    }
    if first == 'B' || first == 'b' {
        if let Some(m) = p.byline.at(text, start, end) {
            let who = group(&m, "who").unwrap_or("");
            if is_byline(who) {
                let wires = found.wires.find_wires(who);
                found.add(&wires, Kind::Byline, start, end_of(&m), None, None);
            }
        }
    } else if han && nchars(&text[start..end]) <= 40 && text[start..end].contains("记者") {
        if let Some(m) = p.zh_byline.at(text, start, end) {
            let whole = m.get(0).map_or("", |g| g.as_str()).trim_end_matches(is_hws);
            if !(whole.ends_with('摄') || whole.ends_with("摄影")) {
                let who_start = m.name("who").map_or(start, |g| g.start());
                let wires = found.wires.find_wires(&text[start..who_start]);
                found.add(&wires, Kind::Byline, start, end_of(&m), None, None);
            }
        }
    }
}

/// `PLACE, DATE (CODE) -`: a parenthesis among the line's first three, known codes first.
fn paren_datelines(found: &mut Found, start: usize, end: usize) -> bool {
    let text = found.text;
    let p = &*PATTERNS;
    let limit = end.min(fwd(text, start, 2 * HEAD_MAX));
    let mut fallback = None;
    let mut pos = start;
    for _ in 0..3 {
        let window = if pos < limit { &text[pos..limit] } else { "" };
        let Some(at) = window.find(['(', '（']).map(|i| pos + i) else {
            break;
        };
        let m = p.paren.at(text, at, end);
        pos = match &m {
            Some(m) => end_of(m),
            None => at + char_at(text, at).map_or(1, char::len_utf8),
        };
        let Some(m) = m else { continue };
        if text[start..start_of(&m)].chars().any(is_han) {
            continue; // Han heads: see zh_dateline
        }
        let codes: Vec<String> = p
            .code_split
            .split(group(&m, "codes").unwrap_or(""))
            .into_iter()
            .filter(|c| !py_strip(c).is_empty())
            .map(str::to_string)
            .collect();
        let named: Vec<Option<Wire>> = codes.iter().map(|c| found.wires.by_code(c)).collect();
        if !named.is_empty() && named.iter().all(Option::is_some) {
            if paren_dateline(found, start, &m, &codes, &named, end) {
                return true;
            }
        } else if fallback.is_none()
            && named
                .iter()
                .zip(&codes)
                .all(|(w, c)| w.is_some() || unknown_code(c))
        {
            fallback = Some((start_of(&m), codes, named));
        }
    }
    match fallback {
        // Matched again: the captures borrow the text, the fallback outlives the loop.
        Some((at, codes, named)) => match p.paren.at(text, at, end) {
            Some(m) => paren_dateline(found, start, &m, &codes, &named, end),
            None => false,
        },
        None => false,
    }
}

/// Check one `PLACE, DATE (CODE) -` candidate by its code, place and separator.
fn paren_dateline(
    found: &mut Found,
    start: usize,
    m: &Captures<str>,
    codes: &[String],
    named: &[Option<Wire>],
    line_end: usize,
) -> bool {
    let text = found.text;
    let p = &*PATTERNS;
    if codes.is_empty()
        || !named
            .iter()
            .zip(codes)
            .all(|(w, c)| w.is_some() || unknown_code(c))
    {
        return false;
    }
    let known = named.iter().any(Option::is_some);
    let sep = group(m, "sep").is_some_and(|s| !s.is_empty());
    let m_start = start_of(m);
    let head = text[start..m_start].trim_matches(|c| is_hws(c) || c == ',');
    let mut start = start;
    let mut place: Option<String> = None;
    let mut date: Option<String> = None;
    let mut end = end_of(m);
    if !head.is_empty() {
        if head.chars().any(is_han) {
            return false; // Chinese datelines are read by zh_dateline
        }
        if head.chars().any(|c| c.is_ascii_alphabetic()) {
            let found_date = if head.chars().any(is_decimal) {
                p.en_date.search(head, 0, head.len())
            } else {
                None
            };
            let place_str = match &found_date {
                Some(d) if end_of(d) == head.len() => {
                    date = Some(d.get(0).map_or("", |g| g.as_str()).to_string());
                    head[..start_of(d)]
                        .trim_matches(|c| is_hws(c) || c == ',')
                        .to_string()
                }
                _ => head.to_string(),
            };
            let leading = place_str.split(',').next().unwrap_or("");
            let plain = nchars(head) <= HEAD_MAX
                && words(head).count() <= 8
                && is_place(&place_str)
                && (date.as_deref().is_some_and(|d| !d.is_empty())
                    || upper_unchanged(leading)
                    || known && sep)
                && (known || sep);
            place = Some(place_str);
            if !plain {
                if !(known && sep) {
                    return false;
                }
                // A headline or page chrome before the dateline on the same line.
                let Some(suffix) = p.place_suffix.search(text, start, m_start) else {
                    return false;
                };
                start = start_of(&suffix);
                place = group(&suffix, "place").map(|s| s.trim_end_matches(',').to_string());
                date = group(&suffix, "date").map(str::to_string);
            }
        } else {
            // Arabic-script and other heads: ممبئی ۔ 2 اگست (اے پی پی)
            let (pl, dt) = split_place(head);
            let count = words(head).count();
            let has_date = !dt.is_empty();
            if nchars(head) > HEAD_MAX || count > 6 || !(known || sep) && (has_date || count > 2) {
                return false; // بنوں۔ وزیراعظم نواز شریف (آج): "(today)" in a sentence
            }
            place = Some(pl.to_string());
            date = Some(dt.to_string());
        }
    } else if !sep {
        if let Some(after) = p.codeless.at(text, end, line_end) {
            place = group(&after, "place").map(str::to_string);
            date = group(&after, "date").map(str::to_string);
            end = end_of(&after);
        } else if !known {
            return false;
        }
    }
    let start = if head.is_empty() { m_start } else { start };
    let wires: Vec<Wire> = named.iter().flatten().copied().collect();
    found.add(
        &wires,
        Kind::Dateline,
        start,
        end,
        place.as_deref(),
        date.as_deref(),
    );
    true
}

/// `KUALA LUMPUR, Malaysia` or `Rio de Janeiro`, not a sentence.
fn is_place(place: &str) -> bool {
    let replaced = place.replace(',', " ");
    let ws: Vec<&str> = words(&replaced).collect();
    ws.iter()
        .all(|w| w.chars().next().is_some_and(is_upper) || PLACE_LOWER.contains(w))
        && (ws.is_empty() || place.chars().any(|c| c.is_ascii_alphabetic()))
}

fn split_place(head: &str) -> (&str, &str) {
    for sep in ['۔', '،', ','] {
        if let Some(i) = head.find(sep) {
            return (
                head[..i].trim_matches(is_hws),
                head[i + sep.len_utf8()..].trim_matches(is_hws),
            );
        }
    }
    (head, "")
}

/// Could `code` be an agency we do not know ((AKI), (وقت نیوز))? Not a name.
pub fn unknown_code(code: &str) -> bool {
    let code = py_strip(code);
    if code.is_empty() || nchars(code) > 20 || code.chars().any(is_digit) {
        return false;
    }
    if code.is_ascii() {
        return !code.contains(' ')
            && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && code.chars().filter(char::is_ascii_uppercase).count() >= 2;
    }
    !code.chars().any(is_han) && words(code).count() <= 3
}

fn is_byline(who: &str) -> bool {
    let parts = PATTERNS.byline_split.split(who);
    let ws: Vec<&str> = parts.into_iter().filter(|w| !w.is_empty()).collect();
    !ws.is_empty()
        && ws.len() <= 12
        && ws.iter().all(|w| {
            w.chars().next().is_some_and(is_upper) || BYLINE_LOWER.contains(w) || "-–—".contains(*w)
        })
}

/// 新华社北京5月8日电（记者 张三） after a Han alias in the head lines.
fn zh_dateline(found: &mut Found, start: usize, end: usize, wire: Wire) -> bool {
    let text = found.text;
    let Some(m) = PATTERNS.zh_after.at(text, end, text.len()) else {
        return false;
    };
    let quoted = char_before(text, start) == Some('据');
    let start = if quoted {
        start - '据'.len_utf8()
    } else {
        start
    };
    let before = previous(text, start);
    if quoted && !ZH_OPENING.contains(before) && !char_before(text, start).is_some_and(is_hws) {
        return false; // 。据新华社电 inside a paragraph is a mention
    }
    let date = group(&m, "date");
    if date.is_none() && is_han(before) {
        return false; // a dateless 电 glued to other text: 美联社随后解释了停电
    }
    let place = group(&m, "place")
        .filter(|s| !s.is_empty())
        .or_else(|| group(&m, "near"));
    found.add(&[wire], Kind::Dateline, start, end_of(&m), place, date);
    true
}

/// The character before `pos`, skipping spaces; a newline at the start of the text.
pub fn previous(text: &str, pos: usize) -> char {
    text[..pos]
        .chars()
        .rev()
        .find(|&c| !is_hws(c))
        .unwrap_or('\n')
}
