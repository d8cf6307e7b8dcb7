//! The Python face of the credit rules: `_core.Wires` (the registry's tables, with
//! `detect`) and `_core.wire_key`.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::boundary::{detached, utf8};
use crate::credits::{detect, Detected};
use crate::wires::{key, Wire, Wires};

/// A credit as `dedup.records.Credit` takes it: wire, kind, text, start, end, place, date.
pub type CreditRow = (
    Option<String>,
    &'static str,
    String,
    usize,
    usize,
    Option<String>,
    Option<String>,
);
/// A mention as `dedup.records.Mention` takes it: wire, text, start, end.
pub type MentionRow = (String, String, usize, usize);

/// The wire registry's tables (`dedup.wires.WireRegistry` builds one).
#[pyclass(frozen, module = "dedup._core", name = "Wires")]
pub struct PyWires {
    pub inner: Arc<Wires>,
}

/// Character offsets of byte offsets into `text` (one pass; ASCII texts as they are).
fn char_offsets(text: &str, bytes: &[usize]) -> Vec<usize> {
    if text.is_ascii() {
        return bytes.to_vec();
    }
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_unstable_by_key(|&i| bytes[i]);
    let mut out = vec![0; bytes.len()];
    let (mut chars, mut at) = (0, 0);
    for i in order {
        let b = bytes[i];
        chars += text[at..b].chars().count();
        at = b;
        out[i] = chars;
    }
    out
}

impl PyWires {
    fn name(&self, w: Wire) -> String {
        self.inner.names[w as usize].clone()
    }

    /// Rows for `Credit` and `Mention`, with character offsets.
    pub fn rows(&self, text: &str, found: &Detected) -> (Vec<CreditRow>, Vec<MentionRow>) {
        let mut bytes = Vec::with_capacity(2 * (found.credits.len() + found.mentions.len()));
        for c in &found.credits {
            bytes.extend([c.start, c.end]);
        }
        for m in &found.mentions {
            bytes.extend([m.start, m.end]);
        }
        let chars = char_offsets(text, &bytes);
        let credits = found
            .credits
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let wire = c.wire.map(|w| self.name(w));
                let span = text[c.start..c.end].to_string();
                (
                    wire,
                    c.kind.name(),
                    span,
                    chars[2 * i],
                    chars[2 * i + 1],
                    c.place.clone(),
                    c.date.clone(),
                )
            })
            .collect();
        let base = 2 * found.credits.len();
        let mentions = found
            .mentions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let span = text[m.start..m.end].to_string();
                (
                    self.name(m.wire),
                    span,
                    chars[base + 2 * i],
                    chars[base + 2 * i + 1],
                )
            })
            .collect();
        (credits, mentions)
    }
}

#[pymethods]
impl PyWires {
    /// The tables, by wire name (see `wires::Wires::new`).
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        names: Vec<String>,
        by_key: Vec<(String, String)>,
        by_code: Vec<(String, String)>,
        by_folded_code: Vec<(String, String)>,
        scan_names: Vec<(String, String, bool)>,
        spaced_long: Vec<String>,
        spaced_short: Vec<String>,
        unspaced: Vec<String>,
        domains: Vec<(String, String)>,
    ) -> PyResult<Self> {
        if names.len() > Wire::MAX as usize {
            return Err(PyValueError::new_err("too many wires"));
        }
        let inner = Wires::new(
            names,
            by_key,
            by_code,
            by_folded_code,
            scan_names,
            spaced_long,
            spaced_short,
            unspaced,
            domains,
        )
        .map_err(PyValueError::new_err)?;
        Ok(PyWires {
            inner: Arc::new(inner),
        })
    }

    /// The wire a publisher name denotes, ignoring case, width and spacing.
    fn by_source(&self, source: &Bound<'_, PyString>) -> Option<String> {
        self.inner.by_source(&utf8(source)).map(|w| self.name(w))
    }

    /// The wire a code inside dateline parentheses denotes.
    fn by_code(&self, code: &Bound<'_, PyString>) -> Option<String> {
        self.inner.by_code(&utf8(code)).map(|w| self.name(w))
    }

    /// Wires named anywhere in a short string, in order of first appearance.
    fn find_wires(&self, text: &Bound<'_, PyString>) -> Vec<String> {
        self.inner
            .find_wires(&utf8(text))
            .into_iter()
            .map(|w| self.name(w))
            .collect()
    }

    /// `dedup.credits.detect`: `(body, credits, mentions)` as rows.
    #[pyo3(signature = (text, mentions = true))]
    fn detect(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        mentions: bool,
    ) -> PyResult<(String, Vec<CreditRow>, Vec<MentionRow>)> {
        let text = utf8(text);
        detached(py, "detect", || {
            let found = detect(&text, &self.inner, mentions);
            let (credits, listed) = self.rows(&text, &found);
            (found.body, credits, listed)
        })
    }
}

/// The case-, width- and space-insensitive form of a wire name.
#[pyfunction]
pub fn wire_key(name: &Bound<'_, PyString>) -> String {
    key(&utf8(name))
}
