//! The Python face of verification (dedup/verify.py): `_core.compare` over the
//! candidate originals' columns as a store holds them, `measure`, and the
//! measurements the rules are made of.

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::boundary::{detached, slice};
use crate::columns::{Columns, Ragged};
use crate::lsh::stored;
use crate::verify::{self, Found, Fp, Relation, Rules};

/// threshold, containment threshold, partial size ratio, min shingles, exact, num_perm.
pub(crate) type RulesArgs = (f64, f64, f64, u64, bool, usize);
/// sig and passage keys as stored (16-bit values; `lsh::stored`), size, content
/// hash, number keys, shingles (or None), fine passage keys.
type ProbeArgs<'py> = (
    PyReadonlyArray1<'py, u16>,
    u64,
    u64,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    Option<PyReadonlyArray1<'py, u32>>,
    PyReadonlyArray1<'py, u64>,
);
/// A ragged column: values, each slot's start and length.
pub(crate) type RaggedArgs<'py, T> = (
    PyReadonlyArray1<'py, T>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, i64>,
);
/// signatures (n × num_perm, as stored), sizes, content hashes, passages (as stored),
/// numbers, shingles, fine passages (None: no slot has them).
pub(crate) type ColumnsArgs<'py> = (
    PyReadonlyArray2<'py, u16>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u64>,
    RaggedArgs<'py, u32>,
    RaggedArgs<'py, u32>,
    Option<RaggedArgs<'py, u32>>,
    Option<RaggedArgs<'py, u64>>,
);
/// relation, similarity, copy in original, original in copy (unrounded).
pub(crate) type FoundRow = (&'static str, f64, f64, f64);

pub(crate) fn rules(
    (threshold, containment, size_ratio, min_shingles, exact, num_perm): RulesArgs,
) -> Rules {
    Rules {
        threshold,
        containment,
        size_ratio,
        min_shingles,
        exact,
        num_perm: num_perm.max(1),
    }
}

pub(crate) fn row(found: Found) -> FoundRow {
    let name = match found.relation {
        Relation::Exact => "exact",
        Relation::Near => "near",
        Relation::Edited => "edited",
        Relation::Excerpt => "excerpt",
        Relation::Expanded => "expanded",
    };
    (name, found.similarity, found.copy_in, found.orig_in)
}

fn ragged<'a, T: numpy::Element>(
    args: &'a RaggedArgs<'_, T>,
    name: &str,
) -> PyResult<Ragged<'a, T>> {
    Ok(Ragged {
        data: slice(&args.0, name)?,
        start: slice(&args.1, name)?,
        length: slice(&args.2, name)?,
    })
}

/// The store's fingerprint columns, borrowed (rows are checked as they are read).
pub(crate) fn columns<'a>(args: &'a ColumnsArgs<'_>) -> PyResult<Columns<'a>> {
    let sigs = args
        .0
        .as_slice()
        .map_err(|_| PyValueError::new_err("signatures must be a contiguous array"))?;
    Ok(Columns {
        sigs,
        width: args.0.as_array().ncols(),
        sizes: slice(&args.1, "sizes")?,
        hashes: slice(&args.2, "hashes")?,
        passages: ragged(&args.3, "passages")?,
        numbers: ragged(&args.4, "numbers")?,
        shingles: args.5.as_ref().map(|s| ragged(s, "shingles")).transpose()?,
        fine: args.6.as_ref().map(|s| ragged(s, "fine")).transpose()?,
    })
}

fn probe<'a>(args: &'a ProbeArgs<'_>) -> PyResult<Fp<'a>> {
    Ok(Fp {
        sig: slice(&args.0, "signature")?,
        size: args.1,
        hash: args.2,
        passages: slice(&args.3, "passages")?,
        numbers: slice(&args.4, "numbers")?,
        shingles: args.5.as_ref().map(|s| slice(s, "shingles")).transpose()?,
        fine: slice(&args.6, "fine")?,
    })
}

/// Verify `probe` against the stored `slots` (cluster originals) of `columns`:
/// per slot, `(relation, similarity, copy_in, orig_in)` or None where it is no
/// copy. A slot out of range, or a signature of another width, is a ValueError.
#[pyfunction]
pub fn compare(
    py: Python<'_>,
    rules_args: RulesArgs,
    probe_args: ProbeArgs<'_>,
    slots: PyReadonlyArray1<'_, i64>,
    columns_args: ColumnsArgs<'_>,
) -> PyResult<Vec<Option<FoundRow>>> {
    let rules = rules(rules_args);
    let probe = probe(&probe_args)?;
    let slots = slice(&slots, "slots")?;
    let columns = columns(&columns_args)?;
    if columns.width != probe.sig.len() {
        return Err(PyValueError::new_err(
            "signature width differs from the stored ones",
        ));
    }
    let mut others = Vec::with_capacity(slots.len());
    for &s in slots {
        let slot = usize::try_from(s)
            .map_err(|_| PyValueError::new_err(format!("slot {s} out of range")))?;
        others.push(columns.fp(slot).map_err(PyValueError::new_err)?);
    }
    let found = detached(py, "compare", || verify::compare(&rules, &probe, &others))?;
    Ok(found.into_iter().map(|f| f.map(row)).collect())
}

