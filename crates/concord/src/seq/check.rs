//! The structural invariants of [`SeqTree`], checked exhaustively (for tests).

use std::collections::HashSet;

use super::tree::{LeafIdx, NodeIdx, Pos, Root, SeqTree};
use super::{Content, Run};
use crate::ids::ActorIdx;

impl<C: Content, const L: usize, const F: usize> SeqTree<C, L, F> {
    /// Checks every structural invariant, panicking with a message on the first violation:
    /// the counts cached in leaves, parents and the tree; parent and sibling links; node
    /// capacities and uniform leaf depth; the free lists; the id index agreeing exactly with
    /// the leaves; runs non-empty and merged wherever they can be; the cursor and the tail of
    /// the last local insert.
    pub(crate) fn check(&self) {
        let mut order = Vec::new();
        let mut depths = HashSet::new();
        let mut nodes_seen = HashSet::new();
        let (vis, total) = match self.root {
            Root::Leaf(l) => {
                assert_eq!(self.leaf(l).parent, None, "root leaf has a parent");
                order.push(l);
                depths.insert(0);
                self.check_leaf(l)
            }
            Root::Node(n) => {
                assert_eq!(self.node(n).parent, None, "root node has a parent");
                assert!(self.node(n).children.len() >= 2, "root node with one child");
                self.check_node(n, 1, &mut order, &mut depths, &mut nodes_seen)
            }
        };
        assert_eq!(depths.len(), 1, "leaves at different depths: {depths:?}");
        assert_eq!((self.vis, self.total), (vis, total), "tree counts");

        // Leaf links follow document order.
        for (k, &l) in order.iter().enumerate() {
            let leaf = self.leaf(l);
            let prev = k.checked_sub(1).map(|k| order[k]);
            assert_eq!(leaf.prev, prev, "prev link of leaf {l:?}");
            assert_eq!(
                leaf.next,
                order.get(k + 1).copied(),
                "next link of leaf {l:?}"
            );
            if order.len() > 1 {
                assert!(!leaf.runs.is_empty(), "empty non-root leaf {l:?}");
            }
        }
        assert_eq!(self.first_leaf(), order[0], "first leaf");

        // Free lists hold exactly the unreachable slots.
        let reachable: HashSet<LeafIdx> = order.iter().copied().collect();
        let free: HashSet<LeafIdx> = self.free_leaves.iter().copied().collect();
        assert_eq!(free.len(), self.free_leaves.len(), "leaf freed twice");
        assert!(
            reachable.is_disjoint(&free),
            "reachable leaf on the free list"
        );
        assert_eq!(
            reachable.len() + free.len(),
            self.leaves.len(),
            "lost leaf slots"
        );
        let free: HashSet<NodeIdx> = self.free_nodes.iter().copied().collect();
        assert_eq!(free.len(), self.free_nodes.len(), "node freed twice");
        assert!(
            nodes_seen.is_disjoint(&free),
            "reachable node on the free list"
        );
        assert_eq!(
            nodes_seen.len() + free.len(),
            self.nodes.len(),
            "lost node slots"
        );

        // Runs: non-empty, maximal; the index covers exactly their ids, each in its leaf.
        let mut prev: Option<&Run<C>> = None;
        for &l in &order {
            for r in &self.leaf(l).runs {
                assert!(r.len() > 0, "empty run {r:?}");
                if let Some(p) = prev {
                    assert!(!p.can_append(r), "mergeable runs {p:?} and {r:?}");
                }
                prev = Some(r);
                for k in [0, r.len() - 1] {
                    let id = r.id.add(k as u64);
                    assert_eq!(self.index.get(id), Some(l), "index entry of {id:?}");
                }
            }
        }
        // The index is exactly the runs' id ranges, sorted, with touching ranges in one leaf
        // coalesced.
        let mut ranges: Vec<_> = order
            .iter()
            .flat_map(|&l| {
                self.leaf(l)
                    .runs
                    .iter()
                    .map(move |r| (r.id.actor(), r.id.counter(), r.end(), l))
            })
            .collect();
        ranges.sort_by_key(|&(a, s, _, _)| (a, s));
        let mut expected: Vec<(ActorIdx, u64, u64, LeafIdx)> = Vec::new();
        for (a, s, e, l) in ranges {
            match expected.last_mut() {
                Some(last) if last.0 == a && last.2 == s && last.3 == l => last.2 = e,
                Some(last) if last.0 == a => {
                    assert!(last.2 <= s, "two elements with id {a:?}/{s}");
                    expected.push((a, s, e, l));
                }
                _ => expected.push((a, s, e, l)),
            }
        }
        let entries: Vec<_> = self.index.entries().collect();
        assert_eq!(entries, expected, "the id index disagrees with the leaves");
        C::check_store(&self.store, self.iter());

        if let Some(c) = self.cursor {
            assert!(reachable.contains(&c.leaf), "cursor on a freed leaf");
            assert_eq!(self.leaf_start(c.leaf).0, c.vis_start, "stale cursor");
        }
        // Nothing has changed since the last local insert: its run is as it left it, visible,
        // ending just before the tail's position, and still followed by its right origin.
        if let Some(t) = self.tail.filter(|t| t.edits == self.edits) {
            assert!(reachable.contains(&t.leaf), "tail on a freed leaf");
            let r = &self.leaf(t.leaf).runs[t.run];
            let start = Pos {
                leaf: t.leaf,
                run: t.run,
                off: 0,
            };
            assert!(r.visible(), "tail on a hidden run");
            assert_eq!(self.vis_before(start) + r.len(), t.vis_end, "stale tail");
            let next = self.id_at(self.run_after(t.leaf, t.run));
            assert_eq!(
                next,
                r.origin_right(),
                "tail run no longer before its right origin"
            );
        }
    }

