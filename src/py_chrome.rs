//! The Python face of the site-chrome counts: `_core.ChromeCounts`
//! (dedup/chrome.py wraps it with the chrome set and the entries' mapping view).

use std::sync::{Mutex, MutexGuard};

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::boundary::slice;
use crate::chrome::SKETCH;
use crate::chrome_counts::{ChromeCounts, Sketch};

/// An entry as Python reads it: count, last seen, the witnesses' sketches.
type EntryRow = (u32, u64, Vec<Vec<u32>>);

#[pyclass(frozen, module = "dedup._core", name = "ChromeCounts")]
pub struct PyChromeCounts {
    inner: Mutex<ChromeCounts>,
}

impl PyChromeCounts {
    fn lock(&self) -> MutexGuard<'_, ChromeCounts> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn sketch(keys: &[u32]) -> PyResult<Sketch> {
    if keys.len() > SKETCH {
        return Err(PyValueError::new_err(format!(
            "a sketch holds at most {SKETCH} keys, got {}",
            keys.len()
        )));
    }
    Ok(Sketch::new(keys))
}

/// The keys of each sketch in `chrome.pack_witnesses`' packing (per sketch a length
/// byte, then that many little-endian u32): the one reading of it, for the SQLite
/// load (`load_packed`) and for Python (`unpack_witnesses`, the Redis records).
fn decode(packed: &[u8]) -> PyResult<Vec<Vec<u32>>> {
    let damaged = || PyValueError::new_err("damaged chrome witnesses");
    let mut sketches = Vec::new();
    let mut rest = packed;
    while let Some((&n, tail)) = rest.split_first() {
        let n = usize::from(n);
        if n > SKETCH || tail.len() < 4 * n {
            return Err(damaged());
        }
        let (values, tail) = tail.split_at(4 * n);
        sketches.push(
            values
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        );
        rest = tail;
    }
    Ok(sketches)
}

fn unpack(packed: &[u8]) -> PyResult<Vec<Sketch>> {
    Ok(decode(packed)?
        .iter()
        .map(|keys| Sketch::new(keys))
        .collect())
}

/// The sketches packed by `chrome.pack_witnesses`, each as its keys; a damaged
/// packing is a ValueError.
#[pyfunction]
pub fn unpack_witnesses(packed: &[u8]) -> PyResult<Vec<Vec<u32>>> {
    decode(packed)
}

#[pymethods]
impl PyChromeCounts {
    #[new]
    fn new(min_docs: u32) -> Self {
        Self {
            inner: Mutex::new(ChromeCounts::new(min_docs)),
        }
    }

    #[getter]
    fn min_docs(&self) -> u32 {
        self.lock().min_docs
    }

    /// Observations counted so far (they are numbered from 1).
    #[getter]
    fn get_seen(&self) -> u64 {
        self.lock().seen
    }

    #[setter]
    fn set_seen(&self, seen: u64) {
        self.lock().seen = seen;
    }

    fn __len__(&self) -> usize {
        self.lock().len()
    }

    /// Bytes held, about.
    fn nbytes(&self) -> usize {
        self.lock().nbytes()
    }

    /// Restore one stored entry; True when it is chrome.
    fn load(
        &self,
        key: u64,
        count: u32,
        last_seen: u64,
        witnesses: Vec<Vec<u32>>,
    ) -> PyResult<bool> {
        let witnesses = witnesses
            .iter()
            .map(|w| sketch(w))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(self.lock().load(key, count, last_seen, witnesses))
    }

    /// Restore stored entries in one call, each as (key, count, last seen, its
    /// witnesses packed as `chrome.pack_witnesses` writes them: per sketch a length
    /// byte, then that many little-endian u32); returns the keys that are chrome.
    /// A damaged packing is a ValueError, and nothing is restored.
    fn load_packed(&self, rows: Vec<(u64, u32, u64, Vec<u8>)>) -> PyResult<Vec<u64>> {
        let mut entries = Vec::with_capacity(rows.len());
        for (key, count, last_seen, packed) in rows {
            entries.push((key, count, last_seen, unpack(&packed)?));
        }
        Ok(self.lock().load_all(entries).collect())
    }

