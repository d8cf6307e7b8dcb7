//! Normalization: every spelling of a text mapped to one form, one line per paragraph.
//!
//! NFKC, quotes/dashes/spaces unified (non-ASCII texts), `\"` and `\'` unescaped,
//! full case folding, runs of spaces collapsed and blank lines dropped: what
//! `dedup.normalize.normalize` promises, with Python's own character tables.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::unicode::{is_space, push_casefold, quote_replacement};

/// NFKC of `text` (borrowed when it already is).
fn nfkc(text: &str) -> std::borrow::Cow<'_, str> {
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfkc().collect())
    }
}

/// The canonical form of `text`.
pub fn normalize(text: &str) -> String {
    let mut unified = String::with_capacity(text.len());
    if text.is_ascii() {
        unified.push_str(text);
    } else {
        for c in nfkc(text).chars() {
            match quote_replacement(c) {
                Some(r) => unified.push_str(r),
                None => unified.push(c),
            }
        }
    }
    let unescaped = if unified.contains('\\') {
        unescape_quotes(&unified)
    } else {
        unified
    };
    let mut folded = String::with_capacity(unescaped.len());
    for c in unescaped.chars() {
        push_casefold(c, &mut folded);
    }
    collapse_spaces(&folded)
}

/// `re.sub(r'\\(["\'])', r'\1', text)`: leftmost, non-overlapping.
fn unescape_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&q) = chars.peek() {
                if q == '"' || q == '\'' {
                    out.push(q);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Each `\n`-separated line's words joined by one space; empty lines dropped.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let mut first = true;
        for word in line.split(is_space).filter(|w| !w.is_empty()) {
            if first {
                if !out.is_empty() {
                    out.push('\n');
                }
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn unifies_quotes_dashes_case_and_spaces() {
        assert_eq!(
            normalize("\u{201c}Hello\u{201d} \u{2014} World"),
            "\"hello\" - world"
        );
        assert_eq!(normalize("  a\u{3000}b \n\n\t c  "), "a b\nc");
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize(r#"say \"hi\" \\"#), r#"say "hi" \\"#);
    }

    #[test]
    fn ascii_keeps_backticks_and_empty_stays_empty() {
        assert_eq!(normalize("`x`"), "`x`");
        assert_eq!(normalize("`x` \u{e9}"), "'x' \u{e9}");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\n\n  \n"), "");
    }
}
