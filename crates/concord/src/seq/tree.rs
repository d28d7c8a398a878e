//! The arena B-tree of runs and its structural primitives: locating elements by visible
//! position or by id, inserting runs, splitting and unlinking nodes, merging runs, and keeping
//! the counts cached in the parents and the id index up to date.

use std::fmt;

use super::batch::Pending;
use super::index::IdIndex;
use super::{Content, Run};
use crate::ids::Id;

/// The index of a leaf in the leaf arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct LeafIdx(pub(super) u32);

/// The index of an internal node in the node arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct NodeIdx(pub(super) u32);

impl LeafIdx {
    /// The arena slot.
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }
}

impl NodeIdx {
    /// The arena slot.
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }
}

/// A leaf: a slice of the sequence, as runs in document order.
#[derive(Clone, Debug)]
pub(super) struct Leaf<C> {
    /// The runs, at most `L` (only the root leaf, holding the whole sequence, may be empty).
    pub(super) runs: Vec<Run<C>>,
    /// The number of visible elements in `runs`.
    pub(super) vis: usize,
    /// The number of elements in `runs`, tombstones included.
    pub(super) total: usize,
    /// The parent node, `None` for the root.
    pub(super) parent: Option<NodeIdx>,
    /// The leaf's index among its parent's children, so that walking up needs no search.
    pub(super) slot: u32,
    /// The leaf before this one in document order.
    pub(super) prev: Option<LeafIdx>,
    /// The leaf after this one in document order.
    pub(super) next: Option<LeafIdx>,
}

/// A child entry of an internal node, with the child's counts cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Child {
    /// A `LeafIdx` or `NodeIdx`, as the node's `leaf_children` says.
    pub(super) idx: u32,
    /// The number of visible elements under the child.
    pub(super) vis: usize,
    /// The number of elements under the child, tombstones included.
    pub(super) total: usize,
}

/// An internal node: between 1 and `F` children, all leaves or all internal nodes.
#[derive(Clone, Debug)]
pub(super) struct Internal {
    /// The children in document order.
    pub(super) children: Vec<Child>,
    /// The parent node, `None` for the root.
    pub(super) parent: Option<NodeIdx>,
    /// The node's index among its parent's children.
    pub(super) slot: u32,
    /// Whether the children are leaves.
    pub(super) leaf_children: bool,
}

/// The root of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Root {
    /// The whole sequence fits in one leaf.
    Leaf(LeafIdx),
    /// An internal node.
    Node(NodeIdx),
}

/// The last leaf located by visible position, and the number of visible elements before it,
/// so that typing at one place does not descend from the root for every keystroke.
///
/// It stays valid while the visible counts of other leaves do not change: any such change
/// drops it (see [`SeqTree::add_counts`]), as does unlinking the leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Cursor {
    /// The leaf.
    pub(super) leaf: LeafIdx,
    /// The number of visible elements before the leaf.
    pub(super) vis_start: usize,
}

/// Where the last local insert ended: the run that holds its last element, and the visible
/// position just after it. The next keystroke typed there continues that run in place,
/// with no search (see [`SeqTree::insert_local`]).
///
/// It is valid while `edits` is the tree's: any change of the counts (an insert, a
/// deletion, an undo, anywhere) moves the tree's count on. Runs moved to other slots by
/// splits and merges are caught by checking the run's ids before use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Tail {
    /// The leaf.
    pub(super) leaf: LeafIdx,
    /// The run's index in the leaf.
    pub(super) run: usize,
    /// The visible position just after the run's last element.
    pub(super) vis_end: usize,
    /// The tree's `edits` when this was recorded.
    pub(super) edits: u64,
}

/// The position of one element: run `run` of `leaf`, element `off` of that run. The end of the
/// sequence is `run == runs.len()` in the last leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pos {
    /// The leaf.
    pub(super) leaf: LeafIdx,
    /// The run's index in the leaf.
    pub(super) run: usize,
    /// The element's offset in the run.
    pub(super) off: usize,
}

