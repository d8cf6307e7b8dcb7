//! dedup's compiled core, the extension module `dedup._core`.
//!
//! The per-article text stages, one module per stage as on the Python side:
//! `normalize` → `shingle` → `minhash`, `passages` and `numbers`; `prepare` composes
//! them over a batch; `lsh` holds the index's band keys and band tables, `verify` the
//! rules that decide whether a candidate is a copy. A batch crosses the boundary once, with the GIL released and
//! its articles spread over a thread pool. Nothing here panics on input; if a panic
//! ever happened it would reach Python as `dedup.errors.DedupError`, never a crash.

mod boundary;
pub mod chars;
pub mod chrome;
pub mod chrome_counts;
pub mod chunk_pairs;
pub mod clusters;
pub mod columns;
pub mod credit_marks;
pub mod credit_patterns;
pub mod credits;
pub mod edited;
pub mod ids;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod numbers;
pub mod passages;
pub mod place;
pub mod prepare;
mod py_chrome;
mod py_credits;
mod py_ids;
mod py_lsh;
mod py_place;
mod py_verify;
pub mod pyre;
pub mod shingle;
pub mod stored_text;
pub mod tables;
pub mod unicode;
pub mod verify;
pub mod wires;
pub mod wrap;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use boundary::{check_offsets, detached, new_pool, slice, strings, utf8, Texts};
use minhash::{MinHasher, Scheme};
use passages::Passages;
use prepare::{Batch, Stages};
use py_credits::{CreditRow, MentionRow, PyWires};
use shingle::{distinct_sorted, shingle_sequence};

/// The text stages for one configuration (`dedup.prepare.Preparer` holds one).
#[pyclass(frozen, module = "dedup._core")]
struct TextStages {
    stages: Stages,
    pools: Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>,
}

impl TextStages {
    fn pool(&self, threads: usize) -> PyResult<Option<Arc<rayon::ThreadPool>>> {
        if threads <= 1 {
            return Ok(None);
        }
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = pools.get(&threads) {
            return Ok(Some(pool.clone()));
        }
        let pool = Arc::new(new_pool(threads)?);
        pools.insert(threads, pool.clone());
        Ok(Some(pool))
    }

    fn signatures_of(&self, values: &[u32], offsets: &[i64]) -> Vec<u32> {
        let k = self.stages.minhash.k;
        let n = offsets.len().saturating_sub(1);
        let mut out = vec![0u32; n * k];
        for (d, row) in out.chunks_mut(k).enumerate() {
            let set = &values[offsets[d] as usize..offsets[d + 1] as usize];
            self.stages.minhash.signature(set, row);
        }
        out
    }
}

