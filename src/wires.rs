//! The wire registry as the credit rules read it: names, codes, and the one scan.
//!
//! `dedup.wires.WireRegistry` builds the registry (merging, clash checks, case
//! variants) and hands its tables over once; lookups by publisher name, dateline
//! code and running text are answered here, with [`key`] the one name folding.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::pyre::Re;
use crate::unicode::{casefold_each, is_space, nfkc_each};

/// A wire, by its index in [`Wires::names`].
pub type Wire = u16;

/// What a marker word opens (see `credits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    SourceEn,
    SourceZh,
    EditorEn,
    ByEn,
    EditorZh,
    Copyright,
    End,
    Reprint,
}

/// Marker words the one scan over a text looks for, next to the wires' aliases.
pub const MARKERS: &[(&str, Role)] = &[
    ("Source:", Role::SourceEn),
    ("Source：", Role::SourceEn),
    ("Sources:", Role::SourceEn),
    ("SOURCE:", Role::SourceEn),
    ("SOURCES:", Role::SourceEn),
    ("来源：", Role::SourceZh),
    ("来源:", Role::SourceZh),
    ("Editor:", Role::EditorEn),
    ("Editor：", Role::EditorEn),
    ("Editors:", Role::EditorEn),
    ("EDITOR:", Role::EditorEn),
    ("Edited by", Role::ByEn),
    ("Editing by", Role::ByEn),
    ("Reporting by", Role::ByEn),
    ("Writing by", Role::ByEn),
    ("Compiled by", Role::ByEn),
    ("Additional reporting by", Role::ByEn),
    ("编辑：", Role::EditorZh),
    ("编辑:", Role::EditorZh),
    ("责编：", Role::EditorZh),
    ("责编:", Role::EditorZh),
    ("审核：", Role::EditorZh),
    ("审核:", Role::EditorZh),
    ("校对：", Role::EditorZh),
    ("校对:", Role::EditorZh),
    ("监制：", Role::EditorZh),
    ("监制:", Role::EditorZh),
    ("审校：", Role::EditorZh),
    ("审校:", Role::EditorZh),
    ("Copyright", Role::Copyright),
    ("COPYRIGHT", Role::Copyright),
    ("©", Role::Copyright),
    ("完）", Role::End),
    ("完)", Role::End),
    ("原标题：", Role::Reprint),
    ("原标题:", Role::Reprint),
    ("原题：", Role::Reprint),
    ("原题:", Role::Reprint),
];

/// One hit of the scan: an alias (its wire, whether it needs word boundaries) or a marker.
#[derive(Clone, Copy, Debug)]
pub enum Hit {
    Alias(Wire, bool),
    Marker(Role),
}

/// The registry's tables.
pub struct Wires {
    pub names: Vec<String>,
    by_key: HashMap<String, Wire>,
    by_code: HashMap<String, Wire>,
    by_folded_code: HashMap<String, Wire>,
    by_domain: HashMap<String, Wire>,
    scanner: AhoCorasick,
    hits: Vec<Hit>,
    finder: Option<Re>,
    /// The wire "Reuters" denotes, if that wire is named Reuters (its house style).
    reuters: Option<Wire>,
}