/// Each stored article `mine[j]` against its cluster's original `theirs[j]` (a
/// listing of verdicts): `(relation, similarity, copy_in, orig_in)` as `compare`
/// finds it, or, where no rule matches any more (it matched an earlier original),
/// what `measure` gives, with a flag saying which.
#[pyfunction]
pub fn compare_pairs(
    py: Python<'_>,
    rules_args: RulesArgs,
    columns_args: ColumnsArgs<'_>,
    mine: PyReadonlyArray1<'_, i64>,
    theirs: PyReadonlyArray1<'_, i64>,
) -> PyResult<Vec<(FoundRow, bool)>> {
    let rules = rules(rules_args);
    let columns = columns(&columns_args)?;
    let (mine, theirs) = (slice(&mine, "mine")?, slice(&theirs, "theirs")?);
    if mine.len() != theirs.len() {
        return Err(PyValueError::new_err("as many originals as articles"));
    }
    let fp = |s: i64| {
        usize::try_from(s)
            .map_err(|_| format!("slot {s} out of range"))
            .and_then(|s| columns.fp(s))
    };
    let found = detached(py, "compare_pairs", || {
        mine.iter()
            .zip(theirs)
            .map(|(&a, &b)| {
                let (a, b) = (fp(a)?, fp(b)?);
                Ok(match verify::compare(&rules, &a, &[b])[0] {
                    Some(found) => (row(found), true),
                    None => (row(verify::measure(&a, &b)), false),
                })
            })
            .collect::<Result<Vec<_>, String>>()
    })?;
    found.map_err(PyValueError::new_err)
}

/// What `mine` measures against `theirs` when no rule matches any more.
#[pyfunction]
pub fn measure(mine: ProbeArgs<'_>, theirs: ProbeArgs<'_>) -> PyResult<FoundRow> {
    let (mine, theirs) = (probe(&mine)?, probe(&theirs)?);
    if mine.sig.len() != theirs.sig.len() {
        return Err(PyValueError::new_err("signatures of different widths"));
    }
    Ok(row(verify::measure(&mine, &theirs)))
}

/// Share of `mine`'s passages with a key in `theirs` (passage keys as computed:
/// compared as stored, by their top 32 bits).
#[pyfunction]
pub fn passage_containment(
    mine: PyReadonlyArray1<'_, u64>,
    theirs: PyReadonlyArray1<'_, u64>,
) -> PyResult<f64> {
    let store = |keys: &[u64]| keys.iter().map(|&k| stored(k)).collect::<Vec<u32>>();
    Ok(verify::passage_containment(
        &store(slice(&mine, "mine")?),
        &store(slice(&theirs, "theirs")?),
    ))
}

/// Passage keys as a store keeps them and verification compares them (their top
/// 32 bits).
#[pyfunction]
pub fn stored_keys<'py>(
    py: Python<'py>,
    keys: PyReadonlyArray1<'_, u64>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let out: Vec<u32> = slice(&keys, "keys")?.iter().map(|&k| stored(k)).collect();
    Ok(out.into_pyarray(py))
}

/// `(coverage, runs)` of `mine`'s passages (`width` keys each) found verbatim in
/// `theirs`, in runs of at least `run` (the passages' defaults; fine passages:
/// width 1, run FINE_RUN).
#[pyfunction]
#[pyo3(signature = (mine, theirs, width = verify::PASSAGE_BANDS, run = verify::EDITED_RUN))]
pub fn verbatim_runs(
    mine: PyReadonlyArray1<'_, u64>,
    theirs: PyReadonlyArray1<'_, u64>,
    width: usize,
    run: usize,
) -> PyResult<(f64, usize)> {
    Ok(verify::runs_of(
        slice(&mine, "mine")?,
        slice(&theirs, "theirs")?,
        width,
        run,
    ))
}

/// Whether two texts' sorted distinct number keys allow a copy.
#[pyfunction]
pub fn numbers_agree(
    mine: PyReadonlyArray1<'_, u32>,
    theirs: PyReadonlyArray1<'_, u32>,
) -> PyResult<bool> {
    Ok(verify::numbers_agree(
        slice(&mine, "mine")?,
        slice(&theirs, "theirs")?,
    ))
}

/// Size of the intersection of two sorted arrays of distinct shingle hashes.
#[pyfunction]
pub fn shared_shingles(
    mine: PyReadonlyArray1<'_, u32>,
    theirs: PyReadonlyArray1<'_, u32>,
) -> PyResult<usize> {
    Ok(verify::shared_sorted(
        slice(&mine, "mine")?,
        slice(&theirs, "theirs")?,
    ))
}
