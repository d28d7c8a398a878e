//! Building a sequence from a whole history at once, as a linked list of runs.
//!
//! A load or an import applies a history in causal order to the sequences it creates. Where
//! the history is linear (one typist, or several taking turns), every insert lands right after
//! its left origin with its right origin next to it: the integration rule has nothing to
//! decide. [`Pending`] takes such inserts, and the deletes that hide elements, as edits of a
//! doubly linked list of runs, with one slot per id naming the node that holds it. An edit
//! then costs a slot lookup and a few links: no leaf to search, no counts to carry up the
//! tree, no runs to shift within a leaf, no leaf to split, and no id index to update for the
//! runs a split moves. When the batch ends, the list is walked once and the tree built from
//! it, leaf by leaf ([`SeqTree::build_pending`]).
//!
//! Anything else (an insert the rule must place among concurrent ones, a list slot written,
//! a rollback, ids too sparse for slots) builds the tree first and goes on there, so the
//! result never depends on which path an edit took: the runs the list holds are merged at the
//! end wherever they continue each other, as the tree keeps them.

use super::index::IdIndex;
use super::paged::CounterSlots;
use super::tree::{Child, Internal, LeafIdx, NodeIdx, Root, SeqTree};
use super::{Content, IdSpans, Run};
use crate::ids::Id;

/// No node.
const NIL: u32 = u32::MAX;

/// How many slots per id inserted the slots of all actors may take, and how many more in any
/// case: an actor whose ids in this sequence are spread over a much larger range of counters
/// (its other ops went to other objects) is left to the tree.
const SLOT_ROOM: (u64, u64) = (2, 4096);

/// A run and its neighbours in document order.
#[derive(Clone, Debug)]
struct Node<C> {
    run: Run<C>,
    prev: u32,
    next: u32,
}

/// The node of each counter of one actor ([`NIL`] where none).
type Slots = CounterSlots<u32, PAGE>;

/// Slots per page: 16 KiB.
const PAGE: usize = 4096;

/// The sequence a batch is building, while every edit is one the list takes (see the module
/// documentation).
#[derive(Clone, Debug)]
pub(super) struct Pending<C> {
    /// The nodes, in the order they were made.
    nodes: Vec<Node<C>>,
    /// The first node in document order.
    head: u32,
    /// The slots of each actor, by actor index.
    actors: Vec<Slots>,
    /// How many ids were inserted.
    work: u64,
    /// How many slots all actors hold together.
    held: u64,
}

impl<C> Default for Pending<C> {
    fn default() -> Self {
        Pending {
            nodes: Vec::new(),
            head: NIL,
            actors: Vec::new(),
            work: 0,
            held: 0,
        }
    }
}

impl<C: Content> Pending<C> {
    /// Whether the list holds no element.
    fn is_empty(&self) -> bool {
        self.head == NIL
    }

    /// Whether the nodes are near what a `u32` numbers ([`NIL`] aside): an edit may add
    /// three. No document in memory gets there; the tree takes over if one does.
    pub(super) fn full(&self) -> bool {
        self.nodes.len() >= (NIL - 3) as usize
    }

    /// The node holding `id` and the element's offset in its run.
    pub(super) fn find(&self, id: Id) -> Option<(u32, usize)> {
        let n = self.actors.get(id.actor().index())?.get(id.counter())?;
        let run = &self.nodes[n as usize].run;
        debug_assert!(
            run.offset_of(id).is_some(),
            "a slot names the node holding it"
        );
        Some((n, (id.counter() - run.id.counter()) as usize))
    }

    /// The first id of node `n`, if there is such a node.
    fn first_id(&self, n: u32) -> Option<Id> {
        (n != NIL).then(|| self.nodes[n as usize].run.id)
    }

    /// Whether the slots can cover the new ids `id .. id + len` within their room (an
    /// actor's ids come in counter order: one before its first slot is left to the tree).
    fn has_room(&self, id: Id, len: u64) -> bool {
        let (used, wanted) = match self.actors.get(id.actor().index()) {
            Some(a) => {
                let Some((_, to)) = a.span(id.counter(), id.counter() + len) else {
                    return false;
                };
                let used = a.len() as u64;
                (used, used.max(to))
            }
            None => (0, len),
        };
        let room = (self.work + len)
            .saturating_mul(SLOT_ROOM.0)
            .saturating_add(SLOT_ROOM.1);
        self.held - used + wanted <= room
    }

    /// Names node `n` in the slots of `id .. id + len`, adding slots as needed (for new
    /// ids, the caller checked the room).
    fn fill(&mut self, id: Id, len: u64, n: u32) {
        let i = id.actor().index();
        if i >= self.actors.len() {
            self.actors.resize_with(i + 1, || Slots::new(NIL));
        }
        let a = &mut self.actors[i];
        let held = a.len();
        a.fill(id.counter(), id.counter() + len, n);
        self.held += (a.len() - held) as u64;
    }

