//! Simulated replicas exchanging runs, each with its own actor table (so actor indexes differ
//! between replicas, as in real documents), each checked against the naive reference.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::Rng;

use super::naive::{Elem, Naive};
use crate::ids::{ActorIdx, Id};
use crate::seq::{Content, SeqTree, TextSpan};

/// An op as exchanged between replicas, with global ids (actor = global actor number).
#[derive(Clone, Debug)]
pub(super) enum Op {
    /// A run of characters typed between two origins.
    Insert {
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        text: String,
    },
    /// The deletion of elements `id .. id + len`.
    Delete { id: Id, len: usize },
}

/// The ops made so far, and the public order of the actors.
pub(super) struct Net {
    /// Every op made by any replica, in the order made.
    pub(super) log: Vec<Op>,
    /// `rank[g]`: the place of global actor `g` in the order of public actor bytes.
    pub(super) rank: Vec<u32>,
}

/// The order of local actor indexes by public bytes, through a replica's actor table.
fn actor_order<'a>(
    l2g: &'a [u32],
    rank: &'a [u32],
) -> impl Fn(ActorIdx, ActorIdx) -> Ordering + 'a {
    move |a, b| rank[l2g[a.index()] as usize].cmp(&rank[l2g[b.index()] as usize])
}

/// One replica: a tree in local ids and the reference in global ids, fed the same ops.
pub(super) struct Replica<const L: usize, const F: usize> {
    /// This replica's global actor.
    pub(super) actor: u32,
    /// The tree under test.
    pub(super) tree: SeqTree<TextSpan, L, F>,
    /// The reference.
    pub(super) naive: Naive,
    /// Local actor index -> global actor.
    l2g: Vec<u32>,
    /// Global actor -> local actor index.
    g2l: HashMap<u32, ActorIdx>,
    /// The next counter (Lamport: past every counter seen).
    clock: u64,
    /// Indexes in the log of the ops applied here.
    applied: HashSet<usize>,
}

impl<const L: usize, const F: usize> Replica<L, F> {
    /// A fresh replica of global actor `actor`, whose table starts with `decoys` other actors
    /// (so that local indexes differ from global ones and between replicas).
    pub(super) fn new(actor: u32, decoys: &[u32]) -> Self {
        let mut r = Replica {
            actor,
            tree: SeqTree::empty(),
            naive: Naive::default(),
            l2g: Vec::new(),
            g2l: HashMap::new(),
            clock: 1,
            applied: HashSet::new(),
        };
        for &g in decoys.iter().chain([&actor]) {
            r.local(Id::new(ActorIdx(g), 0));
        }
        r
    }

    /// The local form of global id `g`, registering its actor if new.
    fn local(&mut self, g: Id) -> Id {
        let next = ActorIdx(self.l2g.len() as u32);
        let a = *self.g2l.entry(g.actor().0).or_insert(next);
        if a == next {
            self.l2g.push(g.actor().0);
        }
        Id::new(a, g.counter())
    }

    /// The local form of `g` if its actor is known.
    fn try_local(&self, g: Id) -> Option<Id> {
        self.g2l.get(&g.actor().0).map(|&a| Id::new(a, g.counter()))
    }

    /// The global form of local id `l`.
    fn global(&self, l: Id) -> Id {
        Id::new(ActorIdx(self.l2g[l.actor().index()]), l.counter())
    }

    /// Whether the tree holds global id `g`.
    fn has(&self, g: Id) -> bool {
        self.try_local(g).is_some_and(|l| self.tree.contains(l))
    }

    /// Types `text` at visible position `pos` and logs the op.
    pub(super) fn insert(&mut self, net: &mut Net, pos: usize, text: &str) {
        let g = Id::new(ActorIdx(self.actor), self.clock);
        let l = self.local(g);
        let content = self.tree.push_text(l.actor(), text, text.chars().count());
        let (ol, or) = self.tree.insert_local(pos, l, content);
        let (ol, or) = (ol.map(|x| self.global(x)), or.map(|x| self.global(x)));
        assert_eq!(self.naive.insert_local(pos, g, text), (ol, or), "origins");
        self.clock += text.chars().count() as u64;
        net.log.push(Op::Insert {
            id: g,
            origin_left: ol,
            origin_right: or,
            text: text.to_owned(),
        });
        self.applied.insert(net.log.len() - 1);
    }

    /// Types `text` at `pos`, then rolls the insert back (as a failed transaction would).
    pub(super) fn insert_and_roll_back(&mut self, pos: usize, text: &str) {
        let before = self.elements();
        let l = self.local(Id::new(ActorIdx(self.actor), self.clock));
        let n = text.chars().count();
        let content = self.tree.push_text(l.actor(), text, text.chars().count());
        self.tree.insert_local(pos, l, content);
        self.tree.check();
        self.tree.remove(l, n);
        assert_eq!(self.elements(), before, "rollback restores the sequence");
    }

