//! The credit and dateline rules on arbitrary text, with the real wire registry: no
//! panic, spans on character boundaries inside the text, a body no longer than the
//! text. The registry's tables come from `python tools/wire_tables.py
//! fuzz/wire_tables.json` (or the file `WIRE_TABLES` names). Run:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run credits`.
#![no_main]

use std::sync::OnceLock;

use dedup_core::credits::detect;
use dedup_core::wires::{key, Wires};
use libfuzzer_sys::fuzz_target;

type Pairs = Vec<(String, String)>;
type Tables = (
    Vec<String>,
    Pairs,
    Pairs,
    Pairs,
    Vec<(String, String, bool)>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Pairs,
);

fn wires() -> &'static Wires {
    static WIRES: OnceLock<Wires> = OnceLock::new();
    WIRES.get_or_init(|| {
        let path = std::env::var("WIRE_TABLES").unwrap_or_else(|_| "wire_tables.json".into());
        let data = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (python tools/wire_tables.py {path})"));
        let t: Tables = serde_json::from_slice(&data).expect("wire tables");
        Wires::new(t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8).expect("wire registry")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let wires = wires();
    let found = detect(&text, wires, true);
    assert!(found.body.len() <= text.len());
    for c in &found.credits {
        assert!(c.start <= c.end && c.end <= text.len());
        assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
    }
    for m in &found.mentions {
        assert!(m.start < m.end && m.end <= text.len());
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
    }
    let _ = wires.find_wires(&text);
    let _ = wires.by_source(&text);
    let _ = wires.by_code(&text);
    let _ = key(&text);
});
