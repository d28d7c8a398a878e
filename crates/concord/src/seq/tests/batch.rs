//! A sequence built as a batch starts as a linked list of runs (see `seq/batch.rs`). Whether
//! every op of a history is one the list takes (a linear history) or it hands over to the
//! tree partway (concurrent inserts, ids too sparse for its slots), the batch must end with
//! exactly the tree that applying the same ops one at a time gives.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::replicas::random_text;
use super::sim::{Net, Op, Replica};
use crate::ids::{ActorIdx, Id};
use crate::seq::{Content, SeqTree, TextSpan};

/// Applies `net.log` in the order it was made (a causal order, as a load applies a history)
/// to a tree built as a batch and to a plain one; checks that both agree after every op and
/// hold the same runs at the end. Returns whether the batch kept its list to the end.
fn replay<const L: usize, const F: usize>(net: &Net) -> bool {
    let mut batch = SeqTree::<TextSpan, L, F>::empty_for_batch();
    let mut plain = SeqTree::<TextSpan, L, F>::empty();
    let cmp = |a: ActorIdx, b: ActorIdx| net.rank[a.index()].cmp(&net.rank[b.index()]);
    for op in &net.log {
        match op {
            Op::Insert {
                id,
                origin_left,
                origin_right,
                text,
            } => {
                let n = text.chars().count();
                for t in [&mut batch, &mut plain] {
                    assert!(origin_left.is_none_or(|l| t.contains(l)), "left origin");
                    assert!(origin_right.is_none_or(|r| t.contains(r)), "right origin");
                    let content = t.push_text(id.actor(), text, n);
                    t.integrate(*id, *origin_left, *origin_right, content, cmp);
                    assert!(t.contains(*id), "inserted");
                }
            }
            &Op::Delete { id, len } => {
                let got = batch.hide_ids(id, len as u64);
                assert_eq!(got, plain.hide_ids(id, len as u64), "hidden parts");
            }
        }
        assert_eq!(batch.len(), plain.len(), "visible count");
        assert_eq!(batch.total_len(), plain.total_len(), "total count");
    }
    let kept = batch.pending.is_some();
    batch.end_batch();
    batch.check();
    plain.check();
    assert!(batch.pending.is_none(), "the batch's end builds the tree");
    assert!(
        batch.iter().eq(plain.iter()),
        "the batch and the plain tree differ"
    );
    kept
}

/// `n` replicas editing `steps` times. With `linear`, each catches up with every op made
/// before it edits, so the history is one line (the actors take turns); without, they
/// deliver at random and edit concurrently.
fn history<const L: usize, const F: usize>(seed: u64, n: u32, steps: usize, linear: bool) -> Net {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rank: Vec<u32> = (0..n).collect();
    rank.shuffle(&mut rng);
    let mut net = Net {
        log: Vec::new(),
        rank,
    };
    let mut reps: Vec<Replica<L, F>> = (0..n).map(|a| Replica::new(a, &[])).collect();
    // Who types next: the same one most of the time, as in a real session.
    let mut who = 0;
    for _ in 0..steps {
        if rng.gen_bool(0.2) {
            who = rng.gen_range(0..n as usize);
        }
        let rep = &mut reps[who];
        if linear {
            rep.deliver_all(&net, &mut rng);
        } else if rng.gen_bool(0.3) {
            rep.deliver_random(&net, &mut rng);
        }
        let len = rep.tree.len();
        if len > 0 && rng.gen_bool(0.3) {
            let pos = rng.gen_range(0..len);
            rep.delete(&mut net, pos, rng.gen_range(1..=(len - pos).min(4)));
        } else {
            let pos = match rng.gen_bool(0.5) {
                true => len,
                false => rng.gen_range(0..=len),
            };
            rep.insert(&mut net, pos, &random_text(&mut rng));
        }
    }
    net
}

#[test]
fn a_linear_history_is_built_on_the_list() {
    for seed in 0..60 {
        let net = history::<2, 2>(seed, 1 + (seed % 3) as u32, 300, true);
        assert!(replay::<2, 2>(&net), "seed {seed}: the list handed over");
        let net = history::<32, 16>(seed, 2, 1500, true);
        assert!(replay::<32, 16>(&net), "seed {seed}: the list handed over");
    }
}

#[test]
fn concurrent_inserts_hand_over_to_the_tree() {
    let mut handed_over = 0;
    for seed in 100..220 {
        let net = history::<3, 2>(seed, 3, 300, false);
        handed_over += usize::from(!replay::<3, 2>(&net));
        let net = history::<32, 16>(seed, 3, 800, false);
        handed_over += usize::from(!replay::<32, 16>(&net));
    }
    assert!(
        handed_over > 100,
        "concurrent histories rarely hand over: {handed_over}"
    );
}

#[test]
fn ids_too_sparse_for_slots_hand_over_to_the_tree() {
    let net = Net {
        log: vec![
            Op::Insert {
                id: Id::new(ActorIdx(0), 1),
                origin_left: None,
                origin_right: None,
                text: "ab".into(),
            },
            // The actor's other ops went elsewhere: its next id here is a million on.
            Op::Insert {
                id: Id::new(ActorIdx(0), 1_000_000),
                origin_left: Some(Id::new(ActorIdx(0), 2)),
                origin_right: None,
                text: "c".into(),
            },
            Op::Delete {
                id: Id::new(ActorIdx(0), 1),
                len: 1,
            },
        ],
        rank: vec![0],
    };
    assert!(!replay::<32, 16>(&net), "a million slots for three ids");
}

#[test]
fn a_delete_of_missing_ids_changes_nothing() {
    let mut t = SeqTree::<TextSpan>::for_batch();
    let id = Id::new(ActorIdx(0), 1);
    let content = t.push_text(id.actor(), "abc", 3);
    t.integrate(id, None, None, content, |a, b| a.cmp(&b));
    // Reaches one id past the run: refused, and the run keeps its visibility.
    assert_eq!(
        t.hide_ids(Id::new(ActorIdx(0), 2), 3),
        Err(Id::new(ActorIdx(0), 4))
    );
    assert_eq!(t.len(), 3);
    t.end_batch();
    t.check();
    assert_eq!(
        t.iter()
            .map(|r| (r.visible(), r.content.len()))
            .collect::<Vec<_>>(),
        [(true, 3)]
    );
}
