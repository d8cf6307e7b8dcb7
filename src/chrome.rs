//! Site chrome: short paragraphs keyed per site, long ones sketched, chrome dropped.
//!
//! The rule itself (which lines become chrome of a site) is learnt by the index from
//! these observations (dedup/chrome.py's `ChromeCounts`); here is the per-article
//! part: `paragraphs` (hard-wrapped lines rejoined, src/wrap.rs), `line_key` of a
//! short paragraph, `content_key` of any, `observe` and `drop_chrome`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::ControlFlow;

use xxhash_rust::xxh3::xxh3_64;

use crate::unicode::{
    casefold_each, class, is_space, nfkc_each, nfkc_runs, ALNUM_BIT, ASCII_SPACE, FOLDS_BIT,
    LINE_CJK_BIT,
};
pub use crate::wrap::{paragraphs, splitlines, strip, WRAP_MAX, WRAP_MIN, WRAP_SHARE, WRAP_SLACK};

/// Long-paragraph keys kept per article (bottom-k of their hashes).
pub const SKETCH: usize = 8;
/// The first key of a sketch of short paragraphs (a text without long ones).
pub const SHORT_SKETCH: u32 = 0;
const SITE_MULT: u64 = 0x9E37_79B9_7F4A_7C15;

/// The short-line tokens (`[LINE_CJK]|[^\W_]+` of the line after NFKC and
/// `str.casefold`) joined by single spaces, built as the folded characters stream
/// by: an alphanumeric run goes on through CJK characters, a CJK character outside
/// a run is a token of its own.
struct Joined<'b> {
    text: &'b mut Vec<u8>,
    tokens: usize,
    in_run: bool,
}

impl Joined<'_> {
    /// `push` of each character of `c` case-folded (one class look-up when it
    /// does not fold).
    #[inline]
    fn push_folded(&mut self, c: char) {
        let bits = class(c);
        if bits & FOLDS_BIT == 0 {
            self.push_classed(c, bits);
        } else {
            casefold_each(c, |f| self.push(f));
        }
    }

    #[inline]
    fn push(&mut self, c: char) {
        self.push_classed(c, class(c));
    }

    #[inline]
    fn push_classed(&mut self, c: char, bits: u8) {
        if self.in_run && bits & ALNUM_BIT != 0 {
            self.char(c);
            return;
        }
        if bits & (LINE_CJK_BIT | ALNUM_BIT) == 0 {
            self.in_run = false;
            return;
        }
        self.tokens += 1;
        if self.tokens > 1 {
            self.text.push(b' ');
        }
        self.char(c);
        self.in_run = bits & LINE_CJK_BIT == 0;
    }

    /// `push` of each of a run of ASCII characters (folded here): a token's
    /// characters are appended a run of letters and digits at a time.
    #[inline]
    fn push_ascii_run(&mut self, run: &[u8]) {
        let mut i = 0;
        while i < run.len() {
            if !run[i].is_ascii_alphanumeric() {
                self.in_run = false;
                i += 1;
                continue;
            }
            let end = i + run[i..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(run.len() - i);
            if !self.in_run {
                self.in_run = true;
                self.tokens += 1;
                if self.tokens > 1 {
                    self.text.push(b' ');
                }
            }
            self.text
                .extend(run[i..end].iter().map(u8::to_ascii_lowercase));
            i = end;
        }
    }

    #[inline]
    fn char(&mut self, c: char) {
        // Byte by byte: a copy of a 1-4 byte slice would be a call to memcpy.
        let mut utf8 = [0u8; 4];
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            self.text.push(b);
        }
    }
}

/// What a paragraph is to the chrome rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paragraph {
    /// A short line, with its `line_key`.
    Short(u64),
    /// Any other: its `content_key` when it was asked for (None without tokens).
    Long(Option<u64>),
}

