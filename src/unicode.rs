//! Character facts for the text stages, from the generated `tables` (Python's own).
//!
//! A BMP class table is built once (64 KB, immutable) so that the hot loops look a
//! character up with one load; characters beyond the BMP are binary-searched.

use std::ops::ControlFlow;
use std::sync::LazyLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::tables::{
    ALNUM, CASEFOLD, CJK, DECIMAL, DIGIT, LINE_CJK, QUOTES, SPACE, UNASSIGNED, UPPER,
    UPPER_CHANGES, WIDE,
};

/// Class bits of a character.
pub const ALNUM_BIT: u8 = 1; // str.isalnum
pub const CJK_BIT: u8 = 2; // one shingle token per character
pub const SPACE_BIT: u8 = 4; // str.isspace
pub const LINE_CJK_BIT: u8 = 8; // a short-line token by itself
pub const FOLDS_BIT: u8 = 16; // str.casefold changes it
pub const QUOTE_BIT: u8 = 32; // in the quote/dash/space table
pub const WIDE_BIT: u8 = 64; // two display columns (East Asian W or F)
pub const UNASSIGNED_BIT: u8 = 128; // not assigned in Python's Unicode version

fn in_ranges(cp: u32, ranges: &[(u32, u32)]) -> bool {
    // The first range ending at or after cp, then whether it starts at or before cp.
    let i = ranges.partition_point(|&(_, hi)| hi < cp);
    i < ranges.len() && ranges[i].0 <= cp
}

fn classify(cp: u32) -> u8 {
    let mut bits = 0;
    if in_ranges(cp, ALNUM) {
        bits |= ALNUM_BIT;
    }
    if in_ranges(cp, CJK) {
        bits |= CJK_BIT;
    }
    if in_ranges(cp, SPACE) {
        bits |= SPACE_BIT;
    }
    if in_ranges(cp, LINE_CJK) {
        bits |= LINE_CJK_BIT;
    }
    if CASEFOLD.binary_search_by_key(&cp, |&(c, _)| c).is_ok() {
        bits |= FOLDS_BIT;
    }
    if QUOTES.binary_search_by_key(&cp, |&(c, _)| c).is_ok() {
        bits |= QUOTE_BIT;
    }
    if in_ranges(cp, WIDE) {
        bits |= WIDE_BIT;
    }
    if in_ranges(cp, UNASSIGNED) {
        bits |= UNASSIGNED_BIT;
    }
    bits
}

static BMP: LazyLock<Box<[u8]>> = LazyLock::new(|| (0..0x10000u32).map(classify).collect());

/// The class bits of `c`.
#[inline]
pub fn class(c: char) -> u8 {
    let cp = c as u32;
    if cp < 0x10000 {
        BMP[cp as usize]
    } else {
        classify(cp)
    }
}

/// Each byte: Python's `str.isspace` of it as an ASCII character (space, `\t` to
/// `\r`, `\x1c` to `\x1f`), for the byte-table walks over ASCII texts.
pub const ASCII_SPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b' ' | b'\t'..=b'\r' | 0x1c..=0x1f);
        b += 1;
    }
    table
};

/// `str.isspace`.
#[inline]
pub fn is_space(c: char) -> bool {
    class(c) & SPACE_BIT != 0
}

/// `str.isalnum`.
#[inline]
pub fn is_alnum(c: char) -> bool {
    class(c) & ALNUM_BIT != 0
}

/// `str.isdecimal` (what `\d` matches in Python's `re`).
pub fn is_decimal(c: char) -> bool {
    c.is_ascii_digit() || !c.is_ascii() && in_ranges(c as u32, DECIMAL)
}

/// `str.isdigit`.
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || !c.is_ascii() && in_ranges(c as u32, DIGIT)
}

/// `str.isupper` of one character.
pub fn is_upper(c: char) -> bool {
    c.is_ascii_uppercase() || !c.is_ascii() && in_ranges(c as u32, UPPER)
}

/// `s.upper() == s`.
pub fn upper_unchanged(s: &str) -> bool {
    s.chars().all(|c| {
        if c.is_ascii() {
            !c.is_ascii_lowercase()
        } else {
            !in_ranges(c as u32, UPPER_CHANGES)
        }
    })
}

