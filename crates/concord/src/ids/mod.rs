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
    /// One past the largest actor index, 2^31 - 1: a document meets fewer actors than that
    /// (their table alone would take 32 GiB), and the top bit of an index is free for a flag
    /// (see [`OptId`]).
    pub(crate) const LIMIT: u32 = (1 << 31) - 1;

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
///
/// The two halves are kept in one 64-bit word (the actor index above, the counter below), so
/// that an id is written and read as one 8-byte word: built from two 4-byte halves, an id
/// stored into a structure and read back whole soon after could not be forwarded from the two
/// stores, and the read waited for them to reach the cache. The word is aligned to 4 bytes
/// only, so that structures holding ids pack as tightly as they did with two halves (a text
/// run takes 36 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(C, packed(4))]
pub(crate) struct Id(u64);

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
        Id::from_halves(actor.0, counter as u32)
    }

    /// The id whose actor index and counter are these, unchecked (the flag of an
    /// [`OptId`] rides in the actor index's top bit).
    #[inline]
    const fn from_halves(actor: u32, counter: u32) -> Self {
        Id((actor as u64) << 32 | counter as u64)
    }

    /// The actor index.
    #[inline]
    pub(crate) const fn actor(self) -> ActorIdx {
        ActorIdx((self.0 >> 32) as u32)
    }

    /// The counter.
    #[inline]
    pub(crate) const fn counter(self) -> u64 {
        self.counter32() as u64
    }

    /// The counter as it is kept, in 32 bits.
    #[inline]
    pub(crate) const fn counter32(self) -> u32 {
        self.0 as u32
    }

    /// The id `n` ops further along the same actor's run.
    #[inline]
    pub(crate) const fn add(self, n: u64) -> Self {
        Id::new(self.actor(), self.counter() + n)
    }
}

/// An `Option<Id>` in the room of an `Id`, with room for one flag of the structure that
/// holds it: 8 bytes where `Option<Id>` takes 12, for the structures that hold one or two per
/// entry (sequence runs, op log records).
///
/// Actor indexes stay below [`ActorIdx::LIMIT`], 2^31 - 1, so the top bit of the actor index
/// is free: it holds the flag ([`OptId::flag`]). `None` is the id of actor index
/// [`ActorIdx::LIMIT`], which no actor table reaches. Comparing two `OptId`s compares their
/// flags too.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct OptId(Id);

impl OptId {
    /// The stand-in for `None`.
    const NONE: Id = Id::new(ActorIdx(ActorIdx::LIMIT), 0);

    /// The bit of the actor index that holds the flag.
    const FLAG: u32 = 1 << 31;

    /// The id, without the flag.
    #[inline]
    pub(crate) fn get(self) -> Option<Id> {
        let id = Id::from_halves(self.0.actor().0 & !Self::FLAG, self.0.counter32());
        (id != Self::NONE).then_some(id)
    }

    /// The flag.
    #[inline]
    pub(crate) fn flag(self) -> bool {
        self.0.actor().0 & Self::FLAG != 0
    }

    /// The same id with the flag set to `on`.
    #[inline]
    pub(crate) fn with_flag(self, on: bool) -> Self {
        let actor = (self.0.actor().0 & !Self::FLAG) | if on { Self::FLAG } else { 0 };
        OptId(Id::from_halves(actor, self.0.counter32()))
    }
}

impl From<Option<Id>> for OptId {
    fn from(id: Option<Id>) -> Self {
        match id {
            Some(id) => {
                debug_assert!(id.actor().0 < ActorIdx::LIMIT, "actor index past the limit");
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
        write!(f, "{}@#{}", self.counter(), self.actor().0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_8_bytes_and_keep_every_value() {
        assert_eq!(std::mem::size_of::<Id>(), 8);
        assert_eq!(std::mem::size_of::<OptId>(), 8);
        // A text run: its id, two origins (the right one with the visibility flag) and its
        // span of text.
        assert_eq!(
            std::mem::size_of::<crate::seq::Run<crate::seq::TextSpan>>(),
            36
        );
        for id in [
            Id::new(ActorIdx(3), 0),
            Id::new(ActorIdx(0), Id::MAX_COUNTER + 1),
            Id::new(ActorIdx(ActorIdx::LIMIT - 1), 1 << 31),
        ] {
            let (actor, counter) = (id.actor(), id.counter());
            let opt = OptId::from(Some(id));
            assert_eq!(opt.get(), Some(id));
            assert_eq!(format!("{id:?}"), format!("{counter}@#{}", actor.0));
            // The flag sits beside the id and leaves it as it was.
            assert!(!opt.flag());
            let flagged = opt.with_flag(true);
            assert!(flagged.flag() && flagged != opt);
            assert_eq!(flagged.get(), Some(id));
            assert_eq!(flagged.with_flag(false), opt);
        }
        assert_eq!(OptId::from(None).get(), None);
        assert_eq!(OptId::from(None).with_flag(true).get(), None);
        assert!(OptId::from(None).with_flag(true).flag());
    }
}
