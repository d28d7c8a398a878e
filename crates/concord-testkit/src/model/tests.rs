use super::*;
use crate::net::Network;
use rand::rngs::StdRng;
use rand::SeedableRng;

const ROOT: ModelObjId = ModelObjId::Root;

fn actor(b: u8) -> [u8; 16] {
    [b; 16]
}

fn int(i: i64) -> NewValue {
    NewValue::Scalar(ModelScalar::Int(i))
}

fn counter(i: i64) -> NewValue {
    NewValue::Scalar(ModelScalar::Counter(i))
}

fn value_int(i: i64) -> ModelValue {
    ModelValue::Scalar(ModelScalar::Int(i))
}

fn value_counter(i: i64) -> ModelValue {
    ModelValue::Scalar(ModelScalar::Counter(i))
}

/// Makes `b` apply everything `a` has, and the other way round.
fn sync(a: &mut ModelDoc, b: &mut ModelDoc) {
    let from_a = a.ops().to_vec();
    b.apply_all(&from_a);
    let from_b = b.ops().to_vec();
    a.apply_all(&from_b);
    assert_eq!(a.pending(), 0);
    assert_eq!(b.pending(), 0);
}

fn values(doc: &ModelDoc, obj: ModelObjId, prop: impl Into<Prop>) -> Vec<ModelValue> {
    doc.get_all(obj, prop).into_iter().map(|(v, _)| v).collect()
}

#[test]
fn id_order_is_counter_then_actor_bytes() {
    let a = ModelId::new(2, actor(9));
    let b = ModelId::new(3, actor(1));
    let mut c_bytes = actor(1);
    c_bytes[15] = 2;
    let c = ModelId::new(3, c_bytes);
    assert!(a < b && b < c);
    assert_eq!(
        ModelId::new(7, [0xab; 16]).to_string(),
        format!("7@{}", "ab".repeat(16))
    );
    assert_eq!(ModelObjId::Root.to_string(), "_root");
}

#[test]
fn lamport_counters() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    let ops = a.put(ROOT, "x", int(1)).unwrap();
    assert_eq!(ops[0].id, ModelId::new(1, actor(1)));
    assert!(ops[0].deps.is_empty());
    let ops2 = a.splice_text(ROOT, 0, 0, "").unwrap_err();
    assert!(matches!(ops2, ModelError::WrongType { .. }));
    let (_, more) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
    assert_eq!(more[0].id.counter, 2);
    assert_eq!(more[0].deps, vec![ops[0].id]);
    // b has seen nothing: its first op takes counter 1; after merging a's ops, 1 + 2.
    assert_eq!(b.put(ROOT, "y", int(2)).unwrap()[0].id.counter, 1);
    b.merge(&a);
    assert_eq!(b.max_counter(), 2);
    let op = b.put(ROOT, "y", int(3)).unwrap().remove(0);
    assert_eq!(op.id.counter, 3);
    // Its deps are b's heads: its own first op and a's last.
    assert_eq!(op.deps.len(), 2);
    assert_eq!(b.heads(), vec![op.id]);
}

#[test]
fn concurrent_puts_keep_both_and_the_greater_id_wins() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    a.put(ROOT, "x", int(1)).unwrap();
    b.put(ROOT, "x", int(2)).unwrap();
    // A later counter beats a greater actor.
    a.put(ROOT, "y", int(0)).unwrap();
    a.put(ROOT, "y", int(10)).unwrap(); // counter 3 on a
    b.put(ROOT, "y", int(20)).unwrap(); // counter 2 on b
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        assert_eq!(values(doc, ROOT, "x"), vec![value_int(1), value_int(2)]);
        assert_eq!(
            doc.get(ROOT, "x").unwrap(),
            (value_int(2), ModelId::new(1, actor(2)))
        );
        assert_eq!(values(doc, ROOT, "y"), vec![value_int(20), value_int(10)]);
        assert_eq!(doc.get(ROOT, "y").unwrap().0, value_int(10));
    }
    assert_eq!(a.to_tree(), b.to_tree());
    // A put that has seen both overwrites both.
    let op = a.put(ROOT, "x", int(3)).unwrap().remove(0);
    let ModelAction::Put { pred, .. } = &op.action else {
        panic!("not a put")
    };
    assert_eq!(pred.len(), 2);
    b.apply(&op);
    assert_eq!(values(&b, ROOT, "x"), vec![value_int(3)]);
}

