//! Raw columns: bytes, or UTF-8 text, concatenated, with their lengths given by another
//! column (a value's length in its metadata, a text insert's length in characters).
//!
//! Keeping the payloads of many rows together, apart from the numbers that describe them, is
//! what lets the text of a document compress well: the text column of a trace of keystrokes is
//! the typed text itself.
//!
//! Law: reading back the lengths that were written gives back the pieces that were written;
//! a text column is valid UTF-8 as a whole, and each piece is a whole number of characters.

use super::{Cursor, DecodeError};
use crate::encoding::error::DecodeErrorKind;

/// Reads pieces of a raw byte column.
pub(crate) struct RawDecoder<'a> {
    c: Cursor<'a>,
    column: &'static str,
}

impl<'a> RawDecoder<'a> {
    pub(crate) fn new(c: Cursor<'a>, column: &'static str) -> Self {
        RawDecoder { c, column }
    }

    /// The next `len` bytes.
    ///
    /// # Errors
    /// [`DecodeErrorKind::ColumnTooShort`] if fewer are left.
    pub(crate) fn bytes(&mut self, len: u64) -> Result<&'a [u8], DecodeError> {
        self.check(len)?;
        self.c.bytes(len)
    }

    /// A cursor over the next `len` bytes, to read a number stored in them.
    ///
    /// # Errors
    /// As [`RawDecoder::bytes`].
    pub(crate) fn cursor(&mut self, len: u64) -> Result<Cursor<'a>, DecodeError> {
        self.check(len)?;
        self.c.split(len)
    }

    fn check(&self, len: u64) -> Result<(), DecodeError> {
        if usize::try_from(len).is_ok_and(|n| n <= self.c.remaining()) {
            Ok(())
        } else {
            Err(self.c.error(DecodeErrorKind::ColumnTooShort {
                column: self.column,
            }))
        }
    }

    /// Checks that every byte has been read.
    ///
    /// # Errors
    /// [`DecodeErrorKind::ColumnTooLong`] if bytes are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        finish(&self.c, self.column)
    }
}

/// Reads pieces of a UTF-8 text column, by their length in characters.
pub(crate) struct TextDecoder<'a> {
    text: &'a str,
    c: Cursor<'a>,
    column: &'static str,
}

impl<'a> TextDecoder<'a> {
    /// A decoder over the column's bytes, which must be UTF-8 as a whole.
    ///
    /// # Errors
    /// [`DecodeErrorKind::InvalidUtf8`] if they are not.
    pub(crate) fn new(c: Cursor<'a>, column: &'static str) -> Result<Self, DecodeError> {
        let text = std::str::from_utf8(c.rest()).map_err(|e| {
            let mut at = c.clone();
            // Point at the first bad byte (within the input when the column is not compressed).
            let _ = at.bytes(e.valid_up_to() as u64);
            at.error(DecodeErrorKind::InvalidUtf8)
        })?;
        Ok(TextDecoder { text, c, column })
    }

    /// The next `chars` characters.
    ///
    /// # Errors
    /// [`DecodeErrorKind::ColumnTooShort`] if fewer are left.
    #[inline]
    pub(crate) fn chars(&mut self, chars: u64) -> Result<&'a str, DecodeError> {
        let rest = &self.text[self.text.len() - self.c.remaining()..];
        let len = byte_len(rest, chars).ok_or_else(|| {
            self.c.error(DecodeErrorKind::ColumnTooShort {
                column: self.column,
            })
        })?;
        self.c.bytes(len as u64)?;
        Ok(&rest[..len])
    }

    /// Checks that every character has been read.
    ///
    /// # Errors
    /// [`DecodeErrorKind::ColumnTooLong`] if some are left.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        finish(&self.c, self.column)
    }
}

/// The byte length of the first `chars` characters of `s`, if it has that many.
#[inline]
fn byte_len(s: &str, chars: u64) -> Option<usize> {
    let chars = usize::try_from(chars).ok()?;
    if chars == 0 {
        return Some(0);
    }
    let bytes = s.as_bytes();
    // ASCII, the common case, is one byte per character.
    if bytes.len() >= chars && bytes[..chars].is_ascii() {
        return Some(chars);
    }
    match s.char_indices().nth(chars) {
        Some((at, _)) => Some(at),
        None if s.chars().count() == chars => Some(s.len()),
        None => None,
    }
}

fn finish(c: &Cursor<'_>, column: &'static str) -> Result<(), DecodeError> {
    if c.is_empty() {
        Ok(())
    } else {
        Err(c.error(DecodeErrorKind::ColumnTooLong { column }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_split_by_characters() {
        let s = "aé😀bc";
        let mut d = TextDecoder::new(Cursor::new(s.as_bytes(), 0), "text").unwrap();
        assert_eq!(d.chars(1).unwrap(), "a");
        assert_eq!(d.chars(2).unwrap(), "é😀");
        assert_eq!(d.chars(0).unwrap(), "");
        assert_eq!(
            d.chars(3).unwrap_err().kind,
            DecodeErrorKind::ColumnTooShort { column: "text" }
        );
        assert_eq!(
            d.finish().unwrap_err().kind,
            DecodeErrorKind::ColumnTooLong { column: "text" }
        );
        let bad = [b'a', b'b', 0xff];
        let err = TextDecoder::new(Cursor::new(&bad, 10), "text")
            .err()
            .unwrap();
        assert_eq!(err.offset, 12);
        assert_eq!(err.kind, DecodeErrorKind::InvalidUtf8);
    }

    #[test]
    fn bytes_beyond_the_column_are_refused() {
        let mut d = RawDecoder::new(Cursor::new(&[1, 2, 3], 0), "raw");
        assert_eq!(d.bytes(2).unwrap(), [1, 2]);
        assert_eq!(
            d.bytes(u64::MAX).unwrap_err().kind,
            DecodeErrorKind::ColumnTooShort { column: "raw" }
        );
        assert_eq!(d.bytes(1).unwrap(), [3]);
        assert!(d.finish().is_ok());
    }

    proptest! {
        #[test]
        fn text_round_trip(pieces: Vec<String>) {
            let joined: String = pieces.concat();
            let mut d = TextDecoder::new(Cursor::new(joined.as_bytes(), 0), "text").unwrap();
            for p in &pieces {
                prop_assert_eq!(d.chars(p.chars().count() as u64).unwrap(), p.as_str());
            }
            prop_assert!(d.finish().is_ok());
        }

        #[test]
        fn bytes_round_trip(pieces: Vec<Vec<u8>>) {
            let joined = pieces.concat();
            let mut d = RawDecoder::new(Cursor::new(&joined, 0), "raw");
            for p in &pieces {
                prop_assert_eq!(d.bytes(p.len() as u64).unwrap(), &p[..]);
            }
            prop_assert!(d.finish().is_ok());
        }
    }
}
