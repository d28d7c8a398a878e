//! Criterion benchmarks of Concord. The benches live in `benches/` beside this file, one file
//! per concern; this library holds what they and the `concord-trace` tool share.
//!
//! Run them with `cargo bench -p concord-benches`; CI only builds them (`cargo bench --no-run`).
//! A benchmark never asserts a time: the figures are read, compared and reported.

use concord::{Doc, DocError, ObjId, ObjType, ROOT};
pub use concord_testkit::trace::{load_sequential, sequential_names, Patch, SequentialTrace};

/// A fresh document holding one text object, and that object.
pub fn text_doc() -> (Doc, ObjId) {
    let mut doc = Doc::new();
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .expect("a fresh document takes a text");
    (doc, text)
}

/// Applies one trace transaction's patches as one local transaction.
pub fn apply_patches(doc: &mut Doc, text: ObjId, patches: &[Patch]) {
    doc.transact(|tx| {
        for p in patches {
            tx.splice_text(text, p.pos, p.del, &p.ins)?;
        }
        Ok::<_, DocError>(())
    })
    .expect("trace patches stay within the text");
}

/// Replays a sequential trace into a fresh document, one transaction per trace transaction.
pub fn replay_local(t: &SequentialTrace) -> (Doc, ObjId) {
    let (mut doc, text) = text_doc();
    if !t.start_content.is_empty() {
        doc.transact(|tx| tx.splice_text(text, 0, 0, &t.start_content))
            .expect("start content");
    }
    for txn in &t.txns {
        apply_patches(&mut doc, text, &txn.patches);
    }
    (doc, text)
}