#[test]
fn delete_concurrent_with_put_keeps_the_put() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    a.put(ROOT, "x", int(1)).unwrap();
    sync(&mut a, &mut b);
    // a's delete gets a greater id than b's put; the put survives all the same.
    a.put(ROOT, "pad", int(0)).unwrap();
    a.delete(ROOT, "x").unwrap();
    b.put(ROOT, "x", int(2)).unwrap();
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        assert_eq!(values(doc, ROOT, "x"), vec![value_int(2)]);
    }
    // Deleting what one has seen removes the key; deleting a missing key makes no op.
    assert_eq!(a.delete(ROOT, "x").unwrap().len(), 1);
    assert_eq!(a.get(ROOT, "x"), None);
    assert!(a.delete(ROOT, "x").unwrap().is_empty());
    assert!(a.delete(ROOT, "nothing").unwrap().is_empty());
    assert_eq!(a.keys(ROOT), vec!["pad".to_owned()]);
}

#[test]
fn list_delete_concurrent_with_put_keeps_the_element() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    let (list, _) = a.put_object(ROOT, "l", ObjType::List).unwrap();
    a.insert(list, 0, int(1)).unwrap();
    a.insert(list, 1, int(2)).unwrap();
    sync(&mut a, &mut b);
    a.delete(list, 0).unwrap();
    assert_eq!(a.list_values(list), vec![value_int(2)]);
    b.put(list, 0, int(10)).unwrap();
    b.delete(list, 1).unwrap();
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        assert_eq!(doc.list_values(list), vec![value_int(10)]);
        assert_eq!(doc.length(list), 1);
    }
    assert_eq!(
        a.to_tree(),
        ModelTree::Map([("l".to_owned(), ModelTree::List(vec![ModelTree::Int(10)]))].into())
    );
}

#[test]
fn concurrent_increments_add_up() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    let mut c = ModelDoc::new(actor(3));
    a.put(ROOT, "n", counter(10)).unwrap();
    sync(&mut a, &mut b);
    sync(&mut a, &mut c);
    a.increment(ROOT, "n", 3).unwrap();
    b.increment(ROOT, "n", 4).unwrap();
    b.increment(ROOT, "n", -1).unwrap();
    c.increment(ROOT, "n", 100).unwrap();
    sync(&mut a, &mut b);
    sync(&mut a, &mut c);
    sync(&mut a, &mut b);
    for doc in [&a, &b, &c] {
        assert_eq!(values(doc, ROOT, "n"), vec![value_counter(116)]);
        assert_eq!(
            doc.to_tree(),
            ModelTree::Map([("n".to_owned(), ModelTree::Counter(116))].into())
        );
    }
    // Increments need a counter.
    a.put(ROOT, "i", int(1)).unwrap();
    assert_eq!(a.increment(ROOT, "i", 1), Err(ModelError::NotACounter));
    assert_eq!(a.increment(ROOT, "none", 1), Err(ModelError::NotACounter));
}

#[test]
fn increment_concurrent_with_overwrite_is_lost() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    a.put(ROOT, "n", counter(10)).unwrap();
    a.put(ROOT, "m", counter(10)).unwrap();
    sync(&mut a, &mut b);
    a.increment(ROOT, "n", 5).unwrap();
    a.increment(ROOT, "m", 5).unwrap();
    b.put(ROOT, "n", int(1)).unwrap();
    b.put(ROOT, "m", counter(0)).unwrap();
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        assert_eq!(values(doc, ROOT, "n"), vec![value_int(1)]);
        assert_eq!(values(doc, ROOT, "m"), vec![value_counter(0)]);
    }
}

