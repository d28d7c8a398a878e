//! The patch between two versions: checked against the independent `json-patch` crate.

use concord::{Doc, ObjId, ObjType, ReadDoc, ROOT};
use concord_json::{apply_patch, apply_patch_to_value, diff, to_json, to_json_at, Patch, PatchOp};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::{doc_from, patch};

#[test]
fn an_insert_is_an_add_at_its_index() {
    let mut doc = doc_from(&json!({"l": [1, 2, 3, 4]}));
    let v1 = doc.heads();
    apply_patch(
        &mut doc,
        &patch(json!([
            {"op": "add", "path": "/l/1", "value": "x"},
            {"op": "remove", "path": "/l/3"},
            {"op": "replace", "path": "/l/0", "value": 0},
        ])),
    )
    .unwrap();
    let d = diff(&doc, &v1, &doc.heads()).unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!([
            {"op": "replace", "path": "/l/0", "value": 0},
            {"op": "add", "path": "/l/1", "value": "x"},
            {"op": "remove", "path": "/l/3"},
        ])
    );
    let back = diff(&doc, &doc.heads(), &v1).unwrap();
    let mut now = to_json(&doc).unwrap();
    apply_patch_to_value(&mut now, &back).unwrap();
    assert_eq!(now, json!({"l": [1, 2, 3, 4]}));
}

#[test]
fn objects_compare_by_identity() {
    let mut doc = doc_from(&json!({"edited": {"a": 1}, "replaced": {"a": 1}}));
    let v1 = doc.heads();
    apply_patch(
        &mut doc,
        &patch(json!([
            {"op": "replace", "path": "/edited/a", "value": 2},
            {"op": "replace", "path": "/replaced", "value": {"a": 2}},
        ])),
    )
    .unwrap();
    assert_eq!(
        diff(&doc, &v1, &doc.heads()).unwrap().0,
        vec![
            PatchOp::Replace {
                path: "/edited/a".parse().unwrap(),
                value: json!(2)
            },
            PatchOp::Replace {
                path: "/replaced".parse().unwrap(),
                value: json!({"a": 2})
            },
        ]
    );
    assert!(diff(&doc, &v1, &v1).unwrap().is_empty());
}

/// One random edit, on a random object of the document.
#[derive(Clone, Debug)]
enum Edit {
    Put {
        at: usize,
        key: u8,
        value: i64,
    },
    PutObject {
        at: usize,
        key: u8,
        typ: u8,
    },
    Delete {
        at: usize,
        key: u8,
    },
    Splice {
        at: usize,
        pos: usize,
        del: usize,
        text: String,
    },
    Fork,
    Merge,
    Checkpoint,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 0..4u8, -3..3i64).prop_map(|(at, key, value)| Edit::Put { at, key, value }),
        2 => (any::<usize>(), 0..4u8, 0..3u8).prop_map(|(at, key, typ)| Edit::PutObject { at, key, typ }),
        2 => (any::<usize>(), 0..4u8).prop_map(|(at, key)| Edit::Delete { at, key }),
        2 => (any::<usize>(), 0..8usize, 0..3usize, "[xyz]{0,3}").prop_map(|(at, pos, del, text)| Edit::Splice { at, pos, del, text }),
        1 => Just(Edit::Fork),
        1 => Just(Edit::Merge),
        2 => Just(Edit::Checkpoint),
    ]
}

/// Every object reachable from the root, with its type.
fn objects(doc: &Doc) -> Vec<(ObjId, ObjType)> {
    let mut out = vec![(ROOT, ObjType::Map)];
    let mut i = 0;
    while i < out.len() {
        let (obj, typ) = out[i];
        if typ != ObjType::Text {
            for (v, op) in doc.values(obj).unwrap() {
                if let Some(t) = v.obj_type() {
                    out.push((ObjId::Op(op), t));
                }
            }
        }
        i += 1;
    }
    out
}

