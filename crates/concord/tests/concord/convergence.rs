//! Randomized convergence: replicas make random edits and exchange them over a simulated
//! network (random delivery order, duplicates, partitions). Every replica is checked against a
//! naive reference model of the same replica after each step, and all replicas must end equal.
//!
//! The model (in the test kit) is an independent, O(n) implementation of the data model with
//! the same op id rules, so the engine must agree with it on values *and* op ids.

use concord::{ActorId, Change, Doc, ObjId, ObjType, OpId, Prop, ReadDoc, ScalarValue, Value};
use concord_testkit::model::{
    ModelDoc, ModelEdit, ModelId, ModelObjId, ModelOp, ModelScalar, ModelValue, NewValue,
    ObjType as MType, Prop as MProp,
};
use concord_testkit::Network;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::render;

/// What one replica broadcasts per edit: the engine's change and the model's ops.
type Msg = (Vec<Change>, Vec<ModelOp>);

struct Replica {
    doc: Doc,
    model: ModelDoc,
}

fn op_id(id: ModelId) -> OpId {
    OpId::new(id.counter, ActorId::from_bytes(id.actor))
}

fn obj_id(obj: ModelObjId) -> ObjId {
    match obj {
        ModelObjId::Root => ObjId::Root,
        ModelObjId::Op(id) => ObjId::Op(op_id(id)),
    }
}

fn obj_type(t: MType) -> ObjType {
    match t {
        MType::Map => ObjType::Map,
        MType::List => ObjType::List,
        MType::Text => ObjType::Text,
    }
}

fn scalar(s: &ModelScalar) -> ScalarValue {
    match s {
        ModelScalar::Null => ScalarValue::Null,
        ModelScalar::Bool(b) => ScalarValue::Bool(*b),
        ModelScalar::Int(n) => ScalarValue::Int(*n),
        ModelScalar::Str(s) => ScalarValue::Str(s.clone()),
        ModelScalar::Counter(n) => ScalarValue::Counter(*n),
    }
}

fn prop(p: &MProp) -> Prop {
    match p {
        MProp::Key(k) => Prop::Map(k.clone()),
        MProp::Index(i) => Prop::Seq(*i),
    }
}

/// Makes the model's edit on the engine, as one transaction.
fn apply_edit(doc: &mut Doc, edit: &ModelEdit) -> Result<(), concord::DocError> {
    doc.transact(|tx| match edit {
        ModelEdit::Put {
            obj,
            prop: p,
            value,
        } => match value {
            NewValue::Scalar(s) => tx.put(obj_id(*obj), prop(p), scalar(s)),
            NewValue::Object(t) => tx.put_object(obj_id(*obj), prop(p), obj_type(*t)).map(drop),
        },
        ModelEdit::Insert { obj, index, value } => match value {
            NewValue::Scalar(s) => tx.insert(obj_id(*obj), *index, scalar(s)),
            NewValue::Object(t) => tx
                .insert_object(obj_id(*obj), *index, obj_type(*t))
                .map(drop),
        },
        ModelEdit::Delete { obj, prop: p } => tx.delete(obj_id(*obj), prop(p)),
        ModelEdit::Increment { obj, prop: p, by } => tx.increment(obj_id(*obj), prop(p), *by),
        ModelEdit::Splice {
            obj,
            index,
            del,
            values,
        } => tx.splice(obj_id(*obj), *index, *del, values.iter().map(scalar)),
        ModelEdit::SpliceText {
            obj,
            pos,
            del,
            text,
        } => tx.splice_text(obj_id(*obj), *pos, *del, text),
    })
}

fn expected(values: Vec<(ModelValue, ModelId)>) -> Vec<(Value, OpId)> {
    values
        .into_iter()
        .map(|(v, id)| {
            let v = match v {
                ModelValue::Scalar(s) => Value::Scalar(scalar(&s)),
                ModelValue::Object(t, _) => Value::Object(obj_type(t)),
            };
            (v, op_id(id))
        })
        .collect()
}

