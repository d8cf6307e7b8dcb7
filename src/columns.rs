//! Stored articles' fingerprints as a store keeps them: one column per kind, row
//! `slot` of each being that article's (ragged columns: values with each row's
//! start and length). Verification reads its candidates from here.

use crate::verify::Fp;

/// A ragged column: row `s` is `data[start[s]..start[s] + length[s]]`.
#[derive(Clone, Copy, Debug)]
pub struct Ragged<'a, T> {
    pub data: &'a [T],
    pub start: &'a [i64],
    pub length: &'a [i64],
}

impl<'a, T> Ragged<'a, T> {
    /// Row `slot`, or None when the column does not hold it.
    pub fn get(&self, slot: usize) -> Option<&'a [T]> {
        let start = usize::try_from(*self.start.get(slot)?).ok()?;
        let length = usize::try_from(*self.length.get(slot)?).ok()?;
        self.data.get(start..start.checked_add(length)?)
    }
}

/// The fingerprint columns of a store.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// Signatures as stored (16-bit values), `width` values a row.
    pub sigs: &'a [u16],
    pub width: usize,
    pub sizes: &'a [u32],
    pub hashes: &'a [u64],
    /// Passage keys as stored (`lsh::stored`).
    pub passages: Ragged<'a, u32>,
    pub numbers: Ragged<'a, u32>,
    /// Sorted distinct shingles (verify="exact"), if kept.
    pub shingles: Option<Ragged<'a, u32>>,
    /// Fine passage keys, if any row has them.
    pub fine: Option<Ragged<'a, u64>>,
}

impl<'a> Columns<'a> {
    /// Row `slot`'s fingerprint; an error names the column that does not hold it.
    pub fn fp(&self, slot: usize) -> Result<Fp<'a>, String> {
        let out = |what: &str| format!("{what} of slot {slot} out of range");
        let sig = slot
            .checked_mul(self.width)
            .and_then(|at| self.sigs.get(at..at.checked_add(self.width)?))
            .ok_or_else(|| out("signature"))?;
        Ok(Fp {
            sig,
            size: u64::from(*self.sizes.get(slot).ok_or_else(|| out("size"))?),
            hash: *self.hashes.get(slot).ok_or_else(|| out("content hash"))?,
            passages: self.passages.get(slot).ok_or_else(|| out("passages"))?,
            numbers: self.numbers.get(slot).ok_or_else(|| out("numbers"))?,
            shingles: match &self.shingles {
                Some(s) => Some(s.get(slot).ok_or_else(|| out("shingles"))?),
                None => None,
            },
            fine: match &self.fine {
                Some(f) => f.get(slot).ok_or_else(|| out("fine passages"))?,
                None => &[],
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_out_of_range_are_errors_not_panics() {
        let (data, start, length) = ([1u32, 2, 3], [0i64, 1, 2], [1i64, 2, 5]);
        let r = Ragged {
            data: &data,
            start: &start,
            length: &length,
        };
        assert_eq!(r.get(1), Some(&data[1..3]));
        assert_eq!(r.get(2), None); // runs past the data
        assert_eq!(r.get(3), None);
        let numbers = Ragged {
            data: &[][..],
            start: &[0, 0][..],
            length: &[0, 0][..],
        };
        let columns = Columns {
            sigs: &[1, 2, 3, 4],
            width: 2,
            sizes: &[5, 6],
            hashes: &[7, 8],
            passages: r,
            numbers,
            shingles: None,
            fine: None,
        };
        let fp = columns.fp(1).unwrap();
        assert_eq!((fp.sig, fp.size, fp.hash), (&[3, 4][..], 6, 8));
        assert!(columns.fp(2).unwrap_err().contains("signature of slot 2"));
        assert!(columns.fp(usize::MAX).is_err());
    }
}