    /// The entries as columns, for an index file's snapshot: `(keys, counts,
    /// last_seen, witnesses, sketch_lengths, sketch_keys)`, by key; `witnesses[i]`
    /// sketches of entry `i` follow those of the entries before it, sketch `j`
    /// being `sketch_keys[j * SKETCH..][..sketch_lengths[j]]`.
    #[allow(clippy::type_complexity)]
    fn columns<'py>(
        &self,
        py: Python<'py>,
    ) -> (
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u8>>,
        Bound<'py, PyArray1<u32>>,
    ) {
        let counts = self.lock();
        let entries = counts.sorted_entries();
        let (mut keys, mut count, mut last, mut witnesses) = (
            Vec::with_capacity(entries.len()),
            Vec::with_capacity(entries.len()),
            Vec::with_capacity(entries.len()),
            Vec::with_capacity(entries.len()),
        );
        let (mut lengths, mut sketch_keys) = (Vec::new(), Vec::new());
        for (key, entry) in entries {
            keys.push(key);
            count.push(entry.count);
            last.push(entry.last_seen);
            witnesses.push(entry.witnesses.len() as u32);
            for w in &entry.witnesses {
                let mut padded = [0u32; SKETCH];
                padded[..w.keys().len()].copy_from_slice(w.keys());
                lengths.push(w.keys().len() as u8);
                sketch_keys.extend_from_slice(&padded);
            }
        }
        (
            keys.into_pyarray(py),
            count.into_pyarray(py),
            last.into_pyarray(py),
            witnesses.into_pyarray(py),
            lengths.into_pyarray(py),
            sketch_keys.into_pyarray(py),
        )
    }

    /// Restore the entries `columns` gave (added to those held); returns the keys
    /// that are chrome. Columns that do not fit together are a ValueError, and
    /// nothing is restored.
    fn load_columns(
        &self,
        keys: PyReadonlyArray1<'_, u64>,
        counts: PyReadonlyArray1<'_, u32>,
        last_seen: PyReadonlyArray1<'_, u64>,
        witnesses: PyReadonlyArray1<'_, u32>,
        sketch_lengths: PyReadonlyArray1<'_, u8>,
        sketch_keys: PyReadonlyArray1<'_, u32>,
    ) -> PyResult<Vec<u64>> {
        let (keys, counts, last_seen) = (
            slice(&keys, "keys")?,
            slice(&counts, "counts")?,
            slice(&last_seen, "last_seen")?,
        );
        let (witnesses, lengths, sketch_keys) = (
            slice(&witnesses, "witnesses")?,
            slice(&sketch_lengths, "sketch_lengths")?,
            slice(&sketch_keys, "sketch_keys")?,
        );
        let total: u64 = witnesses.iter().map(|&w| u64::from(w)).sum();
        let fits = counts.len() == keys.len()
            && last_seen.len() == keys.len()
            && witnesses.len() == keys.len()
            && total == lengths.len() as u64
            && sketch_keys.len() == SKETCH * lengths.len()
            && lengths.iter().all(|&n| usize::from(n) <= SKETCH);
        if !fits {
            return Err(PyValueError::new_err(
                "chrome count columns that do not fit together",
            ));
        }
        let mut held = self.lock();
        held.reserve(keys.len());
        let mut next = 0usize;
        let entries = (0..keys.len()).map(|i| {
            let n = witnesses[i] as usize;
            let sketches = (next..next + n)
                .map(|j| {
                    Sketch::new(&sketch_keys[j * SKETCH..j * SKETCH + usize::from(lengths[j])])
                })
                .collect();
            next += n;
            (keys[i], counts[i], last_seen[i], sketches)
        });
        Ok(held.load_all(entries).collect())
    }

    /// Count articles in order, each as (its short-line keys, its sketch):
    /// `(touched, became)`, the keys whose entry changed and those that became
    /// chrome.
    fn observe(&self, observations: Vec<(Vec<u64>, Vec<u32>)>) -> PyResult<(Vec<u64>, Vec<u64>)> {
        let sketches = observations
            .iter()
            .map(|(_, s)| sketch(s))
            .collect::<PyResult<Vec<_>>>()?;
        let mut counts = self.lock();
        let (mut touched, mut became) = (Vec::new(), Vec::new());
        for ((keys, _), s) in observations.iter().zip(sketches) {
            counts.observe(keys, s, &mut became);
            touched.extend_from_slice(keys);
        }
        Ok((touched, became))
    }

    /// The entry of `key`, or None.
    fn get(&self, key: u64) -> Option<EntryRow> {
        self.lock().get(key).map(|e| {
            let witnesses = e.witnesses.iter().map(|w| w.keys().to_vec()).collect();
            (e.count, e.last_seen, witnesses)
        })
    }

    /// Every line's key.
    fn keys(&self) -> Vec<u64> {
        self.lock().keys().collect()
    }

    /// Forget the lines that are not chrome and were last seen before observation
    /// `horizon`; returns their keys.
    fn age(&self, horizon: u64) -> Vec<u64> {
        self.lock().age(horizon)
    }
}

/// Do two sketches belong to copies of one story (`chrome_counts::Sketch::same_story`)?
#[pyfunction]
pub fn same_story(a: Vec<u32>, b: Vec<u32>) -> PyResult<bool> {
    Ok(sketch(&a)?.same_story(&sketch(&b)?))
}
