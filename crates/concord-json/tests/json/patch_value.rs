//! JSON Patch on plain values: atomic through the undo log.

use concord_json::{apply_patch_to_value, EditError, OpKind};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::{patch, ptr};

#[test]
fn a_failing_patch_undoes_every_earlier_op() {
    let start = json!({"a": [1, 2, 3], "b": {"c": "d"}, "e": null});
    let mut v = start.clone();
    let err = apply_patch_to_value(
        &mut v,
        &patch(json!([
            {"op": "add", "path": "/a/-", "value": 4},
            {"op": "remove", "path": "/a/0"},
            {"op": "move", "from": "/b/c", "path": "/a/1"},
            {"op": "copy", "from": "/a", "path": "/b/copy"},
            {"op": "replace", "path": "/e", "value": [1]},
            {"op": "add", "path": "/b", "value": 7},
            {"op": "add", "path": "", "value": {"whole": true}},
            {"op": "test", "path": "/whole", "value": false},
        ])),
    )
    .unwrap_err();
    assert_eq!((err.index, err.op), (7, OpKind::Test));
    assert_eq!(v, start);
}

#[test]
fn root_can_become_any_value() {
    let mut v = json!({"a": 1});
    apply_patch_to_value(
        &mut v,
        &patch(json!([{"op": "replace", "path": "", "value": [1, 2]}])),
    )
    .unwrap();
    apply_patch_to_value(
        &mut v,
        &patch(json!([{"op": "add", "path": "/-", "value": 3}])),
    )
    .unwrap();
    assert_eq!(v, json!([1, 2, 3]));
    let err = apply_patch_to_value(
        &mut v,
        &patch(json!([{"op": "add", "path": "/x", "value": 3}])),
    )
    .unwrap_err();
    assert!(matches!(err.reason, EditError::BadIndex { .. }));
    let mut s = json!("str");
    let err = apply_patch_to_value(
        &mut s,
        &patch(json!([{"op": "add", "path": "/x", "value": 3}])),
    )
    .unwrap_err();
    assert_eq!(err.reason, EditError::NotAContainer { pointer: ptr("") });
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        "[ab]{0,2}".prop_map(Value::from)
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[abc]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn pointer_text(min: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[abc]",
            "[0-3]",
            Just("-".to_owned()),
            Just("01".to_owned())
        ],
        min..3,
    )
    .prop_map(|t| t.iter().map(|t| format!("/{t}")).collect())
}

fn patch_op() -> impl Strategy<Value = Value> {
    // The crate refuses to move the root onto itself, a no-op RFC 6902 allows: `from` is
    // never the root here.
    (0..6usize, pointer_text(0), pointer_text(1), json_value()).prop_map(
        |(k, path, from, value)| match k {
            0 => json!({"op": "add", "path": path, "value": value}),
            1 => json!({"op": "remove", "path": path}),
            2 => json!({"op": "replace", "path": path, "value": value}),
            3 => json!({"op": "move", "from": from, "path": path}),
            4 => json!({"op": "copy", "from": from, "path": path}),
            _ => json!({"op": "test", "path": path, "value": value}),
        },
    )
}

proptest! {
    /// The independent `json-patch` crate agrees, op by op, on which ops apply and what they
    /// give (op by op because the crate panics undoing some failed patches), and a failing
    /// patch leaves our value as it was.
    #[test]
    fn agrees_with_the_json_patch_crate(doc in json_value(), ops in prop::collection::vec(patch_op(), 1..5)) {
        let mut ours = doc.clone();
        for op in &ops {
            let mut theirs = ours.clone();
            let one: json_patch::Patch = serde_json::from_value(json!([op])).unwrap();
            let before = ours.clone();
            let ra = apply_patch_to_value(&mut ours, &patch(json!([op])));
            let rb = json_patch::patch(&mut theirs, &one);
            prop_assert_eq!(ra.is_ok(), rb.is_ok(), "{}: ours {:?}, theirs {:?}", op, ra, rb);
            if ra.is_err() {
                prop_assert_eq!(&ours, &before);
                break;
            }
            prop_assert_eq!(&ours, &theirs);
        }
        let mut whole = doc.clone();
        match apply_patch_to_value(&mut whole, &patch(Value::from(ops))) {
            Ok(()) => prop_assert_eq!(whole, ours),
            Err(_) => prop_assert_eq!(whole, doc),
        }
    }
}