/// A regex class body (without brackets) of the characters in `ranges`, but `except`.
fn class_body(ranges: &[(u32, u32)], except: Option<u32>) -> String {
    let mut out = String::new();
    let mut split = Vec::with_capacity(ranges.len() + 1);
    for &(lo, hi) in ranges {
        match except {
            Some(x) if lo <= x && x <= hi => {
                if lo < x {
                    split.push((lo, x - 1));
                }
                if x < hi {
                    split.push((x + 1, hi));
                }
            }
            _ => split.push((lo, hi)),
        }
    }
    for (lo, hi) in split {
        if lo == hi {
            out.push_str(&format!("\\x{{{lo:X}}}"));
        } else {
            out.push_str(&format!("\\x{{{lo:X}}}-\\x{{{hi:X}}}"));
        }
    }
    out
}

/// Class bodies of Python's `re` for `str` patterns: `\w` (`isalnum` or `_`), `\d`
/// (`isdecimal`), `\s` (`isspace`) and `[^\S\n]` (a space but a newline), for Rust
/// patterns that match as Python's do (Rust's own `\w` takes in combining marks, its
/// `\s` leaves out `\x1c`..`\x1f`).
pub fn python_classes() -> [String; 4] {
    [
        format!("_{}", class_body(ALNUM, None)),
        class_body(DECIMAL, None),
        class_body(SPACE, None),
        class_body(SPACE, Some(0x0A)),
    ]
}

/// Whether NFKC leaves `c` as it is and nothing before it composes or reorders
/// across it (NFKC quick check Yes, combining class 0): text may be normalized in
/// pieces that start at such a character.
fn stable_starter(c: char) -> bool {
    is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes && canonical_combining_class(c) == 0
}

/// `stable_starter` of every BMP character, one bit each (8 KB, built once).
static STABLE_BMP: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for cp in 0..0x10000u32 {
        if char::from_u32(cp).is_some_and(stable_starter) {
            bits[(cp / 64) as usize] |= 1 << (cp % 64);
        }
    }
    bits
});

#[inline]
fn is_stable(c: char, table: &[u64]) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        true
    } else if cp < 0x10000 {
        table[(cp / 64) as usize] >> (cp % 64) & 1 != 0
    } else {
        stable_starter(c)
    }
}

/// Call `f` with each character of NFKC of `text`, as Python's `unicodedata` has it.
///
/// The NFKC tables are the `unicode-normalization` crate's, of a newer Unicode
/// version than Python's; they agree on every character Python's version assigns.
/// A character it does not assign is a starter without a decomposition to Python
/// (NFKC leaves it, and nothing composes across it), so it is kept as it is and the
/// text is normalized in pieces around it. Pieces also start at each stable starter
/// (`stable_starter`): a run of them passes straight through, and only the few
/// characters around one that NFKC changes (a full-width comma, a ligature, a
/// combining accent with its base) go through the normalizer.
pub fn nfkc_each(text: &str, mut f: impl FnMut(char)) {
    let _ = nfkc_try_each(text, |c| {
        f(c);
        ControlFlow::Continue(())
    });
}

