//! The boundary with Python: texts in (checked, borrowed as UTF-8), arrays checked,
//! work done without the GIL, and a panic turned into `dedup.errors.DedupError`.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::PyReadonlyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// `f` without the GIL; a panic becomes `dedup.errors.DedupError`.
pub fn detached<T: Send>(py: Python<'_>, what: &str, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|panic| {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let message =
                format!("internal error in dedup._core.{what}: {detail} (please report it)");
            match py
                .import("dedup.errors")
                .and_then(|m| m.getattr("DedupError"))
            {
                Ok(cls) => match cls.call1((message,)) {
                    Ok(exc) => PyErr::from_value(exc),
                    Err(e) => e,
                },
                Err(e) => e,
            }
        })
}

/// The `str` items of `texts`, checked.
pub fn strings<'py>(texts: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyString>>> {
    let mut out = Vec::with_capacity(texts.len().unwrap_or(0));
    for (i, item) in texts.try_iter()?.enumerate() {
        let item = item?;
        if !item.is_instance_of::<PyString>() {
            let kind = item.get_type().name()?.to_string();
            return Err(PyTypeError::new_err(format!(
                "text {i} is a {kind}, not a str"
            )));
        }
        out.push(item.cast_into::<PyString>()?);
    }
    Ok(out)
}

/// A text's UTF-8: an ASCII `str` is its own UTF-8, borrowed; any other is encoded
/// into a buffer of ours, because asking CPython for its UTF-8 would cache a copy in
/// the `str` for the rest of its life (`PyUnicode_AsUTF8AndSize`: a batch that holds
/// its texts would hold each non-ASCII one twice). A lone surrogate (JSON escapes
/// leave them) becomes one U+FFFD, which every stage treats as it would treat the
/// surrogate: neither a token, a space nor a digit.
pub fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    let ascii = s
        .call_method0(intern!(s.py(), "isascii"))
        .and_then(|b| b.is_truthy())
        .unwrap_or(false);
    if ascii {
        if let Ok(text) = s.to_cow() {
            return text;
        }
    }
    if let Ok(bytes) = s.encode_utf8() {
        if let Ok(text) = std::str::from_utf8(bytes.as_bytes()) {
            return Cow::Owned(text.to_owned());
        }
    }
    let bytes = s
        .call_method1("encode", ("utf-8", "surrogatepass"))
        .and_then(|b| b.extract::<Vec<u8>>());
    match bytes {
        Ok(bytes) => Cow::Owned(replace_surrogates(&bytes)),
        Err(_) => Cow::Owned(s.to_string_lossy().into_owned()),
    }
}

/// How a text of a batch is read: an ASCII `str` is its own UTF-8; another is
/// encoded once into a `bytes` of Python's, held for the batch and read in place.
enum Encoded<'py> {
    Ascii,
    Bytes(Bound<'py, PyBytes>),
    /// Neither (a lone surrogate): `read` makes a copy of our own.
    Other,
}

/// The first step of `utf8` for a text of a batch (see `Encoded`).
fn encode<'py>(s: &Bound<'py, PyString>) -> Encoded<'py> {
    let ascii = s
        .call_method0(intern!(s.py(), "isascii"))
        .and_then(|b| b.is_truthy())
        .unwrap_or(false);
    if ascii {
        return Encoded::Ascii;
    }
    match s.encode_utf8() {
        Ok(bytes) => Encoded::Bytes(bytes),
        Err(_) => Encoded::Other,
    }
}

/// `utf8(s)`, borrowing what `encode` made of it where it can.
fn read<'a>(s: &'a Bound<'_, PyString>, encoded: &'a Encoded<'_>) -> Cow<'a, str> {
    match encoded {
        Encoded::Ascii => s.to_cow().unwrap_or_else(|_| utf8(s)),
        Encoded::Bytes(bytes) => match std::str::from_utf8(bytes.as_bytes()) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => utf8(s),
        },
        Encoded::Other => utf8(s),
    }
}

/// A chunk's Python `str`s held for reading in place (`strings`, then `Encoded`
/// per text); `read` borrows each one's UTF-8 for as long as they are held.
pub struct Texts<'py> {
    items: Vec<Bound<'py, PyString>>,
    encoded: Vec<Encoded<'py>>,
}

impl<'py> Texts<'py> {
    /// The `str`s of `texts` (a `TypeError` naming the first that is not one).
    pub fn of(texts: &Bound<'py, PyAny>) -> PyResult<Self> {
        let items = strings(texts)?;
        let encoded = items.iter().map(encode).collect();
        Ok(Texts { items, encoded })
    }

    /// Each text as UTF-8, borrowed where Python holds it so.
    pub fn read(&self) -> Vec<Cow<'_, str>> {
        self.items
            .iter()
            .zip(&self.encoded)
            .map(|(s, e)| read(s, e))
            .collect()
    }
}

/// UTF-8 with surrogates encoded as 3-byte sequences (Python's "surrogatepass")
/// to a string with one U+FFFD per surrogate.
fn replace_surrogates(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                // A surrogate is 3 bytes (ED A0..BF xx); anything else invalid, 1.
                let skip = if after.len() >= 3 && after[0] == 0xED && after[1] >= 0xA0 {
                    3
                } else {
                    e.error_len().unwrap_or(after.len()).max(1)
                };
                rest = &after[skip.min(after.len())..];
            }
        }
    }
    out
}

pub fn slice<'a, T: numpy::Element>(
    a: &'a PyReadonlyArray1<'_, T>,
    name: &str,
) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be a contiguous array")))
}

/// Check that `offsets` cut `len` values into consecutive runs.
pub fn check_offsets(offsets: &[i64], len: usize) -> PyResult<()> {
    let ok = offsets.first().is_none_or(|&o| o >= 0)
        && offsets.windows(2).all(|w| w[0] <= w[1])
        && offsets.last().is_none_or(|&o| o as usize <= len && o >= 0);
    if ok {
        Ok(())
    } else {
        Err(PyValueError::new_err(
            "offsets must be non-decreasing and within the values",
        ))
    }
}

/// A thread pool of `threads` threads.
pub fn new_pool(threads: usize) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| PyValueError::new_err(format!("cannot start {threads} threads: {e}")))
}

#[cfg(test)]
mod tests {
    use super::replace_surrogates;

    #[test]
    fn one_replacement_character_per_surrogate() {
        let bytes = b"a\xed\xa0\x80b\xed\xbf\xbf\xed\xa0\x80";
        assert_eq!(replace_surrogates(bytes), "a\u{fffd}b\u{fffd}\u{fffd}");
        assert_eq!(replace_surrogates("\u{1f600}".as_bytes()), "\u{1f600}");
    }
}
