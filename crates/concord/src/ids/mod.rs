//! Identifiers, in two spaces with one border between them.
//!
//! Outside the engine (the public API, changes exchanged between replicas) an operation is named
//! by an [`OpId`]: a Lamport counter and the 16-byte [`ActorId`] of the replica that made it.
//! Inside a document the same operation is an [`Id`]: the counter and an [`ActorIdx`], the
//! position of the actor in the document's actor table. Internal ids are small `Copy` values
//! that hash and compare cheaply, so every structure keyed by op (registers, sequence runs, the
//! id index) stores them instead of the 24-byte public form. The translation happens only where
//! data crosses the API: [`crate::doc`] resolves every incoming `OpId` once and renders
//! outgoing ones from the actor table.
//!
//! Actor indexes are assigned in the order a document first meets an actor, so they differ
//! between replicas; nothing that two replicas must agree on (ordering, encoding) may depend on
//! them. Where the model orders ops by actor, it compares the actor bytes through the table.

mod actor;
mod op_id;

pub use actor::{ActorId, ParseActorIdError};
pub use op_id::{ObjId, OpId, ParseOpIdError, ROOT};

use std::fmt;

/// The index of an actor in a document's actor table (internal id space).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub(crate) struct ActorIdx(pub(crate) u32);

impl ActorIdx {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// An operation id in the internal id space: a Lamport counter and an actor index.
///
/// A run of `n` consecutive ops by one actor is named by its first id; op `k` of the run is
/// `Id { actor, counter: counter + k }`.
///
/// Packed to 12 bytes with an alignment of 4: the structures that hold two or three ids per
/// entry (sequence runs, op log records) would otherwise pay 4 bytes of padding for each. Its
/// fields are read and written by value; a reference to `counter` would be unaligned, which
/// the compiler refuses.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C, packed(4))]
pub(crate) struct Id {
    pub(crate) actor: ActorIdx,
    pub(crate) counter: u64,
}

impl Id {
    pub(crate) const fn new(actor: ActorIdx, counter: u64) -> Self {
        Id { actor, counter }
    }

    /// The id `n` ops further along the same actor's run.
    pub(crate) const fn add(self, n: u64) -> Self {
        Id {
            actor: self.actor,
            counter: self.counter + n,
        }
    }
}

/// An `Option<Id>` in the room of an `Id`: 12 bytes where `Option<Id>` takes 16, for the
/// structures that hold one or two per entry (sequence runs, op log records).
///
/// `None` is the id of actor index `u32::MAX`, which no actor table ever reaches.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct OptId(Id);

impl OptId {
    /// The stand-in for `None`.
    const NONE: Id = Id::new(ActorIdx(u32::MAX), 0);

    /// No id.
    pub(crate) const ABSENT: OptId = OptId(Self::NONE);

    pub(crate) fn get(self) -> Option<Id> {
        (self.0 != Self::NONE).then_some(self.0)
    }
}

impl From<Option<Id>> for OptId {
    fn from(id: Option<Id>) -> Self {
        match id {
            Some(id) => {
                debug_assert!(id.actor != Self::NONE.actor, "actor index u32::MAX");
                OptId(id)
            }
            None => OptId(Self::NONE),
        }
    }
}

impl fmt::Debug for OptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counter = self.counter;
        write!(f, "{counter}@#{}", self.actor.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_12_bytes_and_keep_every_value() {
        assert_eq!(std::mem::size_of::<Id>(), 12);
        assert_eq!(std::mem::size_of::<OptId>(), 12);
        // A text run: its id, two origins, its span of text and its visibility.
        assert_eq!(
            std::mem::size_of::<crate::seq::Run<crate::seq::TextSpan>>(),
            52
        );
        for id in [
            Id::new(ActorIdx(3), 0),
            Id::new(ActorIdx(0), u64::MAX),
            Id::new(ActorIdx(u32::MAX - 1), 1 << 40),
        ] {
            let (actor, counter) = (id.actor, id.counter);
            assert_eq!(OptId::from(Some(id)).get(), Some(id));
            assert_eq!(format!("{id:?}"), format!("{counter}@#{}", actor.0));
        }
        assert_eq!(OptId::from(None).get(), None);
    }
}