#[pymethods]
impl TextStages {
    #[new]
    #[pyo3(signature = (*, word_ngram, cjk_ngram, num_perm, scheme, mix_bin, mix_value, probes,
                        a, b, passage_mean, passage_min, passage_bands, passage_salts,
                        keep_shingles))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        word_ngram: usize,
        cjk_ngram: usize,
        num_perm: usize,
        scheme: &str,
        mix_bin: u32,
        mix_value: u32,
        probes: PyReadonlyArray2<'_, i64>,
        a: PyReadonlyArray1<'_, u32>,
        b: PyReadonlyArray1<'_, u32>,
        passage_mean: u32,
        passage_min: usize,
        passage_bands: usize,
        passage_salts: PyReadonlyArray1<'_, u32>,
        keep_shingles: bool,
    ) -> PyResult<Self> {
        if word_ngram == 0 || cjk_ngram == 0 || num_perm == 0 || passage_mean == 0 {
            return Err(PyValueError::new_err(
                "word_ngram, cjk_ngram, num_perm and passage_mean must be positive",
            ));
        }
        let scheme = match scheme {
            "oph32" => {
                let flat = probes.as_array();
                let shape = flat.shape();
                if shape.len() != 2 || shape[1] != num_perm {
                    return Err(PyValueError::new_err("probes must have num_perm columns"));
                }
                if flat.iter().any(|&p| p < 0 || p as usize >= num_perm) {
                    return Err(PyValueError::new_err("probes must lie in 0..num_perm"));
                }
                Scheme::Oph {
                    mix_bin,
                    mix_value,
                    probes: flat.iter().map(|&p| p as u32).collect(),
                }
            }
            "affine32" => {
                let (a, b) = (slice(&a, "a")?.to_vec(), slice(&b, "b")?.to_vec());
                if a.len() != num_perm || b.len() != num_perm {
                    return Err(PyValueError::new_err("a and b must hold num_perm values"));
                }
                Scheme::Affine { a, b }
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "scheme must be oph32 or affine32, got {other:?}"
                )))
            }
        };
        let salts = slice(&passage_salts, "passage_salts")?.to_vec();
        if salts.len() != passage_bands * passages::ROWS {
            return Err(PyValueError::new_err(
                "passage_salts must hold 2 per passage band",
            ));
        }
        Ok(TextStages {
            stages: Stages {
                word_ngram,
                cjk_ngram,
                minhash: MinHasher {
                    k: num_perm,
                    scheme,
                },
                passages: Passages {
                    mean: passage_mean,
                    min: passage_min,
                    bands: passage_bands,
                    salts,
                },
                keep_shingles,
            },
            pools: Mutex::new(HashMap::new()),
        })
    }

    /// Fingerprint texts on `threads` threads: with `wires`, raw texts whose credits
    /// are found and cut first (`dedup.credits.detect`; a text that is nothing but
    /// credits is fingerprinted whole), else credit-free bodies; then the paragraphs
    /// whose `chrome_key` (with each text's entry of `sites`) is in `chrome` are
    /// dropped. The tuple `(signatures, sizes, content_hashes, passage_keys,
    /// passage_offsets, number_keys, number_offsets, shingle_values, shingle_offsets,
    /// credits, mentions, fine_keys, fine_offsets)`, credits and mentions lists of rows
    /// per text (empty without `wires`), the fine passage keys of the texts with
    /// fewer than `FINE_STORED_BELOW` passages (src/passages.rs; none for the others).
    #[pyo3(signature = (bodies, threads = 1, *, sites = None, chrome = None, max_words = 16,
                        wires = None))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        bodies: &Bound<'py, PyAny>,
        threads: usize,
        sites: Option<Vec<u64>>,
        chrome: Option<HashSet<u64>>,
        max_words: usize,
        wires: Option<PyRef<'py, PyWires>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let held = Texts::of(bodies)?;
        let texts = held.read();
        let sites = sites.unwrap_or_else(|| vec![0; texts.len()]);
        if sites.len() != texts.len() {
            return Err(PyValueError::new_err("one site per body"));
        }
        let chrome = chrome.unwrap_or_default();
        let pool = self.pool(threads)?;
        let wires = wires.as_deref();
        type Rows = (Vec<CreditRow>, Vec<MentionRow>);
        let (batch, rows): (Batch, Vec<Rows>) = detached(py, "TextStages.run", || {
            use rayon::prelude::*;
            // The credits of every text first, then the other stages: each stage's
            // tables (the wire scanner's automaton above all) stay in cache for a
            // whole batch (measured: one article through all stages was slower).
            let credit_free = |i: usize| -> (Option<String>, Rows) {
                let Some(w) = wires else {
                    return (None, Rows::default());
                };
                let found = credits::detect(&texts[i], &w.inner, true);
                let rows = w.rows(&texts[i], &found);
                let body = (!wires::py_strip(&found.body).is_empty()).then_some(found.body);
                (body, rows)
            };
            let detected: Vec<(Option<String>, Rows)> = match &pool {
                Some(pool) => {
                    pool.install(|| (0..texts.len()).into_par_iter().map(credit_free).collect())
                }
                None => (0..texts.len()).map(credit_free).collect(),
            };
            let work = |i: usize| -> (String, ()) {
                let body = detected[i].0.as_deref().unwrap_or(&texts[i]);
                let kept = chrome::drop_chrome(body, &chrome, sites[i], max_words);
                (normalize::normalize(&kept), ())
            };
            let (batch, _) = self.stages.run(texts.len(), work, pool.as_deref());
            (batch, detected.into_iter().map(|d| d.1).collect())
        })?;
        let (credit_rows, mention_rows): (Vec<_>, Vec<_>) = if rows.is_empty() {
            (
                vec![Vec::new(); batch.sizes.len()],
                vec![Vec::new(); batch.sizes.len()],
            )
        } else {
            rows.into_iter().unzip()
        };
        let n = batch.sizes.len();
        let k = self.stages.minhash.k;
        let sigs = PyArray1::from_vec(py, batch.signatures).reshape([n, k])?;
        PyTuple::new(
            py,
            [
                sigs.into_any(),
                batch.sizes.into_pyarray(py).into_any(),
                batch.content_hashes.into_pyarray(py).into_any(),
                batch.passage_keys.into_pyarray(py).into_any(),
                batch.passage_offsets.into_pyarray(py).into_any(),
                batch.number_keys.into_pyarray(py).into_any(),
                batch.number_offsets.into_pyarray(py).into_any(),
                batch.shingle_values.into_pyarray(py).into_any(),
                batch.shingle_offsets.into_pyarray(py).into_any(),
                credit_rows.into_pyobject(py)?.into_any(),
                mention_rows.into_pyobject(py)?.into_any(),
                batch.fine_keys.into_pyarray(py).into_any(),
                batch.fine_offsets.into_pyarray(py).into_any(),
            ],
        )
    }

    /// MinHash signatures, `(ndocs, num_perm)`, of sets `values[offsets[i]:offsets[i + 1]]`.
    fn signatures<'py>(
        &self,
        py: Python<'py>,
        values: PyReadonlyArray1<'py, u32>,
        offsets: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (values, offsets) = (slice(&values, "values")?, slice(&offsets, "offsets")?);
        check_offsets(offsets, values.len())?;
        let n = offsets.len().saturating_sub(1);
        let out = detached(py, "TextStages.signatures", || {
            self.signatures_of(values, offsets)
        })?;
        Ok(PyArray1::from_vec(py, out)
            .reshape([n, self.stages.minhash.k])?
            .into_any())
    }
}