#[test]
fn increment_of_concurrent_counters_applies_to_each() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    a.put(ROOT, "n", counter(1)).unwrap();
    b.put(ROOT, "n", counter(100)).unwrap();
    b.put(ROOT, "s", int(0)).unwrap();
    b.put(ROOT, "s", counter(5)).unwrap();
    a.put(ROOT, "s", int(7)).unwrap();
    sync(&mut a, &mut b);
    a.increment(ROOT, "n", 2).unwrap();
    // Only the counter among a counter and an int is incremented, and the int still reads.
    a.increment(ROOT, "s", 2).unwrap();
    sync(&mut a, &mut b);
    for doc in [&a, &b] {
        assert_eq!(
            values(doc, ROOT, "n"),
            vec![value_counter(3), value_counter(102)]
        );
        assert_eq!(values(doc, ROOT, "s"), vec![value_int(7), value_counter(7)]);
        assert_eq!(doc.get(ROOT, "s").unwrap().0, value_counter(7));
    }
}

#[test]
fn local_inserts_go_right_after_the_visible_predecessor() {
    let mut a = ModelDoc::new(actor(1));
    let (text, _) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
    a.splice_text(text, 0, 0, "abc").unwrap();
    let ids = a.list_elem_ids(text);
    let ops = a.splice_text(text, 1, 1, "X").unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].action, ModelAction::DeleteChar { elem: ids[1] });
    // After "a", before the tombstone of "b".
    assert_eq!(
        ops[1].action,
        ModelAction::InsertChar {
            origin_left: Some(ids[0]),
            origin_right: Some(ids[1]),
            ch: 'X'
        }
    );
    let x = ops[1].id;
    assert_eq!(a.text(text), "aXc");
    // At the end: after "X", before the tombstones of "b" and "c".
    let ops = a.splice_text(text, 2, 1, "").unwrap();
    assert_eq!(ops.len(), 1);
    let ops = a.splice_text(text, 2, 0, "yz").unwrap();
    assert_eq!(
        ops[0].action,
        ModelAction::InsertChar {
            origin_left: Some(x),
            origin_right: Some(ids[1]),
            ch: 'y'
        }
    );
    assert_eq!(
        ops[1].action,
        ModelAction::InsertChar {
            origin_left: Some(ops[0].id),
            origin_right: Some(ids[1]),
            ch: 'z'
        }
    );
    assert_eq!(a.text(text), "aXyz");
    assert_eq!(a.length(text), 4);
    assert!(matches!(
        a.splice_text(text, 3, 2, ""),
        Err(ModelError::OutOfBounds { index: 5, len: 4 })
    ));
    assert!(matches!(
        a.splice_text(text, 5, 0, "q"),
        Err(ModelError::OutOfBounds { .. })
    ));
    // A refused splice changes nothing.
    assert_eq!(a.text(text), "aXyz");
}

#[test]
fn positions_count_chars() {
    let mut a = ModelDoc::new(actor(1));
    let (text, _) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
    a.splice_text(text, 0, 0, "é😀b").unwrap();
    a.splice_text(text, 1, 1, "ü").unwrap();
    assert_eq!(a.text(text), "éüb");
}

