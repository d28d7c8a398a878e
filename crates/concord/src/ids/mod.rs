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
/// `id.add(k)`.
///
/// The counter is kept in 32 bits, so that an id takes 8 bytes: the structures that hold two
/// or three ids per entry (sequence runs, op log records, the id index) are the bulk of a
/// document's memory. A document's ops therefore have counters up to [`Id::MAX_COUNTER`]:
/// every way in (a local edit, a change, a saved document, a sync message) refuses one past
/// it with a typed error, as Yjs's 32-bit clocks do. The counter one past the largest
/// ([`Id::MAX_COUNTER`] + 1, where a run ends) still fits, so that a run's end is an id too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Id {
    pub(crate) actor: ActorIdx,
    counter: u32,
}

impl Id {
    /// The largest counter an op of a document may have: 2^32 - 2.
    pub(crate) const MAX_COUNTER: u64 = u32::MAX as u64 - 1;

    /// The id of op `counter` of `actor`.
    ///
    /// # Panics
    /// If `counter` passes [`Id::MAX_COUNTER`] + 1. The ways into a document check counters
    /// against the limit first; this keeps a missed check from corrupting ids.
    #[inline]
    pub(crate) const fn new(actor: ActorIdx, counter: u64) -> Self {
        assert!(
            counter <= u32::MAX as u64,
            "op counter past the 32-bit limit"
        );
        Id {
            actor,
            counter: counter as u32,
        }
    }

    /// The counter.
    #[inline]
    pub(crate) const fn counter(self) -> u64 {
        self.counter as u64
    }

    /// The counter as it is kept, in 32 bits.
    #[inline]
    pub(crate) const fn counter32(self) -> u32 {
        self.counter
    }

    /// The id `n` ops further along the same actor's run.
    #[inline]
    pub(crate) const fn add(self, n: u64) -> Self {
        Id::new(self.actor, self.counter() + n)
    }
}

/// An `Option<Id>` in the room of an `Id`: 8 bytes where `Option<Id>` takes 12, for the
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
    fn ids_take_8_bytes_and_keep_every_value() {
        assert_eq!(std::mem::size_of::<Id>(), 8);
        assert_eq!(std::mem::size_of::<OptId>(), 8);
        // A text run: its id, two origins, its span of text and its visibility.
        assert_eq!(
            std::mem::size_of::<crate::seq::Run<crate::seq::TextSpan>>(),
            40
        );
        for id in [
            Id::new(ActorIdx(3), 0),
            Id::new(ActorIdx(0), Id::MAX_COUNTER + 1),
            Id::new(ActorIdx(u32::MAX - 1), 1 << 31),
        ] {
            let (actor, counter) = (id.actor, id.counter);
            assert_eq!(OptId::from(Some(id)).get(), Some(id));
            assert_eq!(format!("{id:?}"), format!("{counter}@#{}", actor.0));
        }
        assert_eq!(OptId::from(None).get(), None);
    }
}
