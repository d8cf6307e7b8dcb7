//! Python `re` patterns on fancy-regex, matching as Python matches them.
//!
//! The credit rules were written, and are specified by tests, as Python patterns. They
//! are kept here as written and translated once: `\w`, `\d`, `\s`, `\b` become
//! Python's classes (`isalnum` or `_`, `isdecimal`, `isspace`), `\Z` becomes `\z`, and
//! inside `(?i:…)` an `i` also matches `ı` and `İ` as Python's case-insensitive
//! matching has it. `match`, `search` and `fullmatch` keep Python's meaning of `pos`
//! (lookbehind sees before it) and `endpos` (the text ends there).

use std::sync::{LazyLock, OnceLock};

use fancy_regex::{Captures, Regex, RegexBuilder};

use crate::unicode::python_classes;

static CLASSES: LazyLock<[String; 4]> = LazyLock::new(python_classes);

/// Translate a Python pattern (see the module doc) to fancy-regex syntax.
pub fn translate(py: &str) -> String {
    let [w, d, s, h] = &*CLASSES;
    let chars: Vec<char> = py.chars().collect();
    let mut out = String::with_capacity(py.len() * 2);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = 0; // where the current class began in `out`
    let mut ci_depth: Vec<bool> = Vec::new(); // per open group: case-insensitive?
    let ci = |depth: &Vec<bool>| depth.iter().any(|&x| x);
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 7)].iter().collect();
        if !in_class && rest.starts_with("[^\\S\\n]") {
            out.push_str(&format!("[{h}]"));
            i += 7;
            continue;
        }
        if c == '\\' && i + 1 < chars.len() {
            let e = chars[i + 1];
            i += 2;
            match (e, in_class) {
                ('w', false) => out.push_str(&format!("[{w}]")),
                ('w', true) => out.push_str(w),
                ('d', false) => out.push_str(&format!("[{d}]")),
                ('d', true) => out.push_str(d),
                ('s', false) => out.push_str(&format!("[{s}]")),
                ('s', true) => out.push_str(s),
                ('S', false) => out.push_str(&format!("[^{s}]")),
                ('b', false) => {
                    out.push_str(&format!("(?:(?<=[{w}])(?![{w}])|(?<![{w}])(?=[{w}]))"))
                }
                ('Z', false) => out.push_str("\\z"),
                ('u', _) => {
                    let hex: String = chars[i..i + 4].iter().collect();
                    out.push_str(&format!("\\x{{{hex}}}"));
                    i += 4;
                }
                ('i' | 'I', false) if ci(&ci_depth) => out.push_str("[iIıİ]"),
                _ => {
                    out.push('\\');
                    out.push(e);
                }
            }
            continue;
        }
        i += 1;
        if in_class {
            if c == ']' {
                // A case-insensitive class holding i holds ı and İ too (Python's rule).
                let body = &out[class_start..];
                if ci(&ci_depth)
                    && !body.starts_with("[^")
                    && (body.contains('i') || body.contains("a-z"))
                {
                    out.push_str("ıİ");
                }
                in_class = false;
            }
            out.push(c);
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                class_start = out.len();
                out.push(c);
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '(' => {
                let flag: String = chars[i..chars.len().min(i + 3)].iter().collect();
                ci_depth.push(flag == "?i:");
                out.push(c);
                if flag == "?i:" {
                    out.push_str("?i:");
                    i += 3;
                } else if flag == "?P<" {
                    // A group name, copied as it is.
                    while i < chars.len() && chars[i] != '>' {
                        out.push(chars[i]);
                        i += 1;
                    }
                }
            }
            ')' => {
                ci_depth.pop();
                out.push(c);
            }
            'i' | 'I' if ci(&ci_depth) => out.push_str("[iIıİ]"),
            _ => out.push(c),
        }
    }
    out
}