    /// Makes a node of `run` and links it after `prev` (first if [`NIL`]).
    fn link_after(&mut self, prev: u32, run: Run<C>) -> u32 {
        let n = self.nodes.len() as u32;
        let next = match prev {
            NIL => std::mem::replace(&mut self.head, n),
            p => std::mem::replace(&mut self.nodes[p as usize].next, n),
        };
        if next != NIL {
            self.nodes[next as usize].prev = n;
        }
        self.nodes.push(Node { run, prev, next });
        n
    }

    /// Splits the run of node `n` before its element `at` (`0 < at < len`) into two nodes,
    /// returned in document order. The shorter part moves to a new node, so that only its
    /// slots change: a long pasted run split again and again costs each split its short end.
    fn split(&mut self, n: u32, at: usize, store: &C::Store) -> (u32, u32) {
        let node = &mut self.nodes[n as usize];
        let len = node.run.len();
        let tail = node.run.split_off(at, store);
        if at >= len - at {
            let (id, k) = (tail.id, tail.len() as u64);
            let t = self.link_after(n, tail);
            self.fill(id, k, t);
            return (n, t);
        }
        let (head, prev) = (std::mem::replace(&mut node.run, tail), node.prev);
        let (id, k) = (head.id, head.len() as u64);
        let h = self.link_after(prev, head);
        self.fill(id, k, h);
        (h, n)
    }

    /// Inserts the new run `id ..` of `content` between `origin_left` and `origin_right`, if
    /// they are next to each other (nothing concurrent to place it among); else gives the
    /// content back, changing nothing.
    pub(super) fn integrate(
        &mut self,
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        content: C,
        store: &C::Store,
    ) -> Result<(), C> {
        let len = content.len() as u64;
        // The node the new run goes after, the offset in it of the left origin, and the
        // element after the left origin.
        let (after, next) = match origin_left {
            None => (None, self.first_id(self.head)),
            Some(l) => {
                let Some((n, off)) = self.find(l) else {
                    return Err(content);
                };
                let node = &self.nodes[n as usize];
                let next = match off + 1 < node.run.len() {
                    true => Some(l.add(1)),
                    false => self.first_id(node.next),
                };
                (Some((n, off)), next)
            }
        };
        if next != origin_right || !self.has_room(id, len) || self.full() {
            return Err(content);
        }
        if len == 0 {
            return Ok(());
        }
        let prev = match after {
            None => NIL,
            Some((n, off)) => match off + 1 < self.nodes[n as usize].run.len() {
                true => self.split(n, off + 1, store).0,
                false => n,
            },
        };
        self.work += len;
        let run = Run::new(id, origin_left, origin_right, true, content);
        if prev != NIL && self.nodes[prev as usize].run.can_append(&run) {
            // Typing on: the run grows in place.
            self.nodes[prev as usize].run.content.append(run.content);
            self.fill(id, len, prev);
            return Ok(());
        }
        let n = self.link_after(prev, run);
        self.fill(id, len, n);
        Ok(())
    }

    /// Hides the elements `id .. id + len` (ids of one actor) and returns the parts of them
    /// that were visible, in id order; or, changing nothing, the first of those ids that is
    /// not in the sequence.
    pub(super) fn hide(&mut self, id: Id, len: u64, store: &C::Store) -> Result<IdSpans, Id> {
        let mut done = 0;
        while done < len {
            let e = id.add(done);
            let (n, off) = self.find(e).ok_or(e)?;
            done += ((self.nodes[n as usize].run.len() - off) as u64).min(len - done);
        }
        let mut out = IdSpans::new();
        let mut done = 0;
        while done < len {
            let e = id.add(done);
            let (mut n, off) = self.find(e).expect("checked above");
            let run_len = self.nodes[n as usize].run.len();
            let k = (run_len - off).min((len - done) as usize);
            if self.nodes[n as usize].run.visible() {
                if off > 0 {
                    n = self.split(n, off, store).1;
                }
                if k < self.nodes[n as usize].run.len() {
                    n = self.split(n, k, store).0;
                }
                self.nodes[n as usize].run.set_visible(false);
                match out.last_mut() {
                    Some((start, m)) if start.add(*m as u64) == e => *m += k,
                    _ => out.push((e, k)),
                }
            }
            done += k as u64;
        }
        Ok(out)
    }

