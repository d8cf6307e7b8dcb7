//! The candidate pairs among one chunk's own articles (dedup/batching.py
//! `earlier_in_chunk`): a chunk's articles are not in the band and passage tables
//! while it is placed, so each row is paired here with the earlier rows sharing a
//! band key, and through a passage key with only the first `room` placed rows
//! holding it (the holder cap, as adding one article at a time would find them).

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::boundary::{detached, slice};

/// One key of one row: how many of the first rows holding the key it pairs with.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    row: u32,
    limit: u32,
}

/// Per row of `n`, the earlier rows sharing a key, as `(values, offsets)`: row
/// `r`'s are `values[offsets[r]..offsets[r + 1]]`. `band_keys` holds `n` rows of
/// `width` keys (each pairs with every earlier row having it); `passage_keys` lines
/// of `passage_width` keys, line `l` of row `passage_rows[l]`, key `k` pairing with
/// the first `room[k]` rows having it (all when `room` is None; clipped to 0..n).
/// Rows not `placed` neither find nor are found. Band and passage keys share one
/// key space; a row meets a key once (its first entry's limit kept).
#[allow(clippy::too_many_arguments)]
pub fn earlier(
    n: usize,
    band_keys: &[u64],
    width: usize,
    passage_rows: &[i64],
    passage_keys: &[u64],
    passage_width: usize,
    room: Option<&[i64]>,
    placed: Option<&[bool]>,
) -> (Vec<i64>, Vec<i64>) {
    let mut offsets = vec![0i64; n + 1];
    if n <= 1 {
        return (Vec::new(), offsets);
    }
    let whole = n as u32;
    let keep = |row: usize| placed.is_none_or(|p| p[row]);
    let mut entries: Vec<Entry> = Vec::with_capacity(band_keys.len() + passage_keys.len());
    for (i, &key) in band_keys.iter().enumerate() {
        let row = i / width.max(1);
        if keep(row) {
            entries.push(Entry {
                key,
                row: row as u32,
                limit: whole,
            });
        }
    }
    for (i, &key) in passage_keys.iter().enumerate() {
        let row = passage_rows[i / passage_width.max(1)] as usize;
        if keep(row) {
            let limit = room.map_or(whole, |r| r[i].clamp(0, n as i64) as u32);
            entries.push(Entry {
                key,
                row: row as u32,
                limit,
            });
        }
    }
    // By (key, row), stable: of a row's entries with one key, the first is kept.
    entries.sort_by_key(|e| (e.key, e.row));
    entries.dedup_by(|later, first| later.key == first.key && later.row == first.row);
    // Each entry pairs with the first `limit` entries of its run of equal keys that
    // come before it; the pairs of a row in the order the entries come.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    for i in 0..entries.len() {
        if entries[i].key != entries[start].key {
            start = i;
        }
        let before = (i - start).min(entries[i].limit as usize);
        for e in &entries[start..start + before] {
            pairs.push((entries[i].row, e.row));
        }
    }
    for &(later, _) in &pairs {
        offsets[later as usize + 1] += 1;
    }
    for r in 0..n {
        offsets[r + 1] += offsets[r];
    }
    let mut at: Vec<i64> = offsets[..n].to_vec();
    let mut values = vec![0i64; pairs.len()];
    for (later, earlier) in pairs {
        values[at[later as usize] as usize] = i64::from(earlier);
        at[later as usize] += 1;
    }
    (values, offsets)
}

/// `earlier` from Python's arrays (dedup/batching.py `earlier_in_chunk`), the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (band_keys, passage_rows, passage_keys, room=None, placed=None))]
#[allow(clippy::type_complexity)]
pub fn earlier_in_chunk<'py>(
    py: Python<'py>,
    band_keys: PyReadonlyArray2<'py, u64>,
    passage_rows: PyReadonlyArray1<'py, i64>,
    passage_keys: PyReadonlyArray2<'py, u64>,
    room: Option<PyReadonlyArray1<'py, i64>>,
    placed: Option<PyReadonlyArray1<'py, bool>>,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>)> {
    let (n, width) = (band_keys.shape()[0], band_keys.shape()[1]);
    let passage_width = passage_keys.shape()[1];
    let contiguous =
        |what: &str| PyValueError::new_err(format!("{what} must be a contiguous array"));
    let bands = band_keys.as_slice().map_err(|_| contiguous("band keys"))?;
    let passages = passage_keys
        .as_slice()
        .map_err(|_| contiguous("passage keys"))?;
    let rows = slice(&passage_rows, "passage rows")?;
    let room = room.as_ref().map(|r| slice(r, "room")).transpose()?;
    let placed = placed.as_ref().map(|p| slice(p, "placed")).transpose()?;
    if rows.len() * passage_width != passages.len()
        || rows.iter().any(|&r| r < 0 || r as usize >= n)
    {
        return Err(PyValueError::new_err(
            "one passage row, within the chunk, per line of passage keys",
        ));
    }
    if room.is_some_and(|r| r.len() != passages.len()) || placed.is_some_and(|p| p.len() != n) {
        return Err(PyValueError::new_err(
            "one room per passage key and one placed flag per row",
        ));
    }
    let (values, offsets) = detached(py, "earlier_in_chunk", || {
        earlier(n, bands, width, rows, passages, passage_width, room, placed)
    })?;
    Ok((values.into_pyarray(py), offsets.into_pyarray(py)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(values: &[i64], offsets: &[i64], r: usize) -> Vec<i64> {
        values[offsets[r] as usize..offsets[r + 1] as usize].to_vec()
    }

    #[test]
    fn band_keys_pair_every_earlier_row_and_passage_keys_only_the_first_holders() {
        // rows 0..4; band key 7 in rows 0, 2, 3; passage key 9 in rows 0, 1, 2, 3
        // with room 2: row 3 meets rows 0 and 1 through it (not 2).
        let band_keys = [7u64, 100, 101, 102, 7, 103, 7, 104];
        let passage_rows = [0i64, 1, 2, 3];
        let passage_keys = [9u64, 9, 9, 9];
        let room = [2i64, 2, 2, 2];
        let (values, offsets) = earlier(
            4,
            &band_keys,
            2,
            &passage_rows,
            &passage_keys,
            1,
            Some(&room),
            None,
        );
        assert_eq!(rows_of(&values, &offsets, 0), Vec::<i64>::new());
        assert_eq!(rows_of(&values, &offsets, 1), vec![0]);
        assert_eq!(rows_of(&values, &offsets, 2), vec![0, 0, 1]);
        assert_eq!(rows_of(&values, &offsets, 3), vec![0, 2, 0, 1]);
        // Unplaced rows neither find nor are found.
        let placed = [true, false, true, true];
        let (values, offsets) = earlier(
            4,
            &band_keys,
            2,
            &passage_rows,
            &passage_keys,
            1,
            Some(&room),
            Some(&placed),
        );
        assert!(rows_of(&values, &offsets, 1).is_empty());
        assert_eq!(rows_of(&values, &offsets, 3), vec![0, 2, 0, 2]);
    }
}