/// `pattern` (fancy-regex syntax) without its lookaround groups: a pattern for the
/// `regex` crate matching wherever `pattern` does (an assertion dropped only widens),
/// in linear time, to find where the backtracking matcher is worth starting.
fn without_lookaround(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let (mut i, mut in_class) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(&e) = chars.get(i + 1) {
                out.push(e);
            }
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
        } else if c == '[' {
            in_class = true;
            out.push(c);
            i += 1;
            // A `]` or `^]` right after the opening bracket is a literal.
            if chars.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if chars.get(i) == Some(&']') {
                out.push(']');
                i += 1;
            }
            continue;
        } else if c == '(' {
            let head: String = chars[i..chars.len().min(i + 4)].iter().collect();
            if head.starts_with("(?=")
                || head.starts_with("(?!")
                || head == "(?<="
                || head == "(?<!"
            {
                i = group_end(&chars, i);
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The index just past the group opening at `chars[open]`.
fn group_end(chars: &[char], open: usize) -> usize {
    let (mut depth, mut i, mut in_class) = (0usize, open, false);
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
        } else if c == '[' {
            in_class = true;
            if chars.get(i + 1) == Some(&'^') {
                i += 1;
            }
            if chars.get(i + 1) == Some(&']') {
                i += 1;
            }
        } else if c == '(' {
            depth += 1;
        } else if c == ')' {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    chars.len()
}

/// One Python pattern, compiled for `match`, `search` and `fullmatch`.
///
/// Each of the compiled forms is built the first time a call needs it: compiling
/// all five of every credit pattern took ~0.35 s at the start of each process,
/// and most patterns are only ever searched, or only ever matched in full.
pub struct Re {
    /// The pattern in fancy-regex syntax.
    body: String,
    /// With lookaround in the pattern: the pattern without it (see `without_lookaround`).
    plain: Option<String>,
    anchored: OnceLock<Regex>,
    anywhere: OnceLock<Regex>,
    whole: OnceLock<Regex>,
    /// With lookaround: where a match may start (`plain` on the `regex` crate).
    starts: OnceLock<regex::Regex>,
    /// Without lookaround: the whole-text match on the `regex` crate (no backtracking VM).
    plain_whole: OnceLock<regex::Regex>,
}

fn build(pattern: &str) -> Regex {
    // The patterns are this crate's constants (and escaped wire names); a failure
    // here is a bug caught by the unit tests, not an input error.
    RegexBuilder::new(pattern)
        .backtrack_limit(10_000_000)
        .delegate_size_limit(1 << 26)
        .delegate_dfa_size_limit(1 << 26)
        .build()
        .unwrap_or_else(|e| panic!("credit pattern does not compile: {e}\n{pattern}"))
}

fn build_plain(pattern: &str) -> regex::Regex {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 26)
        .dfa_size_limit(1 << 26)
        .build()
        .unwrap_or_else(|e| panic!("credit pattern does not compile: {e}\n{pattern}"))
}

impl Re {
    /// Translate the Python pattern `py` (compiled as calls need it).
    pub fn new(py: &str) -> Re {
        let body = translate(py);
        let plain = without_lookaround(&body);
        Re {
            plain: (plain != body).then_some(plain),
            body,
            anchored: OnceLock::new(),
            anywhere: OnceLock::new(),
            whole: OnceLock::new(),
            starts: OnceLock::new(),
            plain_whole: OnceLock::new(),
        }
    }

    /// This pattern with what `search` and `spans` use compiled now.
    pub fn for_search(self) -> Re {
        // as `first` uses them: the start finder and the anchored form, or the other
        if self.starts().is_some() {
            self.anchored();
        } else {
            self.anywhere();
        }
        self
    }

    /// Compile every form now (the tests check that each one compiles).
    #[cfg(test)]
    pub(crate) fn compile_all(&self) {
        self.anchored();
        self.anywhere();
        self.whole_regex();
        self.starts();
        self.plain_whole();
    }

    fn anchored(&self) -> &Regex {
        self.anchored
            .get_or_init(|| build(&format!("\\G(?:{})", self.body)))
    }

    fn anywhere(&self) -> &Regex {
        self.anywhere.get_or_init(|| build(&self.body))
    }

    fn whole_regex(&self) -> &Regex {
        self.whole
            .get_or_init(|| build(&format!("\\G(?:{})\\z", self.body)))
    }

    /// Where a match may start, when the pattern has lookaround.
    fn starts(&self) -> Option<&regex::Regex> {
        let plain = self.plain.as_ref()?;
        Some(self.starts.get_or_init(|| build_plain(plain)))
    }

    /// The whole-text match on the `regex` crate, when the pattern has no lookaround.
    fn plain_whole(&self) -> Option<&regex::Regex> {
        if self.plain.is_some() {
            return None;
        }
        Some(
            self.plain_whole
                .get_or_init(|| build_plain(&format!("\\A(?:{})\\z", self.body))),
        )
    }

    /// The leftmost match in `hay` from `pos`: where the lookaround-free pattern
    /// matches, the backtracking one is tried anchored, position by position.
    fn first<'t>(&self, hay: &'t str, pos: usize) -> Option<Captures<'t, str>> {
        let Some(starts) = self.starts() else {
            return self.anywhere().captures_from_pos(hay, pos).ok().flatten();
        };
        let mut at = pos;
        while at <= hay.len() {
            let q = starts.find_at(hay, at)?.start();
            if let Some(m) = self.anchored().captures_from_pos(hay, q).ok().flatten() {
                return Some(m);
            }
            at = q + hay[q..].chars().next().map_or(1, char::len_utf8);
        }
        None
    }

    /// Python's `pattern.match(text, pos, endpos)`.
    pub fn at<'t>(&self, text: &'t str, pos: usize, endpos: usize) -> Option<Captures<'t, str>> {
        let hay = &text[..endpos.min(text.len())];
        if pos > hay.len() {
            return None;
        }
        // A backtracking limit reached reads as no match (never a panic, never hours).
        self.anchored().captures_from_pos(hay, pos).ok().flatten()
    }

    /// Python's `pattern.search(text, pos, endpos)`.
    pub fn search<'t>(
        &self,
        text: &'t str,
        pos: usize,
        endpos: usize,
    ) -> Option<Captures<'t, str>> {
        let hay = &text[..endpos.min(text.len())];
        if pos > hay.len() {
            return None;
        }
        self.first(hay, pos)
    }

    /// Python's `pattern.fullmatch(text)`.
    pub fn whole<'t>(&self, text: &'t str) -> Option<Captures<'t, str>> {
        self.whole_regex().captures(text).ok().flatten()
    }

    /// Group `name` of Python's `pattern.fullmatch(text)`: None without a match,
    /// `Some(None)` when the group did not take part.
    pub fn whole_group<'t>(&self, text: &'t str, name: &str) -> Option<Option<&'t str>> {
        match self.plain_whole() {
            Some(re) => re.captures(text).map(|m| m.name(name).map(|g| g.as_str())),
            None => self.whole(text).map(|m| m.name(name).map(|g| g.as_str())),
        }
    }

    /// The (start, end) of every match in `text[pos..endpos]`, as `finditer`.
    pub fn spans(&self, text: &str, pos: usize, endpos: usize) -> Vec<(usize, usize)> {
        let hay = &text[..endpos.min(text.len())];
        let mut out = Vec::new();
        let mut at = pos;
        while at <= hay.len() {
            let Some(m) = self.first(hay, at) else {
                break;
            };
            let m = m.get(0).map_or(at..at, |g| g.range());
            out.push((m.start, m.end));
            at = if m.end > m.start {
                m.end
            } else {
                m.end + hay[m.end..].chars().next().map_or(1, char::len_utf8)
            };
        }
        out
    }

    /// Python's `pattern.split(text)` for a pattern without groups.
    pub fn split<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        let mut last = 0;
        for (s, e) in self.spans(text, 0, text.len()) {
            out.push(&text[last..s]);
            last = e;
        }
        out.push(&text[last..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_pythons() {
        let re = Re::new(r"\w+");
        // A Devanagari vowel sign is not \w in Python (nor alphanumeric).
        let m = re.search("क\u{93f}", 0, 6).unwrap();
        assert_eq!(m.get(0).unwrap().as_str(), "क");
        assert!(Re::new(r"\s").at("\u{1c}", 0, 1).is_some());
        assert!(Re::new(r"[^\S\n]").at("\n", 0, 1).is_none());
        assert!(Re::new(r"[^\S\n]").at("\u{3000}", 0, 3).is_some());
    }

    #[test]
    fn match_sees_before_pos_and_stops_at_endpos() {
        let re = Re::new(r"(?<![A-Za-z])ab\Z");
        assert!(re.at("xab", 1, 3).is_none());
        assert!(re.at(" ab", 1, 3).is_some());
        assert!(re.at(" abc", 1, 3).is_some());
        assert!(re.at(" abc", 1, 4).is_none());
    }

    #[test]
    fn case_insensitive_i_is_pythons() {
        let re = Re::new(r"(?i:xinhua)");
        assert!(re.whole("XİNHUA").is_some());
        assert!(re.whole("xınhua").is_some());
        assert!(Re::new(r"(?i:[a-z]+)").whole("Aprİl").is_some());
        assert!(Re::new(r"[a-z]+").whole("Aprİl").is_none());
    }

    #[test]
    fn lookaround_is_dropped_whole() {
        assert_eq!(without_lookaround(r"(?<![A-Z(])a(?=[)\]])b(?!c(d))"), "ab");
        assert_eq!(without_lookaround(r"[(?=x)]a"), r"[(?=x)]a");
    }

    #[test]
    fn alternation_backtracks_past_a_failed_lookahead() {
        let m = Re::new(r"(?:abcd|ab)(?!d)").search("abcdd", 0, 5).unwrap();
        assert_eq!(m.get(0).unwrap().range(), 0..2);
    }
}
