//! JSON Patch applied to documents: CRDT ops, atomicity, errors, and merging.

use concord::{ActorId, Doc, ObjType, ReadDoc, ScalarValue, ROOT};
use concord_json::{
    apply_patch, apply_patch_in, apply_patch_with, to_json, EditError, IndexError, JsonOptions,
    OpKind, PatchError,
};
use serde_json::json;

use crate::common::{child, doc_from, doc_with, patch, ptr};

#[test]
fn a_failing_patch_leaves_document_heads_and_counter_as_they_were() {
    let actor = ActorId::from_bytes([7; 16]);
    let start = json!({"a": 1, "list": [1, 2]});
    let mut failed = doc_from(&start);
    failed.set_actor(actor);
    let mut clean = failed.clone();
    let heads = failed.heads();
    let err = apply_patch(
        &mut failed,
        &patch(json!([
            {"op": "add", "path": "/b", "value": {"c": [1, 2, 3]}},
            {"op": "remove", "path": "/list/0"},
            {"op": "replace", "path": "/a", "value": 2},
            {"op": "test", "path": "/a", "value": 3},
        ])),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PatchError {
            index: 3,
            op: OpKind::Test,
            path: ptr("/a"),
            reason: EditError::TestFailed {
                pointer: ptr("/a"),
                expected: Box::new(json!(3)),
                actual: Box::new(json!(2)),
            },
        }
    );
    assert_eq!(failed.heads(), heads);
    assert_eq!(to_json(&failed).unwrap(), start);
    // The next edit gets the op ids it would have had without the failed patch.
    let next = patch(json!([{"op": "add", "path": "/z", "value": 0}]));
    apply_patch(&mut failed, &next).unwrap();
    apply_patch(&mut clean, &next).unwrap();
    assert_eq!(failed.heads(), clean.heads());
}

#[test]
fn errors_name_the_op_its_pointer_and_the_reason() {
    let doc = doc_from(&json!({"s": "str", "l": [0, 1], "m": {"k": 1}}));
    let cases = [
        (
            json!({"op": "remove", "path": "/nope"}),
            EditError::Missing {
                pointer: ptr("/nope"),
            },
        ),
        (
            json!({"op": "add", "path": "/nope/x", "value": 1}),
            EditError::Missing {
                pointer: ptr("/nope"),
            },
        ),
        (
            json!({"op": "add", "path": "/s/x", "value": 1}),
            EditError::NotAContainer { pointer: ptr("/s") },
        ),
        (
            json!({"op": "add", "path": "/l/01", "value": 1}),
            EditError::BadIndex {
                pointer: ptr("/l/01"),
                token: "01".into(),
                reason: IndexError::LeadingZero,
            },
        ),
        (
            json!({"op": "add", "path": "/l/3", "value": 1}),
            EditError::OutOfBounds {
                pointer: ptr("/l/3"),
                index: 3,
                len: 2,
            },
        ),
        (
            json!({"op": "replace", "path": "/l/2", "value": 1}),
            EditError::OutOfBounds {
                pointer: ptr("/l/2"),
                index: 2,
                len: 2,
            },
        ),
        (
            json!({"op": "remove", "path": "/l/-"}),
            EditError::Missing {
                pointer: ptr("/l/-"),
            },
        ),
        (
            json!({"op": "move", "from": "/m", "path": "/m/k2"}),
            EditError::MoveIntoChild {
                from: ptr("/m"),
                path: ptr("/m/k2"),
            },
        ),
        (json!({"op": "remove", "path": ""}), EditError::RemoveRoot),
        (
            json!({"op": "replace", "path": "", "value": [1]}),
            EditError::RootNotObject,
        ),
        (
            json!({"op": "copy", "from": "/l/5", "path": "/x"}),
            EditError::OutOfBounds {
                pointer: ptr("/l/5"),
                index: 5,
                len: 2,
            },
        ),
    ];
    for (op, reason) in cases {
        let mut d = doc.clone();
        let p = patch(json!([{"op": "test", "path": "/s", "value": "str"}, op]));
        let err = apply_patch(&mut d, &p).unwrap_err();
        assert_eq!(err.index, 1);
        assert_eq!(&err.path, p.0[1].path());
        assert_eq!(err.reason, reason, "{}", p.0[1].path());
        assert_eq!(d.heads(), doc.heads());
    }
}

#[test]
fn list_adds_are_inserts_that_merge() {
    let mut a = doc_from(&json!({"items": ["milk"]}));
    let mut b = a.fork();
    apply_patch(
        &mut a,
        &patch(json!([{"op": "add", "path": "/items/0", "value": "a"}])),
    )
    .unwrap();
    apply_patch(
        &mut b,
        &patch(json!([{"op": "add", "path": "/items/-", "value": "b"}])),
    )
    .unwrap();
    a.merge(&b).unwrap();
    assert_eq!(to_json(&a).unwrap(), json!({"items": ["a", "milk", "b"]}));
}

