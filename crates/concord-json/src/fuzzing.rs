//! Fuzz harnesses, one per target, shared by the cargo-fuzz targets in `fuzz/` and by the
//! seeded test that runs them in `cargo test` (one harness, two drivers).
//!
//! Each takes arbitrary bytes, makes what it can of them, and panics only if a promise of the
//! crate is broken: an input is refused without a panic, a refused patch changes nothing,
//! documents and plain values agree, a merge's patches do what they say.

use concord::{Doc, ReadDoc};
use serde_json::Value;

use crate::{
    apply_patch, apply_patch_to_value, merge3 as merge, reverse_unsaved, to_json, ArrayIndex,
    AutoResolve, EditError, JsonPointer, MergeOptions, Patch, PatchOp,
};

/// The JSON values in `data`, one per line (lines that are not JSON are skipped).
fn values(data: &[u8]) -> Vec<Value> {
    data.split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

/// A document on the first line, a patch on the second: the patch is applied to the plain
/// value and, if the value is an object, to a document holding it; both must agree.
pub fn json_patch(data: &[u8]) {
    let mut lines = values(data).into_iter();
    let (Some(doc), Some(patch)) = (lines.next(), lines.next()) else {
        return;
    };
    let Ok(patch) = serde_json::from_value::<Patch>(patch) else {
        return;
    };
    let mut value = doc.clone();
    let by_value = apply_patch_to_value(&mut value, &patch);
    if by_value.is_err() {
        assert_eq!(value, doc, "a refused patch changed the value");
    }
    if !doc.is_object() {
        return;
    }
    let mut document = Doc::new();
    let written = document.transact(|tx| {
        crate::write_json(tx, &JsonPointer::root(), &doc, &crate::JsonOptions::new())
    });
    if written.is_err() {
        return;
    }
    let before = to_json(&document).expect("a document written from JSON reads back");
    let heads = document.heads();
    match (apply_patch(&mut document, &patch), by_value) {
        (Ok(()), Ok(())) => assert_eq!(to_json(&document).ok(), Some(value)),
        (Err(e), Ok(())) => {
            assert_eq!(
                e.reason,
                EditError::RootNotObject,
                "only the document refused"
            );
            assert_eq!(document.heads(), heads);
        }
        (Ok(()), Err(e)) => panic!("only the value refused the patch: {e}"),
        (Err(_), Err(_)) => {
            assert_eq!(document.heads(), heads, "a refused patch moved the heads");
            assert_eq!(to_json(&document).ok(), Some(before));
        }
    }
}

/// The bytes as a pointer: parsing and rendering agree, and using it in every kind of op on
/// a sample document and value never panics.
pub fn json_pointer(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(pointer) = JsonPointer::parse(&text) else {
        return;
    };
    assert_eq!(
        pointer.to_string(),
        text,
        "rendering gives the parsed text back"
    );
    for token in pointer.tokens() {
        if let Ok(ArrayIndex::At(i)) = ArrayIndex::parse(token) {
            assert_eq!(i.to_string(), *token);
        }
    }
    let sample = serde_json::json!({"a": [1, {"b": "c"}], "": {"~/": [[]]}, "0": null});
    let value = Value::Bool(true);
    let ops = [
        PatchOp::Test {
            path: pointer.clone(),
            value: value.clone(),
        },
        PatchOp::Add {
            path: pointer.clone(),
            value: value.clone(),
        },
        PatchOp::Replace {
            path: pointer.clone(),
            value,
        },
        PatchOp::Remove {
            path: pointer.clone(),
        },
        PatchOp::Copy {
            from: pointer.clone(),
            path: JsonPointer::root().child("x"),
        },
        PatchOp::Move {
            from: JsonPointer::root().child("a"),
            path: pointer.clone(),
        },
    ];
    for op in ops {
        let mut bytes = serde_json::to_vec(&sample).expect("serializable");
        bytes.push(b'\n');
        bytes.extend(serde_json::to_vec(&[op]).expect("serializable"));
        json_patch(&bytes);
    }
}

/// Three values, one per line (base, local, remote), merged under every policy, with and
/// without identity keys: the outcome's patches must do what they promise.
pub fn merge3(data: &[u8]) {
    let mut lines = values(data).into_iter();
    let (Some(base), Some(local), Some(remote)) = (lines.next(), lines.next(), lines.next()) else {
        return;
    };
    let policies = [
        AutoResolve::Off,
        AutoResolve::NonColliding,
        AutoResolve::PreferRemote,
        AutoResolve::PreferLocal,
    ];
    for keyed in [false, true] {
        for policy in policies {
            let mut options = MergeOptions::new().auto_resolve(policy);
            if keyed {
                let all = JsonPointer::root();
                options = options
                    .identify_by_member(all.clone(), "id")
                    .identify_by_member(all.child("*"), "id");
            }
            let Ok(out) = merge(&base, &local, &remote, &options) else {
                return;
            };
            let applied = |v: &Value, p: &Patch| {
                let mut v = v.clone();
                apply_patch_to_value(&mut v, p).map(|()| v)
            };
            assert_eq!(
                applied(&remote, &out.from_local).ok().as_ref(),
                Some(&out.merged)
            );
            let kept = applied(&local, &reverse_unsaved(&out)).expect("reverse_unsaved applies");
            assert_eq!(
                applied(&kept, &out.from_remote).ok().as_ref(),
                Some(&out.merged)
            );
        }
    }
}
