//! RFC 6901 JSON Pointer: `/a/b~1c/0` names a value inside a JSON document.
//!
//! A pointer is kept parsed, as its list of reference tokens with the `~0` / `~1` escapes
//! undone, so that resolving it never re-parses and two spellings of one pointer compare
//! equal. Whether a token is a map key or an array index depends on the value it is applied
//! to, so tokens stay strings; [`ArrayIndex::parse`] reads one as an index when an array is
//! met. Patterns ([`PathPatterns`]) reuse the same type with `*` standing for any one token.

mod index;
mod pattern;

pub use index::{ArrayIndex, IndexError};
pub(crate) use pattern::matches_prefix;
pub use pattern::PathPatterns;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A parsed JSON Pointer (RFC 6901).
///
/// ```
/// use concord_json::JsonPointer;
/// let p: JsonPointer = "/a~1b/m~0n/0".parse()?;
/// assert_eq!(p.tokens(), ["a/b", "m~n", "0"]);
/// assert_eq!(p.to_string(), "/a~1b/m~0n/0");
/// assert!(JsonPointer::root().is_empty());
/// # Ok::<(), concord_json::PointerError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPointer {
    tokens: Vec<String>,
}

/// A string that is not a JSON Pointer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PointerError {
    /// A non-empty pointer must start with `/`.
    #[error("a JSON pointer is empty or starts with '/', this one starts with {found:?}")]
    MissingSlash {
        /// The first character found.
        found: char,
    },
    /// A `~` not followed by `0` or `1`.
    #[error("'~' at byte {offset} is not followed by '0' or '1'")]
    BadEscape {
        /// The byte offset of the `~` in the pointer.
        offset: usize,
    },
}

impl JsonPointer {
    /// The empty pointer: the whole document.
    pub fn root() -> Self {
        JsonPointer { tokens: Vec::new() }
    }

    /// A pointer made of these (unescaped) tokens.
    pub fn from_tokens<S: Into<String>>(tokens: impl IntoIterator<Item = S>) -> Self {
        JsonPointer {
            tokens: tokens.into_iter().map(Into::into).collect(),
        }
    }

    /// Parses the text form.
    ///
    /// # Errors
    /// [`PointerError::MissingSlash`], [`PointerError::BadEscape`].
    pub fn parse(s: &str) -> Result<Self, PointerError> {
        let Some(rest) = s.strip_prefix('/') else {
            return match s.chars().next() {
                None => Ok(Self::root()),
                Some(found) => Err(PointerError::MissingSlash { found }),
            };
        };
        let mut tokens = Vec::new();
        let mut offset = 1;
        for raw in rest.split('/') {
            tokens.push(unescape(raw, offset)?);
            offset += raw.len() + 1;
        }
        Ok(JsonPointer { tokens })
    }

    /// The reference tokens, unescaped.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The number of tokens: how many containers down the pointer goes.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether this is the empty pointer, naming the whole document.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// This pointer with one more token.
    pub fn child(&self, token: impl Into<String>) -> Self {
        let mut tokens = self.tokens.clone();
        tokens.push(token.into());
        JsonPointer { tokens }
    }

    /// Appends a token.
    pub fn push(&mut self, token: impl Into<String>) {
        self.tokens.push(token.into());
    }

    /// Removes the last token and returns it.
    pub fn pop(&mut self) -> Option<String> {
        self.tokens.pop()
    }

    /// The pointer to the container of this value and the last token, or `None` for the root.
    pub fn split_last(&self) -> Option<(JsonPointer, &str)> {
        let (last, parent) = self.tokens.split_last()?;
        Some((JsonPointer::from_tokens(parent.iter().cloned()), last))
    }

    /// Whether `self` is `other` or inside it.
    pub fn starts_with(&self, other: &JsonPointer) -> bool {
        self.tokens.starts_with(&other.tokens)
    }

    /// `other`'s tokens appended to this pointer.
    pub fn join(&self, other: &JsonPointer) -> Self {
        let mut tokens = self.tokens.clone();
        tokens.extend(other.tokens.iter().cloned());
        JsonPointer { tokens }
    }
}

fn unescape(raw: &str, offset: usize) -> Result<String, PointerError> {
    if !raw.contains('~') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '0')) => out.push('~'),
            Some((_, '1')) => out.push('/'),
            _ => return Err(PointerError::BadEscape { offset: offset + i }),
        }
    }
    Ok(out)
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for token in &self.tokens {
            f.write_str("/")?;
            for c in token.chars() {
                match c {
                    '~' => f.write_str("~0")?,
                    '/' => f.write_str("~1")?,
                    c => fmt::Write::write_char(f, c)?,
                }
            }
        }
        Ok(())
    }
}

impl FromStr for JsonPointer {
    type Err = PointerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPointer::parse(s)
    }
}

impl Serialize for JsonPointer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for JsonPointer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        JsonPointer::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_undone_in_order() {
        // "~01" is "~1" unescaped once, not "/".
        assert_eq!(JsonPointer::parse("/~01").unwrap().tokens(), ["~1"]);
        assert_eq!(JsonPointer::parse("/~10").unwrap().tokens(), ["/0"]);
    }

    #[test]
    fn bad_escape_offsets_point_at_the_tilde() {
        assert_eq!(
            JsonPointer::parse("/ab/c~2"),
            Err(PointerError::BadEscape { offset: 5 })
        );
        assert_eq!(
            JsonPointer::parse("/~"),
            Err(PointerError::BadEscape { offset: 1 })
        );
    }
}
