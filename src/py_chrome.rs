//! The Python face of the site-chrome counts: `_core.ChromeCounts`
//! (dedup/chrome.py wraps it with the chrome set and the entries' mapping view).

use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

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
        let mut counts = self.lock();
        let mut chrome = Vec::new();
        for (key, count, last_seen, witnesses) in entries {
            if counts.load(key, count, last_seen, witnesses) {
                chrome.push(key);
            }
        }
        Ok(chrome)
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
