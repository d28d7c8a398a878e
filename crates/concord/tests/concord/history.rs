use concord::{Doc, DocError, ObjType, ReadDoc, ROOT};

use crate::common::{doc, render, sync};

#[test]
fn heads_and_changes_since() {
    let mut a = doc(1);
    assert!(a.heads().is_empty());
    a.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
    let h1 = a.heads();
    assert_eq!(h1.len(), 1);
    assert_eq!(Some(h1[0]), a.changes()[0].last_op());
    let mut b = a.fork();
    a.transact(|tx| tx.put(ROOT, "y", 1)).unwrap();
    b.transact(|tx| tx.put(ROOT, "z", 1)).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.heads().len(), 2);
    assert_eq!(a.heads(), b.heads());
    let since = a.changes_since(&h1).unwrap();
    assert_eq!(since.len(), 2);
    assert!(a.changes_since(&a.heads()).unwrap().is_empty());
    assert_eq!(a.changes_since(&[]).unwrap(), a.changes());
    let bogus = concord::OpId::new(99, concord::ActorId::from_bytes([7; 16]));
    assert_eq!(a.changes_since(&[bogus]), Err(DocError::UnknownHead(bogus)));
    // A merged change resolves both heads.
    a.transact(|tx| tx.put(ROOT, "w", 1)).unwrap();
    assert_eq!(a.heads().len(), 1);
}

#[test]
fn changes_since_any_past_heads_are_the_changes_those_heads_lack() {
    // Two replicas type in runs of changes of several lengths and merge now and then, so
    // the history has runs of several length groups and merges between them.
    let (mut a, mut b) = (doc(1), doc(2));
    let t = a
        .transact(|tx| tx.put_object(ROOT, "t", ObjType::Text))
        .unwrap();
    sync(&mut a, &mut b);
    let mut past = vec![a.heads()];
    for round in 0..6 {
        for (i, d) in [&mut a, &mut b].into_iter().enumerate() {
            for k in 0..=round {
                let word = "xyz".repeat(1 + (k + i) % 3);
                let at = d.length(t);
                d.transact(|tx| tx.splice_text(t, at, 0, &word)).unwrap();
                past.push(d.heads());
            }
        }
        if round % 2 == 1 {
            sync(&mut a, &mut b);
            past.push(a.heads());
        }
    }
    sync(&mut a, &mut b);
    let all = a.changes();
    for heads in &past {
        let had = a.fork_at(heads).unwrap().changes();
        let lacking: Vec<_> = all.iter().filter(|c| !had.contains(c)).cloned().collect();
        let mut since = a.changes_since(heads).unwrap();
        // The same changes, each after its dependencies (the order among concurrent ones is
        // the history's).
        assert_eq!(since.len(), lacking.len(), "since {heads:?}");
        since.retain(|c| lacking.contains(c));
        assert_eq!(since.len(), lacking.len());
        let mut fresh = a.fork_at(heads).unwrap();
        fresh
            .apply_changes(a.changes_since(heads).unwrap())
            .unwrap();
        assert!(fresh.pending_changes().is_empty());
        assert_eq!(fresh.text(t).unwrap(), a.text(t).unwrap());
    }
}

#[test]
fn out_of_order_changes_wait_and_duplicates_are_ignored() {
    let mut a = doc(1);
    let t = a
        .transact(|tx| tx.put_object(ROOT, "t", ObjType::Text))
        .unwrap();
    for w in ["one ", "two ", "three"] {
        let at = a.length(t);
        a.transact(|tx| tx.splice_text(t, at, 0, w)).unwrap();
    }
    let changes = a.changes();
    let mut b = Doc::new();
    b.apply_changes(vec![changes[3].clone(), changes[2].clone()])
        .unwrap();
    assert_eq!(b.pending_changes().len(), 2);
    assert!(b.heads().is_empty());
    b.apply_changes(vec![changes[1].clone(), changes[3].clone()])
        .unwrap();
    assert_eq!(b.pending_changes().len(), 3);
    b.apply_changes(vec![changes[0].clone(), changes[0].clone()])
        .unwrap();
    assert!(b.pending_changes().is_empty());
    assert_eq!(b.text(t).unwrap(), "one two three");
    assert_eq!(b.heads(), a.heads());
    b.apply_changes(changes).unwrap();
    assert_eq!(render(&b), render(&a));
}

#[test]
fn merge_is_commutative_associative_and_idempotent() {
    let base = doc(1);
    let mut reps: Vec<Doc> = (2..5)
        .map(|i| {
            let mut d = base.fork();
            d.set_actor(crate::common::actor(i));
            d
        })
        .collect();
    for (i, d) in reps.iter_mut().enumerate() {
        d.transact(|tx| {
            tx.put(ROOT, "k", i as i64)?;
            tx.put(ROOT, format!("own{i}"), 1)
        })
        .unwrap();
    }
    let (a, b, c) = (&reps[0], &reps[1], &reps[2]);
    let mut ab = a.clone();
    ab.merge(b).unwrap();
    let mut ba = b.clone();
    ba.merge(a).unwrap();
    assert_eq!(render(&ab), render(&ba));
    assert_eq!(ab.heads(), ba.heads());

    let mut ab_c = ab.clone();
    ab_c.merge(c).unwrap();
    let mut bc = b.clone();
    bc.merge(c).unwrap();
    let mut a_bc = a.clone();
    a_bc.merge(&bc).unwrap();
    assert_eq!(render(&ab_c), render(&a_bc));

    let before = render(&ab_c);
    ab_c.merge(&a_bc).unwrap();
    ab_c.merge(a).unwrap();
    assert_eq!(render(&ab_c), before);
    assert_eq!(ab_c.changes().len(), 3);
}

