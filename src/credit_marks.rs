//! Credit lines after the head: source lines, editor and reporting credits, copyright
//! and end markers, wire trailers, a closing `(Xinhua)`; then mentions and the body.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use crate::chars::{back, char_at, char_before, end_of, group, is_hws, nchars, start_of, words};
use crate::credit_patterns::{PATTERNS, WIRE_TRAILERS};
use crate::credits::{names, Found, Kind, Mention, CLOSERS, OPENERS};
use crate::unicode::{is_alnum, is_space};
use crate::wires::{py_strip, Role, Wire, Wires};

const ENDERS: &str = ".!?。！？;；:：”\"'’…)）]】」』〕";
const PHOTO_WORDS: &[&str] = &[
    "Photo",
    "PHOTO",
    "photo",
    "File photo",
    "Picture",
    "图",
    "照片",
    "摄",
    "视频",
];
const TRAILER_LINES: usize = 4; // wire trailers are read in the last TRAILER_LINES non-empty lines
const ZH_SOURCE_PREFIX: &[&str] = &["本文", "文章", "稿件", "新闻", "消息", "信息"];
const ZH_NOT_SOURCE: &[&str] = &[
    "图片", "图像", "照片", "视频", "数据", "资料", "配图", "截图",
];
const ZH_EDITOR_PREFIX: &[&str] = &["责任", "值班", "实习", "特约", "文字", "网络"];
const REUTERS_STYLE: &[&str] = &[
    "Reporting by",
    "Additional reporting by",
    "Writing by",
    "Editing by",
];

/// The longest word of each trailer template, one of which every trailer holds,
/// found in one pass over a sentence (it was one search per word).
static TRAILER_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let words: Vec<String> = WIRE_TRAILERS
        .iter()
        .map(|t| {
            let mut best = "";
            for w in t.split(' ').filter(|w| *w != "{name}") {
                if w.chars().count() > best.chars().count() {
                    best = w;
                }
            }
            best.to_string()
        })
        .collect();
    // Plain ASCII words of this crate's constants: the build cannot fail.
    AhoCorasick::new(words).unwrap_or_else(|e| panic!("trailer words: {e}"))
});

/// Is `pos` where a credit line may begin (line start, bracket, sentence end)?
fn at_boundary(text: &str, pos: usize) -> bool {
    match text[..pos].chars().rev().find(|&c| !is_hws(c)) {
        None => true,
        Some(c) => c == '\n' || OPENERS.contains(c) || ENDERS.contains(c),
    }
}

/// Widen `start..end` over an opening bracket before and its closer after.
fn bracketed(text: &str, start: usize, end: usize) -> (usize, usize) {
    let before = text[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_hws(c));
    let Some((i, opener)) = before else {
        return (start, end);
    };
    let Some(k) = OPENERS.chars().position(|c| c == opener) else {
        return (start, end);
    };
    let closer = CLOSERS.chars().nth(k).unwrap_or(')');
    let j = end + (text[end..].len() - text[end..].trim_start_matches(is_hws).len());
    if char_at(text, j) == Some(closer) {
        return (i, j + closer.len_utf8());
    }
    (start, end)
}

