//! Every per-article text stage of the core on arbitrary text: no panic, and the
//! invariants the index relies on. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run text_stages`.
#![no_main]

use std::collections::HashSet;

use dedup_core::{chrome, normalize, numbers, passages, shingle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let normalized = normalize::normalize(&text);
    // One line per paragraph: no blank line, no space at either end or twice.
    // (Not idempotent, as its Python definition is not: casefold after NFKC can
    // leave text NFKC would change again, and `\\'` unescapes twice.)
    for line in normalized.split('\n').filter(|_| !normalized.is_empty()) {
        assert!(!line.is_empty() && line.trim() == line && !line.contains("  "));
    }
    let mut keys = Vec::new();
    numbers::number_keys(&normalized, &mut keys);
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    let (mut tokens, mut sequence) = (Vec::new(), Vec::new());
    shingle::shingle_sequence(&normalized, 5, 4, &mut tokens, &mut sequence);
    let mut set = Vec::new();
    shingle::distinct_sorted(&sequence, &mut set);
    assert!(set.len() <= sequence.len());
    let p = passages::Passages { mean: 24, min: 8, bands: 3, salts: vec![1, 2, 3, 4, 5, 6] };
    let mut pkeys = Vec::new();
    p.keys(&sequence, &mut pkeys);
    assert_eq!(pkeys.len() % 3, 0);
    let mut fine = Vec::new();
    passages::fine_keys(&sequence, &mut fine);
    assert!(fine.len() <= sequence.len());
    let (short, sketch) = chrome::observe(&text, 7, 12);
    assert!(sketch.len() <= chrome::SKETCH);
    let chrome_set: HashSet<u64> = short.into_iter().collect();
    let kept = chrome::drop_chrome(&text, &chrome_set, 7, 12);
    assert!(kept.len() <= text.len() + chrome::paragraphs(&text).len());
});
