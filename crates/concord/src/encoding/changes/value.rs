//! Values written by puts and list inserts: a type tag and byte length in the `op.value_meta`
//! column (`length << 4 | tag`), and the bytes in the `op.value` column.
//!
//! Values of one type and size (a column of small integers, of booleans) make runs in the
//! metadata column, and the bytes of strings sit together where they compress well.

use crate::change::NewValue;
use crate::encoding::column::raw::RawDecoder;
use crate::encoding::column::rle::{RleDecoder, RleEncoder};
use crate::encoding::cursor::Cursor;
use crate::encoding::error::{DecodeError, DecodeErrorKind};
use crate::encoding::leb128;
use crate::{ObjType, ScalarValue};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
const INT: u8 = 4;
const F64: u8 = 5;
const STR: u8 = 6;
const BYTES: u8 = 7;
const COUNTER: u8 = 8;
const TIMESTAMP: u8 = 9;
const MAP: u8 = 10;
const LIST: u8 = 11;
const TEXT: u8 = 12;

/// Appends a value to the metadata and byte columns.
pub(super) fn write(v: &NewValue, meta: &mut RleEncoder<u64>, raw: &mut Vec<u8>) {
    meta.append(write_bytes(v, raw));
}

/// Appends a value as one item: its metadata as a uLEB, then its bytes (the form of the
/// compact changes of sync messages).
pub(crate) fn write_inline(v: &NewValue, out: &mut Vec<u8>) {
    let mut raw = Vec::new();
    let meta = write_bytes(v, &mut raw);
    leb128::write_u64(out, meta);
    out.extend_from_slice(&raw);
}

/// Reads a value that [`write_inline`] wrote.
///
/// # Errors
/// As [`read`].
pub(crate) fn read_inline(c: &mut Cursor<'_>) -> Result<NewValue, DecodeError> {
    let meta = c.uleb()?;
    let offset = c.offset();
    let mut raw = RawDecoder::new(c.split(meta >> 4)?, "op.value");
    let value = read_parts(meta, offset, &mut raw)?;
    raw.finish()?;
    Ok(value)
}

/// Appends a value's bytes to `raw` and returns its metadata.
fn write_bytes(v: &NewValue, raw: &mut Vec<u8>) -> u64 {
    let start = raw.len();
    let tag = match v {
        NewValue::Object(ObjType::Map) => MAP,
        NewValue::Object(ObjType::List) => LIST,
        NewValue::Object(ObjType::Text) => TEXT,
        NewValue::Scalar(s) => match s {
            ScalarValue::Null => NULL,
            ScalarValue::Bool(false) => FALSE,
            ScalarValue::Bool(true) => TRUE,
            ScalarValue::Uint(n) => {
                leb128::write_u64(raw, *n);
                UINT
            }
            ScalarValue::Int(n) => {
                leb128::write_i64(raw, *n);
                INT
            }
            ScalarValue::F64(x) => {
                raw.extend_from_slice(&x.to_le_bytes());
                F64
            }
            ScalarValue::Str(s) => {
                raw.extend_from_slice(s.as_bytes());
                STR
            }
            ScalarValue::Bytes(b) => {
                raw.extend_from_slice(b);
                BYTES
            }
            ScalarValue::Counter(n) => {
                leb128::write_i64(raw, *n);
                COUNTER
            }
            ScalarValue::Timestamp(n) => {
                leb128::write_i64(raw, *n);
                TIMESTAMP
            }
        },
    };
    let len = (raw.len() - start) as u64;
    len << 4 | u64::from(tag)
}

/// Reads the next value.
///
/// # Errors
/// An unknown type tag, a length that does not suit the type, bytes beyond the column, a
/// number that is not the one shortest LEB128 filling the length, or a string that is not
/// UTF-8.
pub(super) fn read<'a>(
    meta: &mut RleDecoder<'a, u64>,
    raw: &mut RawDecoder<'a>,
) -> Result<NewValue, DecodeError> {
    let m = meta.value()?;
    read_parts(m, meta.offset(), raw)
}