#[test]
fn replacing_a_text_splices_it_so_concurrent_edits_merge() {
    let options = JsonOptions::new().text(ptr("/note"));
    let mut a = doc_with(&json!({"note": "the cat sat"}), &options);
    let note = child(&a, ROOT, "note");
    let before = a.elements(note).unwrap();
    let mut b = a.fork();
    apply_patch(
        &mut a,
        &patch(json!([{"op": "replace", "path": "/note", "value": "the black cat sat"}])),
    )
    .unwrap();
    apply_patch(
        &mut b,
        &patch(json!([{"op": "replace", "path": "/note", "value": "the cat sat down"}])),
    )
    .unwrap();
    // Only the inserted characters are new elements: the old ones kept their identity.
    let after = a.elements(note).unwrap();
    assert_eq!(after.len(), before.len() + 6);
    assert!(before
        .iter()
        .all(|e| after.iter().any(|f| f.elem == e.elem)));
    a.merge(&b).unwrap();
    assert_eq!(
        to_json(&a).unwrap(),
        json!({"note": "the black cat sat down"})
    );
    // The same through `add` on the existing key, and through a replace of the root.
    apply_patch(
        &mut a,
        &patch(json!([{"op": "add", "path": "/note", "value": "the black cat"}])),
    )
    .unwrap();
    apply_patch(
        &mut a,
        &patch(json!([{"op": "replace", "path": "", "value": {"note": "a black cat"}}])),
    )
    .unwrap();
    assert_eq!(child(&a, ROOT, "note"), note);
    assert_eq!(a.text(note).unwrap(), "a black cat");
}

#[test]
fn move_and_copy_keep_texts_and_counters() {
    let options = JsonOptions::new().text(ptr("/t"));
    let mut doc = doc_with(&json!({"t": "text", "m": {}}), &options);
    doc.transact(|tx| tx.put(ROOT, "c", ScalarValue::counter(3)))
        .unwrap();
    apply_patch(
        &mut doc,
        &patch(json!([
            {"op": "copy", "from": "/t", "path": "/m/t2"},
            {"op": "move", "from": "/c", "path": "/m/c"},
            {"op": "move", "from": "/m", "path": "/n"},
        ])),
    )
    .unwrap();
    assert_eq!(
        to_json(&doc).unwrap(),
        json!({"t": "text", "n": {"t2": "text", "c": 3}})
    );
    let n = child(&doc, ROOT, "n");
    assert_eq!(
        doc.get(n, "t2").unwrap().unwrap().0.obj_type(),
        Some(ObjType::Text)
    );
    doc.transact(|tx| tx.increment(n, "c", 1)).unwrap();
    assert_eq!(to_json(&doc).unwrap()["n"]["c"], json!(4));
}

#[test]
fn atomic_values_are_replaced_whole_never_mixed() {
    let options = JsonOptions::new().atomic(ptr("/shapes/*/pos"));
    let start = json!({"shapes": [{"pos": {"x": 1, "y": 1}, "name": "a"}]});
    let run = |options: &JsonOptions| {
        let mut a = doc_with(&start, options);
        let mut b = a.fork();
        apply_patch_with(
            &mut a,
            &patch(json!([{"op": "replace", "path": "/shapes/0/pos/x", "value": 5}])),
            options,
        )
        .unwrap();
        apply_patch_with(
            &mut b,
            &patch(json!([{"op": "replace", "path": "/shapes/0/pos/y", "value": 7}])),
            options,
        )
        .unwrap();
        a.merge(&b).unwrap();
        a
    };
    let merged = run(&options);
    let pos = to_json(&merged).unwrap()["shapes"][0]["pos"].clone();
    assert!(
        pos == json!({"x": 5, "y": 1}) || pos == json!({"x": 1, "y": 7}),
        "mixed: {pos}"
    );
    let shapes = child(&merged, ROOT, "shapes");
    let shape = child(&merged, shapes, 0);
    assert_eq!(
        merged.get_all(shape, "pos").unwrap().len(),
        2,
        "the loser stays as a conflict"
    );
    // Without the option the edits merge inside the object.
    let mixed = run(&JsonOptions::new());
    assert_eq!(
        to_json(&mixed).unwrap()["shapes"][0]["pos"],
        json!({"x": 5, "y": 7})
    );
}

#[test]
fn atomic_units_report_errors_with_whole_pointers() {
    let options = JsonOptions::new().atomic(ptr("/p"));
    let mut doc = doc_with(&json!({"p": {"x": [1]}}), &options);
    let err = apply_patch_with(
        &mut doc,
        &patch(json!([{"op": "remove", "path": "/p/x/3"}])),
        &options,
    )
    .unwrap_err();
    assert_eq!(
        err.reason,
        EditError::OutOfBounds {
            pointer: ptr("/p/x/3"),
            index: 3,
            len: 1
        }
    );
    apply_patch_with(
        &mut doc,
        &patch(json!([
            {"op": "add", "path": "/p/x/-", "value": 2},
            {"op": "move", "from": "/p/x/0", "path": "/q"},
            {"op": "copy", "from": "/q", "path": "/p/y"},
        ])),
        &options,
    )
    .unwrap();
    assert_eq!(
        to_json(&doc).unwrap(),
        json!({"p": {"x": [2], "y": 1}, "q": 1})
    );
}

#[test]
fn a_patch_inside_a_transaction_is_a_group_undone_on_failure() {
    let mut doc = Doc::new();
    doc.transact(|tx| {
        tx.put(ROOT, "kept", 1).unwrap();
        let bad = patch(
            json!([{"op": "add", "path": "/x", "value": 1}, {"op": "remove", "path": "/nope"}]),
        );
        assert!(apply_patch_in(tx, &bad, &JsonOptions::new()).is_err());
        apply_patch_in(
            tx,
            &patch(json!([{"op": "add", "path": "/y", "value": 2}])),
            &JsonOptions::new(),
        )
    })
    .unwrap();
    assert_eq!(to_json(&doc).unwrap(), json!({"kept": 1, "y": 2}));
    let change = doc.changes().pop().unwrap();
    assert_eq!(
        change.groups().iter().map(|g| g.name()).collect::<Vec<_>>(),
        ["json-patch"]
    );
}
