//! Normalization: every spelling of a text mapped to one form, one line per paragraph.
//!
//! NFKC, quotes/dashes/spaces unified (non-ASCII texts), `\"` and `\'` unescaped,
//! full case folding, runs of spaces collapsed and blank lines dropped: what
//! `dedup.normalize.normalize` promises, with Python's own character tables.

use std::ops::ControlFlow;

use crate::unicode::{
    casefold_each, class, is_space, nfkc_runs, quote_replacement, ASCII_SPACE, FOLDS_BIT,
    QUOTE_BIT, SPACE_BIT,
};

/// The canonical form of `text`.
///
/// One pass over the (NFKC) characters does what the definition does in steps:
/// quotes/dashes/spaces unified (non-ASCII texts only, as the definition), case
/// folded, `\"` and `\'` unescaped (leftmost first, as `re.sub` does; folding never
/// makes or removes a backslash or a quote, so the order does not matter), and runs
/// of spaces collapsed with blank lines dropped.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text.as_bytes());
    }
    let mut out = Writer::with_capacity(text.len());
    let emit = |out: &mut Writer, c: char| {
        // Most characters are none of a quote, a space or one that folds: one look-up.
        if !c.is_ascii() && class(c) & (QUOTE_BIT | FOLDS_BIT | SPACE_BIT) == 0 {
            out.push_word(c);
            return;
        }
        match quote_replacement(c) {
            Some(r) => r.chars().for_each(|r| out.push(r)),
            None => casefold_each(c, |f| out.push(f)),
        }
    };
    let _ = nfkc_runs(
        text,
        &mut out,
        |out, run| {
            out.push_ascii(run.as_bytes());
            ControlFlow::Continue(())
        },
        |out, c| {
            emit(out, c);
            ControlFlow::Continue(())
        },
    );
    out.finish()
}

/// `normalize` of ASCII text: words copied lower-cased, one separator between
/// them (a line break where the whitespace held one), `\` dropped before a quote.
/// One walk over the bytes, each looked up once.
fn normalize_ascii(text: &[u8]) -> String {
    let n = text.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let mut pending = 0u8; // the separator owed before the next word: 0, b' ' or b'\n'
    let mut i = 0;
    while i < n {
        let b = text[i];
        i += 1;
        if ASCII_SPACE[usize::from(b)] {
            if !out.is_empty() && pending != b'\n' {
                pending = if b == b'\n' { b'\n' } else { b' ' };
            }
            continue;
        }
        if pending != 0 {
            out.push(pending);
            pending = 0;
        }
        // Leftmost first: before a quote (in the same word, as a quote is no
        // space) the backslash goes and the quote is kept.
        if b == b'\\' && i < n && (text[i] == b'"' || text[i] == b'\'') {
            continue;
        }
        out.push(b.to_ascii_lowercase());
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Builds the normalized text a character at a time: collapses spaces, drops
/// blank lines and unescapes quotes.
struct Writer {
    out: String,
    /// A backslash seen and not yet written: dropped if a quote follows.
    backslash: bool,
    /// Whitespace seen after the line's last word.
    space: bool,
    /// A line break seen after the last word.
    newline: bool,
}

impl Writer {
    fn with_capacity(n: usize) -> Self {
        Writer {
            out: String::with_capacity(n),
            backslash: false,
            space: false,
            newline: false,
        }
    }

    #[inline]
    fn push(&mut self, c: char) {
        if self.backslash {
            self.backslash = false;
            if c == '"' || c == '\'' {
                self.word(c);
                return;
            }
            self.word('\\');
        }
        if c == '\\' {
            self.backslash = true;
        } else if c == '\n' {
            self.newline = true;
        } else if if c.is_ascii() {
            matches!(
                c,
                ' ' | '\t' | '\r' | '\u{0b}' | '\u{0c}' | '\u{1c}'..='\u{1f}'
            )
        } else {
            is_space(c)
        } {
            self.space = true;
        } else {
            self.word(c);
        }
    }

    /// `push` of a non-ASCII character that is neither a space nor a backslash.
    #[inline]
    fn push_word(&mut self, c: char) {
        if self.backslash {
            self.backslash = false;
            self.word('\\');
        }
        self.word(c);
    }

    /// `push` of each of a run of ASCII characters (NFKC's output): folded, and
    /// the backtick unified as `quote_replacement` does; a word's characters after
    /// its first are appended as they come.
    #[inline]
    fn push_ascii(&mut self, run: &[u8]) {
        #[inline]
        fn fold(b: u8) -> char {
            char::from(if b == b'`' {
                b'\''
            } else {
                b.to_ascii_lowercase()
            })
        }
        #[inline]
        fn plain(b: u8) -> bool {
            !matches!(b, b'\\' | b'\t'..=b'\r' | b' ' | 0x1c..=0x1f)
        }
        let mut i = 0;
        while i < run.len() {
            let b = run[i];
            i += 1;
            if self.backslash || !plain(b) {
                self.push(fold(b));
                continue;
            }
            self.word(fold(b));
            let end = i + run[i..]
                .iter()
                .position(|&b| !plain(b))
                .unwrap_or(run.len() - i);
            self.out.extend(run[i..end].iter().map(|&b| fold(b)));
            i = end;
        }
    }

    /// Write a character of a word, after the break or space before it.
    #[inline]
    fn word(&mut self, c: char) {
        if !self.out.is_empty() {
            if self.newline {
                self.out.push('\n');
            } else if self.space {
                self.out.push(' ');
            }
        }
        self.newline = false;
        self.space = false;
        self.out.push(c);
    }

    fn finish(mut self) -> String {
        if self.backslash {
            self.backslash = false;
            self.word('\\');
        }
        self.out
    }
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