/// Each byte's lower-case form when it is an ASCII letter or digit, else 0.
const ASCII_TOKEN: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// An ASCII line in one pass: its tokens (runs of letters and digits) joined by one
/// space and lower-cased into `buf`, and how many tokens and words (runs of
/// non-spaces) it has; `None` as soon as it has more than `most` tokens.
fn ascii_tokens(line: &[u8], most: usize, buf: &mut Vec<u8>) -> Option<(usize, usize)> {
    // Tokens and one space between each are never longer than the line: written by
    // index into room made first, then cut to length.
    let start = buf.len();
    buf.resize(start + line.len(), 0);
    let out = &mut buf[start..];
    let mut n = 0;
    let (mut tokens, mut words) = (0usize, 0usize);
    let (mut in_token, mut in_word) = (false, false);
    for &b in line {
        let word = !ASCII_SPACE[usize::from(b)];
        words += usize::from(word && !in_word);
        in_word = word;
        let lower = ASCII_TOKEN[usize::from(b)];
        if lower == 0 {
            in_token = false;
            continue;
        }
        if !in_token {
            in_token = true;
            tokens += 1;
            if tokens > most {
                buf.truncate(start);
                return None;
            }
            if tokens > 1 {
                out[n] = b' ';
                n += 1;
            }
        }
        out[n] = lower;
        n += 1;
    }
    buf.truncate(start + n);
    Some((tokens, words))
}

