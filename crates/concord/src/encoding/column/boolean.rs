//! Boolean columns: the lengths of the alternating runs of `false` and `true`, as unsigned
//! LEB128 numbers, starting with a run of `false` (which is 0 if the first row is `true`).
//!
//! Laws: `decode(encode(rows)) == rows` for every sequence of booleans; every run but the
//! first is at least one row long (so the encoding is unique), and an empty column is no bytes.

use super::{Cursor, DecodeError};
use crate::encoding::error::DecodeErrorKind;
use crate::encoding::leb128;

/// Appends rows to a boolean column.
#[derive(Default)]
pub(crate) struct BoolEncoder {
    out: Vec<u8>,
    value: bool,
    count: u64,
}

impl BoolEncoder {
    pub(crate) fn append(&mut self, b: bool) {
        if b != self.value {
            leb128::write_u64(&mut self.out, self.count);
            self.value = b;
            self.count = 0;
        }
        self.count += 1;
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            leb128::write_u64(&mut self.out, self.count);
        }
        self.out
    }
}

/// Reads the rows of a boolean column.
pub(crate) struct BoolDecoder<'a> {
    c: Cursor<'a>,
    column: &'static str,
    /// The value of the current run.
    value: bool,
    /// The rows left in it.
    left: u64,
    /// Whether the first run has been read.
    started: bool,
}

impl<'a> BoolDecoder<'a> {
    pub(crate) fn new(c: Cursor<'a>, column: &'static str) -> Self {
        BoolDecoder {
            c,
            column,
            value: false,
            left: 0,
            started: false,
        }
    }

    /// The offset in the input of the next unread byte of the column.
    pub(crate) fn offset(&self) -> usize {
        self.c.offset()
    }

    /// The column's name.
    pub(crate) fn column(&self) -> &'static str {
        self.column
    }

    /// The next row.
    ///
    /// # Errors
    /// If the column has no rows left or is malformed.
    #[inline]
    pub(crate) fn value(&mut self) -> Result<bool, DecodeError> {
        while self.left == 0 {
            self.next_run()?;
        }
        self.left -= 1;
        Ok(self.value)
    }

    /// The value of the run being read and how many rows it has left (none between runs: no
    /// run is started here).
    #[inline]
    pub(crate) fn repeat(&self) -> Option<(bool, u64)> {
        (self.left > 0).then_some((self.value, self.left))
    }

    /// Skips `k` rows of the run being read, which [`BoolDecoder::repeat`] said has at least
    /// `k` left.
    #[inline]
    pub(crate) fn skip(&mut self, k: u64) {
        debug_assert!(k <= self.left);
        self.left -= k;
    }

    fn next_run(&mut self) -> Result<(), DecodeError> {
        if self.c.is_empty() {
            return Err(self.c.error(DecodeErrorKind::ColumnTooShort {
                column: self.column,
            }));
        }
        let n = self.c.uleb()?;
        if self.started {
            if n == 0 {
                return Err(self.c.error(DecodeErrorKind::EmptyRun {
                    column: self.column,
                }));
            }
            self.value = !self.value;
        }
        self.started = true;
        self.left = n;
        Ok(())
    }

    /// Checks that every row has been read.
    ///
    /// # Errors
    /// If rows are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.left == 0 && self.c.is_empty() {
            Ok(())
        } else {
            Err(self.c.error(DecodeErrorKind::ColumnTooLong {
                column: self.column,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(rows: &[bool]) -> Vec<u8> {
        let mut e = BoolEncoder::default();
        rows.iter().for_each(|&b| e.append(b));
        e.finish()
    }

    fn decode(bytes: &[u8], n: usize) -> Result<Vec<bool>, DecodeError> {
        let mut d = BoolDecoder::new(Cursor::new(bytes, 0), "test");
        let rows = (0..n).map(|_| d.value()).collect::<Result<_, _>>()?;
        d.finish()?;
        Ok(rows)
    }

    #[test]
    fn known_encodings() {
        assert_eq!(encode(&[]), []);
        assert_eq!(encode(&[true, true, false]), [0, 2, 1]);
        assert_eq!(encode(&[false, false, true]), [2, 1]);
        assert_eq!(
            decode(&[1, 0, 1], 3).unwrap_err().kind,
            DecodeErrorKind::EmptyRun { column: "test" }
        );
        assert_eq!(
            decode(&[2], 1).unwrap_err().kind,
            DecodeErrorKind::ColumnTooLong { column: "test" }
        );
    }

    proptest! {
        #[test]
        fn round_trip(runs in proptest::collection::vec((any::<bool>(), 1..5usize), 0..30)) {
            let rows: Vec<bool> = runs
                .into_iter()
                .flat_map(|(b, n)| std::iter::repeat_n(b, n))
                .collect();
            prop_assert_eq!(decode(&encode(&rows), rows.len()), Ok(rows));
        }

        #[test]
        fn any_bytes_decode_or_fail(bytes: Vec<u8>, n in 0..50usize) {
            if let Ok(rows) = decode(&bytes, n) {
                prop_assert_eq!(encode(&rows), bytes);
            }
        }
    }
}