/// The engine's replica shows exactly what the model's does, values and op ids alike.
fn check_against_model(r: &Replica, context: &str) {
    for (mobj, t) in r.model.visible_objects() {
        let obj = obj_id(mobj);
        assert_eq!(
            r.doc.object_type(obj).ok(),
            Some(obj_type(t)),
            "{context} {obj}"
        );
        match t {
            MType::Map => {
                let keys = r.model.keys(mobj);
                assert_eq!(r.doc.keys(obj), keys, "{context} keys of {obj}");
                for k in keys {
                    let want = expected(r.model.get_all(mobj, k.as_str()));
                    let got = r.doc.get_all(obj, k.as_str()).unwrap();
                    assert_eq!(got, want, "{context} {obj}[{k:?}]");
                }
            }
            MType::List => {
                let len = r.model.length(mobj);
                assert_eq!(r.doc.length(obj), len, "{context} length of {obj}");
                for i in 0..len {
                    let want = expected(r.model.get_all(mobj, i));
                    assert_eq!(r.doc.get_all(obj, i).unwrap(), want, "{context} {obj}[{i}]");
                }
            }
            MType::Text => {
                assert_eq!(
                    r.doc.text(obj).unwrap(),
                    r.model.text(mobj),
                    "{context} {obj}"
                );
            }
        }
    }
}

/// Runs one seeded scenario: `n` replicas, `steps` random actions.
fn run(seed: u64, n: usize, steps: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut net: Network<Msg> = Network::new(n).with_duplicate_probability(0.2);
    let mut reps: Vec<Replica> = (0..n)
        .map(|i| {
            let actor: [u8; 16] = rng.gen();
            let _ = i;
            Replica {
                doc: Doc::with_actor(ActorId::from_bytes(actor)),
                model: ModelDoc::new(actor),
            }
        })
        .collect();
    for step in 0..steps {
        let context = format!("seed {seed} step {step}");
        match rng.gen_range(0..20) {
            0 => {
                let cut = rng.gen_range(1..n);
                let (left, right): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| i < cut);
                net.partition(&[left, right]);
            }
            1 => net.heal(),
            2..=10 => {
                let i = rng.gen_range(0..n);
                let r = &mut reps[i];
                let edit = r.model.random_edit(&mut rng);
                let ops = r.model.edit(&edit).unwrap();
                let before = r.doc.heads();
                apply_edit(&mut r.doc, &edit).unwrap_or_else(|e| panic!("{context} {edit:?}: {e}"));
                let changes = r.doc.changes_since(&before).unwrap();
                assert_eq!(changes.len(), usize::from(!ops.is_empty()), "{context}");
                check_against_model(r, &context);
                net.broadcast(i, (changes, ops));
            }
            _ => {
                if let Some((to, _, (changes, ops))) = net.deliver_one(&mut rng) {
                    let r = &mut reps[to];
                    r.doc.apply_changes(changes).unwrap();
                    r.model.apply_all(&ops);
                    check_against_model(r, &context);
                }
            }
        }
    }
    net.heal();
    net.drain(&mut rng, |_, to, _, (changes, ops)| {
        reps[to].doc.apply_changes(changes).unwrap();
        reps[to].model.apply_all(&ops);
    });
    let first = render(&reps[0].doc);
    for (i, r) in reps.iter().enumerate() {
        let context = format!("seed {seed} final replica {i}");
        assert!(r.doc.pending_changes().is_empty(), "{context}");
        check_against_model(r, &context);
        assert_eq!(r.doc.heads(), reps[0].doc.heads(), "{context}");
        assert_eq!(render(&r.doc), first, "{context}");
    }
    // A replica rebuilt from every change, delivered in reverse order, agrees too.
    let mut rebuilt = Doc::new();
    let mut all = reps[0].doc.changes();
    all.reverse();
    rebuilt.apply_changes(all).unwrap();
    assert_eq!(render(&rebuilt), first, "seed {seed} rebuilt");
}