/// Concurrent typing at one spot: each run stays together, whatever the actors and the delivery
/// order.
#[test]
fn concurrent_typing_does_not_interleave() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut outcomes = BTreeSet::new();
    for round in 0..50 {
        let (x, y) = (rng.gen::<[u8; 16]>(), rng.gen::<[u8; 16]>());
        let mut a = ModelDoc::new(x);
        let mut b = ModelDoc::new(y);
        let (text, _) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
        a.splice_text(text, 0, 0, "12").unwrap();
        sync(&mut a, &mut b);
        // a types one char at a time, b pastes at once; a few extra ops shift the counters.
        let mut ops_a = Vec::new();
        for (i, ch) in ["a", "b", "c"].iter().enumerate() {
            ops_a.extend(a.splice_text(text, 1 + i, 0, ch).unwrap());
        }
        let mut ops_b = Vec::new();
        for _ in 0..(round % 4) {
            ops_b.extend(b.put(ROOT, "k", int(0)).unwrap());
        }
        ops_b.extend(b.splice_text(text, 1, 0, "xyz").unwrap());
        // A third replica gets both sets of ops in a random interleaving.
        let mut c = ModelDoc::new(actor(0));
        let mut all: Vec<ModelOp> = b.ops().to_vec();
        all.extend(ops_a.iter().cloned());
        while !all.is_empty() {
            let op = all.remove(rng.gen_range(0..all.len()));
            c.apply(&op);
        }
        assert_eq!(c.pending(), 0);
        sync(&mut a, &mut b);
        let result = a.text(text);
        assert!(
            result == "1abcxyz2" || result == "1xyzabc2",
            "round {round}: {result}"
        );
        assert_eq!(b.text(text), result);
        assert_eq!(c.text(text), result);
        outcomes.insert(result);
    }
    assert_eq!(outcomes.len(), 2, "both orders occur: {outcomes:?}");
}

#[test]
fn concurrent_inserts_at_one_spot_order_by_actor() {
    // Same origins on both sides: the smaller actor goes first.
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    let (list, _) = a.put_object(ROOT, "l", ObjType::List).unwrap();
    sync(&mut a, &mut b);
    b.insert(list, 0, int(2)).unwrap();
    a.insert(list, 0, int(1)).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.list_values(list), vec![value_int(1), value_int(2)]);
    assert_eq!(b.list_values(list), a.list_values(list));
}

#[test]
fn causal_buffer_waits_for_deps_and_ignores_duplicates() {
    let mut a = ModelDoc::new(actor(1));
    let (list, mut ops) = a.put_object(ROOT, "l", ObjType::List).unwrap();
    let (inner, more) = a.insert_object(list, 0, ObjType::Map).unwrap();
    ops.extend(more);
    ops.extend(a.put(inner, "k", int(5)).unwrap());
    let mut b = ModelDoc::new(actor(2));
    assert_eq!(b.apply(&ops[2]), 0);
    assert_eq!(b.apply(&ops[1]), 0);
    assert_eq!(b.apply(&ops[2]), 0);
    assert_eq!(b.pending(), 2);
    assert!(!b.has_op(ops[1].id));
    assert_eq!(b.apply(&ops[0]), 3);
    assert_eq!(b.pending(), 0);
    assert_eq!(b.apply(&ops[0]), 0);
    assert_eq!(b.ops().len(), 3);
    assert_eq!(b.to_tree(), a.to_tree());
    assert_eq!(b.to_tree().to_string(), r#"{"l": [{"k": 5}]}"#);
}

#[test]
fn wrong_props_and_types_are_refused() {
    let mut a = ModelDoc::new(actor(1));
    let (list, _) = a.put_object(ROOT, "l", ObjType::List).unwrap();
    let (text, _) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
    assert!(matches!(
        a.put(ROOT, 0, int(1)),
        Err(ModelError::WrongType { .. })
    ));
    assert!(matches!(
        a.put(list, "k", int(1)),
        Err(ModelError::WrongType { .. })
    ));
    assert!(matches!(
        a.put(text, 0, int(1)),
        Err(ModelError::WrongType { .. })
    ));
    assert!(matches!(
        a.insert(text, 0, int(1)),
        Err(ModelError::WrongType { .. })
    ));
    assert_eq!(
        a.put(list, 0, int(1)),
        Err(ModelError::OutOfBounds { index: 0, len: 0 })
    );
    assert!(matches!(
        a.insert(list, 1, int(1)),
        Err(ModelError::OutOfBounds { .. })
    ));
    let ghost = ModelObjId::Op(ModelId::new(99, actor(9)));
    assert_eq!(
        a.put(ghost, "k", int(1)),
        Err(ModelError::NoSuchObject(ghost))
    );
    assert_eq!(a.max_counter(), 2, "refused edits use no id");
    assert!(a.get_all(list, 3).is_empty());
    assert!(a.get_all(ghost, "k").is_empty());
}

#[test]
fn overwritten_objects_still_take_concurrent_edits() {
    let mut a = ModelDoc::new(actor(1));
    let mut b = ModelDoc::new(actor(2));
    let (m, _) = a.put_object(ROOT, "m", ObjType::Map).unwrap();
    sync(&mut a, &mut b);
    a.put(ROOT, "m", int(0)).unwrap();
    b.put(m, "inner", int(1)).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.to_tree(), b.to_tree());
    assert_eq!(values(&a, ROOT, "m"), vec![value_int(0)]);
    assert_eq!(a.object_type(m), Some(ObjType::Map));
    assert_eq!(values(&a, m, "inner"), vec![value_int(1)]);
    assert_eq!(a.visible_objects(), vec![(ROOT, ObjType::Map)]);
}

