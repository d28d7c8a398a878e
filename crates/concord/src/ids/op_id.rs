use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{ActorId, ParseActorIdError};

/// The id of an operation: `counter@actor`.
///
/// `counter` is a Lamport clock: a new op takes one more than the largest counter its replica
/// has seen. Op ids are totally ordered by counter, then by actor bytes; the register winner is
/// the value with the greatest op id.
///
/// ```
/// use concord::{ActorId, OpId};
/// let id: OpId = "7@000102030405060708090a0b0c0d0e0f".parse()?;
/// assert_eq!(id.counter(), 7);
/// assert_eq!(id.to_string(), "7@000102030405060708090a0b0c0d0e0f");
/// assert!(OpId::new(8, ActorId::from_bytes([0; 16])) > id);
/// # Ok::<(), concord::ParseOpIdError>(())
/// ```
// `repr(C)` keeps the counter first and the actor in the id's second half, where a copy of
// an `ObjId` in 16-byte moves puts it whole: a lookup of the actor reads it from one store
// the CPU can forward, not from two.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct OpId {
    counter: u64,
    actor: ActorId,
}

impl OpId {
    /// The op id `counter@actor`.
    pub const fn new(counter: u64, actor: ActorId) -> Self {
        OpId { counter, actor }
    }

    /// The Lamport counter.
    pub const fn counter(&self) -> u64 {
        self.counter
    }

    /// The replica that made the op.
    pub const fn actor(&self) -> ActorId {
        self.actor
    }

    /// The replica that made the op, in place: looking it up reads the id where it is, field
    /// by field, instead of copying the whole id first.
    pub(crate) const fn actor_ref(&self) -> &ActorId {
        &self.actor
    }
}

impl Ord for OpId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.counter
            .cmp(&other.counter)
            .then_with(|| self.actor.cmp(&other.actor))
    }
}

impl PartialOrd for OpId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.counter, self.actor)
    }
}

impl fmt::Debug for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not an [`OpId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseOpIdError {
    /// There is no `@` between the counter and the actor.
    #[error("an op id has the form counter@actor, found no '@'")]
    MissingAt,
    /// The counter is not a decimal number that fits in 64 bits.
    #[error("the counter of an op id is not a 64-bit decimal number")]
    BadCounter,
    /// The actor part is not an actor id.
    #[error("bad actor in op id: {0}")]
    BadActor(#[from] ParseActorIdError),
}

impl FromStr for OpId {
    type Err = ParseOpIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (counter, actor) = s.split_once('@').ok_or(ParseOpIdError::MissingAt)?;
        if counter.is_empty() || !counter.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseOpIdError::BadCounter);
        }
        let counter = counter.parse().map_err(|_| ParseOpIdError::BadCounter)?;
        Ok(OpId::new(counter, actor.parse()?))
    }
}

/// The id of an object: the root map, or the op id of the op that created the object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ObjId {
    /// The root map every document has.
    #[default]
    Root,
    /// The object made by this op.
    Op(OpId),
}

/// The root map of every document.
pub const ROOT: ObjId = ObjId::Root;

impl From<OpId> for ObjId {
    fn from(id: OpId) -> Self {
        ObjId::Op(id)
    }
}

impl From<&OpId> for ObjId {
    fn from(id: &OpId) -> Self {
        ObjId::Op(*id)
    }
}

impl AsRef<ObjId> for ObjId {
    fn as_ref(&self) -> &ObjId {
        self
    }
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjId::Root => f.write_str("_root"),
            ObjId::Op(id) => fmt::Display::fmt(id, f),
        }
    }
}

impl fmt::Debug for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for ObjId {
    type Err = ParseOpIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "_root" {
            Ok(ObjId::Root)
        } else {
            s.parse().map(ObjId::Op)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors() {
        let actor = "000102030405060708090a0b0c0d0e0f";
        assert_eq!("12".parse::<OpId>(), Err(ParseOpIdError::MissingAt));
        assert_eq!(
            format!("+1@{actor}").parse::<OpId>(),
            Err(ParseOpIdError::BadCounter)
        );
        assert_eq!(
            format!("99999999999999999999999@{actor}").parse::<OpId>(),
            Err(ParseOpIdError::BadCounter)
        );
        assert!(matches!(
            "1@xyz".parse::<OpId>(),
            Err(ParseOpIdError::BadActor(_))
        ));
        assert_eq!("_root".parse::<ObjId>(), Ok(ROOT));
    }
}
