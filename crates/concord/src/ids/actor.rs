use std::fmt;
use std::str::FromStr;

/// The id of a replica: 16 bytes, random unless the application gives one.
///
/// Shown and parsed as 32 lowercase hex digits.
///
/// ```
/// use concord::ActorId;
/// let a: ActorId = "000102030405060708090a0b0c0d0e0f".parse()?;
/// assert_eq!(a.to_string(), "000102030405060708090a0b0c0d0e0f");
/// assert_ne!(ActorId::random(), ActorId::random());
/// # Ok::<(), concord::ParseActorIdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId([u8; 16]);

impl ActorId {
    /// A fresh random actor id.
    pub fn random() -> Self {
        ActorId(rand::random())
    }

    /// The actor id with these bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        ActorId(bytes)
    }

    /// The 16 bytes of this id.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The bytes of this id, borrowed.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl From<[u8; 16]> for ActorId {
    fn from(bytes: [u8; 16]) -> Self {
        ActorId(bytes)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorId({self})")
    }
}

/// Why a string is not an [`ActorId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseActorIdError {
    /// The string does not have exactly 32 characters.
    #[error("an actor id has 32 hex digits, found {found} characters")]
    WrongLength {
        /// How many characters the string has.
        found: usize,
    },
    /// A character is not a hex digit.
    #[error("character {index} of the actor id is not a hex digit")]
    NotHex {
        /// The index of the first offending character.
        index: usize,
    },
}

impl FromStr for ActorId {
    type Err = ParseActorIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 32 {
            return Err(ParseActorIdError::WrongLength {
                found: s.chars().count(),
            });
        }
        let mut out = [0u8; 16];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let digit = |k: usize| {
                (pair[k] as char)
                    .to_digit(16)
                    .ok_or(ParseActorIdError::NotHex { index: 2 * i + k })
            };
            out[i] = (digit(0)? * 16 + digit(1)?) as u8;
        }
        Ok(ActorId(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        let a = ActorId::from_bytes([0xab; 16]);
        assert_eq!(a.to_string().parse::<ActorId>(), Ok(a));
        assert_eq!(
            "abc".parse::<ActorId>(),
            Err(ParseActorIdError::WrongLength { found: 3 })
        );
        let bad = format!("{}g", "0".repeat(31));
        assert_eq!(
            bad.parse::<ActorId>(),
            Err(ParseActorIdError::NotHex { index: 31 })
        );
        // Multi-byte characters never slice a char boundary.
        let wide = "é".repeat(16);
        assert!(wide.parse::<ActorId>().is_err());
    }
}