/// Three replicas make random edits and exchange ops over a network that reorders, duplicates and
/// partitions; once everything is delivered, they agree on everything.
#[test]
fn three_replicas_converge_under_random_delivery() {
    for seed in 0..60 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut docs: Vec<ModelDoc> = (1..=3).map(|i| ModelDoc::new(actor(i))).collect();
        let mut net: Network<ModelOp> = Network::new(3).with_duplicate_probability(0.1);
        let mut edits = 0;
        for step in 0..300 {
            match rng.gen_range(0..10) {
                0..=4 => {
                    let r = rng.gen_range(0..3);
                    let edit = docs[r].random_edit(&mut rng);
                    let ops = docs[r]
                        .edit(&edit)
                        .unwrap_or_else(|e| panic!("seed {seed} step {step}: {edit:?}: {e}"));
                    edits += 1;
                    for op in ops {
                        net.broadcast(r, op);
                    }
                }
                5..=8 => {
                    if let Some((to, _, op)) = net.deliver_one(&mut rng) {
                        docs[to].apply(&op);
                    }
                }
                _ => {
                    if net.is_partitioned() || rng.gen_bool(0.3) {
                        net.heal();
                    } else {
                        let lone = rng.gen_range(0..3);
                        let rest = (0..3).filter(|&r| r != lone).collect();
                        net.partition(&[vec![lone], rest]);
                    }
                }
            }
        }
        net.heal();
        net.drain(&mut rng, |_, to, _, op| {
            docs[to].apply(&op);
        });
        assert!(edits > 100);
        let tree = docs[0].to_tree();
        for (i, doc) in docs.iter().enumerate() {
            assert_eq!(doc.pending(), 0, "seed {seed}: replica {i} has pending ops");
            assert_eq!(doc.ops().len(), docs[0].ops().len(), "seed {seed}");
            assert_eq!(doc.to_tree(), tree, "seed {seed}: replica {i} differs");
            assert_eq!(doc.heads(), docs[0].heads(), "seed {seed}");
            assert_eq!(doc.max_counter(), docs[0].max_counter(), "seed {seed}");
        }
        // Beyond the winners: every visible slot has the same conflicts, and every sequence the
        // same elements.
        for (obj, ty) in docs[0].visible_objects() {
            for doc in &docs[1..] {
                match ty {
                    ObjType::Map => {
                        assert_eq!(doc.keys(obj), docs[0].keys(obj));
                        for k in docs[0].keys(obj) {
                            assert_eq!(
                                doc.get_all(obj, k.as_str()),
                                docs[0].get_all(obj, k.as_str())
                            );
                        }
                    }
                    ObjType::Text => {
                        assert_eq!(doc.list_elem_ids(obj), docs[0].list_elem_ids(obj));
                    }
                    ObjType::List => {
                        assert_eq!(doc.list_elem_ids(obj), docs[0].list_elem_ids(obj));
                        for i in 0..docs[0].length(obj) {
                            assert_eq!(doc.get_all(obj, i), docs[0].get_all(obj, i));
                        }
                    }
                }
            }
        }
        // Replaying one replica's log in order on a fresh replica gives the same state.
        let mut fresh = ModelDoc::new(actor(4));
        fresh.apply_all(docs[2].ops());
        assert_eq!(fresh.to_tree(), tree, "seed {seed}");
    }
}

