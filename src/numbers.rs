//! Number keys: the distinct numbers of a normalized text as sorted 32-bit hashes.
//!
//! Numbers as written ("1,250.5", "2026"; ASCII, Arabic-Indic, Urdu/Persian and
//! Devanagari digits), once URLs are taken out; the first `MAX_NUMBERS` distinct
//! ones. Templated reports differ in these (see dedup/verify.py).

use std::collections::HashSet;

use xxhash_rust::xxh32::xxh32;

use crate::shingle::sort_distinct_from;
use crate::unicode::is_space;

pub const MAX_NUMBERS: usize = 256;

#[inline]
fn is_digit(c: char) -> bool {
    matches!(c, '0'..='9' | '\u{660}'..='\u{669}' | '\u{6f0}'..='\u{6f9}' | '\u{966}'..='\u{96f}')
}

/// Byte length of a URL starting at `rest` (`(?:https?://|www\.)\S+`), if one does.
fn url_at(rest: &str) -> Option<usize> {
    let prefix = if rest.starts_with("http://") {
        7
    } else if rest.starts_with("https://") {
        8
    } else if rest.starts_with("www.") {
        4
    } else {
        return None;
    };
    let tail = &rest[prefix..];
    let run = tail.find(is_space).unwrap_or(tail.len());
    (run > 0).then_some(prefix + run)
}

/// The sorted distinct number keys of `text`, appended to `out`.
pub fn number_keys(text: &str, out: &mut Vec<u32>) {
    let start = out.len();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut distinct = 0;
    let check_urls = text.contains("://") || text.contains("www.");
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() && distinct < MAX_NUMBERS {
        let rest = &text[i..];
        if check_urls && (bytes[i] == b'h' || bytes[i] == b'w') {
            if let Some(len) = url_at(rest) {
                i += len;
                continue;
            }
        }
        let Some(c) = rest.chars().next() else { break };
        if !is_digit(c) {
            i += c.len_utf8();
            continue;
        }
        let run = rest
            .find(|c: char| !(is_digit(c) || c == '.' || c == ','))
            .unwrap_or(rest.len());
        let number = rest[..run].trim_end_matches(['.', ',']);
        if seen.insert(number) {
            distinct += 1;
            out.push(xxh32(number.as_bytes(), 0));
        }
        i += run;
    }
    sort_distinct_from(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        number_keys(text, &mut out);
        out
    }

    #[test]
    fn numbers_as_written_without_urls() {
        let mut want = vec![xxh32(b"1,250.5", 0), xxh32(b"2026", 0)];
        want.sort_unstable();
        assert_eq!(keys("rose 1,250.5. in 2026, 2026 again"), want);
        assert_eq!(
            keys("see https://x.com/2025/05 and www.a.com/7"),
            Vec::<u32>::new()
        );
        assert_eq!(keys("٢٠٢٦"), vec![xxh32("٢٠٢٦".as_bytes(), 0)]);
        assert!(keys("").is_empty());
    }

    #[test]
    fn at_most_max_numbers() {
        let text: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        assert_eq!(keys(&text.join(" ")).len(), MAX_NUMBERS);
    }
}
