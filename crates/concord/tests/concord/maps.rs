use concord::{ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::common::{doc, render, sync};

fn int(n: i64) -> Value {
    Value::Scalar(ScalarValue::Int(n))
}

/// Automerge's conflict example: two fresh documents set `x` to 1 and 2.
#[test]
fn automerge_conflict_example() {
    let mut a = doc(1);
    let mut b = doc(2);
    a.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
    b.transact(|tx| tx.put(ROOT, "x", 2)).unwrap();
    let id_a = a.get(ROOT, "x").unwrap().unwrap().1;
    let id_b = b.get(ROOT, "x").unwrap().unwrap().1;
    sync(&mut a, &mut b);
    assert_eq!(render(&a), render(&b));
    assert_eq!(a.heads(), b.heads());

    // The winner is the value with the greater op id, on both replicas.
    let (winner, winner_id) = a.get(ROOT, "x").unwrap().unwrap();
    assert_eq!(winner_id, id_a.max(id_b));
    assert_eq!(winner, if id_a > id_b { int(1) } else { int(2) });
    assert_eq!(b.get(ROOT, "x").unwrap(), Some((winner, winner_id)));

    // Both values are kept, with their op ids.
    let mut all = a.get_all(ROOT, "x").unwrap();
    all.sort_by_key(|(_, id)| *id);
    let mut expected = vec![(int(1), id_a), (int(2), id_b)];
    expected.sort_by_key(|(_, id)| *id);
    assert_eq!(all, expected);
    assert_eq!(b.get_all(ROOT, "x").unwrap(), a.get_all(ROOT, "x").unwrap());

    // A later put by either replica, made after the merge, resolves the conflict.
    b.transact(|tx| tx.put(ROOT, "x", 3)).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.get_all(ROOT, "x").unwrap().len(), 1);
    assert_eq!(a.get(ROOT, "x").unwrap().unwrap().0, int(3));
    assert_eq!(render(&a), render(&b));
}

#[test]
fn put_get_delete_keys_length() {
    let mut d = doc(1);
    d.transact(|tx| {
        tx.put(ROOT, "b", "two")?;
        tx.put(ROOT, "a", 1.5)?;
        tx.put(ROOT, "c", true)?;
        tx.delete(ROOT, "c")?;
        tx.delete(ROOT, "never-there")
    })
    .unwrap();
    assert_eq!(d.keys(ROOT), vec!["a", "b"]);
    assert_eq!(d.length(ROOT), 2);
    assert_eq!(d.get(ROOT, "c").unwrap(), None);
    assert_eq!(d.get_all(ROOT, "c").unwrap(), vec![]);
    assert_eq!(
        d.get(ROOT, "a").unwrap().unwrap().0,
        Value::Scalar(ScalarValue::F64(1.5))
    );
    // One change, four ops: the delete of an absent key makes none.
    assert_eq!(d.changes().len(), 1);
    assert_eq!(d.changes()[0].len(), 4);
}

#[test]
fn delete_concurrent_with_put_loses() {
    let mut a = doc(1);
    a.transact(|tx| tx.put(ROOT, "k", "old")).unwrap();
    let mut b = a.fork();
    a.transact(|tx| tx.delete(ROOT, "k")).unwrap();
    b.transact(|tx| tx.put(ROOT, "k", "new")).unwrap();
    sync(&mut a, &mut b);
    for d in [&a, &b] {
        assert_eq!(d.get(ROOT, "k").unwrap().unwrap().0.as_str(), Some("new"));
        assert_eq!(d.get_all(ROOT, "k").unwrap().len(), 1);
    }
}

#[test]
fn concurrent_put_object_keeps_both_objects_with_their_contents() {
    let mut a = doc(1);
    let mut b = doc(2);
    let ma = a
        .transact(|tx| {
            let m = tx.put_object(ROOT, "cfg", ObjType::Map)?;
            tx.put(m, "from", "a")?;
            Ok::<_, concord::DocError>(m)
        })
        .unwrap();
    let lb = b
        .transact(|tx| {
            let l = tx.put_object(ROOT, "cfg", ObjType::List)?;
            tx.insert(l, 0, "b")?;
            Ok::<_, concord::DocError>(l)
        })
        .unwrap();
    sync(&mut a, &mut b);
    assert_eq!(render(&a), render(&b));
    let all = a.get_all(ROOT, "cfg").unwrap();
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .any(|(v, id)| *v == Value::Object(ObjType::Map) && ma == (*id).into()));
    assert!(all
        .iter()
        .any(|(v, id)| *v == Value::Object(ObjType::List) && lb == (*id).into()));
    assert_eq!(a.get(ma, "from").unwrap().unwrap().0.as_str(), Some("a"));
    assert_eq!(a.values(lb).unwrap()[0].0.as_str(), Some("b"));
    // Edits to either object keep applying.
    b.transact(|tx| tx.put(ma, "seen", "by b")).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.keys(ma), vec!["from", "seen"]);
}

#[test]
fn nested_objects_and_values() {
    let mut d = doc(1);
    let (m, l) = d
        .transact(|tx| {
            let m = tx.put_object(ROOT, "m", ObjType::Map)?;
            let l = tx.put_object(m, "l", ObjType::List)?;
            tx.insert(l, 0, 7)?;
            tx.put(m, "bytes", vec![1u8, 2])?;
            Ok::<_, concord::DocError>((m, l))
        })
        .unwrap();
    assert_eq!(d.object_type(m).unwrap(), ObjType::Map);
    assert_eq!(d.object_type(l).unwrap(), ObjType::List);
    let vals: Vec<Value> = d.values(m).unwrap().into_iter().map(|(v, _)| v).collect();
    assert_eq!(
        vals,
        vec![
            Value::Scalar(ScalarValue::Bytes(vec![1, 2])),
            Value::Object(ObjType::List)
        ]
    );
}
