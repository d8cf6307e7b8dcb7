//! Site chrome: short paragraphs keyed per site, long ones sketched, chrome dropped.
//!
//! The rule itself (which lines become chrome of a site) is learnt by the index from
//! these observations (dedup/chrome.py's `ChromeCounts`); here is the per-article
//! part: `paragraphs` (hard-wrapped lines rejoined), `line_key` of a short paragraph,
//! `content_key` of any, `observe` and `drop_chrome`.

use std::borrow::Cow;
use std::collections::HashSet;

use xxhash_rust::xxh3::xxh3_64;

use crate::unicode::{
    casefold_each, class, is_space, nfkc_each, ALNUM_BIT, LINE_CJK_BIT, WIDE_BIT,
};

/// Hard wraps: lines no wider than this (display columns, a CJK character counts
/// two) may be wrapped lines; a wrapped line is "full" within `WRAP_SLACK` columns
/// of the text's wrap width (the next word did not fit); a text is wrapped when
/// `WRAP_SHARE` of its non-blank lines are full.
pub const WRAP_MAX: usize = 110;
pub const WRAP_MIN: usize = 30;
pub const WRAP_SLACK: usize = 20;
pub const WRAP_SHARE: f64 = 0.4;
/// Long-paragraph keys kept per article (bottom-k of their hashes).
pub const SKETCH: usize = 8;
const SITE_MULT: u64 = 0x9E37_79B9_7F4A_7C15;

/// Python's `str.splitlines()`: the lines without their breaks.
pub fn splitlines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        out.push(&text[start..i]);
        let mut next = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(_, '\n')) = chars.peek() {
                chars.next();
                next += 1;
            }
        }
        start = next;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Python's `str.strip()`.
#[inline]
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Display columns: wide (CJK) characters count two.
fn width(line: &str) -> usize {
    if line.is_ascii() {
        return line.len();
    }
    line.chars()
        .map(|c| if class(c) & WIDE_BIT != 0 { 2 } else { 1 })
        .sum()
}

/// The text's non-blank paragraphs, hard-wrapped lines rejoined (dedup/chrome.py).
pub fn paragraphs(text: &str) -> Vec<Cow<'_, str>> {
    let stripped: Vec<&str> = splitlines(text).into_iter().map(strip).collect();
    let lines: Vec<Cow<str>> = stripped
        .iter()
        .filter(|l| !l.is_empty())
        .map(|&l| Cow::Borrowed(l))
        .collect();
    if lines.len() < 3 {
        return lines;
    }
    let widths: Vec<usize> = stripped.iter().map(|l| width(l)).collect();
    let wrap = stripped
        .iter()
        .zip(&widths)
        .filter(|(l, &w)| !l.is_empty() && w <= WRAP_MAX)
        .map(|(_, &w)| w)
        .max();
    let Some(wrap) = wrap.filter(|&w| w >= WRAP_MIN) else {
        return lines;
    };
    let full: Vec<bool> = widths
        .iter()
        .map(|&w| wrap - WRAP_SLACK <= w && w <= wrap)
        .collect();
    let nfull = full.iter().filter(|&&f| f).count();
    if nfull < 3 || (nfull as f64) < WRAP_SHARE * lines.len() as f64 {
        return lines;
    }
    let mut out: Vec<Cow<str>> = Vec::new();
    let mut joining = false;
    for (&line, &is_full) in stripped.iter().zip(&full) {
        if line.is_empty() {
            joining = false;
            continue;
        }
        match (joining, out.last_mut()) {
            (true, Some(last)) => {
                let joined = last.to_mut();
                joined.push(' ');
                joined.push_str(line);
            }
            _ => out.push(Cow::Borrowed(line)),
        }
        joining = is_full;
    }
    out
}

/// NFKC, then `str.casefold`, of a non-ASCII line (`tokens_key` reads ASCII itself).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    nfkc_each(line, |c| casefold_each(c, |f| out.push(f)));
    out
}

/// Feed the short-line tokens of a folded line (`[LINE_CJK]|[^\W_]+`) to `each`,
/// until it returns false; returns how many tokens were fed.
fn line_tokens(folded: &str, mut each: impl FnMut(&str) -> bool) -> usize {
    let mut count = 0;
    let mut iter = folded.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let bits = class(c);
        let end = if bits & LINE_CJK_BIT != 0 {
            i + c.len_utf8()
        } else if bits & ALNUM_BIT != 0 {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if class(d) & ALNUM_BIT == 0 {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
            end
        } else {
            continue;
        };
        count += 1;
        if !each(&folded[i..end]) {
            break;
        }
    }
    count
}

/// XXH3-64 of the line's tokens (after NFKC and case folding) joined by single
/// spaces; None without tokens, or with more than `max_tokens`.
fn tokens_key(line: &str, max_tokens: usize) -> Option<u64> {
    let mut joined = String::with_capacity(line.len());
    let mut n = 0;
    if line.is_ascii() {
        let mut in_token = false;
        for &b in line.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if !in_token {
                    n += 1;
                    if n > max_tokens {
                        return None;
                    }
                    if n > 1 {
                        joined.push(' ');
                    }
                    in_token = true;
                }
                joined.push(char::from(b.to_ascii_lowercase()));
            } else {
                in_token = false;
            }
        }
    } else {
        line_tokens(&fold(line), |t| {
            n += 1;
            if n > 1 {
                joined.push(' ');
            }
            joined.push_str(t);
            n <= max_tokens
        });
        if n > max_tokens {
            return None;
        }
    }
    (n > 0).then(|| xxh3_64(joined.as_bytes()))
}

