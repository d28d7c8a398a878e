//! The harness of the `load` fuzz target: arbitrary bytes into every entry point that takes
//! saved bytes.

use crate::encoding::frame;
use crate::{Doc, ObjType, ReadDoc, ScalarValue, ROOT};

use super::render;

/// Feeds `data` to every entry point that takes saved bytes: [`Doc::load`],
/// [`Doc::load_incremental`] onto a small document, and [`crate::decode_changes`]; then does
/// the same with the checksums of `data`'s chunks recomputed, so that mutated chunks reach the
/// decoder instead of stopping at their checksum.
///
/// # Panics
/// On a bug: if anything panics; if a failed incremental load changes the document; if a
/// document that loads does not save to bytes that load back to the same heads and state.
pub fn load(data: &[u8]) {
    check(data);
    let resealed = frame::reseal(data);
    if resealed != data {
        check(&resealed);
    }
}

fn check(data: &[u8]) {
    let _ = crate::decode_changes(data);
    if let Ok(mut doc) = Doc::load(data) {
        let again = Doc::load(&doc.save()).expect("a loaded document's save loads");
        assert_eq!(again.heads(), doc.heads());
        assert_eq!(render(&again), render(&doc));
    }
    let mut doc = small_doc();
    let before = snapshot(&doc);
    if doc.load_incremental(data).is_err() {
        assert!(
            snapshot(&doc) == before,
            "a failed load_incremental changed the document"
        );
    }
}

/// A document with a bit of everything, made by two actors, one edit of which is concurrent.
pub(super) fn small_doc() -> Doc {
    let mut a = Doc::with_actor([1; 16].into());
    let (list, text) = a
        .transact(|tx| {
            tx.put(ROOT, "n", 1)?;
            tx.put(ROOT, "c", ScalarValue::counter(0))?;
            let list = tx.put_object(ROOT, "l", ObjType::List)?;
            tx.insert(list, 0, "x")?;
            let text = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(text, 0, 0, "hello")?;
            Ok::<_, crate::DocError>((list, text))
        })
        .expect("a fresh document takes these edits");
    let mut b = a.fork();
    b.set_actor([2; 16].into());
    a.transact(|tx| tx.put(ROOT, "n", 2))
        .expect("the key exists");
    b.transact(|tx| {
        tx.put(ROOT, "n", 3)?;
        tx.increment(ROOT, "c", 5)?;
        tx.insert(list, 1, true)?;
        tx.splice_text(text, 1, 2, "EY")
    })
    .expect("the objects exist");
    a.merge(&b).expect("a replica's changes apply");
    a
}

/// Everything an incremental load could change: the history (canonical bytes, and what the
/// next incremental save would hold) and the visible state.
fn snapshot(doc: &Doc) -> (Vec<u8>, Vec<u8>, String) {
    let mut copy = doc.clone();
    let incremental = copy.save_incremental();
    (copy.save(), incremental, render(doc))
}
