//! Columns: one field of many rows, stored together so that runs show.
//!
//! A list of changes is mostly repetition. In a trace of keystrokes every change has the same
//! actor, the next seq, one op, on the same text object, inserting after the previous
//! character. Stored row by row, each change repeats all of that; stored column by column,
//! each field becomes a sequence in which the repetition is a *run*, and a run costs a couple of
//! bytes however long it is. That is why the format is columnar, and why each column has the
//! codec that turns its kind of regularity into runs:
//!
//! - [`rle`]: run-length encoding of values that repeat (actor indexes, action tags, map keys,
//!   value types), with runs of nulls for optional fields;
//! - [`delta`]: counters that step by a constant (op counters, sequence numbers, times) are
//!   stored as the run-length encoding of their differences, so `10, 11, 12, 13` is one run;
//! - [`boolean`]: flags, as the lengths of their alternating runs;
//! - [`raw`]: bytes and UTF-8 text whose lengths another column gives (inserted text, the
//!   bytes of values).
//!
//! [`compress`] is how a chunk stores a column: as it is, or compressed (deflate or Brotli)
//! when it is large and that makes it smaller.
//!
//! Every codec has an encoder that only appends and a decoder that reads one row at a time
//! from untrusted bytes, so decoding allocates nothing per row: a decoded row is a number or a
//! slice of the input. Decoders never trust a count to size an allocation, report errors with
//! their column's name and offset, and have a `finish` that fails if rows are left over, so a
//! chunk whose columns disagree on their lengths is refused.

pub(crate) mod boolean;
pub(crate) mod compress;
pub(crate) mod delta;
pub(crate) mod raw;
pub(crate) mod rle;

use super::cursor::Cursor;
use super::error::DecodeError;
use super::leb128;

/// A value that a run-length column can write.
pub(crate) trait Pack: Copy + PartialEq {
    fn pack(self, out: &mut Vec<u8>);
}

/// A value that a run-length column can read, borrowing from the bytes where it can.
pub(crate) trait Unpack<'a>: Copy + PartialEq {
    fn unpack(c: &mut Cursor<'a>) -> Result<Self, DecodeError>;
}

/// Unsigned integers: LEB128.
impl Pack for u64 {
    fn pack(self, out: &mut Vec<u8>) {
        leb128::write_u64(out, self);
    }
}

impl Unpack<'_> for u64 {
    #[inline]
    fn unpack(c: &mut Cursor<'_>) -> Result<Self, DecodeError> {
        c.uleb()
    }
}

/// Signed integers: zigzag LEB128.
impl Pack for i64 {
    fn pack(self, out: &mut Vec<u8>) {
        leb128::write_i64(out, self);
    }
}

impl Unpack<'_> for i64 {
    #[inline]
    fn unpack(c: &mut Cursor<'_>) -> Result<Self, DecodeError> {
        c.ileb()
    }
}

/// Strings: a LEB128 byte length, then UTF-8.
impl Pack for &str {
    fn pack(self, out: &mut Vec<u8>) {
        leb128::write_u64(out, self.len() as u64);
        out.extend_from_slice(self.as_bytes());
    }
}

impl<'a> Unpack<'a> for &'a str {
    fn unpack(c: &mut Cursor<'a>) -> Result<Self, DecodeError> {
        c.prefixed_str()
    }
}