/// Applies `edit` to one of two replicas; returns whether a checkpoint is due.
fn run(docs: &mut [Doc; 2], turn: usize, edit: &Edit) -> bool {
    let doc = &mut docs[turn % 2];
    let objs = objects(doc);
    let pick = |at: usize| objs[at % objs.len()];
    let key = |k: u8| format!("k{k}");
    let _ = match edit {
        Edit::Put { at, key: k, value } => {
            let (obj, typ) = pick(*at);
            doc.transact(|tx| match typ {
                ObjType::Map => tx.put(obj, key(*k), *value),
                ObjType::List => {
                    let len = tx.length(obj);
                    if *k as usize % 2 == 0 || len == 0 {
                        tx.insert(obj, *k as usize % (len + 1), *value)
                    } else {
                        tx.put(obj, *k as usize % len, *value)
                    }
                }
                ObjType::Text => tx.splice_text(obj, 0, 0, "t"),
            })
        }
        Edit::PutObject { at, key: k, typ: t } => {
            let (obj, typ) = pick(*at);
            let new = [ObjType::Map, ObjType::List, ObjType::Text][*t as usize];
            doc.transact(|tx| match typ {
                ObjType::Map => tx.put_object(obj, key(*k), new).map(drop),
                ObjType::List => {
                    let len = tx.length(obj);
                    tx.insert_object(obj, *k as usize % (len + 1), new)
                        .map(drop)
                }
                ObjType::Text => Ok(()),
            })
        }
        Edit::Delete { at, key: k } => {
            let (obj, typ) = pick(*at);
            doc.transact(|tx| match typ {
                ObjType::Map => tx.delete(obj, key(*k)),
                _ if tx.length(obj) == 0 => Ok(()),
                _ => {
                    let len = tx.length(obj);
                    tx.delete(obj, *k as usize % len)
                }
            })
        }
        Edit::Splice { at, pos, del, text } => {
            let (obj, typ) = pick(*at);
            doc.transact(|tx| match typ {
                ObjType::Text => {
                    let len = tx.length(obj);
                    let pos = pos % (len + 1);
                    tx.splice_text(obj, pos, (*del).min(len - pos), text)
                }
                _ => Ok(()),
            })
        }
        Edit::Fork => {
            docs[1] = docs[0].fork();
            Ok(())
        }
        Edit::Merge => {
            let other = docs[(turn + 1) % 2].clone();
            docs[turn % 2]
                .merge(&other)
                .map_err(|_| concord::DocError::UnknownHead(other.heads()[0]))
        }
        Edit::Checkpoint => return true,
    };
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// For random histories (two replicas, forks and merges), the diff between any two
    /// checkpoints, applied by the `json-patch` crate to the old JSON, gives the new JSON.
    #[test]
    fn diff_applied_by_an_independent_crate_gives_the_new_version(
        edits in prop::collection::vec(edit(), 1..40),
    ) {
        let mut docs = [Doc::new(), Doc::new()];
        docs[1] = docs[0].fork();
        let mut checkpoints = vec![Vec::new()];
        for (turn, e) in edits.iter().enumerate() {
            if run(&mut docs, turn, e) {
                let other = docs[1].clone();
                docs[0].merge(&other).unwrap();
                checkpoints.push(docs[0].heads());
            }
        }
        let other = docs[1].clone();
        docs[0].merge(&other).unwrap();
        checkpoints.push(docs[0].heads());
        let doc = &docs[0];
        for from in &checkpoints {
            for to in &checkpoints {
                let d: Patch = diff(doc, from, to).unwrap();
                let old = to_json_at(doc, from).unwrap();
                let new = to_json_at(doc, to).unwrap();
                let theirs: json_patch::Patch = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
                let mut by_them = old.clone();
                json_patch::patch(&mut by_them, &theirs).unwrap();
                prop_assert_eq!(&by_them, &new);
                let mut by_us: Value = old.clone();
                apply_patch_to_value(&mut by_us, &d).unwrap();
                prop_assert_eq!(&by_us, &new);
                // And on a document at the old version.
                let mut replica = doc.fork_at(from).unwrap();
                apply_patch(&mut replica, &d).unwrap();
                prop_assert_eq!(to_json(&replica).unwrap(), new);
            }
        }
    }
}