    /// Deletes the visible elements `pos .. pos + len` and logs the ops.
    pub(super) fn delete(&mut self, net: &mut Net, pos: usize, len: usize) {
        for (l, n) in self.tree.visible_spans(pos, len) {
            assert_eq!(self.tree.set_visible(l, n, false), n, "all were visible");
            let g = self.global(l);
            self.naive.set_visible(g, n, false);
            net.log.push(Op::Delete { id: g, len: n });
            self.applied.insert(net.log.len() - 1);
        }
    }

    /// Whether every element `op` refers to is here.
    fn ready(&self, op: &Op) -> bool {
        match *op {
            Op::Insert {
                origin_left,
                origin_right,
                ..
            } => [origin_left, origin_right]
                .into_iter()
                .flatten()
                .all(|g| self.has(g)),
            Op::Delete { id, len } => (0..len as u64).all(|k| self.has(id.add(k))),
        }
    }

    /// Applies op `k` of the log.
    pub(super) fn apply(&mut self, net: &Net, k: usize) {
        assert!(self.applied.insert(k), "op {k} applied twice");
        match &net.log[k] {
            Op::Insert {
                id,
                origin_left,
                origin_right,
                text,
            } => {
                let l = self.local(*id);
                let ol = origin_left.map(|g| self.local(g));
                let or = origin_right.map(|g| self.local(g));
                let content = self.tree.push_text(l.actor(), text, text.chars().count());
                let n = content.len() as u64;
                let cmp = actor_order(&self.l2g, &net.rank);
                let at = self.tree.integrate_at(l, ol, or, content, cmp);
                let at = self.tree.vis_before(at);
                let cmp = |a: ActorIdx, b: ActorIdx| net.rank[a.index()].cmp(&net.rank[b.index()]);
                let expect = self
                    .naive
                    .integrate(*id, *origin_left, *origin_right, text, cmp);
                assert_eq!(at, expect, "visible position of integrated run");
                self.clock = self.clock.max(id.counter() + n);
            }
            &Op::Delete { id, len } => {
                let l = self.local(id);
                let was: usize = (0..len as u64)
                    .filter(|&k| self.tree.position(l.add(k)).is_some_and(|p| p.1))
                    .count();
                assert_eq!(self.tree.set_visible(l, len, false), was, "changed count");
                self.naive.set_visible(id, len, false);
            }
        }
    }

    /// Applies a random op that is ready and not applied yet; returns whether there was one.
    pub(super) fn deliver_random(&mut self, net: &Net, rng: &mut StdRng) -> bool {
        let ready: Vec<usize> = (0..net.log.len())
            .filter(|k| !self.applied.contains(k) && self.ready(&net.log[*k]))
            .collect();
        if ready.is_empty() {
            return false;
        }
        self.apply(net, ready[rng.gen_range(0..ready.len())]);
        true
    }

    /// Applies every op, in random causal order.
    pub(super) fn deliver_all(&mut self, net: &Net, rng: &mut StdRng) {
        while self.deliver_random(net, rng) {}
        assert_eq!(self.applied.len(), net.log.len(), "every op became ready");
    }

    /// The tree's elements, in global ids.
    pub(super) fn elements(&self) -> Vec<Elem> {
        let mut out = Vec::new();
        for r in self.tree.iter() {
            for (k, ch) in self.tree.run_text(r).chars().enumerate() {
                let id = r.id.add(k as u64);
                let origin_left = if k == 0 {
                    r.origin_left()
                } else {
                    Some(r.id.add(k as u64 - 1))
                };
                out.push(Elem {
                    id: self.global(id),
                    origin_left: origin_left.map(|x| self.global(x)),
                    origin_right: r.origin_right().map(|x| self.global(x)),
                    visible: r.visible(),
                    ch,
                });
            }
        }
        out
    }

    /// The visible text.
    pub(super) fn text(&self) -> String {
        self.tree
            .iter()
            .filter(|r| r.visible())
            .map(|r| self.tree.run_text(r))
            .collect()
    }

    /// Checks the tree's invariants and that it equals the reference.
    pub(super) fn check(&self) {
        self.tree.check();
        assert_eq!(
            self.elements(),
            self.naive.elems,
            "tree and reference differ"
        );
        assert_eq!(self.text(), self.naive.text());
        assert_eq!(self.tree.len(), self.naive.text().chars().count());
        assert_eq!(self.tree.total_len(), self.naive.elems.len());
    }
}