/// Random edits always succeed, and produce every kind of op.
#[test]
fn random_edits_are_valid_and_varied() {
    let mut rng = StdRng::seed_from_u64(5);
    let mut doc = ModelDoc::new(actor(1));
    let mut kinds = BTreeSet::new();
    let mut nested = 0;
    for _ in 0..2000 {
        if doc.visible_objects().len() > 1 {
            nested += 1;
        }
        let edit = doc.random_edit(&mut rng);
        let ops = doc.edit(&edit).unwrap_or_else(|e| panic!("{edit:?}: {e}"));
        for op in &ops {
            kinds.insert(match op.action {
                ModelAction::Put { .. } => "put",
                ModelAction::Delete { .. } => "delete",
                ModelAction::Increment { .. } => "increment",
                ModelAction::Insert { .. } => "insert",
                ModelAction::InsertChar { .. } => "insert char",
                ModelAction::DeleteChar { .. } => "delete char",
            });
        }
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(
        nested > 1000,
        "nested objects in only {nested} of 2000 steps"
    );
}

/// Typing backwards (each char inserted before the previous one) at one spot does not interleave
/// either.
#[test]
fn concurrent_backward_typing_does_not_interleave() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut outcomes = BTreeSet::new();
    for round in 0..50 {
        let mut a = ModelDoc::new(rng.gen());
        let mut b = ModelDoc::new(rng.gen());
        let (text, _) = a.put_object(ROOT, "t", ObjType::Text).unwrap();
        a.splice_text(text, 0, 0, "12").unwrap();
        sync(&mut a, &mut b);
        for ch in ["c", "b", "a"] {
            a.splice_text(text, 1, 0, ch).unwrap();
        }
        for _ in 0..(round % 3) {
            b.put(ROOT, "k", int(0)).unwrap();
        }
        for ch in ["z", "y", "x"] {
            b.splice_text(text, 1, 0, ch).unwrap();
        }
        sync(&mut a, &mut b);
        let result = a.text(text);
        assert!(
            result == "1abcxyz2" || result == "1xyzabc2",
            "round {round}: {result}"
        );
        assert_eq!(b.text(text), result);
        outcomes.insert(result);
    }
    assert_eq!(outcomes.len(), 2, "both orders occur: {outcomes:?}");
}

/// A case that goes through every branch of the integration rule: an element whose right origin is
/// before the new element's is skipped with its subtree, and the tie on both origins is broken by
/// actor bytes.
#[test]
fn integration_skips_subtrees_and_breaks_ties_by_actor() {
    for (p_actor, q_actor, expected) in [(2, 1, "ANXB"), (1, 2, "AXBN")] {
        let mut p = ModelDoc::new(actor(p_actor));
        let mut q = ModelDoc::new(actor(q_actor));
        let (text, _) = p.put_object(ROOT, "t", ObjType::Text).unwrap();
        p.splice_text(text, 0, 0, "A").unwrap();
        sync(&mut p, &mut q);
        // p: B after A, then X between A and B (left origin A, right origin B).
        p.splice_text(text, 1, 0, "B").unwrap();
        p.splice_text(text, 1, 0, "X").unwrap();
        assert_eq!(p.text(text), "AXB");
        // q, concurrently: N after A (left origin A, no right origin), like B.
        q.splice_text(text, 1, 0, "N").unwrap();
        let mut r = ModelDoc::new(actor(3));
        r.merge(&q);
        r.merge(&p);
        sync(&mut p, &mut q);
        assert_eq!(p.text(text), expected);
        assert_eq!(q.text(text), expected);
        assert_eq!(r.text(text), expected);
    }
}