/// `dedup.normalize.normalize`: the canonical form of a text.
#[pyfunction(name = "normalize")]
fn py_normalize(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<String> {
    let text = utf8(text);
    detached(py, "normalize", || normalize::normalize(&text))
}

/// The sorted distinct number keys of a normalized text.
#[pyfunction(name = "number_keys")]
fn py_number_keys<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let text = utf8(text);
    let keys = detached(py, "number_keys", || {
        let mut out = Vec::new();
        numbers::number_keys(&text, &mut out);
        out
    })?;
    Ok(keys.into_pyarray(py))
}

/// Shingle normalized texts: `(values, offsets, sequence, sequence_docs)`; text `i`'s
/// sorted distinct shingles are `values[offsets[i]:offsets[i + 1]]`, and `sequence`
/// holds every shingle in text order with its text's number in `sequence_docs`.
#[pyfunction]
fn shingle_batch<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    word_ngram: usize,
    cjk_ngram: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    if word_ngram == 0 || cjk_ngram == 0 {
        return Err(PyValueError::new_err("shingle sizes must be positive"));
    }
    let items = strings(texts)?;
    let texts: Vec<Cow<str>> = items.iter().map(utf8).collect();
    let (values, offsets, sequence, docs) = detached(py, "shingle_batch", || {
        let (mut values, mut offsets) = (Vec::new(), vec![0i64]);
        let (mut sequence, mut docs) = (Vec::new(), Vec::new());
        let (mut tokens, mut one) = (Vec::new(), Vec::new());
        for (d, text) in texts.iter().enumerate() {
            shingle_sequence(text, word_ngram, cjk_ngram, &mut tokens, &mut one);
            distinct_sorted(&one, &mut values);
            offsets.push(values.len() as i64);
            sequence.extend_from_slice(&one);
            docs.extend(std::iter::repeat_n(d as i64, one.len()));
        }
        (values, offsets, sequence, docs)
    })?;
    PyTuple::new(
        py,
        [
            values.into_pyarray(py).into_any(),
            offsets.into_pyarray(py).into_any(),
            sequence.into_pyarray(py).into_any(),
            docs.into_pyarray(py).into_any(),
        ],
    )
}