/// The 64-bit key of a short line (at most `max_words` tokens, `2 * max_words` words,
/// `24 * max_words` characters), from its letters and digits after NFKC and case
/// folding, so "Back To Top ↑" and "back to top" share one; None for a longer line.
pub fn line_key(line: &str, max_words: usize) -> Option<u64> {
    let limit = max_words.saturating_mul(24);
    let too_long = if line.is_ascii() {
        line.len() > limit
    } else {
        line.chars().nth(limit).is_some()
    };
    if too_long {
        return None;
    }
    if line
        .split(is_space)
        .filter(|w| !w.is_empty())
        .nth(2 * max_words)
        .is_some()
    {
        return None;
    }
    tokens_key(line, max_words)
}

/// The 64-bit key of a line of any length from its letters and digits (as `line_key`).
pub fn content_key(line: &str) -> Option<u64> {
    tokens_key(line, usize::MAX)
}

/// A short line's key within its site.
#[inline]
pub fn chrome_key(site: u64, line: u64) -> u64 {
    let key = (line ^ site).wrapping_mul(SITE_MULT);
    key ^ (key >> 29)
}

/// The `chrome_key`s of a raw text's short paragraphs (distinct, sorted) and the
/// `SKETCH` lowest 32-bit keys of its long paragraphs (sorted).
pub fn observe(text: &str, site: u64, max_words: usize) -> (Vec<u64>, Vec<u32>) {
    let mut short = Vec::new();
    let mut long = Vec::new();
    for p in paragraphs(text) {
        match line_key(&p, max_words) {
            Some(k) => short.push(chrome_key(site, k)),
            None => {
                if let Some(c) = content_key(&p) {
                    long.push((c >> 32) as u32);
                }
            }
        }
    }
    short.sort_unstable();
    short.dedup();
    long.sort_unstable();
    long.dedup();
    long.truncate(SKETCH);
    (short, long)
}

/// `text` as paragraphs without those that are chrome of its `site`; `text` itself
/// when there is no chrome, or when every paragraph would go (an article made only of
/// repeated short lines is still content).
pub fn drop_chrome<'a>(
    text: &'a str,
    chrome: &HashSet<u64>,
    site: u64,
    max_words: usize,
) -> Cow<'a, str> {
    if chrome.is_empty() {
        return Cow::Borrowed(text);
    }
    let kept: Vec<Cow<str>> = paragraphs(text)
        .into_iter()
        .filter(|p| line_key(p, max_words).is_none_or(|k| !chrome.contains(&chrome_key(site, k))))
        .collect();
    if kept.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(kept.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_as_python() {
        assert_eq!(
            splitlines("a\r\nb\rc\n\nd\u{2028}e\n"),
            vec!["a", "b", "c", "", "d", "e"]
        );
        assert!(splitlines("").is_empty());
        assert_eq!(splitlines("\n"), vec![""]);
    }

    #[test]
    fn wrapped_lines_are_rejoined_and_others_kept() {
        let line = "Rain fell on the city for most of the day and the";
        let text = format!("{line}\n{line}\n{line}\nend.\n\nLeave a Reply");
        let paras = paragraphs(&text);
        assert_eq!(paras.len(), 2);
        assert!(paras[0].ends_with("the end."));
        assert_eq!(paras[1], "Leave a Reply");
        assert_eq!(paragraphs("one\n\ntwo"), vec!["one", "two"]);
    }

    #[test]
    fn short_lines_share_keys_whatever_their_case_and_marks() {
        assert_eq!(line_key("Back To Top ↑", 12), line_key("back to top", 12));
        assert!(line_key(&"word ".repeat(13), 12).is_none());
        assert!(line_key("...", 12).is_none());
        assert_eq!(line_key("返回顶部", 12), content_key("返回顶部"));
        assert!(content_key(&"word ".repeat(100)).is_some());
    }

    #[test]
    fn chrome_goes_unless_it_is_all_there_is() {
        let site = 7;
        let key = chrome_key(site, line_key("Leave a Reply", 12).unwrap_or_default());
        let chrome: HashSet<u64> = [key].into_iter().collect();
        assert_eq!(
            drop_chrome("Story text here.\nLeave a Reply", &chrome, site, 12),
            "Story text here."
        );
        assert_eq!(
            drop_chrome("Leave a Reply", &chrome, site, 12),
            "Leave a Reply"
        );
        assert_eq!(
            drop_chrome("Leave a Reply", &chrome, site + 1, 12),
            "Leave a Reply"
        );
        let (short, sketch) = observe(
            "Story text that is long enough to be content here and on.\nLeave a Reply",
            site,
            3,
        );
        assert_eq!(short, vec![key]);
        assert_eq!(sketch.len(), 1);
    }
}
