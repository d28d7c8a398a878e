//! Helpers shared by the tests: fixed actors, and a rendering of a whole document (conflicts
//! included) that two replicas must agree on exactly (the fuzzing harnesses' own).

use concord::{ActorId, Doc, DocError, ObjId, ObjType, ROOT};
use concord_testkit::{Patch, SequentialTrace};

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

/// A document by `actor(0)` holding one text object, and that object.
pub fn text_doc() -> (Doc, ObjId) {
    let mut doc = Doc::with_actor(actor(0));
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .unwrap();
    (doc, text)
}

/// Applies one trace transaction's patches to `text` as one transaction.
pub fn apply_patches<'a>(doc: &mut Doc, text: ObjId, patches: impl IntoIterator<Item = Patch<'a>>) {
    doc.transact(|tx| {
        for p in patches {
            tx.splice_text(text, p.pos, p.del, p.ins)?;
        }
        Ok::<_, DocError>(())
    })
    .unwrap();
}

/// Replays a sequential trace, one transaction per trace transaction, into a fresh document.
pub fn replay_sequential(trace: &SequentialTrace) -> (Doc, ObjId) {
    let (mut doc, text) = text_doc();
    for txn in trace.txns() {
        apply_patches(&mut doc, text, txn.patches());
    }
    (doc, text)
}
