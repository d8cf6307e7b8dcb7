//! The Python face of placement (dedup/index.py, dedup/storage/store.py): the
//! cluster table an in-process store keeps, `place` over a run of a chunk's
//! articles, and the decision rule a shared store asks per article.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::boundary::{detached, slice};
use crate::clusters::ClusterTable;
use crate::place::{self as rule, Placed, Rank, Ranks};
use crate::py_verify::{columns, row, rules, ColumnsArgs, FoundRow, RulesArgs};
use crate::verify::{Found, Relation};

/// flags, stamp, size, arrival.
type RankArgs = (u8, f64, u32, i64);
/// Per slot: flags, stamps, sizes, arrivals.
type RanksArgs<'py> = (
    PyReadonlyArray1<'py, u8>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, i64>,
);
/// cluster, its match with the original (None: a new cluster), the original it
/// replaced (-1: none), the clusters merged into it (id, original, members).
type PlacedRow = (u64, Option<FoundRow>, i64, Vec<(u64, u32, Vec<u32>)>);

fn value_error(e: String) -> PyErr {
    PyValueError::new_err(e)
}

fn rank((flags, stamp, size, arrival): RankArgs) -> Rank {
    Rank {
        flags,
        stamp,
        size,
        arrival,
    }
}

fn relation(name: &str) -> PyResult<Relation> {
    Ok(match name {
        "exact" => Relation::Exact,
        "near" => Relation::Near,
        "edited" => Relation::Edited,
        "excerpt" => Relation::Excerpt,
        "expanded" => Relation::Expanded,
        _ => return Err(PyValueError::new_err(format!("no relation {name:?}"))),
    })
}

fn placed_row(p: Placed) -> PlacedRow {
    (
        p.cluster,
        p.found.map(row),
        p.replaced.map_or(-1, i64::from),
        p.merged
            .into_iter()
            .map(|m| (m.cluster, m.original, m.members))
            .collect(),
    )
}

/// Clusters and their members (src/clusters.rs), for an in-process store.
#[pyclass(name = "ClusterTable", module = "dedup._core")]
pub struct PyClusterTable {
    inner: RwLock<ClusterTable>,
}

impl PyClusterTable {
    fn read(&self) -> RwLockReadGuard<'_, ClusterTable> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, ClusterTable> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyClusterTable {
    #[new]
    fn new() -> Self {
        PyClusterTable {
            inner: RwLock::new(ClusterTable::new()),
        }
    }

    fn __len__(&self) -> usize {
        self.read().len()
    }

    /// The id the next new cluster gets.
    #[getter]
    fn next_id(&self) -> u64 {
        self.read().next_id
    }

    #[setter]
    fn set_next_id(&self, id: u64) -> PyResult<()> {
        let mut table = self.write();
        if table.ids().last().is_some_and(|&top| top >= id) || id == 0 {
            return Err(PyValueError::new_err(format!(
                "next cluster id {id} is not above every cluster's"
            )));
        }
        table.next_id = id;
        Ok(())
    }

    /// Make room for slots below `n`.
    fn grow_to(&self, n: usize) -> PyResult<()> {
        if n >= crate::clusters::NONE as usize {
            return Err(PyValueError::new_err(format!("{n} slots: too many")));
        }
        self.write().grow_to(n);
        Ok(())
    }

    /// The cluster of each of `slots` (0: none).
    fn clusters_of<'py>(
        &self,
        py: Python<'py>,
        slots: PyReadonlyArray1<'_, i64>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let table = self.read();
        let out: Vec<u64> = slice(&slots, "slots")?
            .iter()
            .map(|&s| u32::try_from(s).map_or(0, |s| table.cluster_of(s)))
            .collect();
        Ok(out.into_pyarray(py))
    }

    /// Per slot, its cluster (0: none): a copy of the column.
    fn cluster_column<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.read().cluster_column())
    }

    /// The cluster of `slot` (0: none).
    fn cluster(&self, slot: u32) -> u64 {
        self.read().cluster_of(slot)
    }

    fn contains(&self, id: u64) -> bool {
        self.read().contains(id)
    }

    /// The original of cluster `id` (None: no such cluster).
    fn original(&self, id: u64) -> Option<u32> {
        self.read().original(id)
    }

    /// The originals of `ids` (each must be a cluster).
    fn originals<'py>(
        &self,
        py: Python<'py>,
        ids: PyReadonlyArray1<'_, u64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let table = self.read();
        let out = slice(&ids, "ids")?
            .iter()
            .map(|&id| {
                table
                    .original(id)
                    .map(i64::from)
                    .ok_or_else(|| PyValueError::new_err(format!("no cluster {id}")))
            })
            .collect::<PyResult<Vec<i64>>>()?;
        Ok(out.into_pyarray(py))
    }

    /// The members of cluster `id`, ascending (empty: no such cluster).
    fn members(&self, id: u64) -> Vec<u32> {
        self.read().members(id)
    }

    fn count(&self, id: u64) -> u32 {
        self.read().count(id)
    }

    /// Every cluster id, ascending, and each one's member count.
    fn sizes<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u32>>) {
        let table = self.read();
        let ids = table.ids();
        let counts: Vec<u32> = ids.iter().map(|&id| table.count(id)).collect();
        (ids.into_pyarray(py), counts.into_pyarray(py))
    }

    fn new_cluster(&self, slot: u32) -> PyResult<u64> {
        self.write().new_cluster(slot).map_err(value_error)
    }

    fn join(&self, id: u64, slot: u32) -> PyResult<()> {
        self.write().join(id, slot).map_err(value_error)
    }

    fn set_original(&self, id: u64, slot: u32) -> PyResult<()> {
        self.write().set_original(id, slot).map_err(value_error)
    }

    fn merge(&self, into: u64, other: u64) -> PyResult<()> {
        self.write().merge(into, other).map_err(value_error)
    }

    /// Take `slot` out of its cluster: `(cluster, members left)` or None.
    fn remove(&self, slot: u32) -> Option<(u64, u32)> {
        self.write().remove(slot)
    }

    /// Renumber: slot `live[i]` becomes slot `i`.
    fn keep(&self, live: PyReadonlyArray1<'_, u32>) -> PyResult<()> {
        let live = slice(&live, "live")?;
        self.write().keep(live).map_err(value_error)
    }

    /// `(cluster column, ids ascending, their originals)` for an index file's
    /// snapshot (`from_parts` takes them back).
    #[allow(clippy::type_complexity)]
    fn parts<'py>(
        &self,
        py: Python<'py>,
    ) -> (
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<u32>>,
    ) {
        let table = self.read();
        let (ids, originals) = table.parts();
        (
            PyArray1::from_slice(py, table.cluster_column()),
            ids.into_pyarray(py),
            originals.into_pyarray(py),
        )
    }

    /// The table `parts` gave (a ValueError says what does not fit).
    #[staticmethod]
    fn from_parts(
        py: Python<'_>,
        cluster_of: PyReadonlyArray1<'_, u64>,
        ids: PyReadonlyArray1<'_, u64>,
        originals: PyReadonlyArray1<'_, u32>,
        next_id: u64,
    ) -> PyResult<Self> {
        let cluster_of = slice(&cluster_of, "cluster_of")?.to_vec();
        let (ids, originals) = (slice(&ids, "ids")?, slice(&originals, "originals")?);
        let table = detached(py, "ClusterTable.from_parts", || {
            ClusterTable::from_parts(cluster_of, ids, originals, next_id)
        })?
        .map_err(|e| PyValueError::new_err(format!("not a cluster table: {e}")))?;
        Ok(PyClusterTable {
            inner: RwLock::new(table),
        })
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.read().bytes()
    }
}