    /// Checks leaf `l` against its runs; returns its counts.
    fn check_leaf(&self, l: LeafIdx) -> (usize, usize) {
        let leaf = self.leaf(l);
        assert!(leaf.runs.len() <= L, "leaf {l:?} over capacity");
        let vis = leaf.runs.iter().map(Run::visible_len).sum();
        let total = leaf.runs.iter().map(Run::len).sum();
        assert_eq!((leaf.vis, leaf.total), (vis, total), "counts of leaf {l:?}");
        (vis, total)
    }

    /// Checks the subtree of node `n` at depth `depth`, appending its leaves to `order`;
    /// returns its counts.
    fn check_node(
        &self,
        n: NodeIdx,
        depth: usize,
        order: &mut Vec<LeafIdx>,
        depths: &mut HashSet<usize>,
        seen: &mut HashSet<NodeIdx>,
    ) -> (usize, usize) {
        assert!(seen.insert(n), "node {n:?} reached twice");
        let node = self.node(n);
        assert!(!node.children.is_empty(), "childless node {n:?}");
        assert!(node.children.len() <= F, "node {n:?} over capacity");
        let (mut vis, mut total) = (0, 0);
        for (k, c) in node.children.iter().enumerate() {
            let counts = if node.leaf_children {
                let l = LeafIdx(c.idx);
                assert_eq!(self.leaf(l).parent, Some(n), "parent link of leaf {l:?}");
                assert_eq!(self.leaf(l).slot as usize, k, "slot of leaf {l:?}");
                order.push(l);
                depths.insert(depth);
                self.check_leaf(l)
            } else {
                let m = NodeIdx(c.idx);
                assert_eq!(self.node(m).parent, Some(n), "parent link of node {m:?}");
                assert_eq!(self.node(m).slot as usize, k, "slot of node {m:?}");
                self.check_node(m, depth + 1, order, depths, seen)
            };
            assert_eq!(
                (c.vis, c.total),
                counts,
                "cached counts of child {c:?} of {n:?}"
            );
            vis += counts.0;
            total += counts.1;
        }
        (vis, total)
    }
}
