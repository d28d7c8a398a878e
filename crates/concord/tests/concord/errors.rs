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
