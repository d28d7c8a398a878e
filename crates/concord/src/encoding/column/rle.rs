//! Run-length encoding of a column of optional values.
//!
//! The column is a sequence of runs. Each run starts with a signed (zigzag LEB128) count `n`:
//!
//! - `n > 0`: one value follows, and the run is that value `n` times;
//! - `n < 0`: `-n` values follow, each once (a *literal* run, for values that do not repeat);
//! - `n = 0`: an unsigned LEB128 count `m ≥ 1` follows, and the run is `m` nulls.
//!
//! Laws: `decode(encode(rows)) == rows` for every sequence of optional values; and the encoder
//! is canonical, so equal rows give equal bytes: a value equal to its neighbour is always part
//! of a repeat run, a literal run never holds two equal neighbours, and no run follows a run of
//! the same kind that it could have been merged into.

use super::{Cursor, DecodeError, Pack, Unpack};
use crate::encoding::error::DecodeErrorKind;
use crate::encoding::leb128;

/// Where the encoder is in its current run.
enum State<T> {
    /// Nothing written yet, or a run just flushed.
    Empty,
    /// A run of this many nulls.
    Nulls(u64),
    /// One value, which may start a repeat run or a literal one.
    Lone(T),
    /// A value repeated this many times (at least two).
    Repeat(T, u64),
    /// A literal run: the values in `literal`, then this one, which is not yet known to be
    /// literal (it may start a repeat run).
    Literal(T),
}

/// Appends rows to a run-length column.
pub(crate) struct RleEncoder<T> {
    out: Vec<u8>,
    state: State<T>,
    literal: Vec<T>,
}

impl<T> Default for RleEncoder<T> {
    fn default() -> Self {
        RleEncoder {
            out: Vec::new(),
            state: State::Empty,
            literal: Vec::new(),
        }
    }
}

impl<T: Pack> RleEncoder<T> {
    /// Appends a value.
    pub(crate) fn append(&mut self, v: T) {
        self.state = match std::mem::replace(&mut self.state, State::Empty) {
            State::Empty => State::Lone(v),
            State::Nulls(n) => {
                self.flush_nulls(n);
                State::Lone(v)
            }
            State::Lone(x) if x == v => State::Repeat(x, 2),
            State::Lone(x) => {
                self.literal.push(x);
                State::Literal(v)
            }
            State::Repeat(x, n) if x == v => State::Repeat(x, n + 1),
            State::Repeat(x, n) => {
                self.flush_repeat(x, n);
                State::Lone(v)
            }
            State::Literal(last) if last == v => {
                self.flush_literal();
                State::Repeat(v, 2)
            }
            State::Literal(last) => {
                self.literal.push(last);
                State::Literal(v)
            }
        };
    }

    /// Appends a null.
    pub(crate) fn append_null(&mut self) {
        self.state = match std::mem::replace(&mut self.state, State::Empty) {
            State::Nulls(n) => State::Nulls(n + 1),
            other => {
                self.flush(other);
                State::Nulls(1)
            }
        };
    }

    /// Appends a value, or a null for `None`.
    pub(crate) fn append_opt(&mut self, v: Option<T>) {
        match v {
            Some(v) => self.append(v),
            None => self.append_null(),
        }
    }

    /// The column's bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let state = std::mem::replace(&mut self.state, State::Empty);
        self.flush(state);
        self.out
    }

    fn flush(&mut self, state: State<T>) {
        match state {
            State::Empty => {}
            State::Nulls(n) => self.flush_nulls(n),
            State::Lone(x) => {
                self.literal.push(x);
                self.flush_literal();
            }
            State::Repeat(x, n) => self.flush_repeat(x, n),
            State::Literal(last) => {
                self.literal.push(last);
                self.flush_literal();
            }
        }
    }

    fn flush_nulls(&mut self, n: u64) {
        self.out.push(0);
        leb128::write_u64(&mut self.out, n);
    }

    fn flush_repeat(&mut self, x: T, n: u64) {
        leb128::write_i64(&mut self.out, count(n));
        x.pack(&mut self.out);
    }

    fn flush_literal(&mut self) {
        leb128::write_i64(&mut self.out, -count(self.literal.len() as u64));
        for &v in &self.literal {
            v.pack(&mut self.out);
        }
        self.literal.clear();
    }
}