/// Case-, width- and whitespace-insensitive form of a name: NFKC, `casefold`, spaces
/// collapsed, and `" .,;:|·-–—"` stripped from both ends.
pub fn key(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    nfkc_each(name, |c| casefold_each(c, |f| folded.push(f)));
    let mut joined = String::with_capacity(folded.len());
    for word in folded.split(is_space).filter(|w| !w.is_empty()) {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    joined
        .trim_matches(|c| " .,;:|·-–—".contains(c))
        .to_string()
}

/// Short ASCII aliases (AP, APP, UPI) keep their exact case in running text.
pub fn is_short(alias: &str) -> bool {
    alias.is_ascii() && alias.chars().count() <= 4
}

fn alternation(strings: &[String]) -> String {
    let mut sorted: Vec<&String> = strings.iter().collect();
    sorted.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    sorted.dedup();
    let escaped: Vec<String> = sorted
        .iter()
        .map(|s| fancy_regex::escape(s).into_owned())
        .collect();
    escaped.join("|")
}

/// Python's `str.strip()` (whitespace as `str.isspace` has it).
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

impl Wires {
    /// The tables `WireRegistry` computed, by wire name.
    ///
    /// `scan_names` are the case variants searched in running text, in the
    /// registry's order, each with its wire and whether it needs word boundaries;
    /// `spaced_long`, `spaced_short` and `unspaced` are the aliases `find_wires`
    /// matches ignoring case, by exact case, and without word boundaries; `domains`
    /// are the host names each wire publishes under (lower case, subdomains count).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        names: Vec<String>,
        by_key: Vec<(String, String)>,
        by_code: Vec<(String, String)>,
        by_folded_code: Vec<(String, String)>,
        scan_names: Vec<(String, String, bool)>,
        spaced_long: Vec<String>,
        spaced_short: Vec<String>,
        unspaced: Vec<String>,
        domains: Vec<(String, String)>,
    ) -> Result<Wires, String> {
        let index: HashMap<&str, Wire> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as Wire))
            .collect();
        let wire = |name: &str| -> Result<Wire, String> {
            index
                .get(name)
                .copied()
                .ok_or_else(|| format!("unknown wire name {name:?}"))
        };
        let table = |pairs: Vec<(String, String)>| -> Result<HashMap<String, Wire>, String> {
            pairs.into_iter().map(|(k, v)| Ok((k, wire(&v)?))).collect()
        };
        let mut strings = Vec::new();
        let mut hits = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (form, name, bounded) in &scan_names {
            if seen.insert(form.clone()) {
                strings.push(form.clone());
                hits.push(Hit::Alias(wire(name)?, *bounded));
            }
        }
        for &(literal, role) in MARKERS {
            if seen.insert(literal.to_string()) {
                strings.push(literal.to_string());
                hits.push(Hit::Marker(role));
            }
        }
        // Leftmost-longest: at the first position any string matches, the longest
        // of them (what the registry's longest-first trie regex matched).
        let scanner = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&strings)
            .map_err(|e| e.to_string())?;
        let longs = alternation(&spaced_long);
        let shorts = alternation(&spaced_short);
        let mut bounded: Vec<String> = Vec::new();
        if !longs.is_empty() {
            bounded.push(format!("(?i:{longs})"));
        }
        if !shorts.is_empty() {
            bounded.push(shorts);
        }
        let mut finder: Vec<String> = Vec::new();
        if !bounded.is_empty() {
            finder.push(format!(r"(?<!\w)(?:{})(?!\w)", bounded.join("|")));
        }
        let unspaced = alternation(&unspaced);
        if !unspaced.is_empty() {
            finder.push(unspaced);
        }
        let by_key = table(by_key)?;
        let reuters = by_key
            .get(&key("Reuters"))
            .copied()
            .filter(|&w| names[w as usize] == "Reuters");
        Ok(Wires {
            by_key,
            by_code: table(by_code)?,
            by_folded_code: table(by_folded_code)?,
            by_domain: table(domains)?,
            scanner,
            hits,
            // Compiled now: it holds the registry's names, so a registry too large
            // for it fails as it is loaded, not at the first text.
            finder: (!finder.is_empty()).then(|| Re::new(&finder.join("|")).for_search()),
            reuters,
            names,
        })
    }

    /// `WireRegistry.by_source`: the wire a publisher name denotes.
    pub fn by_source(&self, source: &str) -> Option<Wire> {
        if source.is_empty() {
            return None;
        }
        self.by_key.get(&key(source)).copied()
    }

    /// `WireRegistry.by_code`: the wire a code inside dateline parentheses denotes.
    pub fn by_code(&self, code: &str) -> Option<Wire> {
        let code = py_strip(code);
        self.by_code.get(code).copied().or_else(|| {
            if is_short(code) {
                None
            } else {
                self.by_folded_code.get(&key(code)).copied()
            }
        })
    }

    /// `WireRegistry.by_url` for a host: the wire whose domain is `host` or a parent
    /// of it (`www.reuters.com` is reuters.com's). `host` is matched in lower case.
    pub fn by_host(&self, host: &str) -> Option<Wire> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        while !rest.is_empty() {
            if let Some(&w) = self.by_domain.get(rest) {
                return Some(w);
            }
            rest = rest.split_once('.').map_or("", |(_, parent)| parent);
        }
        None
    }

    /// `WireRegistry.find_wires`: wires named anywhere in a short string, in order.
    pub fn find_wires(&self, text: &str) -> Vec<Wire> {
        let mut out: Vec<Wire> = Vec::new();
        if let Some(finder) = &self.finder {
            for (s, e) in finder.spans(text, 0, text.len()) {
                if let Some(&w) = self.by_key.get(&key(&text[s..e])) {
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
        out
    }

    /// The Reuters wire, if "Reuters" denotes a wire of that name (its house style applies).
    pub fn reuters(&self) -> Option<Wire> {
        self.reuters
    }

    /// Every alias and marker hit in `text[lo..hi]`, left to right, not overlapping.
    pub fn scan(&self, text: &str, lo: usize, hi: usize, out: &mut Vec<(usize, usize, Hit)>) {
        for m in self.scanner.find_iter(&text[lo..hi]) {
            out.push((
                lo + m.start(),
                lo + m.end(),
                self.hits[m.pattern().as_usize()],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_folds_width_case_and_spaces() {
        assert_eq!(key(" Xinhua  News\u{3000}Agency. "), "xinhua news agency");
        assert_eq!(key("ＡＰ"), "ap");
        assert_eq!(key("Straße"), "strasse");
    }
}
