//! A column as a chunk stores it: its bytes as they are, or deflated when that makes them
//! smaller.
//!
//! Run-length encoding removes repetition *within* a column's rows; what is left in a large
//! column (the characters of a text, literal runs of positions in an editing trace) still has
//! the redundancy of natural language and of editing habits, which deflate removes. Small
//! columns are not worth the attempt.
//!
//! Layout: an unsigned LEB128 number `stored_len << 1 | deflated`; if `deflated`, an unsigned
//! LEB128 `inflated_len`; then `stored_len` bytes, raw or a raw deflate stream (RFC 1951) that
//! inflates to exactly `inflated_len` bytes.
//!
//! Laws: reading a written column gives back its bytes; the writer deflates exactly when the
//! column has at least [`MIN_DEFLATE`] bytes and deflating makes it smaller, so equal columns
//! give equal bytes (with the same deflate implementation); a reader refuses an inflated
//! length beyond what deflate can reach from the stored bytes ([`MAX_RATIO`] to 1) before it
//! allocates anything, and never inflates past the declared length.

use super::Cursor;
use crate::encoding::error::{DecodeError, DecodeErrorKind};
use crate::encoding::leb128;

/// Columns shorter than this are stored raw.
pub(crate) const MIN_DEFLATE: usize = 256;

/// The largest ratio of inflated to deflated size that deflate can produce (a stream of
/// length-258 matches coded in about two bits each).
pub(crate) const MAX_RATIO: u64 = 1032;

/// The deflate level: the best ratio; columns are small and saving is not on a hot path.
const LEVEL: u8 = 9;

/// Appends a column's stored form.
pub(crate) fn write(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() >= MIN_DEFLATE {
        let deflated = miniz_oxide::deflate::compress_to_vec(bytes, LEVEL);
        if deflated.len() < bytes.len() {
            leb128::write_u64(out, (deflated.len() as u64) << 1 | 1);
            leb128::write_u64(out, bytes.len() as u64);
            out.extend_from_slice(&deflated);
            return;
        }
    }
    leb128::write_u64(out, (bytes.len() as u64) << 1);
    out.extend_from_slice(bytes);
}

/// A column read from a chunk: its bytes in the input, or inflated from there.
pub(crate) enum Stored<'a> {
    Raw(Cursor<'a>),
    Inflated { bytes: Vec<u8>, offset: usize },
}

impl Stored<'_> {
    /// A cursor over the column's bytes.
    pub(crate) fn cursor(&self) -> Cursor<'_> {
        match self {
            Stored::Raw(c) => c.clone(),
            Stored::Inflated { bytes, offset } => Cursor::inflated(bytes, *offset),
        }
    }
}

/// Reads a column's stored form, inflating it if it is deflated.
///
/// # Errors
/// A length beyond the input, an inflated length deflate cannot reach, or a deflate stream
/// that is invalid or does not inflate to exactly its declared length.
pub(crate) fn read<'a>(
    c: &mut Cursor<'a>,
    column: &'static str,
) -> Result<Stored<'a>, DecodeError> {
    let header = c.uleb()?;
    let stored_len = header >> 1;
    if header & 1 == 0 {
        return c.split(stored_len).map(Stored::Raw);
    }
    let at = c.offset();
    let inflated_len = c.uleb()?;
    let stored = c.split(stored_len)?;
    let offset = stored.offset();
    let bad = DecodeError {
        offset: at,
        kind: DecodeErrorKind::BadCompression {
            column,
            length: inflated_len,
        },
    };
    let limit = match usize::try_from(inflated_len) {
        Ok(n) if inflated_len <= stored_len.saturating_mul(MAX_RATIO) => n,
        _ => return Err(bad),
    };
    match miniz_oxide::inflate::decompress_to_vec_with_limit(stored.rest(), limit) {
        Ok(bytes) if bytes.len() == limit => Ok(Stored::Inflated { bytes, offset }),
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, bytes);
        let mut c = Cursor::new(&out, 0);
        let stored = read(&mut c, "test").unwrap();
        assert!(c.is_empty());
        let back = stored.cursor().rest().to_vec();
        back
    }

    #[test]
    fn large_repetitive_columns_are_deflated() {
        let text = "the cat sat on the mat. ".repeat(100);
        let mut out = Vec::new();
        write(&mut out, text.as_bytes());
        assert!(out.len() < text.len() / 10);
        assert_eq!(out[0] & 1, 1);
        assert_eq!(round_trip(text.as_bytes()), text.as_bytes());
        let mut small = Vec::new();
        write(&mut small, b"tiny");
        assert_eq!(small, [8, b't', b'i', b'n', b'y']);
    }

    #[test]
    fn bad_streams_and_implausible_lengths_are_refused() {
        let text = vec![b'a'; 10_000];
        let mut out = Vec::new();
        write(&mut out, &text);
        // Declare one byte more than the stream inflates to.
        let mut c = Cursor::new(&out, 0);
        let header = c.uleb().unwrap();
        let mut wrong = Vec::new();
        leb128::write_u64(&mut wrong, header);
        leb128::write_u64(&mut wrong, 10_001);
        let stored = c.uleb().map(|_| c.rest()).unwrap();
        wrong.extend_from_slice(stored);
        let err = read(&mut Cursor::new(&wrong, 0), "test").err().unwrap();
        assert!(matches!(
            err.kind,
            DecodeErrorKind::BadCompression { length: 10_001, .. }
        ));
        // A gigabyte from four bytes is refused before inflating anything.
        let mut bomb = Vec::new();
        leb128::write_u64(&mut bomb, 4 << 1 | 1);
        leb128::write_u64(&mut bomb, 1 << 30);
        bomb.extend_from_slice(&[0; 4]);
        let err = read(&mut Cursor::new(&bomb, 0), "test").err().unwrap();
        assert!(matches!(err.kind, DecodeErrorKind::BadCompression { .. }));
    }

    proptest! {
        #[test]
        fn any_column_round_trips(
            bytes in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..2000)
        ) {
            prop_assert_eq!(round_trip(&bytes), bytes);
        }

        #[test]
        fn any_bytes_read_or_fail(bytes: Vec<u8>) {
            let _ = read(&mut Cursor::new(&bytes, 0), "test");
        }
    }
}