/// `nfkc_each` with ASCII handed over a run at a time: `run(cx, s)` for a run of
/// ASCII characters (NFKC leaves them as they are), `f(cx, c)` for each other
/// character of the NFKC, in text order, until either breaks. A run's last character
/// is held back like any stable starter (a combining mark after it composes with it).
pub fn nfkc_runs<C>(
    text: &str,
    cx: &mut C,
    run: impl Fn(&mut C, &str) -> ControlFlow<()>,
    f: impl Fn(&mut C, char) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let table = STABLE_BMP.as_slice();
    let bytes = text.as_bytes();
    let mut held: Option<(usize, char)> = None;
    let mut dirty: Option<usize> = None;
    let flush = |cx: &mut C, dirty: Option<usize>, held: Option<(usize, char)>, end: usize| match (
        dirty, held,
    ) {
        (Some(from), _) => text[from..end].nfkc().try_for_each(|c| f(cx, c)),
        (None, Some((_, h))) => f(cx, h),
        (None, None) => ControlFlow::Continue(()),
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii() {
            let j = i + bytes[i..]
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(bytes.len() - i);
            flush(cx, dirty.take(), held.take(), i)?;
            if j - i > 1 {
                run(cx, &text[i..j - 1])?;
            }
            held = Some((j - 1, char::from(bytes[j - 1])));
            i = j;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let unassigned = class(c) & UNASSIGNED_BIT != 0;
        if unassigned || is_stable(c, table) {
            flush(cx, dirty.take(), held.take(), i)?;
            if unassigned {
                f(cx, c)?;
            } else {
                held = Some((i, c));
            }
        } else if dirty.is_none() {
            dirty = Some(held.take().map_or(i, |(at, _)| at));
        }
        i += c.len_utf8();
    }
    flush(cx, dirty, held, text.len())
}

/// `nfkc_each`, stopping at the first character for which `f` breaks.
pub fn nfkc_try_each(text: &str, mut f: impl FnMut(char) -> ControlFlow<()>) -> ControlFlow<()> {
    let table = STABLE_BMP.as_slice();
    // `held`: the last stable starter, not yet given to `f` (what follows may
    // compose with it); `dirty`: where the piece that needs normalizing begins.
    let mut held: Option<(usize, char)> = None;
    let mut dirty: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let unassigned = class(c) & UNASSIGNED_BIT != 0;
        if unassigned || is_stable(c, table) {
            match (dirty.take(), held) {
                (Some(from), _) => text[from..i].nfkc().try_for_each(&mut f)?,
                (None, Some((_, h))) => f(h)?,
                (None, None) => {}
            }
            if unassigned {
                f(c)?;
                held = None;
            } else {
                held = Some((i, c));
            }
        } else if dirty.is_none() {
            dirty = Some(held.take().map_or(i, |(at, _)| at));
        }
    }
    match (dirty, held) {
        (Some(from), _) => text[from..].nfkc().try_for_each(&mut f),
        (None, Some((_, h))) => f(h),
        (None, None) => ControlFlow::Continue(()),
    }
}

/// Call `f` with each character of `str.casefold` of `c`.
#[inline]
pub fn casefold_each(c: char, mut f: impl FnMut(char)) {
    if c.is_ascii() {
        f(c.to_ascii_lowercase());
    } else if class(c) & FOLDS_BIT != 0 {
        match CASEFOLD.binary_search_by_key(&(c as u32), |&(k, _)| k) {
            Ok(i) => CASEFOLD[i].1.chars().for_each(f),
            Err(_) => f(c),
        }
    } else {
        f(c);
    }
}

