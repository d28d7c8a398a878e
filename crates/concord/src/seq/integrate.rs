//! Placing a remote run between its origins: the YjsMod rule (equivalent to FugueMax).
//!
//! The rule, on indexes in the full order (tombstones included), with `left` the index of the
//! new run's left origin (-1 for none) and `right` that of its right origin (the total length
//! for none):
//!
//! ```text
//! dest = left + 1; scanning = false
//! for i in left + 1 .. {
//!     if !scanning { dest = i }
//!     if i == total_len || i == right { break }
//!     other = element at i
//!     oleft = index of other.origin_left; oright = index of other.origin_right
//!     if oleft < left { break }
//!     else if oleft == left {
//!         if oright < right { scanning = true }
//!         else if oright == right {
//!             if new.actor < other.actor { break } else { scanning = false }
//!         } else { scanning = false }
//!     }   // oleft > left: other was typed after something we passed: skip it
//! }
//! insert at dest
//! ```
//!
//! It runs here on runs rather than elements: every element of a run after the first has the
//! element before it as left origin, so it is a skip, and the scan only stops to decide at the
//! first element of each run (or of the part of a run after `left`), and at `right`, which may
//! fall inside a run. Indexes are compared only when origins differ, each through the id index
//! and a walk up the tree; in the common case (nothing concurrent: the element after `left` is
//! `right`) no index is computed at all.

use std::cmp::Ordering;

use super::tree::{Pos, SeqTree};
use super::{Content, Run};
use crate::ids::{ActorIdx, Id};

impl<C: Content, const L: usize, const F: usize> SeqTree<C, L, F> {
    /// Inserts a remote run (ids `id ..`, all new) whose first element was typed between
    /// `origin_left` and `origin_right` (both present), by the YjsMod / FugueMax rule.
    /// `actor_cmp` orders actors by their public bytes.
    pub(crate) fn integrate(
        &mut self,
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        content: C,
        actor_cmp: impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) {
        let content = match &mut self.pending {
            Some(p) => {
                let n = content.len();
                match p.integrate(id, origin_left, origin_right, content, &self.store) {
                    Ok(()) => {
                        self.vis += n;
                        self.total += n;
                        return;
                    }
                    Err(content) => content,
                }
            }
            None => content,
        };
        self.integrate_at(id, origin_left, origin_right, content, actor_cmp);
    }

    /// [`SeqTree::integrate`], returning where the first new element went (for an empty run,
    /// where it would have gone). Applying changes has no use for the visible position, which
    /// takes a walk up the tree: the tests compute it from this.
    pub(super) fn integrate_at(
        &mut self,
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        content: C,
        actor_cmp: impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) -> Pos {
        self.built();
        let start = match origin_left {
            Some(ol) => self.advance(self.find_present(ol), 1),
            None => Pos {
                leaf: self.first_leaf(),
                run: 0,
                off: 0,
            },
        };
        let dest = self.scan(start, id.actor(), origin_left, origin_right, &actor_cmp);
        if content.len() == 0 {
            return dest;
        }
        let run = Run::new(id, origin_left, origin_right, true, content);
        self.insert_run(dest, run)
    }

    /// The scan of the rule, from `start` (the element after the left origin) on: returns the
    /// position before which the new run goes.
    fn scan(
        &self,
        start: Pos,
        actor: ActorIdx,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        actor_cmp: &impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) -> Pos {
        // Order keys: a left origin's index with `None` (-1) first, a right origin's index
        // with `None` (the end) last. Computed on first need.
        let left_key = |id: Option<Id>| id.map(|id| self.full_index(id));
        let right_key = |id: Option<Id>| id.map_or(usize::MAX, |id| self.full_index(id));
        let mut left: Option<Option<usize>> = None;
        let mut right: Option<usize> = None;

        let mut i = start;
        let mut dest = start;
        let mut scanning = false;
        loop {
            if !scanning {
                dest = i;
            }
            let Some(run) = self.leaf(i.leaf).runs.get(i.run) else {
                break;
            };
            let seg_start = run.id.counter() + i.off as u64;
            let mut seg_len = run.len() - i.off;
            if let Some(r) = origin_right {
                if r.actor() == run.id.actor() && r.counter() >= seg_start {
                    let d = r.counter() - seg_start;
                    if d == 0 {
                        break;
                    }
                    if d < seg_len as u64 {
                        seg_len = d as usize;
                    }
                }
            }
            let other_left = if i.off == 0 {
                run.origin_left()
            } else {
                Some(run.id.add(i.off as u64 - 1))
            };
            let cmp_left = if other_left == origin_left {
                Ordering::Equal
            } else {
                let l = *left.get_or_insert_with(|| left_key(origin_left));
                left_key(other_left).cmp(&l)
            };
            match cmp_left {
                Ordering::Less => break,
                Ordering::Equal => {
                    let cmp_right = if run.origin_right() == origin_right {
                        Ordering::Equal
                    } else {
                        let r = *right.get_or_insert_with(|| right_key(origin_right));
                        right_key(run.origin_right()).cmp(&r)
                    };
                    match cmp_right {
                        Ordering::Less => scanning = true,
                        Ordering::Equal => {
                            if actor_cmp(actor, run.id.actor()) == Ordering::Less {
                                break;
                            }
                            scanning = false;
                        }
                        Ordering::Greater => scanning = false,
                    }
                }
                Ordering::Greater => {}
            }
            i = self.advance(i, seg_len);
        }
        dest
    }
}