/// A sequence of elements (tombstones included) stored as runs in an arena B-tree, with an id
/// index. See the module documentation for the design. `L` is the most runs a leaf holds, `F`
/// the most children of an internal node.
#[derive(Clone)]
pub(crate) struct SeqTree<C: Content, const L: usize = 32, const F: usize = 16> {
    /// The leaf arena (freed slots are listed in `free_leaves`).
    pub(super) leaves: Vec<Leaf<C>>,
    /// The internal node arena (freed slots are listed in `free_nodes`).
    pub(super) nodes: Vec<Internal>,
    /// Leaf slots free for reuse.
    pub(super) free_leaves: Vec<LeafIdx>,
    /// Node slots free for reuse.
    pub(super) free_nodes: Vec<NodeIdx>,
    /// The root.
    pub(super) root: Root,
    /// Which leaf holds each id.
    pub(super) index: IdIndex,
    /// Visible elements in the whole sequence.
    pub(super) vis: usize,
    /// Elements in the whole sequence, tombstones included.
    pub(super) total: usize,
    /// The cached position of the last located leaf.
    pub(super) cursor: Option<Cursor>,
    /// Where the last local insert ended, while nothing else has changed the counts.
    pub(super) tail: Option<Tail>,
    /// How many times the counts have changed: what keeps `tail` honest.
    pub(super) edits: u64,
    /// Whether a batch of changes is building the sequence: its leaves then keep room for
    /// as many runs as a leaf ever holds, and are trimmed when the batch ends.
    pub(super) batch: bool,
    /// While a batch builds the sequence and every edit so far was one it takes, the
    /// sequence as a linked list of runs, and the tree is empty (see the `batch` module).
    pub(super) pending: Option<Box<Pending<C>>>,
    /// What the runs' content refers to (text: every actor's characters).
    pub(super) store: C::Store,
}

impl<C: Content> SeqTree<C> {
    /// An empty sequence.
    pub(crate) fn new() -> Self {
        Self::empty()
    }

    /// An empty sequence that a batch of changes (a load, an import) will build: its id
    /// index starts flat (see the `index` module). [`SeqTree::end_batch`] must follow.
    pub(crate) fn for_batch() -> Self {
        Self::empty_for_batch()
    }
}

impl<C: Content> Default for SeqTree<C> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<C: Content, const L: usize, const F: usize> fmt::Debug for SeqTree<C, L, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeqTree")
            .field("len", &self.vis)
            .field("total_len", &self.total)
            .field("runs", &RunsDebug(self))
            .finish()
    }
}

/// Formats the runs of a tree as a list.
struct RunsDebug<'a, C: Content, const L: usize, const F: usize>(&'a SeqTree<C, L, F>);