/// `line_key` of a paragraph and, with `content`, `content_key` of a longer one, in
/// one walk: the line's tokens are joined in `buf` and hashed once (a short line's
/// key is the hash of the same joined tokens). Without `content` a longer line is
/// left as soon as it is known to be one.
pub fn key_paragraph(line: &str, max_words: usize, content: bool, buf: &mut Vec<u8>) -> Paragraph {
    // At most `max_words` tokens, `2 * max_words` words and `limit` characters.
    let limit = max_words.saturating_mul(24);
    let max_spaced = max_words.saturating_mul(2);
    buf.clear();
    let mut joined = Joined {
        text: buf,
        tokens: 0,
        in_run: false,
    };
    let short = if line.is_ascii() {
        let bytes = line.as_bytes();
        if !content && bytes.len() > limit {
            return Paragraph::Long(None);
        }
        // Without `content`, left as soon as there are too many tokens.
        let most = if content { usize::MAX } else { max_words };
        let Some((tokens, words)) = ascii_tokens(bytes, most, joined.text) else {
            return Paragraph::Long(None);
        };
        joined.tokens = tokens;
        let short = bytes.len() <= limit && tokens <= max_words && words <= max_spaced;
        if !short && !content {
            return Paragraph::Long(None);
        }
        short
    } else {
        // At most `limit` characters and `max_spaced` words.
        let fits = |line: &str| {
            let (mut chars, mut words, mut in_word) = (0usize, 0usize, false);
            for c in line.chars() {
                chars += 1;
                if is_space(c) {
                    in_word = false;
                } else if !in_word {
                    in_word = true;
                    words += 1;
                }
                if chars > limit || words > max_spaced {
                    return false;
                }
            }
            true
        };
        let short = line.len() <= limit.saturating_mul(4);
        if !content && !short {
            return Paragraph::Long(None);
        }
        // Without `content`, as soon as there are too many tokens (most lines have
        // too many well before their end), before counting characters and words.
        let most = if content { usize::MAX } else { max_words };
        let check = |j: &Joined| {
            if j.tokens > most {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        // A whole line of mostly another script is read a character at a time
        // (measured faster for Chinese and Urdu than looking for ASCII runs).
        let flow = if content && 2 * line.bytes().filter(u8::is_ascii).count() < line.len() {
            nfkc_each(line, |c| joined.push_folded(c));
            ControlFlow::Continue(())
        } else {
            nfkc_runs(
                line,
                &mut joined,
                |j, run| {
                    j.push_ascii_run(run.as_bytes());
                    check(j)
                },
                |j, c| {
                    j.push_folded(c);
                    check(j)
                },
            )
        };
        let short = short && flow.is_continue() && joined.tokens <= max_words && fits(line);
        if !short && !content {
            return Paragraph::Long(None);
        }
        short
    };
    let tokens = joined.tokens;
    if tokens == 0 {
        return Paragraph::Long(None);
    }
    let key = xxh3_64(buf);
    if short {
        Paragraph::Short(key)
    } else if content {
        Paragraph::Long(Some(key))
    } else {
        Paragraph::Long(None)
    }
}

/// The 64-bit key of a short line (at most `max_words` tokens, `2 * max_words` words,
/// `24 * max_words` characters), from its letters and digits after NFKC and case
/// folding, so "Back To Top ↑" and "back to top" share one; None for a longer line.
pub fn line_key(line: &str, max_words: usize) -> Option<u64> {
    match key_paragraph(line, max_words, false, &mut Vec::new()) {
        Paragraph::Short(key) => Some(key),
        Paragraph::Long(_) => None,
    }
}

/// The 64-bit key of a line of any length from its letters and digits (as `line_key`).
pub fn content_key(line: &str) -> Option<u64> {
    match key_paragraph(line, 0, true, &mut Vec::new()) {
        Paragraph::Short(key) | Paragraph::Long(Some(key)) => Some(key),
        Paragraph::Long(None) => None,
    }
}

/// A short line's key within its site.
#[inline]
pub fn chrome_key(site: u64, line: u64) -> u64 {
    let key = (line ^ site).wrapping_mul(SITE_MULT);
    key ^ (key >> 29)
}

/// The `chrome_key`s of a raw text's short paragraphs (distinct, sorted) and the
/// `SKETCH` lowest 32-bit keys of its long paragraphs (sorted). A text without a
/// long paragraph (a table, short lines whose wrap was not recognised) is sketched
/// by its short paragraphs instead, after the mark `SHORT_SKETCH`: else its copies
/// on one site would count as different stories and their body would become the
/// site's chrome (`chrome_counts::Sketch::same_story` says when two such match).
pub fn observe(text: &str, site: u64, max_words: usize) -> (Vec<u64>, Vec<u32>) {
    let mut short = Vec::new();
    let mut long = Vec::new();
    let mut short_content = Vec::new();
    let mut buf = Vec::new();
    for p in paragraphs(text) {
        match key_paragraph(&p, max_words, true, &mut buf) {
            Paragraph::Short(k) => {
                short.push(chrome_key(site, k));
                short_content.push((k >> 32) as u32);
            }
            Paragraph::Long(Some(c)) => long.push(((c >> 32) as u32).max(SHORT_SKETCH + 1)),
            Paragraph::Long(None) => {}
        }
    }
    short.sort_unstable();
    short.dedup();
    long.sort_unstable();
    long.dedup();
    if long.is_empty() && !short_content.is_empty() {
        short_content.sort_unstable();
        short_content.dedup();
        long.push(SHORT_SKETCH);
        long.extend(short_content.into_iter().filter(|&k| k != SHORT_SKETCH));
    }
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
    let mut buf = Vec::new();
    let paras = paragraphs(text);
    let mut short = |p: &str| match key_paragraph(p, max_words, false, &mut buf) {
        Paragraph::Short(k) => Some(chrome_key(site, k)),
        Paragraph::Long(_) => None,
    };
    let keys: Vec<Option<u64>> = paras.iter().map(|p| short(p)).collect();
    let mut chromed: Vec<bool> = keys
        .iter()
        .map(|k| k.is_some_and(|k| chrome.contains(&k)))
        .collect();
    // A chrome line broken in two by a hard wrap that the text's other lines did
    // not show (a table, short lines): the two pieces go when together they are
    // one of the site's chrome lines.
    let mut joined = String::new();
    for i in 1..paras.len() {
        // (two pieces that are chrome each stay so: not looked at again)
        if keys[i - 1].is_some() && keys[i].is_some() && !(chromed[i - 1] && chromed[i]) {
            joined.clear();
            joined.push_str(&paras[i - 1]);
            joined.push(' ');
            joined.push_str(&paras[i]);
            if short(&joined).is_some_and(|k| chrome.contains(&k)) {
                chromed[i - 1] = true;
                chromed[i] = true;
            }
        }
    }
    let kept: Vec<Cow<str>> = paras
        .into_iter()
        .zip(chromed)
        .filter(|(_, c)| !c)
        .map(|(p, _)| p)
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

    #[test]
    fn a_text_of_short_paragraphs_is_sketched_by_them_after_the_mark() {
        let rows = "Net 12 cts vs 10 cts\n\nRevs 3,400 vs 3,100\n\nLeave a Reply";
        let (short, sketch) = observe(rows, 9, 16);
        assert_eq!((short.len(), sketch.len(), sketch[0]), (3, 4, SHORT_SKETCH));
        assert!(sketch[1..].iter().all(|&k| k != SHORT_SKETCH));
        assert_eq!(observe("", 9, 16), (vec![], vec![]));
    }
}
