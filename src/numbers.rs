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

/// The UTF-8 length of the digit starting at `bytes[i]` (ASCII, Arabic-Indic U+0660–
/// U+0669, Urdu/Persian U+06F0–U+06F9, Devanagari U+0966–U+096F), 0 if none does.
#[inline]
fn digit_at(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'0'..=b'9' => 1,
        0xD9 if matches!(bytes.get(i + 1), Some(0xA0..=0xA9)) => 2,
        0xDB if matches!(bytes.get(i + 1), Some(0xB0..=0xB9)) => 2,
        0xE0 if bytes.get(i + 1) == Some(&0xA5)
            && matches!(bytes.get(i + 2), Some(0xA6..=0xAF)) =>
        {
            3
        }
        _ => 0,
    }
}

/// The bytes a digit or a URL may begin with.
static MAY_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = true;
        b += 1;
    }
    table[b'h' as usize] = true;
    table[b'w' as usize] = true;
    table[0xD9] = true;
    table[0xDB] = true;
    table[0xE0] = true;
    table
};

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
///
/// Reads bytes: a digit, `h` or `w` only ever starts at a character's first byte,
/// and a byte inside a character is none of them, so stepping a byte at a time past
/// anything else reads the text as stepping a character at a time would.
pub fn number_keys(text: &str, out: &mut Vec<u32>) {
    let start = out.len();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut distinct = 0;
    let check_urls = text.contains("://") || text.contains("www.");
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && distinct < MAX_NUMBERS {
        let b = bytes[i];
        if !MAY_START[usize::from(b)] {
            i += 1;
            continue;
        }
        if check_urls && (b == b'h' || b == b'w') {
            if let Some(len) = url_at(&text[i..]) {
                i += len;
                continue;
            }
        }
        if digit_at(bytes, i) == 0 {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len() {
            let width = match bytes[end] {
                b'.' | b',' => 1,
                _ => digit_at(bytes, end),
            };
            if width == 0 {
                break;
            }
            end += width;
        }
        let number = text[i..end].trim_end_matches(['.', ',']);
        if seen.insert(number) {
            distinct += 1;
            out.push(xxh32(number.as_bytes(), 0));
        }
        i = end;
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
        let mixed = "x\u{6f1}\u{6f2},\u{967}.5 \u{669}a";
        let mut want = vec![
            xxh32("\u{6f1}\u{6f2},\u{967}.5".as_bytes(), 0),
            xxh32("\u{669}".as_bytes(), 0),
        ];
        want.sort_unstable();
        assert_eq!(keys(mixed), want);
    }

    #[test]
    fn at_most_max_numbers() {
        let text: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        assert_eq!(keys(&text.join(" ")).len(), MAX_NUMBERS);
    }
}
