//! The site-chrome counts (dedup/chrome.py `ChromeCounts` explains the rule): per
//! short line of a site, in how many dissimilar articles it was seen, when it was
//! last seen, and the long-paragraph sketches of the articles counted until the
//! line becomes chrome. Held compactly (~110 bytes per line instead of ~900 as
//! Python lists, ints and tuples); the index holds one per store.

use std::collections::HashMap;

use crate::chrome::{SHORT_SKETCH, SKETCH};

/// Shared sketch keys that make two articles copies of one story.
pub const SAME_STORY: usize = 3;
/// The same for sketches of short paragraphs (the mark counted): articles of one
/// site share its chrome lines, so copies must share more than that: at 6, tables of
/// a few rows framed by a dozen chrome lines matched each other and the site's chrome
/// was not learnt from them (bench.accuracy --corpus-kind reuters: one wrapped table
/// lost its wire; at 7 none, at 8 copies of a table that differ in a row no longer
/// match: whole-story F1 0.9855, against 0.9865 at 7).
pub const SAME_SHORT_STORY: usize = 7;

/// A long-paragraph sketch: up to `SKETCH` sorted keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sketch {
    len: u8,
    keys: [u32; SKETCH],
}

impl Sketch {
    /// The first `SKETCH` of `keys` (sorted, distinct, as `chrome::observe` gives).
    pub fn new(keys: &[u32]) -> Sketch {
        let mut out = Sketch::default();
        let n = keys.len().min(SKETCH);
        out.keys[..n].copy_from_slice(&keys[..n]);
        out.len = n as u8;
        out
    }

    pub fn keys(&self) -> &[u32] {
        &self.keys[..usize::from(self.len)]
    }

    /// Do two sketches belong to copies of one story? They share `SAME_STORY`
    /// keys (or all of the smaller one's, when it has fewer); two sketches of short
    /// paragraphs `SAME_SHORT_STORY`; one of each kind never.
    pub fn same_story(&self, other: &Sketch) -> bool {
        let (a, b) = (self.keys(), other.keys());
        if a.is_empty() || b.is_empty() {
            return false;
        }
        let short = a[0] == SHORT_SKETCH;
        if short != (b[0] == SHORT_SKETCH) {
            return false;
        }
        let same = if short { SAME_SHORT_STORY } else { SAME_STORY };
        let need = same.min(a.len()).min(b.len());
        a.iter().filter(|k| b.contains(k)).count() >= need
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub count: u32,
    pub last_seen: u64,
    pub witnesses: Vec<Sketch>,
}

/// Per short line (of a site): in how many dissimilar articles it was seen.
#[derive(Debug)]
pub struct ChromeCounts {
    pub min_docs: u32,
    pub seen: u64,
    entries: HashMap<u64, Entry>,
}

impl ChromeCounts {
    pub fn new(min_docs: u32) -> Self {
        ChromeCounts {
            min_docs,
            seen: 0,
            entries: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: u64) -> Option<&Entry> {
        self.entries.get(&key)
    }

    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.keys().copied()
    }

    /// Bytes held, about (the table's slots and the witness lists).
    pub fn nbytes(&self) -> usize {
        let slot = std::mem::size_of::<(u64, Entry)>() + 1;
        let witnesses: usize = self
            .entries
            .values()
            .map(|e| e.witnesses.capacity() * std::mem::size_of::<Sketch>())
            .sum();
        self.entries.capacity() * slot + witnesses
    }

    /// Room for `more` entries (before restoring many).
    pub fn reserve(&mut self, more: usize) {
        self.entries.reserve(more);
    }

    /// Restore one stored entry; true when it is chrome.
    pub fn load(&mut self, key: u64, count: u32, last_seen: u64, witnesses: Vec<Sketch>) -> bool {
        self.entries.insert(
            key,
            Entry {
                count,
                last_seen,
                witnesses,
            },
        );
        count >= self.min_docs
    }

    /// Count one article (its distinct short-line keys and its sketch), the next
    /// observation; the keys that became chrome are added to `became`.
    pub fn observe(&mut self, keys: &[u64], sketch: Sketch, became: &mut Vec<u64>) {
        self.seen += 1;
        let (seen, threshold) = (self.seen, self.min_docs);
        for &key in keys {
            let Some(entry) = self.entries.get_mut(&key) else {
                let witnesses = if threshold > 1 {
                    vec![sketch]
                } else {
                    Vec::new()
                };
                self.entries.insert(
                    key,
                    Entry {
                        count: 1,
                        last_seen: seen,
                        witnesses,
                    },
                );
                if threshold <= 1 {
                    became.push(key);
                }
                continue;
            };
            entry.last_seen = seen;
            if entry.count >= threshold || entry.witnesses.iter().any(|w| sketch.same_story(w)) {
                continue;
            }
            entry.count += 1;
            if entry.count >= threshold {
                entry.witnesses = Vec::new();
                became.push(key);
            } else {
                entry.witnesses.push(sketch);
            }
        }
    }

    /// Every entry, by key (for an index file's snapshot).
    pub fn sorted_entries(&self) -> Vec<(u64, &Entry)> {
        let mut out: Vec<_> = self.entries.iter().map(|(&k, e)| (k, e)).collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// Forget the lines that are not chrome and were last seen before observation
    /// `horizon`; returns their keys, sorted.
    pub fn age(&mut self, horizon: u64) -> Vec<u64> {
        let min_docs = self.min_docs;
        let mut gone = Vec::new();
        self.entries.retain(|&k, e| {
            let forget = e.count < min_docs && e.last_seen < horizon;
            if forget {
                gone.push(k);
            }
            !forget
        });
        gone.sort_unstable();
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketches_of_short_paragraphs_need_more_in_common() {
        let table = Sketch::new(&[SHORT_SKETCH, 1, 2, 3, 4, 5, 6, 7]);
        // Another table of the site: the mark and the frame's three lines in common.
        assert!(!table.same_story(&Sketch::new(&[SHORT_SKETCH, 1, 2, 3, 14, 15, 16, 17])));
        assert!(!table.same_story(&Sketch::new(&[SHORT_SKETCH, 1, 2, 3, 4, 5, 16, 17])));
        assert!(table.same_story(&Sketch::new(&[SHORT_SKETCH, 1, 2, 3, 4, 5, 6, 17])));
        // Never one of each kind, whatever they share.
        assert!(!table.same_story(&Sketch::new(&[1, 2, 3, 4])));
        assert!(Sketch::new(&[1, 2, 3, 9]).same_story(&Sketch::new(&[1, 2, 3, 4])));
    }

    #[test]
    fn a_line_is_chrome_from_its_third_dissimilar_article() {
        let mut counts = ChromeCounts::new(3);
        let mut became = Vec::new();
        let story = Sketch::new(&[1, 2, 3, 4]);
        counts.observe(&[7], story, &mut became);
        counts.observe(&[7], Sketch::new(&[1, 2, 3, 9]), &mut became); // a copy: not again
        assert_eq!(counts.get(7).map(|e| e.count), Some(1));
        counts.observe(&[7], Sketch::new(&[10, 11, 12]), &mut became);
        counts.observe(&[7], Sketch::new(&[]), &mut became);
        assert_eq!(became, vec![7]);
        let entry = counts.get(7).unwrap();
        assert!(entry.witnesses.is_empty() && entry.last_seen == 4);
        assert_eq!(counts.age(10), Vec::<u64>::new()); // chrome stays
        counts.observe(&[8], story, &mut became);
        assert_eq!(counts.age(10), vec![8]);
        assert_eq!(counts.len(), 1);
    }
}