/// Place the stored articles `slots` (each in no cluster yet), in order, article
/// `i` given the stored slots `candidates[offsets[i]..offsets[i + 1]]`: a
/// `(cluster, match with its original or None, replaced original or -1, merged)`
/// per article. An error (a slot out of range: a bug) leaves every article not
/// yet placed in a cluster of its own, so the table stays whole.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn place(
    py: Python<'_>,
    table: &PyClusterTable,
    rules_args: RulesArgs,
    columns_args: ColumnsArgs<'_>,
    ranks: RanksArgs<'_>,
    slots: PyReadonlyArray1<'_, u32>,
    candidates: PyReadonlyArray1<'_, u32>,
    offsets: PyReadonlyArray1<'_, i64>,
) -> PyResult<Vec<PlacedRow>> {
    let rules = rules(rules_args);
    let columns = columns(&columns_args)?;
    let ranks = Ranks {
        flags: slice(&ranks.0, "flags")?,
        stamp: slice(&ranks.1, "stamps")?,
        sizes: slice(&ranks.2, "sizes")?,
        arrival: slice(&ranks.3, "arrivals")?,
    };
    let (slots, candidates) = (slice(&slots, "slots")?, slice(&candidates, "candidates")?);
    let offsets = slice(&offsets, "offsets")?;
    crate::boundary::check_offsets(offsets, candidates.len())?;
    if offsets.len() != slots.len() + 1 {
        return Err(PyValueError::new_err("one offset per article and one more"));
    }
    let mut table = table.write();
    let table = &mut *table;
    detached(py, "place", || {
        let mut out = Vec::with_capacity(slots.len());
        for (i, &slot) in slots.iter().enumerate() {
            let mine = &candidates[offsets[i] as usize..offsets[i + 1] as usize];
            match rule::place(table, &rules, &columns, &ranks, slot, mine) {
                Ok(p) => out.push(placed_row(p)),
                Err(e) => {
                    for &rest in &slots[i..] {
                        if table.cluster_of(rest) == 0 {
                            let _ = table.new_cluster(rest);
                        }
                    }
                    return Err(e);
                }
            }
        }
        Ok(out)
    })?
    .map_err(|e| PyValueError::new_err(format!("cannot place: {e}")))
}

/// The order of one article's matches, best first (a shared store's placement
/// and `Index.query`): `matches` as `compare` gave them, `(relation, similarity,
/// copy_in, orig_in)`.
#[pyfunction]
pub fn order_matches(matches: Vec<(String, f64, f64, f64)>) -> PyResult<Vec<usize>> {
    let mut ordered = Vec::with_capacity(matches.len());
    for (j, (name, similarity, copy_in, orig_in)) in matches.into_iter().enumerate() {
        let found = Found {
            relation: relation(&name)?,
            similarity,
            copy_in,
            orig_in,
        };
        ordered.push((j, found));
    }
    rule::order(&mut ordered);
    Ok(ordered.into_iter().map(|(j, _)| j).collect())
}

/// The decision for a newcomer of rank `newcomer` whose ordered matches'
/// originals rank `originals` (a shared store's placement): whether it becomes
/// the first one's original, and which of the others (positions) it gathers.
#[pyfunction]
pub fn decide(newcomer: RankArgs, originals: Vec<RankArgs>) -> (bool, Vec<usize>) {
    let standing: Vec<Rank> = originals.into_iter().map(rank).collect();
    let decision = rule::decide(&rank(newcomer), &standing);
    (decision.reattribute, decision.merge)
}