#[test]
fn replicas_converge_and_match_the_model() {
    for seed in 0..40 {
        run(seed, 3 + (seed as usize % 3), 300);
    }
}

/// The long variant: `cargo test --release -- --ignored`.
#[test]
#[ignore = "long: run with --ignored"]
fn replicas_converge_and_match_the_model_long() {
    for seed in 1000..3000 {
        run(seed, 3 + (seed as usize % 3), 1000);
    }
}

/// Two people typing: each keystroke is one transaction at a moving cursor, with backspaces
/// and jumps, the cursors often close together, replicas syncing at random moments. Checked
/// against the reference model, for both orders of the two actors.
fn typing(seed: u64, flip: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let actors: [[u8; 16]; 2] = if flip {
        [[2; 16], [1; 16]]
    } else {
        [[1; 16], [2; 16]]
    };
    let mut reps: Vec<Replica> = actors
        .iter()
        .map(|&a| Replica {
            doc: Doc::with_actor(ActorId::from_bytes(a)),
            model: ModelDoc::new(a),
        })
        .collect();
    // A shared text object, made by replica 0 and delivered to 1.
    let text_ops = reps[0]
        .model
        .put_object(ModelObjId::Root, "t", MType::Text)
        .unwrap();
    let text = text_ops.0;
    reps[0]
        .doc
        .transact(|tx| tx.put_object(concord::ROOT, "t", ObjType::Text))
        .unwrap();
    let first = reps[0].doc.changes();
    reps[1].doc.apply_changes(first).unwrap();
    reps[1].model.apply_all(&text_ops.1);
    let mut outbox: Vec<Vec<Msg>> = vec![Vec::new(), Vec::new()];
    let mut cursors = [0usize, 0usize];
    for step in 0..400 {
        let i = rng.gen_range(0..2);
        let len = reps[i].model.length(text);
        let other = cursors[1 - i];
        let c = &mut cursors[i];
        match rng.gen_range(0..20) {
            0 => *c = rng.gen_range(0..=len),
            1 => *c = other.min(len),
            2 | 3 => {
                // Deliver everything the other replica sent so far.
                for (changes, ops) in std::mem::take(&mut outbox[1 - i]) {
                    reps[i].doc.apply_changes(changes).unwrap();
                    reps[i].model.apply_all(&ops);
                }
            }
            _ => {
                *c = (*c).min(len);
                let edit = if rng.gen_range(0..5) == 0 && *c > 0 {
                    *c -= 1;
                    ModelEdit::SpliceText {
                        obj: text,
                        pos: *c,
                        del: 1,
                        text: String::new(),
                    }
                } else {
                    let ch = (b'a' + rng.gen_range(0..26)) as char;
                    *c += 1;
                    ModelEdit::SpliceText {
                        obj: text,
                        pos: *c - 1,
                        del: 0,
                        text: ch.to_string(),
                    }
                };
                let r = &mut reps[i];
                let ops = r.model.edit(&edit).unwrap();
                let before = r.doc.heads();
                apply_edit(&mut r.doc, &edit).unwrap();
                outbox[i].push((r.doc.changes_since(&before).unwrap(), ops));
                check_against_model(r, &format!("seed {seed} flip {flip} step {step}"));
            }
        }
    }
    for i in 0..2 {
        for (changes, ops) in std::mem::take(&mut outbox[1 - i]) {
            reps[i].doc.apply_changes(changes).unwrap();
            reps[i].model.apply_all(&ops);
        }
    }
    for r in &reps {
        check_against_model(r, &format!("seed {seed} flip {flip} final"));
    }
    assert_eq!(render(&reps[0].doc), render(&reps[1].doc));
}

#[test]
fn two_typists_converge_and_match_the_model() {
    for seed in 0..60 {
        typing(seed, false);
        typing(seed, true);
    }
}
