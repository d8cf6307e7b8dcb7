//! The Python face of the id map (src/ids.rs): article ids to slots in an
//! in-process store (dedup/storage/memory_store.py checks each answer against the
//! id stored in the slot).

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::boundary::{slice, utf8};
use crate::ids::{id_hash, IdMap};

fn hash(id: &Bound<'_, PyString>) -> u64 {
    id_hash(&utf8(id))
}

/// Article ids (by hash) to slots.
#[pyclass(name = "IdMap", module = "dedup._core")]
pub struct PyIdMap {
    inner: RwLock<IdMap>,
}

impl PyIdMap {
    fn read(&self) -> RwLockReadGuard<'_, IdMap> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, IdMap> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyIdMap {
    #[new]
    fn new() -> Self {
        PyIdMap {
            inner: RwLock::new(IdMap::new()),
        }
    }

    fn __len__(&self) -> usize {
        self.read().len()
    }

    /// The slot held under `id`'s hash, if any (perhaps another id's).
    fn get(&self, id: &Bound<'_, PyString>) -> Option<u32> {
        self.read().get(hash(id))
    }

    /// Hold `slot` under `id`'s hash; False (nothing changed) when another slot
    /// holds that hash.
    fn insert(&self, id: &Bound<'_, PyString>, slot: u32) -> bool {
        self.write().insert(hash(id), slot)
    }

    /// `insert` for each of `ids` with its slot; the positions refused.
    fn insert_many(
        &self,
        ids: Vec<Bound<'_, PyString>>,
        slots: PyReadonlyArray1<'_, u32>,
    ) -> PyResult<Vec<usize>> {
        let slots = slice(&slots, "slots")?;
        if slots.len() != ids.len() {
            return Err(PyValueError::new_err("one slot per id"));
        }
        let mut map = self.write();
        Ok(ids
            .iter()
            .zip(slots)
            .enumerate()
            .filter(|(_, (id, &slot))| !map.insert(hash(id), slot))
            .map(|(i, _)| i)
            .collect())
    }

    /// Forget `id`'s hash if it holds `slot`; whether it did.
    fn remove(&self, id: &Bound<'_, PyString>, slot: u32) -> bool {
        self.write().remove(hash(id), slot)
    }

    /// Renumber: slot `live[i]` becomes `i`; other slots' entries are dropped.
    fn keep(&self, live: PyReadonlyArray1<'_, u32>) -> PyResult<()> {
        let live = slice(&live, "live")?;
        self.write().keep(live);
        Ok(())
    }

    /// `(hashes, slots)` for an index file's snapshot (`from_parts` takes them back).
    fn parts<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u32>>) {
        let (hashes, slots) = self.read().parts();
        (hashes.into_pyarray(py), slots.into_pyarray(py))
    }

    /// The map `parts` gave, its slots below `slots` (a ValueError says what is wrong).
    #[staticmethod]
    fn from_parts(
        hashes: PyReadonlyArray1<'_, u64>,
        held: PyReadonlyArray1<'_, u32>,
        slots: u32,
    ) -> PyResult<Self> {
        let map = IdMap::from_parts(slice(&hashes, "hashes")?, slice(&held, "slots")?, slots)
            .map_err(|e| PyValueError::new_err(format!("not an id map: {e}")))?;
        Ok(PyIdMap {
            inner: RwLock::new(map),
        })
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.read().bytes()
    }
}
