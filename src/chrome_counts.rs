//! The site-chrome counts (dedup/chrome.py `ChromeCounts` explains the rule): per
//! short line of a site, in how many dissimilar articles it was seen, when it was
//! last seen, and the long-paragraph sketches of the articles counted until the
//! line becomes chrome. Held compactly (`ChromeCounts` says how); the index holds
//! one per store.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::chrome::{SHORT_SKETCH, SKETCH};
use crate::ids::Prehashed;

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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

/// An entry as it is read out (`get`, `sorted_entries`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub count: u32,
    pub last_seen: u64,
    pub witnesses: Vec<Sketch>,
}

/// No link (the end of a witness list).
const NONE: u32 = u32::MAX;

/// An entry as it is held: its witnesses a list of links into `Witnesses`.
#[derive(Clone, Copy, Debug)]
struct Held {
    count: u32,
    first: u32,
    last_seen: u64,
}

/// The witness lists of all entries: links, each naming a sketch, and the sketches,
/// each held once however many lines of its article it witnesses (an article's
/// short lines are mostly new, each an entry witnessed by that article's sketch).
/// Freed links and sketches are reused.
#[derive(Debug, Default)]
struct Witnesses {
    links: Vec<(u32, u32)>, // (sketch, next link)
    free_links: Vec<u32>,
    sketches: Vec<Sketch>,
    refs: Vec<u32>,
    free_sketches: Vec<u32>,
}

impl Witnesses {
    fn new_sketch(&mut self, sketch: Sketch) -> u32 {
        if let Some(i) = self.free_sketches.pop() {
            self.sketches[i as usize] = sketch;
            self.refs[i as usize] = 0;
            return i;
        }
        self.sketches.push(sketch);
        self.refs.push(0);
        (self.sketches.len() - 1) as u32
    }

    /// A list `first` with sketch `sketch` appended; returns the list's first link.
    fn append(&mut self, first: u32, sketch: u32) -> u32 {
        self.refs[sketch as usize] += 1;
        let link = match self.free_links.pop() {
            Some(i) => {
                self.links[i as usize] = (sketch, NONE);
                i
            }
            None => {
                self.links.push((sketch, NONE));
                (self.links.len() - 1) as u32
            }
        };
        if first == NONE {
            return link;
        }
        let mut at = first;
        while self.links[at as usize].1 != NONE {
            at = self.links[at as usize].1;
        }
        self.links[at as usize].1 = link;
        first
    }

    fn iter(&self, first: u32) -> impl Iterator<Item = &Sketch> + '_ {
        std::iter::successors((first != NONE).then_some(first), |&at| {
            let next = self.links[at as usize].1;
            (next != NONE).then_some(next)
        })
        .map(|at| &self.sketches[self.links[at as usize].0 as usize])
    }

    fn free(&mut self, first: u32) {
        let mut at = first;
        while at != NONE {
            let (sketch, next) = self.links[at as usize];
            let refs = &mut self.refs[sketch as usize];
            *refs -= 1;
            if *refs == 0 {
                self.free_sketches.push(sketch);
            }
            self.free_links.push(at);
            at = next;
        }
    }

    fn nbytes(&self) -> usize {
        self.links.capacity() * 8
            + self.sketches.capacity() * std::mem::size_of::<Sketch>()
            + (self.refs.capacity() + self.free_links.capacity() + self.free_sketches.capacity())
                * 4
    }
}

/// Per short line (of a site): in how many dissimilar articles it was seen. Held in
/// ~40 bytes a line plus one sketch an article (a map of the line keys, which are
/// hashes, to count, last seen and a witness list; 120 bytes a line when each line
/// held its own list of sketches).
#[derive(Debug)]
pub struct ChromeCounts {
    pub min_docs: u32,
    pub seen: u64,
    entries: HashMap<u64, Held, BuildHasherDefault<Prehashed>>,
    witnesses: Witnesses,
}

impl ChromeCounts {
    pub fn new(min_docs: u32) -> Self {
        ChromeCounts {
            min_docs,
            seen: 0,
            entries: HashMap::default(),
            witnesses: Witnesses::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, held: &Held) -> Entry {
        Entry {
            count: held.count,
            last_seen: held.last_seen,
            witnesses: self.witnesses.iter(held.first).copied().collect(),
        }
    }

    pub fn get(&self, key: u64) -> Option<Entry> {
        self.entries.get(&key).map(|h| self.entry(h))
    }

    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.keys().copied()
    }

    /// Bytes held, about (the table's slots and the witness lists).
    pub fn nbytes(&self) -> usize {
        let slot = std::mem::size_of::<(u64, Held)>() + 1;
        self.entries.capacity() * slot + self.witnesses.nbytes()
    }

    /// Room for `more` entries (before restoring many).
    pub fn reserve(&mut self, more: usize) {
        self.entries.reserve(more);
    }

    /// Restore one stored entry; true when it is chrome.
    pub fn load(&mut self, key: u64, count: u32, last_seen: u64, witnesses: Vec<Sketch>) -> bool {
        self.load_all([(key, count, last_seen, witnesses)])
            .next()
            .is_some()
    }

