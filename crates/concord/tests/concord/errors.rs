use concord::{ActorId, DocError, Expected, ObjId, ObjType, OpId, ReadDoc, ROOT};

use crate::common::{doc, render};

#[test]
fn local_misuse_gets_typed_errors_and_changes_nothing() {
    let mut d = doc(1);
    let l = d
        .transact(|tx| tx.put_object(ROOT, "l", ObjType::List))
        .unwrap();
    let before = render(&d);
    let ghost = ObjId::from(OpId::new(42, ActorId::from_bytes([9; 16])));
    assert_eq!(
        d.transact(|tx| tx.put(ghost, "k", 1)),
        Err(DocError::NoSuchObject(ghost))
    );
    assert_eq!(d.get(ghost, "k"), Err(DocError::NoSuchObject(ghost)));
    assert_eq!(
        d.transact(|tx| tx.put(l, "k", 1)),
        Err(DocError::WrongObjectType {
            obj: l,
            expected: Expected::Map,
            found: ObjType::List
        })
    );
    assert_eq!(
        d.transact(|tx| tx.insert(ROOT, 0, 1)),
        Err(DocError::WrongObjectType {
            obj: ROOT,
            expected: Expected::List,
            found: ObjType::Map
        })
    );
    assert!(matches!(
        d.transact(|tx| tx.put(ROOT, 0, 1)),
        Err(DocError::WrongObjectType {
            expected: Expected::Sequence,
            ..
        })
    ));
    assert!(matches!(
        d.text(l),
        Err(DocError::WrongObjectType {
            expected: Expected::Text,
            ..
        })
    ));
    assert_eq!(d.length(ghost), 0);
    assert!(d.keys(ghost).is_empty());
    assert_eq!(render(&d), before);
    assert_eq!(d.changes().len(), 1);
}

#[test]
fn unknown_heads_are_refused() {
    let d = doc(1);
    let h = OpId::new(1, ActorId::from_bytes([1; 16]));
    assert_eq!(d.fork_at(&[h]).err(), Some(DocError::UnknownHead(h)));
    assert_eq!(d.text_at(ROOT, &[h]), Err(DocError::UnknownHead(h)));
}

#[test]
fn refused_splices_of_text_change_nothing() {
    let mut d = doc(1);
    let (l, t) = d
        .transact(|tx| {
            let l = tx.put_object(ROOT, "l", ObjType::List)?;
            let t = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(t, 0, 0, "abc")?;
            Ok::<_, DocError>((l, t))
        })
        .unwrap();
    let ghost = ObjId::from(OpId::new(42, ActorId::from_bytes([9; 16])));
    let not_text = |obj, found| DocError::WrongObjectType {
        obj,
        expected: Expected::Text,
        found,
    };
    let past = |index| DocError::IndexOutOfBounds {
        obj: t,
        index,
        len: 3,
    };
    let cases = [
        (ghost, 0, 0, DocError::NoSuchObject(ghost)),
        (ROOT, 0, 0, not_text(ROOT, ObjType::Map)),
        (l, 0, 0, not_text(l, ObjType::List)),
        (t, 4, 0, past(4)),
        (t, 2, 2, past(4)),
        (t, usize::MAX, 1, past(usize::MAX)),
    ];
    for (obj, pos, del, expected) in cases {
        let before = render(&d);
        let next = d.changes().iter().map(|c| c.start_op() + c.len()).max();
        // Refused inside a transaction that goes on: the refusal changed nothing and used
        // no op ids, so the transaction's one splice takes the next id.
        d.transact(|tx| {
            assert_eq!(tx.splice_text(obj, pos, del, "x"), Err(expected.clone()));
            assert_eq!(tx.text(t).unwrap(), "abc");
            tx.splice_text(t, 3, 0, "d")
        })
        .unwrap();
        let last = d.changes().pop().unwrap();
        assert_eq!(
            (Some(last.start_op()), last.len()),
            (next, 1),
            "{expected:?}"
        );
        d.transact(|tx| tx.splice_text(t, 3, 1, "")).unwrap();
        assert_eq!(render(&d), before);
    }
}
