//! Delta encoding: a column of 64-bit numbers stored as the run-length encoding of the
//! differences between each row and the one before (the first row's difference is from 0).
//!
//! Differences are taken modulo 2^64 and stored as signed numbers, so every sequence of `u64`
//! has an encoding and small steps either way are small numbers. A counter that goes up by one
//! per row is a single run however many rows it has.
//!
//! Law: `decode(encode(rows)) == rows` for every sequence of `u64`, and the bytes are those of
//! the (canonical) run-length encoding of the differences.

use super::rle::{RleDecoder, RleEncoder};
use super::{Cursor, DecodeError};

/// Appends rows to a delta column.
#[derive(Default)]
pub(crate) struct DeltaEncoder {
    rle: RleEncoder<i64>,
    last: u64,
}

impl DeltaEncoder {
    pub(crate) fn append(&mut self, n: u64) {
        self.rle.append(n.wrapping_sub(self.last) as i64);
        self.last = n;
    }

    /// Makes the next row's difference from `base` instead of from the last row: for columns
    /// whose rows are near something other than the row before.
    pub(crate) fn rebase(&mut self, base: u64) {
        self.last = base;
    }

    /// Appends a signed number, as its two's complement bits.
    pub(crate) fn append_signed(&mut self, n: i64) {
        self.append(n as u64);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.rle.finish()
    }
}

/// Reads the rows of a delta column.
pub(crate) struct DeltaDecoder<'a> {
    rle: RleDecoder<'a, i64>,
    last: u64,
}

impl<'a> DeltaDecoder<'a> {
    pub(crate) fn new(c: Cursor<'a>, column: &'static str) -> Self {
        DeltaDecoder {
            rle: RleDecoder::new(c, column),
            last: 0,
        }
    }

    /// The offset in the input of the next unread byte of the column.
    pub(crate) fn offset(&self) -> usize {
        self.rle.offset()
    }

    /// The column's name.
    pub(crate) fn column(&self) -> &'static str {
        self.rle.column()
    }

    /// The next row.
    ///
    /// # Errors
    /// If the column has no rows left, holds a null, or is malformed.
    #[inline]
    pub(crate) fn value(&mut self) -> Result<u64, DecodeError> {
        let d = self.rle.value()?;
        self.last = self.last.wrapping_add(d as u64);
        Ok(self.last)
    }

    /// Reads the next row as a difference from `base` instead of from the last row (as
    /// [`DeltaEncoder::rebase`] wrote it).
    pub(crate) fn rebase(&mut self, base: u64) {
        self.last = base;
    }

    /// The last row read (0 before any).
    pub(crate) fn last(&self) -> u64 {
        self.last
    }

    /// If the column goes on by a constant step for a while: the step and how many rows take
    /// it (see [`RleDecoder::repeat`]).
    #[inline]
    pub(crate) fn repeat(&self) -> Option<(i64, u64)> {
        match self.rle.repeat()? {
            (Some(d), n) => Some((d, n)),
            (None, _) => None,
        }
    }

    /// Skips `k` rows of the constant step [`DeltaDecoder::repeat`] gave.
    #[inline]
    pub(crate) fn skip(&mut self, k: u64) {
        if let Some((d, _)) = self.repeat() {
            self.last = self.last.wrapping_add((d as u64).wrapping_mul(k));
        }
        self.rle.skip(k);
    }

    /// The next row, as a signed number.
    ///
    /// # Errors
    /// As [`DeltaDecoder::value`].
    pub(crate) fn signed(&mut self) -> Result<i64, DecodeError> {
        self.value().map(|n| n as i64)
    }

    /// Checks that every row has been read.
    ///
    /// # Errors
    /// If rows are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        self.rle.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(rows: &[u64]) -> Vec<u8> {
        let mut e = DeltaEncoder::default();
        rows.iter().for_each(|&n| e.append(n));
        e.finish()
    }

    #[test]
    fn counting_up_is_one_run() {
        let rows: Vec<u64> = (1..=1000).collect();
        // One run: 1000 × (+1).
        assert_eq!(encode(&rows).len(), 3);
        assert_eq!(encode(&[u64::MAX, 0]), [3, 1, 2]);
    }

    proptest! {
        #[test]
        fn round_trip(start: u64, steps in proptest::collection::vec(-3i64..4, 0..60), big: Vec<u64>) {
            let mut rows = vec![start];
            for s in steps {
                let last = *rows.last().unwrap();
                rows.push(last.wrapping_add(s as u64));
            }
            rows.extend(big);
            let bytes = encode(&rows);
            let mut d = DeltaDecoder::new(Cursor::new(&bytes, 0), "test");
            for &n in &rows {
                prop_assert_eq!(d.value(), Ok(n));
            }
            prop_assert!(d.finish().is_ok());
        }

        #[test]
        fn signed_round_trip(rows: Vec<i64>) {
            let mut e = DeltaEncoder::default();
            rows.iter().for_each(|&n| e.append_signed(n));
            let bytes = e.finish();
            let mut d = DeltaDecoder::new(Cursor::new(&bytes, 0), "test");
            for &n in &rows {
                prop_assert_eq!(d.signed(), Ok(n));
            }
            prop_assert!(d.finish().is_ok());
        }
    }
}
