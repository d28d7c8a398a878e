//! Reading a reference token as an array index (RFC 6901 section 4).

use std::fmt;

/// A token read as an array index: a position, or `-`, one past the last element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayIndex {
    /// The element at this position.
    At(usize),
    /// `-`: the (nonexistent) element after the last one, where `add` appends.
    End,
}

/// Why a token is not an array index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The empty token.
    #[error("it is empty")]
    Empty,
    /// Digits with a leading zero, like `01`, which RFC 6901 forbids.
    #[error("it has a leading zero")]
    LeadingZero,
    /// Anything but ASCII digits (signs, exponents, spaces).
    #[error("it is not made of decimal digits")]
    NotDigits,
    /// More than a `usize` holds.
    #[error("it is too large")]
    TooLarge,
}

impl ArrayIndex {
    /// Reads `token` as an array index: `0`, or digits without a leading zero, or `-`.
    ///
    /// ```
    /// use concord_json::{ArrayIndex, IndexError};
    /// assert_eq!(ArrayIndex::parse("12"), Ok(ArrayIndex::At(12)));
    /// assert_eq!(ArrayIndex::parse("-"), Ok(ArrayIndex::End));
    /// assert_eq!(ArrayIndex::parse("01"), Err(IndexError::LeadingZero));
    /// assert_eq!(ArrayIndex::parse("1e0"), Err(IndexError::NotDigits));
    /// ```
    ///
    /// # Errors
    /// [`IndexError`] says what is wrong with the token.
    pub fn parse(token: &str) -> Result<Self, IndexError> {
        if token == "-" {
            return Ok(ArrayIndex::End);
        }
        if token.is_empty() {
            return Err(IndexError::Empty);
        }
        if !token.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IndexError::NotDigits);
        }
        if token.len() > 1 && token.starts_with('0') {
            return Err(IndexError::LeadingZero);
        }
        token
            .parse()
            .map(ArrayIndex::At)
            .map_err(|_| IndexError::TooLarge)
    }
}

impl fmt::Display for ArrayIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArrayIndex::At(i) => write!(f, "{i}"),
            ArrayIndex::End => f.write_str("-"),
        }
    }
}
