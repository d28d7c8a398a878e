use concord::{DocError, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::common::{doc, render, sync};

fn strings(d: &concord::Doc, list: &ObjId) -> Vec<String> {
    d.values(list)
        .unwrap()
        .into_iter()
        .map(|(v, _)| v.as_str().unwrap().to_owned())
        .collect()
}

fn new_list(d: &mut concord::Doc) -> ObjId {
    d.transact(|tx| tx.put_object(ROOT, "l", ObjType::List))
        .unwrap()
}

#[test]
fn insert_put_delete_splice() {
    let mut d = doc(1);
    let l = new_list(&mut d);
    d.transact(|tx| {
        tx.insert(l, 0, "b")?;
        tx.insert(l, 0, "a")?;
        tx.insert(l, 2, "d")?;
        tx.insert(l, 2, "c")?;
        tx.put(l, 3, "D")?;
        tx.delete(l, 0)?;
        tx.splice(l, 1, 1, ["x", "y"])
    })
    .unwrap();
    assert_eq!(strings(&d, &l), vec!["b", "x", "y", "D"]);
    assert_eq!(d.length(l), 4);
    assert_eq!(d.get(l, 3).unwrap().unwrap().0.as_str(), Some("D"));
    let obj = d
        .transact(|tx| tx.insert_object(l, 4, ObjType::Map))
        .unwrap();
    d.transact(|tx| tx.put(obj, "k", 1)).unwrap();
    assert_eq!(d.get(l, 4).unwrap().unwrap().0, Value::Object(ObjType::Map));
    assert_eq!(ObjId::from(d.get(l, 4).unwrap().unwrap().1), obj);
}

#[test]
fn slot_put_has_register_semantics() {
    let mut a = doc(1);
    let l = new_list(&mut a);
    a.transact(|tx| tx.insert(l, 0, "x")).unwrap();
    let mut b = a.fork();
    a.transact(|tx| tx.put(l, 0, "from a")).unwrap();
    b.transact(|tx| tx.put(l, 0, "from b")).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(render(&a), render(&b));
    let all = a.get_all(l, 0).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(a.get(l, 0).unwrap().unwrap(), all[1].clone());
    // A delete concurrent with a put of the same slot: the put survives.
    let mut c = a.fork();
    a.transact(|tx| tx.delete(l, 0)).unwrap();
    c.transact(|tx| tx.put(l, 0, "kept")).unwrap();
    sync(&mut a, &mut c);
    assert_eq!(strings(&a, &l), vec!["kept"]);
    assert_eq!(render(&a), render(&c));
}

#[test]
fn concurrent_inserts_at_one_place_do_not_interleave() {
    let mut a = doc(1);
    let l = new_list(&mut a);
    a.transact(|tx| tx.splice(l, 0, 0, ["<", ">"])).unwrap();
    let mut b = a.fork();
    for (i, s) in ["a1", "a2", "a3"].into_iter().enumerate() {
        a.transact(|tx| tx.insert(l, 1 + i, s)).unwrap();
    }
    for (i, s) in ["b1", "b2", "b3"].into_iter().enumerate() {
        b.transact(|tx| tx.insert(l, 1 + i, s)).unwrap();
    }
    sync(&mut a, &mut b);
    let got = strings(&a, &l).join(" ");
    assert!(
        got == "< a1 a2 a3 b1 b2 b3 >" || got == "< b1 b2 b3 a1 a2 a3 >",
        "{got}"
    );
    assert_eq!(strings(&b, &l), strings(&a, &l));
}

#[test]
fn index_errors_leave_the_list_unchanged() {
    let mut d = doc(1);
    let l = new_list(&mut d);
    d.transact(|tx| tx.insert(l, 0, 1)).unwrap();
    let before = render(&d);
    let heads = d.heads();
    let err = d.transact(|tx| tx.insert(l, 2, 5)).unwrap_err();
    assert_eq!(
        err,
        DocError::IndexOutOfBounds {
            obj: l,
            index: 2,
            len: 1
        }
    );
    assert!(matches!(
        d.transact(|tx| tx.put(l, 1, 5)),
        Err(DocError::IndexOutOfBounds {
            index: 1,
            len: 1,
            ..
        })
    ));
    assert!(matches!(
        d.transact(|tx| tx.splice(l, 0, 2, [1])),
        Err(DocError::IndexOutOfBounds {
            index: 2,
            len: 1,
            ..
        })
    ));
    assert!(matches!(
        d.get(l, 1),
        Err(DocError::IndexOutOfBounds {
            index: 1,
            len: 1,
            ..
        })
    ));
    assert_eq!(render(&d), before);
    assert_eq!(d.heads(), heads);
    assert_eq!(
        d.values(l).unwrap()[0].0,
        Value::Scalar(ScalarValue::Int(1))
    );
}

#[test]
fn splice_deletes_each_element_as_the_delete_op_would() {
    // Two runs of elements, one element overwritten and one holding concurrent values: the
    // splice deletes across all of them, each element by an op that overwrites exactly its
    // visible values, and the changes rebuild the same list elsewhere.
    let mut a = doc(1);
    let l = new_list(&mut a);
    a.transact(|tx| tx.splice(l, 0, 0, ["a", "b", "c"]))
        .unwrap();
    a.transact(|tx| tx.splice(l, 0, 0, ["x", "y"])).unwrap();
    let mut b = a.fork();
    a.transact(|tx| tx.put(l, 3, "B")).unwrap();
    b.transact(|tx| tx.put(l, 1, "Y")).unwrap();
    sync(&mut a, &mut b);
    a.transact(|tx| tx.put(l, 1, "Y2")).unwrap();
    let mut c = a.fork();
    c.transact(|tx| tx.put(l, 2, "concurrent")).unwrap();
    b.transact(|tx| tx.put(l, 2, "A")).unwrap();
    sync(&mut b, &mut c);
    sync(&mut a, &mut b);
    assert_eq!(a.get_all(l, 2).unwrap().len(), 2);
    let before = render(&a);
    let heads = a.heads();

    // A failed transaction leaves everything as it was.
    let failed = a.transact(|tx| {
        tx.splice(l, 0, 4, ["q"])?;
        tx.put(l, 9, "past the end")
    });
    assert!(matches!(failed, Err(DocError::IndexOutOfBounds { .. })));
    assert_eq!(render(&a), before);
    assert_eq!(a.heads(), heads);

    let mut by_deletes = a.fork();
    by_deletes.set_actor(crate::common::actor(1));
    a.transact(|tx| tx.splice(l, 0, 4, ["q"])).unwrap();
    by_deletes
        .transact(|tx| {
            for _ in 0..4 {
                tx.delete(l, 0)?;
            }
            tx.insert(l, 0, "q")
        })
        .unwrap();
    assert_eq!(strings(&a, &l), vec!["q", "c"]);
    assert_eq!(render(&a), render(&by_deletes));
    assert_eq!(a.changes().pop(), by_deletes.changes().pop());
    // The old values are still there in the past, and the changes load elsewhere.
    assert_eq!(a.values_at(l, &heads).unwrap().len(), 5);
    let mut d = concord::Doc::load(&a.save()).unwrap();
    assert_eq!(render(&d), render(&a));
    d.transact(|tx| tx.splice(l, 1, 1, ["r"])).unwrap();
    sync(&mut a, &mut d);
    assert_eq!(strings(&a, &l), vec!["q", "r"]);
}

#[test]
fn list_deletes_load_back_as_they_were_made() {
    // Typing, deleting forward and backspacing one element per change, as a list replay does,
    // with an element overwritten and one deleted concurrently in between: a load applies the
    // runs of deletes at once, and gives back the same document and the same bytes.
    let mut a = doc(1);
    let l = new_list(&mut a);
    for k in 0..12 {
        a.transact(|tx| tx.insert(l, k, k as i64)).unwrap();
    }
    a.transact(|tx| tx.put(l, 6, "over")).unwrap();
    let mut b = a.fork();
    b.transact(|tx| tx.delete(l, 9)).unwrap();
    for _ in 0..4 {
        a.transact(|tx| tx.delete(l, 2)).unwrap();
    }
    for k in (5..8).rev() {
        a.transact(|tx| tx.delete(l, k)).unwrap();
    }
    sync(&mut a, &mut b);
    a.transact(|tx| tx.splice(l, 0, 3, [7])).unwrap();
    let bytes = a.save();
    let mut loaded = concord::Doc::load(&bytes).unwrap();
    assert_eq!(render(&loaded), render(&a));
    assert_eq!(loaded.save(), bytes);
    let mut imported = concord::Doc::new();
    imported
        .load_incremental(&concord::encode_changes(&a.changes()))
        .unwrap();
    assert_eq!(render(&imported), render(&a));
}
