use concord::{Doc, ObjId, Prop, ReadDoc};
use concord_json::{write_json, JsonOptions, JsonPointer, Patch};
use serde_json::Value;

/// A new document holding the JSON object `value`.
pub fn doc_from(value: &Value) -> Doc {
    doc_with(value, &JsonOptions::new())
}

/// A new document holding the JSON object `value`, written with `options`.
pub fn doc_with(value: &Value, options: &JsonOptions) -> Doc {
    let mut doc = Doc::new();
    doc.transact(|tx| write_json(tx, &JsonPointer::root(), value, options))
        .expect("a JSON object");
    doc
}

pub fn patch(value: Value) -> Patch {
    serde_json::from_value(value).expect("a well-formed patch")
}

pub fn ptr(s: &str) -> JsonPointer {
    s.parse().expect("a well-formed pointer")
}

/// The object at `prop` of `obj`.
pub fn child(doc: &impl ReadDoc, obj: impl AsRef<ObjId>, prop: impl Into<Prop>) -> ObjId {
    ObjId::Op(doc.get(obj, prop).unwrap().expect("a value there").1)
}
