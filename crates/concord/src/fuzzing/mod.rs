//! Harnesses shared by the fuzz targets (under `fuzz/`) and the seeded tests that run in
//! `cargo test`: one harness, two drivers, so a crash found by either is a plain function call
//! to replay. Not part of the stable API.
//!
//! Each harness takes arbitrary bytes and either returns normally or panics on a real bug: a
//! divergence between replicas, a failed load that changed a document, or a panic inside the
//! engine.

mod load;
mod sync;

pub use load::load;
pub use sync::sync;

use crate::{
    ActorId, Doc, DocError, ObjId, ObjType, OpId, ReadDoc, ScalarValue, SyncState, Value, ROOT,
};

/// Reads actions from fuzz bytes; runs out gracefully.
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    fn below(&mut self, n: usize) -> Option<usize> {
        Some(self.byte()? as usize % n.max(1))
    }
}

/// Every visible value of a document, conflicts, op ids and element ids included, as text:
/// two replicas that hold the same changes render identically.
pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    render_obj(doc, ROOT, ObjType::Map, &mut out);
    out
}

fn render_obj(doc: &Doc, obj: ObjId, typ: ObjType, out: &mut String) {
    let values = |out: &mut String, all: Vec<(Value, OpId)>| {
        out.push('<');
        for (v, id) in all {
            out.push_str(&format!("{id}="));
            match v {
                Value::Object(t) => render_obj(doc, ObjId::from(id), t, out),
                Value::Scalar(s) => out.push_str(&s.to_string()),
            }
            out.push(',');
        }
        out.push('>');
    };
    match typ {
        ObjType::Map => {
            out.push('{');
            for key in doc.keys(obj) {
                out.push_str(&format!("{key:?}:"));
                values(out, doc.get_all(obj, key.as_str()).unwrap_or_default());
            }
            out.push('}');
        }
        ObjType::List | ObjType::Text => {
            out.push('[');
            for (i, e) in doc
                .elements(obj)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                out.push_str(&format!("{}:", e.elem));
                match typ {
                    ObjType::Text => values(out, vec![(e.value, e.op)]),
                    _ => values(out, doc.get_all(obj, i).unwrap_or_default()),
                }
            }
            out.push(']');
        }
    }
}

/// The objects of a document a random edit may target, with their types.
fn objects(doc: &Doc) -> Vec<(ObjId, ObjType)> {
    let mut out = vec![(ROOT, ObjType::Map)];
    let mut i = 0;
    while i < out.len() {
        let (obj, _) = out[i];
        for (v, id) in doc.values(obj).unwrap_or_default() {
            if let Value::Object(t) = v {
                out.push((ObjId::from(id), t));
            }
        }
        i += 1;
    }
    out
}

const KEYS: [&str; 4] = ["a", "b", "c", "d"];
const WORDS: [&str; 5] = ["x", "yz", "héllo", "🌍", "\n"];

/// One random edit on `doc` from the bytes. Refused edits (an index a byte chose out of
/// range) must leave the document unchanged; `transact` guarantees it and the final
/// comparison would catch it.
fn edit(doc: &mut Doc, b: &mut Bytes<'_>) -> Option<()> {
    let objs = objects(doc);
    let (obj, typ) = objs[b.below(objs.len())?];
    let len = doc.length(obj);
    let pick = b.byte()?;
    let result: Result<(), DocError> = doc.transact(|tx| match (typ, pick % 6) {
        (ObjType::Map, 0) => tx.put(obj, KEYS[pick as usize / 6 % 4], i64::from(pick)),
        (ObjType::Map, 1) => tx.delete(obj, KEYS[pick as usize / 6 % 4]),
        (ObjType::Map, 2) => {
            let t = [ObjType::Map, ObjType::List, ObjType::Text][pick as usize / 6 % 3];
            tx.put_object(obj, KEYS[pick as usize / 18 % 4], t)
                .map(drop)
        }
        (ObjType::Map, 3) => tx.put(obj, "n", ScalarValue::counter(1)),
        (ObjType::Map, _) => tx.increment(obj, "n", 2),
        (ObjType::List, 0 | 1) => tx.insert(obj, pick as usize % (len + 1), i64::from(pick)),
        (ObjType::List, 2) => tx.delete(obj, pick as usize % (len + 1)),
        (ObjType::List, 3) => tx.put(obj, pick as usize % (len + 1), "p"),
        (ObjType::List, 4) => tx
            .insert_object(obj, pick as usize % (len + 1), ObjType::Text)
            .map(drop),
        (ObjType::List, _) => tx.splice(obj, pick as usize % (len + 1), 1, ["s", "t"]),
        (ObjType::Text, _) => {
            let pos = pick as usize % (len + 1);
            let del = (pick as usize / 7) % 3;
            tx.splice_text(obj, pos, del, WORDS[pick as usize % 5])
        }
    });
    // Out-of-range choices are expected; anything else the engine refuses is a bug.
    match result {
        Ok(()) | Err(DocError::IndexOutOfBounds { .. } | DocError::NotACounter { .. }) => Some(()),
        Err(e) => panic!("unexpected refusal of a valid edit: {e}"),
    }
}

/// Three replicas take turns, driven by the bytes: edit, merge with another replica, apply
/// another replica's changes in reverse order, or run a sync exchange. At the end every pair
/// syncs, and all must be equal: same heads, same values, same conflicts. Returns how many
/// changes the replicas made, so that drivers can check the bytes exercised something.
pub fn convergence(data: &[u8]) -> usize {
    let mut b = Bytes { data };
    let mut docs: Vec<Doc> = (1..=3u8)
        .map(|i| Doc::with_actor(ActorId::from_bytes([i; 16])))
        .collect();
    let mut states = vec![SyncState::new(); 9];
    while let (Some(action), Some(i), Some(j)) = (b.byte(), b.below(3), b.below(3)) {
        match action % 8 {
            0..=3 if edit(&mut docs[i], &mut b).is_none() => break,
            0..=3 => {}
            4 => {
                let other = docs[j].clone();
                docs[i]
                    .merge(&other)
                    .expect("a replica's own changes apply");
            }
            5 => {
                let mut changes = docs[j].changes_since(&[]).expect("no heads");
                changes.reverse();
                docs[i]
                    .apply_changes(changes)
                    .expect("a replica's own changes apply");
            }
            _ if i != j => {
                if let Some(m) = docs[i].generate_sync_message(&mut states[i * 3 + j]) {
                    let (to, state) = (&mut docs[j], &mut states[j * 3 + i]);
                    to.receive_sync_message(state, m)
                        .expect("well-formed messages apply");
                }
            }
            _ => {}
        }
    }
    for i in 0..3 {
        for j in 0..3 {
            let other = docs[j].clone();
            docs[i]
                .merge(&other)
                .expect("a replica's own changes apply");
        }
    }
    let first = render(&docs[0]);
    for d in &docs {
        assert_eq!(d.heads(), docs[0].heads(), "replicas disagree on heads");
        assert_eq!(render(d), first, "replicas disagree on values");
        assert!(d.pending_changes().is_empty());
    }
    docs[0].changes_since(&[]).map_or(0, |c| c.len())
}
