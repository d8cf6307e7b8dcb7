//! Credit lines and datelines: which wire a text credits, and the text without them.
//!
//! `detect` finds datelines, source lines, bylines and trailers by place and form
//! (the rules `dedup/credits.py` documents). Offsets are byte offsets here; the
//! boundary turns them into character offsets. Lengths the rules measure ("the first
//! 600 characters", "a head of at most 70") are counted in characters, as in Python.
//! The head rules live here, the markers, trailers and the body in `credit_marks`,
//! the patterns in `credit_patterns`.

use fancy_regex::Captures;

use crate::chars::{
    back, char_at, char_before, end_of, fwd, group, is_han, is_hws, nchars, previous, start_of,
    words,
};
use crate::credit_marks::{closing_credit, closing_link, marker, mentions, remove, wire_trailers};
use crate::credit_patterns::PATTERNS;
use crate::unicode::{is_decimal, is_digit, is_upper, upper_unchanged};
use crate::wires::{py_strip, Hit, Wire, Wires};

pub const HEAD: usize = 600; // datelines, bylines and credit lines: the first HEAD characters
pub const TAIL: usize = 600; // ... credit lines and trailers also the last TAIL characters
const HEAD_LINES: usize = 3; // datelines and bylines: the first HEAD_LINES non-empty lines
const HEAD_MAX: usize = 70; // longest place-and-date before a dateline's parenthesis

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

/// The kind of a credit, as `dedup.records.CreditKind` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dateline,
    SourceLine,
    Trailer,
    Byline,
    ReprintMarker,
    Link,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dateline => "dateline",
            Kind::SourceLine => "source_line",
            Kind::Trailer => "trailer",
            Kind::Byline => "byline",
            Kind::ReprintMarker => "reprint_marker",
            Kind::Link => "link",
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
    closing_link(&mut found);
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
