//! Helpers shared by the tests: fixed actors, and a rendering of a whole document (conflicts
//! included) that two replicas must agree on exactly.

use std::fmt::Write;

use concord::{ActorId, Doc, ObjId, ObjType, ReadDoc, Value, ROOT};

/// The actor with every byte `b`: tests pick actors so the winner of a conflict is known.
pub fn actor(b: u8) -> ActorId {
    ActorId::from_bytes([b; 16])
}

/// A document edited by `actor(b)`.
pub fn doc(b: u8) -> Doc {
    Doc::with_actor(actor(b))
}

/// Every visible value of the document, with every conflict and op id, as text.
pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    render_obj(doc, &ROOT, ObjType::Map, &mut out);
    out
}

fn render_obj(doc: &Doc, obj: &ObjId, typ: ObjType, out: &mut String) {
    match typ {
        ObjType::Map => {
            out.push('{');
            for key in doc.keys(obj) {
                write!(out, "{key:?}:").unwrap();
                render_all(doc, doc.get_all(obj, key.as_str()).unwrap(), out);
            }
            out.push('}');
        }
        ObjType::List => {
            out.push('[');
            for i in 0..doc.length(obj) {
                render_all(doc, doc.get_all(obj, i).unwrap(), out);
            }
            out.push(']');
        }
        ObjType::Text => write!(out, "{:?}", doc.text(obj).unwrap()).unwrap(),
    }
}

fn render_all(doc: &Doc, values: Vec<(Value, concord::OpId)>, out: &mut String) {
    out.push('<');
    for (v, id) in values {
        write!(out, "{id}=").unwrap();
        match v {
            Value::Object(t) => render_obj(doc, &ObjId::from(id), t, out),
            Value::Scalar(s) => write!(out, "{s}").unwrap(),
        }
        out.push(',');
    }
    out.push('>');
}

/// Merges `a` and `b` both ways.
pub fn sync(a: &mut Doc, b: &mut Doc) {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
}
