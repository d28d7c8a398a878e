//! Deep nesting is refused with an error before it can overflow the stack.

use concord::{Doc, ObjType, ReadDoc, ROOT};
use concord_json::{
    apply_merge_patch, apply_merge_patch_to_value, apply_patch, apply_patch_to_value, diff, merge3,
    to_json, EditError, JsonPointer, MergeOptions, Patch, PatchOp, TooDeep, ViewError, MAX_DEPTH,
};
use serde_json::{json, Value};

/// `[[[...]]]` nested `n` deep, built without recursion.
fn nested(n: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..n {
        v = Value::Array(vec![v]);
    }
    v
}

/// Drops a value without recursion: dropping a deep value the usual way could itself
/// overflow the stack. Never clone one either, for the same reason.
fn drop_flat(v: Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => stack.extend(members.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

fn drop_patch(p: Patch) {
    for op in p.0 {
        if let PatchOp::Add { value, .. } | PatchOp::Test { value, .. } = op {
            drop_flat(value);
        }
    }
}

const DEEP: usize = 100_000;

#[test]
fn deep_json_is_refused_everywhere() {
    let too_deep = TooDeep { limit: MAX_DEPTH };
    let mut doc = Doc::new();
    let mut plain = json!({});

    let add = Patch(vec![PatchOp::Add {
        path: "/x".parse().unwrap(),
        value: nested(DEEP),
    }]);
    assert_eq!(
        apply_patch(&mut doc, &add).unwrap_err().reason,
        EditError::TooDeep(too_deep)
    );
    assert_eq!(
        apply_patch_to_value(&mut plain, &add).unwrap_err().reason,
        EditError::TooDeep(too_deep)
    );
    drop_patch(add);

    let test = Patch(vec![PatchOp::Test {
        path: JsonPointer::root(),
        value: nested(DEEP),
    }]);
    assert_eq!(
        apply_patch(&mut doc, &test).unwrap_err().reason,
        EditError::TooDeep(too_deep)
    );
    assert_eq!(
        apply_patch_to_value(&mut plain, &test).unwrap_err().reason,
        EditError::TooDeep(too_deep)
    );
    drop_patch(test);

    let mut members = serde_json::Map::new();
    members.insert("x".into(), nested(DEEP));
    let merge_patch = Value::Object(members);
    assert_eq!(
        apply_merge_patch(&mut doc, &merge_patch),
        Err(EditError::TooDeep(too_deep))
    );
    assert_eq!(
        apply_merge_patch_to_value(&mut plain, &merge_patch),
        Err(too_deep)
    );
    drop_flat(merge_patch);

    let deep = nested(DEEP);
    let options = MergeOptions::new();
    assert_eq!(
        merge3(&deep, &json!({}), &json!({}), &options).err(),
        Some(too_deep)
    );
    assert_eq!(
        merge3(&json!({}), &deep, &json!({}), &options).err(),
        Some(too_deep)
    );
    assert_eq!(
        merge3(&json!({}), &json!({}), &deep, &options).err(),
        Some(too_deep)
    );
    drop_flat(deep);

    assert!(doc.heads().is_empty());
    assert_eq!(plain, json!({}));
}

#[test]
fn the_limit_itself_is_accepted() {
    let mut doc = Doc::new();
    let fits = nested(MAX_DEPTH - 1);
    let patch = Patch(vec![PatchOp::Add {
        path: "/x".parse().unwrap(),
        value: fits.clone(),
    }]);
    apply_patch(&mut doc, &patch).unwrap();
    assert_eq!(to_json(&doc).unwrap(), json!({"x": fits}));
    let one_more = Patch(vec![PatchOp::Add {
        path: "/y/0".parse().unwrap(),
        value: nested(MAX_DEPTH - 1),
    }]);
    let mut doc2 = Doc::new();
    apply_patch(
        &mut doc2,
        &Patch(vec![PatchOp::Add {
            path: "/y".parse().unwrap(),
            value: json!([]),
        }]),
    )
    .unwrap();
    assert!(matches!(
        apply_patch(&mut doc2, &one_more).unwrap_err().reason,
        EditError::TooDeep(_)
    ));
}

#[test]
fn patches_cannot_nest_a_document_deeper_step_by_step() {
    let mut doc = Doc::new();
    let mut path = JsonPointer::root();
    let mut refused = None;
    for step in 0..MAX_DEPTH + 10 {
        path.push("a");
        let op = Patch(vec![PatchOp::Add {
            path: path.clone(),
            value: json!({}),
        }]);
        if let Err(e) = apply_patch(&mut doc, &op) {
            refused = Some((step, e.reason));
            break;
        }
    }
    assert_eq!(
        refused,
        Some((
            MAX_DEPTH - 1,
            EditError::TooDeep(TooDeep { limit: MAX_DEPTH })
        ))
    );
    to_json(&doc).unwrap();
}

#[test]
fn a_deep_document_from_the_engine_is_refused_when_read() {
    let mut doc = Doc::new();
    doc.transact(|tx| {
        let mut obj = ROOT;
        for _ in 0..DEEP / 100 {
            obj = tx.put_object(obj, "a", ObjType::Map)?;
        }
        Ok::<_, concord::DocError>(())
    })
    .unwrap();
    let too_deep = ViewError::TooDeep(TooDeep { limit: MAX_DEPTH });
    assert_eq!(to_json(&doc), Err(too_deep.clone()));
    assert_eq!(diff(&doc, &[], &doc.heads()), Err(too_deep.clone()));
    let heads = doc.heads();
    doc.transact(|tx| tx.put(ROOT, "b", 1)).unwrap();
    assert_eq!(diff(&doc, &heads, &doc.heads()), Err(too_deep));
}