/// Passage band keys of texts whose shingles in text order are `sequence` (text
/// numbers in `sequence_docs`, non-decreasing): `(keys, offsets)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn passage_keys<'py>(
    py: Python<'py>,
    sequence: PyReadonlyArray1<'py, u32>,
    sequence_docs: PyReadonlyArray1<'py, i64>,
    ndocs: usize,
    salts: PyReadonlyArray1<'py, u32>,
    mean: u32,
    min: usize,
    bands: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let (sequence, docs) = (
        slice(&sequence, "sequence")?,
        slice(&sequence_docs, "sequence_docs")?,
    );
    let salts = slice(&salts, "salts")?.to_vec();
    if docs.len() != sequence.len()
        || docs.windows(2).any(|w| w[0] > w[1])
        || docs.iter().any(|&d| d < 0 || d as usize >= ndocs)
    {
        return Err(PyValueError::new_err(
            "sequence_docs must be non-decreasing text numbers below ndocs, one per shingle",
        ));
    }
    if salts.len() != bands * passages::ROWS || mean == 0 {
        return Err(PyValueError::new_err(
            "need 2 salts per band and a positive mean",
        ));
    }
    let p = Passages {
        mean,
        min,
        bands,
        salts,
    };
    let (keys, offsets) = detached(py, "passage_keys", || {
        let (mut keys, mut offsets) = (Vec::new(), vec![0i64; ndocs + 1]);
        let mut start = 0;
        while start < docs.len() {
            let d = docs[start];
            let end = start + docs[start..].partition_point(|&x| x == d);
            p.keys(&sequence[start..end], &mut keys);
            offsets[d as usize + 1] = keys.len() as i64;
            start = end;
        }
        for i in 1..offsets.len() {
            offsets[i] = offsets[i].max(offsets[i - 1]);
        }
        (keys, offsets)
    })?;
    PyTuple::new(
        py,
        [
            keys.into_pyarray(py).into_any(),
            offsets.into_pyarray(py).into_any(),
        ],
    )
}

/// A raw text's non-blank paragraphs, hard-wrapped lines rejoined.
#[pyfunction]
fn paragraphs(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Vec<String>> {
    let text = utf8(text);
    detached(py, "paragraphs", || {
        chrome::paragraphs(&text)
            .into_iter()
            .map(Cow::into_owned)
            .collect()
    })
}

/// The key of each short line of `lines` (None for a longer one).
#[pyfunction]
fn line_keys(
    py: Python<'_>,
    lines: &Bound<'_, PyAny>,
    max_words: usize,
) -> PyResult<Vec<Option<u64>>> {
    let items = strings(lines)?;
    let texts: Vec<Cow<str>> = items.iter().map(utf8).collect();
    detached(py, "line_keys", || {
        texts
            .iter()
            .map(|t| chrome::line_key(t, max_words))
            .collect()
    })
}

/// The key of a line of any length from its letters and digits (None without any).
#[pyfunction]
fn content_key(py: Python<'_>, line: &Bound<'_, PyString>) -> PyResult<Option<u64>> {
    let line = utf8(line);
    detached(py, "content_key", || chrome::content_key(&line))
}

/// What each raw text tells the site-chrome rule, on `threads` threads: per text,
/// its short paragraphs' chrome keys and its long-paragraph sketch.
#[pyfunction]
#[pyo3(signature = (texts, sites, max_words, threads = 1))]
fn observe(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    sites: Vec<u64>,
    max_words: usize,
    threads: usize,
) -> PyResult<Vec<(Vec<u64>, Vec<u32>)>> {
    use rayon::prelude::*;
    let held = Texts::of(texts)?;
    let texts = held.read();
    if sites.len() != texts.len() {
        return Err(PyValueError::new_err("one site per text"));
    }
    // `threads` of its own, as `TextStages.run` has (rayon's global pool has one per CPU).
    let pool = if threads > 1 {
        Some(new_pool(threads)?)
    } else {
        None
    };
    detached(py, "observe", || {
        let one = |(t, &s): (&Cow<str>, &u64)| chrome::observe(t, s, max_words);
        match &pool {
            Some(pool) => pool.install(|| texts.par_iter().zip(&sites).map(one).collect()),
            None => texts.iter().zip(&sites).map(one).collect(),
        }
    })
}

/// `text` without the paragraphs that are chrome of its `site`.
#[pyfunction]
fn drop_chrome(
    py: Python<'_>,
    text: &Bound<'_, PyString>,
    chrome: HashSet<u64>,
    site: u64,
    max_words: usize,
) -> PyResult<String> {
    let text = utf8(text);
    detached(py, "drop_chrome", || {
        chrome::drop_chrome(&text, &chrome, site, max_words).into_owned()
    })
}

/// Panic inside the core (for the test that a panic reaches Python as `DedupError`).
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    detached(py, "_panic_for_tests", || {
        if std::hint::black_box(true) {
            panic!("a deliberate panic");
        }
    })
}

