use concord::{Doc, DocError, Expected, ObjId, ObjType, ReadDoc, ROOT};

use crate::common::{actor, doc, render, sync};

fn new_text(d: &mut Doc, init: &str) -> ObjId {
    d.transact(|tx| {
        let t = tx.put_object(ROOT, "t", ObjType::Text)?;
        tx.splice_text(t, 0, 0, init)?;
        Ok::<_, DocError>(t)
    })
    .unwrap()
}

#[test]
fn splice_counts_unicode_scalar_values() {
    let mut d = doc(1);
    let t = new_text(&mut d, "héllo wörld");
    d.transact(|tx| tx.splice_text(t, 1, 4, "ey")).unwrap();
    assert_eq!(d.text(t).unwrap(), "hey wörld");
    d.transact(|tx| tx.splice_text(t, 4, 5, "🌍🌎")).unwrap();
    assert_eq!(d.text(t).unwrap(), "hey 🌍🌎");
    assert_eq!(d.length(t), 6);
    assert_eq!(d.get(t, 5).unwrap().unwrap().0.as_str(), Some("🌎"));
    d.transact(|tx| tx.delete(t, 0)).unwrap();
    assert_eq!(d.text(t).unwrap(), "ey 🌍🌎");
    assert!(matches!(
        d.transact(|tx| tx.splice_text(t, 6, 0, "x")),
        Err(DocError::IndexOutOfBounds {
            index: 6,
            len: 5,
            ..
        })
    ));
    assert!(matches!(
        d.transact(|tx| tx.splice_text(ROOT, 0, 0, "x")),
        Err(DocError::WrongObjectType {
            expected: Expected::Text,
            found: ObjType::Map,
            ..
        })
    ));
}

/// Two replicas type "abc" and "xyz" one character per transaction at the same spot.
#[test]
fn concurrent_typing_at_one_spot_never_interleaves() {
    for (first, second) in [(1u8, 2u8), (2, 1)] {
        let mut a = doc(first);
        let t = new_text(&mut a, "[]");
        let mut b = a.fork();
        b.set_actor(actor(second));
        for (i, c) in "abc".chars().enumerate() {
            a.transact(|tx| tx.splice_text(t, 1 + i, 0, &c.to_string()))
                .unwrap();
        }
        for (i, c) in "xyz".chars().enumerate() {
            b.transact(|tx| tx.splice_text(t, 1 + i, 0, &c.to_string()))
                .unwrap();
        }
        sync(&mut a, &mut b);
        let got = a.text(t).unwrap();
        assert!(got == "[abcxyz]" || got == "[xyzabc]", "{got}");
        assert_eq!(b.text(t).unwrap(), got);
    }
}

/// Typing backwards (each character inserted before the previous one) does not interleave
/// either.
#[test]
fn concurrent_backward_typing_never_interleaves() {
    let mut a = doc(1);
    let t = new_text(&mut a, "[]");
    let mut b = a.fork();
    let mut c = a.fork();
    for ch in ["c", "b", "a"] {
        a.transact(|tx| tx.splice_text(t, 1, 0, ch)).unwrap();
    }
    for ch in ["z", "y", "x"] {
        b.transact(|tx| tx.splice_text(t, 1, 0, ch)).unwrap();
    }
    for ch in ["3", "2", "1"] {
        c.transact(|tx| tx.splice_text(t, 1, 0, ch)).unwrap();
    }
    sync(&mut a, &mut b);
    sync(&mut a, &mut c);
    sync(&mut b, &mut c);
    let got = a.text(t).unwrap();
    let inner = &got[1..got.len() - 1];
    let words: Vec<&str> = ["abc", "xyz", "123"]
        .into_iter()
        .filter(|w| inner.contains(w))
        .collect();
    assert_eq!(words.len(), 3, "{got}");
    assert_eq!(b.text(t).unwrap(), got);
    assert_eq!(c.text(t).unwrap(), got);
}

#[test]
fn insert_concurrent_with_deleting_its_neighbours_still_lands() {
    let mut a = doc(1);
    let t = new_text(&mut a, "abcd");
    let mut b = a.fork();
    a.transact(|tx| tx.splice_text(t, 1, 2, "")).unwrap(); // delete "bc"
    b.transact(|tx| tx.splice_text(t, 2, 0, "X")).unwrap(); // between b and c
    sync(&mut a, &mut b);
    assert_eq!(a.text(t).unwrap(), "aXd");
    assert_eq!(b.text(t).unwrap(), "aXd");
    assert_eq!(render(&a), render(&b));
}

#[test]
fn concurrent_deletes_of_one_character() {
    let mut a = doc(1);
    let t = new_text(&mut a, "abc");
    let mut b = a.fork();
    a.transact(|tx| tx.splice_text(t, 0, 2, "")).unwrap();
    b.transact(|tx| tx.splice_text(t, 1, 2, "Z")).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.text(t).unwrap(), "Z");
    assert_eq!(b.text(t).unwrap(), "Z");
}