impl<C: Content, const L: usize, const F: usize> fmt::Debug for RunsDebug<'_, C, L, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl<C: Content, const L: usize, const F: usize> SeqTree<C, L, F> {
    /// Rejects capacities that a split cannot halve.
    const CAPACITIES_OK: () = assert!(L >= 2 && F >= 2, "leaf and node capacities must be >= 2");

    /// [`SeqTree::for_batch`], with any capacities.
    pub(super) fn empty_for_batch() -> Self {
        SeqTree {
            index: IdIndex::flat(),
            batch: true,
            pending: Some(Box::default()),
            ..Self::empty()
        }
    }

    /// Ends the batch that builds this sequence: the id index is compacted and the leaves
    /// keep the room that editing gives them.
    pub(crate) fn end_batch(&mut self) {
        self.build_pending();
        self.index.compact();
        self.batch = false;
        for leaf in &mut self.leaves {
            leaf.runs.shrink_to(Self::room_for(leaf.runs.len()));
        }
    }

    /// An empty sequence: one empty root leaf.
    pub(super) fn empty() -> Self {
        let () = Self::CAPACITIES_OK;
        SeqTree {
            leaves: vec![Self::new_leaf(Vec::new(), None)],
            nodes: Vec::new(),
            free_leaves: Vec::new(),
            free_nodes: Vec::new(),
            root: Root::Leaf(LeafIdx(0)),
            index: IdIndex::default(),
            vis: 0,
            total: 0,
            cursor: None,
            tail: None,
            edits: 0,
            batch: false,
            pending: None,
            store: C::Store::default(),
        }
    }

    /// A leaf holding `runs` (counts computed), unlinked.
    pub(super) fn new_leaf(
        runs: impl IntoIterator<Item = Run<C>>,
        parent: Option<NodeIdx>,
    ) -> Leaf<C> {
        let all: Vec<Run<C>> = runs.into_iter().collect();
        Leaf {
            vis: all.iter().map(Run::visible_len).sum(),
            total: all.iter().map(Run::len).sum(),
            runs: all,
            parent,
            slot: 0,
            prev: None,
            next: None,
        }
    }

    /// The capacity a leaf of `len` runs keeps: a quarter as much again, up to the most a
    /// leaf ever holds (`L` and the two runs an edit may add before the leaf splits). A leaf
    /// just split grows a few times before it splits again, and its room stays close to its
    /// runs: runs are most of a document's memory, and a leaf gains runs far less often
    /// than its runs grow.
    pub(super) fn room_for(len: usize) -> usize {
        (len + len / 4).clamp(4, L + 2)
    }

    /// Makes room in `runs`, a leaf's, for one more run; room for the most a leaf holds
    /// while a batch builds the sequence.
    fn room_for_one(runs: &mut Vec<Run<C>>, batch: bool) {
        if runs.len() == runs.capacity() {
            let room = if batch {
                L + 2
            } else {
                Self::room_for(runs.len() + 1)
            };
            let more = room.saturating_sub(runs.len());
            runs.reserve_exact(more.max(1));
        }
    }

    /// The leaf at `l`.
    pub(super) fn leaf(&self, l: LeafIdx) -> &Leaf<C> {
        &self.leaves[l.ix()]
    }

    /// The leaf at `l`, mutably.
    pub(super) fn leaf_mut(&mut self, l: LeafIdx) -> &mut Leaf<C> {
        &mut self.leaves[l.ix()]
    }

    /// The internal node at `n`.
    pub(super) fn node(&self, n: NodeIdx) -> &Internal {
        &self.nodes[n.ix()]
    }

    /// Stores `leaf` in a free slot.
    fn alloc_leaf(&mut self, leaf: Leaf<C>) -> LeafIdx {
        if let Some(l) = self.free_leaves.pop() {
            self.leaves[l.ix()] = leaf;
            l
        } else {
            self.leaves.push(leaf);
            LeafIdx((self.leaves.len() - 1) as u32)
        }
    }

    /// Stores `node` in a free slot.
    fn alloc_node(&mut self, node: Internal) -> NodeIdx {
        if let Some(n) = self.free_nodes.pop() {
            self.nodes[n.ix()] = node;
            n
        } else {
            self.nodes.push(node);
            NodeIdx((self.nodes.len() - 1) as u32)
        }
    }

    /// Adds `dvis` visible and `dtotal` total elements to the counts of `leaf` and of every
    /// ancestor's entry for it. Drops the cursor if visible elements moved in another leaf.
    pub(super) fn add_counts(&mut self, leaf: LeafIdx, dvis: isize, dtotal: isize) {
        if dvis == 0 && dtotal == 0 {
            return;
        }
        self.edits = self.edits.wrapping_add(1);
        let l = &mut self.leaves[leaf.ix()];
        l.vis = l.vis.wrapping_add_signed(dvis);
        l.total = l.total.wrapping_add_signed(dtotal);
        let mut slot = l.slot;
        let mut parent = l.parent;
        while let Some(p) = parent {
            let node = &mut self.nodes[p.ix()];
            let c = &mut node.children[slot as usize];
            c.vis = c.vis.wrapping_add_signed(dvis);
            c.total = c.total.wrapping_add_signed(dtotal);
            slot = node.slot;
            parent = node.parent;
        }
        self.vis = self.vis.wrapping_add_signed(dvis);
        self.total = self.total.wrapping_add_signed(dtotal);
        if dvis != 0 && self.cursor.is_some_and(|c| c.leaf != leaf) {
            self.cursor = None;
        }
    }

    /// The numbers of (visible, all) elements before `leaf` in document order: a walk up the
    /// parents, summing the cached counts of the siblings to the left.
    pub(super) fn leaf_start(&self, leaf: LeafIdx) -> (usize, usize) {
        let (mut vis, mut total) = (0, 0);
        let l = self.leaf(leaf);
        let (mut slot, mut parent) = (l.slot, l.parent);
        while let Some(p) = parent {
            let node = self.node(p);
            for c in &node.children[..slot as usize] {
                vis += c.vis;
                total += c.total;
            }
            slot = node.slot;
            parent = node.parent;
        }
        (vis, total)
    }

    /// The leaf holding the `pos`-th visible element (the last leaf if `pos == len`), and the
    /// number of visible elements before that leaf. Uses the cursor when it covers `pos`.
    pub(super) fn locate_vis(&self, pos: usize) -> (LeafIdx, usize) {
        if let Some(c) = self.cursor {
            let l = self.leaf(c.leaf);
            if pos >= c.vis_start
                && (pos < c.vis_start + l.vis || (l.next.is_none() && pos == self.vis))
            {
                return (c.leaf, c.vis_start);
            }
        }
        let mut node = match self.root {
            Root::Leaf(l) => return (l, 0),
            Root::Node(n) => n,
        };
        let mut start = 0;
        loop {
            let n = self.node(node);
            let last = n.children.len() - 1;
            let mut chosen = last;
            for (i, c) in n.children[..last].iter().enumerate() {
                if pos - start < c.vis {
                    chosen = i;
                    break;
                }
                start += c.vis;
            }
            let idx = n.children[chosen].idx;
            if n.leaf_children {
                return (LeafIdx(idx), start);
            }
            node = NodeIdx(idx);
        }
    }

    /// The first leaf in document order.
    pub(super) fn first_leaf(&self) -> LeafIdx {
        let mut node = match self.root {
            Root::Leaf(l) => return l,
            Root::Node(n) => n,
        };
        loop {
            let n = self.node(node);
            if n.leaf_children {
                return LeafIdx(n.children[0].idx);
            }
            node = NodeIdx(n.children[0].idx);
        }
    }

    /// The position of the element with id `id`: an index lookup and a scan of one leaf.
    pub(super) fn find(&self, id: Id) -> Option<Pos> {
        debug_assert!(self.is_built(), "the tree is built before it is read");
        let leaf = self.index.get(id)?;
        let (run, off) = self
            .leaf(leaf)
            .runs
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.offset_of(id).map(|o| (i, o)))
            .expect("the id index names the leaf holding the id");
        Some(Pos { leaf, run, off })
    }

    /// The position of `id`, which the caller knows is present.
    pub(super) fn find_present(&self, id: Id) -> Pos {
        match self.find(id) {
            Some(p) => p,
            None => panic!("element {id:?} is not in the sequence"),
        }
    }

    /// The position of `id`, which the caller knows is present, and expects in `leaf` or
    /// the leaf after it: the next piece of a range being hidden run by run, just after the
    /// last one (which a split may have moved to the next leaf). Those two leaves' runs are
    /// looked through first, in memory the last piece touched, before the id index is
    /// searched. Ids are unique in a sequence, so a run holding `id` anywhere is its place.
    pub(super) fn find_present_near(&self, id: Id, leaf: LeafIdx) -> Pos {
        let mut at = Some(leaf);
        for _ in 0..2 {
            let Some(l) = at else { break };
            let found = self
                .leaf(l)
                .runs
                .iter()
                .enumerate()
                .find_map(|(i, r)| r.offset_of(id).map(|o| (i, o)));
            if let Some((run, off)) = found {
                return Pos { leaf: l, run, off };
            }
            at = self.leaf(l).next;
        }
        self.find_present(id)
    }

    /// The index of `id` in the full order (tombstones included).
    pub(super) fn full_index(&self, id: Id) -> usize {
        let p = self.find_present(id);
        let before: usize = self.leaf(p.leaf).runs[..p.run].iter().map(Run::len).sum();
        self.leaf_start(p.leaf).1 + before + p.off
    }

    /// The number of visible elements before position `p` (the tests check positions with it).
    #[cfg(test)]
    pub(super) fn vis_before(&self, p: Pos) -> usize {
        let runs = &self.leaf(p.leaf).runs;
        let before: usize = runs[..p.run].iter().map(Run::visible_len).sum();
        let within = runs
            .get(p.run)
            .map_or(0, |r| if r.visible() { p.off } else { 0 });
        self.leaf_start(p.leaf).0 + before + within
    }

    /// The id of the element at `p`, `None` at the end.
    pub(super) fn id_at(&self, p: Pos) -> Option<Id> {
        let r = self.leaf(p.leaf).runs.get(p.run)?;
        Some(r.id.add(p.off as u64))
    }

    /// The start of the run after run `run` of `leaf` (the end position after the last run).
    pub(super) fn run_after(&self, leaf: LeafIdx, run: usize) -> Pos {
        let l = self.leaf(leaf);
        if run + 1 < l.runs.len() {
            return Pos {
                leaf,
                run: run + 1,
                off: 0,
            };
        }
        match l.next {
            Some(next) => Pos {
                leaf: next,
                run: 0,
                off: 0,
            },
            None => Pos {
                leaf,
                run: l.runs.len(),
                off: 0,
            },
        }
    }

    /// The position `n` elements after `p`, where `p.off + n` is at most the run's length.
    pub(super) fn advance(&self, p: Pos, n: usize) -> Pos {
        if p.off + n < self.leaf(p.leaf).runs[p.run].len() {
            Pos {
                off: p.off + n,
                ..p
            }
        } else {
            self.run_after(p.leaf, p.run)
        }
    }

    /// Splits run `i` of `leaf` before its element `at` (`0 < at < len`). The leaf may
    /// overflow; the caller splits it.
    pub(super) fn split_run(&mut self, leaf: LeafIdx, i: usize, at: usize) {
        let runs = &mut self.leaves[leaf.ix()].runs;
        let tail = runs[i].split_off(at, &self.store);
        Self::room_for_one(runs, self.batch);
        runs.insert(i + 1, tail);
    }

    /// Inserts `run` (new ids) just before the element at `p`, merging it into the run before
    /// when it continues that run. Returns the position of its first element.
    pub(super) fn insert_run(&mut self, p: Pos, run: Run<C>) -> Pos {
        let leaf = p.leaf;
        let mut i = p.run;
        if p.off > 0 {
            self.split_run(leaf, i, p.off);
            i += 1;
        }
        let (actor, start, end) = (run.id.actor(), run.id.counter(), run.end());
        let (dvis, dtotal) = (run.visible_len() as isize, run.len() as isize);
        let pred = self.run_before(leaf, i);
        if let Some((pl, pi)) = pred {
            let prev = &mut self.leaf_mut(pl).runs[pi];
            if prev.can_append(&run) {
                let off = prev.len();
                prev.content.append(run.content);
                self.add_counts(pl, dvis, dtotal);
                self.index.set(actor, start, end, pl);
                return Pos {
                    leaf: pl,
                    run: pi,
                    off,
                };
            }
        }
        let batch = self.batch;
        let runs = &mut self.leaf_mut(leaf).runs;
        Self::room_for_one(runs, batch);
        runs.insert(i, run);
        self.add_counts(leaf, dvis, dtotal);
        self.index.set(actor, start, end, leaf);
        if self.leaf(leaf).runs.len() > L {
            let (new, half) = self.split_leaf(leaf);
            if i >= half {
                return Pos {
                    leaf: new,
                    run: i - half,
                    off: 0,
                };
            }
        }
        Pos {
            leaf,
            run: i,
            off: 0,
        }
    }

    /// Moves the second half of an overfull leaf to a new leaf after it. Returns the new leaf
    /// and the number of runs that stayed.
    pub(super) fn split_leaf(&mut self, leaf: LeafIdx) -> (LeafIdx, usize) {
        let l = self.leaf_mut(leaf);
        let half = l.runs.len() / 2;
        let (parent, next) = (l.parent, l.next);
        let mut new_leaf = Self::new_leaf(l.runs.drain(half..), parent);
        new_leaf.prev = Some(leaf);
        new_leaf.next = next;
        let (vis, total) = (new_leaf.vis, new_leaf.total);
        let new = self.alloc_leaf(new_leaf);
        if let Some(n) = next {
            self.leaf_mut(n).prev = Some(new);
        }
        let batch = self.batch;
        let l = self.leaf_mut(leaf);
        if !batch {
            l.runs.shrink_to(Self::room_for(l.runs.len()));
        }
        l.next = Some(new);
        l.vis -= vis;
        l.total -= total;
        // Runs next to each other often hold consecutive ids (a run split by a deletion):
        // record each stretch of them as one range.
        let mut stretch: Option<(Id, u64)> = None;
        for r in &self.leaves[new.ix()].runs {
            match &mut stretch {
                Some((first, end)) if first.actor() == r.id.actor() && *end == r.id.counter() => {
                    *end = r.end();
                }
                _ => {
                    if let Some((first, end)) = stretch {
                        self.index.set(first.actor(), first.counter(), end, new);
                    }
                    stretch = Some((r.id, r.end()));
                }
            }
        }
        if let Some((first, end)) = stretch {
            self.index.set(first.actor(), first.counter(), end, new);
        }
        let entry = Child {
            idx: new.0,
            vis,
            total,
        };
        self.insert_after(parent, leaf.0, entry, true);
        (new, half)
    }

    /// The entry for child `idx` with its counts.
    pub(super) fn child_entry(&self, idx: u32, is_leaf: bool) -> Child {
        let (vis, total) = if is_leaf {
            let l = self.leaf(LeafIdx(idx));
            (l.vis, l.total)
        } else {
            self.node(NodeIdx(idx))
                .children
                .iter()
                .fold((0, 0), |(v, t), c| (v + c.vis, t + c.total))
        };
        Child { idx, vis, total }
    }

    /// Sets the parent link and slot of child `idx`.
    pub(super) fn set_parent(
        &mut self,
        idx: u32,
        is_leaf: bool,
        parent: Option<NodeIdx>,
        slot: usize,
    ) {
        if is_leaf {
            let l = &mut self.leaves[idx as usize];
            (l.parent, l.slot) = (parent, slot as u32);
        } else {
            let n = &mut self.nodes[idx as usize];
            (n.parent, n.slot) = (parent, slot as u32);
        }
    }

    /// The slot of child `idx` in its parent.
    fn slot_of(&self, idx: u32, is_leaf: bool) -> usize {
        if is_leaf {
            self.leaves[idx as usize].slot as usize
        } else {
            self.nodes[idx as usize].slot as usize
        }
    }

    /// Refreshes the parent links and slots of the children of `n` from slot `from` on.
    fn renumber(&mut self, n: NodeIdx, from: usize) {
        let is_leaf = self.node(n).leaf_children;
        for k in from..self.node(n).children.len() {
            let idx = self.node(n).children[k].idx;
            self.set_parent(idx, is_leaf, Some(n), k);
        }
    }

    /// Adds child `right` just after child `left` (both leaves or both nodes) in `parent`, a
    /// new root if `left` was the root, and refreshes the counts of `left`'s entry.
    fn insert_after(&mut self, parent: Option<NodeIdx>, left: u32, right: Child, is_leaf: bool) {
        let left_entry = self.child_entry(left, is_leaf);
        match parent {
            None => {
                let mut children = Vec::with_capacity(F + 1);
                children.extend([left_entry, right]);
                let root = self.alloc_node(Internal {
                    children,
                    parent: None,
                    slot: 0,
                    leaf_children: is_leaf,
                });
                self.renumber(root, 0);
                self.root = Root::Node(root);
            }
            Some(p) => {
                let slot = self.slot_of(left, is_leaf);
                let node = &mut self.nodes[p.ix()];
                debug_assert_eq!(node.children[slot].idx, left);
                node.children[slot] = left_entry;
                node.children.insert(slot + 1, right);
                let full = node.children.len() > F;
                self.renumber(p, slot + 1);
                if full {
                    self.split_node(p);
                }
            }
        }
    }

    /// Moves the second half of an overfull node's children to a new node after it.
    fn split_node(&mut self, n: NodeIdx) {
        let node = &mut self.nodes[n.ix()];
        let half = node.children.len() / 2;
        let mut children = Vec::with_capacity(F + 1);
        children.extend(node.children.drain(half..));
        let (parent, leaf_children) = (node.parent, node.leaf_children);
        let (vis, total) = children
            .iter()
            .fold((0, 0), |(v, t), c| (v + c.vis, t + c.total));
        let new = self.alloc_node(Internal {
            children,
            parent,
            slot: 0,
            leaf_children,
        });
        self.renumber(new, 0);
        let entry = Child {
            idx: new.0,
            vis,
            total,
        };
        self.insert_after(parent, n.0, entry, false);
    }

    /// Takes an empty leaf out of the tree (the root leaf stays, empty).
    pub(super) fn unlink_leaf(&mut self, leaf: LeafIdx) {
        let l = self.leaf(leaf);
        debug_assert!(l.runs.is_empty() && l.total == 0);
        let Some(parent) = l.parent else { return };
        let (prev, next, slot) = (l.prev, l.next, l.slot as usize);
        if let Some(p) = prev {
            self.leaf_mut(p).next = next;
        }
        if let Some(n) = next {
            self.leaf_mut(n).prev = prev;
        }
        *self.leaf_mut(leaf) = Leaf {
            runs: Vec::new(),
            vis: 0,
            total: 0,
            parent: None,
            slot: 0,
            prev: None,
            next: None,
        };
        self.free_leaves.push(leaf);
        if self.cursor.is_some_and(|c| c.leaf == leaf) {
            self.cursor = None;
        }
        self.remove_child(parent, slot);
    }

    /// Removes the child in slot `slot` (with no elements) of node `n`, removing nodes left
    /// childless and shortening the tree while the root has a single child.
    fn remove_child(&mut self, n: NodeIdx, slot: usize) {
        let node = &mut self.nodes[n.ix()];
        node.children.remove(slot);
        let (parent, n_slot) = (node.parent, node.slot as usize);
        if !node.children.is_empty() {
            self.renumber(n, slot);
            if parent.is_none() {
                self.collapse_root();
            }
            return;
        }
        self.free_node(n);
        match parent {
            Some(p) => self.remove_child(p, n_slot),
            None => {
                // Unreachable while the root keeps two children or more; start afresh anyway.
                let l = self.alloc_leaf(Self::new_leaf(Vec::new(), None));
                self.root = Root::Leaf(l);
            }
        }
    }

    /// Returns node slot `n` to the free list.
    fn free_node(&mut self, n: NodeIdx) {
        self.nodes[n.ix()] = Internal {
            children: Vec::new(),
            parent: None,
            slot: 0,
            leaf_children: false,
        };
        self.free_nodes.push(n);
    }

    /// While the root is a node with one child, makes that child the root.
    fn collapse_root(&mut self) {
        while let Root::Node(r) = self.root {
            let node = self.node(r);
            if node.children.len() != 1 {
                return;
            }
            let (idx, is_leaf) = (node.children[0].idx, node.leaf_children);
            self.free_node(r);
            self.set_parent(idx, is_leaf, None, 0);
            self.root = if is_leaf {
                Root::Leaf(LeafIdx(idx))
            } else {
                Root::Node(NodeIdx(idx))
            };
        }
    }

    /// Merges the run after run `i` of `leaf` (in the same leaf or first in the next) into run
    /// `i` when it continues it. Returns whether it did.
    pub(super) fn try_merge_next(&mut self, leaf: LeafIdx, i: usize) -> bool {
        let l = self.leaf(leaf);
        let (nl, ni) = if i + 1 < l.runs.len() {
            (leaf, i + 1)
        } else {
            match l.next {
                Some(n) => (n, 0),
                None => return false,
            }
        };
        if !l.runs[i].can_append(&self.leaf(nl).runs[ni]) {
            return false;
        }
        let next = self.leaf_mut(nl).runs.remove(ni);
        if nl != leaf {
            let (dvis, dtotal) = (next.visible_len() as isize, next.len() as isize);
            self.add_counts(nl, -dvis, -dtotal);
            self.add_counts(leaf, dvis, dtotal);
            self.index
                .set(next.id.actor(), next.id.counter(), next.end(), leaf);
        }
        self.leaf_mut(leaf).runs[i].content.append(next.content);
        if self.leaf(nl).runs.is_empty() {
            self.unlink_leaf(nl);
        }
        true
    }

    /// The run just before run `i` of `leaf` in document order (possibly in the previous leaf).
    fn run_before(&self, leaf: LeafIdx, i: usize) -> Option<(LeafIdx, usize)> {
        if i > 0 {
            Some((leaf, i - 1))
        } else {
            self.leaf(leaf)
                .prev
                .map(|pl| (pl, self.leaf(pl).runs.len() - 1))
        }
    }

    /// Merges run `i` of `leaf` into the run before it (possibly in the previous leaf) when it
    /// continues it. Returns whether it did.
    pub(super) fn try_merge_prev(&mut self, leaf: LeafIdx, i: usize) -> bool {
        let pred = self.run_before(leaf, i);
        pred.is_some_and(|(pl, pi)| self.try_merge_next(pl, pi))
    }
}