    /// Restore stored entries (a sketch that witnesses several is held once); the
    /// keys that are chrome.
    pub fn load_all(
        &mut self,
        entries: impl IntoIterator<Item = (u64, u32, u64, Vec<Sketch>)>,
    ) -> impl Iterator<Item = u64> {
        let mut held: HashMap<Sketch, u32> = HashMap::new();
        let mut chrome = Vec::new();
        for (key, count, last_seen, sketches) in entries {
            let mut first = NONE;
            for sketch in sketches {
                let at = *held
                    .entry(sketch)
                    .or_insert_with(|| self.witnesses.new_sketch(sketch));
                first = self.witnesses.append(first, at);
            }
            let entry = Held {
                count,
                first,
                last_seen,
            };
            if let Some(old) = self.entries.insert(key, entry) {
                self.witnesses.free(old.first);
            }
            if count >= self.min_docs {
                chrome.push(key);
            }
        }
        chrome.into_iter()
    }

    /// Count one article (its distinct short-line keys and its sketch), the next
    /// observation; the keys that became chrome are added to `became`.
    pub fn observe(&mut self, keys: &[u64], sketch: Sketch, became: &mut Vec<u64>) {
        self.seen += 1;
        let (seen, threshold) = (self.seen, self.min_docs);
        let witnesses = &mut self.witnesses;
        let mut stored = None; // this article's sketch, once held
        let mut witness = |w: &mut Witnesses, first: u32| {
            let at = *stored.get_or_insert_with(|| w.new_sketch(sketch));
            w.append(first, at)
        };
        for &key in keys {
            let Some(entry) = self.entries.get_mut(&key) else {
                let first = if threshold > 1 {
                    witness(witnesses, NONE)
                } else {
                    became.push(key);
                    NONE
                };
                self.entries.insert(
                    key,
                    Held {
                        count: 1,
                        first,
                        last_seen: seen,
                    },
                );
                continue;
            };
            entry.last_seen = seen;
            if entry.count >= threshold || witnesses.iter(entry.first).any(|w| sketch.same_story(w))
            {
                continue;
            }
            entry.count += 1;
            if entry.count >= threshold {
                witnesses.free(entry.first);
                entry.first = NONE;
                became.push(key);
            } else {
                entry.first = witness(witnesses, entry.first);
            }
        }
    }

    /// Every entry, by key (for an index file's snapshot).
    pub fn sorted_entries(&self) -> Vec<(u64, Entry)> {
        let mut out: Vec<_> = self
            .entries
            .iter()
            .map(|(&k, h)| (k, self.entry(h)))
            .collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// Forget the lines that are not chrome and were last seen before observation
    /// `horizon`; returns their keys, sorted.
    pub fn age(&mut self, horizon: u64) -> Vec<u64> {
        let min_docs = self.min_docs;
        let witnesses = &mut self.witnesses;
        let mut gone = Vec::new();
        self.entries.retain(|&k, e| {
            let forget = e.count < min_docs && e.last_seen < horizon;
            if forget {
                witnesses.free(e.first);
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

    #[test]
    fn an_articles_sketch_is_held_once_and_freed_with_its_last_line() {
        let mut counts = ChromeCounts::new(3);
        let mut became = Vec::new();
        let story = Sketch::new(&[1, 2, 3, 4]);
        counts.observe(&[7, 8, 9], story, &mut became);
        assert_eq!(counts.witnesses.sketches.len(), 1);
        let other = Sketch::new(&[10, 11, 12]);
        counts.observe(&[7, 8], other, &mut became);
        assert_eq!(counts.witnesses.sketches.len(), 2);
        let entry = counts.get(8).unwrap();
        assert_eq!((entry.count, entry.witnesses), (2, vec![story, other]));
        counts.observe(&[7], Sketch::new(&[20, 21, 22]), &mut became);
        assert_eq!(became, vec![7]);
        assert!(counts.get(7).unwrap().witnesses.is_empty());
        // 8 and 9 still hold `story`, 8 `other`: both sketches stay until aged out.
        assert_eq!(counts.age(3), vec![8, 9]);
        assert_eq!(counts.witnesses.free_sketches.len(), 2);
        // Freed room is reused, and the lists read back as they were written.
        counts.observe(&[5, 6], other, &mut became);
        counts.observe(&[5], story, &mut became);
        assert_eq!(counts.witnesses.sketches.len(), 2);
        assert_eq!(counts.get(5).unwrap().witnesses, vec![other, story]);
        assert_eq!(counts.get(6).unwrap().witnesses, vec![other]);
    }

    #[test]
    fn restored_entries_share_equal_sketches_and_replace_what_was_there() {
        let mut counts = ChromeCounts::new(3);
        let (a, b) = (Sketch::new(&[1, 2, 3]), Sketch::new(&[4, 5, 6]));
        let chrome: Vec<u64> = counts
            .load_all([
                (1, 1, 5, vec![a]),
                (2, 2, 6, vec![a, b]),
                (3, 3, 7, vec![]),
                (1, 2, 8, vec![b, a]),
            ])
            .collect();
        assert_eq!(chrome, vec![3]);
        assert_eq!(counts.witnesses.sketches.len(), 2);
        assert_eq!(counts.len(), 3);
        let entries = counts.sorted_entries();
        assert_eq!(entries[0].1.witnesses, vec![b, a]);
        assert_eq!((entries[0].1.count, entries[0].1.last_seen), (2, 8));
        assert_eq!(entries[1].1.witnesses, vec![a, b]);
    }
}