#[test]
fn reads_at_past_heads_and_fork_at() {
    let mut d = doc(1);
    let (t, l) = d
        .transact(|tx| {
            let t = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(t, 0, 0, "hello")?;
            let l = tx.put_object(ROOT, "l", ObjType::List)?;
            tx.splice(l, 0, 0, ["a", "b"])?;
            tx.put(ROOT, "x", 1).map(|_| (t, l))
        })
        .unwrap();
    let v1 = d.heads();
    let mut other = d.fork();
    d.transact(|tx| {
        tx.splice_text(t, 0, 1, "j")?;
        tx.splice_text(t, 5, 0, "!")?;
        tx.delete(l, 0)?;
        tx.put(l, 0, "B")?;
        tx.put(ROOT, "x", 2)?;
        tx.put(ROOT, "y", 3)
    })
    .unwrap();
    other.transact(|tx| tx.put(ROOT, "x", 9)).unwrap();
    d.merge(&other).unwrap();
    let v2 = d.heads();
    d.transact(|tx| tx.splice_text(t, 0, 6, "")).unwrap();

    assert_eq!(d.text_at(t, &v1).unwrap(), "hello");
    assert_eq!(d.text_at(t, &v2).unwrap(), "jello!");
    assert_eq!(d.text(t).unwrap(), "");
    assert_eq!(d.length_at(t, &v1).unwrap(), 5);
    assert_eq!(d.get_at(t, 1, &v2).unwrap().unwrap().0.as_str(), Some("e"));
    let list_at = |h: &[concord::OpId]| -> Vec<String> {
        d.values_at(l, h)
            .unwrap()
            .into_iter()
            .map(|(v, _)| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(list_at(&v1), vec!["a", "b"]);
    assert_eq!(list_at(&v2), vec!["B"]);
    assert_eq!(
        d.get_at(ROOT, "x", &v1).unwrap().unwrap().0.as_i64(),
        Some(1)
    );
    assert_eq!(d.get_all_at(ROOT, "x", &v2).unwrap().len(), 2);
    assert_eq!(d.keys_at(ROOT, &v1).unwrap(), vec!["l", "t", "x"]);
    assert_eq!(d.keys_at(ROOT, &v2).unwrap(), vec!["l", "t", "x", "y"]);
    assert_eq!(d.get_at(ROOT, "y", &v1).unwrap(), None);
    // An object created later does not exist at earlier heads.
    let m = d
        .transact(|tx| tx.put_object(ROOT, "m", ObjType::Map))
        .unwrap();
    assert_eq!(d.keys_at(m, &v2), Err(DocError::NoSuchObject(m)));

    let old = d.fork_at(&v1).unwrap();
    assert_eq!(old.heads(), v1);
    assert_eq!(old.text(t).unwrap(), "hello");
    let mid = d.fork_at(&v2).unwrap();
    assert_eq!(mid.text(t).unwrap(), "jello!");
    assert_eq!(mid.get_all(ROOT, "x").unwrap().len(), 2);
    assert_ne!(mid.actor(), d.actor());
}

#[test]
fn element_ids_are_stable_across_versions() {
    let mut d = doc(1);
    let l = d
        .transact(|tx| {
            let l = tx.put_object(ROOT, "l", ObjType::List)?;
            tx.splice(l, 0, 0, ["a", "b", "c"]).map(|_| l)
        })
        .unwrap();
    let v1 = d.heads();
    d.transact(|tx| {
        tx.delete(l, 0)?;
        tx.insert(l, 2, "d")?;
        tx.put(l, 0, "B")
    })
    .unwrap();
    let before = d.elements_at(l, &v1).unwrap();
    let after = d.elements(l).unwrap();
    assert_eq!(before.len(), 3);
    assert_eq!(after.len(), 3);
    // "b" and "c" keep their identities; "b" was overwritten in place by a put.
    assert_eq!(after[0].elem, before[1].elem);
    assert_eq!(after[0].value.as_str(), Some("B"));
    assert_ne!(after[0].op, after[0].elem);
    assert_eq!(after[1].elem, before[2].elem);
    assert_eq!(after[1].op, after[1].elem);
    assert!(before.iter().all(|e| e.elem != after[2].elem));
    assert!(matches!(
        d.elements(ROOT),
        Err(DocError::WrongObjectType { .. })
    ));
}

/// A document can move to another thread and be read from several at once.
#[test]
fn documents_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<concord::Doc>();
    check::<concord::SyncState>();
    check::<concord::Change>();
}
