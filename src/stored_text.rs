//! Stored texts: an article's raw text deflated for an index file or a Redis index,
//! in zlib's format (what Python's `zlib.decompress` and dedup's bounded reader,
//! dedup/storage/sqlite_format.py `inflate_text`, read back).
//!
//! Deflating was the largest part of adding to an index file after the text stages
//! (`dedup batch --index` on the 10k bench corpus: Python's `zlib.compress` at level 6,
//! ~90 µs a 3.6 KB text, a fifth of the run). zlib-rs at level 2 deflates the same
//! texts in ~57 µs to 0.454 of their size (Python's level 6: 0.445), without the GIL.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::boundary::{detached, Texts};

/// `text` deflated at `level` (0-9), zlib's format.
pub fn deflate(text: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(
        Vec::with_capacity(text.len() / 2 + 64),
        Compression::new(level),
    );
    // Writing into a Vec does not fail.
    encoder.write_all(text).expect("deflating into memory");
    encoder.finish().expect("deflating into memory")
}

/// Each of `texts` (UTF-8; a lone surrogate as U+FFFD) deflated at `level` (0-9), or
/// None for one whose UTF-8 is longer than `max_bytes` (a store does not keep it:
/// it could not be read back), the GIL released.
#[pyfunction]
pub fn deflate_texts<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    level: u32,
    max_bytes: usize,
) -> PyResult<Vec<Option<Bound<'py, PyBytes>>>> {
    if level > 9 {
        return Err(PyValueError::new_err(format!(
            "a deflate level is 0-9, got {level}"
        )));
    }
    let held = Texts::of(texts)?;
    let texts = held.read();
    let deflated: Vec<Option<Vec<u8>>> = detached(py, "deflate_texts", || {
        texts
            .iter()
            .map(|t| (t.len() <= max_bytes).then(|| deflate(t.as_bytes(), level)))
            .collect()
    })?;
    Ok(deflated
        .into_iter()
        .map(|d| d.map(|bytes| PyBytes::new(py, &bytes)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::ZlibDecoder;
    use std::io::Read;

    #[test]
    fn a_deflated_text_inflates_back() {
        let text = "BEIJING, May 8 (Xinhua) -- 新华社北京5月8日电 ".repeat(50);
        for level in [0, 2, 9] {
            let packed = deflate(text.as_bytes(), level);
            assert_eq!(packed[0], 0x78, "a zlib header");
            let mut back = String::new();
            ZlibDecoder::new(&packed[..])
                .read_to_string(&mut back)
                .unwrap();
            assert_eq!(back, text);
        }
        assert!(deflate(text.as_bytes(), 2).len() < text.len() / 4);
    }
}