fn dedupe(wires: impl IntoIterator<Item = Wire>) -> Vec<Wire> {
    let mut out = Vec::new();
    for w in wires {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Read the credit (or end/reprint marker) that the marker word at `start` opens.
pub fn marker(found: &mut Found, start: usize, end: usize, role: Role) {
    let text = found.text;
    let wires = found.wires;
    let p = &*PATTERNS;
    if found.cuts.iter().any(|&(s, e)| s <= start && start < e) {
        return; // inside a credit already read: (Reporting by A; Editing by B)
    }
    match role {
        Role::End => {
            if !matches!(char_before(text, start), Some('（' | '(')) {
                return;
            }
            let stop = p
                .end_name
                .at(text, end, text.len())
                .map_or(end, |m| end_of(&m)); // （完）（惠晓霜）
            found.cuts.push((back(text, start, 1), stop));
        }
        Role::SourceZh => {
            let b2 = back(text, start, 2);
            let before = &text[b2..start];
            if ZH_NOT_SOURCE.contains(&before) || before.ends_with('图') {
                return;
            }
            let start = if ZH_SOURCE_PREFIX.contains(&before) {
                b2
            } else if at_boundary(text, start) {
                start
            } else {
                return;
            };
            let Some(value) = p.zh_source_value.at(text, end, text.len()) else {
                return;
            };
            let v = group(&value, "value").unwrap_or("");
            if ZH_NOT_SOURCE.iter().any(|w| v.contains(w)) {
                return; // 来源：韩联社报道配图 credits a picture
            }
            let stop = value.name("value").map_or(end, |g| g.end());
            let (a, b) = bracketed(text, start, stop);
            found.add(&names(wires, v), Kind::SourceLine, a, b, None, None);
        }
        Role::EditorZh => {
            let b2 = back(text, start, 2);
            let start = if ZH_EDITOR_PREFIX.contains(&&text[b2..start]) {
                b2
            } else if at_boundary(text, start) {
                start
            } else {
                return;
            };
            let value = p.zh_name_value.at(text, end, text.len());
            let v = value.as_ref().and_then(|m| group(m, "value")).unwrap_or("");
            let stop = match &value {
                Some(m) if !v.is_empty() => m.name("value").map_or(end, |g| g.end()),
                _ => end,
            };
            let (a, b) = bracketed(text, start, stop);
            found.add(&wires.find_wires(v), Kind::Trailer, a, b, None, None);
        }
        Role::Reprint => {
            if at_boundary(text, start) {
                reprint(found, start, end);
            }
        }
        _ if !at_boundary(text, start) => {}
        Role::Copyright => {
            if let Some(m) = p.copyright.at(text, start, text.len()) {
                let holder = group(&m, "holder").unwrap_or("");
                found.add(
                    &names(wires, holder),
                    Kind::Trailer,
                    start,
                    end_of(&m),
                    None,
                    None,
                );
            }
        }
        Role::SourceEn | Role::EditorEn | Role::ByEn => {
            let Some(value) = p.en_value.at(text, end, text.len()) else {
                return;
            };
            let raw = group(&value, "value").unwrap_or("");
            let said = raw.trim_end_matches(|c| is_hws(c) || c == '.');
            let stop = value.name("value").map_or(end, |g| g.start()) + said.len();
            let (a, b) = bracketed(text, start, stop);
            match role {
                Role::SourceEn => {
                    if a == start && (nchars(said) > 60 || words(said).count() > 8) {
                        return; // an unbracketed "Source:" line that runs on is prose
                    }
                    found.add(&names(wires, said), Kind::SourceLine, a, b, None, None);
                }
                Role::EditorEn => {
                    found.add(&wires.find_wires(said), Kind::Trailer, a, b, None, None)
                }
                _ => {
                    // Reporting by / Editing by / Edited by ...
                    let label = &text[start..end];
                    let mut named = wires.find_wires(said);
                    let reuters = REUTERS_STYLE.contains(&label)
                        && (a < start || said.contains(';') || label == "Editing by");
                    if let (true, Some(r)) = (reuters, wires.reuters()) {
                        named = dedupe(std::iter::once(r).chain(named));
                    }
                    found.add(&named, Kind::Trailer, a, b, None, None);
                }
            }
        }
    }
}

/// 原标题：… — to the line end, or to a dateline that follows on the same line.
fn reprint(found: &mut Found, start: usize, end: usize) {
    let text = found.text;
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let dateline = found
        .credits
        .iter()
        .filter(|c| c.kind == Kind::Dateline && c.start >= end)
        .map(|c| c.start)
        .min();
    let mut stop = dateline.unwrap_or(line_end).min(line_end);
    if nchars(&text[end..stop]) > 100 {
        stop = end; // the title runs into the body: keep only the marker word
    }
    found.add(&[], Kind::ReprintMarker, start, stop, None, None);
}

/// `WIRE_TRAILERS` filling one of the last lines, its closing bracket or its last sentence.
pub fn wire_trailers(found: &mut Found) {
    let text = found.text;
    for (lo, hi) in last_lines(text, found.tail_start, TRAILER_LINES) {
        if found.cuts.iter().any(|&(s, e)| s < hi && lo < e) {
            continue; // read already: (Additional reporting by Reuters)
        }
        let last = char_before(text, hi).unwrap_or('\n');
        let opener = CLOSERS
            .chars()
            .position(|c| c == last)
            .and_then(|k| OPENERS.chars().nth(k))
            .and_then(|o| text[lo..hi].rfind(o).map(|i| lo + i));
        let mut starts = vec![Some(lo), opener];
        starts.extend(
            PATTERNS
                .sentence_end
                .spans(text, lo, hi)
                .into_iter()
                .map(|(_, e)| Some(e)),
        );
        for start in starts {
            let mut inner = start.map_or("", |s| &text[s..hi]);
            if let Some(first) = inner.chars().next() {
                if let Some(k) = OPENERS.chars().position(|c| c == first) {
                    let closer = CLOSERS.chars().nth(k);
                    if inner.chars().next_back() == closer && inner.len() > first.len_utf8() {
                        let last_len = closer.map_or(0, char::len_utf8);
                        inner = &inner[first.len_utf8()..inner.len() - last_len];
                    }
                }
            }
            let sentence = inner
                .trim_matches(is_hws)
                .trim_end_matches('.')
                .trim_end_matches(is_hws);
            let named = trailer_wires(sentence, found.wires);
            if let (false, Some(s)) = (named.is_empty(), start) {
                found.add(&named, Kind::Trailer, s, hi, None, None);
                break;
            }
        }
    }
}

/// (start, end) of the last `count` non-blank lines of `text[lo..]`, without the spaces
/// around them, in text order (a line of `text[lo..]` may start mid-line).
fn last_lines(text: &str, lo: usize, count: usize) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut end = text.len();
    while spans.len() < count {
        let start = text[lo..end].rfind('\n').map_or(lo, |i| lo + i + 1).max(lo);
        let segment = &text[start..end];
        let stripped = py_strip(segment);
        if !stripped.is_empty() {
            let first = start + segment.len() - segment.trim_start_matches(is_space).len();
            spans.push((first, first + stripped.len()));
        }
        if start <= lo {
            break;
        }
        end = start - 1;
    }
    spans.reverse();
    spans
}

/// The wires a `WIRE_TRAILERS` sentence names, or none if it is not one or names a person.
fn trailer_wires(sentence: &str, wires: &Wires) -> Vec<Wire> {
    // Every template holds one of its words (ASCII, matched ignoring case): a sentence
    // holding none of them, folded as case-insensitive matching folds it, matches no
    // template. The characters that fold to ASCII letters are K (Kelvin), ſ, ı and İ.
    let folded: String = sentence
        .chars()
        .map(|c| match c {
            '\u{212a}' => 'k',
            '\u{17f}' => 's',
            '\u{131}' | '\u{130}' => 'i',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if !TRAILER_WORDS.is_match(&folded) {
        return Vec::new();
    }
    for pattern in &PATTERNS.trailers {
        let Some(name) = pattern.whole_group(sentence, "name") else {
            continue;
        };
        let parts = PATTERNS.code_split.split(name.unwrap_or(""));
        let named: Vec<Option<Wire>> = parts
            .into_iter()
            .filter(|p| !py_strip(p).is_empty())
            .map(|p| wires.by_source(p))
            .collect();
        if !named.is_empty() && named.iter().all(Option::is_some) {
            return dedupe(named.into_iter().flatten());
        }
    }
    Vec::new()
}

/// A line in the last TAIL characters that points to the full story elsewhere ("Read the
/// full story at https://www.reuters.com/…", "Originally published at Reuters"): a link
/// credit, crediting the wire whose domain hosts the URL or whom the site's name names
/// (none for another site; the line is a footer either way). New since dedup 0.1.
pub fn closing_link(found: &mut Found) {
    let text = found.text;
    let lo = found.tail_start;
    let mut starts: Vec<usize> = Vec::new();
    if lo == 0 || text[..lo].ends_with('\n') {
        starts.push(lo);
    }
    starts.extend(text[lo..].match_indices('\n').map(|(i, _)| lo + i + 1));
    for line in starts {
        let start = line + (text[line..].len() - text[line..].trim_start_matches(is_hws).len());
        if !char_at(text, start).is_some_and(|c| "RrCcOoFfTt阅查原".contains(c)) {
            continue;
        }
        if found.cuts.iter().any(|&(s, e)| s <= start && start < e) {
            continue; // read already
        }
        let Some(m) = PATTERNS.link.at(text, start, text.len()) else {
            continue;
        };
        let wires = match (group(&m, "host"), group(&m, "site")) {
            (Some(host), _) => found.wires.by_host(host).into_iter().collect(),
            (None, Some(site)) => names(found.wires, site),
            _ => Vec::new(),
        };
        found.add(&wires, Kind::Link, start, end_of(&m), None, None);
    }
}

fn rstrip_len(s: &str) -> usize {
    s.trim_end_matches(|c| is_hws(c) || c == '\n').len()
}

/// A bare `(Xinhua)` / `（新华社）` or a sign-off line (`Reuter`) ending the text.
pub fn closing_credit(found: &mut Found) {
    let text = found.text;
    let mut end = rstrip_len(text);
    let mut cuts = found.cuts.clone();
    cuts.sort_unstable_by(|a, b| b.cmp(a));
    for (cut_start, cut_end) in cuts {
        if cut_end >= end && end > cut_start {
            end = rstrip_len(&text[..cut_start]);
        }
    }
    if end == 0 {
        return;
    }
    let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    let last = char_before(text, end).unwrap_or('\n');
    if last == ')' || last == '）' {
        let lo = back(text, end, 40);
        let window = &text[lo..end];
        let opener = [window.rfind('('), window.rfind('（')]
            .into_iter()
            .flatten()
            .max()
            .map(|i| lo + i);
        let Some(opener) = opener else { return };
        let inside =
            &text[opener + char_at(text, opener).map_or(1, char::len_utf8)..end - last.len_utf8()];
        let codes = PATTERNS.code_split.split(inside);
        let named: Vec<Option<Wire>> = codes
            .into_iter()
            .filter(|c| !py_strip(c).is_empty())
            .map(|c| found.wires.by_code(c))
            .collect();
        // Python's text[line_start:opener]: empty when the parenthesis opens on an earlier line.
        let line = text.get(line_start..opener).unwrap_or("");
        let line = line.trim_start_matches(|c| is_hws(c) || OPENERS.contains(c));
        if !named.is_empty()
            && named.iter().all(Option::is_some)
            && !PHOTO_WORDS.iter().any(|w| line.starts_with(w))
        {
            let named: Vec<Wire> = named.into_iter().flatten().collect();
            found.add(&named, Kind::SourceLine, opener, end, None, None);
        }
    } else if line_start > 0 && nchars(&text[line_start..end]) <= 40 {
        let line = text[line_start..end].trim_start_matches(is_hws);
        if let Some(wire) = found.wires.by_source(line) {
            found.add(&[wire], Kind::Trailer, end - line.len(), end, None, None);
        }
    }
}

/// Alias hits with a reporting phrase around them, outside the credits.
pub fn mentions(
    text: &str,
    hits: &[(usize, usize, Wire, bool)],
    spans: &[(usize, usize)],
) -> Vec<Mention> {
    let p = &*PATTERNS;
    let mut listed = Vec::new();
    for &(start, end, wire, bounded) in hits {
        if bounded
            && (char_before(text, start).is_some_and(is_alnum)
                || char_at(text, end).is_some_and(is_alnum))
        {
            continue;
        }
        if spans.iter().any(|&(s, e)| s < end && start < e) {
            continue; // part of a credit
        }
        let before = p.mention_before.search(text, back(text, start, 32), start);
        let after = if before.is_some() {
            None
        } else {
            p.mention_after.at(text, end, text.len())
        };
        if before.is_none() && after.is_none() {
            continue;
        }
        let lo = before.as_ref().map_or(start, start_of);
        let hi = after.as_ref().map_or(end, end_of);
        if spans.iter().any(|&(s, e)| s < hi && lo < e) {
            continue;
        }
        listed.push(Mention {
            wire,
            start: lo,
            end: hi,
        });
    }
    listed
}

/// `text` without `spans`; a span that fills its line takes the line with it.
pub fn remove(text: &str, spans: &[(usize, usize)]) -> String {
    let n = text.len();
    let mut out = String::with_capacity(n);
    let mut pos = 0;
    for &(start, end) in spans {
        let mut start = start.max(pos);
        let mut end = end + (text[end..].len() - text[end..].trim_start_matches(is_hws).len());
        let first =
            start - (text[pos..start].len() - text[pos..start].trim_end_matches(is_hws).len());
        let opens_line = first == 0 || text[..first].ends_with('\n');
        if opens_line && (end == n || text[end..].starts_with('\n')) {
            start = first;
            end = (end + 1).min(n);
        }
        if end <= pos {
            continue;
        }
        out.push_str(&text[pos..start]);
        pos = end;
    }
    out.push_str(&text[pos..]);
    py_strip(&out).to_string()
}

#[cfg(test)]
mod tests {
    use crate::credits::{detect, Kind};
    use crate::wires::{key, Wires};

    fn wires() -> Wires {
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        let names = vec!["Reuters".to_string(), "Xinhua".to_string()];
        let by_key = pairs(&[
            (&key("Reuters"), "Reuters"),
            (&key("Reuter"), "Reuters"),
            (&key("Xinhua"), "Xinhua"),
        ]);
        let codes = pairs(&[("Reuters", "Reuters"), ("Xinhua", "Xinhua")]);
        let scan = vec![
            ("Reuters".to_string(), "Reuters".to_string(), true),
            ("Reuter".to_string(), "Reuters".to_string(), true),
            ("Xinhua".to_string(), "Xinhua".to_string(), true),
        ];
        let long = vec!["Reuters".into(), "Reuter".into(), "Xinhua".into()];
        let domains = pairs(&[("reuters.com", "Reuters"), ("news.cn", "Xinhua")]);
        Wires::new(
            names,
            by_key,
            codes.clone(),
            codes,
            scan,
            long,
            vec![],
            vec![],
            domains,
        )
        .expect("wires")
    }

    /// (wire names, text) of the link credits of `text`, and its body.
    fn links(text: &str) -> (Vec<(Option<String>, String)>, String) {
        let w = wires();
        let found = detect(text, &w, true);
        let listed = found
            .credits
            .iter()
            .filter(|c| c.kind == Kind::Link)
            .map(|c| {
                let name = c.wire.map(|x| w.names[x as usize].clone());
                (name, text[c.start..c.end].to_string())
            })
            .collect();
        (listed, found.body)
    }

    #[test]
    fn a_closing_link_to_a_wire_is_credited_and_removed() {
        let url = "https://www.reuters.com/article/oil-prices-idUSN0000123";
        let (got, body) = links(&format!("Oil rose.\n\nRead the full story at {url}\n"));
        let line = format!("Read the full story at {url}");
        assert_eq!(got, vec![(Some("Reuters".to_string()), line)]);
        assert_eq!(body, "Oil rose.");
        // a hard wrap puts the URL on the next line; chrome may follow
        let (got, body) = links(&format!(
            "Oil rose.\n\nRead the full story at\n{url}\n\nLeave a Reply\n"
        ));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.as_deref(), Some("Reuters"));
        assert!(body.starts_with("Oil rose.\n") && body.ends_with("\nLeave a Reply"));
        assert!(!body.contains("full story") && !body.contains("reuters.com"));
        for text in [
            "Oil rose.\nRead more at Reuters.",
            "Oil rose.\nOriginally published at reuters.com",
            "Oil rose.\n  Continue reading: https://uk.reuters.com/x?y=1",
            "Oil rose.\nThis story was first published on Reuters",
            "石油上涨。\n阅读全文：http://www.news.cn/2025/x.htm",
        ] {
            let (got, _) = links(text);
            assert_eq!(got.len(), 1, "{text}");
            assert!(got[0].0.is_some(), "{text}");
        }
    }

    #[test]
    fn a_link_to_another_site_is_removed_but_credits_nothing() {
        let (got, body) = links("Oil rose.\nRead more at https://dailyharbor.example/a/b");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, None);
        assert_eq!(body, "Oil rose.");
        let (got, body) = links("Oil rose.\nOriginally published in The Daily Harbor.");
        assert_eq!((got.len(), got[0].0.clone()), (1, None));
        assert_eq!(body, "Oil rose.");
        // "reuters.com.evil.example" is not reuters.com's
        let (got, _) = links("Oil rose.\nRead more at http://reuters.com.evil.example/x");
        assert_eq!(got[0].0, None);
    }

    #[test]
    fn sentences_that_only_look_like_links_stay() {
        for text in [
            "Read more at the library, she said.\nOil rose.",
            "Oil rose.\nRead more at the library, she said.",
            "Oil rose.\nShe said: Read more at Reuters.com if you like.",
            "Oil rose.\nRead the full story at the library",
            "Oil rose.\nIt was first published in 1998.",
            "Oil rose.\nContinue reading",
        ] {
            let (got, body) = links(text);
            assert!(got.is_empty(), "{text}");
            assert_eq!(body, text, "{text}");
        }
        // only in the last TAIL characters
        let text = format!(
            "Read more at Reuters.\n{}",
            "Oil rose again on Monday. ".repeat(40)
        );
        assert!(links(&text).0.is_empty());
    }
}
