//! RFC 7396 merge patch, on plain values and on documents.

use concord::{ObjType, ReadDoc, ROOT};
use concord_json::{
    apply_merge_patch, apply_merge_patch_to_value, apply_merge_patch_with, to_json, EditError,
    JsonOptions,
};
use serde_json::json;

use crate::common::{child, doc_from, doc_with, ptr};

/// The examples of RFC 7396, appendix A: (target, patch, result).
fn rfc_examples() -> Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> {
    vec![
        (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
        (
            json!({"a": "b"}),
            json!({"b": "c"}),
            json!({"a": "b", "b": "c"}),
        ),
        (json!({"a": "b"}), json!({"a": null}), json!({})),
        (
            json!({"a": "b", "b": "c"}),
            json!({"a": null}),
            json!({"b": "c"}),
        ),
        (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
        (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
        (
            json!({"a": {"b": "c"}}),
            json!({"a": {"b": "d", "c": null}}),
            json!({"a": {"b": "d"}}),
        ),
        (
            json!({"a": [{"b": "c"}]}),
            json!({"a": [1]}),
            json!({"a": [1]}),
        ),
        (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
        (json!({"a": "b"}), json!(["c"]), json!(["c"])),
        (json!({"a": "foo"}), json!(null), json!(null)),
        (json!({"a": "foo"}), json!("bar"), json!("bar")),
        (
            json!({"e": null}),
            json!({"a": 1}),
            json!({"e": null, "a": 1}),
        ),
        (
            json!([1, 2]),
            json!({"a": "b", "c": null}),
            json!({"a": "b"}),
        ),
        (
            json!({}),
            json!({"a": {"bb": {"ccc": null}}}),
            json!({"a": {"bb": {}}}),
        ),
    ]
}

#[test]
fn rfc_7396_examples_on_values_and_documents() {
    for (target, patch, result) in rfc_examples() {
        let mut v = target.clone();
        apply_merge_patch_to_value(&mut v, &patch).unwrap();
        assert_eq!(v, result, "{target} + {patch}");
        if !target.is_object() {
            continue;
        }
        let mut doc = doc_from(&target);
        match apply_merge_patch(&mut doc, &patch) {
            Ok(()) => assert_eq!(to_json(&doc).unwrap(), result, "{target} + {patch}"),
            Err(e) => {
                assert!(!patch.is_object(), "{target} + {patch}: {e}");
                assert_eq!(e, EditError::RootNotObject);
                assert_eq!(to_json(&doc).unwrap(), target);
            }
        }
    }
}

#[test]
fn texts_are_spliced_and_maps_edited_in_place() {
    let options = JsonOptions::new().text(ptr("/note"));
    let mut doc = doc_with(&json!({"note": "hello", "m": {"a": 1}}), &options);
    let note = child(&doc, ROOT, "note");
    let m = child(&doc, ROOT, "m");
    apply_merge_patch_with(
        &mut doc,
        &json!({"note": "hello world", "m": {"b": 2}}),
        &options,
    )
    .unwrap();
    assert_eq!(child(&doc, ROOT, "note"), note);
    assert_eq!(doc.object_type(note).unwrap(), ObjType::Text);
    assert_eq!(child(&doc, ROOT, "m"), m);
    assert_eq!(
        to_json(&doc).unwrap(),
        json!({"note": "hello world", "m": {"a": 1, "b": 2}})
    );
}

#[test]
fn atomic_units_are_written_whole() {
    let options = JsonOptions::new().atomic(ptr("/pos"));
    let mut a = doc_with(&json!({"pos": {"x": 1, "y": 1}}), &options);
    let mut b = a.fork();
    apply_merge_patch_with(&mut a, &json!({"pos": {"x": 5}}), &options).unwrap();
    apply_merge_patch_with(&mut b, &json!({"pos": {"y": 7}}), &options).unwrap();
    a.merge(&b).unwrap();
    let pos = to_json(&a).unwrap()["pos"].clone();
    assert!(
        pos == json!({"x": 5, "y": 1}) || pos == json!({"x": 1, "y": 7}),
        "mixed: {pos}"
    );
}
