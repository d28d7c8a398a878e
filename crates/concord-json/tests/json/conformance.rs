//! The JSON Patch conformance suites in `testdata/json-patch/`, on plain values and on
//! documents.

use std::path::PathBuf;

use concord::ReadDoc;
use concord_json::{apply_patch, apply_patch_to_value, to_json, EditError, Patch};
use serde::Deserialize;
use serde_json::Value;

use crate::common::doc_from;

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    comment: Option<String>,
    doc: Value,
    patch: Value,
    expected: Option<Value>,
    error: Option<Value>,
    #[serde(default)]
    disabled: bool,
}

fn load(name: &str) -> Vec<Record> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/json-patch")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("a list of records")
}

#[derive(Debug, Default, PartialEq)]
struct Tally {
    passed: usize,
    skipped: usize,
    root_not_object: usize,
}

/// Runs one suite on plain values and, where the document is an object, on documents.
fn run(name: &str) -> (Tally, Tally) {
    let (mut values, mut docs) = (Tally::default(), Tally::default());
    for (i, r) in load(name).into_iter().enumerate() {
        let what = format!("{name} record {i} ({:?})", r.comment);
        if r.disabled {
            values.skipped += 1;
            docs.skipped += 1;
            continue;
        }
        let patch: Patch = match serde_json::from_value(r.patch.clone()) {
            Ok(p) => p,
            Err(e) => {
                assert!(r.error.is_some(), "{what}: the patch does not parse: {e}");
                values.passed += 1;
                docs.passed += 1;
                continue;
            }
        };

        // On a plain value.
        let mut v = r.doc.clone();
        let result = apply_patch_to_value(&mut v, &patch);
        if r.error.is_some() {
            assert!(result.is_err(), "{what}: accepted, gave {v}");
            assert_eq!(v, r.doc, "{what}: the refused patch changed the value");
        } else {
            result.unwrap_or_else(|e| panic!("{what}: {e}"));
            if let Some(expected) = &r.expected {
                assert_eq!(&v, expected, "{what}");
            }
        }
        values.passed += 1;

        // On a document, whose root is a map.
        if !r.doc.is_object() {
            docs.root_not_object += 1;
            continue;
        }
        let mut doc = doc_from(&r.doc);
        let heads = doc.heads();
        let result = apply_patch(&mut doc, &patch);
        match (&r.error, &r.expected, result) {
            (Some(_), _, Err(_)) => {
                assert_eq!(doc.heads(), heads, "{what}: heads moved");
                assert_eq!(to_json(&doc).unwrap(), r.doc, "{what}: changed");
            }
            (Some(_), _, Ok(())) => panic!("{what}: accepted, gave {}", to_json(&doc).unwrap()),
            (None, Some(expected), Err(e)) if !expected.is_object() => {
                assert_eq!(e.reason, EditError::RootNotObject, "{what}");
                docs.root_not_object += 1;
                continue;
            }
            (None, _, Err(e)) => panic!("{what}: {e}"),
            (None, expected, Ok(())) => {
                let got = to_json(&doc).unwrap();
                assert_eq!(&got, expected.as_ref().unwrap_or(&r.doc), "{what}");
            }
        }
        docs.passed += 1;
    }
    (values, docs)
}

#[test]
fn rfc_6902_examples() {
    let (values, docs) = run("spec_tests.json");
    assert_eq!(
        (values, docs),
        (
            Tally {
                passed: 16,
                skipped: 1,
                root_not_object: 0
            },
            Tally {
                passed: 16,
                skipped: 1,
                root_not_object: 0
            },
        )
    );
}

#[test]
fn json_patch_tests_suite() {
    // 105 records, 3 disabled. 30 start from or end in a document that is not an object,
    // which a document (whose root is a map) cannot hold: those run on plain values only, and
    // a patch that makes the root an array is refused with `RootNotObject`.
    let (values, docs) = run("tests.json");
    assert_eq!(
        (values, docs),
        (
            Tally {
                passed: 102,
                skipped: 3,
                root_not_object: 0
            },
            Tally {
                passed: 72,
                skipped: 3,
                root_not_object: 30
            },
        )
    );
}
