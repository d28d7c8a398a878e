use concord::{DocError, ObjType, Prop, ReadDoc, ScalarValue, Value, ROOT};

use crate::common::{doc, render, sync};

fn counter(n: i64) -> Value {
    Value::Scalar(ScalarValue::Counter(n))
}

#[test]
fn concurrent_increments_add_up() {
    let mut a = doc(1);
    a.transact(|tx| tx.put(ROOT, "visits", ScalarValue::counter(10)))
        .unwrap();
    let mut b = a.fork();
    let mut c = a.fork();
    a.transact(|tx| tx.increment(ROOT, "visits", 1)).unwrap();
    b.transact(|tx| tx.increment(ROOT, "visits", 5)).unwrap();
    c.transact(|tx| tx.increment(ROOT, "visits", -3)).unwrap();
    sync(&mut a, &mut b);
    sync(&mut a, &mut c);
    sync(&mut b, &mut c);
    for d in [&a, &b, &c] {
        assert_eq!(d.get(ROOT, "visits").unwrap().unwrap().0, counter(13));
    }
}

#[test]
fn counter_in_a_list() {
    let mut d = doc(1);
    let l = d
        .transact(|tx| {
            let l = tx.put_object(ROOT, "l", ObjType::List)?;
            tx.insert(l, 0, ScalarValue::counter(0))?;
            tx.increment(l, 0, 4)?;
            Ok::<_, DocError>(l)
        })
        .unwrap();
    d.transact(|tx| tx.increment(l, 0, 4)).unwrap();
    assert_eq!(d.get(l, 0).unwrap().unwrap().0, counter(8));
}

#[test]
fn counter_overwritten_concurrently_with_an_increment_follows_the_register() {
    let mut a = doc(1);
    a.transact(|tx| tx.put(ROOT, "n", ScalarValue::counter(1)))
        .unwrap();
    let mut b = a.fork();
    a.transact(|tx| tx.put(ROOT, "n", "replaced")).unwrap();
    b.transact(|tx| tx.increment(ROOT, "n", 5)).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(render(&a), render(&b));
    let all = a.get_all(ROOT, "n").unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0.as_str(), Some("replaced"));

    // Overwritten by a new counter: the increment went to the old one.
    let mut c = a.fork();
    a.transact(|tx| tx.put(ROOT, "m", ScalarValue::counter(0)))
        .unwrap();
    sync(&mut a, &mut c);
    a.transact(|tx| tx.put(ROOT, "m", ScalarValue::counter(100)))
        .unwrap();
    c.transact(|tx| tx.increment(ROOT, "m", 7)).unwrap();
    sync(&mut a, &mut c);
    assert_eq!(a.get(ROOT, "m").unwrap().unwrap().0, counter(100));
    assert_eq!(c.get(ROOT, "m").unwrap().unwrap().0, counter(100));
}

#[test]
fn increment_on_a_non_counter_is_refused() {
    let mut d = doc(1);
    d.transact(|tx| tx.put(ROOT, "s", "text")).unwrap();
    let heads = d.heads();
    assert_eq!(
        d.transact(|tx| tx.increment(ROOT, "s", 1)),
        Err(DocError::NotACounter {
            obj: ROOT,
            prop: Prop::Map("s".into())
        })
    );
    assert_eq!(
        d.transact(|tx| tx.increment(ROOT, "missing", 1)),
        Err(DocError::NotACounter {
            obj: ROOT,
            prop: Prop::Map("missing".into())
        })
    );
    assert_eq!(d.heads(), heads);
    assert_eq!(d.changes().len(), 1);
}
