//! Positions in text held as byte offsets, counted the way Python counts: characters.
//!
//! The credit rules measure windows in characters ("the first 600", "40 before"); these
//! helpers turn such counts into byte offsets and read the characters around one.

use fancy_regex::Captures;

use crate::unicode::is_space;

/// The horizontal spaces credit spans are trimmed of (`_HWS`).
pub fn is_hws(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\x0c' | '\x0b' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

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

/// The character before `pos`, skipping spaces; a newline at the start of the text.
pub fn previous(text: &str, pos: usize) -> char {
    text[..pos]
        .chars()
        .rev()
        .find(|&c| !is_hws(c))
        .unwrap_or('\n')
}
