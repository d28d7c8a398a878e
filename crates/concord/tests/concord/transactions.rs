use concord::{Doc, DocError, ObjType, ReadDoc, ScalarValue, ROOT};

use crate::common::{doc, render};

/// Builds a document with one of everything.
fn populated() -> (Doc, concord::ObjId, concord::ObjId) {
    let mut d = doc(1);
    let (l, t) = d
        .transact(|tx| {
            tx.put(ROOT, "k", "v")?;
            tx.put(ROOT, "n", ScalarValue::counter(1))?;
            let l = tx.put_object(ROOT, "l", ObjType::List)?;
            tx.splice(l, 0, 0, [1, 2, 3])?;
            let t = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(t, 0, 0, "hello")?;
            Ok::<_, DocError>((l, t))
        })
        .unwrap();
    (d, l, t)
}

#[test]
fn an_error_rolls_back_every_edit() {
    let (mut d, l, t) = populated();
    let before = render(&d);
    let heads = d.heads();
    let changes = d.changes();
    let err = d
        .transact(|tx| {
            tx.put(ROOT, "k", "changed")?;
            tx.delete(ROOT, "n")?;
            tx.increment(ROOT, "n", 1).ok(); // refused: n is deleted in this transaction
            tx.splice(l, 1, 1, [9, 9])?;
            tx.put(l, 0, "x")?;
            tx.splice_text(t, 1, 3, "ipp")?;
            let m = tx.put_object(ROOT, "m", ObjType::Map)?;
            tx.put(m, "deep", 1)?;
            // Reads inside the transaction see its own writes.
            assert_eq!(tx.text(t)?, "hippo");
            assert_eq!(tx.get(ROOT, "k")?.unwrap().0.as_str(), Some("changed"));
            tx.insert(l, 99, 0) // out of bounds: everything above is undone
        })
        .unwrap_err();
    assert!(matches!(err, DocError::IndexOutOfBounds { index: 99, .. }));
    assert_eq!(render(&d), before);
    assert_eq!(d.heads(), heads);
    assert_eq!(d.changes(), changes);

    // The op counter is as it was: the next change starts where the failed one did.
    let next = changes[0].start_op() + changes[0].len();
    d.transact(|tx| tx.put(ROOT, "after", 1)).unwrap();
    assert_eq!(d.changes()[1].start_op(), next);
}

#[test]
fn a_custom_error_rolls_back_too() {
    #[derive(Debug, PartialEq)]
    struct Cancelled;
    let (mut d, _, t) = populated();
    let before = render(&d);
    let r: Result<(), Cancelled> = d.transact(|tx| {
        tx.splice_text(t, 0, 5, "bye").unwrap();
        Err(Cancelled)
    });
    assert_eq!(r, Err(Cancelled));
    assert_eq!(render(&d), before);
}

#[test]
fn message_time_and_nested_groups_are_stored_with_the_change() {
    let (mut d, l, _) = populated();
    d.transact(|tx| {
        tx.set_message("reorder");
        tx.set_time(1_700_000_000_000);
        tx.group("move item", |tx| {
            tx.delete(l, 0)?;
            tx.group("reinsert", |tx| tx.insert(l, 2, 1))
        })?;
        tx.put(ROOT, "moved", true)
    })
    .unwrap();
    let change = d.changes().pop().unwrap();
    assert_eq!(change.message(), Some("reorder"));
    assert_eq!(change.time(), 1_700_000_000_000);
    let groups = change.groups();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name(), "move item");
    assert_eq!(groups[0].parent(), None);
    assert_eq!(groups[1].name(), "reinsert");
    assert_eq!(groups[1].parent(), Some(0));
    let s = change.start_op();
    assert_eq!(groups[0].op_counters(), s..s + 2);
    assert_eq!(groups[1].op_counters(), s + 1..s + 2);
    assert_eq!(change.len(), 3);

    // The metadata travels with the change.
    let mut other = Doc::new();
    other.merge(&d).unwrap();
    assert_eq!(other.changes().pop().unwrap(), change);
}

#[test]
fn a_failed_group_is_undone_and_the_transaction_goes_on() {
    let (mut d, l, _) = populated();
    d.transact(|tx| {
        let r = tx.group("bad", |tx| {
            tx.delete(l, 0)?;
            tx.insert(l, 50, 0)
        });
        assert!(r.is_err());
        assert_eq!(tx.length(l), 3);
        tx.put(ROOT, "ok", 1)
    })
    .unwrap();
    let change = d.changes().pop().unwrap();
    assert!(change.groups().is_empty());
    assert_eq!(change.len(), 1);
    assert_eq!(d.length(l), 3);
}

#[test]
fn an_empty_transaction_records_nothing() {
    let (mut d, _, _) = populated();
    let heads = d.heads();
    d.transact(|tx| {
        tx.set_message("nothing");
        Ok::<_, DocError>(())
    })
    .unwrap();
    assert_eq!(d.heads(), heads);
    assert_eq!(d.changes().len(), 1);
}

#[test]
fn rolled_back_typing_leaves_no_characters_in_the_history() {
    let mut d = doc(1);
    let (a, b) = d
        .transact(|tx| {
            let a = tx.put_object(ROOT, "a", ObjType::Text)?;
            let b = tx.put_object(ROOT, "b", ObjType::Text)?;
            Ok::<_, DocError>((a, b))
        })
        .unwrap();
    // Typing that continues one record, in two texts in turn, with a failed transaction, a
    // failed group and a failed splice in between.
    d.transact(|tx| tx.splice_text(a, 0, 0, "héllo")).unwrap();
    let r: Result<(), DocError> = d.transact(|tx| {
        tx.splice_text(a, 5, 0, " wörld")?;
        tx.splice_text(b, 0, 0, "gone")?;
        tx.splice_text(a, 99, 0, "x")
    });
    assert!(r.is_err());
    d.transact(|tx| {
        tx.splice_text(a, 5, 0, ",")?;
        let failed = tx.group("typo", |tx| {
            tx.splice_text(a, 6, 0, " tpyo")?;
            tx.splice_text(b, 0, 0, "¿")?;
            tx.splice_text(b, 7, 0, "!")
        });
        assert!(failed.is_err());
        tx.splice_text(b, 0, 0, "bé")?;
        tx.splice_text(a, 6, 0, " 🌍")
    })
    .unwrap();
    d.transact(|tx| tx.splice_text(b, 2, 0, "e")).unwrap();
    assert_eq!(
        (d.text(a).unwrap(), d.text(b).unwrap()),
        ("héllo, 🌍".into(), "bée".into())
    );

    // The history holds exactly the characters that stayed: a replica rebuilt from it, and
    // one loaded from a save, read the same texts and give back the same changes.
    let mut rebuilt = doc(2);
    rebuilt.apply_changes(d.changes()).unwrap();
    let loaded = Doc::load(&d.save()).unwrap();
    for other in [&rebuilt, &loaded] {
        assert_eq!(render(other), render(&d));
        assert_eq!(other.changes(), d.changes());
    }
    let typed: String = d
        .changes()
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(typed.contains("🌍") && typed.contains("bé"), "{typed}");
    for gone in ["wörld", "gone", "tpyo", "¿"] {
        assert!(!typed.contains(gone), "{gone} is in the history");
    }
}
