use concord::{Doc, ObjType, ReadDoc, ScalarValue, ROOT};
use concord_json::{to_json, to_json_at, write_json, JsonOptions, JsonPointer, ViewError};
use serde_json::json;

use crate::common::{child, doc_from, doc_with, ptr};

#[test]
fn maps_every_kind_of_value() {
    let mut doc = Doc::new();
    doc.transact(|tx| {
        tx.put(ROOT, "null", ())?;
        tx.put(ROOT, "bool", true)?;
        tx.put(ROOT, "int", -3)?;
        tx.put(ROOT, "uint", u64::MAX)?;
        tx.put(ROOT, "float", 1.5)?;
        tx.put(ROOT, "nan", f64::NAN)?;
        tx.put(ROOT, "str", "s")?;
        tx.put(ROOT, "bytes", vec![0u8, 255])?;
        tx.put(ROOT, "counter", ScalarValue::counter(5))?;
        tx.increment(ROOT, "counter", 2)?;
        tx.put(ROOT, "time", ScalarValue::Timestamp(1_700_000_000_000))?;
        let list = tx.put_object(ROOT, "list", ObjType::List)?;
        tx.insert(list, 0, 1)?;
        let inner = tx.insert_object(list, 1, ObjType::Map)?;
        tx.put(inner, "k", "v")?;
        let text = tx.put_object(ROOT, "text", ObjType::Text)?;
        tx.splice_text(text, 0, 0, "héllo")
    })
    .unwrap();
    assert_eq!(
        to_json(&doc).unwrap(),
        json!({
            "null": null, "bool": true, "int": -3, "uint": u64::MAX, "float": 1.5, "nan": null,
            "str": "s", "bytes": "AP8=", "counter": 7, "time": 1_700_000_000_000i64,
            "list": [1, {"k": "v"}], "text": "héllo",
        })
    );
}

#[test]
fn reads_past_versions() {
    let mut doc = doc_from(&json!({"a": [1, 2], "b": "x"}));
    let v1 = doc.heads();
    doc.transact(|tx| {
        write_json(tx, &ptr("/a/1"), &json!({"c": 3}), &JsonOptions::new())?;
        tx.delete(ROOT, "b").map_err(concord_json::EditError::from)
    })
    .unwrap();
    assert_eq!(
        to_json_at(&doc, &v1).unwrap(),
        json!({"a": [1, 2], "b": "x"})
    );
    assert_eq!(to_json(&doc).unwrap(), json!({"a": [1, {"c": 3}, 2]}));
    assert_eq!(to_json_at(&doc, &[]).unwrap(), json!({}));
    let stranger = Doc::new().fork();
    let mut other = stranger.fork();
    other.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
    assert!(matches!(
        to_json_at(&doc, &other.heads()),
        Err(ViewError::Doc(_))
    ));
}

#[test]
fn shows_the_winner_of_concurrent_writes() {
    let mut a = doc_from(&json!({"k": 0}));
    let mut b = a.fork();
    a.transact(|tx| tx.put(ROOT, "k", "a")).unwrap();
    b.transact(|tx| tx.put(ROOT, "k", "b")).unwrap();
    a.merge(&b).unwrap();
    b.merge(&a).unwrap();
    let winner = a.get(ROOT, "k").unwrap().unwrap().0;
    assert_eq!(to_json(&a).unwrap(), json!({"k": winner.as_str().unwrap()}));
    assert_eq!(to_json(&a).unwrap(), to_json(&b).unwrap());
}

#[test]
fn strings_become_texts_only_where_asked() {
    let options = JsonOptions::new().text(ptr("/todos/*/title"));
    let doc = doc_with(
        &json!({"todos": [{"title": "a", "tag": "b"}], "title": "c"}),
        &options,
    );
    let todos = child(&doc, ROOT, "todos");
    let first = child(&doc, todos, 0);
    let title = doc.get(first, "title").unwrap().unwrap();
    assert_eq!(title.0.obj_type(), Some(ObjType::Text));
    let tag = doc.get(first, "tag").unwrap().unwrap();
    assert_eq!(tag.0.as_str(), Some("b"));
    assert_eq!(
        doc.get(ROOT, "title").unwrap().unwrap().0.as_str(),
        Some("c")
    );
}

#[test]
fn writes_json_inside_a_caller_transaction() {
    let mut doc = Doc::new();
    let err = doc
        .transact(|tx| {
            write_json(
                tx,
                &JsonPointer::root(),
                &json!({"a": 1}),
                &JsonOptions::new(),
            )?;
            write_json(tx, &ptr("/b/c"), &json!(2), &JsonOptions::new())
        })
        .unwrap_err();
    assert_eq!(err, concord_json::EditError::Missing { pointer: ptr("/b") });
    assert!(
        doc.heads().is_empty(),
        "the caller's transaction rolled back"
    );
    doc.transact(|tx| {
        write_json(
            tx,
            &JsonPointer::root(),
            &json!({"a": [true]}),
            &JsonOptions::new(),
        )
    })
    .unwrap();
    assert_eq!(to_json(&doc).unwrap(), json!({"a": [true]}));
}