/// The key of a short line within its site.
#[pyfunction]
fn chrome_key(site: u64, line: u64) -> u64 {
    chrome::chrome_key(site, line)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TextStages>()?;
    m.add_class::<PyWires>()?;
    m.add_class::<py_lsh::PyBandTable>()?;
    m.add_class::<py_chrome::PyChromeCounts>()?;
    m.add_class::<py_place::PyClusterTable>()?;
    m.add_class::<py_ids::PyIdMap>()?;
    m.add_function(wrap_pyfunction!(py_place::place, m)?)?;
    m.add_function(wrap_pyfunction!(py_place::decide, m)?)?;
    m.add_function(wrap_pyfunction!(py_place::order_matches, m)?)?;
    m.add_function(wrap_pyfunction!(py_chrome::same_story, m)?)?;
    m.add_function(wrap_pyfunction!(py_chrome::unpack_witnesses, m)?)?;
    m.add_function(wrap_pyfunction!(py_lsh::band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::compare, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::compare_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::stored_keys, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::measure, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::passage_containment, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::verbatim_runs, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::numbers_agree, m)?)?;
    m.add_function(wrap_pyfunction!(py_verify::shared_shingles, m)?)?;
    m.add_function(wrap_pyfunction!(py_credits::wire_key, m)?)?;
    m.add_function(wrap_pyfunction!(py_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(py_number_keys, m)?)?;
    m.add_function(wrap_pyfunction!(shingle_batch, m)?)?;
    m.add_function(wrap_pyfunction!(passage_keys, m)?)?;
    m.add_function(wrap_pyfunction!(paragraphs, m)?)?;
    m.add_function(wrap_pyfunction!(line_keys, m)?)?;
    m.add_function(wrap_pyfunction!(content_key, m)?)?;
    m.add_function(wrap_pyfunction!(observe, m)?)?;
    m.add_function(wrap_pyfunction!(drop_chrome, m)?)?;
    m.add_function(wrap_pyfunction!(chrome_key, m)?)?;
    m.add_function(wrap_pyfunction!(stored_text::deflate_texts, m)?)?;
    m.add_function(wrap_pyfunction!(chunk_pairs::earlier_in_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add("UNICODE_VERSION", tables::UNICODE_VERSION)?;
    // Which build is loaded: benchmarks say so (a debug build is ~10x slower).
    m.add(
        "BUILD",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    )?;
    m.add("MAX_NUMBERS", numbers::MAX_NUMBERS)?;
    m.add("WRAP_MAX", chrome::WRAP_MAX)?;
    m.add("WRAP_MIN", chrome::WRAP_MIN)?;
    m.add("WRAP_SLACK", chrome::WRAP_SLACK)?;
    m.add("WRAP_SHARE", chrome::WRAP_SHARE)?;
    m.add("SKETCH", chrome::SKETCH)?;
    m.add("SAME_STORY", chrome_counts::SAME_STORY)?;
    m.add("SAME_SHORT_STORY", chrome_counts::SAME_SHORT_STORY)?;
    m.add("SHORT_SKETCH", chrome::SHORT_SKETCH)?;
    m.add("PASSAGE_BANDS", verify::PASSAGE_BANDS)?;
    m.add("PASSAGE_ROWS", passages::ROWS)?;
    m.add("MIN_NUMBERS", verify::MIN_NUMBERS)?;
    m.add("NUMBER_AGREEMENT", verify::NUMBER_AGREEMENT)?;
    m.add("PARTIAL_PREFILTER", verify::PARTIAL_PREFILTER)?;
    m.add("EXACT_MARGIN", verify::EXACT_MARGIN)?;
    m.add("EDITED_JACCARD", verify::EDITED_JACCARD)?;
    m.add("EDITED_CONTAINMENT", verify::EDITED_CONTAINMENT)?;
    m.add("EDITED_RUN", verify::EDITED_RUN)?;
    m.add("EDITED_COVERAGE", verify::EDITED_COVERAGE)?;
    m.add("EDITED_RUNS", verify::EDITED_RUNS)?;
    m.add("LEAD_EDITED", verify::LEAD_EDITED)?;
    m.add("LEAD_REWRITTEN", verify::LEAD_REWRITTEN)?;
    m.add("EDITED_SIZE_RATIO", verify::EDITED_SIZE_RATIO)?;
    m.add("FINE_BELOW", verify::FINE_BELOW)?;
    m.add("FINE_RUN", verify::FINE_RUN)?;
    m.add("FINE_SHORT", verify::FINE_SHORT)?;
    m.add("FINE_SHORT_RUN", verify::FINE_SHORT_RUN)?;
    m.add("FINE_MEAN", passages::FINE_MEAN)?;
    m.add("FINE_MIN", passages::FINE_MIN)?;
    m.add("FINE_STORED_BELOW", passages::FINE_STORED_BELOW)?;
    Ok(())
}
