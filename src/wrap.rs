//! Lines and hard wraps: a text's lines as Python's `str.splitlines` cuts them, and
//! its paragraphs with hard-wrapped lines rejoined (`paragraphs`), which the site-chrome
//! rule (src/chrome.rs) works on.

use std::borrow::Cow;

use crate::unicode::{class, is_space, WIDE_BIT};

/// Hard wraps: lines no wider than this (display columns, a CJK character counts
/// two) may be wrapped lines; a wrapped line is "full" within `WRAP_SLACK` columns
/// of the text's wrap width (the next word did not fit); a text is wrapped when
/// its full lines hold `WRAP_SHARE` of its columns (dedup/chrome.py says why
/// columns, not lines).
pub const WRAP_MAX: usize = 110;
pub const WRAP_MIN: usize = 30;
pub const WRAP_SLACK: usize = 20;
pub const WRAP_SHARE: f64 = 0.4;

/// Python's `str.splitlines()`: the lines without their breaks. Scans bytes: every
/// break is ASCII or starts with 0xC2 (U+0085) or 0xE2 (U+2028, U+2029).
pub fn splitlines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Straight past the bytes that never begin a break, eight at a time.
        if plain8(&bytes[i..]) {
            i += 8;
            continue;
        }
        if !MAY_BREAK[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        let width = match bytes[i] {
            b'\n' | b'\x0b' | b'\x0c' | b'\x1c' | b'\x1d' | b'\x1e' => 1,
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                }
            }
            0xC2 if bytes.get(i + 1) == Some(&0x85) => 2,
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                3
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push(&text[start..i]);
        i += width;
        start = i;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Is none of the first 8 bytes of `bytes` one a line break may begin with (a byte
/// below 0x20, 0xC2 or 0xE2)? False when there are fewer than 8.
#[inline]
fn plain8(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(head) = bytes.get(..8) else {
        return false;
    };
    let mut word = [0u8; 8];
    word.copy_from_slice(head);
    let w = u64::from_le_bytes(word);
    // Some byte below n (n <= 0x80) iff this is not zero ("has less than").
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    below(w, 0x20) | below(w ^ (ONES * 0xC2), 1) | below(w ^ (ONES * 0xE2), 1) == 0
}

/// The bytes a line break may begin with (`splitlines`).
static MAY_BREAK: [bool; 256] = {
    let mut table = [false; 256];
    let starts = [
        b'\n', b'\x0b', b'\x0c', b'\r', b'\x1c', b'\x1d', b'\x1e', 0xC2, 0xE2,
    ];
    let mut i = 0;
    while i < starts.len() {
        table[starts[i] as usize] = true;
        i += 1;
    }
    table
};

/// Python's `str.strip()`.
#[inline]
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Display columns (wide CJK characters count two), or any number above `WRAP_MAX`
/// for a line wider than that: only widths up to `WRAP_MAX` are ever compared.
fn width(line: &str) -> usize {
    if line.is_ascii() {
        return line.len();
    }
    if line.len() > 4 * WRAP_MAX {
        return WRAP_MAX + 1; // more than WRAP_MAX characters
    }
    let mut columns = 0;
    for c in line.chars() {
        columns += if class(c) & WIDE_BIT != 0 { 2 } else { 1 };
        if columns > WRAP_MAX {
            break;
        }
    }
    columns
}

/// Display columns of a whole line, however wide.
fn columns(line: &str) -> usize {
    if line.is_ascii() {
        return line.len();
    }
    line.chars()
        .map(|c| if class(c) & WIDE_BIT != 0 { 2 } else { 1 })
        .sum()
}

/// A line of one word (no space, no wide character: a URL, a sign-off). A wrap
/// never breaks a word, so such a line may be wider than the wrap width.
fn one_word(line: &str) -> bool {
    !line
        .chars()
        .any(|c| is_space(c) || class(c) & WIDE_BIT != 0)
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
        .filter(|(l, &w)| !l.is_empty() && w <= WRAP_MAX && !one_word(l))
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
    if nfull < 3 {
        return lines;
    }
    let in_full: usize = widths
        .iter()
        .zip(&full)
        .filter(|(_, &f)| f)
        .map(|(&w, _)| w)
        .sum();
    let all: usize = stripped
        .iter()
        .zip(&widths)
        .map(|(l, &w)| if w > WRAP_MAX { columns(l) } else { w })
        .sum();
    if (in_full as f64) < WRAP_SHARE * all as f64 {
        return lines;
    }
    let mut out: Vec<Cow<str>> = Vec::new();
    let (mut joining, mut wide) = (false, false);
    for (&line, &is_full) in stripped.iter().zip(&full) {
        if line.is_empty() {
            joining = false;
            continue;
        }
        match (joining, out.last_mut()) {
            (true, Some(last)) => {
                let joined = last.to_mut();
                // A line of wide (CJK) characters is wrapped where the width ran
                // out, inside a number or a URL as well: no space (issue 15).
                if !wide {
                    joined.push(' ');
                }
                joined.push_str(line);
            }
            _ => out.push(Cow::Borrowed(line)),
        }
        joining = is_full;
        wide = !line.is_ascii() && line.chars().any(|c| class(c) & WIDE_BIT != 0);
    }
    out
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
        for at in 0..19 {
            for brk in ["\n", "\r\n", "\x1c", "\u{85}", "\u{2029}"] {
                let text = format!("{}{brk}{}", "a".repeat(at), "b".repeat(19 - at));
                assert_eq!(
                    splitlines(&text),
                    vec!["a".repeat(at), "b".repeat(19 - at)],
                    "{text:?}"
                );
            }
        }
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
    fn lines_of_wide_characters_rejoin_without_a_space() {
        let text = "新华社电记者报道今年产量增长了百分之二十多达到了2\n015年的水平并且继续增长了很多很多\n同比增长20.8%而且今年产量增长了很多很多很多\n完。";
        assert_eq!(paragraphs(text), vec![text.replace('\n', "")]);
    }

    #[test]
    fn a_link_line_and_short_lines_do_not_hide_a_wrap() {
        let wrapped = "The board said on Tuesday that the new crane would double the\n\
                       number of ships it can unload in one day. It expects the first\n\
                       of them in the spring, after the quay is rebuilt, and a second\n\
                       one later.";
        let link = "https://www.example-wire.com/article/board-orders-a-second-crane-for-the-quay";
        let short = [
            "Leave a Reply",
            "Comment",
            "Name *",
            "Email *",
            "Website",
            "Back",
        ];
        let text = [&[wrapped, link][..], &short[..]].concat().join("\n\n");
        let paras = paragraphs(&text);
        assert_eq!(paras.len(), 2 + short.len());
        assert!(paras[0].ends_with("one later."));
        assert_eq!((one_word(link), one_word("Name *")), (true, false));
        assert_eq!(columns(&"新".repeat(200)), 400);
    }
}