/// A run length as the signed count the column stores. No column has 2^63 rows: that many
/// rows could not be held in memory to be encoded.
fn count(n: u64) -> i64 {
    i64::try_from(n).expect("a column has fewer than 2^63 rows")
}

/// The run the decoder is in, with the rows it has left.
#[derive(Clone, Copy)]
enum Run<T> {
    None,
    Repeat(T, u64),
    Literal(u64),
    Nulls(u64),
}

/// Reads the rows of a run-length column one at a time.
pub(crate) struct RleDecoder<'a, T> {
    c: Cursor<'a>,
    column: &'static str,
    run: Run<T>,
}

impl<'a, T: Unpack<'a>> RleDecoder<'a, T> {
    pub(crate) fn new(c: Cursor<'a>, column: &'static str) -> Self {
        RleDecoder {
            c,
            column,
            run: Run::None,
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

    /// The next row: a value, or `None` for a null.
    ///
    /// # Errors
    /// If the column has no rows left or its bytes are malformed.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Option<T>, DecodeError> {
        loop {
            match &mut self.run {
                Run::Repeat(v, n) => {
                    let v = *v;
                    *n -= 1;
                    if *n == 0 {
                        self.run = Run::None;
                    }
                    return Ok(Some(v));
                }
                Run::Literal(n) => {
                    *n -= 1;
                    if *n == 0 {
                        self.run = Run::None;
                    }
                    return T::unpack(&mut self.c).map(Some);
                }
                Run::Nulls(n) => {
                    *n -= 1;
                    if *n == 0 {
                        self.run = Run::None;
                    }
                    return Ok(None);
                }
                Run::None => self.start_run()?,
            }
        }
    }

    /// The run being read, if it repeats one row (a value, or a null): that row and how many
    /// times it is left. `None` in a literal run, or between runs (no run is started here, so
    /// this never reads the column).
    #[inline]
    pub(crate) fn repeat(&self) -> Option<(Option<T>, u64)> {
        match self.run {
            Run::Repeat(v, n) => Some((Some(v), n)),
            Run::Nulls(n) => Some((None, n)),
            _ => None,
        }
    }

    /// Skips `k` rows of the run being read, which [`RleDecoder::repeat`] said repeats at
    /// least `k` times.
    #[inline]
    pub(crate) fn skip(&mut self, k: u64) {
        if let Run::Repeat(_, n) | Run::Nulls(n) = &mut self.run {
            debug_assert!(k <= *n);
            *n -= k;
            if *n == 0 {
                self.run = Run::None;
            }
        } else {
            debug_assert_eq!(k, 0, "skipping rows outside a repeat run");
        }
    }

    /// The next row, which must not be null.
    ///
    /// # Errors
    /// As [`RleDecoder::next`], and [`DecodeErrorKind::UnexpectedNull`] for a null.
    #[inline]
    pub(crate) fn value(&mut self) -> Result<T, DecodeError> {
        match self.next()? {
            Some(v) => Ok(v),
            None => Err(self.c.error(DecodeErrorKind::UnexpectedNull {
                column: self.column,
            })),
        }
    }

    /// Checks that every row has been read.
    ///
    /// # Errors
    /// [`DecodeErrorKind::ColumnTooLong`] if rows are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if matches!(self.run, Run::None) && self.c.is_empty() {
            Ok(())
        } else {
            Err(self.c.error(DecodeErrorKind::ColumnTooLong {
                column: self.column,
            }))
        }
    }

    #[cold]
    fn start_run(&mut self) -> Result<(), DecodeError> {
        if self.c.is_empty() {
            return Err(self.c.error(DecodeErrorKind::ColumnTooShort {
                column: self.column,
            }));
        }
        let n = self.c.ileb()?;
        self.run = if n > 0 {
            Run::Repeat(T::unpack(&mut self.c)?, n.unsigned_abs())
        } else if n < 0 {
            Run::Literal(n.unsigned_abs())
        } else {
            let nulls = self.c.uleb()?;
            if nulls == 0 {
                return Err(self.c.error(DecodeErrorKind::EmptyRun {
                    column: self.column,
                }));
            }
            Run::Nulls(nulls)
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode<T: Pack>(rows: &[Option<T>]) -> Vec<u8> {
        let mut e = RleEncoder::default();
        for &r in rows {
            e.append_opt(r);
        }
        e.finish()
    }

    fn decode<'a, T: Unpack<'a>>(bytes: &'a [u8], n: usize) -> Result<Vec<Option<T>>, DecodeError> {
        let mut d = RleDecoder::new(Cursor::new(bytes, 0), "test");
        let rows = (0..n).map(|_| d.next()).collect::<Result<Vec<_>, _>>()?;
        d.finish()?;
        Ok(rows)
    }

    #[test]
    fn known_encodings() {
        let rows = [Some(5u64), Some(5), Some(5), Some(1), Some(2), None, None];
        // 3 × 5, literal [1, 2], 2 nulls.
        assert_eq!(encode(&rows), [6, 5, 3, 1, 2, 0, 2]);
        assert_eq!(encode::<u64>(&[]), []);
        assert_eq!(encode(&[Some("ab"), Some("ab")]), [4, 2, b'a', b'b']);
        // A lone value is a literal run of one.
        assert_eq!(encode(&[Some(-1i64)]), [1, 1]);
    }

    #[test]
    fn decoding_checks_the_row_count() {
        let bytes = encode(&[Some(1u64), Some(1)]);
        let kind = |r: Result<Vec<Option<u64>>, DecodeError>| r.unwrap_err().kind;
        assert_eq!(
            kind(decode(&bytes, 3)),
            DecodeErrorKind::ColumnTooShort { column: "test" }
        );
        assert_eq!(
            kind(decode(&bytes, 1)),
            DecodeErrorKind::ColumnTooLong { column: "test" }
        );
        assert_eq!(
            kind(decode(&[0, 0], 1)),
            DecodeErrorKind::EmptyRun { column: "test" }
        );
        // A literal run of three with one value.
        assert_eq!(kind(decode(&[5, 1], 3)), DecodeErrorKind::Truncated);
        let mut d = RleDecoder::<u64>::new(Cursor::new(&[0, 1], 0), "test");
        assert_eq!(
            d.value().unwrap_err().kind,
            DecodeErrorKind::UnexpectedNull { column: "test" }
        );
    }

    /// Rows with many repeats and nulls, as real columns have.
    fn rows<T: std::fmt::Debug + Clone>(
        values: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Vec<Option<T>>> {
        proptest::collection::vec((proptest::option::weighted(0.8, values), 1..6usize), 0..40)
            .prop_map(|runs| {
                runs.into_iter()
                    .flat_map(|(v, n)| std::iter::repeat_n(v, n))
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn unsigned_round_trip(rows in rows(0u64..4)) {
            prop_assert_eq!(decode(&encode(&rows), rows.len()), Ok(rows));
        }

        #[test]
        fn signed_round_trip(rows in rows(any::<i64>())) {
            prop_assert_eq!(decode(&encode(&rows), rows.len()), Ok(rows));
        }

        #[test]
        fn string_round_trip(rows in rows("[ab]{0,2}")) {
            let refs: Vec<Option<&str>> = rows.iter().map(Option::as_deref).collect();
            let bytes = encode(&refs);
            prop_assert_eq!(decode(&bytes, refs.len()), Ok(refs));
        }

        /// Canonical: re-encoding decoded rows gives the same bytes, and a run is never
        /// followed by one it could merge with.
        #[test]
        fn canonical(rows in rows(0u64..3)) {
            let bytes = encode(&rows);
            let again = encode(&decode::<u64>(&bytes, rows.len()).unwrap());
            prop_assert_eq!(&again, &bytes);
            let runs = rows.chunk_by(|a, b| a == b).count();
            prop_assert!(bytes.len() <= 3 * runs);
        }

        #[test]
        fn any_bytes_decode_or_fail(bytes: Vec<u8>, n in 0..50usize) {
            let _ = decode::<&str>(&bytes, n);
            let _ = decode::<i64>(&bytes, n);
        }
    }
}
