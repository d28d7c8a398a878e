//! Helpers shared by the tests: fixed actors, and a rendering of a whole document (conflicts
//! included) that two replicas must agree on exactly (the fuzzing harnesses' own).

use concord::{ActorId, Doc};

/// The actor with every byte `b`: tests pick actors so the winner of a conflict is known.
pub fn actor(b: u8) -> ActorId {
    ActorId::from_bytes([b; 16])
}

/// A document edited by `actor(b)`.
pub fn doc(b: u8) -> Doc {
    Doc::with_actor(actor(b))
}

/// Every visible value of the document, with every conflict and op id, as text.
pub use concord::fuzzing::render;

/// Merges `a` and `b` both ways.
pub fn sync(a: &mut Doc, b: &mut Doc) {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
}