/// The replacement of a quote/dash/space character, if `c` is one.
#[inline]
pub fn quote_replacement(c: char) -> Option<&'static str> {
    if class(c) & QUOTE_BIT == 0 {
        return None;
    }
    let cp = c as u32;
    QUOTES
        .binary_search_by_key(&cp, |&(k, _)| k)
        .ok()
        .map(|i| QUOTES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_space_table_is_is_space() {
        for b in 0..=255u8 {
            assert_eq!(
                ASCII_SPACE[usize::from(b)],
                b.is_ascii() && is_space(char::from(b)),
                "{b}"
            );
        }
    }

    #[test]
    fn classes_agree_with_python() {
        assert_ne!(class('a') & ALNUM_BIT, 0);
        assert_eq!(class('_') & ALNUM_BIT, 0);
        assert_ne!(class('中') & CJK_BIT, 0);
        assert_ne!(class('\u{3000}') & SPACE_BIT, 0);
        assert_ne!(class('\u{1c}') & SPACE_BIT, 0); // Python counts \x1c..\x1f as space
        assert_eq!(class('\u{200b}') & SPACE_BIT, 0);
        // A combining mark is not alphanumeric in Python (Devanagari vowel sign).
        assert_eq!(class('\u{93f}') & ALNUM_BIT, 0);
        assert_ne!(class('\u{1d400}') & ALNUM_BIT, 0); // beyond the BMP
    }

    #[test]
    fn nfkc_leaves_what_python_does_not_assign() {
        let mut out = String::new();
        nfkc_each("\u{1e030}\u{ff21}", |c| out.push(c)); // a Unicode 15 letter, then Ａ
        assert_eq!(out, "\u{1e030}A");
    }

    #[test]
    fn nfkc_in_pieces_is_nfkc_of_the_whole() {
        for text in [
            "plain ascii",
            "新华社北京５月８日电，记者（王）报道：ｆｉｎｅ",
            "e\u{301}te\u{301} cafe\u{300}\u{323}x \u{fb01}n A\u{30a}\u{301}",
            "\u{1100}\u{1161}\u{11a8} 한국 \u{ac00}\u{11a8}",
            "\u{301}leading mark, trailing e\u{301}",
            "Ⅻ ㈱ ½ ﾊﾟ ｶﾞ ᄀ\u{1161}",
        ] {
            let mut pieces = String::new();
            nfkc_each(text, |c| pieces.push(c));
            assert_eq!(pieces, text.nfkc().collect::<String>(), "{text:?}");
        }
        // Random strings over characters that compose, reorder, decompose or pass.
        let alphabet: Vec<char> = "aeAE \u{301}\u{300}\u{323}\u{327}\u{30a}\u{fb01}\u{ff0c}５ｶﾞﾟ\
            \u{1100}\u{1161}\u{11a8}\u{ac00}\u{3099}か\u{2460}\u{0f73}\u{0f71}\u{0f72}中"
            .chars()
            .collect();
        for text in random_texts(&alphabet, 7, 60) {
            let mut pieces = String::new();
            nfkc_each(&text, |c| pieces.push(c));
            assert_eq!(pieces, text.nfkc().collect::<String>(), "{text:?}");
        }
    }

    /// 20,000 strings over `alphabet` from a linear congruential generator seeded
    /// with `seed`, each 1 + (the state's top bits from `shift`) characters long.
    fn random_texts(alphabet: &[char], seed: u64, shift: u32) -> Vec<String> {
        let mut state = seed;
        (0..20_000)
            .map(|_| {
                let mut text = String::new();
                for _ in 0..(state >> shift) + 1 {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    text.push(alphabet[(state >> 33) as usize % alphabet.len()]);
                }
                text
            })
            .collect()
    }

    #[test]
    fn nfkc_in_runs_is_nfkc_of_the_whole() {
        let alphabet: Vec<char> =
            "ab E\\`\n\u{301}\u{300}\u{323}\u{fb01}\u{ff0c}５ｶﾞﾟ\u{1100}\u{1161}\
            \u{ac00}\u{3099}か\u{0f73}中\u{1e030}"
                .chars()
                .collect();
        for text in random_texts(&alphabet, 11, 59) {
            let (mut runs, mut whole) = (String::new(), String::new());
            let _ = nfkc_runs(
                &text,
                &mut runs,
                |out, s| {
                    out.push_str(s);
                    ControlFlow::Continue(())
                },
                |out, c| {
                    out.push(c);
                    ControlFlow::Continue(())
                },
            );
            nfkc_each(&text, |c| whole.push(c));
            assert_eq!(runs, whole, "{text:?}");
        }
    }

    #[test]
    fn casefold_is_full_folding() {
        let mut s = String::new();
        for c in "Straße ΣΑΣ ﬁ".chars() {
            casefold_each(c, |f| s.push(f));
        }
        assert_eq!(s, "strasse σασ fi");
    }
}

#[cfg(test)]
mod table_tests {
    use crate::tables::{
        ALNUM, CASEFOLD, CJK, DECIMAL, DIGIT, LINE_CJK, QUOTES, SPACE, UNASSIGNED, UPPER,
        UPPER_CHANGES, WIDE,
    };

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for ranges in [
            ALNUM,
            CJK,
            DECIMAL,
            DIGIT,
            LINE_CJK,
            SPACE,
            UNASSIGNED,
            UPPER,
            UPPER_CHANGES,
            WIDE,
        ] {
            assert!(ranges.iter().all(|&(lo, hi)| lo <= hi));
            assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0));
        }
        assert!(CASEFOLD.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(QUOTES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
