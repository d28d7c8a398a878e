//! LEB128 variable-length integers: unsigned, and signed through the zigzag mapping.
//!
//! An unsigned number is written seven bits at a time, least significant group first; every
//! byte but the last has its high bit set. Small numbers, the common case everywhere in the
//! format (run lengths, deltas of one, small indexes), take one byte.
//!
//! Signed numbers are zigzag-mapped first (0, -1, 1, -2, 2, ... become 0, 1, 2, 3, 4, ...), so
//! a small magnitude of either sign is a small unsigned number.
//!
//! Laws:
//! - `read_u64(write_u64(n)) == n` for every `n`, and the encoding is the shortest one: a
//!   reader refuses an overlong encoding (a last byte of zero after the first) and anything
//!   beyond 64 bits, so every number has exactly one encoding.
//! - `unzigzag(zigzag(n)) == n` for every `i64`, and `|n|` small ⇒ `zigzag(n)` small.

/// Why bytes are not a LEB128 number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LebError {
    /// The input ends before the last byte of the number.
    Truncated,
    /// The number has a needless trailing zero group.
    Overlong,
    /// The number does not fit in 64 bits.
    Overflow,
}

/// Appends `n` in unsigned LEB128.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends `n` zigzag-mapped, in unsigned LEB128.
pub(crate) fn write_i64(out: &mut Vec<u8>, n: i64) {
    write_u64(out, zigzag(n));
}

/// Reads an unsigned LEB128 number at the start of `data`: the number and the bytes it took.
///
/// # Errors
/// [`LebError`] if the bytes are not the shortest encoding of a 64-bit number.
#[inline]
pub(crate) fn read_u64(data: &[u8]) -> Result<(u64, usize), LebError> {
    match data.first() {
        Some(&b) if b < 0x80 => Ok((u64::from(b), 1)),
        Some(_) => read_u64_slow(data),
        None => Err(LebError::Truncated),
    }
}

fn read_u64_slow(data: &[u8]) -> Result<(u64, usize), LebError> {
    let mut n = 0u64;
    for (i, &b) in data.iter().enumerate() {
        let group = u64::from(b & 0x7f);
        if i == 9 && b > 1 {
            // The tenth byte holds the 64th bit only.
            return Err(LebError::Overflow);
        }
        n |= group << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(LebError::Overlong);
            }
            return Ok((n, i + 1));
        }
    }
    Err(LebError::Truncated)
}

/// Maps a signed number to an unsigned one of about the same magnitude.
pub(crate) const fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub(crate) const fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_u64(&mut out, n);
        out
    }

    #[test]
    fn known_encodings() {
        assert_eq!(encode(0), [0]);
        assert_eq!(encode(127), [0x7f]);
        assert_eq!(encode(128), [0x80, 0x01]);
        assert_eq!(encode(300), [0xac, 0x02]);
        assert_eq!(encode(u64::MAX).len(), 10);
        assert_eq!(*encode(u64::MAX).last().unwrap(), 1);
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(i64::MIN), u64::MAX);
        assert_eq!(zigzag(i64::MAX), u64::MAX - 1);
    }

    #[test]
    fn refuses_what_is_not_a_shortest_64_bit_number() {
        assert_eq!(read_u64(&[]), Err(LebError::Truncated));
        assert_eq!(read_u64(&[0x80]), Err(LebError::Truncated));
        assert_eq!(read_u64(&[0x80, 0x00]), Err(LebError::Overlong));
        assert_eq!(read_u64(&[0xff, 0x80, 0x00]), Err(LebError::Overlong));
        let mut too_big = vec![0xff; 9];
        too_big.push(0x02);
        assert_eq!(read_u64(&too_big), Err(LebError::Overflow));
        let mut too_long = vec![0xff; 10];
        too_long.push(0x01);
        assert_eq!(read_u64(&too_long), Err(LebError::Overflow));
        // Trailing bytes are the caller's business.
        assert_eq!(read_u64(&[0x05, 0xff]), Ok((5, 1)));
    }

    proptest! {
        #[test]
        fn unsigned_round_trip(n: u64, tail: Vec<u8>) {
            let mut bytes = encode(n);
            let len = bytes.len();
            prop_assert_eq!(len, (64 - (n | 1).leading_zeros() as usize).div_ceil(7));
            bytes.extend(tail);
            prop_assert_eq!(read_u64(&bytes), Ok((n, len)));
        }

        #[test]
        fn signed_round_trip(n: i64) {
            prop_assert_eq!(unzigzag(zigzag(n)), n);
            let mut bytes = Vec::new();
            write_i64(&mut bytes, n);
            let (z, _) = read_u64(&bytes).unwrap();
            prop_assert_eq!(unzigzag(z), n);
            prop_assert!(zigzag(n) <= n.unsigned_abs().saturating_mul(2));
        }

        #[test]
        fn any_bytes_decode_to_the_only_encoding_or_fail(bytes: Vec<u8>) {
            if let Ok((n, len)) = read_u64(&bytes) {
                prop_assert_eq!(&bytes[..len], &encode(n)[..]);
            }
        }
    }
}