/// Reads the value whose metadata is `m` (found at `meta_offset`) and whose bytes `raw` holds.
fn read_parts(
    m: u64,
    meta_offset: usize,
    raw: &mut RawDecoder<'_>,
) -> Result<NewValue, DecodeError> {
    let tag = (m & 0xf) as u8;
    let len = m >> 4;
    let bad_length = |offset| DecodeError {
        offset,
        kind: DecodeErrorKind::BadValueLength { tag, length: len },
    };
    let fixed = |want: u64| {
        if len == want {
            Ok(())
        } else {
            Err(bad_length(meta_offset))
        }
    };
    let scalar = match tag {
        MAP | LIST | TEXT => {
            fixed(0)?;
            let typ = match tag {
                MAP => ObjType::Map,
                LIST => ObjType::List,
                _ => ObjType::Text,
            };
            return Ok(NewValue::Object(typ));
        }
        NULL => fixed(0).map(|()| ScalarValue::Null)?,
        FALSE | TRUE => fixed(0).map(|()| ScalarValue::Bool(tag == TRUE))?,
        F64 => {
            fixed(8)?;
            let bytes = raw.bytes(8)?;
            let mut x = [0; 8];
            x.copy_from_slice(bytes);
            ScalarValue::F64(f64::from_le_bytes(x))
        }
        UINT | INT | COUNTER | TIMESTAMP => {
            let mut c = raw.cursor(len)?;
            let offset = c.offset();
            let n = c.uleb()?;
            if !c.is_empty() {
                return Err(bad_length(offset));
            }
            match tag {
                UINT => ScalarValue::Uint(n),
                INT => ScalarValue::Int(leb128::unzigzag(n)),
                COUNTER => ScalarValue::Counter(leb128::unzigzag(n)),
                _ => ScalarValue::Timestamp(leb128::unzigzag(n)),
            }
        }
        STR => {
            let mut c = raw.cursor(len)?;
            let offset = c.offset();
            let bytes = c.bytes(len)?;
            let s = std::str::from_utf8(bytes).map_err(|_| DecodeError {
                offset,
                kind: DecodeErrorKind::InvalidUtf8,
            })?;
            ScalarValue::Str(s.to_owned())
        }
        BYTES => ScalarValue::Bytes(raw.bytes(len)?.to_vec()),
        _ => {
            return Err(DecodeError {
                offset: meta_offset,
                kind: DecodeErrorKind::UnknownValueType(tag),
            })
        }
    };
    Ok(NewValue::Scalar(scalar))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scalar() -> impl Strategy<Value = ScalarValue> {
        prop_oneof![
            Just(ScalarValue::Null),
            any::<bool>().prop_map(ScalarValue::Bool),
            any::<u64>().prop_map(ScalarValue::Uint),
            any::<i64>().prop_map(ScalarValue::Int),
            any::<f64>().prop_map(ScalarValue::F64),
            ".*".prop_map(ScalarValue::Str),
            any::<Vec<u8>>().prop_map(ScalarValue::Bytes),
            any::<i64>().prop_map(ScalarValue::Counter),
            any::<i64>().prop_map(ScalarValue::Timestamp),
        ]
    }

    fn value() -> impl Strategy<Value = NewValue> {
        prop_oneof![
            4 => scalar().prop_map(NewValue::Scalar),
            1 => prop_oneof![Just(ObjType::Map), Just(ObjType::List), Just(ObjType::Text)]
                .prop_map(NewValue::Object),
        ]
    }

    fn encode(values: &[NewValue]) -> (Vec<u8>, Vec<u8>) {
        let mut meta = RleEncoder::default();
        let mut raw = Vec::new();
        for v in values {
            write(v, &mut meta, &mut raw);
        }
        (meta.finish(), raw)
    }

    fn decode(meta: &[u8], raw: &[u8], n: usize) -> Result<Vec<NewValue>, DecodeError> {
        let mut meta = RleDecoder::new(Cursor::new(meta, 0), "op.value_meta");
        let mut raw = RawDecoder::new(Cursor::new(raw, 1000), "op.value");
        let values = (0..n)
            .map(|_| read(&mut meta, &mut raw))
            .collect::<Result<_, _>>()?;
        meta.finish()?;
        raw.finish()?;
        Ok(values)
    }

    /// NaN is not equal to itself, so values compare by their encoding.
    fn same(a: &[NewValue], b: &[NewValue]) -> bool {
        encode(a) == encode(b)
    }

    #[test]
    fn malformed_values_are_refused() {
        let kind = |meta: &[u8], raw: &[u8]| decode(meta, raw, 1).unwrap_err().kind;
        // One literal run of one metadata value.
        let one = |m: u64| {
            let mut e = RleEncoder::default();
            e.append(m);
            e.finish()
        };
        assert_eq!(kind(&one(13), &[]), DecodeErrorKind::UnknownValueType(13));
        assert_eq!(
            kind(&one(1 << 4 | u64::from(TRUE)), &[0]),
            DecodeErrorKind::BadValueLength {
                tag: TRUE,
                length: 1
            }
        );
        assert_eq!(
            kind(&one(2 << 4 | u64::from(UINT)), &[1, 0]),
            DecodeErrorKind::BadValueLength {
                tag: UINT,
                length: 2
            }
        );
        assert_eq!(
            kind(&one(2 << 4 | u64::from(UINT)), &[0x80, 0]),
            DecodeErrorKind::OverlongLeb128
        );
        assert_eq!(
            kind(&one(1 << 4 | u64::from(STR)), &[0xff]),
            DecodeErrorKind::InvalidUtf8
        );
        assert_eq!(
            kind(&one(4 << 4 | u64::from(F64)), &[0; 4]),
            DecodeErrorKind::BadValueLength {
                tag: F64,
                length: 4
            }
        );
        assert_eq!(
            kind(&one(9 << 4 | u64::from(BYTES)), &[0; 4]),
            DecodeErrorKind::ColumnTooShort { column: "op.value" }
        );
    }

    proptest! {
        #[test]
        fn round_trip(values in proptest::collection::vec(value(), 0..20)) {
            let (meta, raw) = encode(&values);
            let back = decode(&meta, &raw, values.len()).unwrap();
            prop_assert!(same(&back, &values));
        }
    }
}