    /// The runs in document order, each merged with those after it that continue it, and
    /// for each node the index of the run it went into.
    /// A node's content is taken out of it in place, so that the nodes are not copied once
    /// more while the runs are made.
    fn into_runs(mut self) -> (Vec<Run<C>>, Vec<u32>, Vec<Slots>) {
        let mut run_of = vec![NIL; self.nodes.len()];
        let mut runs: Vec<Run<C>> = Vec::with_capacity(self.nodes.len());
        let mut n = self.head;
        while n != NIL {
            assert!(run_of[n as usize] == NIL, "a list visits each node once");
            let node = &mut self.nodes[n as usize];
            let run = Run {
                content: std::mem::take(&mut node.run.content),
                ..node.run
            };
            match runs.last_mut() {
                Some(last) if last.can_append(&run) => last.content.append(run.content),
                _ => runs.push(run),
            }
            run_of[n as usize] = (runs.len() - 1) as u32;
            n = node.next;
        }
        (runs, run_of, self.actors)
    }
}

/// The id ranges of every actor, in counter order, with the leaf holding each: `leaf_of`
/// gives the leaf of each node. Ranges that touch in one leaf are one.
fn ranges(actors: &[Slots], leaf_of: impl Fn(u32) -> LeafIdx) -> Vec<Vec<(u32, u32, LeafIdx)>> {
    let mut out = Vec::with_capacity(actors.len());
    for a in actors {
        let mut spans: Vec<(u32, u32, LeafIdx)> = Vec::new();
        a.for_each_run(|start, same, n| {
            let start = start as u32;
            let end = start + same as u32;
            let leaf = leaf_of(n);
            match spans.last_mut() {
                Some(last) if last.1 == start && last.2 == leaf => last.1 = end,
                _ => spans.push((start, end, leaf)),
            }
        });
        out.push(spans);
    }
    out
}

impl<C: Content, const L: usize, const F: usize> SeqTree<C, L, F> {
    /// Whether the tree holds the whole sequence (no pending list holds elements), as every
    /// read by position or by id but [`SeqTree::contains`] needs.
    pub(super) fn is_built(&self) -> bool {
        self.pending.as_ref().is_none_or(|p| p.is_empty())
    }

    /// Builds the tree from the pending list, if there is one: every edit the list does not
    /// take calls this first.
    #[inline]
    pub(super) fn built(&mut self) {
        if self.pending.is_some() {
            self.build_pending();
        }
    }

    /// Builds the tree from the pending list, if there is one: leaves of three quarters of
    /// the runs a leaf holds (room for editing to come), parents of `F` children. The tree is
    /// empty until then, and its counts are the list's already.
    #[cold]
    #[inline(never)]
    pub(super) fn build_pending(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let (runs, run_of, actors) = pending.into_runs();
        if runs.is_empty() {
            return;
        }
        debug_assert!(self.nodes.is_empty() && self.leaves.len() == 1);
        let per_leaf = (L - L / 4).max(1);
        self.leaves.clear();
        self.free_leaves.clear();
        let mut runs = runs.into_iter();
        while runs.len() > 0 {
            let n = runs.len().min(per_leaf);
            let mut chunk = Vec::with_capacity(Self::room_for(n));
            chunk.extend(runs.by_ref().take(n));
            let l = LeafIdx(self.leaves.len() as u32);
            let mut leaf = Self::new_leaf(chunk, None);
            if let Some(prev) = l.0.checked_sub(1) {
                leaf.prev = Some(LeafIdx(prev));
                self.leaves[prev as usize].next = Some(l);
            }
            self.leaves.push(leaf);
        }
        let leaf_of = |n: u32| LeafIdx(run_of[n as usize] / per_leaf as u32);
        self.index = IdIndex::from_ranges(ranges(&actors, leaf_of));
        let mut level: Vec<Child> = (self.leaves.iter().enumerate())
            .map(|(i, l)| Child {
                idx: i as u32,
                vis: l.vis,
                total: l.total,
            })
            .collect();
        let mut leaf_children = true;
        self.root = Root::Leaf(LeafIdx(0));
        while level.len() > 1 {
            let mut up = Vec::with_capacity(level.len().div_ceil(F));
            for group in level.chunks(F) {
                let n = NodeIdx(self.nodes.len() as u32);
                let mut children = Vec::with_capacity(F + 1);
                children.extend_from_slice(group);
                for (slot, c) in group.iter().enumerate() {
                    self.set_parent(c.idx, leaf_children, Some(n), slot);
                }
                self.nodes.push(Internal {
                    children,
                    parent: None,
                    slot: 0,
                    leaf_children,
                });
                up.push(self.child_entry(n.0, false));
            }
            self.root = Root::Node(NodeIdx(up[0].idx));
            level = up;
            leaf_children = false;
        }
        debug_assert_eq!(level[0].vis, self.vis, "the list kept the visible count");
        debug_assert_eq!(level[0].total, self.total, "the list kept the total count");
        self.cursor = None;
        self.tail = None;
        self.edits += 1;
    }
}
