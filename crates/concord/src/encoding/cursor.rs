//! A reading position in untrusted bytes that knows where it is in the input, so every error
//! can say where it was found, and that never reads or allocates past what is there.

use super::error::{DecodeError, DecodeErrorKind};
use super::leb128::{self, LebError};

/// Bytes being read, and the offset of the next one in the decoder's input.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// The offset in the input of `data[0]`.
    base: usize,
    /// Whether `data` was inflated from a compressed column, whose offsets have no place in
    /// the input: errors then report `base`, the offset of the compressed bytes.
    inflated: bool,
}

impl<'a> Cursor<'a> {
    /// A cursor over `data`, which starts at offset `base` of the input.
    pub(crate) fn new(data: &'a [u8], base: usize) -> Self {
        Cursor {
            data,
            pos: 0,
            base,
            inflated: false,
        }
    }

    /// A cursor over bytes inflated from the compressed column at offset `base`.
    pub(crate) fn inflated(data: &'a [u8], base: usize) -> Self {
        Cursor {
            data,
            pos: 0,
            base,
            inflated: true,
        }
    }

    /// The offset in the input of the next byte.
    pub(crate) fn offset(&self) -> usize {
        if self.inflated {
            self.base
        } else {
            self.base + self.pos
        }
    }

    /// An error at the next byte.
    pub(crate) fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset: self.offset(),
            kind,
        }
    }

    /// An error at `pos` bytes into this cursor's data (the start of the faulty item).
    fn error_at(&self, pos: usize, kind: DecodeErrorKind) -> DecodeError {
        let offset = if self.inflated {
            self.base
        } else {
            self.base + pos
        };
        DecodeError { offset, kind }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.data.len()
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The bytes left, without consuming them.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| self.error(DecodeErrorKind::Truncated))?;
        self.pos += 1;
        Ok(b)
    }

    /// A little-endian `u32`.
    pub(crate) fn u32_le(&mut self) -> Result<u32, DecodeError> {
        let bytes = self.array::<4>()?;
        Ok(u32::from_le_bytes(bytes))
    }

    /// The next `N` bytes.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self
            .rest()
            .first_chunk::<N>()
            .ok_or_else(|| self.error(DecodeErrorKind::Truncated))?;
        self.pos += N;
        Ok(*bytes)
    }

    /// An unsigned LEB128 number.
    #[inline]
    pub(crate) fn uleb(&mut self) -> Result<u64, DecodeError> {
        match leb128::read_u64(self.rest()) {
            Ok((n, len)) => {
                self.pos += len;
                Ok(n)
            }
            Err(e) => Err(self.error(match e {
                LebError::Truncated => DecodeErrorKind::Truncated,
                LebError::Overlong => DecodeErrorKind::OverlongLeb128,
                LebError::Overflow => DecodeErrorKind::Leb128Overflow,
            })),
        }
    }

    /// A zigzag-mapped signed LEB128 number.
    #[inline]
    pub(crate) fn ileb(&mut self) -> Result<i64, DecodeError> {
        self.uleb().map(leb128::unzigzag)
    }

    /// The next `len` bytes; an error before anything is read if there are fewer left.
    pub(crate) fn bytes(&mut self, len: u64) -> Result<&'a [u8], DecodeError> {
        let remaining = self.remaining();
        match usize::try_from(len) {
            Ok(n) if n <= remaining => {
                let bytes = &self.data[self.pos..self.pos + n];
                self.pos += n;
                Ok(bytes)
            }
            _ => Err(self.error(DecodeErrorKind::LengthBeyondInput {
                length: len,
                remaining,
            })),
        }
    }

    /// A count of items that take at least `min_bytes` bytes each (at least 1), as an
    /// unsigned LEB128: an error if the bytes left cannot hold that many.
    pub(crate) fn count(&mut self, min_bytes: u64) -> Result<usize, DecodeError> {
        let n = self.uleb()?;
        let remaining = self.remaining();
        if n > remaining as u64 / min_bytes.max(1) {
            return Err(self.error(DecodeErrorKind::LengthBeyondInput {
                length: n.saturating_mul(min_bytes),
                remaining,
            }));
        }
        Ok(n as usize)
    }

    /// A length-prefixed byte string: an unsigned LEB128 length, then the bytes.
    pub(crate) fn prefixed_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.uleb()?;
        self.bytes(len)
    }

    /// A length-prefixed UTF-8 string.
    pub(crate) fn prefixed_str(&mut self) -> Result<&'a str, DecodeError> {
        let bytes = self.prefixed_bytes()?;
        std::str::from_utf8(bytes).map_err(|e| {
            let at = self.pos - bytes.len() + e.valid_up_to();
            self.error_at(at, DecodeErrorKind::InvalidUtf8)
        })
    }

    /// A cursor over the next `len` bytes, which this one skips.
    pub(crate) fn split(&mut self, len: u64) -> Result<Cursor<'a>, DecodeError> {
        let base = self.offset();
        let data = self.bytes(len)?;
        Ok(Cursor {
            data,
            pos: 0,
            base,
            inflated: self.inflated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_where() {
        let mut c = Cursor::new(&[0x03, b'a', 0xff, b'c', 0x05], 100);
        assert_eq!(
            c.prefixed_str().unwrap_err(),
            DecodeError {
                offset: 102,
                kind: DecodeErrorKind::InvalidUtf8
            }
        );
        let mut c = Cursor::new(&[0x05, 1, 2], 10);
        assert_eq!(
            c.prefixed_bytes().unwrap_err(),
            DecodeError {
                offset: 11,
                kind: DecodeErrorKind::LengthBeyondInput {
                    length: 5,
                    remaining: 2
                }
            }
        );
        let mut c = Cursor::new(&[0x80, 0x00], 0);
        assert_eq!(c.uleb().unwrap_err().kind, DecodeErrorKind::OverlongLeb128);
        // A count of two-byte items needs twice its number in bytes left.
        assert_eq!(Cursor::new(&[0x02, 1, 2, 3, 4], 0).count(2), Ok(2));
        assert_eq!(
            Cursor::new(&[0x03, 1, 2, 3, 4], 7).count(2).unwrap_err(),
            DecodeError {
                offset: 8,
                kind: DecodeErrorKind::LengthBeyondInput {
                    length: 6,
                    remaining: 4
                }
            }
        );
        let mut c = Cursor::inflated(&[0x01, 0x80], 40);
        assert_eq!(c.u8().unwrap(), 1);
        assert_eq!(c.uleb().unwrap_err().offset, 40);
    }

    #[test]
    fn lengths_beyond_the_input_are_refused_before_reading() {
        let mut c = Cursor::new(&[1, 2, 3], 0);
        assert!(c.bytes(u64::MAX).is_err());
        assert!(c.split(4).is_err());
        assert_eq!(c.remaining(), 3);
        let mut inner = c.split(2).unwrap();
        assert_eq!(inner.offset(), 0);
        assert_eq!(inner.u8().unwrap(), 1);
        assert_eq!(inner.offset(), 1);
        assert_eq!(c.offset(), 2);
    }
}
