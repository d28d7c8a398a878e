//! Local edits (inserts, deletes and undeletes by position or by id, slot updates, rolled
//! back transactions) against a plain vector of `(id, value, visible)`.

use std::collections::{HashMap, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::{ActorIdx, Id};
use crate::seq::SeqTree;

/// The model: every element in document order.
type Model = Vec<(Id, u32, bool)>;

/// The tree under test and its model.
struct Harness<const L: usize, const F: usize> {
    /// The tree.
    tree: SeqTree<VecDeque<u32>, L, F>,
    /// The model.
    model: Model,
    /// The next counter of each actor.
    counters: [u64; 3],
    /// The next value to store.
    next_val: u32,
}

impl<const L: usize, const F: usize> Harness<L, F> {
    /// The model index of the `pos`-th visible element, or the model's length.
    fn visible_index(&self, pos: usize) -> usize {
        self.model
            .iter()
            .enumerate()
            .filter(|(_, e)| e.2)
            .nth(pos)
            .map_or(self.model.len(), |(i, _)| i)
    }

    /// Inserts `n` fresh values by actor `a` at `pos`; returns the first id.
    fn insert(&mut self, pos: usize, a: usize, n: usize) -> Id {
        let id = Id::new(ActorIdx(a as u32), self.counters[a]);
        let vals: VecDeque<u32> = (0..n as u32).map(|k| self.next_val + k).collect();
        self.next_val += n as u32;
        let (ol, or) = self.tree.insert_local(pos, id, vals.clone());
        // Right after the visible predecessor, before any tombstones that follow it.
        let at = pos.checked_sub(1).map_or(0, |p| self.visible_index(p) + 1);
        let expect_left = at.checked_sub(1).map(|i| self.model[i].0);
        let expect_right = self.model.get(at).map(|e| e.0);
        assert_eq!(
            (ol, or),
            (expect_left, expect_right),
            "origins of insert at {pos}"
        );
        for (k, v) in vals.into_iter().enumerate() {
            self.model.insert(at + k, (id.add(k as u64), v, true));
        }
        self.counters[a] += n as u64;
        id
    }

    /// Sets visibility of `id .. id + n` in both, checking the changed count.
    fn set_visible(&mut self, id: Id, n: usize, visible: bool) {
        let mut expect = 0;
        for k in 0..n as u64 {
            let e = self
                .model
                .iter_mut()
                .find(|e| e.0 == id.add(k))
                .expect("present");
            expect += usize::from(e.2 != visible);
            e.2 = visible;
        }
        assert_eq!(
            self.tree.set_visible(id, n, visible),
            expect,
            "changed count"
        );
    }

    /// The parts of `start .. start + len` the model has visible, as spans of consecutive
    /// ids; or the first of those ids it does not have.
    fn model_parts(&self, start: Id, len: u64) -> Result<Vec<(Id, usize)>, Id> {
        let mut want: Vec<(Id, usize)> = Vec::new();
        for k in 0..len {
            let e = start.add(k);
            match self.model.iter().find(|m| m.0 == e) {
                None => return Err(e),
                Some(&(_, _, true)) => match want.last_mut() {
                    Some((s, n)) if s.add(*n as u64) == e => *n += 1,
                    _ => want.push((e, 1)),
                },
                Some(_) => {}
            }
        }
        Ok(want)
    }

    /// Hides `start .. start + len` by id in both (in neither if an id is missing, which the
    /// tree must report).
    fn hide_ids(&mut self, start: Id, len: u64) {
        let want = self.model_parts(start, len);
        let got = self.tree.hide_ids(start, len).map(|g| g.to_vec());
        assert_eq!(got, want, "hide_ids({start:?}, {len})");
        if want.is_ok() {
            for k in 0..len {
                if let Some(e) = self.model.iter_mut().find(|e| e.0 == start.add(k)) {
                    e.2 = false;
                }
            }
        }
    }

    /// The model's visible spans of `pos .. pos + len`.
    fn model_spans(&self, pos: usize, len: usize) -> Vec<(Id, usize)> {
        let mut out: Vec<(Id, usize)> = Vec::new();
        for e in self.model.iter().filter(|e| e.2).skip(pos).take(len) {
            match out.last_mut() {
                Some((id, k))
                    if id.actor() == e.0.actor() && id.counter() + *k as u64 == e.0.counter() =>
                {
                    *k += 1
                }
                _ => out.push((e.0, 1)),
            }
        }
        out
    }

    /// Checks the tree's invariants and its agreement with the model.
    fn verify(&self, rng: &mut StdRng) {
        self.tree.check();
        let flat: Model = self
            .tree
            .iter()
            .flat_map(|r| {
                r.content
                    .iter()
                    .enumerate()
                    .map(move |(k, &v)| (r.id.add(k as u64), v, r.visible()))
            })
            .collect();
        assert_eq!(flat, self.model, "tree and model differ");
        let visible: Vec<&(Id, u32, bool)> = self.model.iter().filter(|e| e.2).collect();
        assert_eq!(self.tree.len(), visible.len());
        assert_eq!(self.tree.total_len(), self.model.len());
        assert_eq!(self.tree.get(visible.len()).map(|g| g.0), None);
        for _ in 0..3 {
            if let Some(i) = (!self.model.is_empty()).then(|| rng.gen_range(0..self.model.len())) {
                let (id, v, vis) = self.model[i];
                let before = self.model[..i].iter().filter(|e| e.2).count();
                assert_eq!(
                    self.tree.position(id),
                    Some((before, vis)),
                    "position of {id:?}"
                );
                assert!(self.tree.contains(id));
                if vis {
                    let (gid, content, off) = self.tree.get(before).expect("visible element");
                    assert_eq!((gid, content[off]), (id, v), "get({before})");
                }
            }
        }
        let missing = Id::new(ActorIdx(1), self.counters[1] + 5);
        assert!(!self.tree.contains(missing));
        assert_eq!(self.tree.position(missing), None);
        // The visible parts of a span of one actor's ids, against the model element by element.
        if let Some(i) = (!self.model.is_empty()).then(|| rng.gen_range(0..self.model.len())) {
            let start = self.model[i].0;
            let len = rng.gen_range(1..8u64);
            let got = self.tree.visible_parts(start, len).map(|g| g.to_vec());
            let want = self.model_parts(start, len);
            assert_eq!(got, want, "visible parts of {start:?} +{len}");
        }
    }
}

/// One random session of `steps` edits; with `batch`, on a tree built for a batch of changes,
/// whose batch ends halfway.
fn session<const L: usize, const F: usize>(seed: u64, steps: usize, batch: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut h = Harness::<L, F> {
        tree: if batch {
            SeqTree::empty_for_batch()
        } else {
            SeqTree::empty()
        },
        model: Vec::new(),
        counters: [1; 3],
        next_val: 0,
    };
    // Where the simulated user types, so that many edits continue the previous one.
    let mut caret = 0;
    for step in 0..steps {
        if batch && step == steps / 2 {
            h.tree.end_batch();
            h.tree.check();
        }
        let len = h.tree.len();
        caret = caret.min(len);
        let actor = if rng.gen_bool(0.7) {
            0
        } else {
            rng.gen_range(1..3)
        };
        match rng.gen_range(0..14) {
            0..=4 => {
                let pos = if rng.gen_bool(0.6) {
                    caret
                } else {
                    rng.gen_range(0..=len)
                };
                let n = rng.gen_range(1..=3);
                h.insert(pos, actor, n);
                caret = pos + n;
                if rng.gen_bool(0.1) {
                    h.counters[actor] += rng.gen_range(1..3);
                }
            }
            5..=7 if len > 0 => {
                let pos = if rng.gen_bool(0.5) && caret > 0 {
                    caret - 1
                } else {
                    rng.gen_range(0..len)
                };
                let n = rng.gen_range(1..=(len - pos).min(5));
                let spans = h.tree.visible_spans(pos, n);
                let expect = h.model_spans(pos, n);
                assert_eq!(spans.to_vec(), expect, "visible_spans({pos}, {n})");
                if rng.gen_bool(0.5) {
                    for (id, k) in spans {
                        h.set_visible(id, k, false);
                    }
                } else {
                    // The local delete: by position, returning what it hid.
                    assert_eq!(h.tree.hide_local(pos, n).to_vec(), expect, "hide_local");
                    for e in h.model.iter_mut().filter(|e| e.2).skip(pos).take(n) {
                        e.2 = false;
                    }
                }
                caret = pos;
            }
            8 | 9 if !h.model.is_empty() => {
                // Undelete or delete by id: a stretch of consecutive counters of one actor.
                let (id, _, _) = h.model[rng.gen_range(0..h.model.len())];
                let present: HashMap<Id, ()> = h.model.iter().map(|e| (e.0, ())).collect();
                let mut n = 1;
                while n < 6 && present.contains_key(&id.add(n as u64)) && rng.gen_bool(0.8) {
                    n += 1;
                }
                let visible = rng.gen_bool(0.6);
                if !visible && rng.gen_bool(0.5) {
                    // A remote delete: by id, what was visible hidden and returned; at times
                    // reaching one id past the stretch, which may be missing.
                    h.hide_ids(id, n as u64 + u64::from(rng.gen_bool(0.3)));
                } else {
                    h.set_visible(id, n, visible);
                }
            }
            10 if !h.model.is_empty() => {
                let i = rng.gen_range(0..h.model.len());
                let (id, v, _) = h.model[i];
                let got = h.tree.with_content_mut(id, |c, off| {
                    let old = c[off];
                    c[off] = v + 1_000_000;
                    old
                });
                assert_eq!(got, Some(v));
                h.model[i].1 = v + 1_000_000;
            }
            11..=13 => {
                // A transaction of a few inserts (each maybe partly deleted), rolled back.
                let saved = (h.model.clone(), h.counters, caret);
                let mut undo = Vec::new();
                for _ in 0..rng.gen_range(1..=3) {
                    let len = h.tree.len();
                    let pos = if rng.gen_bool(0.5) {
                        caret.min(len)
                    } else {
                        rng.gen_range(0..=len)
                    };
                    let n = rng.gen_range(1..=3);
                    let id = h.insert(pos, actor, n);
                    undo.push((id, n, None));
                    caret = pos + n;
                    if rng.gen_bool(0.4) {
                        let spans = h.tree.visible_spans(pos, rng.gen_range(1..=n + 1));
                        for &(sid, k) in &spans {
                            h.set_visible(sid, k, false);
                        }
                        undo.push((id, n, Some(spans)));
                    }
                    h.tree.check();
                }
                for (id, n, spans) in undo.into_iter().rev() {
                    match spans {
                        Some(spans) => {
                            for (sid, k) in spans {
                                h.set_visible(sid, k, true);
                            }
                        }
                        None => h.tree.remove(id, n),
                    }
                    h.tree.check();
                }
                (h.model, h.counters, caret) = saved;
            }
            _ => {
                let copy = h.tree.clone();
                copy.check();
                assert!(copy.iter().eq(h.tree.iter()), "a clone has the same runs");
                assert_eq!(format!("{copy:?}"), format!("{:?}", h.tree));
            }
        }
        h.verify(&mut rng);
    }
}

#[test]
fn local_edits_small_nodes() {
    for seed in 0..200 {
        session::<2, 2>(seed, 300, false);
    }
}

#[test]
fn local_edits_on_a_tree_built_by_a_batch() {
    for seed in 0..100 {
        session::<2, 2>(seed, 300, true);
    }
    for seed in 300..310 {
        session::<32, 16>(seed, 3000, true);
    }
}

#[test]
fn local_edits_medium_nodes() {
    for seed in 500..560 {
        session::<5, 3>(seed, 600, false);
    }
}

#[test]
fn local_edits_default_nodes() {
    for seed in 900..903 {
        session::<32, 16>(seed, 5000, false);
    }
}

#[test]
fn typing_makes_one_run() {
    let mut t: SeqTree<VecDeque<u32>, 2, 2> = SeqTree::empty();
    let a = ActorIdx(0);
    for k in 0..100 {
        t.insert_local(k as usize, Id::new(a, 1 + k), VecDeque::from([k as u32]));
    }
    // Typing in the middle of it, then deleting and restoring what was typed.
    for k in 0..50 {
        t.insert_local(
            50 + k as usize,
            Id::new(a, 101 + k),
            VecDeque::from([k as u32]),
        );
    }
    t.check();
    assert_eq!(t.iter().count(), 3);
    t.set_visible(Id::new(a, 101), 50, false);
    assert_eq!(t.iter().count(), 3);
    t.set_visible(Id::new(a, 120), 10, true);
    assert_eq!(t.iter().count(), 5);
    t.set_visible(Id::new(a, 101), 50, true);
    assert_eq!(t.iter().count(), 3);
    t.remove(Id::new(a, 101), 50);
    t.check();
    assert_eq!(t.iter().count(), 1);
    assert_eq!(t.len(), 100);
    t.remove(Id::new(a, 1), 100);
    t.check();
    assert_eq!((t.len(), t.total_len(), t.iter().count()), (0, 0, 0));
}

#[test]
fn looking_near_a_leaf_finds_what_the_index_finds() {
    let mut t: SeqTree<VecDeque<u32>, 2, 2> = SeqTree::empty();
    let mut rng = StdRng::seed_from_u64(7);
    let mut counters = [1u64; 3];
    let mut ids = Vec::new();
    for k in 0..300u32 {
        let a = rng.gen_range(0..3);
        let n = rng.gen_range(1..4);
        let id = Id::new(ActorIdx(a as u32), counters[a]);
        counters[a] += n as u64;
        let pos = rng.gen_range(0..=t.iter().map(|r| r.len()).sum::<usize>());
        t.insert_local(pos, id, (0..n).map(|j| k * 4 + j).collect());
        ids.extend((0..n as u64).map(|j| id.add(j)));
    }
    t.check();
    let mut leaves = vec![t.first_leaf()];
    while let Some(next) = t.leaf(*leaves.last().unwrap()).next {
        leaves.push(next);
    }
    assert!(leaves.len() > 50, "the elements span many leaves");
    for &id in &ids {
        let want = t.find_present(id);
        for &leaf in &leaves {
            assert_eq!(t.find_present_near(id, leaf), want, "{id:?} near {leaf:?}");
        }
    }
}
